//! Readings follow the data: each verdict-bearing experiment, fed a
//! recorded default-budget run of the development VM
//! (`tests/fixtures/results/dev-vm-default-2026-11-24.json`, the reference
//! run of that day, kept because several of its figures contradict the
//! textbook story) and variants of it where the story is false, says what
//! those numbers say.

use hpp::experiments::{Access, Branches, Dynamic, Gil, Outcome};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn reference(name: &str) -> Value {
    let club: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/results/dev-vm-default-2026-11-24.json"),
        )
        .unwrap(),
    )
    .unwrap();
    club["experiments"][name]["data"].clone()
}

fn reading<T: Outcome + DeserializeOwned>(v: Value) -> String {
    serde_json::from_value::<T>(v).unwrap().reading()
}

#[test]
fn branches_say_whether_a_branch_was_mispredicted() {
    let base = reference("branches");
    let r = reading::<Branches>(base.clone());
    assert!(r.contains("× slower) — about 5.3 ns"), "{r}");
    assert!(r.contains("nothing to predict, nothing to lose"), "{r}");
    // A compiler that made the branch a conditional move: shuffled as fast.
    let mut v = base.clone();
    v["rows"][1][1] = json!(0.25);
    let r = reading::<Branches>(v);
    assert!(r.contains("no dearer") && !r.contains("slower) —"), "{r}");
    // Branch-free code slower than the mispredicted branch.
    let mut v = base;
    v["rows"][2][1] = json!(3.5);
    let r = reading::<Branches>(v);
    assert!(
        r.contains("no faster than the branch on shuffled data"),
        "{r}"
    );
}

#[test]
fn the_gil_verdict_is_read_off_the_speed_ups() {
    let base = reference("gil");
    let r = reading::<Gil>(base.clone());
    assert!(r.contains("CPython threads gained nothing"), "{r}");
    assert!(r.contains("did speed up, up to the CPUs granted"), "{r}");
    // CPython threads that scale (a GIL-less build mislabelled, say).
    let mut v = base.clone();
    for p in v["points"].as_array_mut().unwrap() {
        if p["runtime"].as_str().unwrap().ends_with(" threads")
            && p["runtime"].as_str().unwrap().starts_with("CPython")
            && p["workers"] == 2
        {
            p["speedup"] = json!(1.9);
        }
    }
    let r = reading::<Gil>(v);
    assert!(r.contains("CPython threads did speed up (1.9×)"), "{r}");
    assert!(!r.contains("gained nothing"), "{r}");
    // A host that grants one CPU's worth: processes do not speed up either.
    let mut v = base.clone();
    for p in v["points"].as_array_mut().unwrap() {
        if p["workers"] == 2 {
            p["speedup"] = json!(1.0);
        }
    }
    let r = reading::<Gil>(v);
    assert!(
        r.contains("did not: the CPUs were not granted in full"),
        "{r}"
    );
    // One CPU: nothing can speed up, and the reading says so.
    let mut v = base;
    v["usable_cpus"] = json!(1);
    let r = reading::<Gil>(v);
    assert!(
        r.contains("With one CPU there is nothing to share out"),
        "{r}"
    );
}

#[test]
fn dynamic_compares_the_two_overheads_by_what_they_add() {
    let base = reference("dynamic");
    let r = reading::<Dynamic>(base.clone());
    assert!(r.contains("less than the type checks add"), "{r}");
    // Bounds checks that cost more than the type checks.
    let mut v = base;
    v["rows"][3]["ns_per_element"] = json!(40.0);
    let r = reading::<Dynamic>(v);
    assert!(r.contains("more than the type checks add"), "{r}");
}

#[test]
fn access_says_whether_order_costs_inside_the_caches_too() {
    let base = reference("access");
    let r = reading::<Access>(base.clone());
    assert!(
        r.contains("order matters most once the data leaves the caches"),
        "{r}"
    );
    // Random reads in cache as dear (relative to sequential) as out of it.
    let mut v = base;
    let pts = v["points"].as_array().unwrap().clone();
    let big = pts
        .iter()
        .map(|p| p["size_bytes"].as_u64().unwrap())
        .max()
        .unwrap();
    let get = |pattern: &str, size: u64| {
        pts.iter()
            .find(|p| p["pattern"] == pattern && p["size_bytes"].as_u64() == Some(size))
            .unwrap()["ns_per_read"]
            .as_f64()
            .unwrap()
    };
    let gap = get("random", big) / get("sequential", big);
    let small = pts
        .iter()
        .map(|p| p["size_bytes"].as_u64().unwrap())
        .min()
        .unwrap();
    for p in v["points"].as_array_mut().unwrap() {
        if p["pattern"] == "random" && p["size_bytes"].as_u64() == Some(small) {
            p["ns_per_read"] = json!(get("sequential", small) * gap);
        }
    }
    let r = reading::<Access>(v);
    assert!(r.contains("order costs even inside the caches"), "{r}");
}

