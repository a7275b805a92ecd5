//! `storage`: the external bus. Sequential 1 MiB reads and random 4 KiB reads
//! of a scratch file, through the page cache (memory speed) and around it
//! with `O_DIRECT` (device speed). The file is unlinked as soon as it is
//! open, so it never outlives the run.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Fact, Result};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::storage::{ScratchFile, free_bytes};
use crate::machine::Machine;
use crate::measure::{Budget, Progress, stats};
use crate::plot::{Figure, bar_chart};
use crate::units::{fmt_bytes, fmt_sig};

/// One way of reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorageRow {
    /// "sequential 1 MiB" or "random 4 KiB".
    pub pattern: String,
    /// "page cache" or "device (O_DIRECT)".
    pub path: String,
    /// Decimal MB/s.
    pub mb_per_s: Fact<f64>,
    /// Microseconds per read.
    pub us_per_read: Fact<f64>,
}

/// The `storage` result. JSON: `write_mb_per_s`, `rows[{pattern, path,
/// mb_per_s, us_per_read}]` (an unavailable figure is `{"unavailable": why}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Storage {
    /// Always "storage".
    pub experiment: String,
    /// Folder the scratch file was in.
    pub dir: PathBuf,
    /// Its size.
    pub file_bytes: u64,
    /// Writing it (1 MiB writes, then fsync), decimal MB/s.
    pub write_mb_per_s: f64,
    /// The reads.
    pub rows: Vec<StorageRow>,
    /// Budget used.
    pub budget: String,
}

/// Measure with a scratch file in `dir` (default: the system temp folder)
/// of 32 MiB (quick), 256 MiB (default) or 1 GiB (thorough).
///
/// # Errors
/// [`Error::TooBig`] when the filesystem lacks room, [`Error::Io`] when the
/// file cannot be written or read, [`Error::BadInput`] when `dir` is not a
/// folder.
pub fn storage(machine: &Machine, budget: &Budget, dir: Option<&Path>) -> Result<Storage> {
    let _ = machine;
    let dir = dir
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    if !dir.is_dir() {
        return Err(Error::bad_input(format!(
            "{} is not a folder: give an existing folder on the disk you want to measure (--dir in the CLI)",
            dir.display()
        )));
    }
    let size: u64 = budget.level.pick(32 << 20, 256 << 20, 1 << 30);
    if let Ok(free) = free_bytes(&dir)
        && free / 2 < size
    {
        return Err(Error::TooBig {
            what: format!("a scratch file in {}", dir.display()),
            needed_bytes: size * 2,
            available_bytes: free,
        });
    }
    let randoms = budget.level.pick(2_000, 20_000, 20_000);
    let runs = budget.runs.clamp(1, 5);
    let mut progress = Progress::new("storage", 5);
    progress.step(&format!("writing {} in {}", fmt_bytes(size), dir.display()));
    let t0 = Instant::now();
    let f = ScratchFile::create(&dir, size)?;
    let write_mb_per_s = size as f64 / t0.elapsed().as_secs_f64() / 1e6;
    let seq = |direct: bool| -> Result<f64> {
        let mut v = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let (bytes, _) = f.read_sequential(1 << 20, direct)?;
            v.push(bytes as f64 / t.elapsed().as_secs_f64() / 1e6);
        }
        Ok(stats::median(&v).unwrap_or(f64::NAN))
    };
    let random = |direct: bool| -> Result<f64> {
        let t = Instant::now();
        f.read_random(4096, randoms, direct, 7)?;
        Ok(t.elapsed().as_secs_f64() * 1e6 / randoms as f64)
    };
    let mut rows = Vec::new();
    let row = |pattern: &str, path: &str, mb: Fact<f64>, us: Fact<f64>| StorageRow {
        pattern: pattern.into(),
        path: path.into(),
        mb_per_s: mb,
        us_per_read: us,
    };
    progress.step("sequential, page cache");
    let s = seq(false)?;
    rows.push(row(
        "sequential 1 MiB",
        "page cache",
        Fact::Known(s),
        Fact::Known(1.048576e6 / s),
    ));
    progress.step("random 4 KiB, page cache");
    let r = random(false)?;
    rows.push(row(
        "random 4 KiB",
        "page cache",
        Fact::Known(4096.0 / r),
        Fact::Known(r),
    ));
    match f.direct() {
        Ok(()) => {
            progress.step("sequential, O_DIRECT");
            let s = seq(true)?;
            rows.push(row(
                "sequential 1 MiB",
                "device (O_DIRECT)",
                Fact::Known(s),
                Fact::Known(1.048576e6 / s),
            ));
            progress.step("random 4 KiB, O_DIRECT");
            let r = random(true)?;
            rows.push(row(
                "random 4 KiB",
                "device (O_DIRECT)",
                Fact::Known(4096.0 / r),
                Fact::Known(r),
            ));
        }
        Err(u) => {
            let u = u.clone();
            for p in ["sequential 1 MiB", "random 4 KiB"] {
                rows.push(row(
                    p,
                    "device (O_DIRECT)",
                    Fact::Unavailable(u.clone()),
                    Fact::Unavailable(u.clone()),
                ));
            }
        }
    }
    Ok(Storage {
        experiment: "storage".into(),
        dir: f.dir().to_path_buf(),
        file_bytes: f.size(),
        write_mb_per_s,
        rows,
        budget: budget.level.to_string(),
    })
}

