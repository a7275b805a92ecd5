//! Chapter 1 memory experiments: kernels against references, level detection
//! on recorded curves, and each experiment's data shape under a tiny budget.

use hpp::Fact;
use hpp::experiments::memory::latency::{LatencyPoint, levels, plateaus};
use hpp::experiments::{Outcome, latency};
use hpp::kernels::cache::Chain;
use hpp::kernels::rng::{SplitMix64, single_cycle};
use hpp::machine::{Machine, machine, probe_linux_root};
use hpp::measure::Budget;

use crate::fixture;

/// This machine's card with the caches of a recorded machine, so level
/// matching is tested against known sizes whatever runs the tests.
fn with_caches(name: &str) -> Machine {
    let mut m = machine();
    m.caches = probe_linux_root(&fixture(name)).caches;
    m
}

fn tiny() -> Budget {
    Budget {
        level: hpp::measure::Level::Quick,
        min_run_s: 0.001,
        runs: 3,
        max_working_set_bytes: 256 << 10,
    }
}

#[test]
fn single_cycle_visits_every_node_once() {
    for n in [1, 2, 3, 10, 1000] {
        let next = single_cycle(n, 42);
        let mut seen = vec![false; n];
        let mut i = 0;
        for _ in 0..n {
            assert!(!seen[i], "node {i} visited twice (n = {n})");
            seen[i] = true;
            i = next[i];
        }
        assert_eq!(i, 0, "back at the start after n steps");
        assert!(seen.iter().all(|&s| s));
    }
}

#[test]
fn shuffles_are_permutations_and_seeded() {
    let mut a: Vec<u32> = (0..100).collect();
    let mut b = a.clone();
    SplitMix64::new(7).shuffle(&mut a);
    SplitMix64::new(7).shuffle(&mut b);
    assert_eq!(a, b, "same seed, same order");
    assert_ne!(a, (0..100).collect::<Vec<_>>());
    let mut sorted = a.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..100).collect::<Vec<_>>());
    let mut r = SplitMix64::new(1);
    assert!((0..1000).all(|_| r.below(7) < 7));
}

#[test]
fn chase_matches_reference_and_walks_the_whole_cycle() {
    for (nodes, node_bytes) in [(1, 64), (7, 64), (1000, 64), (513, 8), (64, 128)] {
        let c = Chain::new(nodes, node_bytes, 3).unwrap();
        assert_eq!(c.bytes(), nodes * node_bytes);
        for (start, steps) in [(0, 0), (0, 1), (0, 13), (5, 1000), (0, nodes)] {
            assert_eq!(
                c.chase(start, steps),
                c.chase_reference(start, steps),
                "{nodes} nodes, {steps} steps"
            );
        }
        assert_eq!(c.chase(0, nodes), 0, "a single cycle returns after n links");
        // Continuing from where a call stopped is the same as one long walk.
        let first = nodes / 2 + 1;
        let mid = c.chase(0, first);
        assert_eq!(c.chase(mid, nodes + 4 - first), c.chase(0, nodes + 4));
    }
}

#[test]
fn huge_page_chains_walk_the_same_way() {
    let c = Chain::new_huge(5000, 64, 3).unwrap();
    let plain = Chain::new(5000, 64, 3).unwrap();
    assert_eq!(c.bytes(), plain.bytes());
    for steps in [0, 1, 77, 5000] {
        assert_eq!(c.chase(0, steps), c.chase_reference(0, steps));
        assert_eq!(
            c.chase(0, steps),
            plain.chase(0, steps),
            "same seed, same cycle"
        );
    }
    match hpp::machine::huge_pages::huge_pages_state() {
        Ok(mode) => assert!(mode == "always" || mode == "madvise"),
        Err(u) => assert!(!u.reason().is_empty()),
    }
}

#[test]
fn bad_chains_are_errors() {
    assert!(Chain::new(0, 64, 1).is_err());
    assert!(Chain::new(10, 3, 1).is_err());
    assert!(Chain::new(10, 0, 1).is_err());
}