#[test]
fn the_python_reading_follows_its_ratios() {
    use hpp::experiments::Python;
    let base = reference("python");
    let r = reading::<Python>(base.clone());
    assert!(
        r.contains("Rust runs the same algorithms 6.2× to 94× faster"),
        "{r}"
    );
    assert!(r.contains("makes CPython 3.99× slower"), "{r}");
    assert!(r.contains("saves 50% in CPython"), "{r}");
    // A Python faster than Rust on one row; chunking that helps; an early
    // exit that saves nothing.
    let mut v = base;
    let rows = v["rows"].as_array_mut().unwrap();
    let set = |rows: &mut Vec<Value>, name: &str, key: &str, x: f64| {
        rows.iter_mut().find(|r| r["example"] == name).unwrap()[key] = json!(x);
    };
    set(rows, "sum_list", "ratio", 0.5);
    set(rows, "is_prime_chunked", "python_ns", 100_000.0);
    set(rows, "search_early_exit", "python_ns", 900_000.0);
    let r = reading::<Python>(v);
    assert!(
        r.contains("Rust ranges from 2× slower (sum_list) to 94× faster (while_loop)"),
        "{r}"
    );
    assert!(r.contains("makes CPython faster here"), "{r}");
    assert!(r.contains("saved nothing in CPython here"), "{r}");
}

#[test]
fn pointers_say_what_cpython_measured_about_scattered_floats() {
    use hpp::experiments::python_costs::pointers::reading_from;
    use hpp::plot::Series;
    let s = |label: &str, pts: &[(u64, f64)]| Series {
        label: label.into(),
        points: pts.to_vec(),
    };
    let rust = vec![
        s("vec", &[(4096, 0.5), (1 << 26, 2.7)]),
        s("boxes", &[(4096, 0.6), (1 << 26, 6.8)]),
        s("shuffled", &[(4096, 0.62), (1 << 26, 21.7)]),
        s("linked", &[(4096, 2.0), (1 << 26, 325.0)]),
    ];
    // CPython that pays for scattered objects.
    let mut with = rust.clone();
    with.push(s("fresh", &[(4096, 7.0), (1 << 26, 7.0)]));
    with.push(s("shuffled", &[(4096, 7.0), (1 << 26, 14.0)]));
    let r = reading_from(&with, None);
    assert!(
        r.contains("CPython pays for scattered objects too") && r.contains("2×"),
        "{r}"
    );
    assert!(r.contains("Rust's boxes at that size: 3.19×"), "{r}");
    // CPython whose interpreter work hides the loads.
    let mut hides = rust.clone();
    hides.push(s("fresh", &[(1 << 26, 20.0)]));
    hides.push(s("shuffled", &[(1 << 26, 21.0)]));
    let r = reading_from(&hides, None);
    assert!(
        r.contains("CPython barely notices") && !r.contains("pays for scattered"),
        "{r}"
    );
    // No CPython: said, not guessed.
    let r = reading_from(&rust, Some("no python3 on PATH"));
    assert!(
        r.contains("CPython's lists: unavailable (no python3 on PATH)"),
        "{r}"
    );
    assert!(!r.contains("shuffled-box case"), "{r}");
    // Shuffling that costs even in L1.
    let mut l1 = rust;
    l1[2].points[0].1 = 5.0;
    let r = reading_from(&l1, None);
    assert!(r.contains("Even in L1"), "{r}");
}

#[test]
fn the_scaling_reading_says_what_the_speed_ups_say() {
    use hpp::experiments::Scaling;
    // The reference run: 4 threads on 2 CPUs beat 2 threads (1.88× vs 1.34×).
    let base = reference("scaling");
    let with = |two: f64, four: f64, serial: f64| -> String {
        let mut v = base.clone();
        v["points"][1]["speedup"] = serde_json::json!(two);
        v["points"][2]["speedup"] = serde_json::json!(four);
        v["amdahl_serial_fraction"] = serde_json::json!(serial);
        serde_json::from_value::<Scaling>(v).unwrap().reading()
    };
    let r = serde_json::from_value::<Scaling>(base.clone())
        .unwrap()
        .reading();
    assert!(
        r.contains("4 threads on 2 CPUs ran 1.88×, faster than 2 threads (1.34×)"),
        "{r}"
    );
    assert!(!r.contains("only take turns"), "{r}");
    assert!(
        r.contains("apparent serial fraction of 0.49") && r.contains("no serial part"),
        "{r}"
    );
    assert!(
        r.contains("the memory-bound one 1.12×: memory is shared by every core"),
        "{r}"
    );
    // Memory that keeps up with the cores: not called the limit.
    let mut v = base.clone();
    v["points"][4]["speedup"] = serde_json::json!(1.4);
    let r = serde_json::from_value::<Scaling>(v).unwrap().reading();
    assert!(
        r.contains("here memory kept up with the extra cores"),
        "{r}"
    );
    let r = with(1.98, 1.97, 0.01);
    assert!(r.contains("the same as 2 threads (1.98×)"), "{r}");
    assert!(r.contains("as near perfectly parallel"), "{r}");
    let r = with(1.9, 1.5, 0.05);
    assert!(r.contains("slower than 2 threads (1.9×)"), "{r}");
}

