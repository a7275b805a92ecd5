//! Chapter 5's iterators and generators: lists against lazy streams in
//! Rust and the reader's CPython, with readings that follow the numbers.

use hpp::experiments::iterators::anomalies::{Anomalies, HuntRow, SEED, THRESHOLD};
use hpp::experiments::iterators::chains::ChainRow;
use hpp::experiments::iterators::fibonacci::{FibRow, Fibonacci, OddRow};
use hpp::experiments::{Outcome, anomalies_with, chains_with, fibonacci_with};
use hpp::kernels::anomaly::{SECONDS_PER_DAY, anomalous_days, readings};
use hpp::measure::Budget;

fn tiny() -> Budget {
    Budget {
        min_run_s: 0.001,
        runs: 3,
        ..Budget::quick()
    }
}

fn python_here() -> bool {
    hpp::machine::interpreters::find_python(None).is_known()
}

fn round_trips(name: &str, o: &dyn Outcome) {
    let entry = hpp::chapters::entry(name).unwrap();
    let back = (entry.load)(&o.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), o.to_data().unwrap());
    o.plot().unwrap();
}

#[test]
fn fibonacci_checks_both_languages_and_measures_memory() {
    let m = hpp::machine::machine();
    let f = fibonacci_with(&m, &tiny(), None).unwrap();
    assert_eq!(f.odd_count, 13);
    for way in ["list", "generator"] {
        assert!(
            f.rows
                .iter()
                .any(|r| r.language == "rust" && r.way == way && r.n == 10_000)
        );
    }
    // The counting allocator is installed in this test binary: exact peaks.
    let peak = |lang: &str, way: &str| {
        f.rows
            .iter()
            .find(|r| r.language == lang && r.way == way && r.n == 10_000)
            .and_then(|r| r.peak_bytes)
            .unwrap()
    };
    assert!(peak("rust", "list") > 1_000_000, "{}", peak("rust", "list"));
    assert!(
        peak("rust", "generator") < 20_000,
        "{}",
        peak("rust", "generator")
    );
    if python_here() {
        assert!(
            f.rows.iter().filter(|r| r.language == "python").count() == 6,
            "{:?}",
            f.unavailable
        );
        assert_eq!(f.odd.iter().filter(|o| o.language == "python").count(), 3);
    }
    round_trips("fibonacci", &f);
}

#[test]
fn the_fibonacci_reading_follows_the_numbers() {
    let row = |way: &str, ns: f64, peak: Option<u64>| FibRow {
        language: "python".into(),
        way: way.into(),
        n: 1000,
        ns_per_number: ns,
        peak_bytes: peak,
    };
    let odd = |language: &str, way: &str, ns: f64| OddRow {
        language: language.into(),
        way: way.into(),
        ns_per_call: ns,
    };
    // A list that is faster and a generator that held as much memory.
    let f = Fibonacci {
        experiment: "fibonacci".into(),
        rows: vec![
            row("list", 50.0, Some(4000)),
            row("generator", 100.0, Some(3000)),
        ],
        odd_count: 13,
        odd: vec![
            odd("rust", "while loop", 10.0),
            odd("rust", "take_while + filter + count", 10.5),
            odd("python", "takewhile", 2000.0),
        ],
        memory_method: String::new(),
        unavailable: vec![],
        python: None,
        budget: "quick".into(),
    };
    let r = f.reading();
    assert!(r.contains("the list 2× faster"), "{r}");
    assert!(r.contains("here they did not differ much"), "{r}");
    assert!(r.contains("the adapters ran as fast as the loop"), "{r}");
    assert!(
        r.contains("the slowest CPython's takewhile (2000 ns, 200×)"),
        "{r}"
    );
}