#[test]
fn parallel_chases_match_single_ones() {
    let c = Chain::new(1000, 64, 9).unwrap();
    for k in [1, 2, 5, 16] {
        let mut pos = c.spread_starts(k);
        let starts = pos.clone();
        c.chase_parallel(&mut pos, 77);
        for (s, p) in starts.iter().zip(&pos) {
            assert_eq!(*p, c.chase_reference(*s, 77));
        }
    }
}

/// This machine's curve (hpp run latency, 2026-11-24), for level matching.
fn recorded_curve() -> Vec<LatencyPoint> {
    let ns = [
        1.25, 1.25, 1.25, 1.33, 3.76, 3.77, 4.17, 9.55, 14.5, 16.1, 17.2, 114.0, 138.0, 151.0,
        173.0, 175.0,
    ];
    ns.iter()
        .enumerate()
        .map(|(i, &ns_per_load)| LatencyPoint {
            size_bytes: 4096 << i,
            ns_per_load,
        })
        .collect()
}

#[test]
fn plateaus_of_a_recorded_curve() {
    let ns: Vec<f64> = recorded_curve().iter().map(|p| p.ns_per_load).collect();
    let p = plateaus(&ns);
    // 4K–32K, 64K–256K, 1M–4M, 16M–128M; 512K and 8M are transitions.
    assert_eq!(p, [(0, 3), (4, 6), (8, 10), (12, 15)]);
}

/// Three default-budget runs on a 2-vCPU KVM guest of a Xeon (hpp run
/// latency, 2026-11-30): 4 KiB pages from 4 KiB, huge pages from 64 KiB, in
/// half-octave steps. The card reports L1d 48 KiB, L2 2 MiB and the host's
/// 260 MiB L3, of which this guest's share ends near 8 MiB (and moves with
/// the neighbours' load).
const VM_RUNS: [([f64; 33], [f64; 25]); 3] = [
    (
        [
            1.72, 1.72, 1.71, 1.71, 1.71, 1.72, 1.77, 1.97, 5.46, 5.47, 5.48, 5.5, 5.49, 5.58,
            6.22, 6.83, 7.39, 11.01, 24.02, 34.8, 36.3, 36.99, 86.54, 137.31, 140.16, 142.59,
            145.92, 149.62, 156.26, 165.91, 170.43, 187.25, 212.14,
        ],
        [
            5.43, 5.47, 5.42, 5.45, 5.47, 6.11, 6.77, 6.73, 7.82, 9.88, 16.86, 32.33, 35.58, 37.13,
            39.9, 134.14, 141.56, 136.41, 136.88, 137.42, 139.32, 140.39, 145.16, 145.91, 146.04,
        ],
    ),
    (
        [
            1.69, 1.69, 1.7, 1.7, 1.7, 1.71, 1.71, 1.73, 5.44, 5.46, 5.45, 5.47, 5.48, 5.48, 6.1,
            6.68, 7.11, 9.97, 17.37, 35.12, 37.09, 38.33, 41.02, 141.38, 142.34, 145.31, 145.98,
            146.92, 162.04, 166.1, 176.38, 194.81, 216.11,
        ],
        [
            5.41, 5.42, 5.43, 5.42, 5.58, 5.5, 6.08, 6.67, 7.01, 9.64, 18.22, 33.7, 36.42, 37.47,
            40.16, 135.94, 140.8, 137.14, 138.27, 138.4, 139.3, 140.18, 140.46, 143.07, 146.36,
        ],
    ),
    (
        [
            1.71, 1.7, 1.7, 1.7, 1.7, 1.7, 1.7, 1.73, 5.43, 5.42, 5.44, 5.46, 5.47, 5.6, 6.18,
            6.83, 7.19, 12.79, 19.32, 34.99, 36.91, 39.08, 119.17, 147.21, 147.84, 148.83, 152.86,
            153.84, 156.73, 186.96, 191.87, 222.16, 232.84,
        ],
        [
            5.45, 5.44, 5.46, 5.61, 5.65, 5.95, 6.44, 8.78, 13.28, 28.54, 35.06, 37.5, 38.8, 42.55,
            147.81, 151.53, 155.36, 145.97, 138.22, 139.72, 140.29, 142.09, 142.17, 144.04, 145.53,
        ],
    ),
];