#[test]
fn the_simd_reading_names_the_limit_that_was_measured() {
    use hpp::experiments::Simd;
    let base = reference("simd");
    // The reference run keeps a large gain in main memory: the scalar loop
    // is held by its add chain, not by memory.
    let r = serde_json::from_value::<Simd>(base.clone())
        .unwrap()
        .reading();
    assert!(
        r.contains("still runs 4.27×") && r.contains("waits on its own chain of adds"),
        "{r}"
    );
    assert!(r.contains("held there by memory, not by the core"), "{r}");
    // Make main memory the limit: every variant in DRAM as slow as scalar.
    let mut v = base.clone();
    let big = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["size_bytes"].as_u64().unwrap())
        .max()
        .unwrap();
    let scalar_big = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["variant"] == "scalar"
                && p["size_bytes"] == big
                && p["precision"] == "f32"
                && p["kernel"] == "sum"
        })
        .unwrap()["ns_per_element"]
        .as_f64()
        .unwrap();
    for p in v["points"].as_array_mut().unwrap() {
        if p["size_bytes"] == big && p["variant"] != "scalar" {
            p["ns_per_element"] = serde_json::json!(scalar_big * 0.9);
        }
    }
    let r = serde_json::from_value::<Simd>(v).unwrap().reading();
    assert!(
        r.contains("only 1.11×") && r.contains("about as fast as memory delivers"),
        "{r}"
    );
    assert!(r.contains("held there by memory"), "{r}");
    // A machine whose memory keeps up: the same gain in L1 and in DRAM.
    let mut v = base;
    let l1: std::collections::HashMap<String, f64> = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["size_bytes"] != big)
        .map(|p| {
            (
                format!("{}{}{}", p["kernel"], p["variant"], p["precision"]),
                p["ns_per_element"].as_f64().unwrap(),
            )
        })
        .collect();
    for p in v["points"].as_array_mut().unwrap() {
        if p["size_bytes"] == big {
            let k = format!("{}{}{}", p["kernel"], p["variant"], p["precision"]);
            p["ns_per_element"] = serde_json::json!(l1[&k]);
        }
    }
    let r = serde_json::from_value::<Simd>(v).unwrap().reading();
    assert!(
        r.contains("keeps its lead") && r.contains("still runs 32.8×"),
        "{r}"
    );
}

#[test]
fn the_pointers_reference_sum_is_the_sum_of_its_floats() {
    use hpp::experiments::python_costs::pointers::reference_sum;
    for n in [0usize, 1, 2, 1023, 1024, 1025, 5000, 1 << 20] {
        let v = hpp::kernels::memory::make_f64(n).unwrap();
        assert_eq!(
            reference_sum(n as u64),
            hpp::kernels::memory::sum_f64(&v),
            "n = {n}"
        );
    }
}

#[test]
fn mlp_says_whether_the_misses_overlapped() {
    use hpp::experiments::Mlp;
    let base = reference("mlp");
    let r = reading::<Mlp>(base.clone());
    assert!(r.contains("the memory system overlaps their misses"), "{r}");
    // Sixteen chases no faster than one: no overlap to claim.
    let mut v = base.clone();
    let one = v["points"][0]["ns_per_load"].clone();
    let last = v["points"].as_array().unwrap().len() - 1;
    v["points"][last]["ns_per_load"] = one;
    let r = reading::<Mlp>(v);
    assert!(
        r.contains("hardly overlap") && r.contains(", 1× the throughput"),
        "{r}"
    );
    assert!(!r.contains("the memory system overlaps"), "{r}");
}

#[test]
fn the_interpreter_reading_follows_its_ratio() {
    use hpp::experiments::Interpreter;
    let base = reference("interpreter");
    let r = reading::<Interpreter>(base.clone());
    assert!(r.contains("× faster for the same arithmetic"), "{r}");
    for (ratio, says) in [
        (1.02, "about as fast"),
        (0.5, "2× slower than the interpreter"),
    ] {
        let mut v = base.clone();
        v["ratio"] = json!(ratio);
        let r = reading::<Interpreter>(v);
        assert!(
            r.contains(says) && !r.contains("faster for the same"),
            "{r}"
        );
    }
}

#[test]
fn bandwidth_says_less_only_when_main_memory_gave_less() {
    use hpp::experiments::Bandwidth;
    let base = reference("bandwidth");
    let r = reading::<Bandwidth>(base.clone());
    assert!(
        r.contains("× less once the data has to come from further out"),
        "{r}"
    );
    // Every one-thread read as fast as the smallest: no drop to report.
    let mut v = base.clone();
    let points = v["points"].as_array_mut().unwrap();
    let fastest = points
        .iter()
        .filter(|p| p["kernel"] == "read" && p["threads"] == 1)
        .map(|p| p["gb_per_s"].as_f64().unwrap())
        .fold(0.0, f64::max);
    for p in points.iter_mut() {
        if p["kernel"] == "read" && p["threads"] == 1 {
            p["gb_per_s"] = json!(fastest);
        }
    }
    let r = reading::<Bandwidth>(v);
    assert!(
        r.contains("no less: here one thread's reads were limited by the core"),
        "{r}"
    );
    assert!(!r.contains("× less"), "{r}");
}
