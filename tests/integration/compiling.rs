//! Chapter 8: the routes into native code, the boundary and the GIL —
//! every route checked against plain Python, readings that follow the
//! numbers (including numbers where the book's story does not hold).

use hpp::experiments::compiling::boundary::{Boundary, BoundaryRow};
use hpp::experiments::compiling::released_gil::{
    CYTHON_PRANGE, GilRow, HELD, NUMBA_PRANGE, RAYON, RELEASED, ReleasedGil,
};
use hpp::experiments::compiling::routes::{PLAIN, RUST_DIRECT, RouteRow, Routes, StepRow};
use hpp::experiments::{Outcome, ToData};
use hpp::measure::Budget;

fn tiny() -> Budget {
    Budget {
        min_run_s: 0.001,
        runs: 3,
        ..Budget::quick()
    }
}

fn python_found() -> bool {
    hpp::machine::interpreters::find_python(None).is_known()
}

#[test]
fn every_route_that_runs_matches_plain_python() {
    let m = hpp::machine::machine();
    let r = hpp::experiments::routes_with(&m, &tiny(), None).unwrap();
    let rust = r.rows.iter().find(|x| x.route == RUST_DIRECT).unwrap();
    assert!(
        r.steps
            .iter()
            .any(|s| s.route == RUST_DIRECT && s.grid == 1024)
    );
    assert!(rust.seconds > 0.0 && rust.output_sum > 0);
    if python_found() {
        let plain = r
            .rows
            .iter()
            .find(|x| x.route == PLAIN)
            .expect("plain CPython");
        // Every row that was timed gave the same counts (the Python side
        // drops a route whose counts differ, saying so).
        assert!(
            r.rows.iter().all(|x| x.output_sum == plain.output_sum),
            "{r}"
        );
        // A route either ran or says why not.
        for route in [
            "Numba @njit",
            "ctypes → Rust (C ABI)",
            "PyO3 module (hpp.calculate_z)",
            "Cython, typed",
        ] {
            assert!(
                r.rows.iter().any(|x| x.route == route)
                    || r.unavailable
                        .iter()
                        .any(|u| u.starts_with(route) || u.contains("CPython")),
                "{route}: {:?}",
                r.unavailable
            );
        }
        r.plot().unwrap();
    } else {
        assert!(!r.unavailable.is_empty());
    }
    let entry = hpp::chapters::entry("routes").unwrap();
    let back = (entry.load)(&r.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), r.to_data().unwrap());
}

#[test]
fn the_routes_reading_follows_the_numbers() {
    let row = |route: &str, seconds: f64| RouteRow {
        route: route.into(),
        language: if route == RUST_DIRECT {
            "rust"
        } else {
            "python"
        }
        .into(),
        seconds,
        first_call_s: Some(seconds),
        compile_s: None,
        output_sum: 7,
    };
    // Untyped Cython already fast (the book says it barely helps), typed no
    // better, the module much slower from Python than from Rust.
    let r = Routes {
        experiment: "routes".into(),
        width: 100,
        maxiter: 300,
        points: 10_000,
        rows: vec![
            row(RUST_DIRECT, 0.001),
            row(PLAIN, 1.0),
            row("Cython, untyped", 0.1),
            row("Cython, typed", 0.08),
            row("PyO3 module (hpp.calculate_z)", 0.002),
        ],
        steps: vec![],
        module_build_s: Some(45.0),
        unavailable: vec!["Numba @njit: numba is not installed".into()],
        python: None,
        budget: "quick".into(),
    };
    let mut r = r;
    r.steps = vec![
        StepRow {
            route: "PyO3: hpp.diffusion_step".into(),
            grid: 2048,
            seconds_per_step: 0.0104,
        },
        StepRow {
            route: RUST_DIRECT.into(),
            grid: 2048,
            seconds_per_step: 0.01,
        },
        StepRow {
            route: RUST_DIRECT.into(),
            grid: 512,
            seconds_per_step: 0.001,
        },
    ];
    let text = r.reading();
    assert!(
        text.contains("One diffusion step at 2048 × 2048: 10.4 ms through the module from Python, 10 ms from Rust (4% more from Python)."),
        "{text}"
    );
    assert!(
        text.contains("untyped for 10× (already faster), and with C types 12.5×."),
        "{text}"
    );
    assert!(!text.contains("did the work"), "{text}");
    assert!(text.contains("100% more from Python"), "{text}");
    assert!(
        text.contains("fastest single-threaded route from Python was PyO3 module"),
        "{text}"
    );
    assert!(text.contains("built for this run in 45 s"), "{text}");
    assert!(
        text.contains("Numba @njit: numba is not installed."),
        "{text}"
    );
    assert!(r.plot().unwrap().svg.matches("<rect").count() >= 4);
}