/// Half-octave sizes from `from` KiB, as the sweep takes them.
fn half_octaves(from_kib: u64, ns: &[f64]) -> Vec<LatencyPoint> {
    hpp::measure::plan::half_octave_steps(from_kib << 10, u64::MAX / 4)
        .into_iter()
        .zip(ns)
        .map(|(size_bytes, &ns_per_load)| LatencyPoint {
            size_bytes,
            ns_per_load,
        })
        .collect()
}

fn vm_run(k: usize) -> (Vec<LatencyPoint>, Vec<LatencyPoint>) {
    (
        half_octaves(4, &VM_RUNS[k].0),
        half_octaves(64, &VM_RUNS[k].1),
    )
}

/// The VM's card: L1d 48 KiB, L2 2 MiB, the host's L3 260 MiB.
fn vm_card(l3: u64) -> Machine {
    let mut m = with_caches("amd-epyc-kvm-2cpu");
    if let Fact::Known(cs) = &mut m.caches {
        for c in cs.iter_mut() {
            c.size_bytes = match (c.level, c.label().as_str()) {
                (1, "L1d") => 48 << 10,
                (2, _) => 2 << 20,
                (3, _) => l3,
                _ => c.size_bytes,
            };
        }
    }
    m
}

fn names(l: &[hpp::experiments::memory::latency::LatencyLevel]) -> Vec<&str> {
    l.iter().map(|l| l.level.as_str()).collect()
}

#[test]
fn the_levels_come_out_the_same_in_three_runs() {
    let m = vm_card(260 << 20);
    for k in 0..3 {
        let (small, huge) = vm_run(k);
        let l = levels(&small, Some(&huge), &m);
        assert_eq!(names(&l), ["L1d", "L2", "L3", "DRAM"], "run {k}");
        assert_eq!(l[0].detected_bytes, Some(48 << 10), "run {k}");
        assert_eq!(l[1].detected_bytes, Some(1 << 20), "run {k}");
        // The host's L3 share moves with its neighbours: 6 or 8 MiB.
        assert!(matches!(l[2].detected_bytes, Some(b) if b == 6 << 20 || b == 8 << 20));
        // Main memory at main memory's speed, the L3 well below it.
        assert!(
            l[3].ns_per_load > 130.0 && l[2].ns_per_load < 45.0,
            "run {k}: {l:?}"
        );
    }
}

#[test]
fn noise_of_a_tenth_does_not_move_a_level() {
    let m = vm_card(260 << 20);
    let (small, huge) = vm_run(0);
    let reference = levels(&small, Some(&huge), &m);
    for phase in 0..5 {
        let jitter = |v: &[LatencyPoint]| -> Vec<LatencyPoint> {
            v.iter()
                .enumerate()
                .map(|(i, p)| LatencyPoint {
                    size_bytes: p.size_bytes,
                    ns_per_load: p.ns_per_load * (1.0 + 0.07 * ((i + phase) as f64 * 1.7).sin()),
                })
                .collect()
        };
        let l = levels(&jitter(&small), Some(&jitter(&huge)), &m);
        assert_eq!(names(&l), names(&reference), "phase {phase}");
        for (a, b) in l.iter().zip(&reference) {
            let (a, b) = (a.detected_bytes.unwrap_or(0), b.detected_bytes.unwrap_or(0));
            assert!(a.max(b) <= a.min(b) * 2, "phase {phase}: {a} vs {b}");
        }
    }
}

#[test]
fn a_plateau_at_main_memory_speed_is_never_called_a_cache() {
    // The L3 stretch left out, and the sweep stopped at 64 MiB, inside the
    // 260 MiB the card reports: the curve cannot say L3 or memory.
    let (small, _) = vm_run(0);
    let cut: Vec<LatencyPoint> = small
        .iter()
        .filter(|p| p.size_bytes <= 64 << 20)
        .filter(|p| !(3 << 20..=6 << 20).contains(&p.size_bytes))
        .cloned()
        .collect();
    let l = levels(&cut, None, &vm_card(260 << 20));
    assert_eq!(names(&l), ["L1d", "L2", "L3 or DRAM"]);
    assert!(!l.iter().any(|l| l.level == "L3"));
    // With a card whose L3 the sweep went well past, it is main memory.
    let l = levels(&cut, None, &vm_card(16 << 20));
    assert_eq!(names(&l), ["L1d", "L2", "DRAM"]);
}

