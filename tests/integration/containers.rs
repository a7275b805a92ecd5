//! Chapter 3's containers: searching sorted lists and growing them, in
//! Rust and in the reader's CPython (when there is one), with readings
//! that follow the numbers.

use hpp::error::Fact;
use hpp::experiments::containers::growth::{Growth, GrowthResult};
use hpp::experiments::containers::search::{SERIES, present_needles, reading_from};
use hpp::experiments::{Outcome, ToData, growth_with, search_with};
use hpp::measure::Budget;
use hpp::plot::Series;

fn tiny() -> Budget {
    Budget {
        min_run_s: 0.001,
        runs: 3,
        ..Budget::quick()
    }
}

#[test]
fn needles_are_present_spread_and_the_same_as_pythons() {
    let n = 1000;
    let needles = present_needles(n, 200);
    assert!(needles.iter().all(|&x| x % 2 == 0 && x < 2 * n as u64));
    // Spread: both halves of the haystack are hit.
    assert!(needles.iter().any(|&x| x < n as u64) && needles.iter().any(|&x| x >= n as u64));
    // The first few, as python/ch03_lists_tuples.py computes them
    // (2 * (((i + 1) * STRIDE mod 2^64) * n >> 64)), worked out by hand.
    let stride: u128 = 0x9E37_79B9_7F4A_7C15;
    for (i, &x) in needles.iter().take(5).enumerate() {
        let want = 2 * (((((i as u128 + 1) * stride) % (1u128 << 64)) * n as u128) >> 64) as u64;
        assert_eq!(x, want);
    }
}

#[test]
fn search_checks_both_languages_and_round_trips() {
    let m = hpp::machine::machine();
    let s = search_with(&m, &tiny(), None).unwrap();
    let rust: Vec<&Series> = s
        .series
        .iter()
        .filter(|x| x.label.starts_with("Rust"))
        .collect();
    assert_eq!(rust.len(), 5);
    assert!(
        rust.iter()
            .all(|x| !x.points.is_empty() && x.points.iter().all(|p| p.1 > 0.0))
    );
    if hpp::machine::interpreters::find_python(None).is_known() {
        assert!(
            s.series.iter().any(|x| x.label == "CPython bisect_left"),
            "{}",
            s.reading
        );
        assert!(s.reading.contains("bisect_left took"), "{}", s.reading);
    }
    s.plot().unwrap();
    let entry = hpp::chapters::entry("search").unwrap();
    let back = (entry.load)(&s.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), s.to_data().unwrap());
    // Without Python: no CPython lines, and the reading says why.
    let none = search_with(&m, &tiny(), Some("/nonexistent/python3")).unwrap();
    assert!(none.series.iter().all(|x| x.label.starts_with("Rust")));
    assert!(
        none.reading.contains("CPython: unavailable"),
        "{}",
        none.reading
    );
}

/// A sweep with every series at three sizes, from per-series closures.
fn fake(times: [fn(f64) -> f64; 8]) -> Vec<Series> {
    SERIES
        .iter()
        .zip(times)
        .map(|(label, t)| Series {
            label: label.to_string(),
            points: [80u64, 8_000, 80_000_000]
                .iter()
                .map(|&b| (b, t(b as f64 / 8.0)))
                .collect(),
        })
        .collect()
}

