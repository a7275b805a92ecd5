//! Sampled call stacks as plain data: what a sampling profiler saw, from
//! Rust's in-process sampler ([`crate::measure::sampler`]) or from py-spy's
//! `--format raw` file (the "collapsed stacks" text that flame-graph tools
//! read). A flame graph is drawn from this; the busiest lines are counted
//! from it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One frame of a call stack.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Frame {
    /// The function, shortened for reading (no generic parameters, no hash).
    pub name: String,
    /// Its source file, where the profile knew it.
    pub file: Option<String>,
    /// The line being run in that function, where known.
    pub line: Option<u32>,
}

/// One distinct call stack and how many samples landed on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stack {
    /// Outermost call first, the running function last.
    pub frames: Vec<Frame>,
    /// Samples taken with exactly this stack.
    pub samples: u64,
}

/// Every stack a profiler recorded during one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackSamples {
    /// Which profiler ("py-spy", "hpp sampler").
    pub profiler: String,
    /// Samples per second it aimed at.
    pub rate_hz: u32,
    /// Seconds of running the samples cover, where the profiler knows.
    #[serde(default)]
    pub covered_s: Option<f64>,
    /// The stacks, busiest first.
    pub stacks: Vec<Stack>,
}

/// One source line's share of the samples: the samples in which that line
/// was running, itself or through a call it made (line_profiler's view).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineShare {
    /// The source file.
    pub file: String,
    /// The line.
    pub line: u32,
    /// The function the line is in.
    pub function: String,
    /// Samples with this line on the stack.
    pub samples: u64,
    /// Their share of all samples, %.
    pub percent: f64,
}

impl StackSamples {
    /// Samples in all.
    pub fn total(&self) -> u64 {
        self.stacks.iter().map(|s| s.samples).sum()
    }

    /// Samples actually taken per second of running, where known (a timer
    /// can deliver fewer than asked: the kernel's tick is the limit).
    pub fn achieved_hz(&self) -> Option<f64> {
        self.covered_s
            .filter(|s| *s > 0.0)
            .map(|s| self.total() as f64 / s)
    }

    /// The share (%) of samples with a frame whose name contains `needle`
    /// anywhere on the stack (the time in it and in what it called).
    pub fn inclusive_percent(&self, needle: &str) -> f64 {
        let hit: u64 = self
            .stacks
            .iter()
            .filter(|s| s.frames.iter().any(|f| f.name.contains(needle)))
            .map(|s| s.samples)
            .sum();
        100.0 * hit as f64 / self.total().max(1) as f64
    }

    /// Add `other`'s samples to these (same stacks add up).
    pub fn merge(&mut self, other: StackSamples) {
        self.covered_s = match (self.covered_s, other.covered_s) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        for s in other.stacks {
            match self.stacks.iter_mut().find(|t| t.frames == s.frames) {
                Some(t) => t.samples += s.samples,
                None => self.stacks.push(s),
            }
        }
        self.stacks.sort_by_key(|s| std::cmp::Reverse(s.samples));
    }

    /// The share (%) of samples whose running function (the last frame)
    /// has a name containing `needle`.
    pub fn leaf_percent(&self, needle: &str) -> f64 {
        let hit: u64 = self
            .stacks
            .iter()
            .filter(|s| s.frames.last().is_some_and(|f| f.name.contains(needle)))
            .map(|s| s.samples)
            .sum();
        100.0 * hit as f64 / self.total().max(1) as f64
    }

    /// The lines of the frames accepted by `wanted` (by file or function),
    /// by share of samples, busiest first. In each sample the innermost
    /// accepted frame counts, so a line is charged for the calls it makes
    /// (a line that calls `hypot` is charged for the `hypot`).
    pub fn lines(&self, wanted: impl Fn(&Frame) -> bool) -> Vec<LineShare> {
        let total = self.total().max(1);
        let mut by_line: BTreeMap<(String, u32), (String, u64)> = BTreeMap::new();
        for stack in &self.stacks {
            let inner = stack
                .frames
                .iter()
                .rev()
                .find_map(|f| match (&f.file, f.line) {
                    (Some(file), Some(line)) if wanted(f) => Some((file, line, &f.name)),
                    _ => None,
                });
            if let Some((file, line, name)) = inner {
                let entry = by_line
                    .entry((file.clone(), line))
                    .or_insert_with(|| (name.clone(), 0));
                entry.1 += stack.samples;
            }
        }
        let mut rows: Vec<LineShare> = by_line
            .into_iter()
            .map(|((file, line), (function, samples))| LineShare {
                file,
                line,
                function,
                samples,
                percent: 100.0 * samples as f64 / total as f64,
            })
            .collect();
        rows.sort_by(|a, b| b.samples.cmp(&a.samples).then(a.line.cmp(&b.line)));
        rows
    }