#[test]
fn huge_pages_explain_a_rise_inside_a_level_only_when_they_remove_it() {
    let m = vm_card(260 << 20);
    let (small, huge) = vm_run(0);
    let mut r = latency_result(&small, Some(huge.clone()), &m);
    let text = r.reading();
    // 8 MiB: 86.5 ns on 4 KiB pages, 39.9 on huge pages, inside L3.
    assert!(
        text.contains("Inside L3") && text.contains("TLB's reach"),
        "{text}"
    );
    // 1 MiB inside L2: huge pages rise as well.
    assert!(
        text.contains("Inside L2") && text.contains("not the TLB"),
        "{text}"
    );
    // The L3 plateau ends at 8 MiB against the card's 260 MiB: far sooner;
    // against a 16 MiB card it is not.
    assert!(text.contains("far sooner"), "{text}");
    let text16 = latency_result(&small, Some(huge.clone()), &vm_card(16 << 20)).reading();
    assert!(
        text16.contains("(card: 16 MiB)") && !text16.contains("far sooner"),
        "{text16}"
    );
    // Huge pages no faster anywhere: no TLB story.
    r.huge_pages = Fact::Known(
        small
            .iter()
            .filter(|p| p.size_bytes >= 64 << 10)
            .cloned()
            .collect(),
    );
    r.levels = levels(&small, r.huge_pages.known().map(Vec::as_slice), &m);
    let text = r.reading();
    assert!(!text.contains("TLB's reach"), "{text}");
    // No huge-page chase at all: a rise is left unexplained, not guessed at.
    let r = latency_result(&small, None, &m);
    assert!(!r.reading().contains("Inside "), "{}", r.reading());
}

fn latency_result(
    small: &[LatencyPoint],
    huge: Option<Vec<LatencyPoint>>,
    m: &Machine,
) -> hpp::experiments::Latency {
    hpp::experiments::Latency {
        experiment: "latency".into(),
        node_bytes: 64,
        clock_ghz: Fact::Known(3.0),
        points: small.to_vec(),
        levels: levels(small, huge.as_deref(), m),
        huge_pages: huge.map_or_else(|| Fact::unavailable("test"), Fact::Known),
        huge_pages_granted_bytes: None,
        markers: hpp::measure::plan::cache_markers(m),
        budget: "default".into(),
    }
}

#[test]
fn levels_match_the_probed_caches_in_order() {
    let m = with_caches("amd-epyc-kvm-2cpu");
    let l = levels(&recorded_curve(), None, &m);
    let names: Vec<&str> = l.iter().map(|l| l.level.as_str()).collect();
    assert_eq!(names, ["L1d", "L2", "L3", "DRAM"]);
    assert_eq!(l[0].detected_bytes, Some(32 << 10));
    assert_eq!(l[1].detected_bytes, Some(256 << 10));
    assert_eq!(l[2].detected_bytes, Some(4 << 20));
    assert_eq!(l[0].probed_bytes, Some(32 << 10));
    assert_eq!(l[3].size_bytes, 128 << 20);
    assert_eq!(l[3].ns_per_load, 175.0);
    assert!(l[0].ns_per_load < l[1].ns_per_load && l[1].ns_per_load < l[2].ns_per_load);
}

#[test]
fn levels_without_a_card_come_from_the_curve_alone() {
    let mut m = machine();
    m.caches = Fact::unavailable("test");
    let l = levels(&recorded_curve(), None, &m);
    assert_eq!(l.first().map(|l| l.level.as_str()), Some("level 1"));
    assert_eq!(l.last().map(|l| l.level.as_str()), Some("memory"));
    assert_eq!(l[0].detected_bytes, Some(32 << 10));
}

