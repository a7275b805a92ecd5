//! Chapter 1 computing-units experiments.

use hpp::experiments::compute::clock::history;
use hpp::experiments::{Outcome, clock};
use hpp::machine::machine;
use hpp::measure::Budget;

#[test]
fn clock_history_is_the_committed_reference_data() {
    let h = history();
    assert_eq!(h.len(), 28);
    assert_eq!(
        (h[0].year, h[0].cpu.as_str(), h[0].mhz),
        (1971, "Intel 4004", 0.74)
    );
    assert!(
        h.iter().all(|c| c.source.starts_with("Wikipedia: ")),
        "every row names its source"
    );
    assert!(
        h.windows(2).all(|w| w[0].year <= w[1].year),
        "in year order"
    );
    // The wall: no single-core part in the table passed 3.8 GHz.
    let peak = h
        .iter()
        .filter(|c| c.cores == 1)
        .map(|c| c.mhz)
        .fold(0.0, f64::max);
    assert_eq!(peak, 3800.0);
}

#[test]
fn clock_is_measured_not_typed_in() {
    let m = machine();
    match clock(&m, &Budget::quick()) {
        Ok(c) => {
            // Any real core adds between 0.1 and 10 billion times a second.
            assert!(c.ghz > 0.1 && c.ghz < 10.0, "{} GHz", c.ghz);
            assert!((c.ghz * c.add_ns - 1.0).abs() < 1e-9);
            assert!(c.year >= 2026);
            let json: serde_json::Value = serde_json::from_str(&c.to_json().unwrap()).unwrap();
            assert!(json["ghz"].is_f64());
            assert!(c.reading().starts_with("This core ran dependent adds at"));
            let svg = c.plot().unwrap().svg;
            assert!(svg.contains("you: "));
        }
        Err(e) => assert!(e.to_string().contains("unavailable"), "{e}"),
    }
    assert_eq!(
        hpp::kernels::compute::dependent_adds(800).map(|x| x > 0),
        Some(true)
    );
}

#[test]
fn xy_chart_draws_notes_and_refuses_nothing() {
    use hpp::plot::{XyChart, XySeries, xy_chart};
    let s = [XySeries {
        label: "pts".into(),
        points: vec![(1990.0, 25.0), (2004.0, 3800.0)],
        line: true,
        color_of: None,
    }];
    let fig = xy_chart(&XyChart {
        title: "T",
        x_label: "year",
        y_label: "MHz",
        series: &s,
        log_x: false,
        log_y: true,
        notes: &[(2004.0, 3800.0, "peak".into())],
    })
    .unwrap();
    assert!(fig.svg.contains("peak") && fig.svg.contains("year"));

    // Notes at nearby points do not overlap: each text's box (its anchor
    // point, ~7 px a character, a 16 px line) is clear of the others'.
    let close = [XySeries {
        label: "kernels".into(),
        points: vec![(0.083, 2.1), (0.125, 3.3), (0.125, 3.6), (0.31, 4.0)],
        line: false,
        color_of: None,
    }];
    let fig = xy_chart(&XyChart {
        title: "R",
        x_label: "ai",
        y_label: "GFLOP/s",
        series: &close,
        log_x: true,
        log_y: true,
        notes: &[
            (0.083, 2.1, "triad".into()),
            (0.125, 3.3, "sum, dot".into()),
            (0.31, 4.0, "5-point stencil".into()),
        ],
    })
    .unwrap();
    let boxes: Vec<(f64, f64, f64, f64)> = ["triad", "sum, dot", "5-point stencil"]
        .iter()
        .map(|t| {
            let at = fig.svg.find(&format!(">\n{t}\n</text>")).unwrap();
            let tag = &fig.svg[fig.svg[..at].rfind("<text").unwrap()..at];
            let attr = |name: &str| -> f64 {
                let i = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                tag[i..].split('"').next().unwrap().parse().unwrap()
            };
            let (x, y) = (attr("x"), attr("y"));
            let w = t.chars().count() as f64 * 7.0;
            if tag.contains("text-anchor=\"end\"") {
                (x - w, y - 16.0, x, y)
            } else {
                (x, y - 16.0, x + w, y)
            }
        })
        .collect();
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let overlap = a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
            assert!(!overlap, "{a:?} and {b:?} overlap");
        }
    }

    let empty = [XySeries {
        label: "none".into(),
        points: vec![(1.0, -1.0)],
        line: false,
        color_of: None,
    }];
    assert!(
        xy_chart(&XyChart {
            title: "E",
            x_label: "x",
            y_label: "y",
            series: &empty,
            log_x: false,
            log_y: true,
            notes: &[]
        })
        .is_err()
    );
}

