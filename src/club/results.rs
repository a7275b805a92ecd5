//! `results.json`: one member's chapter run — the machine card, how far to
//! trust the run, and every experiment's data — in a versioned schema that
//! other members' copies of hpp can read. Reading is strict: a file that is
//! not JSON, is truncated, is some other JSON, or was written by a newer hpp
//! is refused with a sentence saying which and what to do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::chapters::{self, Chapter, Entry};
use crate::error::{Error, Fact, Result};
use crate::experiments::Outcome;
use crate::machine::Machine;
use crate::measure::Budget;
use crate::measure::quality::Dispersion;

/// The `schema` field every results file carries.
pub const SCHEMA: &str = "hpp-chapter-results";

/// The newest results version this hpp writes and reads.
pub const VERSION: u32 = 1;

/// Files larger than this are refused before they are read.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Longest member name accepted.
pub const MAX_MEMBER_CHARS: usize = 64;

/// How far the whole run can be trusted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunQuality {
    /// Whether a hypervisor was detected.
    pub virtualised: Fact<bool>,
    /// Its name, when known.
    pub hypervisor: Option<String>,
    /// CPUs' worth of time granted to one spinning thread per usable CPU.
    pub cpu_share: Fact<f64>,
    /// CPUs the process may use.
    pub usable_cpus: usize,
    /// cpufreq governor.
    pub governor: Fact<String>,
    /// Turbo / boost enabled.
    pub turbo: Fact<bool>,
    /// Build profile in words.
    pub build: String,
    /// Whether the kernels were optimised and unchecked.
    pub optimised: bool,
    /// Reasons not to trust any figure of this run.
    pub flags: Vec<String>,
    /// Things worth knowing that do not invalidate the run.
    pub notes: Vec<String>,
}

impl RunQuality {
    /// Judge a run from the machine card and a measured CPU share.
    pub fn judge(machine: &Machine, cpu_share: Fact<f64>) -> Self {
        let usable = machine.usable_cpus();
        let mut flags = Vec::new();
        let mut notes = Vec::new();
        let b = &machine.build;
        if !b.optimised() {
            flags.push(format!(
                "not optimised: opt-level {}, debug assertions {}, overflow checks {} — timings are misleading",
                b.opt_level,
                if b.debug_assertions { "on" } else { "off" },
                if b.overflow_checks { "on" } else { "off" }
            ));
        }
        if let Some(s) = cpu_share.known()
            && *s < 0.9 * usable as f64
        {
            flags.push(format!(
                "CPU share: {usable} spinning threads were granted only {s:.2} CPUs' worth of time — another program or the host is taking the rest"
            ));
        }
        if let Some(g) = machine.frequency.governor.known()
            && g == "powersave"
        {
            notes.push("powersave governor: the clock may ramp up during runs".to_string());
        }
        let (virtualised, hypervisor) = match &machine.virtualization {
            Fact::Known(v) => (Fact::Known(v.virtualised), v.hypervisor.clone()),
            Fact::Unavailable(u) => (Fact::Unavailable(u.clone()), None),
        };
        if virtualised.known() == Some(&true) {
            notes.push(format!(
                "virtualised ({}): timings share the host with other guests; compare medians",
                hypervisor.as_deref().unwrap_or("hypervisor unnamed")
            ));
        }
        RunQuality {
            virtualised,
            hypervisor,
            cpu_share,
            usable_cpus: usable,
            governor: machine.frequency.governor.clone(),
            turbo: machine.frequency.turbo.clone(),
            build: format!(
                "{} profile, opt-level {}, debug assertions {}, overflow checks {}",
                b.profile,
                b.opt_level,
                if b.debug_assertions { "on" } else { "off" },
                if b.overflow_checks { "on" } else { "off" }
            ),
            optimised: b.optimised(),
            flags,
            notes,
        }
    }
}

/// One experiment's entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentResult {
    /// Wall time the experiment took, s (`None` where it was not timed: a
    /// notebook's cells run it, not hpp).
    pub seconds: Option<f64>,
    /// Its JSON (the shape in docs/results.md), or `None` when it could not
    /// run.
    pub data: Option<Value>,
    /// Why it could not run.
    pub unavailable: Option<String>,
    /// The sentence it computed from its data.
    pub reading: Option<String>,
    /// The spread of the timings it took (`None`: not observed).
    pub dispersion: Option<Dispersion>,
    /// Reasons not to trust this experiment's figures.
    pub flags: Vec<String>,
}