#[test]
fn the_search_reading_follows_the_numbers() {
    // A machine where the scan wins small lists and Eytzinger wins big ones.
    let usual = fake([
        |n| n / 40.0,       // linear present: wins up to 1000
        |n| n / 2.0,        // linear absent
        |n| 4.0 * n.log2(), // std
        |n| 3.0 * n.log2(), // branch-free: faster everywhere
        |n| {
            if n > 1e6 {
                2.0 * n.log2()
            } else {
                4.0 * n.log2()
            }
        }, // Eytzinger: wins only big
        |n| 10.0 * n,
        |n| 20.0 * n,
        |n| 40.0 * n.log2(),
    ]);
    let r = reading_from(&usual, Some(32 << 20), &Fact::unavailable("no PMU"), None);
    assert!(r.contains("beat binary search up to 1,000 elements"), "{r}");
    assert!(
        r.contains("branch-free search was 1.3× faster than std's at 10 elements"),
        "{r}"
    );
    assert!(r.contains("Eytzinger layout was about as fast as std's at 10 elements and 2× faster than std's at 10,000,000"), "{r}");
    assert!(
        r.contains("an estimate: cache misses cannot be counted here, no PMU"),
        "{r}"
    );
    assert!(r.contains("bisect_left took"), "{r}");
    // A machine where binary search wins everywhere and the tricks lose.
    let other = fake([
        |n| 10.0 * n,
        |n| 20.0 * n,
        |n| n.log2(),
        |n| 2.0 * n.log2(),
        |n| 3.0 * n.log2(),
        |n| 10.0 * n,
        |n| 20.0 * n,
        |n| 40.0 * n.log2(),
    ]);
    // CPython's scan faster than Rust's: no explanation of a slowdown.
    let mut quick_python = other.clone();
    quick_python[5].points.iter_mut().for_each(|p| p.1 /= 100.0);
    let r = reading_from(&quick_python, None, &Fact::Known(3.0), None);
    assert!(
        r.contains("no slower here") && !r.contains("a call on two int objects"),
        "{r}"
    );
    let r = reading_from(
        &other[..5],
        None,
        &Fact::Known(3.0),
        Some("no python3 on PATH"),
    );
    assert!(
        r.contains("Binary search beat the linear scan at every size"),
        "{r}"
    );
    assert!(
        r.contains("branch-free search was 2× slower than std's"),
        "{r}"
    );
    assert!(
        r.contains("CPython: unavailable (no python3 on PATH)"),
        "{r}"
    );
    assert!(
        !r.contains("last-level cache"),
        "no cache size, no cache sentence: {r}"
    );
}

#[test]
fn growth_records_both_lists_and_round_trips() {
    let m = hpp::machine::machine();
    let g = growth_with(&m, &tiny(), None).unwrap();
    let rust = &g.languages[0];
    assert_eq!(rust.language, "rust");
    assert!(
        rust.steps
            .windows(2)
            .all(|w| w[1].0 > w[0].0 && w[1].1 > w[0].1)
    );
    assert!(g.median_factor("rust").is_some_and(|f| f > 1.0));
    if hpp::machine::interpreters::find_python(None).is_known() {
        let py = g
            .languages
            .iter()
            .find(|l| l.language == "python")
            .expect("CPython ran");
        // A list's capacity never falls below its length.
        assert!(
            py.steps.iter().all(|&(len, cap)| cap >= len),
            "{:?}",
            py.steps
        );
        assert!(g.median_factor("python").is_some_and(|f| f > 1.0));
        assert_eq!(py.per_item_ns.len(), 3);
    }
    g.plot().unwrap();
    let entry = hpp::chapters::entry("growth").unwrap();
    let back = (entry.load)(&g.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), g.to_data().unwrap());
    let none = growth_with(&m, &tiny(), Some("/nonexistent/python3")).unwrap();
    assert_eq!(none.languages.len(), 1);
    assert!(
        none.reading().contains("CPython: no Python interpreter"),
        "{}",
        none.reading()
    );
}