#[test]
fn latency_experiment_shape() {
    let m = machine();
    let r = latency(&m, &tiny()).unwrap();
    let sizes: Vec<u64> = r.points.iter().map(|p| p.size_bytes).collect();
    assert_eq!(sizes.first(), Some(&4096));
    assert_eq!(sizes.last(), Some(&(256 << 10)));
    assert!(
        r.points
            .iter()
            .all(|p| p.ns_per_load > 0.0 && p.ns_per_load.is_finite())
    );
    let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert!(json["points"][0]["size_bytes"].is_u64());
    assert!(json["points"][0]["ns_per_load"].is_f64());
    for l in json["levels"].as_array().unwrap() {
        assert!(l["level"].is_string() && l["size_bytes"].is_u64() && l["ns_per_load"].is_f64());
        assert!(l.get("detected_bytes").is_some());
    }
    assert!(r.reading().starts_with("Load latency on this machine"));
    r.plot().unwrap();
}

mod bandwidth_kernels {
    use hpp::kernels::bandwidth::*;

    #[test]
    fn read_sum_matches_reference_at_any_length_and_alignment() {
        let v: Vec<f64> = (0..1003).map(|i| (i % 13) as f64).collect();
        for start in 0..3 {
            for len in [0, 1, 7, 8, 9, 100, 1000] {
                let s = &v[start..start + len];
                assert_eq!(
                    read_sum(s),
                    read_sum_reference(s),
                    "start {start}, len {len}"
                );
            }
        }
    }

    #[test]
    fn stores_match_reference_including_streaming_and_misaligned() {
        let b: Vec<f64> = (0..301).map(|i| (i % 16) as f64).collect();
        let c: Vec<f64> = (0..301).map(|i| (i % 4) as f64).collect();
        for start in 0..2 {
            for len in [0, 1, 2, 3, 64, 299] {
                let (b, c) = (&b[start..start + len], &c[start..start + len]);
                let mut want = vec![0.0; len + 1];
                let mut got = vec![0.0; len + 1];
                for (run, refr) in [
                    (
                        Box::new(|a: &mut [f64]| write(a, 2.5)) as Box<dyn Fn(&mut [f64])>,
                        (None, None, 0.0, 2.5),
                    ),
                    (
                        Box::new(|a: &mut [f64]| write_nt(a, 2.5)),
                        (None, None, 0.0, 2.5),
                    ),
                    (
                        Box::new(|a: &mut [f64]| copy(a, b)),
                        (Some(b), None, 0.0, 0.0),
                    ),
                    (
                        Box::new(|a: &mut [f64]| copy_nt(a, b)),
                        (Some(b), None, 0.0, 0.0),
                    ),
                    (
                        Box::new(|a: &mut [f64]| triad(a, b, c, 3.0)),
                        (Some(b), Some(c), 3.0, 0.0),
                    ),
                    (
                        Box::new(|a: &mut [f64]| triad_nt(a, b, c, 3.0)),
                        (Some(b), Some(c), 3.0, 0.0),
                    ),
                ] {
                    // Offset the destination by `start` too, to cross alignments.
                    run(&mut got[start..start + len]);
                    store_reference(
                        &mut want[start..start + len],
                        refr.0,
                        refr.1,
                        refr.2,
                        refr.3,
                    );
                    assert_eq!(got, want, "start {start}, len {len}");
                }
            }
        }
    }

    #[test]
    fn every_kernel_validates_and_counts_stream_bytes() {
        for k in BwKernel::ALL {
            let mut a = BwArrays::new(k, 1001);
            a.run(k);
            a.validate(k).unwrap();
            assert_eq!(
                a.bytes_moved(k),
                1001 * 8 * k.arrays() as u64,
                "{}",
                k.name()
            );
        }
        let mut a = BwArrays::new(BwKernel::Read, 16);
        assert_eq!(
            a.run(BwKernel::Read),
            (0..16).map(|i| (i % 8) as f64).sum::<f64>()
        );
    }
}