impl Storage {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }

    /// The row for a pattern and path, if measured.
    pub fn row(&self, pattern: &str, path_prefix: &str) -> Option<&StorageRow> {
        self.rows
            .iter()
            .find(|r| r.pattern.starts_with(pattern) && r.path.starts_with(path_prefix))
    }
}

impl Outcome for Storage {
    fn name(&self) -> &str {
        "storage"
    }

    fn headlines(&self) -> Vec<crate::experiments::outcome::Headline> {
        let device = self
            .row("sequential", "device")
            .and_then(|r| r.mb_per_s.known().copied());
        crate::experiments::outcome::Headline::new(
            "disk_seq_read_mbs",
            "Disk sequential read, bypassing the page cache",
            device,
            "MB/s",
            true,
        )
        .into_iter()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let bars: Vec<(String, f64)> = self
            .rows
            .iter()
            .filter_map(|r| {
                let mb = r.mb_per_s.known()?;
                let path = if r.path.starts_with("page") {
                    "cache"
                } else {
                    "device"
                };
                let pat = if r.pattern.starts_with("seq") {
                    "seq 1M"
                } else {
                    "rand 4K"
                };
                Some((format!("{pat}, {path}"), *mb))
            })
            .collect();
        bar_chart(
            &format!(
                "Reading a {} file in {}",
                fmt_bytes(self.file_bytes),
                self.dir.display()
            ),
            "MB/s (decimal)",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let us = |p: &str, path: &str| {
            self.row(p, path)
                .and_then(|r| r.us_per_read.known().copied())
        };
        let mb = |p: &str, path: &str| self.row(p, path).and_then(|r| r.mb_per_s.known().copied());
        let mut s = format!(
            "Through the page cache (memory): {} MB/s sequential, {} µs per random 4 KiB read.",
            mb("seq", "page").map(|v| fmt_sig(v, 3)).unwrap_or_default(),
            us("random", "page")
                .map(|v| fmt_sig(v, 3))
                .unwrap_or_default()
        );
        match (mb("seq", "device"), us("random", "device"), us("random", "page")) {
            (Some(m), Some(u), Some(c)) => s.push_str(&format!(
                " From the device itself: {} MB/s sequential and {} µs per random read — {}× the cached read. Writing ran at {} MB/s.",
                fmt_sig(m, 3),
                fmt_sig(u, 3),
                fmt_sig(u / c, 3),
                fmt_sig(self.write_mb_per_s, 3)
            )),
            _ => {
                let why = self
                    .row("seq", "device")
                    .and_then(|r| r.mb_per_s.as_result().err().map(|u| u.reason().to_string()))
                    .unwrap_or_default();
                s.push_str(&format!(" Device reads: unavailable ({why})."));
            }
        }
        s
    }
}

impl fmt::Display for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "scratch file: {} in {}",
            fmt_bytes(self.file_bytes),
            self.dir.display()
        )?;
        writeln!(f, "write + fsync: {} MB/s", fmt_sig(self.write_mb_per_s, 3))?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<18} {:<20} {:>14} MB/s  {:>14} µs/read",
                r.pattern,
                r.path,
                r.mb_per_s.clone().map(|v| fmt_sig(v, 3)),
                r.us_per_read.clone().map(|v| fmt_sig(v, 3))
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