#[test]
fn ilp_kernels_match_their_reference() {
    use hpp::kernels::ilp::{CHAINS, IlpOp, MAX_INT_CHAINS, reference, run};
    for op in IlpOp::ALL {
        for k in CHAINS {
            match run(op, k, 10) {
                Some(v) => assert_eq!(v, reference(op, k, 10), "{} × {k}", op.name()),
                // On x86_64 only FMA (CPU without it) and integer chains past
                // the register limit may be missing; on aarch64 nothing; on
                // other architectures everything.
                None => assert!(
                    (cfg!(target_arch = "x86_64")
                        && (op == IlpOp::F64Fma || (op == IlpOp::IntAdd && k > MAX_INT_CHAINS)))
                        || !cfg!(any(target_arch = "x86_64", target_arch = "aarch64")),
                    "{} × {k} missing",
                    op.name()
                ),
            }
        }
        assert_eq!(run(op, 3, 1), None, "no kernel for 3 chains");
    }
}

#[test]
fn ilp_experiment_shape() {
    use hpp::kernels::ilp::CHAINS;
    let tiny = Budget {
        min_run_s: 0.001,
        runs: 3,
        ..Budget::quick()
    };
    match hpp::experiments::ilp(&machine(), &tiny) {
        Ok(r) => {
            assert!(r.ghz > 0.1);
            assert!(r.points.iter().all(|p| p.ops_per_cycle > 0.0));
            // 3 operations × 7 chain counts, each either measured or
            // missing (a whole operation missing counts once per count).
            let missing: usize = r
                .missing
                .iter()
                .map(|(op, _)| if op.contains('×') { 1 } else { CHAINS.len() })
                .sum();
            assert_eq!(r.points.len() + missing, 3 * CHAINS.len());
            let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
            assert!(json["points"][0]["ops_per_cycle"].is_f64());
            r.plot().unwrap();
            assert!(r.reading().starts_with("At "));
            // Counted IPC: three loops, or one reason.
            match &r.ipc {
                hpp::error::Fact::Known(rows) => {
                    assert_eq!(rows.len(), 3);
                    assert!(rows.iter().all(|x| x.instructions > 0 && x.cycles > 0));
                    assert!(r.reading().contains("Counted by the CPU"));
                }
                hpp::error::Fact::Unavailable(u) => {
                    assert!(!u.unavailable.is_empty());
                    assert!(
                        r.reading()
                            .contains("counted by the CPU itself: unavailable")
                    );
                }
            }
        }
        Err(e) => assert!(e.to_string().contains("unavailable"), "{e}"),
    }
}