    /// Stacks merged by function name alone (lines dropped), as a flame
    /// graph draws them, busiest first.
    pub fn by_function(&self) -> Vec<(Vec<String>, u64)> {
        let mut merged: BTreeMap<Vec<String>, u64> = BTreeMap::new();
        for s in &self.stacks {
            let names: Vec<String> = s.frames.iter().map(|f| f.name.clone()).collect();
            *merged.entry(names).or_default() += s.samples;
        }
        let mut out: Vec<(Vec<String>, u64)> = merged.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

/// Parse py-spy's `--format raw` output: one line per distinct stack,
/// `frame;frame;… count`, each frame `function (file:line)`, outermost
/// first.
///
/// # Errors
/// [`Error::BadInput`] naming the first line that is not in that form.
pub fn parse_collapsed(text: &str, profiler: &str, rate_hz: u32) -> Result<StackSamples> {
    let mut stacks = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        let bad = || {
            Error::bad_input(format!(
                "{profiler} output line {}: {line:?} is not `frames count`",
                i + 1
            ))
        };
        let (path, count) = line.rsplit_once(' ').ok_or_else(bad)?;
        let samples: u64 = count.parse().map_err(|_| bad())?;
        let frames = path.split(';').map(parse_frame).collect();
        stacks.push(Stack { frames, samples });
    }
    stacks.sort_by_key(|s| std::cmp::Reverse(s.samples));
    Ok(StackSamples {
        profiler: profiler.into(),
        rate_hz,
        covered_s: None,
        stacks,
    })
}

/// `function (file:line)` → a frame; anything else is a bare name.
fn parse_frame(text: &str) -> Frame {
    let text = text.trim();
    if let Some(open) = text.rfind(" (")
        && text.ends_with(')')
    {
        let inside = &text[open + 2..text.len() - 1];
        if let Some((file, line)) = inside.rsplit_once(':')
            && let Ok(line) = line.parse()
        {
            return Frame {
                name: text[..open].to_string(),
                file: Some(file.to_string()),
                line: Some(line),
            };
        }
    }
    Frame {
        name: text.to_string(),
        file: None,
        line: None,
    }
}

/// A symbol's name made readable: generic parameters and the trailing
/// hash removed, and only the last two path segments kept
/// (`hpp::kernels::julia::escape_abs` → `julia::escape_abs`).
pub fn short_name(name: &str) -> String {
    let mut plain = String::with_capacity(name.len());
    let mut depth = 0usize;
    let mut prev = ' ';
    for ch in name.chars() {
        match ch {
            '<' => depth += 1,
            // `->` in a function type is not a closing bracket.
            '>' if prev != '-' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(ch),
            _ => {}
        }
        prev = ch;
    }
    let plain = match plain.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) => {
            head.to_string()
        }
        _ => plain,
    };
    let parts: Vec<&str> = plain.split("::").filter(|p| !p.is_empty()).collect();
    match parts.len() {
        0 => name.to_string(),
        1 => parts[0].to_string(),
        n => parts[n - 2..].join("::"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PYSPY: &str = "\
<module> (<stdin>:210);main (<stdin>:190);escape_counts (<stdin>:52) 40
<module> (<stdin>:210);main (<stdin>:190);escape_counts (<stdin>:53) 25
<module> (<stdin>:210);main (<stdin>:190);escape_counts (<stdin>:52);<lambda> (<stdin>:9) 10
<module> (<stdin>:210);main (<stdin>:188);coordinates (<stdin>:35) 5
";

    #[test]
    fn py_spy_raw_output_parses_into_stacks() {
        let s = parse_collapsed(PYSPY, "py-spy", 100).unwrap();
        assert_eq!(s.total(), 80);
        assert_eq!(s.stacks[0].samples, 40);
        let leaf = s.stacks[0].frames.last().unwrap();
        assert_eq!(leaf.name, "escape_counts");
        assert_eq!(leaf.file.as_deref(), Some("<stdin>"));
        assert_eq!(leaf.line, Some(52));
        assert_eq!(s.stacks[0].frames[0].name, "<module>");
    }

    #[test]
    fn a_line_is_charged_for_what_it_calls() {
        let s = parse_collapsed(PYSPY, "py-spy", 100).unwrap();
        let lines = s.lines(|f| f.name == "escape_counts" || f.name == "coordinates");
        // line 52 ran itself 40 times and called the lambda 10 times.
        assert_eq!((lines[0].line, lines[0].samples), (52, 50));
        assert!((lines[0].percent - 62.5).abs() < 1e-9);
        assert_eq!(lines[1].line, 53);
        assert_eq!(lines.iter().map(|l| l.samples).sum::<u64>(), 80);
        // Accepting the lambda too charges its own line instead.
        let inner = s.lines(|f| f.file.as_deref() == Some("<stdin>"));
        assert_eq!((inner[0].line, inner[0].samples), (52, 40));
        assert!(inner.iter().any(|l| l.line == 9 && l.samples == 10));
        assert!((s.leaf_percent("escape_counts") - 81.25).abs() < 1e-9);
        assert!((s.inclusive_percent("escape_counts") - 93.75).abs() < 1e-9);
        assert!((s.inclusive_percent("<lambda>") - 12.5).abs() < 1e-9);
    }

    #[test]
    fn merged_runs_add_their_samples_and_time() {
        let mut a = parse_collapsed(PYSPY, "py-spy", 100).unwrap();
        a.covered_s = Some(0.4);
        let mut b = parse_collapsed(PYSPY, "py-spy", 100).unwrap();
        b.covered_s = Some(0.4);
        a.merge(b);
        assert_eq!(a.total(), 160);
        assert_eq!(a.stacks.len(), 4);
        assert_eq!(a.stacks[0].samples, 80);
        assert!((a.achieved_hz().unwrap() - 200.0).abs() < 1e-9);
        a.merge(parse_collapsed("x (y:1) 1", "py-spy", 100).unwrap());
        assert_eq!(
            a.achieved_hz(),
            None,
            "a run with no time covered leaves the rate unknown"
        );
    }

    #[test]
    fn stacks_merge_by_function_for_the_flame_graph() {
        let s = parse_collapsed(PYSPY, "py-spy", 100).unwrap();
        let merged = s.by_function();
        assert_eq!(merged.len(), 3);
        assert_eq!(merged[0].0.last().unwrap(), "escape_counts");
        assert_eq!(merged[0].1, 65);
    }

    #[test]
    fn malformed_profiler_output_is_refused_with_the_line() {
        let e = parse_collapsed("main (x.py:1) 3\nnot a count here\n", "py-spy", 100).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(
            parse_collapsed("", "py-spy", 100)
                .unwrap()
                .stacks
                .is_empty()
        );
    }

    #[test]
    fn names_lose_generics_hashes_and_long_paths() {
        assert_eq!(
            short_name("hpp::kernels::julia::escape_abs"),
            "julia::escape_abs"
        );
        assert_eq!(
            short_name(
                "hpp::kernels::julia::map_points<hpp::kernels::julia::escape_abs>::{{closure}}"
            ),
            "map_points::{{closure}}"
        );
        assert_eq!(
            short_name("core::ops::function::FnOnce::call_once::h0123456789abcdef"),
            "FnOnce::call_once"
        );
        assert_eq!(short_name("hypot"), "hypot");
        assert_eq!(
            short_name(
                "hpp::kernels::julia::map_points::{closure_env#1}<fn(f64, f64, u32) -> u32>"
            ),
            "map_points::{closure_env#1}"
        );
        assert_eq!(short_name("<&T as Debug>::fmt"), "fmt");
    }
}
