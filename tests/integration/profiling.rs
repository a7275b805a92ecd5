//! Chapter 2: the Julia set kernels against their reference and the book's
//! own check.

use hpp::kernels::julia::*;

#[test]
fn the_book_grid_gives_the_book_sum() {
    let g = Grid::new(BOOK_WIDTH).unwrap();
    assert_eq!(
        (g.xs.len(), g.ys.len()),
        (1000, 1000),
        "the book prints 1,000"
    );
    let counts = julia_reference(&g, MAX_ITER);
    assert_eq!(output_sum(&counts), BOOK_SUM);
}

#[test]
fn every_variant_matches_the_reference_point_for_point() {
    for width in [1, 7, 64, 203] {
        let g = Grid::new(width).unwrap();
        let want = julia_reference(&g, MAX_ITER);
        let got = [
            ("abs", julia_abs(&g, MAX_ITER)),
            ("norm", julia_norm(&g, MAX_ITER)),
            ("cheap_first", julia_cheap_first(&g, MAX_ITER)),
            ("lanes", julia_lanes(&g, MAX_ITER)),
            ("static 3", julia_static(&g, MAX_ITER, 3)),
            ("dynamic 2", julia_dynamic(&g, MAX_ITER, 2).unwrap()),
        ];
        for (name, counts) in got {
            assert_eq!(counts, want, "{name} at width {width}");
        }
    }
    assert!(Grid::new(0).is_err());
    assert!(Grid::new(1 << 20).is_err());
}

#[test]
fn static_blocks_share_out_uneven_rows() {
    use hpp::experiments::profiling::julia::busiest_over_fair;
    assert_eq!(busiest_over_fair(&[1, 1, 1, 1], 2), 1.0);
    // One heavy row: two blocks, the first holds 4 of 5.
    assert!((busiest_over_fair(&[3, 1, 0, 1], 2) - 1.6).abs() < 1e-12);
    assert_eq!(busiest_over_fair(&[], 4), 1.0);
}

fn quick_julia(python: Option<&str>) -> hpp::experiments::Julia {
    let m = hpp::machine::machine();
    hpp::experiments::julia_with(&m, &hpp::measure::Budget::quick(), Some(2), python).unwrap()
}

#[test]
fn julia_runs_checks_and_round_trips() {
    use hpp::experiments::{Outcome, ToData};
    let j = quick_julia(None);
    assert_eq!(j.book_sum, Some(BOOK_SUM));
    assert_eq!(j.reference_sum, BOOK_SUM);
    assert!(
        j.rows
            .iter()
            .all(|r| r.output_sum == BOOK_SUM && r.seconds > 0.0)
    );
    assert_eq!(j.rows.iter().filter(|r| r.language == "rust").count(), 6);
    let has_python = hpp::machine::interpreters::find_python(None).is_known();
    assert_eq!(j.rows.iter().any(|r| r.language == "python"), has_python);
    assert!(j.reading().contains("33219980"));
    if !cfg!(feature = "force-fallback") {
        assert!(
            j.cpu_share.known().is_some_and(|s| *s > 0.0),
            "{:?}",
            j.cpu_share
        );
        assert!(
            j.reading().contains("of the speed-up on offer"),
            "{}",
            j.reading()
        );
    }
    j.plot().unwrap();
    let img = j.image().unwrap();
    assert!(img.svg.contains("<svg") && img.title.contains("Julia"));
    // The registry reads its JSON back as the same type.
    let entry = hpp::chapters::entry("julia").unwrap();
    let back = (entry.load)(&j.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), j.to_data().unwrap());
    let v = j.to_data().unwrap();
    for k in ["grid", "iterations", "rows"] {
        assert!(v.get(k).is_some(), "{k} missing");
    }
    assert_eq!(
        v["rows"][0]["language"],
        if has_python { "python" } else { "rust" }
    );
}

/// One run without Python, shared by the tests that need one (the grid is
/// the book's, so a run takes a while in a debug build).
fn without_python() -> hpp::experiments::Julia {
    static RUN: std::sync::OnceLock<hpp::experiments::Julia> = std::sync::OnceLock::new();
    RUN.get_or_init(|| quick_julia(Some("/nonexistent/python3")))
        .clone()
}

#[test]
fn julia_without_python_says_why_and_rust_still_runs() {
    use hpp::experiments::Outcome;
    let j = without_python();
    assert!(j.rows.iter().all(|r| r.language == "rust"));
    assert_eq!(j.unavailable.len(), 1);
    assert!(j.reading().contains("unavailable"), "{}", j.reading());
    j.plot().unwrap();
}