#[test]
fn bandwidth_experiment_shape() {
    use hpp::experiments::bandwidth;
    use hpp::measure::plan::thread_counts;
    assert_eq!(thread_counts(1), vec![1]);
    assert_eq!(thread_counts(2), vec![1, 2]);
    assert_eq!(thread_counts(6), vec![1, 2, 4, 6]);
    assert_eq!(thread_counts(8), vec![1, 2, 4, 8]);
    let m = machine();
    assert!(
        bandwidth(&m, &tiny(), Some(1 << 20)).is_err(),
        "an absurd thread count is refused"
    );
    let r = bandwidth(&m, &tiny(), Some(2)).unwrap();
    assert_eq!(r.thread_counts, vec![1, 2]);
    // 16 KiB, 64 KiB, 256 KiB × 7 kernels × 2 thread counts.
    assert_eq!(r.points.len(), 3 * 7 * 2);
    assert!(
        r.points
            .iter()
            .all(|p| p.gb_per_s.is_finite() && p.gb_per_s > 0.0)
    );
    let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    let p = &json["points"][0];
    assert!(
        p["kernel"].is_string()
            && p["threads"].is_u64()
            && p["size_bytes"].is_u64()
            && p["gb_per_s"].is_f64()
    );
    assert!(r.reading().starts_with("One thread reads"));
    r.plot().unwrap();
}

#[test]
fn bandwidth_refuses_what_memory_cannot_hold() {
    // A machine with 1 GiB free: 32 threads of 64 MiB arrays cannot fit.
    let mut m = machine();
    m.memory.available_bytes = Fact::Known(1 << 30);
    m.caches = probe_linux_root(&fixture("amd-epyc-kvm-2cpu")).caches;
    let budget = Budget {
        max_working_set_bytes: 64 << 20,
        ..tiny()
    };
    let e = hpp::experiments::bandwidth(&m, &budget, Some(32)).unwrap_err();
    assert!(e.to_string().contains("needs 2 GiB"), "{e}");
}

#[test]
fn strided_sum_matches_reference() {
    let a: Vec<u64> = (0..5000).map(|i| i * 3 + 1).collect();
    for s in [1, 2, 3, 8, 16, 64, 4999, 5000, 7000] {
        assert_eq!(
            hpp::kernels::cache::strided_sum(&a, s),
            hpp::kernels::cache::strided_sum_reference(&a, s),
            "stride {s}"
        );
    }
}

#[test]
fn gathers_match_reference() {
    use hpp::kernels::cache::{gather_sum, gather_sum_prefetch, gather_sum_reference};
    let data: Vec<u64> = (0..1000).map(|i| i * i).collect();
    let idx: Vec<u32> = (0..3000u32).map(|i| (i * 7919) % 1200).collect(); // some past the end
    let want = gather_sum_reference(&data, &idx);
    assert_eq!(gather_sum(&data, &idx), want);
    for d in [0, 1, 16, 5000] {
        assert_eq!(gather_sum_prefetch(&data, &idx, d), want, "distance {d}");
    }
}

#[test]
fn line_detection_on_recorded_curves() {
    use hpp::experiments::memory::cacheline::{StridePoint, detect_line};
    let curve = |ns: &[f64]| -> Vec<StridePoint> {
        ns.iter()
            .enumerate()
            .map(|(i, &n)| StridePoint {
                stride_bytes: 8 << i,
                ns_per_access: n,
            })
            .collect()
    };
    // This machine, array in L2 (hpp run cacheline, 2026-11-24).
    assert_eq!(
        detect_line(&curve(&[0.176, 0.214, 0.327, 0.651, 0.654, 0.669, 1.34])),
        Some(64)
    );
    // The same CPU from main memory: the prefetchers move the knee to 128.
    assert_eq!(
        detect_line(&curve(&[0.742, 1.23, 2.23, 3.81, 6.09, 6.44, 6.72])),
        Some(128)
    );
    // A flat curve has no knee to read.
    assert_eq!(
        detect_line(&curve(&[1.0, 1.0, 1.05, 1.0, 1.02, 1.0, 1.0])),
        None
    );
}

