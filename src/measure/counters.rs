//! Hardware performance counters around any closure: cycles, instructions
//! (so IPC), cache misses and branch misses, via Linux `perf_event_open`.
//! Where the OS or the VM gives no counters, the result says why, once.
//!
//! # Platforms
//! Linux on little-endian CPUs with a PMU the kernel exposes. Elsewhere,
//! and in most VMs, unavailable.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Fact;
use crate::units::fmt_sig;

/// Counts taken around one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CounterValues {
    /// CPU cycles (user space).
    pub cycles: u64,
    /// Instructions retired (user space).
    pub instructions: u64,
    /// Last-level cache misses.
    pub cache_misses: u64,
    /// Mispredicted branches.
    pub branch_misses: u64,
}

impl CounterValues {
    /// Instructions per cycle.
    pub fn ipc(&self) -> f64 {
        self.instructions as f64 / self.cycles.max(1) as f64
    }
}

impl fmt::Display for CounterValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} cycles, {} instructions (IPC {}), {} cache misses, {} branch misses",
            self.cycles,
            self.instructions,
            fmt_sig(self.ipc(), 3),
            self.cache_misses,
            self.branch_misses
        )
    }
}

/// Run `f` once with counters on; return its result and the counts, or why
/// there are none.
pub fn count<R>(f: impl FnOnce() -> R) -> (R, Fact<CounterValues>) {
    match imp::Group::open() {
        Ok(g) => {
            g.enable();
            let r = f();
            g.disable();
            (r, g.read().into())
        }
        Err(u) => (f(), Fact::Unavailable(u)),
    }
}

#[cfg(all(
    target_os = "linux",
    target_endian = "little",
    not(feature = "force-fallback")
))]
mod imp {
    use super::CounterValues;
    use crate::error::Unavailable;

    const ENABLE: libc::c_ulong = 0x2400;
    const DISABLE: libc::c_ulong = 0x2401;
    const RESET: libc::c_ulong = 0x2403;
    const FLAG_GROUP: libc::c_ulong = 1;
    const FORMAT_GROUP: u64 = 1 << 3;

    pub struct Group {
        fds: Vec<libc::c_int>,
    }

    fn open_one(config: u64, group: libc::c_int) -> Result<libc::c_int, Unavailable> {
        let paranoid =
            crate::machine::linux::perf_event_paranoid(&crate::machine::linux::Root::new("/"));
        // The leader starts disabled; the group is enabled together.
        crate::machine::perf::open_counter(config, group, FORMAT_GROUP, group < 0, paranoid)
    }

    impl Group {
        pub fn open() -> Result<Group, Unavailable> {
            // cycles (0), instructions (1), cache misses (3), branch misses (5).
            let leader = open_one(0, -1)?;
            let mut g = Group { fds: vec![leader] };
            for config in [1, 3, 5] {
                g.fds.push(open_one(config, leader)?);
            }
            Ok(g)
        }

        fn ioctl(&self, req: libc::c_ulong) {
            // SAFETY: the leader fd is open; these requests take an int flag.
            unsafe {
                libc::ioctl(self.fds[0], req as _, FLAG_GROUP);
            }
        }

        pub fn enable(&self) {
            self.ioctl(RESET);
            self.ioctl(ENABLE);
        }

        pub fn disable(&self) {
            self.ioctl(DISABLE);
        }

        pub fn read(&self) -> Result<CounterValues, Unavailable> {
            // PERF_FORMAT_GROUP: nr, then one value per counter.
            let mut buf = [0u64; 5];
            // SAFETY: reading into a buffer of the stated size from our fd.
            let n = unsafe {
                libc::read(
                    self.fds[0],
                    buf.as_mut_ptr().cast(),
                    std::mem::size_of_val(&buf),
                )
            };
            if n < 0 || buf[0] != 4 {
                return Err(Unavailable::new("the counter group could not be read"));
            }
            Ok(CounterValues {
                cycles: buf[1],
                instructions: buf[2],
                cache_misses: buf[3],
                branch_misses: buf[4],
            })
        }
    }

    impl Drop for Group {
        fn drop(&mut self) {
            for &fd in &self.fds {
                // SAFETY: each fd was returned by perf_event_open and is
                // closed exactly once.
                unsafe { libc::close(fd) };
            }
        }
    }
}

#[cfg(not(all(
    target_os = "linux",
    target_endian = "little",
    not(feature = "force-fallback")
)))]
mod imp {
    use super::CounterValues;
    use crate::error::Unavailable;

    pub struct Group;

    impl Group {
        pub fn open() -> Result<Group, Unavailable> {
            Err(Unavailable::new(if cfg!(feature = "force-fallback") {
                "not read (force-fallback build)"
            } else {
                "hpp reads hardware counters on Linux only"
            }))
        }
        pub fn enable(&self) {}
        pub fn disable(&self) {}
        pub fn read(&self) -> Result<CounterValues, Unavailable> {
            Err(Unavailable::new("no counters"))
        }
    }
}
