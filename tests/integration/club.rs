//! The book club: results files (schema, strict reading), headlines, the
//! comparison of real files, and a bounded fuzz of the parser.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use hpp::club::{headlines, load, load_club, parse};
use hpp::kernels::rng::SplitMix64;

fn real(n: u32) -> PathBuf {
    crate::fixture("results").join(format!("dev-vm-quick-{n}.json"))
}

fn text(n: u32) -> String {
    std::fs::read_to_string(real(n)).unwrap()
}

fn refused(text: &str) -> String {
    parse(text, "x.json").unwrap_err().to_string()
}

#[test]
fn real_results_files_load_and_give_headlines() {
    for n in [1, 2] {
        let r = load(real(n)).unwrap();
        assert_eq!(r.schema, "hpp-chapter-results");
        assert_eq!(r.version, 1);
        assert_eq!(r.experiments.len(), 23);
        let hs = headlines(&r);
        for key in [
            "clock_ghz",
            "peak_f64_gflops_1t",
            "latency_L1d_ns",
            "latency_DRAM_ns",
            "memory_read_gbs_1t",
            "cpu_share",
            "python_is_prime_ratio",
        ] {
            assert!(
                hs.iter().any(|h| h.headline.key == key),
                "{key} missing in run {n}"
            );
        }
        assert!(
            hs.iter()
                .all(|h| h.headline.value.is_finite() && h.headline.value > 0.0)
        );
        // Round trip: what we write we read back unchanged.
        assert_eq!(parse(&r.to_json().unwrap(), "again").unwrap(), r);
    }
}

