//! Chapter 6's diffusion ladder: every implementation checked against the
//! reference, and readings that follow the numbers.

use hpp::experiments::arrays::diffusion::{
    BOOK_N, Diffusion, DiffusionRow, RUST, conserved, reference_grid, start_mass,
};
use hpp::experiments::{Outcome, ToData, diffusion_with};
use hpp::kernels::diffusion::{initial_grid, mass};
use hpp::measure::Budget;

fn tiny() -> Budget {
    Budget {
        min_run_s: 0.001,
        runs: 3,
        ..Budget::quick()
    }
}

#[test]
fn the_ladder_is_checked_and_timed_in_both_languages() {
    let m = hpp::machine::machine();
    let d = diffusion_with(&m, &tiny(), None).unwrap();
    for (k, name) in RUST.iter().enumerate() {
        if hpp::experiments::arrays::diffusion::rung_missing(k).is_some() {
            assert!(d.unavailable.iter().any(|u| u.contains(name)), "{name}");
            continue;
        }
        assert!(d.checked.iter().any(|c| c == name), "{name}");
        assert!(d.at("rust", name, 64).is_some(), "{name}");
    }
    if hpp::machine::interpreters::find_python(None).is_known() {
        assert!(
            d.checked.iter().any(|c| c == "CPython lists"),
            "{:?} {:?}",
            d.checked,
            d.unavailable
        );
        assert!(
            d.at("python", "lists", BOOK_N).is_some(),
            "{:?}",
            d.unavailable
        );
    }
    assert!(
        d.rows
            .iter()
            .all(|r| conserved(r.checksum, r.grid, r.implementation.contains("f32")))
    );
    let entry = hpp::chapters::entry("diffusion").unwrap();
    let back = (entry.load)(&d.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), d.to_data().unwrap());
    d.plot().unwrap();
}

#[test]
fn the_reference_conserves_the_block() {
    let n = 64;
    assert!((start_mass(n) - mass(&initial_grid::<f64>(n))).abs() < 1e-18);
    assert!(conserved(mass(&reference_grid(n, 10)), n, false));
    assert!(!conserved(start_mass(n) * 1.01, n, false));
    assert!(conserved(start_mass(n) * 1.0005, n, true));
}

#[test]
fn the_diffusion_reading_follows_the_numbers() {
    let row = |language: &str, implementation: &str, grid: usize, s: f64| DiffusionRow {
        implementation: implementation.into(),
        language: language.into(),
        grid,
        seconds_per_step: s,
        checksum: start_mass(grid),
    };
    // numpy in place beating the fused pass, passes that cost nothing extra,
    // f32 no faster and threads that slow it down.
    let d = Diffusion {
        experiment: "diffusion".into(),
        rows: vec![
            row("python", "lists", 512, 0.2),
            row("python", "numpy in place", 512, 0.001),
            row("rust", RUST[1], 512, 0.0021),
            row("rust", RUST[2], 512, 0.002),
            row("rust", RUST[2], 1024, 0.008),
            row("rust", RUST[3], 1024, 0.0082),
            row("rust", RUST[4], 1024, 0.016),
        ],
        threads: 2,
        cpus_used: vec![hpp::experiments::arrays::diffusion::CpusUsed {
            grid: 1024,
            cpus: 1.9,
            single_cpus: Some(0.95),
        }],
        checked: vec![],
        markers: vec![],
        unavailable: vec![],
        python: None,
        budget: "quick".into(),
    };
    let r = d.reading();
    assert!(r.contains("numpy in place 1 ms (200×)"), "{r}");
    assert!(r.contains("2× slower than numpy in place"), "{r}");
    assert!(r.contains("here the extra passes cost little"), "{r}");
    assert!(r.contains("f32 took about the time of f64"), "{r}");
    assert!(
        r.contains("Rayon over 2 threads ran 0.5× the single pass's speed"),
        "{r}"
    );
    assert!(
        r.contains("keeping 1.9 CPUs busy (its CPU time over the wall clock) against the single pass's 0.95, 2× the CPU: the threads were busy but not all"),
        "{r}"
    );
}

