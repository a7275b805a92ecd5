//! The one file that uses `sysinfo`: OS name and kernel everywhere; memory,
//! CPU brand and core count on platforms without sysfs.

use crate::error::Fact;

fn fact<T, E: std::fmt::Display>(r: Result<T, E>, what: &str) -> Fact<T> {
    match r {
        Ok(v) => Fact::Known(v),
        Err(e) => Fact::unavailable(format!("{what}: {e}")),
    }
}

/// OS name (e.g. "Linux (Debian GNU/Linux 12)") and kernel version.
pub fn os() -> (Fact<String>, Fact<String>) {
    let name = sysinfo::System::long_os_version().or_else(|_| sysinfo::System::name());
    (
        fact(name, "the OS does not report its name"),
        fact(
            sysinfo::System::kernel_version(),
            "the OS does not report its kernel",
        ),
    )
}

/// Total and available memory in bytes.
pub fn memory() -> (Fact<u64>, Fact<u64>) {
    let Ok(mut s) = sysinfo::System::new_with_specifics(sysinfo::RefreshKind::nothing()) else {
        let why = "the OS does not report memory";
        return (Fact::unavailable(why), Fact::unavailable(why));
    };
    s.refresh_memory();
    let nonzero = |v: u64| {
        if v > 0 {
            Fact::Known(v)
        } else {
            Fact::unavailable("the OS reports no memory figure")
        }
    };
    (nonzero(s.total_memory()), nonzero(s.available_memory()))
}

/// The CPU brand string and physical core count as the OS reports them.
pub fn cpu() -> (Fact<String>, Fact<usize>) {
    let brand = sysinfo::System::new_with_specifics(
        sysinfo::RefreshKind::nothing().with_cpu(sysinfo::CpuRefreshKind::nothing()),
    )
    .ok()
    .and_then(|s| s.cpus().first().map(|c| c.brand().trim().to_string()))
    .filter(|b| !b.is_empty());
    (
        brand
            .map(Fact::Known)
            .unwrap_or_else(|| Fact::unavailable("the OS does not report a CPU brand")),
        fact(
            sysinfo::System::physical_core_count(),
            "the OS does not report physical cores",
        ),
    )
}
