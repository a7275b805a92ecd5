//! Chapter 4's hash tables: probes inside an open-addressing table, when
//! tables grow, and what hash functions cost — with readings that follow
//! the numbers, including numbers where the book's story does not hold.

use hpp::experiments::containers::probing::{ProbePoint, Probes};
use hpp::experiments::containers::table_growth::{Resize, TableGrowth};
use hpp::experiments::{Outcome, probing, table_growth_with};
use hpp::measure::Budget;

fn tiny() -> Budget {
    Budget {
        min_run_s: 0.001,
        runs: 3,
        ..Budget::quick()
    }
}

fn round_trips(name: &str, o: &dyn Outcome) {
    let entry = hpp::chapters::entry(name).unwrap();
    let back = (entry.load)(&o.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), o.to_data().unwrap());
    o.plot().unwrap();
}

#[test]
fn probing_counts_every_table_and_reads_the_numbers() {
    let m = hpp::machine::machine();
    let p = probing(&m, &tiny()).unwrap();
    assert_eq!(p.points.len(), 4 * 9);
    assert!(
        p.points
            .iter()
            .all(|q| q.hit_probes >= 1.0 && q.miss_probes >= 1.0)
    );
    let r = p.reading();
    assert!(r.contains("behaves like a random one"), "{r}");
    assert!(r.contains("fewer: the perturbation feeds"), "{r}");
    round_trips("probing", &p);
}

#[test]
fn the_probing_reading_turns_round_when_the_story_fails() {
    let point = |hash: &str, probing: &str, load: f64, hit: f64, miss: f64| ProbePoint {
        hash: hash.into(),
        probing: probing.into(),
        load_factor: load,
        hit_probes: hit,
        miss_probes: miss,
    };
    // A walk far from the uniform-hashing figure, a fuller table that costs
    // no more, and patterned keys that cluster as badly either way.
    let p = Probes {
        experiment: "probing".into(),
        slots: 16_384,
        lookups: 100,
        points: vec![
            point("mixed", "perturbed", 0.5, 1.4, 2.0),
            point("mixed", "perturbed", 0.7, 3.0, 2.5),
            point("mixed", "perturbed", 0.9, 3.1, 3.0),
            point("mixed", "linear", 0.7, 2.0, 6.0),
            point("identity", "perturbed", 0.7, 300.0, 700.0),
            point("identity", "linear", 0.7, 310.0, 720.0),
        ],
        budget: "quick".into(),
    };
    let r = p.reading();
    assert!(r.contains("not behaving like a random one"), "{r}");
    assert!(r.contains("here the fuller table cost little more"), "{r}");
    assert!(r.contains("did not rescue these keys"), "{r}");
    assert!(!r.contains("why CPython resizes"), "{r}");
}

#[test]
fn table_growth_watches_both_languages() {
    let m = hpp::machine::machine();
    let t = table_growth_with(&m, &tiny(), None).unwrap();
    for table in ["HashMap", "HashSet"] {
        assert!(
            t.tables
                .iter()
                .any(|g| g.language == "rust" && g.table == table)
        );
    }
    if hpp::machine::interpreters::find_python(None).is_known() {
        let dict = t
            .tables
            .iter()
            .find(|g| g.language == "python" && g.table == "dict")
            .expect("CPython's dict");
        // Every resize made the table bigger, and there were several.
        assert!(dict.resizes.len() >= 5, "{dict:?}");
        assert!(dict.resizes.windows(2).all(|w| w[1].after > w[0].after));
        assert!(
            t.reading().contains("CPython's dict grew"),
            "{}",
            t.reading()
        );
    }
    round_trips("table_growth", &t);
}