#[test]
fn chains_check_every_way_and_the_reading_follows() {
    let m = hpp::machine::machine();
    let mut c = chains_with(&m, &tiny(), None).unwrap();
    assert_eq!(c.rows.iter().filter(|r| r.language == "rust").count(), 3);
    if python_here() {
        assert_eq!(
            c.rows.iter().filter(|r| r.language == "python").count(),
            4,
            "{:?}",
            c.unavailable
        );
    }
    round_trips("chains", &c);
    let row = |language: &str, way: &str, ns: f64, peak: u64| ChainRow {
        language: language.into(),
        way: way.into(),
        ns_per_value: ns,
        peak_bytes: Some(peak),
    };
    // Adapters as fast as the loop; a generator slower than the list.
    c.rows = vec![
        row("rust", "for loop", 1.0, 0),
        row("rust", "filter + map + sum", 1.05, 0),
        row("python", "generator expression", 80.0, 500),
        row("python", "list comprehension", 60.0, 2_000_000),
    ];
    c.unavailable.clear();
    let r = c.reading();
    assert!(r.contains("ran at the loop's speed"), "{r}");
    assert!(r.contains("the list 1.3× faster"), "{r}");
    assert!(r.contains("took 80× Rust's loop"), "{r}");
    c.rows[1].ns_per_value = 2.0;
    assert!(
        c.reading().contains("did not compile to the same loop"),
        "{}",
        c.reading()
    );
    assert_eq!(c.adapters_vs_loop(), Some(2.0));
}

#[test]
fn the_anomaly_hunt_runs_lazily_in_rust_and_its_reading_follows() {
    let m = hpp::machine::machine();
    let a = anomalies_with(&m, &tiny(), Some("/nonexistent/python3")).unwrap();
    assert!(a.unavailable.iter().any(|u| u.starts_with("CPython: ")));
    let lazy: Vec<&HuntRow> = a.rows.iter().filter(|r| r.way == "lazy").collect();
    assert_eq!(lazy.len(), 3);
    // The seed's first anomaly is on day 2.
    assert_eq!(lazy[2].flagged, vec![2]);
    // Exact peaks here: one day's Vec for the lazy hunt at any length,
    // every reading for the list-first one.
    let first = lazy[0].peak_bytes.unwrap();
    assert!(
        lazy.iter().all(|r| r.peak_bytes.unwrap() <= first * 2),
        "{lazy:?}"
    );
    let list4 = a
        .rows
        .iter()
        .find(|r| r.way == "list first" && r.days == 4)
        .unwrap();
    assert!(list4.peak_bytes.unwrap() >= 4 * SECONDS_PER_DAY * 16);
    round_trips("anomalies", &a);
    // A lazy pipeline whose memory grows with the stream, and a CPython
    // that flags other days.
    let row = |language: &str, way: &str, days: u64, peak: u64, flagged: Vec<u64>| HuntRow {
        language: language.into(),
        way: way.into(),
        days,
        readings_per_s: 1e6,
        peak_bytes: Some(peak),
        flagged,
    };
    let fake = Anomalies {
        rows: vec![
            row("rust", "lazy", 1, 1000, vec![]),
            row("rust", "lazy", 8, 7000, vec![2]),
            row("python", "lazy", 1, 1000, vec![]),
            row("python", "lazy", 8, 1100, vec![2, 5]),
        ],
        unavailable: vec![],
        python_test: Some("hand-written".into()),
        ..a
    };
    let r = fake.reading();
    assert!(r.contains("7× more: it grew with the stream"), "{r}");
    assert!(r.contains("flat: one day in memory at a time"), "{r}");
    assert!(
        r.contains("CPython flagged different days over 8 days"),
        "{r}"
    );
    assert_eq!(fake.disagreements(), vec![8]);
}

#[test]
fn cpython_flags_the_same_day_as_rust() {
    if !python_here() {
        return;
    }
    let spec = serde_json::json!({
        "tasks": ["anomalies"], "days": [3], "list_days_cap": 0,
        "seed": SEED, "threshold": THRESHOLD,
    });
    let reply: serde_json::Value = hpp::measure::cpython::run_chapter_script(
        None,
        hpp::measure::cpython::CH05,
        &spec,
        &Budget::quick(),
    )
    .unwrap();
    let rust: Vec<u64> = anomalous_days(readings(SEED).take(3 * 86_400), THRESHOLD).collect();
    assert_eq!(rust, vec![2]);
    let rows = reply["anomalies"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{reply}");
    assert_eq!(rows[0]["flagged"], serde_json::json!(rust), "{reply}");
}