#[test]
fn the_growth_reading_follows_the_numbers() {
    let lang = |language: &str, factor: u64, per: [f64; 3]| {
        let mut steps = vec![(0, 0), (1, 1024)];
        let mut cap = 1024;
        while cap < 10_000 {
            let next = cap * factor / 8;
            steps.push((cap + 1, next));
            cap = next;
        }
        Growth {
            language: language.into(),
            steps,
            per_item_ns: ["append", "preallocated", "comprehension"]
                .iter()
                .zip(per)
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    };
    let mut g = GrowthResult {
        experiment: "growth".into(),
        appends: 10_000,
        timed_items: 1000,
        languages: vec![
            lang("rust", 16, [1.0, 0.5, 0.3]),
            lang("python", 10, [40.0, 50.0, 30.0]),
        ],
        unavailable: Vec::new(),
        python: None,
        budget: "quick".into(),
    };
    let r = g.reading();
    assert!(
        r.contains("growing by 1.25× at a time") && r.contains("growing by 2× at a time"),
        "{r}"
    );
    assert!(
        r.contains("CPython trades more copying for less unused memory"),
        "{r}"
    );
    assert!(
        r.contains("Rust: 1 ns per item by appending") && r.contains("preallocating saved 50%"),
        "{r}"
    );
    assert!(
        r.contains("CPython: 40 ns per item by appending")
            && r.contains("preallocating was 25% slower"),
        "{r}"
    );
    // Swap the factors: the sentence turns round.
    g.languages = vec![
        lang("rust", 9, [1.0, 1.01, 0.3]),
        lang("python", 16, [40.0, 20.0, 30.0]),
    ];
    let r = g.reading();
    assert!(
        r.contains("here CPython's list grew faster than Rust's Vec"),
        "{r}"
    );
    assert!(
        r.contains("preallocating made no difference worth naming"),
        "{r}"
    );
}

#[test]
fn sort_checks_both_languages_and_round_trips() {
    use hpp::experiments::sort_with;
    let m = hpp::machine::machine();
    let s = sort_with(&m, &tiny(), None).unwrap();
    assert_eq!(s.rows.len(), 5);
    assert!(
        s.rows
            .iter()
            .all(|r| r.rust_stable_ns > 0.0 && r.rust_unstable_ns > 0.0)
    );
    if hpp::machine::interpreters::find_python(None).is_known() {
        // Python built the same inputs and sorted them to the same checksums.
        assert!(
            s.rows.iter().all(|r| r.python_ns.is_some()),
            "{:?}",
            s.unavailable
        );
        assert!(s.gain("sorted", |r| r.python_ns).is_some());
    }
    s.plot().unwrap();
    assert!(s.table_html().0.contains("nearly sorted"));
    let entry = hpp::chapters::entry("sort").unwrap();
    let back = (entry.load)(&s.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), s.to_data().unwrap());
    let none = sort_with(&m, &tiny(), Some("/nonexistent/python3")).unwrap();
    assert!(none.rows.iter().all(|r| r.python_ns.is_none()));
    assert!(
        none.reading().contains("CPython: no Python interpreter"),
        "{}",
        none.reading()
    );
}

#[test]
fn the_sort_reading_follows_the_numbers() {
    use hpp::experiments::Sort;
    use hpp::experiments::containers::sort::SortRow;
    let row = |input: &str, py: f64, st: f64, un: f64| SortRow {
        input: input.into(),
        rust_stable_ns: st,
        rust_unstable_ns: un,
        python_ns: Some(py),
    };
    let mut s = Sort {
        experiment: "sort".into(),
        n: 1000,
        rows: vec![
            row("random", 200.0, 40.0, 20.0),
            row("sorted", 20.0, 4.0, 1.0),
            row("reversed", 20.0, 10.0, 20.0),
            row("nearly sorted", 40.0, 30.0, 20.0),
            row("few distinct", 100.0, 20.0, 10.0),
        ],
        unavailable: Vec::new(),
        python: None,
        budget: "quick".into(),
    };
    let r = s.reading();
    assert!(
        r.contains("CPython's sorted() 200 ns, 5× Rust's sort"),
        "{r}"
    );
    assert!(
        r.contains(
            "On nearly sorted data CPython sorted() gained most (5×): it finds the long runs"
        ),
        "{r}"
    );
    assert!(
        r.contains("Rust sort_unstable against its random-input time: sorted 20×, reversed 1×"),
        "{r}"
    );
    // Where nothing gains much from near order, the reading says so.
    s.rows[3] = row("nearly sorted", 190.0, 39.0, 19.0);
    let r = s.reading();
    assert!(r.contains("a few swaps break the runs"), "{r}");
    // A CPython faster than Rust gets no explanation of its slowness.
    assert!(r.contains("(each comparison follows two pointers"), "{r}");
    s.rows[0].python_ns = Some(10.0);
    let r = s.reading();
    assert!(
        r.contains("here CPython's sort was not the slower one") && !r.contains("two pointers"),
        "{r}"
    );
}