#[test]
fn the_norm_checks_every_way_and_reads_the_numbers() {
    use hpp::experiments::arrays::norm::{NormRow, RUST as WAYS};
    use hpp::experiments::norm_with;
    let m = hpp::machine::machine();
    let mut n = norm_with(&m, &tiny(), None).unwrap();
    for way in WAYS {
        assert!(
            n.rows.iter().any(|r| r.way == way && r.n == 1 << 19),
            "{way}"
        );
    }
    if hpp::machine::interpreters::find_python(None).is_known() {
        assert!(
            n.rows.iter().any(|r| r.way == "for loop"),
            "{:?}",
            n.unavailable
        );
    }
    let entry = hpp::chapters::entry("norm").unwrap();
    let back = (entry.load)(&n.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), n.to_data().unwrap());
    n.plot().unwrap();
    // Lanes that do not pay, memory that does not slow them, and numpy
    // faster than Rust.
    let row = |language: &str, way: &str, size: usize, ns: f64| NormRow {
        language: language.into(),
        way: way.into(),
        n: size,
        ns_per_element: ns,
    };
    n.rows = vec![
        row("rust", WAYS[0], 128, 1.0),
        row("rust", WAYS[1], 128, 1.0),
        row("rust", WAYS[2], 128, 0.9),
        row("rust", WAYS[0], 1 << 15, 1.0),
        row("rust", WAYS[1], 1 << 15, 1.0),
        row("rust", WAYS[2], 1 << 15, 0.9),
        row("python", "for loop", 1 << 15, 30.0),
        row("python", "numpy np.dot", 1 << 15, 0.45),
    ];
    n.unavailable.clear();
    let r = n.reading();
    assert!(r.contains("splitting the sum did not pay here"), "{r}");
    assert!(!r.contains("memory sets the pace"), "{r}");
    assert!(r.contains("Rust's lanes were 2× slower than np.dot"), "{r}");
}

#[test]
fn the_traffic_counts_heap_and_streams_for_every_rung() {
    use hpp::experiments::arrays::traffic::streams;
    let m = hpp::machine::machine();
    // Allocation counts and heap bytes are the whole process's, and the
    // tests beside this one allocate too, so a count can come out higher
    // than the step's own, never lower: up to five runs, keeping the first
    // where the flat buffers' counts are clear of the nested one's.
    let clear = |t: &hpp::experiments::DiffusionTraffic| {
        let of = |name: &str| t.at("rust", name, BOOK_N);
        match (of(RUST[0]), of(RUST[2])) {
            (Some(n), Some(f)) => {
                let below = |a: Option<f64>, b: Option<f64>| matches!((a, b), (Some(x), Some(y)) if y < x / 10.0);
                below(n.allocations_per_step, f.allocations_per_step)
                    && below(n.heap_bytes, f.heap_bytes)
            }
            _ => false,
        }
    };
    let mut t = hpp::experiments::diffusion_traffic_with(&m, &tiny(), None).unwrap();
    for _ in 0..4 {
        if clear(&t) {
            break;
        }
        t = hpp::experiments::diffusion_traffic_with(&m, &tiny(), None).unwrap();
    }
    assert_eq!(t.big(), 1024);
    for (k, name) in RUST.iter().enumerate() {
        if hpp::experiments::arrays::diffusion::rung_missing(k).is_some() {
            continue;
        }
        let r = t.at("rust", name, BOOK_N).unwrap();
        assert_eq!(r.streams, streams("rust", name));
        assert!(r.gb_per_s.unwrap() > 0.0 && r.copy_gb_per_s > 0.0, "{r:?}");
    }
    // The test binary counts allocations: a new Vec<Vec<f64>> is one
    // outer and 512 row allocations; the flat buffers allocate nothing.
    // The counts are the whole process's, and other tests run beside this
    // one, so they can only be higher than the step's own.
    let nested = t.at("rust", RUST[0], BOOK_N).unwrap();
    let (na, nh) = (
        nested.allocations_per_step.unwrap(),
        nested.heap_bytes.unwrap(),
    );
    assert!(na >= 513.0, "{nested:?}");
    assert!(nh >= (BOOK_N * BOOK_N * 8) as f64, "{nested:?}");
    let fused = t.at("rust", RUST[2], BOOK_N).unwrap();
    assert!(fused.allocations_per_step.unwrap() < na / 10.0, "{fused:?}");
    assert!(fused.heap_bytes.unwrap() < nh / 10.0, "{fused:?}");
    if hpp::machine::interpreters::find_python(None).is_known() {
        let lists = t.at("python", "lists", BOOK_N).expect("CPython lists");
        // A new float object (24 bytes) and a list slot (8) per cell.
        assert!(lists.heap_bytes.unwrap() > (BOOK_N * BOOK_N * 24) as f64);
        assert_eq!(lists.streams, None);
    }
    let entry = hpp::chapters::entry("diffusion_traffic").unwrap();
    let back = (entry.load)(&t.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), t.to_data().unwrap());
    t.plot().unwrap();
    let points = t.roof_points();
    let f = points
        .iter()
        .find(|p| p.kernel == "diffusion, Rust fused")
        .unwrap();
    assert!((f.flops_per_byte - 7.0 / 16.0).abs() < 1e-12);
}