#[test]
fn the_ilp_reading_follows_the_counts() {
    use hpp::error::Fact;
    use hpp::experiments::compute::ilp::{
        IPC_COMPILED, IPC_INTERPRETED, IPC_SUM, Ilp, IlpPoint, IpcRow,
    };
    let pt = |chains: usize, per_cycle: f64| IlpPoint {
        op: "f64_add".into(),
        chains,
        ops_per_ns: per_cycle * 3.0,
        ops_per_cycle: per_cycle,
    };
    let row = |kernel: &str, elements: u64, instructions: u64, cycles: u64| IpcRow {
        kernel: kernel.into(),
        elements,
        instructions,
        cycles,
        seconds: cycles as f64 / 3e9,
    };
    let mut r = Ilp {
        experiment: "ilp".into(),
        ghz: 3.0,
        points: vec![pt(1, 0.25), pt(8, 2.0)],
        missing: vec![],
        ipc: Fact::Known(vec![
            row(IPC_SUM, 1000, 1300, 1000),
            row(IPC_COMPILED, 1000, 3000, 1000),
            row(IPC_INTERPRETED, 1000, 60_000, 30_000),
        ]),
        budget: "quick".into(),
    };
    let text = r.reading();
    assert!(
        text.contains("f64_add went 8× further per cycle with independent chains (2 instructions per cycle × 3 GHz = 6 billion a second)"),
        "{text}"
    );
    assert!(
        text.contains("sum loop, interpreted ran 2 instructions per cycle (6 billion a second, 60 per element)"),
        "{text}"
    );
    assert!(
        text.contains("The interpreter needed 20× the compiled loop's instructions for the same sum, and ran fewer of them per cycle"),
        "{text}"
    );
    // An interpreter running as many per cycle: its cost is the count.
    r.ipc = Fact::Known(vec![
        row(IPC_COMPILED, 1000, 3000, 1000),
        row(IPC_INTERPRETED, 1000, 60_000, 15_000),
    ]);
    assert!(r.reading().contains("its cost is the extra instructions"));
    // Chains that barely overlap (a starved vCPU): no ILP story.
    r.points = vec![pt(1, 0.25), pt(8, 0.3)];
    r.ipc = Fact::unavailable("no hardware PMU exposed");
    let text = r.reading();
    assert!(
        text.contains("Independent chains gained little here (at most 1.2×)"),
        "{text}"
    );
    assert!(!text.contains("side by side:"), "{text}");
    assert!(
        text.contains("counted by the CPU itself: unavailable: no hardware PMU exposed"),
        "{text}"
    );
}

#[test]
fn branch_kernels_match_their_reference() {
    use hpp::kernels::branches::{sum_if_branchless, sum_if_branchy, sum_if_reference};
    let data: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    for t in [0, 1, 127, 128, 255] {
        let want = sum_if_reference(&data, t);
        assert_eq!(sum_if_branchy(&data, t), want, "threshold {t}");
        assert_eq!(sum_if_branchless(&data, t), want, "threshold {t}");
    }
    assert_eq!(sum_if_branchy(&[], 3), 0);
}

#[test]
fn branches_experiment_shape() {
    let tiny = Budget {
        min_run_s: 0.001,
        runs: 3,
        ..Budget::quick()
    };
    let r = hpp::experiments::branches(&machine(), &tiny).unwrap();
    assert_eq!(r.rows.len(), 3);
    assert!(r.rows.iter().all(|(_, ns)| *ns > 0.0));
    assert!(r.mispredict_ns >= 0.0);
    let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert!(json["mispredict_ns"].is_f64());
    r.plot().unwrap();
    assert!(r.reading().starts_with("Sorted data"));
}

#[test]
fn flops_kernels_match_their_reference() {
    use hpp::kernels::flops::{Precision, flops_per_call, reference, run};
    for p in [Precision::F64, Precision::F32] {
        for bits in [64, 128, 256, 512] {
            if let Some(v) = run(p, bits, 10) {
                assert_eq!(v, reference(p, bits, 10), "{} {bits}", p.name());
            }
        }
        // aarch64 always has scalar FP and NEON: both kernels must run there.
        if cfg!(target_arch = "aarch64") {
            assert!(run(p, 64, 1).is_some() && run(p, 128, 1).is_some());
        }
    }
    // Scalar is one lane whatever the precision; vectors hold bits / element.
    assert_eq!(
        flops_per_call(Precision::F32, 64, 1),
        flops_per_call(Precision::F64, 64, 1)
    );
    assert_eq!(
        flops_per_call(Precision::F32, 256, 1),
        8.0 * flops_per_call(Precision::F32, 64, 1)
    );
    assert_eq!(
        flops_per_call(Precision::F64, 256, 1),
        4.0 * flops_per_call(Precision::F64, 64, 1)
    );
}

#[test]
fn flops_experiment_shape() {
    let tiny = Budget {
        min_run_s: 0.001,
        runs: 3,
        ..Budget::quick()
    };
    assert!(hpp::experiments::flops(&machine(), &tiny, Some(1 << 20)).is_err());
    match hpp::experiments::flops(&machine(), &tiny, Some(2)) {
        Ok(r) => {
            assert!(r.points.iter().all(|p| p.gflops > 0.0));
            assert!(r.points.iter().any(|p| p.threads == 2));
            // Every width is either measured or says why not.
            assert_eq!(
                r.points.iter().filter(|p| p.threads == 1).count() + r.unavailable.len(),
                8
            );
            let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
            let p = &json["points"][0];
            assert!(
                p["precision"].is_string()
                    && p["vector_bits"].is_u64()
                    && p["threads"].is_u64()
                    && p["gflops"].is_f64()
            );
            r.plot().unwrap();
        }
        Err(e) => assert!(e.to_string().contains("unavailable"), "{e}"),
    }
}