/// The reading's verdicts follow the numbers: when the "fix" made things
/// slower and static scheduling won, it says so.
#[test]
fn julia_reading_follows_the_data() {
    use hpp::experiments::Outcome;
    use hpp::experiments::profiling::julia::JuliaRow;
    let mut j = without_python();
    let set = |j: &mut hpp::experiments::Julia, part: &str, s: f64| {
        j.rows
            .iter_mut()
            .find(|r| r.variant.contains(part))
            .unwrap()
            .seconds = s;
    };
    set(&mut j, "abs(z)", 1.0);
    set(&mut j, "|z|² < 4", 1.5);
    set(&mut j, "counter tested first", 1.51);
    set(&mut j, "static rows", 0.1);
    set(&mut j, "dynamic rows", 0.2);
    let r = j.reading();
    assert!(r.contains("abs(z) < 2 cost 50% more"), "{r}");
    assert!(
        r.contains("testing the counter first made no measurable difference"),
        "{r}"
    );
    assert!(r.contains("the static schedule won"), "{r}");
    j.rows.insert(
        0,
        JuliaRow {
            variant: "CPython 3.x: the book's loop".into(),
            language: "python".into(),
            threads: 1,
            seconds: 2.0,
            output_sum: BOOK_SUM,
        },
    );
    assert!(j.reading().contains("(2× faster)"), "{}", j.reading());
    // Rows of equal cost: the reading says so instead of "differ".
    j.row_work = vec![100; 8];
    assert!(
        j.reading().contains("The rows cost about the same"),
        "{}",
        j.reading()
    );
    j.row_work = vec![1, 300, 300, 1];
    assert!(
        j.reading().contains("The rows differ in cost"),
        "{}",
        j.reading()
    );
}

#[test]
fn profilers_show_the_books_tables_or_say_why() {
    use hpp::experiments::{Outcome, ToData, profilers_with};
    let m = hpp::machine::machine();
    let b = hpp::measure::Budget::quick();
    let p = profilers_with(&m, &b, None).unwrap();
    assert!(p.rows.iter().any(|r| r.language == "rust"));
    assert!(p.rows.iter().all(|r| r.output_sum == p.reference_sum));
    if hpp::machine::interpreters::find_python(None).is_known() {
        for tool in ["none", "cProfile", "tracemalloc"] {
            assert!(
                p.rows
                    .iter()
                    .any(|r| r.language == "python" && r.tool == tool),
                "{tool}"
            );
        }
        assert!(
            p.cprofile.iter().any(|r| r.function == "escape_counts"),
            "{:?}",
            p.cprofile
        );
        // abs() is called once per step: many times per grid point.
        assert!(
            p.reading()
                .contains("per grid point: cProfile records every one"),
            "{}",
            p.reading()
        );
        assert!(p.slowdown("cProfile").is_some_and(|x| x > 0.0));
        // line_profiler ran, with the code of each line, or says why not.
        if p.line_profile.is_empty() {
            assert!(p.unavailable.iter().any(|u| u.tool == "line_profiler"));
        } else {
            assert!(
                p.line_profile
                    .iter()
                    .any(|l| l.code.starts_with("while abs(z) < 2"))
            );
        }
        p.plot().unwrap();
        assert!(p.cprofile_html().0.contains("escape_counts"));
    }
    let entry = hpp::chapters::entry("profilers").unwrap();
    let back = (entry.load)(&p.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), p.to_data().unwrap());

    // Without Python: one line saying why; Rust still ran.
    let none = profilers_with(&m, &b, Some("/nonexistent/python3")).unwrap();
    assert!(none.rows.iter().all(|r| r.language == "rust"));
    assert!(none.reading().contains("unavailable"), "{}", none.reading());
    assert!(none.plot().is_err());
    assert!(none.line_profile_html().0.contains("unavailable"));

    // The reading names whichever line the data says is busiest.
    let mut fake = p.clone();
    fake.line_profile = vec![
        hpp::experiments::profiling::profilers::LineRow {
            line: 6,
            source_line: 0,
            code: "while abs(z) < 2 and n < max_iter:".into(),
            hits: 10,
            time_s: 1.0,
            percent: 20.0,
        },
        hpp::experiments::profiling::profilers::LineRow {
            line: 7,
            source_line: 0,
            code: "z = z * z + c".into(),
            hits: 9,
            time_s: 4.0,
            percent: 80.0,
        },
    ];
    if fake.rows.iter().any(|r| r.language == "python") {
        assert!(
            fake.reading().contains("line 7 (`z = z * z + c`), 80%"),
            "{}",
            fake.reading()
        );
    }
}

