//! Predict, then measure: the guess sentence follows the numbers, every
//! chapter-1 experiment answers its section's question from a recorded
//! run, and the session plan reads its times from a results file.

use hpp::Fact;
use hpp::chapters::{CHAPTERS, chapter};
use hpp::experiments::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn answer(value: Fact<f64>, unit: &'static str) -> Answer {
    Answer {
        what: "a load from DRAM ÷ one from L1d".into(),
        value,
        unit,
    }
}

#[test]
fn the_guess_sentence_follows_the_numbers() {
    let a = answer(Fact::Known(80.0), "×");
    let close = a.against(90.0);
    assert!(close.contains("close: within 25%"), "{close}");
    assert!(close.contains("Your guess: 90×") && close.contains("Measured: 80×"));
    // The textbook's 100× against a machine where memory is only 20× away.
    let far = answer(Fact::Known(20.0), "×").against(100.0);
    assert!(far.contains("5× too high"), "{far}");
    let low = answer(Fact::Known(400.0), "×").against(100.0);
    assert!(low.contains("4× too low"), "{low}");
    let units = answer(Fact::Known(3.2), "GHz").against(3.0);
    assert!(
        units.contains("3 GHz") && units.contains("3.2 GHz"),
        "{units}"
    );
    for bad in [f64::NAN, 0.0, -2.0] {
        let none = a.against(bad);
        assert!(
            none.starts_with("No guess written") && none.contains("80×"),
            "{none}"
        );
    }
    let gone = answer(Fact::unavailable("no python3 on PATH"), "×").against(10.0);
    assert!(gone.contains("unavailable (no python3 on PATH)"), "{gone}");
    assert!(!gone.contains("too"), "{gone}");
}

fn of<T: DeserializeOwned + Answers>(v: &Value) -> Answer {
    serde_json::from_value::<T>(v.clone())
        .unwrap_or_else(|e| panic!("{e}"))
        .answer()
}

/// Each chapter-1 experiment's answer, from its recorded JSON.
fn chapter1_answer(name: &str, v: &Value) -> Answer {
    match name {
        "sum_layout" | "pointers" => of::<Sweep>(v),
        "clock" => of::<Clock>(v),
        "ilp" => of::<Ilp>(v),
        "branches" => of::<Branches>(v),
        "flops" => of::<Flops>(v),
        "simd" => of::<Simd>(v),
        "scaling" => of::<Scaling>(v),
        "amdahl" => of::<Amdahl>(v),
        "latency" => of::<Latency>(v),
        "cacheline" => of::<CacheLine>(v),
        "access" => of::<Access>(v),
        "bandwidth" => of::<Bandwidth>(v),
        "mlp" => of::<Mlp>(v),
        "roofline" => of::<Roofline>(v),
        "heavy_data" => of::<HeavyData>(v),
        "storage" => of::<Storage>(v),
        "network" => of::<Network>(v),
        "tiers" => of::<Tiers>(v),
        "buses" => of::<Buses>(v),
        "dynamic" => of::<Dynamic>(v),
        "interpreter" => of::<Interpreter>(v),
        "python" => of::<Python>(v),
        "gil" => of::<Gil>(v),
        "objects" => of::<Objects>(v),
        other => {
            panic!("chapter 1's {other} has no Predict answer: add one in experiments/predict.rs")
        }
    }
}

fn reference_run() -> hpp::club::ChapterResults {
    hpp::club::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/club/hpp-dev-vm.json"
    ))
    .unwrap()
}

#[test]
fn every_chapter1_experiment_answers_its_predict_from_the_reference_run() {
    let run = reference_run();
    for e in chapter(1).unwrap().experiments {
        let data = run
            .data(e.name)
            .unwrap_or_else(|| panic!("{} is missing from the reference run", e.name));
        let a = chapter1_answer(e.name, data);
        let v = a.value.known().copied();
        assert!(
            v.is_some_and(|v| v.is_finite() && v > 0.0),
            "{}: {a:?}",
            e.name
        );
        assert!(!a.what.is_empty() && !a.unit.is_empty());
    }
}