#[test]
fn the_table_growth_reading_follows_the_numbers() {
    let m = hpp::machine::machine();
    let mut t = table_growth_with(&m, &tiny(), Some("/nonexistent/python3")).unwrap();
    assert!(t.reading().contains("CPython: "), "{}", t.reading());
    // A CPython dict that triples and resizes less often than Rust's map.
    t.unavailable.clear();
    let steps = [
        (1, 100),
        (4, 200),
        (10, 400),
        (28, 800),
        (82, 1600),
        (244, 3200),
    ];
    t.tables.push(TableGrowth {
        language: "python".into(),
        table: "dict".into(),
        unit: "bytes".into(),
        empty: 64,
        resizes: steps
            .iter()
            .map(|&(items, after)| Resize { items, after })
            .collect(),
    });
    let r = t.reading();
    assert!(r.contains("CPython's dict grew 6 times"), "{r}");
    assert!(
        r.contains("each resize multiplied by 3 what it could hold"),
        "{r}"
    );
    assert!(r.contains("resized less often than Rust's HashMap"), "{r}");
    assert!(
        r.contains("Rust's HashMap grew") && r.contains("doubled"),
        "{r}"
    );
}

#[test]
fn hashers_time_every_hasher_and_check_every_map() {
    use hpp::experiments::hashers_with;
    let m = hpp::machine::machine();
    let h = hashers_with(&m, &tiny(), None).unwrap();
    for keys in ["int", "word"] {
        assert!(
            h.rows
                .iter()
                .any(|r| r.language == "rust" && r.keys == keys && r.hasher.starts_with("SipHash")),
            "{keys}"
        );
    }
    // Built without `ch04` the fast hashers say why they are missing.
    let fast = h.rows.iter().filter(|r| r.hasher == "FxHash").count();
    assert!(
        fast == 2 || h.unavailable.iter().any(|u| u.contains("`ch04` feature")),
        "{:?}",
        h.unavailable
    );
    if hpp::machine::interpreters::find_python(None).is_known() {
        assert_eq!(
            h.rows.iter().filter(|r| r.language == "python").count(),
            2,
            "{:?}",
            h.unavailable
        );
    }
    assert!(h.rows.iter().all(|r| r.hash_ns > 0.0 && r.lookup_ns > 0.0));
    round_trips("hashers", &h);
}

#[test]
fn the_hashers_reading_follows_the_numbers() {
    use hpp::experiments::Hashers;
    use hpp::experiments::containers::hashers::HasherRow;
    let row = |language: &str, keys: &str, hasher: &str, h: f64, i: f64, l: f64| HasherRow {
        language: language.into(),
        keys: keys.into(),
        hasher: hasher.into(),
        hash_ns: h,
        insert_ns: i,
        lookup_ns: l,
    };
    let h = Hashers {
        experiment: "hashers".into(),
        ints: 1000,
        words: 1000,
        word_source: "/usr/share/dict/words".into(),
        rows: vec![
            // On integers SipHash wins outright; on words FxHash hashes
            // 4× faster and looks up 4× faster too.
            row("rust", "int", "SipHash-1-3 (std)", 1.0, 10.0, 5.0),
            row("rust", "int", "FxHash", 2.0, 12.0, 6.0),
            row("rust", "word", "SipHash-1-3 (std)", 8.0, 40.0, 40.0),
            row("rust", "word", "FxHash", 2.0, 10.0, 10.0),
            row("python", "word", "CPython hash() / dict", 30.0, 50.0, 20.0),
        ],
        unavailable: vec![],
        python: None,
        budget: "quick".into(),
    };
    let r = h.reading();
    assert!(
        r.contains("On integers SipHash was the fastest Rust hasher here"),
        "{r}"
    );
    assert!(
        r.contains("On words FxHash hashed fastest (2 ns a key, SipHash 8 ns: 4×) and FxHash looked up fastest (10 ns, SipHash 4×). "),
        "{r}"
    );
    assert!(!r.contains("only part of the cost"), "{r}");
    assert!(
        r.contains("CPython's dict took 20 ns per lookup, 0.5× Rust's"),
        "{r}"
    );
    assert!(r.contains("/usr/share/dict/words"), "{r}");
    assert_eq!(h.siphash_lookup_ratio("int"), None);
    assert_eq!(h.siphash_lookup_ratio("word"), Some(4.0));
}

