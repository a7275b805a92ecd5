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