#[test]
fn broken_files_are_refused_with_the_reason() {
    let good = text(1);
    assert!(refused(&good[..good.len() / 2]).contains("truncated"));
    assert!(refused("hello").contains("not JSON"));
    assert!(refused("[1, 2]").contains("not a results file"));
    assert!(refused(r#"{"experiment": "latency", "points": []}"#).contains("without a \"schema\""));
    assert!(refused(r#"{"schema": "something-else", "version": 1}"#).contains("something-else"));
    let future = good.replacen("\"version\": 1,", "\"version\": 7,", 1);
    let e = refused(&future);
    assert!(e.contains("newer hpp") && e.contains("version 7"), "{e}");
    let zero = good.replacen("\"version\": 1,", "\"version\": 0,", 1);
    assert!(refused(&zero).contains("version"));
    let bad_type = good.replacen("\"chapter\": 1,", "\"chapter\": \"one\",", 1);
    assert!(refused(&bad_type).contains("malformed"));
    let long_name = good.replacen(
        "\"member\": \"dev VM\"",
        &format!("\"member\": \"{}\"", "x".repeat(65)),
        1,
    );
    assert!(refused(&long_name).contains("at most 64"));
}

#[test]
fn unreadable_paths_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.json");
    assert!(
        load(&missing)
            .unwrap_err()
            .to_string()
            .contains("nope.json")
    );
    assert!(
        load(dir.path())
            .unwrap_err()
            .to_string()
            .contains("not a file")
    );
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    let e = load(&huge).unwrap_err().to_string();
    assert!(e.contains("65 MiB"), "{e}");
    let binary = dir.path().join("bin.json");
    std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
    assert!(load(&binary).unwrap_err().to_string().contains("UTF-8"));
}

#[test]
fn two_real_runs_compare_and_render() {
    let club = load_club(&[real(1), real(2)]).unwrap();
    assert_eq!(club.labels(), ["dev VM", "dev VM, run 2"]);
    let (headers, rows) = club.table_rows();
    assert_eq!(headers.len(), 4);
    assert!(rows.iter().any(|r| r[0].starts_with("Clock")));
    // The overlays come from the experiments' own declarations, in chapter
    // order: simd and scaling (computing units) before latency and bandwidth.
    let keys: Vec<String> = club.overlay_groups().into_iter().map(|g| g.0).collect();
    assert_eq!(keys, ["simd", "scaling", "latency", "bandwidth", "tiers"]);
    for key in ["latency", "bandwidth", "scaling", "simd"] {
        let Ok(hpp::club::Drawn::Figure(fig)) = club.overlay(key) else {
            panic!("{key} is not drawn as a figure");
        };
        let svg = fig.svg;
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let text: String = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(text.contains("dev VM, run 2"), "a legend names each member");
    }
    let html = club.to_html();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"));
    let Ok(hpp::club::Drawn::Table(headers, tiers)) = club.overlay("tiers") else {
        panic!("tiers is not a table");
    };
    assert_eq!(headers.len(), 3, "a column per member");
    assert!(tiers.iter().any(|r| r[0] == "L1d"));
    assert!(club.overlay("no such overlay").is_err());
    // The same file twice: labels stay distinct.
    let same = load_club(&[real(1), real(1)]).unwrap();
    assert_eq!(same.labels(), ["dev VM", "dev VM (2)"]);
    // A name that merely starts like another is not a repeat of it.
    let mut longer = load(real(1)).unwrap();
    longer.member = "dev VM (reference)".into();
    let mixed = hpp::club::Club::new(vec![longer, load(real(1)).unwrap(), load(real(2)).unwrap()]);
    assert_eq!(
        mixed.labels(),
        ["dev VM (reference)", "dev VM", "dev VM, run 2"]
    );
    // Through the prelude's generic compare, with paths as strings.
    let a = real(1).display().to_string();
    let b = real(2).display().to_string();
    let via_prelude = hpp::prelude::load_club(&[a.as_str(), b.as_str()]).unwrap();
    assert_eq!(via_prelude.members.len(), 2);
}

#[test]
fn one_bad_file_stops_the_comparison_and_names_itself() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("theirs.json");
    std::fs::write(&bad, &text(2)[..1000]).unwrap();
    let e = load_club(&[real(1), bad.clone()]).unwrap_err().to_string();
    assert!(e.contains("theirs.json") && e.contains("truncated"), "{e}");
    let e = load_club(&[real(1)]).unwrap_err().to_string();
    assert!(e.contains("two or more"), "{e}");
}

/// Mutate a real file at random — truncate, flip, insert, delete, swap
/// values for other JSON — for a bounded time (HPP_FUZZ_SECONDS, default 3),
/// and check that parsing never panics, and that whatever parses also
/// survives headlines, a comparison and a round trip.
#[test]
fn fuzz_the_results_parser() {
    let secs: f64 = std::env::var("HPP_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let seeds = [text(1).into_bytes(), text(2).into_bytes()];
    let swaps: [&[u8]; 10] = [
        b"null",
        b"-1",
        b"1e309",
        b"\"\"",
        b"[]",
        b"{}",
        b"true",
        b"18446744073709551616",
        b"\"\\ud800\"",
        b"0.0",
    ];
    let mut rng = SplitMix64::new(0x5eed);
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let (mut tried, mut parsed) = (0u64, 0u64);
    while Instant::now() < deadline {
        let mut b = seeds[rng.below(2)].clone();
        for _ in 0..1 + rng.below(4) {
            let n = b.len().max(1);
            match rng.below(6) {
                0 => b.truncate(rng.below(n)),
                1 => {
                    let i = rng.below(n);
                    if let Some(x) = b.get_mut(i) {
                        *x ^= 1 << rng.below(8);
                    }
                }
                2 => {
                    let i = rng.below(n);
                    let junk: Vec<u8> = (0..1 + rng.below(8))
                        .map(|_| rng.next_u64() as u8)
                        .collect();
                    b.splice(i.min(b.len())..i.min(b.len()), junk);
                }
                3 => {
                    let i = rng.below(n);
                    let j = (i + rng.below(64)).min(b.len());
                    b.drain(i.min(j)..j);
                }
                _ => {
                    // Replace the value after a random ": " with another JSON value.
                    let i = rng.below(n);
                    if let Some(p) = b[i.min(b.len())..].windows(2).position(|w| w == b": ") {
                        let start = i + p + 2;
                        let end = b[start..]
                            .iter()
                            .position(|&c| c == b',' || c == b'\n')
                            .map_or(b.len(), |e| start + e);
                        b.splice(start..end, swaps[rng.below(swaps.len())].iter().copied());
                    }
                }
            }
        }
        tried += 1;
        let Ok(s) = String::from_utf8(b) else {
            continue;
        };
        if let Ok(r) = parse(&s, "fuzz") {
            parsed += 1;
            let _ = headlines(&r);
            let again = parse(&r.to_json().unwrap(), "fuzz round trip").unwrap();
            let club = hpp::club::Club::new(vec![r, again]);
            let _ = club.to_html();
            let _ = club.to_string();
        }
    }
    assert!(tried > 100, "the fuzzer ran only {tried} cases");
    eprintln!("fuzz: {tried} mutated files, {parsed} still parsed");
}

#[test]
fn dispersion_is_observed_and_flagged() {
    use hpp::measure::quality::{Dispersion, observe};
    use hpp::measure::{Budget, timeit_with};
    let b = Budget {
        min_run_s: 0.0005,
        runs: 5,
        ..Budget::quick()
    };
    let (_, d) = observe(|| {
        timeit_with(&b, || std::hint::black_box(3u64).pow(2));
        timeit_with(&b, || std::hint::black_box(5u64).pow(3));
    });
    let d = d.expect("two timings observed");
    assert_eq!(d.timings, 2);
    assert!(d.worst_max_over_min >= 1.0 && d.median_cv >= 0.0);
    // Nothing is observed outside observe(), and nested calls stay apart.
    let (_, none) = observe(|| 1 + 1);
    assert!(none.is_none());
    let calm = Dispersion {
        timings: 3,
        median_cv: 0.01,
        worst_cv: 0.02,
        worst_max_over_min: 1.1,
    };
    assert!(calm.flags().is_empty());
    let noisy = Dispersion {
        timings: 3,
        median_cv: 0.08,
        worst_cv: 0.3,
        worst_max_over_min: 3.0,
    };
    let f = noisy.flags();
    assert_eq!(f.len(), 2);
    assert!(f[0].contains("8.0%") && f[1].contains("3.0×"), "{f:?}");
}

#[test]
fn run_quality_flags_what_makes_a_run_untrustworthy() {
    use hpp::club::RunQuality;
    use hpp::error::Fact;
    let mut m = hpp::machine::machine();
    m.build.opt_level = "0".into();
    let q = RunQuality::judge(&m, Fact::Known(0.5 * m.usable_cpus() as f64));
    assert!(
        q.flags.iter().any(|f| f.contains("not optimised")),
        "{:?}",
        q.flags
    );
    assert!(
        q.flags.iter().any(|f| f.contains("CPU share")),
        "{:?}",
        q.flags
    );
    m.build.opt_level = "3".into();
    m.build.debug_assertions = false;
    m.build.overflow_checks = false;
    let q = RunQuality::judge(&m, Fact::Known(m.usable_cpus() as f64));
    assert!(q.flags.is_empty(), "{:?}", q.flags);
}

#[test]
fn the_report_page_holds_card_quality_summary_and_sections() {
    use hpp::club::session::{ChapterRun, Section};
    let results = load(real(1)).unwrap();
    let run = ChapterRun {
        sections: vec![
            Section {
                name: "clock".into(),
                about: "the clock".into(),
                svg: Some("<svg></svg>".into()),
                table: "4 GHz <ok>".into(),
            },
            Section {
                name: "storage".into(),
                about: "disks".into(),
                svg: None,
                table: String::new(),
            },
        ],
        results,
        machine: hpp::machine::machine(),
        seconds: 55.0,
    };
    let html = hpp::club::report_html(&run);
    for want in [
        "<!DOCTYPE html>",
        "hpp-card",
        "How far to trust this run",
        "dev VM in numbers",
        "<h2 id=\"clock\">",
        "<svg></svg>",
        "4 GHz &lt;ok&gt;",
        "hpp compare",
    ] {
        assert!(html.contains(want), "{want} missing");
    }
    let e = hpp::chapters::chapter(9).err().unwrap().to_string();
    assert!(
        e.contains("no chapter 9") && e.contains("1 (Understanding"),
        "{e}"
    );
}

#[test]
fn shared_results_do_not_carry_the_home_folder() {
    use hpp::club::results::redact_home;
    let mut v = serde_json::json!({
        "python": {"executable": "/home/ada/.pyenv/versions/3.12/bin/python3"},
        "rows": [{"path": "/home/ada/scratch/f"}, {"path": "/tmp/f"}, {"path": "/home/adam/x"}, {"dir": "/home/ada"}],
        "n": 3
    });
    redact_home(&mut v, Some("/home/ada"));
    assert_eq!(
        v["python"]["executable"],
        "~/.pyenv/versions/3.12/bin/python3"
    );
    assert_eq!(v["rows"][0]["path"], "~/scratch/f");
    assert_eq!(v["rows"][1]["path"], "/tmp/f");
    assert_eq!(
        v["rows"][2]["path"], "/home/adam/x",
        "another user's folder is not the home"
    );
    assert_eq!(v["rows"][3]["dir"], "~");
    // A bare "/" is never treated as a home folder.
    let mut w = serde_json::json!("/usr/bin/python3");
    redact_home(&mut w, Some("/"));
    assert_eq!(w, "/usr/bin/python3");
}

/// Every experiment's data in a results file written before the registry
/// existed reads back as its own type and serialises to the same JSON: the
/// typed round trip of each registered experiment, on real data.
#[test]
fn every_experiment_round_trips_its_own_json() {
    for n in [1, 2] {
        let r = load(real(n)).unwrap();
        let chapter = r.chapter_def().expect("chapter 1 is registered");
        let mut seen = 0;
        // Experiments added to chapter 1 after these files were recorded.
        let newer = ["amdahl", "buses"];
        for e in chapter.experiments {
            let Some(data) = r.data(e.name) else {
                assert!(newer.contains(&e.name), "run {n} lacks {}", e.name);
                continue;
            };
            let typed = (e.load)(data).unwrap_or_else(|err| panic!("{}: {err}", e.name));
            assert_eq!(typed.name(), e.name);
            let again = typed.to_data().unwrap();
            assert!(
                holds(&again, data),
                "{} round trip lost data:\n{data}\n{again}",
                e.name
            );
            seen += 1;
        }
        assert_eq!(
            seen + newer.len(),
            chapter.experiments.len(),
            "run {n} holds every experiment but the newer ones"
        );
    }
}

/// A field renamed in one experiment's data is refused when the file is
/// read, naming the experiment — never a headline that silently vanishes.
#[test]
fn a_renamed_field_is_refused_by_name() {
    let t = text(1).replacen("\"node_bytes\"", "\"node_size\"", 1);
    let e = refused(&t);
    assert!(
        e.contains("experiment \"latency\"") && e.contains("node_bytes"),
        "{e}"
    );
    // A chapter this hpp does not have: refused, saying so.
    let t = text(1).replacen("\"chapter\": 1", "\"chapter\": 77", 1);
    let e = refused(&t);
    assert!(e.contains("chapter 77") && e.contains("update hpp"), "{e}");
}

/// Results of two different chapters are not compared with each other.
#[test]
fn two_chapters_do_not_mix() {
    let dir = tempfile::tempdir().unwrap();
    let mut other = load(real(2)).unwrap();
    other.chapter = 2;
    let p = dir.path().join("ch2.json");
    std::fs::write(&p, other.to_json().unwrap()).unwrap();
    let e = load_club(&[real(1), p]).unwrap_err().to_string();
    assert!(e.contains("different chapters (1 and 2)"), "{e}");
}

/// Whether `new` holds everything in `old` (fields added to an experiment
/// after `old` was written may appear in `new` as well).
fn holds(new: &serde_json::Value, old: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (new, old) {
        (Value::Object(n), Value::Object(o)) => o
            .iter()
            .all(|(k, v)| n.get(k).is_some_and(|nv| holds(nv, v))),
        (Value::Array(n), Value::Array(o)) => {
            n.len() == o.len() && n.iter().zip(o).all(|(a, b)| holds(a, b))
        }
        (n, o) => n == o,
    }
}

/// Multiply every non-integer number in `v` by `f` (integers are counts).
fn scale(v: &mut serde_json::Value, f: f64) {
    match v {
        serde_json::Value::Number(n) if n.is_f64() => {
            *v = serde_json::json!(n.as_f64().unwrap() * f);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| scale(x, f)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| scale(x, f)),
        _ => {}
    }
}

/// A folder of `n` members' chapter 1 files: the real run with member k's
/// figures scaled by 0.7 + 0.6·k/(n-1), so member k-1 < member k everywhere.
fn club_folder(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let base: serde_json::Value = serde_json::from_str(&text(1)).unwrap();
    for k in 0..n {
        let mut r = base.clone();
        r["member"] = serde_json::json!(format!("m{k:02}"));
        let f = 0.7 + 0.6 * k as f64 / (n.max(2) - 1) as f64;
        for (_, e) in r["experiments"].as_object_mut().unwrap() {
            scale(&mut e["data"], f);
        }
        let sub = dir.path().join(format!("m{k:02}"));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("results.json"), r.to_string()).unwrap();
    }
    dir
}

#[test]
fn a_club_of_many_reads_as_spreads_ranks_and_one_strip_chart() {
    let dir = club_folder(50);
    let book = hpp::club::gather(&[dir.path()]).unwrap();
    assert!(book.skipped.is_empty(), "{:?}", book.skipped);
    assert_eq!(book.clubs.len(), 1);
    let club = book.clubs[0].clone().with_me("m00").unwrap();
    assert!(club.is_large());
    let spreads = hpp::club::spread::spreads(&club);
    assert!(spreads.len() >= 10, "{} headline figures", spreads.len());
    // Figures read straight from the scaled data grow with the member's
    // index, so m00 is last where larger is better and first where smaller
    // is; ratios of two scaled figures do not move and are not checked.
    let mut checked = 0;
    for s in &spreads {
        let rank = s.rank_of(0).unwrap();
        assert!(s.min <= s.median && s.median <= s.max, "{}", s.key);
        let rising = s
            .values
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1);
        if !rising {
            continue;
        }
        checked += 1;
        let want = if s.higher_is_better { 50 } else { 1 };
        assert_eq!(
            rank, want,
            "{} (higher is better: {})",
            s.key, s.higher_is_better
        );
        assert_eq!(s.rank_of(49).unwrap(), 51 - want, "{}", s.key);
    }
    assert!(checked >= 8, "only {checked} figures grow with the scale");
    let text = club.to_string();
    for line in text.lines() {
        assert!(line.chars().count() <= 100, "too wide: {line}");
    }
    assert!(
        text.contains("50 machines (you: m00)") && text.contains("of 50"),
        "{text}"
    );
    let html = book.clone().with_me("m00").unwrap().to_html();
    assert!(
        html.contains("orange: m00") && html.contains("<details>"),
        "strip chart and folded members"
    );
    // One dot per member and figure, plus the highlighted member's.
    let svg = hpp::club::spread::strip(&club, &spreads).unwrap().svg;
    let dots = svg.matches("<circle").count();
    let drawn: usize = spreads
        .iter()
        .filter(|s| s.median > 0.0)
        .map(|s| s.values.len() + 1)
        .sum();
    assert_eq!(
        dots, drawn,
        "one dot per value, one more per highlighted figure"
    );
    let e = book.with_me("nobody").unwrap_err().to_string();
    assert!(e.contains("nobody") && e.contains("m00"), "{e}");
}

#[test]
fn a_handful_stays_side_by_side() {
    let dir = club_folder(3);
    let book = hpp::club::gather(&[dir.path()]).unwrap();
    let club = &book.clubs[0];
    assert!(!club.is_large());
    let text = club.to_string();
    assert!(text.contains("m00") && text.contains("m02 ÷ m00"), "{text}");
}

#[test]
fn the_median_and_ranks_follow_the_data() {
    use hpp::club::spread::{Spread, median};
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    assert_eq!(median(&[]), None);
    let s = Spread {
        key: "k".into(),
        label: "l".into(),
        unit: "u".into(),
        higher_is_better: false,
        values: vec![(0, 5.0), (1, 1.0), (2, 5.0), (3, 9.0)],
        median: 5.0,
        min: 1.0,
        max: 9.0,
    };
    assert_eq!(s.rank_of(1), Some(1));
    assert_eq!(s.rank_of(0), Some(2), "ties share the better rank");
    assert_eq!(s.rank_of(2), Some(2));
    assert_eq!(s.rank_of(3), Some(4));
    assert_eq!(s.rank_of(7), None);
    let up = Spread {
        higher_is_better: true,
        ..s
    };
    assert_eq!(up.rank_of(3), Some(1));
    assert_eq!(up.rank_of(1), Some(4));
}

#[test]
fn a_folder_skips_what_it_cannot_read_with_the_reason_and_keeps_going() {
    let dir = club_folder(4);
    let h = dir.path().join("junk/deeper");
    std::fs::create_dir_all(&h).unwrap();
    let good = text(1);
    let cases: &[(&str, String, &str)] = &[
        ("notes.json", "my notes".into(), "not JSON"),
        ("cut.json", good[..good.len() / 2].to_string(), "truncated"),
        (
            "deep.json",
            "[".repeat(50_000) + &"]".repeat(50_000),
            "not JSON",
        ),
        (
            "types.json",
            good.replacen("\"chapter\": 1", "\"chapter\": \"one\"", 1),
            "malformed",
        ),
        (
            "other.json",
            r#"{"schema": "x", "version": 1}"#.into(),
            "not an hpp results file",
        ),
        (
            "later.json",
            good.replacen("\"version\": 1", "\"version\": 99", 1),
            "newer hpp",
        ),
    ];
    for (name, body, _) in cases {
        std::fs::write(h.join(name), body).unwrap();
    }
    std::fs::write(h.join("readme.txt"), "not looked at").unwrap();
    // A second file of member m01, older than theirs: left out.
    let mut older: serde_json::Value = serde_json::from_str(&good).unwrap();
    older["member"] = serde_json::json!("m01");
    older["created_unix_s"] = serde_json::json!(1);
    std::fs::write(h.join("m01-again.json"), older.to_string()).unwrap();
    let book = hpp::club::gather(&[dir.path()]).unwrap();
    assert_eq!(book.clubs.len(), 1);
    assert_eq!(book.clubs[0].members.len(), 4);
    for (name, _, says) in cases {
        let s = book
            .skipped
            .iter()
            .find(|s| s.path.ends_with(name))
            .unwrap_or_else(|| panic!("{name} was not reported: {:?}", book.skipped));
        assert!(s.why.contains(says), "{name}: {}", s.why);
    }
    let again = book
        .skipped
        .iter()
        .find(|s| s.path.ends_with("m01-again.json"))
        .unwrap();
    assert!(
        again
            .why
            .contains("an older chapter 1 run of member \"m01\""),
        "{}",
        again.why
    );
    assert_eq!(book.skipped.len(), cases.len() + 1, "{:?}", book.skipped);
    assert!(book.to_string().contains("left out 7 file(s)"));
    assert!(book.to_html().contains("Files left out (7)"));
    // An empty folder is an error that says what to do.
    let empty = tempfile::tempdir().unwrap();
    let e = hpp::club::gather(&[empty.path()]).unwrap_err().to_string();
    assert!(e.contains("no results file found"), "{e}");
}

#[test]
fn several_chapters_get_a_section_each_and_one_summary() {
    let dir = club_folder(8);
    // A chapter 2 file per member, from the chapter 2 fixture.
    let ch2 =
        std::fs::read_to_string(crate::fixture("results").join("dev-vm-chapter2.json")).unwrap();
    for k in 0..8 {
        let mut r: serde_json::Value = serde_json::from_str(&ch2).unwrap();
        r["member"] = serde_json::json!(format!("m{k:02}"));
        std::fs::write(dir.path().join(format!("m{k:02}/ch2.json")), r.to_string()).unwrap();
    }
    let book = hpp::club::gather(&[dir.path()])
        .unwrap()
        .with_me("m03")
        .unwrap();
    assert_eq!(
        book.clubs.iter().map(|c| c.chapter()).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let html = book.to_html();
    assert!(html.contains("The whole book in numbers"));
    assert!(html.contains("id=\"chapter1\"") && html.contains("id=\"chapter2\""));
    let text = book.to_string();
    assert!(
        text.contains("== Chapter 1") && text.contains("== Chapter 2"),
        "{text}"
    );
}

mod core_path {
    use hpp::Result;
    use hpp::chapters::{Chapter, Entry, RunOptions, load_as};
    use hpp::experiments::{Outcome, Sweep};
    use hpp::machine::Machine;
    use hpp::measure::Budget;

    fn instant(_: &Machine, _: &Budget, _: &RunOptions) -> Result<Box<dyn Outcome>> {
        Ok(Box::new(Sweep {
            experiment: "instant".into(),
            title: "nothing measured".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            log_y: false,
            series: Vec::new(),
            markers: Vec::new(),
            reading: "nothing".into(),
            budget: "quick".into(),
            headlines: Vec::new(),
        }))
    }

    /// Chapter 1's number and slug, two experiments that measure nothing,
    /// one of them on the core path.
    static TWO: Chapter = Chapter {
        number: 1,
        slug: "understanding",
        title: "test",
        experiments: &[
            Entry {
                name: "clock",
                about: "core",
                run: instant,
                load: load_as::<Sweep>,
            },
            Entry {
                name: "storage",
                about: "take-home",
                run: instant,
                load: load_as::<Sweep>,
            },
        ],
        core: &["clock"],
    };

    #[test]
    fn core_only_runs_the_core_path_and_nothing_else() {
        let m = hpp::machine::machine();
        let b = Budget::quick();
        let run = |core_only| {
            let opts = RunOptions {
                core_only,
                ..RunOptions::default()
            };
            let r = hpp::club::run_chapter(&TWO, "me", &m, &b, &opts).unwrap();
            r.results.experiments.keys().cloned().collect::<Vec<_>>()
        };
        assert_eq!(run(true), ["clock"]);
        assert_eq!(run(false), ["clock", "storage"]);
    }
}