#[test]
fn answers_are_this_runs_figures() {
    let run = reference_run();
    let lat: Latency = serde_json::from_value(run.data("latency").unwrap().clone()).unwrap();
    let first = lat.levels.first().unwrap().ns_per_load;
    let last = lat.levels.last().unwrap().ns_per_load;
    assert_eq!(lat.answer().value, Fact::Known(last / first));
    let net: Network = serde_json::from_value(run.data("network").unwrap().clone()).unwrap();
    assert_eq!(net.answer().value, Fact::Known(net.round_trip_us));
    // Data where a figure is missing answers "unavailable", never a number.
    let mut lone = lat.clone();
    lone.levels.truncate(1);
    assert!(lone.answer().value.known().is_none());
    let mut br: Branches = serde_json::from_value(run.data("branches").unwrap().clone()).unwrap();
    br.rows.retain(|r| r.0 != "sorted");
    assert!(br.answer().against(2.0).contains("unavailable"));
    // A free-threaded CPython beside the GIL's: the Predict asks about the
    // GIL's threads, so its line is the answer.
    let mut gil: Gil = serde_json::from_value(run.data("gil").unwrap().clone()).unwrap();
    let ours = gil.answer();
    let extra: Vec<_> = gil
        .points
        .iter()
        .filter(|p| p.runtime.starts_with("CPython") && p.runtime.ends_with(" threads"))
        .map(|p| {
            let mut q = p.clone();
            q.runtime = format!(
                "{} free-threaded, threads",
                p.runtime.trim_end_matches(" threads")
            );
            q.speedup = 1.9;
            q
        })
        .collect();
    assert!(!extra.is_empty());
    gil.points.extend(extra);
    assert_eq!(gil.answer(), ours);
}

#[test]
fn the_core_path_names_real_experiments() {
    for ch in CHAPTERS {
        for name in ch.core {
            assert!(
                ch.entry(name).is_some(),
                "chapter {}: core {name}",
                ch.number
            );
        }
    }
    let ch1 = chapter(1).unwrap();
    assert!(ch1.is_core("latency") && !ch1.is_core("storage"));
    // A chapter with no core list runs everything together.
    assert!(
        chapter(2)
            .unwrap()
            .experiments
            .iter()
            .all(|e| chapter(2).unwrap().is_core(e.name))
    );
}

#[test]
fn the_session_plan_reads_its_times_from_the_recorded_run() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/club/hpp-dev-vm.json");
    let plan = hpp::club::session_plan(1, path).unwrap();
    let ch1 = chapter(1).unwrap();
    assert_eq!(plan.rows.len(), ch1.experiments.len());
    assert_eq!(plan.rows.iter().filter(|r| r.core).count(), ch1.core.len());
    let run = reference_run();
    for r in &plan.rows {
        assert_eq!(r.seconds, run.experiments[&r.name].seconds, "{}", r.name);
    }
    let (core, untimed) = plan.seconds(true);
    // Summed from the file by the registry's core list, not by the plan.
    let expected: f64 = ch1
        .core
        .iter()
        .map(|n| run.experiments[*n].seconds.unwrap())
        .sum();
    assert!(
        (core - expected).abs() < 1e-9 && untimed == 0,
        "{core} vs {expected}"
    );
    let (home, _) = plan.seconds(false);
    let all: f64 = run.experiments.values().filter_map(|e| e.seconds).sum();
    assert!((core + home - all).abs() < 1e-9, "{core} + {home} vs {all}");
    let text = plan.summary();
    assert!(text.contains("core path: 14 experiments"), "{text}");
    assert!(
        text.starts_with("Recorded on hpp dev VM (reference)"),
        "{text}"
    );
    // The wrong chapter's file is refused, saying which it holds.
    let err = hpp::club::session_plan(2, path).unwrap_err().to_string();
    assert!(err.contains("records chapter 1"), "{err}");
    assert!(hpp::club::session_plan(1, "/nonexistent/results.json").is_err());
}