/// A member's results file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChapterResults {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// [`VERSION`] when written by this hpp.
    pub version: u32,
    /// Book chapter.
    pub chapter: u32,
    /// A name the member chose (nothing else personal is recorded).
    pub member: String,
    /// Seconds since 1970 when the run finished.
    pub created_unix_s: u64,
    /// hpp's version.
    pub hpp_version: String,
    /// "quick", "default" or "thorough".
    pub budget: String,
    /// The machine card, as `hpp machine --json` prints it.
    pub machine: Value,
    /// How far the whole run can be trusted.
    pub quality: RunQuality,
    /// Experiment name → its entry.
    pub experiments: BTreeMap<String, ExperimentResult>,
}

/// Replace the user's home folder in every string of `v` by `~`, so that a
/// shared results file does not carry the account name (interpreter paths,
/// `--dir` folders).
pub fn redact_home(v: &mut Value, home: Option<&str>) {
    let Some(home) = home.filter(|h| h.len() > 1) else {
        return;
    };
    match v {
        Value::String(s) if s == home => *s = "~".to_string(),
        Value::String(s) if s.contains(&format!("{home}/")) => {
            *s = s.replace(&format!("{home}/"), "~/");
        }
        Value::Array(a) => a.iter_mut().for_each(|x| redact_home(x, Some(home))),
        Value::Object(o) => o.values_mut().for_each(|x| redact_home(x, Some(home))),
        _ => {}
    }
}

/// The home folder, without a trailing slash.
pub fn home() -> Option<String> {
    std::env::var("HOME")
        .ok()
        .map(|h| h.trim_end_matches('/').to_string())
}

/// Check a member name: 1 to 64 printable characters.
///
/// # Errors
/// [`Error::BadInput`] saying what is wrong.
pub fn check_member(name: &str) -> Result<()> {
    let n = name.chars().count();
    if n == 0 || name.trim().is_empty() {
        return Err(Error::bad_input(
            "the member name is empty: pass --name with a name you choose (it labels your lines in comparisons)",
        ));
    }
    if n > MAX_MEMBER_CHARS {
        return Err(Error::bad_input(format!(
            "the member name has {n} characters; use at most {MAX_MEMBER_CHARS}"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::bad_input(
            "the member name contains control characters",
        ));
    }
    Ok(())
}

impl ChapterResults {
    /// An empty results file of `chapter` for `member` on `machine`.
    ///
    /// # Errors
    /// A bad member name; serialising the card (does not fail).
    pub fn new(
        chapter: &Chapter,
        member: &str,
        machine: &Machine,
        budget: &Budget,
        quality: RunQuality,
    ) -> Result<Self> {
        check_member(member)?;
        Ok(ChapterResults {
            schema: SCHEMA.into(),
            version: VERSION,
            chapter: chapter.number,
            member: member.to_string(),
            created_unix_s: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            hpp_version: env!("CARGO_PKG_VERSION").into(),
            budget: budget.level.to_string(),
            machine: {
                let mut card =
                    serde_json::to_value(machine).map_err(|e| Error::Json(e.to_string()))?;
                redact_home(&mut card, home().as_deref());
                card
            },
            quality,
            experiments: BTreeMap::new(),
        })
    }

    /// Add one experiment's outcome (from a notebook, where dispersion is not
    /// observed).
    ///
    /// # Errors
    /// When the outcome's JSON cannot be produced.
    pub fn add(&mut self, o: &dyn Outcome) -> Result<()> {
        let mut data = o.to_data()?;
        redact_home(&mut data, home().as_deref());
        self.experiments.insert(
            o.name().to_string(),
            ExperimentResult {
                seconds: None,
                data: Some(data),
                unavailable: None,
                reading: Some(o.reading()),
                dispersion: None,
                flags: Vec::new(),
            },
        );
        Ok(())
    }

    /// Pretty JSON.
    ///
    /// # Errors
    /// [`Error::Json`] (does not happen for this type).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Json(e.to_string()))
    }

    /// Write to `path` (its folder is created), returning the path.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<PathBuf> {
        let p = path.as_ref();
        if let Some(d) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(d)
                .map_err(|e| Error::io(format!("creating {}", d.display()), e))?;
        }
        std::fs::write(p, self.to_json()?)
            .map_err(|e| Error::io(format!("writing {}", p.display()), e))?;
        Ok(p.to_path_buf())
    }

    /// The data of experiment `name`, when it ran.
    pub fn data(&self, name: &str) -> Option<&Value> {
        self.experiments.get(name).and_then(|e| e.data.as_ref())
    }

    /// The chapter these results belong to, from the registry (`None` for
    /// a chapter this hpp does not have; [`parse`] refuses those).
    pub fn chapter_def(&self) -> Option<&'static Chapter> {
        chapters::chapter(self.chapter).ok()
    }

    /// Experiment `name`'s data read back as its own type, when it ran and
    /// this chapter knows it.
    pub fn outcome(&self, name: &str) -> Option<Box<dyn Outcome>> {
        let entry = self.chapter_def()?.entry(name)?;
        (entry.load)(self.data(name)?).ok()
    }

    /// Every experiment that ran and that this chapter knows, in notebook
    /// order, read back as its own type.
    pub fn outcomes(&self) -> Vec<(&'static Entry, Box<dyn Outcome>)> {
        let Some(ch) = self.chapter_def() else {
            return Vec::new();
        };
        ch.experiments
            .iter()
            .filter_map(|e| Some((e, self.outcome(e.name)?)))
            .collect()
    }

    /// The CPU brand from the card, for labels.
    pub fn cpu_brand(&self) -> String {
        self.machine["cpu"]["brand"]
            .as_str()
            .unwrap_or("unknown CPU")
            .to_string()
    }
}