#[test]
fn simd_kernels_match_their_reference() {
    use hpp::kernels::simd::*;
    for n in [0, 1, 15, 16, 17, 100, 1000, 4099] {
        let x: Vec<f32> = make(n);
        let y: Vec<f32> = make(n);
        let want = sum_scalar(&x);
        assert_eq!(sum_auto(&x), want, "n = {n}");
        for bits in [128, 256, 512] {
            if let Some(v) = sum_f32_lanes(&x, bits) {
                assert_eq!(v, want, "f32 {bits}-bit, n = {n}");
            }
        }
        let xd: Vec<f64> = make(n);
        for bits in [128, 256, 512] {
            if let Some(v) = sum_f64_lanes(&xd, bits) {
                assert_eq!(v, sum_scalar(&xd), "f64 {bits}-bit, n = {n}");
            }
        }
        assert_eq!(dot_auto(&x, &y), dot_scalar(&x, &y));
        for bits in [128, 256, 512] {
            if let Some(d) = dot_lanes(&x, &y, bits) {
                assert_eq!(d, dot_scalar(&x, &y), "dot {bits}-bit, n = {n}");
            }
            let mut z1 = y.clone();
            let mut z2 = y.clone();
            if saxpy_lanes(3.0, &x, &mut z1, bits) {
                saxpy(3.0, &x, &mut z2);
                assert_eq!(z1, z2, "saxpy {bits}-bit, n = {n}");
            }
        }
        let mut z = y.clone();
        saxpy(2.0, &x, &mut z);
        assert!(
            z.iter()
                .zip(&x)
                .zip(&y)
                .all(|((z, x), y)| *z == y + 2.0 * x)
        );
    }
    // Widths a CPU lacks say so instead of running.
    if !hpp::kernels::simd::explicit_widths().contains(&512) {
        assert_eq!(sum_f32_lanes(&[1.0], 512), None);
    }
    // On aarch64 NEON is the one explicit width; on x86_64 SSE2 always exists.
    if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
        assert!(hpp::kernels::simd::explicit_widths().contains(&128));
    }
    assert_eq!(sum_f32_lanes(&[1.0], 100), None);
}

#[test]
fn simd_experiment_shape() {
    let tiny = Budget {
        min_run_s: 0.001,
        runs: 3,
        max_working_set_bytes: 256 << 10,
        ..Budget::quick()
    };
    let r = hpp::experiments::simd(&machine(), &tiny).unwrap();
    assert!(
        r.points
            .iter()
            .all(|p| p.ns_per_element > 0.0 && p.lanes >= 1)
    );
    assert!(
        r.points
            .iter()
            .any(|p| p.variant == "scalar" && p.lanes == 1)
    );
    assert!(
        r.missing
            .iter()
            .any(|m| m.kernel == "saxpy" && m.variant == "scalar")
    );
    let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    let p = &json["points"][0];
    for k in ["kernel", "variant", "precision"] {
        assert!(p[k].is_string(), "{k}");
    }
    assert!(p["lanes"].is_u64() && p["size_bytes"].is_u64() && p["ns_per_element"].is_f64());
    r.plot().unwrap();
}

#[test]
fn amdahl_fit_recovers_a_known_serial_fraction() {
    use hpp::experiments::compute::scaling::amdahl;
    let s = 0.1;
    let pts: Vec<(usize, f64)> = [1, 2, 4, 8]
        .iter()
        .map(|&n| (n, 1.0 / (s + (1.0 - s) / n as f64)))
        .collect();
    assert!((amdahl(&pts).unwrap() - s).abs() < 1e-12);
    assert_eq!(amdahl(&[(1, 1.0)]), None, "one thread says nothing");
}