#[test]
fn membership_checks_every_container_and_the_reading_follows() {
    use hpp::experiments::containers::membership::{MemberPoint, items_and_probes};
    use hpp::experiments::membership_with;
    let (items, probes) = items_and_probes(100, 10);
    assert!(probes[..5].iter().all(|p| items.contains(p)));
    assert!(probes[5..].iter().all(|p| !items.contains(p)));
    let m = hpp::machine::machine();
    let mut r = membership_with(&m, &tiny(), None).unwrap();
    for c in ["Vec scan", "HashSet", "BTreeSet", "sorted Vec"] {
        assert!(r.points.iter().any(|p| p.container == c), "{c}");
    }
    if hpp::machine::interpreters::find_python(None).is_known() {
        assert!(
            r.points
                .iter()
                .any(|p| p.language == "python" && p.container == "set"),
            "{:?}",
            r.unavailable
        );
    }
    round_trips("membership", &r);
    // A scan that beats the hash set at every size it ran.
    let p = |language: &str, container: &str, items: usize, ns: f64| MemberPoint {
        language: language.into(),
        container: container.into(),
        items,
        ns_per_lookup: ns,
    };
    r.unavailable.clear();
    r.points = vec![
        p("rust", "Vec scan", 10, 2.0),
        p("rust", "Vec scan", 100, 9.0),
        p("rust", "HashSet", 10, 10.0),
        p("rust", "HashSet", 100, 10.0),
        p("rust", "BTreeSet", 100, 5.0),
        p("rust", "sorted Vec", 100, 7.0),
    ];
    let text = r.reading();
    assert!(text.contains("the scan won by 1.1×"), "{text}");
    assert!(!text.contains("faster one from"), "{text}");
    assert!(
        text.contains("ranked: BTreeSet (5 ns), sorted Vec (7), HashSet (10)"),
        "{text}"
    );
}

#[test]
fn namespaces_time_four_ways_or_say_why_not() {
    use hpp::experiments::containers::namespaces::NamespaceRow;
    use hpp::experiments::namespaces_with;
    let m = hpp::machine::machine();
    let none = namespaces_with(&m, &tiny(), Some("/nonexistent/python3")).unwrap();
    assert!(none.rows.is_empty());
    assert!(
        none.reading().starts_with("CPython: "),
        "{}",
        none.reading()
    );
    assert!(none.plot().is_err());
    if hpp::machine::interpreters::find_python(None).is_known() {
        let n = namespaces_with(&m, &tiny(), None).unwrap();
        assert_eq!(n.rows.len(), 4, "{:?}", n.unavailable);
        assert!(
            n.rows[0].loads.iter().any(|l| l.ends_with(" math")),
            "{:?}",
            n.rows[0]
        );
        round_trips("namespaces", &n);
    }
    // CPython's loop adds what Rust adds (Σ sin(i/n), i < n).
    let want: f64 = (0..10_000).map(|i| (i as f64 / 10_000.0).sin()).sum();
    assert_eq!(
        hpp::experiments::containers::namespaces::sum_of_sines(10_000),
        want
    );
    assert!((want - 4596.556201995397).abs() < 1e-9, "{want}");
    // An interpreter with no specialisation and a clear gap.
    let row = |variant: &str, ns: f64, loads: &[&str]| NamespaceRow {
        language: "python".into(),
        variant: variant.into(),
        ns_per_call: ns,
        loads: loads.iter().map(|s| s.to_string()).collect(),
        specialised: vec![],
    };
    let mut old = none.clone();
    old.unavailable.clear();
    old.rows = vec![
        row("math.sin(x)", 60.0, &["LOAD_GLOBAL math", "LOAD_ATTR sin"]),
        row(
            "local_sin = math.sin before the loop",
            40.0,
            &["LOAD_FAST local_sin"],
        ),
    ];
    let r = old.reading();
    assert!(r.contains("20 ns (50%) for two lookups"), "{r}");
    assert!(r.contains("shows no specialised instructions"), "{r}");
    assert!(!r.contains("all but closed"), "{r}");
}