#[test]
fn a_whole_process_is_measured_or_refused_with_the_reason() {
    use hpp::measure::process::{run_process, sample_rss};
    use std::process::Command;
    use std::time::Duration;
    let every = Duration::from_millis(5);
    let limit = Duration::from_secs(20);
    if cfg!(feature = "force-fallback") {
        let e = run_process(&mut Command::new("true"), "", limit, every).unwrap_err();
        assert!(e.unavailable.contains("Linux"), "{e}");
        return;
    }
    // A child that reads its stdin, allocates and exits cleanly.
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "cat >/dev/null; head -c 20000000 /dev/zero | tail -c 1 >/dev/null; echo done",
    ]);
    let r = run_process(&mut cmd, "some input\n", limit, every).unwrap();
    assert_eq!(r.stdout.trim(), "done");
    assert!(r.wall_s > 0.0 && r.max_rss_bytes > 0, "{r:?}");
    assert!(r.user_s >= 0.0 && r.system_s >= 0.0);
    // A failing child: its last stderr line is quoted.
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "echo boom >&2; exit 3"]);
    let e = run_process(&mut cmd, "", limit, every).unwrap_err();
    assert!(e.unavailable.contains("boom"), "{e}");
    // One that overstays its limit is stopped.
    let mut cmd = Command::new("sleep");
    cmd.arg("30");
    let e = run_process(&mut cmd, "", Duration::from_millis(300), every).unwrap_err();
    assert!(e.unavailable.contains("stopped"), "{e}");
    // No such program.
    let e = run_process(&mut Command::new("/nonexistent/prog"), "", limit, every).unwrap_err();
    assert!(e.unavailable.contains("could not start"), "{e}");
    // In-process sampling returns the closure's value and at least one sample.
    let (v, samples) = sample_rss(every, || vec![1u8; 1 << 20].len());
    assert_eq!(v, 1 << 20);
    assert!(!samples.is_empty());
}

#[test]
fn timing_tools_read_every_clock_or_say_why() {
    use hpp::experiments::{Outcome, ToData, timing_tools_with};
    let m = hpp::machine::machine();
    let b = hpp::measure::Budget::quick();
    let t = timing_tools_with(&m, &b, None).unwrap();
    assert!(t.rows.iter().filter(|r| r.language == "rust").count() >= 2);
    assert!(t.rows.iter().all(|r| r.seconds > 0.0));
    if hpp::machine::interpreters::find_python(None).is_known() {
        assert_eq!(t.rows.iter().filter(|r| r.language == "python").count(), 3);
        if !cfg!(feature = "force-fallback") {
            let p = t
                .python_process
                .known()
                .expect("the whole process measured");
            assert!(p.max_rss_bytes > 0 && !p.rss_samples.is_empty());
            t.plot().unwrap();
        }
    }
    // The whole Rust program's heap, counted here (this binary counts
    // allocations): at least the grid's two coordinate vectors and the
    // counts, and a peak of at least the counts' 4 bytes per point.
    let heap = t
        .rust_heap
        .known()
        .expect("the heap is counted in this binary");
    assert!(heap.allocations.is_some_and(|a| a >= 3), "{heap:?}");
    assert!(heap.peak_bytes >= (t.grid * t.grid * 4) as u64, "{heap:?}");
    assert!(t.reading().contains("held at most"), "{}", t.reading());
    let entry = hpp::chapters::entry("timing_tools").unwrap();
    let back = (entry.load)(&t.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), t.to_data().unwrap());
    let none = timing_tools_with(&m, &b, Some("/nonexistent/python3")).unwrap();
    assert!(none.rows.iter().all(|r| r.language == "rust"));
    assert!(none.reading().contains("Unavailable"), "{}", none.reading());
}