#[test]
fn parallel_kernels_match_their_reference() {
    use hpp::kernels::parallel::*;
    let one = compute_job(1, 12).unwrap();
    let want: f64 = (0..12).map(compute_unit).sum();
    assert!((one - want).abs() < 1e-9);
    assert!(
        (compute_job(3, 12).unwrap() - want).abs() < 1e-9,
        "same work, any thread count"
    );
    let data: Vec<f64> = (0..10_000).map(|i| (i % 16) as f64).collect();
    assert_eq!(memory_job(2, &data, 7).unwrap(), data.iter().sum::<f64>());
    assert_eq!(counters(3, 1000, 1), 3000);
    assert_eq!(counters(3, 1000, 16), 3000);
    let share = cpu_share(1, std::time::Duration::from_millis(50)).unwrap();
    assert!(
        share > 0.05 && share <= 1.05,
        "one spinning thread gets at most one CPU: {share}"
    );
}

#[test]
fn scaling_experiment_shape() {
    let tiny = Budget {
        min_run_s: 0.001,
        runs: 3,
        max_working_set_bytes: 1 << 20,
        ..Budget::quick()
    };
    assert!(hpp::experiments::scaling(&machine(), &tiny, Some(1 << 20)).is_err());
    let r = hpp::experiments::scaling(&machine(), &tiny, Some(2)).unwrap();
    // 1, 2 and 4 (oversubscribed) threads for both workloads.
    assert_eq!(r.points.len(), 6);
    assert!(r.points.iter().all(|p| p.speedup > 0.0));
    assert!(r.false_sharing.is_known() && r.amdahl_serial_fraction.is_known());
    let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert!(json["points"][0]["speedup"].is_f64());
    r.plot().unwrap();
    let one = hpp::experiments::scaling(&machine(), &tiny, Some(1)).unwrap();
    assert!(
        !one.false_sharing.is_known(),
        "one CPU says why instead of measuring"
    );
}

#[test]
fn stencil_and_matmul_match_their_reference() {
    use hpp::kernels::compute::*;
    let w = 37;
    let input: Vec<f64> = (0..w * 23).map(|i| (i % 7) as f64).collect();
    let (mut a, mut b) = (vec![0.0; input.len()], vec![0.0; input.len()]);
    stencil_5pt(&input, &mut a, w);
    stencil_5pt_reference(&input, &mut b, w);
    assert_eq!(a, b);
    for n in [1, 5, 64, 70] {
        let x: Vec<f64> = (0..n * n).map(|i| (i % 5) as f64).collect();
        let y: Vec<f64> = (0..n * n).map(|i| (i % 3) as f64).collect();
        let (mut c1, mut c2) = (vec![0.0; n * n], vec![0.0; n * n]);
        matmul_blocked(&x, &y, &mut c1, n, 16);
        matmul_reference(&x, &y, &mut c2, n);
        assert_eq!(c1, c2, "n = {n}");
    }
}

#[test]
fn roofline_experiment_shape() {
    let tiny = Budget {
        min_run_s: 0.001,
        runs: 3,
        max_working_set_bytes: 1 << 20,
        ..Budget::quick()
    };
    match hpp::experiments::roofline(&machine(), &tiny) {
        Ok(r) => {
            assert!(r.peak_gflops > 0.0);
            assert_eq!(r.ceilings.last().map(|c| c.level.as_str()), Some("DRAM"));
            let names: Vec<&str> = r.points.iter().map(|p| p.kernel.as_str()).collect();
            assert_eq!(
                names,
                [
                    "sum",
                    "dot",
                    "triad",
                    "5-point stencil",
                    "blocked matmul 256"
                ]
            );
            // Intensities are the kernels' arithmetic, not measurements.
            assert_eq!(r.points[0].flops_per_byte, 0.125);
            assert!((r.points[2].flops_per_byte - 2.0 / 24.0).abs() < 1e-12);
            assert!(r.attainable("DRAM", 1e6) == Some(r.peak_gflops));
            r.plot().unwrap();
        }
        Err(e) => assert!(e.to_string().contains("unavailable"), "{e}"),
    }
}

