//! A club as it arrives: a folder of results files (a shared drive, a course
//! repository), one per member per chapter, plus any files named by hand.
//! Files named by hand must load; files found in a folder are skipped with
//! the reason when they cannot be read (not a results file, another schema,
//! truncated, a member who already has a file of that chapter) and the rest
//! are compared, one club per chapter.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::headlines::{MemberHeadline, headlines};
use super::page::STYLE;
use super::results::{ChapterResults, load};
use super::side_by_side::Club;
use super::spread::{HANDFUL, spread_rows, spreads};
use crate::error::{Error, Result};
use crate::report::html::{escape, table};

/// Folders deeper than this below a named folder are not searched.
pub const MAX_DEPTH: usize = 8;

/// Most files read from folders in one comparison.
pub const MAX_FILES: usize = 20_000;

/// A file left out, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// The file.
    pub path: PathBuf,
    /// Why it was left out, in a few words.
    pub why: String,
}

/// Every chapter's club found, in book order, and what was left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Book {
    /// One club per chapter.
    pub clubs: Vec<Club>,
    /// Files left out, with the reason.
    pub skipped: Vec<Skipped>,
}

/// Collect `.json` files under `dir` (not following links), up to
/// [`MAX_DEPTH`] folders down and [`MAX_FILES`] files.
fn json_files(dir: &Path, depth: usize, found: &mut Vec<PathBuf>, skipped: &mut Vec<Skipped>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            skipped.push(Skipped {
                path: dir.to_path_buf(),
                why: format!("folder not readable ({e})"),
            });
            return;
        }
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            if depth >= MAX_DEPTH {
                skipped.push(Skipped {
                    path,
                    why: format!("more than {MAX_DEPTH} folders deep; not searched"),
                });
            } else {
                json_files(&path, depth + 1, found, skipped);
            }
        } else if kind.is_file() && path.extension().is_some_and(|x| x == "json") {
            if found.len() >= MAX_FILES {
                skipped.push(Skipped {
                    path,
                    why: format!("beyond the first {MAX_FILES} files; not read"),
                });
            } else {
                found.push(path);
            }
        }
    }
}

/// Read the results named by `paths`: each file must load; each folder is
/// searched for `.json` files, and those that cannot be read are skipped
/// with the reason. Results are grouped into one club per chapter; a
/// member's second file of a chapter is skipped.
///
/// # Errors
/// A named file that cannot be read (its own message); a named path that
/// does not exist; fewer than two results in all; no results file at all.
pub fn gather<P: AsRef<Path>>(paths: &[P]) -> Result<Book> {
    let mut named = Vec::new();
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        let p = p.as_ref();
        if p.is_dir() {
            json_files(p, 0, &mut found, &mut skipped);
        } else if p.exists() {
            named.push(p.to_path_buf());
        } else {
            return Err(Error::bad_input(format!(
                "{} does not exist: give results files or folders that hold them",
                p.display()
            )));
        }
    }
    let light: std::sync::Mutex<BTreeMap<PathBuf, Vec<MemberHeadline>>> =
        std::sync::Mutex::new(BTreeMap::new());
    // Named files are strict, as before: one bad file stops with its reason.
    let mut loaded: Vec<(PathBuf, ChapterResults)> = named
        .iter()
        .map(|p| load(p).map(|r| (p.clone(), r)))
        .collect::<Result<_>>()?;
    // Files found in folders are read in parallel, each on its own.
    // Files found in folders are read in parallel, each on its own; a club
    // of hundreds keeps only each file's headline figures (its data is
    // dropped as soon as they are read, so memory stays small), and a club
    // of a few is read again whole below, for its overlaid curves.
    let from_folders: Vec<(PathBuf, Result<ChapterResults>)> = found
        .into_par_iter()
        .map(|p| {
            let r = load(&p).map(|mut r| {
                let hs = headlines(&r);
                for e in r.experiments.values_mut() {
                    e.data = None;
                }
                light.lock().map(|mut m| m.insert(p.clone(), hs)).ok();
                r
            });
            (p, r)
        })
        .collect();
    for (p, r) in from_folders {
        match r {
            Ok(r) => loaded.push((p, r)),
            Err(e) => {
                // The message starts with the path; keep only the reason.
                let shown = p.display().to_string();
                let text = e.to_string();
                let why = text
                    .strip_prefix(&shown)
                    .map(|t| t.trim_start_matches([':', ' ']).to_string())
                    .unwrap_or(text);
                skipped.push(Skipped { path: p, why });
            }
        }
    }
    if loaded.is_empty() {
        return Err(Error::bad_input(format!(
            "no results file found{}: each member writes one with `hpp chapter N --out DIR`",
            if skipped.is_empty() {
                String::new()
            } else {
                format!(" ({} files skipped: {})", skipped.len(), skipped[0].why)
            }
        )));
    }
    if loaded.len() < 2 && skipped.is_empty() && paths.iter().all(|p| !p.as_ref().is_dir()) {
        return Err(Error::bad_input(format!(
            "a comparison needs two or more results files (got {}): each member writes one with `hpp chapter N --out DIR`",
            loaded.len()
        )));
    }
    // A member with two files of one chapter counts once: their latest run
    // (the first found, when both carry the same time).
    let mut by_chapter: BTreeMap<u32, Vec<(PathBuf, ChapterResults)>> = BTreeMap::new();
    for (p, r) in loaded {
        let group = by_chapter.entry(r.chapter).or_default();
        let (keep, drop) = match group.iter().position(|(_, o)| o.member == r.member) {
            None => {
                group.push((p, r));
                continue;
            }
            Some(i) if r.created_unix_s > group[i].1.created_unix_s => {
                let old = std::mem::replace(&mut group[i], (p, r));
                (group[i].0.clone(), old)
            }
            Some(i) => (group[i].0.clone(), (p, r)),
        };
        let older = drop.1.created_unix_s
            < group
                .iter()
                .find(|(_, o)| o.member == drop.1.member)
                .map_or(0, |(_, o)| o.created_unix_s);
        skipped.push(Skipped {
            why: format!(
                "{} chapter {} run of member \"{}\"; kept {}",
                if older { "an older" } else { "a second" },
                drop.1.chapter,
                drop.1.member,
                keep.display()
            ),
            path: drop.0,
        });
    }
    let mut light = light.into_inner().unwrap_or_default();
    let mut clubs = Vec::new();
    for group in by_chapter.into_values() {
        if group.len() <= HANDFUL {
            // Few enough to overlay: every member whole (re-read the files
            // whose data was dropped).
            let mut members = Vec::new();
            for (p, r) in group {
                if light.remove(&p).is_none() {
                    members.push(r);
                    continue;
                }
                match load(&p) {
                    Ok(r) => members.push(r),
                    Err(e) => skipped.push(Skipped {
                        why: format!("changed while being read ({e})"),
                        path: p,
                    }),
                }
            }
            if !members.is_empty() {
                clubs.push(Club::new(members));
            }
        } else {
            let mut hs = Vec::new();
            let mut members = Vec::new();
            for (p, mut r) in group {
                hs.push(light.remove(&p).unwrap_or_else(|| headlines(&r)));
                for e in r.experiments.values_mut() {
                    e.data = None;
                }
                members.push(r);
            }
            clubs.push(Club::with_headlines(members, hs));
        }
    }
    Ok(Book { clubs, skipped })
}