#[test]
fn sampling_draws_both_flame_graphs_or_says_why() {
    use hpp::experiments::{Outcome, ToData, sampling_with};
    let m = hpp::machine::machine();
    let b = hpp::measure::Budget::quick();
    let started = std::time::Instant::now();
    let s = sampling_with(&m, &b, None).unwrap();
    eprintln!("sampling (quick) took {:?}", started.elapsed());
    let rust: Vec<_> = s.rows.iter().filter(|r| r.language == "rust").collect();
    assert!(rust.iter().any(|r| r.profiler == "none"));
    if cfg!(target_os = "linux") {
        // The CLI's features include ch02: the sampler runs here.
        let p = s
            .rust_profile
            .known()
            .expect("the Rust sampler runs on Linux");
        assert!(p.total() > 0);
        assert!(
            rust.iter()
                .any(|r| r.profiler == "sampler" && r.seconds > 0.0)
        );
        // The test build has line tables: the busiest lines are in julia.rs,
        // with their code, and the loop's `while` line is among them.
        assert!(!s.rust_lines.is_empty(), "{:?}", s.unavailable);
        assert!(
            s.rust_lines
                .iter()
                .any(|l| l.code.starts_with("while zr.hypot(zi)")),
            "{:?}",
            s.rust_lines
        );
        assert!(s.rust_hypot_percent().is_some());
        let fig = s.plot().unwrap();
        assert!(
            fig.svg.contains("escape_abs"),
            "the running function is named in the flame graph"
        );
        assert!(
            s.reading().contains("samples of the Rust loop"),
            "{}",
            s.reading()
        );
        let costs = s.costs_html().0;
        assert!(
            costs.contains("sampler") && costs.contains("× plain"),
            "{costs}"
        );
    }
    if hpp::machine::interpreters::find_python(None).is_known() {
        assert!(
            s.rows
                .iter()
                .any(|r| r.language == "python" && r.profiler == "none")
        );
        let per_step = *s.step.python_bytecodes.known().expect("bytecodes counted");
        assert!((5.0..200.0).contains(&per_step), "{per_step}");
        assert!(
            s.step.python_loop.iter().any(|op| op.contains("abs")),
            "{:?}",
            s.step.python_loop
        );
        assert!(s.step_html().0.contains("bytecodes executed per step"));
        // py-spy ran (its flame graph and busiest line), or says why not.
        match s.python_profile.known() {
            Some(_) => {
                s.python_flame().unwrap();
                assert!(s.python_flame_html().0.contains("<svg"));
                assert!(
                    s.python_lines
                        .iter()
                        .any(|l| l.code.starts_with("while abs(z) < 2")),
                    "{:?}",
                    s.python_lines
                );
                assert!(s.rows.iter().any(|r| r.profiler == "py-spy"));
            }
            None => assert!(
                s.unavailable.iter().any(|u| u.starts_with("py-spy")),
                "{:?}",
                s.unavailable
            ),
        }
    }
    let entry = hpp::chapters::entry("sampling").unwrap();
    let back = (entry.load)(&s.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), s.to_data().unwrap());

    // Without Python: one line saying why; Rust still ran.
    let none = sampling_with(&m, &b, Some("/nonexistent/python3")).unwrap();
    assert!(none.rows.iter().all(|r| r.language == "rust"));
    assert!(
        none.reading().contains("Python: no Python interpreter"),
        "{}",
        none.reading()
    );
    assert!(none.python_flame().is_err());
    let why = none.python_flame_html().0;
    assert!(
        why.contains("py-spy: unavailable") && !why.contains("<svg"),
        "{why}"
    );
    assert!(none.lines_html().0.contains("unavailable"));
}

