//! timeit / memit / compare semantics, on workloads whose answer is known.

use std::hint::black_box;
use std::time::{Duration, Instant};

use hpp::measure::{Budget, Timing, compare, memit, timeit_with};

fn tiny() -> Budget {
    Budget {
        level: hpp::measure::Level::Quick,
        min_run_s: 0.005,
        runs: 7,
        max_working_set_bytes: 1 << 20,
    }
}

/// Busy-wait (not sleep) so each call really takes about `d`.
fn spin(d: Duration) {
    let t = Instant::now();
    while t.elapsed() < d {
        std::hint::spin_loop();
    }
}

#[test]
fn loops_follow_1_2_5_and_stop_once_a_run_is_long_enough() {
    let b = tiny();
    let mut calls = 0u64;
    let t = timeit_with(&b, || {
        calls += 1;
        spin(Duration::from_micros(100));
    });
    // Each call busy-waits at least 100 µs, so 50 loops always reach the
    // 5 ms minimum: growth stops at 50 at the latest, on the 1-2-5
    // sequence (earlier only when the host stalled a calibration run, which
    // is why no lower bound is asserted: that would be a timed assertion).
    let ok = [1u64, 2, 5, 10, 20, 50];
    assert!(ok.contains(&t.loops_per_run), "loops {}", t.loops_per_run);
    assert_eq!(t.runs(), 7);
    assert_eq!(t.per_loop_s.len(), 7);
    assert!(
        t.best_s >= 100e-6,
        "no call can beat its busy-wait: {}",
        t.best_s
    );
    assert!(t.best_s <= t.median_s && t.median_s <= t.worst_s);
    assert!(t.best_s <= t.mean_s && t.mean_s <= t.worst_s);
    // Auto-ranging calls plus 7 timed runs.
    assert!(calls >= 7 * t.loops_per_run);
}

#[test]
fn a_slow_call_runs_once_per_run() {
    let b = tiny();
    let t = timeit_with(&b, || spin(Duration::from_millis(8)));
    assert_eq!(t.loops_per_run, 1);
    assert!(t.best_s >= 0.008);
}

#[test]
fn results_go_through_black_box_so_work_is_not_removed() {
    let v: Vec<u64> = (0..100_000).collect();
    let t = timeit_with(&tiny(), || v.iter().sum::<u64>());
    // 100k adds cannot take under 5 µs on any machine this runs on (that would
    // be 20 adds per nanosecond); a removed loop would read as ~1 ns.
    assert!(
        t.best_s > 5e-6,
        "the sum was optimised away: {} s",
        t.best_s
    );
}

#[test]
fn ipython_output_shape() {
    let t = Timing::from_samples(100, vec![1.23e-3, 1.25e-3, 1.21e-3], "test");
    assert_eq!(
        t.ipython_line(),
        "1.23 ms ± 16.3 µs per loop (mean ± std. dev. of 3 runs, 100 loops each)"
    );
    let one = Timing::from_samples(1, vec![2.0], "test");
    assert_eq!(
        one.ipython_line(),
        "2 s ± 0 ns per loop (mean ± std. dev. of 1 run, 1 loop each)"
    );
    assert!(t.warning().is_none());
    let shown = t.named("k").to_string();
    assert!(
        shown.starts_with("k: 1.23 ms ± 16.3 µs per loop"),
        "{shown}"
    );
    assert!(shown.ends_with("best 1.21 ms"), "{shown}");
}

#[test]
fn slowest_run_warning_above_four_times() {
    let t = Timing::from_samples(10, vec![1e-3, 1e-3, 5.1e-3], "test");
    let w = t.warning().expect("5.1× must warn");
    assert!(
        w.starts_with("The slowest run took 5.10 times longer than the fastest"),
        "{w}"
    );
    assert!(t.to_string().starts_with("The slowest run took"));
    let t = Timing::from_samples(10, vec![1e-3, 3.9e-3], "test");
    assert!(t.warning().is_none());
}