#[test]
fn the_traffic_reading_follows_the_numbers() {
    use hpp::experiments::arrays::traffic::{DiffusionTraffic, TrafficRow, streams};
    let row = |language: &str, implementation: &str, grid: usize, s: f64, heap: f64| {
        let st = streams(language, implementation);
        let bytes = st.map(|k| (k as usize * grid * grid * 8) as f64);
        TrafficRow {
            implementation: implementation.into(),
            language: language.into(),
            grid,
            seconds_per_step: s,
            streams: st,
            bytes_per_step: bytes,
            gb_per_s: bytes.map(|b| b / s / 1e9),
            copy_gb_per_s: 10.0,
            heap_bytes: Some(heap),
            allocations_per_step: None,
            instructions_per_step: Some(1e6),
            cache_misses_per_step: Some(1e3),
        }
    };
    // 2048² needs 64 MiB a step (67.1 MB): 6.71 ms at 10 GB/s. A fused pass
    // taking 30 ms is not limited by memory; numpy's passes moving their
    // bytes at twice the copy loop's speed; lists that hold nothing extra.
    let mut t = DiffusionTraffic {
        experiment: "diffusion_traffic".into(),
        rows: vec![
            row("python", "lists", 512, 0.2, 0.0),
            row("rust", RUST[2], 512, 0.001, 0.0),
            row("rust", RUST[2], 2048, 0.030, 0.0),
            row("rust", RUST[1], 2048, 0.035, 0.0),
        ],
        heap_method: "test".into(),
        counters: None,
        unavailable: vec![],
        python: None,
        budget: "quick".into(),
    };
    t.rows[3].cache_misses_per_step = Some(5e3);
    let r = t.reading();
    assert!(
        r.contains("at the copy loop's 10 GB/s that is 6.71 ms"),
        "{r}"
    );
    assert!(
        r.contains("took 30 ms (4.47× that: here something other than moving bytes limited it)"),
        "{r}"
    );
    assert!(r.contains("(200% of the copy loop)"), "{r}");
    assert!(r.contains("CPython lists nothing measurable"), "{r}");
    assert!(r.contains("(5× the misses)"), "{r}");
    // The other way round: a pass at memory speed, and no counters.
    t.rows[2].seconds_per_step = 0.007;
    t.counters = Some("no PMU".into());
    let r = t.reading();
    assert!(
        r.contains("(1.04× that: it runs at the memory's speed)"),
        "{r}"
    );
    assert!(r.contains("Hardware counters: unavailable: no PMU."), "{r}");
    assert!(t.plot().is_ok());
}

#[test]
fn the_gpu_note_says_why_or_what_the_copies_cost() {
    use hpp::error::Fact;
    use hpp::experiments::arrays::gpu::{Gpu, GpuCopy};
    use hpp::measure::cuda::Device;
    let m = hpp::machine::machine();
    let g = hpp::experiments::gpu(&m, &tiny()).unwrap();
    assert_eq!(g.book.len(), 10);
    let r = g.reading();
    assert!(r.contains("61.8× less at 2048 × 2048"), "{r}");
    match &g.devices {
        Fact::Known(_) => assert!(!g.copies.is_empty(), "{r}"),
        Fact::Unavailable(u) => {
            assert!(g.copies.is_empty());
            assert!(
                r.contains(&format!("No GPU here: {}.", u.unavailable)),
                "{r}"
            );
        }
    }
    g.plot().unwrap();
    let entry = hpp::chapters::entry("gpu").unwrap();
    let back = (entry.load)(&g.to_data().unwrap()).unwrap();
    assert_eq!(back.to_data().unwrap(), g.to_data().unwrap());
    // A machine with a GPU: a slow bus (a round trip of many GPU steps), then
    // a fast one (less than a step).
    let mut with = Gpu {
        devices: Fact::Known(vec![Device {
            name: "Test GPU".into(),
            memory_bytes: 16 << 30,
            driver_version: 12040,
        }]),
        copies: vec![GpuCopy {
            grid: 2048,
            bytes: 2048 * 2048 * 8,
            to_device_s: 0.003,
            to_host_s: 0.004,
        }],
        ..g
    };
    let r = with.reading();
    assert!(r.contains("This machine has Test GPU (16 GiB)"), "{r}");
    assert!(
        r.contains("to it took 3 ms (11.2 GB/s) and back 4 ms"),
        "{r}"
    );
    assert!(r.contains("costs 7.68 of the book's GPU steps"), "{r}");
    assert!(r.contains("must stay on the GPU"), "{r}");
    with.copies[0].to_device_s = 0.0003;
    with.copies[0].to_host_s = 0.0003;
    let r = with.reading();
    assert!(r.contains("less than a step"), "{r}");
    assert_eq!(
        with.plot()
            .unwrap()
            .svg
            .matches("this machine: grid copied")
            .count(),
        2
    );
}