#[test]
fn the_boundary_reading_follows_the_numbers() {
    let row = |route: &str, n: usize, ns: f64| BoundaryRow {
        route: route.into(),
        n,
        ns_per_call: ns,
    };
    // A machine where the borrowed array never beats Python's sum, and the
    // list is cheap to hand over.
    let b = Boundary {
        experiment: "boundary".into(),
        rows: vec![
            row("a Python function", 0, 30.0),
            row("PyO3: hpp.noop()", 0, 40.0),
            row("Python sum(list)", 10, 50.0),
            row("PyO3 sum_list (list copied in)", 10, 45.0),
            row("PyO3 sum_array (buffer borrowed)", 10, 60.0),
            row("Python sum(list)", 1000, 500.0),
            row("PyO3 sum_list (list copied in)", 1000, 400.0),
            row("PyO3 sum_array (buffer borrowed)", 1000, 800.0),
        ],
        unavailable: vec![],
        python: None,
        budget: "quick".into(),
    };
    let text = b.reading();
    assert!(
        text.starts_with("An empty call: a Python function 30 ns, PyO3: hpp.noop() 40 ns."),
        "{text}"
    );
    assert!(text.contains("never beat Python's sum"), "{text}");
    assert!(!text.contains("slower than summing it in Python"), "{text}");
    b.plot().unwrap();
}

#[test]
fn the_gil_reading_follows_the_numbers() {
    let row = |route: &str, threads: usize, seconds: f64, cpus: f64| GilRow {
        route: route.into(),
        threads,
        seconds,
        cpus,
        output_sum: 9,
    };
    // A machine that gave two threads two CPUs, but the speed-up lagged;
    // holding the GIL still gained (short calls interleaving).
    let g = ReleasedGil {
        experiment: "released_gil".into(),
        width: 100,
        rows: vec![
            row(RELEASED, 1, 1.0, 1.0),
            row(RELEASED, 2, 0.8, 2.0),
            row(HELD, 1, 1.0, 1.0),
            row(HELD, 2, 0.7, 1.0),
        ],
        unavailable: vec![],
        python: None,
        budget: "quick".into(),
    };
    let text = g.reading();
    assert!(text.contains("(1.25× one thread's speed)"), "{text}");
    assert!(
        text.contains("more CPU went in than speed came out"),
        "{text}"
    );
    assert!(
        text.contains("Holding the GIL still ran 1.43× faster"),
        "{text}"
    );
    g.plot().unwrap();
    assert_eq!(g.speedup(HELD, 2), Some(1.0 / 0.7));
    // No native threads in this run: no sentence about them.
    assert!(!text.contains("inside native code"), "{text}");

    // Native threads that scaled better than Python's, Numba fastest.
    let mut n = g.clone();
    n.rows.extend([
        row(RAYON, 1, 1.0, 1.0),
        row(RAYON, 2, 0.55, 1.9),
        row(NUMBA_PRANGE, 1, 0.8, 1.0),
        row(NUMBA_PRANGE, 2, 0.4, 2.0),
        row(CYTHON_PRANGE, 1, 0.9, 1.0),
        row(CYTHON_PRANGE, 2, 0.6, 2.0),
    ]);
    let text = n.reading();
    assert!(
        text.contains("Numba prange scaled better than Python's threads (2× against 1.25×)"),
        "{text}"
    );
    assert!(
        text.contains("Fastest grid at 2 threads: Numba prange, 400 ms"),
        "{text}"
    );
    n.plot().unwrap();

    // Python's threads keeping pace with the native ones: the verdict turns.
    let mut p = n.clone();
    p.rows.retain(|r| r.route != RELEASED || r.threads == 1);
    p.rows.push(row(RELEASED, 2, 0.52, 2.0));
    let text = p.reading();
    assert!(
        text.contains("Python's threads, with the GIL released, scaled as well as those"),
        "{text}"
    );
    assert!(!text.contains("scaled better than"), "{text}");

    // Nothing ran: no claim about the machine's CPUs.
    let mut e = g.clone();
    e.rows.clear();
    e.unavailable = vec!["hpp's Python module is not built".into()];
    let text = e.reading();
    assert!(!text.contains("One CPU"), "{text}");
    assert!(text.contains("not built"), "{text}");
}

#[test]
fn the_boundary_and_threads_run_or_say_why() {
    let m = hpp::machine::machine();
    match hpp::experiments::boundary_with(&m, &tiny(), None) {
        Ok(b) => {
            assert!(b.at("a Python function", 0).is_some());
            b.plot().unwrap();
        }
        Err(e) => assert!(
            !python_found() && e.to_string().contains("unavailable"),
            "{e}"
        ),
    }
    match hpp::experiments::released_gil_with(&m, &tiny(), None) {
        Ok(g) => {
            assert!(g.rows.iter().all(|r| r.output_sum == g.rows[0].output_sum));
            if !g.rows.is_empty() {
                assert!(g.speedup(RELEASED, 1) == Some(1.0));
            } else {
                assert!(!g.unavailable.is_empty());
            }
        }
        Err(e) => assert!(
            !python_found() && e.to_string().contains("unavailable"),
            "{e}"
        ),
    }
}