#[test]
fn records_measure_both_languages_and_the_reading_follows() {
    use hpp::experiments::records_with;
    let m = hpp::machine::machine();
    let r = records_with(&m, &tiny(), None).unwrap();
    let rust: Vec<_> = r.rows.iter().filter(|x| x.language == "rust").collect();
    assert_eq!(rust.len(), 5);
    // Inline kinds hold exactly nine u64s; the heap kinds point at them.
    assert_eq!(rust[0].total_bytes(), 72);
    assert!(rust.iter().all(|x| x.create_ns > 0.0));
    if hpp::machine::interpreters::find_python(None).is_known() {
        let list = r
            .rows
            .iter()
            .find(|x| x.container.starts_with("list ["))
            .expect("a list");
        let tuple = r
            .rows
            .iter()
            .find(|x| x.container.starts_with("tuple ("))
            .expect("a tuple");
        assert!(
            tuple.total_bytes() < list.total_bytes(),
            "a tuple has no room to grow"
        );
        assert!(
            r.reading().contains("In CPython a 9-item list takes"),
            "{}",
            r.reading()
        );
    }
    r.plot().unwrap();
    let entry = hpp::chapters::entry("records").unwrap();
    let back = (entry.load)(&r.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), r.to_data().unwrap());
    // The build-time verdict follows the numbers.
    let mut fake = r.clone();
    fake.rows.retain(|x| x.language == "rust");
    let py =
        |container: &str, bytes: u64, ns: f64| hpp::experiments::containers::records::RecordRow {
            language: "python".into(),
            container: container.into(),
            inline_bytes: bytes,
            heap_bytes: 0,
            create_ns: ns,
        };
    fake.rows.push(py("list [a, ..., i]", 128, 60.0));
    fake.rows.push(py("tuple (a, ..., i)", 112, 30.0));
    assert!(
        fake.reading().contains("the tuple 2× faster"),
        "{}",
        fake.reading()
    );
    fake.rows[6].create_ns = 90.0;
    assert!(
        fake.reading().contains("here the tuple was the slower one"),
        "{}",
        fake.reading()
    );
    let none = records_with(&m, &tiny(), Some("/nonexistent/python3")).unwrap();
    assert!(none.rows.iter().all(|x| x.language == "rust"));
    assert!(
        none.reading().contains("CPython: no Python interpreter"),
        "{}",
        none.reading()
    );
}

#[test]
fn bad_hash_checks_every_table_and_the_reading_follows() {
    use hpp::experiments::bad_hash_with;
    use hpp::experiments::containers::bad_hash::HashRow;
    let m = hpp::machine::machine();
    let b = bad_hash_with(&m, &tiny(), None).unwrap();
    assert_eq!(b.keys, 676);
    let rust: Vec<_> = b.rows.iter().filter(|r| r.language == "rust").collect();
    assert_eq!(rust.len(), 4);
    assert!(rust.iter().all(|r| r.ns_per_lookup > 0.0));
    // Every key colliding costs Rust far more than SipHash: hundreds of
    // key comparisons against one hash and a probe or two.
    assert!(
        b.collision_slowdown("rust").is_some_and(|x| x > 3.0),
        "{:?}",
        b.rows
    );
    if hpp::machine::interpreters::find_python(None).is_known() {
        assert_eq!(
            b.rows.iter().filter(|r| r.language == "python").count(),
            4,
            "{:?}",
            b.unavailable
        );
        assert!(
            b.reading().contains("CPython: with every key colliding"),
            "{}",
            b.reading()
        );
    }
    b.plot().unwrap();
    let entry = hpp::chapters::entry("bad_hash").unwrap();
    let back = (entry.load)(&b.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), b.to_data().unwrap());

    // Readings on made-up numbers, both ways round.
    let row = |table: &str, ns: f64| HashRow {
        language: "rust".into(),
        table: table.into(),
        label: table.into(),
        ns_per_lookup: ns,
    };
    let mut fake = b.clone();
    fake.unavailable.clear();
    fake.rows = vec![
        row("constant", 800.0),
        row("perfect", 4.0),
        row("default", 16.0),
        row("list", 250.0),
    ];
    let r = fake.reading();
    assert!(
        r.contains("800 ns, 50× SipHash (16 ns), slower even than scanning the list"),
        "{r}"
    );
    assert!(r.contains("4× faster than SipHash"), "{r}");
    fake.rows = vec![
        row("constant", 100.0),
        row("perfect", 32.0),
        row("default", 16.0),
        row("list", 250.0),
    ];
    let r = fake.reading();
    assert!(r.contains("about a scan of the colliding keys"), "{r}");
    assert!(
        r.contains("2× slower than SipHash") && !r.contains("function call"),
        "{r}"
    );
    let none = bad_hash_with(&m, &tiny(), Some("/nonexistent/python3")).unwrap();
    assert!(none.rows.iter().all(|r| r.language == "rust"));
    assert!(
        none.reading().contains("CPython: no Python interpreter"),
        "{}",
        none.reading()
    );
}

