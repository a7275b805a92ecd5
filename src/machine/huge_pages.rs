//! Transparent huge pages: whether the kernel grants them, and how much of
//! this process they back right now (to check a request was granted).

use crate::error::Unavailable;

/// Whether this kernel will give transparent huge pages to a region that
/// asks (`madvise`), read from sysfs.
///
/// # Errors
/// `Unavailable` with the reason (not Linux, THP off, sysfs unreadable).
pub fn huge_pages_state() -> std::result::Result<String, Unavailable> {
    if cfg!(feature = "force-fallback") || !cfg!(target_os = "linux") {
        return Err(Unavailable::new(
            "transparent huge pages are a Linux feature read from sysfs",
        ));
    }
    let s = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
        .map_err(|e| Unavailable::new(format!("no THP setting in sysfs ({e})")))?;
    let mode = s
        .split_whitespace()
        .find(|w| w.starts_with('['))
        .map(|w| w.trim_matches(|c| c == '[' || c == ']').to_string())
        .unwrap_or_default();
    match mode.as_str() {
        "always" | "madvise" => Ok(mode),
        other => Err(Unavailable::new(format!(
            "transparent huge pages are set to \"{other}\""
        ))),
    }
}

/// Bytes of this process's memory backed by transparent huge pages right
/// now (`AnonHugePages` in `/proc/self/smaps_rollup`), to check that a
/// request for huge pages was granted.
pub fn huge_page_bytes() -> Option<u64> {
    if cfg!(feature = "force-fallback") {
        return None;
    }
    let s = std::fs::read_to_string("/proc/self/smaps_rollup").ok()?;
    let kb: u64 = s
        .lines()
        .find_map(|l| l.strip_prefix("AnonHugePages:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}
