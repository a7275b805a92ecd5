//! Can this process open hardware performance counters? Asks the kernel with
//! `perf_event_open` for a user-space instruction counter, then closes it.

use crate::error::{Fact, Unavailable};

/// "perf_event_open (cycles, instructions)" when a hardware counter opens, or
/// why it does not. `paranoid` is `/proc/sys/kernel/perf_event_paranoid`, used
/// only to explain a refusal.
pub fn hardware_counters(paranoid: Option<i32>) -> Fact<String> {
    open_instruction_counter(paranoid).into()
}

/// Open one hardware counter of this process, user space only: `config` is
/// the `PERF_COUNT_HW_*` number, `group` the leader's fd (or -1 to lead),
/// `read_format` the `PERF_FORMAT_*` bits, `disabled` whether it starts
/// stopped. The one `perf_event_open` call in hpp.
///
/// # Errors
/// Why the kernel refused, in words (`paranoid` explains a permission
/// refusal).
#[cfg(all(target_os = "linux", target_endian = "little"))]
pub(crate) fn open_counter(
    config: u64,
    group: libc::c_int,
    read_format: u64,
    disabled: bool,
    paranoid: Option<i32>,
) -> Result<libc::c_int, Unavailable> {
    // perf_event_attr, PERF_ATTR_SIZE_VER7 (128 bytes), as little-endian words:
    // word 0 = type (PERF_TYPE_HARDWARE = 0) | size << 32; word 1 = config;
    // word 4 = read_format; word 5 = flags: disabled (bit 0), exclude_kernel
    // (bit 5), exclude_hv (bit 6).
    let mut attr = [0u64; 16];
    attr[0] = 128u64 << 32;
    attr[1] = config;
    attr[4] = read_format;
    attr[5] = u64::from(disabled) | (1 << 5) | (1 << 6);
    // SAFETY: `attr` is a valid, fully initialised perf_event_attr of the size
    // it declares, and lives across the call; the caller owns the fd.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            attr.as_ptr(),
            0 as libc::pid_t,
            -1 as libc::c_int,
            group,
            0 as libc::c_ulong,
        )
    };
    if fd < 0 {
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        return Err(Unavailable::new(explain(errno, paranoid)));
    }
    Ok(fd as libc::c_int)
}

#[cfg(all(target_os = "linux", target_endian = "little"))]
fn open_instruction_counter(paranoid: Option<i32>) -> Result<String, Unavailable> {
    let fd = open_counter(1, -1, 0, true, paranoid)?; // PERF_COUNT_HW_INSTRUCTIONS
    // SAFETY: fd was just returned by the kernel and is ours to close.
    unsafe { libc::close(fd) };
    Ok("perf_event_open (hardware instructions, cycles)".to_string())
}

/// Why `perf_event_open` failed with `errno`, in words a reader can act on.
#[cfg(all(target_os = "linux", target_endian = "little"))]
fn explain(errno: i32, paranoid: Option<i32>) -> String {
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