#[test]
fn sampling_readings_follow_the_numbers() {
    use hpp::error::Fact;
    use hpp::experiments::Outcome;
    use hpp::experiments::profiling::sampling::{CostRow, Sampling, StepWork};
    use hpp::measure::stacks::parse_collapsed;
    let row = |language: &str, profiler: &str, seconds: f64| CostRow {
        language: language.into(),
        profiler: profiler.into(),
        seconds,
        runs: 4,
        output_sum: 1,
    };
    // A profile where hypot is nearly all of it, and one where it is not.
    let hot = parse_collapsed(
        "julia_abs;escape_abs;hypot 90\njulia_abs;escape_abs 10\n",
        "sampler",
        997,
    )
    .unwrap();
    let cold = parse_collapsed(
        "julia_abs;escape_abs;hypot 5\njulia_abs;escape_abs 95\n",
        "sampler",
        997,
    )
    .unwrap();
    let base = Sampling {
        experiment: "sampling".into(),
        grid: 1000,
        python_grid: 300,
        iterations: 300,
        rate_hz: 997,
        py_spy_rate_hz: 250,
        rows: vec![row("rust", "none", 0.250), row("rust", "sampler", 0.251)],
        plain_noise_percent: Some(3.0),
        python_noise_percent: None,
        rust_profile: Fact::Known(hot.clone()),
        rust_lines: Vec::new(),
        python_profile: Fact::unavailable("not run"),
        python_lines: Vec::new(),
        step: StepWork {
            python_bytecodes: Fact::Known(21.6),
            python_loop: Vec::new(),
            rust_instructions: Fact::unavailable("no PMU"),
        },
        unavailable: Vec::new(),
        python: None,
        budget: "quick".into(),
    };
    let r = base.reading();
    assert!(
        r.contains("90% of them were inside hypot") && r.contains("the same culprit"),
        "{r}"
    );
    assert!(r.contains("can tell apart from the noise"), "{r}");
    assert!(
        r.contains("21.6 bytecodes") && r.contains("needs hardware counters (no PMU)"),
        "{r}"
    );

    let mut cold_run = base.clone();
    cold_run.rust_profile = Fact::Known(cold);
    cold_run.rows[1].seconds = 0.275; // 10% slower, beyond the 3% noise
    let r = cold_run.reading();
    assert!(r.contains("hypot is not where the time goes"), "{r}");
    assert!(r.contains("added 10%: noticeable"), "{r}");

    let mut cheap = base.clone();
    cheap.plain_noise_percent = Some(0.5);
    cheap.rows[1].seconds = 0.255; // 2%
    cheap.step.rust_instructions = Fact::Known(9.0);
    let r = cheap.reading();
    assert!(r.contains("added 2%: cheap enough"), "{r}");
    assert!(r.contains("and 9 instructions in Rust"), "{r}");

    // A sampler that could not run: the reading says so, there is no plot.
    let mut off = base;
    off.rust_profile = Fact::unavailable("hpp was built without the `ch02` feature");
    assert!(
        off.reading()
            .contains("The Rust sampler: unavailable (hpp was built without"),
        "{}",
        off.reading()
    );
    assert!(off.plot().is_err());
}

#[test]
fn the_counting_allocator_counts_a_calls_allocations() {
    use hpp::measure::heap::{counting_installed, track};
    // This binary installs it (main.rs), as the CLI does.
    assert!(counting_installed());
    let (n, used) = track(|| {
        let boxes: Vec<Box<u64>> = (0..1000u64).map(Box::new).collect();
        boxes.iter().map(|b| **b).sum::<u64>()
    });
    assert_eq!(n, 499_500);
    let h = used.known().expect("counted");
    // Other tests allocate at the same time: at least ours are there.
    assert!(h.allocations.is_some_and(|a| a >= 1001), "{h:?}");
    assert!(
        h.bytes_allocated.is_some_and(|b| b >= 1000 * 8 + 1000 * 8),
        "{h:?}"
    );
    assert!(h.peak_bytes >= 1000 * 8, "{h:?}");
    assert_eq!(h.method, "hpp's counting allocator");
}

#[test]
fn one_tracked_call_ending_does_not_stop_anothers_count() {
    use hpp::measure::heap::track;
    use std::sync::mpsc::channel;
    let (started, wait_started) = channel::<()>();
    let (finished, wait_finished) = channel::<()>();
    let other = std::thread::spawn(move || {
        wait_started.recv().unwrap();
        // A short tracked call that begins and ends inside the long one.
        let (_, _) = track(|| Box::new(1u64));
        finished.send(()).unwrap();
    });
    let (_, used) = track(|| {
        started.send(()).unwrap();
        wait_finished.recv().unwrap();
        // Only now, after the other call has ended, allocate.
        let boxes: Vec<Box<u64>> = (0..1000u64).map(Box::new).collect();
        boxes.len()
    });
    other.join().unwrap();
    let h = used.known().expect("counted");
    assert!(h.allocations.is_some_and(|a| a >= 1000), "{h:?}");
}

#[test]
fn calculate_z_with_the_books_c_is_the_reference() {
    let g = Grid::new(60).unwrap();
    let want = julia_reference(&g, 50);
    let got: Vec<u32> = grid_points(&g)
        .into_iter()
        .map(|z| calculate_z_point(z, C, 50))
        .collect();
    assert_eq!(got, want);
    // Another c gives other counts.
    let other: Vec<u32> = grid_points(&g)
        .into_iter()
        .map(|z| calculate_z_point(z, (0.3, 0.5), 50))
        .collect();
    assert_ne!(other, want);
}