#[test]
fn pinned_threads_run_or_say_why() {
    use hpp::kernels::parallel::{pin_current_thread, pinned_compute};
    let m = machine();
    if let Some(online) = m.cpu.online.known() {
        let first = online[0];
        // Pin a scratch thread, not the test harness's own.
        let r = std::thread::spawn(move || pin_current_thread(first))
            .join()
            .unwrap();
        assert!(r.is_ok(), "{r:?}");
        assert!(pinned_compute(&[first], 2).unwrap() > 0.0);
    }
    let r = hpp::experiments::scaling(
        &m,
        &Budget {
            min_run_s: 0.001,
            runs: 3,
            max_working_set_bytes: 1 << 20,
            ..Budget::quick()
        },
        Some(1),
    )
    .unwrap();
    // The SMT comparison runs exactly when the card shows sibling CPUs and
    // a CPU outside them; otherwise it says why.
    let siblings = m.cpu.smt_siblings.known().map_or(0, |s| s.len());
    let outside = m
        .cpu
        .online
        .known()
        .zip(m.cpu.smt_siblings.known())
        .is_some_and(|(on, sib)| on.iter().any(|c| !sib.contains(c)));
    match &r.smt {
        hpp::Fact::Known(p) => {
            assert!(
                siblings >= 2 && outside,
                "measured without SMT siblings on the card"
            );
            assert!(p.siblings_speedup > 0.0 && p.separate_speedup > 0.0);
        }
        hpp::Fact::Unavailable(u) => {
            assert!(
                siblings < 2 || !outside,
                "SMT on the card but not measured: {u}"
            );
            assert!(!u.reason().is_empty());
        }
    }
}

#[test]
fn the_cores_verdict_reads_share_against_speedup() {
    use hpp::experiments::Scaling;
    let base: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/results/dev-vm-quick-1.json")).unwrap();
    let mut sc = base["experiments"]["scaling"]["data"].clone();
    let with = |sc: &mut serde_json::Value, share: f64, speedup: f64| -> Option<String> {
        sc["cpu_share"] = share.into();
        for p in sc["points"].as_array_mut().unwrap() {
            if p["workload"] == "compute" && p["threads"] == 2 {
                p["speedup"] = speedup.into();
            }
        }
        let s: Scaling = serde_json::from_value(sc.clone()).unwrap();
        s.cores_verdict()
    };
    assert_eq!(sc["cpus"], 2);
    assert!(with(&mut sc, 1.98, 1.3).unwrap().contains("hyperthreads"));
    assert!(
        with(&mut sc, 1.98, 1.95)
            .unwrap()
            .contains("separate cores")
    );
    assert!(with(&mut sc, 1.2, 1.1).unwrap().contains("separate cores"));
    assert!(with(&mut sc, 1.6, 1.3).unwrap().contains("busy host"));
}

#[test]
fn a_placed_point_is_read_against_the_slopes_it_beat() {
    use hpp::experiments::compute::roofline::{Ceiling, RoofPoint, Roofline};
    let ceiling = |level: &str, gb_per_s: f64| Ceiling {
        level: level.into(),
        gb_per_s,
    };
    let point = |kernel: &str, gflops: f64| RoofPoint {
        kernel: kernel.into(),
        flops_per_byte: 0.5,
        gflops,
        size_bytes: 1 << 24,
    };
    // At 0.5 flops per byte the slopes give DRAM 5, L3 10, L2 40 GFLOP/s;
    // the roof is 50.
    let r = Roofline {
        experiment: "roofline".into(),
        peak_gflops: 50.0,
        ceilings: vec![
            ceiling("L2", 80.0),
            ceiling("L3", 20.0),
            ceiling("DRAM", 10.0),
        ],
        points: vec![],
        budget: "quick".into(),
    }
    .placing(vec![
        point("in L3", 12.0),
        point("slow", 2.0),
        point("fast", 45.0),
    ]);
    assert_eq!(r.points.len(), 3);
    assert_eq!(
        r.between(&r.points[0]),
        "above the L3 slope (10 GFLOP/s there), under the L2 slope (40)"
    );
    assert_eq!(
        r.between(&r.points[1]),
        "under even the slowest slope (DRAM, 5 GFLOP/s there)"
    );
    assert!(r.between(&r.points[2]).starts_with("at the roof"));
    let text = r.reading();
    assert!(
        text.contains("in L3 does 0.5 flops per byte and reached 12 GFLOP/s: above the L3"),
        "{text}"
    );
}