#[test]
fn the_cacheline_reading_says_what_the_curve_says() {
    use hpp::experiments::Outcome;
    use hpp::experiments::memory::cacheline::{CacheLine, StridePoint, detect_line};
    let make = |ns: &[f64], card: Option<u64>| {
        let points: Vec<StridePoint> = ns
            .iter()
            .enumerate()
            .map(|(i, &n)| StridePoint {
                stride_bytes: 8 << i,
                ns_per_access: n,
            })
            .collect();
        CacheLine {
            experiment: "cacheline".into(),
            line_bytes: detect_line(&points),
            probed_line_bytes: card,
            array_bytes: 1 << 20,
            points,
            budget: "quick".into(),
        }
        .reading()
    };
    // The textbook: the knee at the card's 64 bytes, and a rise at 512.
    let r = make(&[0.176, 0.214, 0.327, 0.651, 0.654, 0.669, 1.34], Some(64));
    assert!(
        r.contains("64-byte stride, the line size the machine card reports"),
        "{r}"
    );
    assert!(
        r.contains("At 512 bytes the cost rises again") && r.contains("only 8 reads"),
        "{r}"
    );
    // The reference run: the knee at 128 where the card says 64.
    let r = make(&[0.742, 1.23, 2.23, 3.81, 6.09, 6.44, 6.72], Some(64));
    assert!(r.contains("128-byte stride, twice the 64-byte line"), "{r}");
    assert!(!r.contains("rises again"), "{r}");
    assert!(!r.contains("the line size the machine card reports"), "{r}");
    // A knee before the card's line: not called the line.
    let r = make(&[1.0, 1.6, 2.6, 2.7, 2.75, 2.8, 2.8], Some(64));
    assert!(r.contains("before the 64-byte line"), "{r}");
    // No knee at all.
    let r = make(&[1.0, 1.0, 1.05, 1.0, 1.02, 1.0, 1.0], Some(64));
    assert!(r.starts_with("No clear knee"), "{r}");
    // Whether the whole line is paid for follows the numbers.
    let r = make(&[0.176, 0.214, 0.327, 0.651, 0.654, 0.669, 0.67], None);
    assert!(
        r.contains("only a share of") && !r.contains("whole line either way"),
        "{r}"
    );
    let r = make(&[0.1, 0.2, 0.4, 0.8, 0.82, 0.83, 0.84], None);
    assert!(r.contains("whole line either way"), "{r}");
}

#[test]
fn cacheline_experiment_shape() {
    let r = hpp::experiments::cacheline(&machine(), &tiny()).unwrap();
    let strides: Vec<u64> = r.points.iter().map(|p| p.stride_bytes).collect();
    assert_eq!(strides, vec![8, 16, 32, 64, 128, 256, 512]);
    let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert!(json.get("line_bytes").is_some());
    r.plot().unwrap();
}

#[test]
fn mlp_experiment_shape() {
    let r = hpp::experiments::mlp(&machine(), &tiny()).unwrap();
    let chains: Vec<usize> = r.points.iter().map(|p| p.chains).collect();
    assert_eq!(chains, vec![1, 2, 4, 8, 16]);
    assert!(r.gather_ns_per_load > 0.0);
    assert_eq!(
        r.gather_prefetch_ns_per_load.is_known(),
        hpp::kernels::cache::software_prefetch_available()
    );
    let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert!(json["points"][0]["ns_per_load"].is_f64());
    assert!(r.reading().starts_with("One chase waits"));
    r.plot().unwrap();
}

#[test]
fn heavy_data_experiment_shape() {
    let r = hpp::experiments::heavy_data(&machine(), &tiny()).unwrap();
    assert_eq!(r.rows.len(), 6);
    assert_eq!(r.rows[0].ratio_to_sum, 1.0);
    assert!(r.rows.iter().all(|x| x.seconds > 0.0));
    // Text conversion does strictly more work than the in-place sum.
    assert!(r.rows[3].seconds > r.rows[0].seconds);
    r.plot().unwrap();
    assert!(r.reading().starts_with("Summing"));
}

