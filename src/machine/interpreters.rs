//! Which Python interpreters this machine has: the one hpp times the
//! chapter's examples with, and any free-threaded builds (PEP 703) beside it.

use std::path::{Path, PathBuf};

use crate::error::Fact;

/// Names tried on PATH, in order, when `HPP_PYTHON` is not set.
pub const DEFAULT_NAMES: [&str; 2] = ["python3", "python"];

/// Free-threaded CPython names tried on PATH.
pub const FREE_THREADED_NAMES: [&str; 3] = ["python3.13t", "python3.14t", "python3.15t"];

/// `name` if it is a path to an executable file, else the first match of
/// `name` in the directories of `path_var` (a PATH-style list).
pub fn which_in(name: &str, path_var: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    let runnable = |p: &Path| {
        p.is_file() && {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                p.metadata()
                    .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
            }
            #[cfg(not(unix))]
            {
                true
            }
        }
    };
    if name.contains(std::path::MAIN_SEPARATOR) {
        let p = PathBuf::from(name);
        return runnable(&p).then_some(p);
    }
    std::env::split_paths(path_var?)
        .map(|d| d.join(name))
        .find(|p| runnable(p))
}

/// The interpreter to use: `explicit` if given, else `HPP_PYTHON`, else the
/// first of [`DEFAULT_NAMES`] on PATH.
pub fn find_python(explicit: Option<&str>) -> Fact<PathBuf> {
    let path = std::env::var_os("PATH");
    let from_env = std::env::var("HPP_PYTHON").ok().filter(|s| !s.is_empty());
    if let Some(name) = explicit.map(str::to_string).or(from_env) {
        return match which_in(&name, path.as_deref()) {
            Some(p) => Fact::Known(p),
            None => Fact::unavailable(format!("no Python interpreter at {name:?}")),
        };
    }
    DEFAULT_NAMES
        .iter()
        .find_map(|n| which_in(n, path.as_deref()))
        .map(Fact::Known)
        .unwrap_or_else(|| {
            Fact::unavailable(
                "no python3 on PATH (set HPP_PYTHON to an interpreter to compare with)",
            )
        })
}

/// Free-threaded interpreters on PATH.
pub fn free_threaded() -> Vec<PathBuf> {
    let path = std::env::var_os("PATH");
    FREE_THREADED_NAMES
        .iter()
        .filter_map(|n| which_in(n, path.as_deref()))
        .collect()
}