#[test]
fn compare_gives_speedups_against_the_first() {
    let a = Timing::from_samples(1, vec![2e-3, 2e-3], "t").named("slow");
    let b = Timing::from_samples(1, vec![0.5e-3, 0.5e-3], "t").named("fast");
    let c = compare(&[&a, &b]);
    assert_eq!(c.rows.len(), 2);
    assert_eq!(c.rows[0].speedup, 1.0);
    assert_eq!(c.rows[1].speedup, 4.0);
    let text = c.to_string();
    assert!(text.contains("slow") && text.contains("4×"), "{text}");
    let html = c.to_html();
    assert!(html.contains("<table") && html.contains("4×"));
}

#[test]
fn timings_round_trip_through_json() {
    let t = Timing::from_samples(5, vec![1e-6, 2e-6], "quick").named("x");
    let back: Timing = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
    assert_eq!(back, t);
}

#[test]
fn memit_sees_a_64_mib_allocation() {
    let r = memit(|| {
        let mut v = vec![0u8; 64 << 20];
        // Touch every page so it is resident, not just reserved.
        for i in (0..v.len()).step_by(4096) {
            v[i] = 1;
        }
        black_box(v)
    });
    if cfg!(all(target_os = "linux", not(feature = "force-fallback"))) {
        let m = r.expect("Linux reports the resident set");
        assert!(m.increment_bytes >= 60 << 20, "{m}");
        assert!(m.peak_bytes >= m.before_bytes + m.increment_bytes);
        let s = m.to_string();
        assert!(
            s.starts_with("peak memory: ") && s.contains(" MiB, increment: "),
            "{s}"
        );
    } else {
        let u = r.expect_err("no resident-set source in this build");
        assert!(!u.reason().is_empty());
    }
}

#[test]
fn budgets_refuse_absurd_sizes_before_allocating() {
    let m = hpp::machine();
    let b = Budget::quick();
    let zero = b.check_alloc(&m, "the test array", 0).unwrap_err();
    assert!(zero.to_string().contains("0 bytes"), "{zero}");
    let huge = b.check_alloc(&m, "the test array", 1 << 60).unwrap_err();
    let msg = huge.to_string();
    assert!(
        msg.contains("the test array") && msg.contains("needs 1 EiB"),
        "{msg}"
    );
    assert!(msg.contains("smaller"), "says what to do: {msg}");
    assert!(b.check_alloc(&m, "a small array", 4096).is_ok());
}

#[test]
fn budget_from_env_honours_hpp_quick() {
    // Read-only check of the mapping; the environment is not changed here
    // (tests run in parallel threads).
    let expected = if std::env::var("HPP_QUICK").is_ok_and(|v| v == "1") {
        "quick"
    } else {
        match std::env::var("HPP_BUDGET").as_deref() {
            Ok("quick") => "quick",
            Ok("thorough") => "thorough",
            _ => "default",
        }
    };
    assert_eq!(Budget::from_env().level.as_str(), expected);
    assert!(Budget::quick().min_run_s < Budget::standard().min_run_s);
    assert!(Budget::standard().min_run_s < Budget::thorough().min_run_s);
    assert_eq!(Budget::standard().runs, 7, "IPython's seven runs");
}

#[test]
fn errors_read_the_same_in_debug_as_in_display() {
    // evcxr prints a cell's `?` error with Debug: it must be the friendly text.
    let e = hpp::Error::bad_input("give at least one element");
    assert_eq!(format!("{e:?}"), "give at least one element");
    assert_eq!(format!("{e:?}"), e.to_string());
}

#[test]
fn counters_count_or_say_why_not() {
    let (sum, counts) =
        hpp::measure::count(|| (0..100_000u64).map(std::hint::black_box).sum::<u64>());
    assert_eq!(
        sum, 4_999_950_000,
        "the closure's result comes back either way"
    );
    match counts {
        hpp::Fact::Known(c) => {
            assert!(c.instructions > 100_000 && c.cycles > 0, "{c}");
            assert!(c.ipc() > 0.0);
        }
        hpp::Fact::Unavailable(u) => {
            assert!(!u.reason().is_empty());
            // The machine card agrees that there are no counters here.
            assert!(!hpp::machine().perf_counters.is_known());
        }
    }
}