/// Parse a results file's text; `origin` names it in messages.
///
/// # Errors
/// [`Error::BadInput`] saying what is wrong: not JSON (truncated or not),
/// not a results file, a version newer than this hpp reads, or fields
/// missing or of the wrong type.
pub fn parse(text: &str, origin: &str) -> Result<ChapterResults> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        if e.is_eof() {
            Error::bad_input(format!(
                "{origin}: the file ends early (line {}, column {}): it looks truncated — copy it again",
                e.line(),
                e.column()
            ))
        } else {
            Error::bad_input(format!("{origin}: not JSON ({e}) — results files come from `hpp chapter N --out DIR`"))
        }
    })?;
    let Some(obj) = v.as_object() else {
        return Err(Error::bad_input(format!(
            "{origin}: JSON, but not a results file (expected an object)"
        )));
    };
    match obj.get("schema").and_then(Value::as_str) {
        Some(SCHEMA) => {}
        Some(other) => {
            return Err(Error::bad_input(format!(
                "{origin}: schema \"{other}\" is not an hpp results file (\"{SCHEMA}\")"
            )));
        }
        None => {
            return Err(Error::bad_input(format!(
                "{origin}: JSON without a \"schema\" field — not a results file from `hpp chapter` (an `hpp run --json` file holds one experiment only)"
            )));
        }
    }
    let version = obj.get("version").and_then(Value::as_u64);
    match version {
        Some(n) if n > u64::from(VERSION) => {
            return Err(Error::bad_input(format!(
                "{origin}: written by a newer hpp (results version {n}; this hpp reads up to {VERSION}) — update hpp to read it"
            )));
        }
        Some(0) | None => {
            return Err(Error::bad_input(format!(
                "{origin}: no valid \"version\" field"
            )));
        }
        Some(_) => {}
    }
    let r: ChapterResults = serde_json::from_value(v)
        .map_err(|e| Error::bad_input(format!("{origin}: malformed results file ({e})")))?;
    check_member(&r.member).map_err(|e| Error::bad_input(format!("{origin}: {e}")))?;
    let chapter = chapters::chapter(r.chapter).map_err(|e| {
        Error::bad_input(format!(
            "{origin}: results of chapter {} — {e}; update hpp to read it",
            r.chapter
        ))
    })?;
    // Each experiment's data must read back as that experiment's own type:
    // a renamed or retyped field is refused here, not silently skipped later.
    for (name, e) in &r.experiments {
        if let (Some(entry), Some(data)) = (chapter.entry(name), &e.data) {
            (entry.load)(data).map_err(|err| {
                Error::bad_input(format!("{origin}: experiment \"{name}\": {}", err))
            })?;
        }
    }
    Ok(r)
}

/// Read and parse a results file. Files over [`MAX_FILE_BYTES`] are refused
/// before reading.
///
/// # Errors
/// [`Error::Io`] when it cannot be read; otherwise as [`parse`].
pub fn load(path: impl AsRef<Path>) -> Result<ChapterResults> {
    let p = path.as_ref();
    let meta =
        std::fs::metadata(p).map_err(|e| Error::io(format!("reading {}", p.display()), e))?;
    if !meta.is_file() {
        return Err(Error::bad_input(format!("{} is not a file", p.display())));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::bad_input(format!(
            "{} is {} MiB; results files are far smaller (at most {} MiB accepted) — is it the right file?",
            p.display(),
            meta.len() >> 20,
            MAX_FILE_BYTES >> 20
        )));
    }
    let bytes = std::fs::read(p).map_err(|e| Error::io(format!("reading {}", p.display()), e))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::bad_input(format!(
            "{}: not UTF-8 text, so not a results file",
            p.display()
        ))
    })?;
    parse(&text, &p.display().to_string())
}
