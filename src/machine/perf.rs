//! Can this process open hardware performance counters? Asks the kernel with
//! `perf_event_open` for a user-space instruction counter, then closes it.

use crate::error::{Fact, Unavailable};

/// "perf_event_open (cycles, instructions)" when a hardware counter opens, or
/// why it does not. `paranoid` is `/proc/sys/kernel/perf_event_paranoid`, used
/// only to explain a refusal.
pub fn hardware_counters(paranoid: Option<i32>) -> Fact<String> {
    open_instruction_counter(paranoid).into()
}

#[cfg(all(target_os = "linux", target_endian = "little"))]
fn open_instruction_counter(paranoid: Option<i32>) -> Result<String, Unavailable> {
    // perf_event_attr, PERF_ATTR_SIZE_VER7 (128 bytes), as little-endian words:
    // word 0 = type (PERF_TYPE_HARDWARE = 0) | size << 32; word 1 = config
    // (PERF_COUNT_HW_INSTRUCTIONS = 1); word 5 = flags: disabled (bit 0),
    // exclude_kernel (bit 5), exclude_hv (bit 6).
    let mut attr = [0u64; 16];
    attr[0] = 128u64 << 32;
    attr[1] = 1;
    attr[5] = 1 | (1 << 5) | (1 << 6);
    // SAFETY: `attr` is a valid, fully initialised perf_event_attr of the size
    // it declares, and lives across the call; the fd is closed below.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            attr.as_ptr(),
            0 as libc::pid_t,
            -1 as libc::c_int,
            -1 as libc::c_int,
            0 as libc::c_ulong,
        )
    };
    if fd >= 0 {
        // SAFETY: fd was just returned by the kernel and is ours to close.
        unsafe { libc::close(fd as libc::c_int) };
        return Ok("perf_event_open (hardware instructions, cycles)".to_string());
    }
    let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
    let why = explain(errno, paranoid);
    Err(Unavailable::new(why))
}

/// Why `perf_event_open` failed with `errno`, in words a reader can act on.
#[cfg(all(target_os = "linux", target_endian = "little"))]
pub(crate) fn explain(errno: i32, paranoid: Option<i32>) -> String {
    match errno {
        libc::ENOENT | libc::EOPNOTSUPP | libc::ENODEV => {
            "no hardware PMU exposed, as is typical in a VM".to_string()
        }
        libc::EACCES | libc::EPERM => match paranoid {
            Some(p) => format!(
                "not permitted: perf_event_paranoid is {p} (a container's seccomp filter can also refuse)"
            ),
            None => "not permitted for this process".to_string(),
        },
        libc::ENOSYS => "the kernel has no perf_event_open".to_string(),
        e => format!("perf_event_open failed (errno {e})"),
    }
}

#[cfg(not(all(target_os = "linux", target_endian = "little")))]
fn open_instruction_counter(_paranoid: Option<i32>) -> Result<String, Unavailable> {
    Err(Unavailable::new(
        "hpp reads hardware counters on Linux only",
    ))
}
