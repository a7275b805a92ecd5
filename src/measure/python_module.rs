//! hpp's own Python module (`pyext/`, built by maturin into the project's
//! venv): built when a chapter needs it and it is missing.

use std::path::Path;
use std::time::Instant;

/// Build hpp's Python module into the project's venv when `python` is that
/// venv's interpreter and cannot import it yet; the seconds it took, or
/// `None` when nothing was built (already there, or another interpreter).
///
/// # Errors
/// The build's own message when it fails.
pub fn ensure_module(python: &Path) -> std::result::Result<Option<f64>, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join(".venv");
    // Only the project's own venv is built into, and only its interpreter
    // (which the set-up made) is run here, outside the chapter's leash.
    let bin = |p: &Path| p.canonicalize().ok();
    let ours = python
        .parent()
        .and_then(bin)
        .is_some_and(|d| Some(d) == bin(&venv.join("bin")));
    if !ours || !venv.join("bin/maturin").exists() {
        return Ok(None);
    }
    let imports = std::process::Command::new(python)
        .args([
            "-c",
            "import hpp, sys; sys.exit(0 if hasattr(hpp, 'calculate_z') else 1)",
        ])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if imports {
        return Ok(None);
    }
    let start = Instant::now();
    let out = std::process::Command::new(root.join("scripts/python-module.sh"))
        .output()
        .map_err(|e| format!("could not run scripts/python-module.sh: {e}"))?;
    if !out.status.success() {
        let text = String::from_utf8_lossy(&out.stderr);
        let last = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(format!("building hpp's Python module failed: {last}"));
    }
    Ok(Some(start.elapsed().as_secs_f64()))
}