#[test]
fn reference_latency_numbers_are_the_published_ones() {
    let rows = hpp::experiments::io::tiers::reference_rows();
    assert_eq!(rows.len(), 14);
    let get = |op: &str| rows.iter().find(|r| r.0 == op).cloned().unwrap();
    assert_eq!(
        get("L1 cache reference"),
        ("L1 cache reference".into(), Some(0.5), Some(0.5))
    );
    assert_eq!(get("Main memory reference").1, Some(100.0));
    assert_eq!(get("Read 4K randomly from SSD").1, Some(150_000.0));
    assert_eq!(
        get("Send packet CA->Netherlands->CA").2,
        Some(150_000_000.0)
    );
    assert_eq!(
        get("Branch mispredict").2,
        None,
        "unchecked figures stay empty"
    );
}

#[test]
fn tiers_from_measured_inputs() {
    use hpp::experiments::tiers_from;
    let m = machine();
    let lat = latency(&m, &tiny()).unwrap();
    let t = tiers_from(&m, &tiny(), &hpp::prelude::tier_inputs(&lat, None, None)).unwrap();
    assert_eq!(t.tiers.first().map(|t| t.tier.as_str()), Some("registers"));
    assert_eq!(t.tiers.last().map(|t| t.tier.as_str()), Some("disk"));
    // Without a storage run the disk row says why, never 0.
    let disk = t.tiers.last().unwrap();
    assert!(!disk.latency_ns.is_known());
    assert_eq!(t.numbers.len(), 14);
    let l1 = &t.numbers[0];
    if lat.level("L1d").is_some() {
        assert_eq!(l1.ratio_to_l1, Fact::Known(1.0));
    }
    assert!(
        t.numbers
            .iter()
            .any(|n| n.operation == "Mutex lock/unlock" && n.measured_ns.is_known())
    );
    assert!(t.numbers_html().contains("reference: ~2012 list"));
    t.plot().unwrap();
}

#[test]
fn access_experiment_shape_and_mountain() {
    let r = hpp::experiments::access(&machine(), &tiny()).unwrap();
    for p in ["sequential", "strided", "random"] {
        assert_eq!(
            r.points.iter().filter(|x| x.pattern == p).count(),
            r.mountain.sizes_bytes.len()
        );
    }
    assert_eq!(r.mountain.mb_per_s.len(), r.mountain.sizes_bytes.len());
    assert!(
        r.mountain
            .mb_per_s
            .iter()
            .all(|row| row.len() == r.mountain.strides_bytes.len())
    );
    let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert!(json["mountain"]["mb_per_s"][0][0].is_f64());
    r.plot().unwrap();
    let svg = r.mountain_plot().unwrap().svg;
    assert!(svg.contains("memory mountain") && svg.contains("MB/s"));
}

#[test]
fn thread_counts_read_zero_as_every_cpu_everywhere() {
    use hpp::measure::plan::{MAX_THREADS_PER_CPU, threads};
    let m = machine();
    let cpus = m.usable_cpus();
    assert_eq!(threads(&m, None).unwrap(), cpus);
    assert_eq!(threads(&m, Some(0)).unwrap(), cpus);
    assert_eq!(threads(&m, Some(3)).unwrap(), 3);
    let e = threads(&m, Some(cpus * MAX_THREADS_PER_CPU + 1))
        .unwrap_err()
        .to_string();
    assert!(e.contains("time slicing"), "{e}");
}

#[test]
fn thread_counts_stop_where_free_memory_holds_no_more_stacks() {
    use hpp::measure::plan::{THREAD_STACK_BYTES, threads};
    let mut m = machine();
    let cpus = m.usable_cpus();
    // Room for two stacks (a quarter of free memory is theirs at most).
    m.memory.available_bytes = hpp::Fact::Known(8 * THREAD_STACK_BYTES);
    assert_eq!(threads(&m, Some(2)).unwrap(), 2);
    let e = threads(&m, Some(3)).unwrap_err().to_string();
    assert!(e.contains("stacks") && e.contains("at most 2"), "{e}");
    // 0 still means one per CPU: those threads are what the machine has.
    assert_eq!(threads(&m, Some(0)).unwrap(), cpus);
}