impl Book {
    /// Highlight member `name` in every chapter they have results for.
    ///
    /// # Errors
    /// [`Error::BadInput`] when no chapter has a member called `name`.
    pub fn with_me(self, name: &str) -> Result<Book> {
        let mut first_err = None;
        let mut any = false;
        let clubs = self
            .clubs
            .into_iter()
            .map(|c| match c.clone().with_me(name) {
                Ok(c) => {
                    any = true;
                    c
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                    c
                }
            })
            .collect();
        match (any, first_err) {
            (false, Some(e)) => Err(e),
            _ => Ok(Book {
                clubs,
                skipped: self.skipped,
            }),
        }
    }

    /// A self-contained HTML page: with several chapters, a summary of
    /// every chapter's headline figures first, then one section each.
    pub fn to_html(&self) -> String {
        if let [club] = self.clubs.as_slice() {
            let mut h = club.to_html();
            if !self.skipped.is_empty() {
                let at = h.rfind("</body>").unwrap_or(h.len());
                h.insert_str(at, &self.skipped_html());
            }
            return h;
        }
        let members: usize = self.clubs.iter().map(|c| c.members.len()).sum();
        let mut h = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hpp compare</title><style>{STYLE}</style></head><body>\n<h1>Book club: {} chapters, {members} results</h1>\n",
            self.clubs.len()
        );
        h.push_str("<h2>The whole book in numbers</h2>\n");
        for club in &self.clubs {
            let (hd, rows) = spread_rows(club, &spreads(club));
            let hd: Vec<&str> = hd.iter().map(String::as_str).collect();
            h.push_str(&format!(
                "<h3>{}, {} machines</h3>\n",
                escape(&chapter_title(club)),
                club.members.len()
            ));
            h.push_str(&table(&hd, &rows));
        }
        for club in &self.clubs {
            h.push_str(&format!(
                "\n<h2 id=\"chapter{}\">{}</h2>\n",
                club.chapter(),
                escape(&chapter_title(club))
            ));
            h.push_str(&club.body_html_with(false));
        }
        h.push_str(&self.skipped_html());
        h.push_str("</body></html>\n");
        h
    }

    fn skipped_html(&self) -> String {
        if self.skipped.is_empty() {
            return String::new();
        }
        let rows: Vec<Vec<String>> = self
            .skipped
            .iter()
            .map(|s| vec![s.path.display().to_string(), s.why.clone()])
            .collect();
        format!(
            "\n<h2>Files left out ({})</h2>\n{}",
            self.skipped.len(),
            table(&["file", "why"], &rows)
        )
    }
}

fn chapter_title(club: &Club) -> String {
    match club.members.first().and_then(|m| m.chapter_def()) {
        Some(c) => format!("Chapter {} · {}", c.number, c.title),
        None => format!("Chapter {}", club.chapter()),
    }
}

impl fmt::Display for Book {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, club) in self.clubs.iter().enumerate() {
            if self.clubs.len() > 1 {
                if i > 0 {
                    writeln!(f)?;
                }
                writeln!(f, "== {}", chapter_title(club))?;
            }
            write!(f, "{club}")?;
        }
        if !self.skipped.is_empty() {
            writeln!(f, "\nleft out {} file(s):", self.skipped.len())?;
            for s in self.skipped.iter().take(20) {
                let line = format!("  {}: {}", s.path.display(), s.why);
                writeln!(f, "{}", crate::units::shorten(&line, 100))?;
            }
            if self.skipped.len() > 20 {
                writeln!(
                    f,
                    "  … and {} more (all listed in compare.html)",
                    self.skipped.len() - 20
                )?;
            }
        }
        Ok(())
    }
}