#[test]
fn unique_names_count_the_same_names_and_the_reading_follows() {
    use hpp::experiments::containers::unique_names::UniquePoint;
    use hpp::experiments::unique_names_with;
    let m = hpp::machine::machine();
    let u = unique_names_with(&m, &tiny(), None).unwrap();
    for method in ["Vec scan", "HashSet", "BTreeSet", "sort + dedup"] {
        assert!(
            u.points
                .iter()
                .any(|p| p.language == "rust" && p.method == method),
            "{method}"
        );
    }
    if hpp::machine::interpreters::find_python(None).is_known() {
        assert!(
            u.points
                .iter()
                .any(|p| p.language == "python" && p.method == "set"),
            "{:?}",
            u.unavailable
        );
        assert!(
            u.reading()
                .contains("CPython: scanning a list of names seen"),
            "{}",
            u.reading()
        );
    }
    u.plot().unwrap();
    let entry = hpp::chapters::entry("unique_names").unwrap();
    let back = (entry.load)(&u.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), u.to_data().unwrap());
    // The ranking of Rust's set-like ways follows the numbers.
    let p = |method: &str, entries: usize, ns: f64| UniquePoint {
        language: "rust".into(),
        method: method.into(),
        entries,
        ns_per_entry: ns,
    };
    let mut fake = u.clone();
    fake.unavailable.clear();
    fake.points = vec![
        p("Vec scan", 100, 50.0),
        p("Vec scan", 10_000, 5000.0),
        p("HashSet", 10_000, 30.0),
        p("BTreeSet", 10_000, 20.0),
        p("sort + dedup", 10_000, 40.0),
    ];
    let r = fake.reading();
    assert!(r.contains("(100× its cost per entry at 100"), "{r}");
    assert!(r.contains("the HashSet 30 ns (167× faster)"), "{r}");
    assert!(
        r.contains(
            "fastest way was BTreeSet (20 ns per entry), then HashSet (30) and sort + dedup (40)"
        ),
        "{r}"
    );
}

#[test]
fn the_unique_names_reading_turns_round_when_the_scan_holds_up() {
    use hpp::experiments::UniqueNames;
    use hpp::experiments::containers::unique_names::UniquePoint;
    let p = |language: &str, method: &str, entries: usize, ns: f64| UniquePoint {
        language: language.into(),
        method: method.into(),
        entries,
        ns_per_entry: ns,
    };
    let u = UniqueNames {
        experiment: "unique_names".into(),
        points: vec![
            // A scan that barely grows and beats the set at its largest size.
            p("rust", "Vec scan", 100, 20.0),
            p("rust", "Vec scan", 1000, 25.0),
            p("rust", "HashSet", 1000, 30.0),
            p("python", "list", 100, 500.0),
            p("python", "list", 1000, 5000.0),
            p("python", "set", 1000, 20.0),
        ],
        unavailable: Vec::new(),
        python: None,
        budget: "quick".into(),
    };
    let r = u.reading();
    assert!(
        r.contains("the scan's growth did not show")
            && r.contains("1.2× slower: at this size the scan still won"),
        "{r}"
    );
    assert!(
        r.contains("the scan grows with the names already seen") && r.contains("(250× faster)"),
        "{r}"
    );
    assert!(
        r.contains("here CPython's was not the slower one") && !r.contains("splitting"),
        "{r}"
    );
}

#[test]
fn search_headlines_come_from_the_largest_shared_size() {
    use hpp::experiments::containers::search::headlines_from;
    let mut series = fake([
        |n| n,
        |n| n,
        |n| 4.0 * n.log2(),
        |n| 3.0 * n.log2(),
        |n| 2.0 * n.log2(),
        |n| 10.0 * n,
        |n| 10.0 * n,
        |n| 40.0 * n.log2(),
    ]);
    // CPython stopped a size early.
    series[7].points.pop();
    let h = headlines_from(&series);
    let get = |k: &str| h.iter().find(|x| x.key == k).map(|x| x.value);
    assert_eq!(get("eytzinger_speedup"), Some(2.0));
    assert_eq!(get("python_bisect_vs_rust"), Some(10.0));
    assert_eq!(get("rust_binary_search_ns"), Some(4.0 * 1e7f64.log2()));
    // Without CPython there is no Python headline, not a zero.
    series.truncate(5);
    assert!(
        headlines_from(&series)
            .iter()
            .all(|x| x.key != "python_bisect_vs_rust")
    );
}