#[test]
fn amdahls_job_adds_the_same_units_however_it_is_split() {
    use hpp::kernels::parallel::{amdahl_job, compute_unit, pool};
    use hpp::measure::stats::amdahl_speedup;
    let want: f64 = (0..24).map(compute_unit).sum();
    for threads in [1, 2, 3] {
        let p = pool(threads).unwrap();
        for serial in [0, 1, 6, 12, 24, 99] {
            let got = amdahl_job(&p, 24, serial);
            assert!(
                (got - want).abs() <= 1e-9 * want.abs(),
                "{threads} {serial}"
            );
        }
    }
    assert_eq!(amdahl_speedup(0.0, 4.0), 4.0);
    assert_eq!(amdahl_speedup(1.0, 4.0), 1.0);
    assert!((amdahl_speedup(0.5, 2.0) - 4.0 / 3.0).abs() < 1e-12);
}

mod amdahl_reading {
    use hpp::error::Fact;
    use hpp::experiments::Outcome;
    use hpp::experiments::compute::amdahl::{Amdahl, AmdahlPoint, PythonThreads, SHARES};
    use hpp::measure::stats::amdahl_speedup;

    /// Two threads; each share's speed-up is `f(share, law)`.
    fn run(f: impl Fn(f64, f64) -> f64, python: Fact<PythonThreads>) -> Amdahl {
        let mut points = Vec::new();
        for &s in &SHARES {
            for t in [1, 2] {
                let law = amdahl_speedup(s, t as f64);
                let speedup = if t == 1 { 1.0 } else { f(s, law) };
                points.push(AmdahlPoint {
                    serial: s,
                    threads: t,
                    seconds: 1.0 / speedup,
                    speedup,
                });
            }
        }
        Amdahl {
            experiment: "amdahl".into(),
            cpus: 2,
            units: 120,
            points,
            python,
            budget: "quick".into(),
        }
    }

    fn gil(fit: f64, at_two: f64) -> Fact<PythonThreads> {
        Fact::Known(PythonThreads {
            speedups: vec![(1, 1.0), (2, at_two)],
            serial_fit: Some(fit),
            python: "CPython 3.12.3".into(),
            gil: "enabled".into(),
        })
    }

    #[test]
    fn on_the_curves() {
        let a = run(|_, law| law * 0.97, gil(0.98, 1.01));
        let text = a.reading();
        assert!(
            text.contains("25% serial ran 1.55× faster (the law allows 1.6×)"),
            "{text}"
        );
        assert!(
            text.contains("Every job kept within 10% of its curve"),
            "{text}"
        );
        assert!(text.contains("the half-serial one 1.29×."), "{text}");
        assert!(
            text.contains("as if 98% of their work were serial — the GIL"),
            "{text}"
        );
        a.plot().unwrap();
        assert!(
            a.headlines()
                .iter()
                .any(|h| (h.value - 1.6 * 0.97).abs() < 1e-9)
        );
    }

    #[test]
    fn all_short_by_one_factor_is_the_machine_not_the_law() {
        let a = run(|_, law| law * 0.7, gil(0.95, 1.03));
        let text = a.reading();
        assert!(
            text.contains("fell short of its curve by about the same factor (70%–70% of it)"),
            "{text}"
        );
        assert!(!text.contains("within 10%"), "{text}");
    }

    #[test]
    fn a_parallel_job_no_faster_than_a_half_serial_one_is_named() {
        // A host that gave the second thread little time: every job ~1.3×.
        let a = run(|_, _| 1.3, Fact::unavailable("no python3 on PATH"));
        let text = a.reading();
        assert!(text.contains("furthest below: 0% serial"), "{text}");
        assert!(text.contains("no slower here"), "{text}");
        assert!(
            text.contains("Python threads: unavailable: no python3 on PATH"),
            "{text}"
        );
        a.plot().unwrap();
    }

    #[test]
    fn free_threaded_python_is_not_called_serial() {
        let a = run(|_, law| law, gil(0.05, 1.9));
        let text = a.reading();
        assert!(
            text.contains("as if 5% of their work were serial — they ran in parallel"),
            "{text}"
        );
        assert!(!text.contains("GIL lets"), "{text}");
    }

    #[test]
    fn one_cpu_says_so() {
        let mut a = run(|_, law| law, Fact::unavailable("one CPU"));
        a.points.retain(|p| p.threads == 1);
        assert!(a.reading().starts_with("One CPU only"));
    }
}
