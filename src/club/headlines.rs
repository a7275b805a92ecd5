//! The figures a book club puts side by side: a dozen numbers read from a
//! results file's experiment data. Each knows its unit, which direction is
//! better, and whether the experiment it came from was flagged.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::results::ChapterResults;

/// One headline figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    /// Stable key, e.g. "latency_L2_ns".
    pub key: String,
    /// Human label.
    pub label: String,
    /// The value.
    pub value: f64,
    /// Unit text.
    pub unit: String,
    /// Whether larger is better.
    pub higher_is_better: bool,
    /// The experiment it was read from.
    pub experiment: String,
    /// Whether that experiment carries a quality flag.
    pub flagged: bool,
}

fn f(v: &Value, k: &str) -> Option<f64> {
    v.get(k)?.as_f64()
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k)?.as_str()
}

fn points(v: &Value) -> impl Iterator<Item = &Value> {
    v.get("points")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// Every headline the results hold (missing experiments or fields are
/// skipped, never guessed).
pub fn headlines(r: &ChapterResults) -> Vec<Headline> {
    let mut out = Vec::new();
    let mut push =
        |exp: &str, key: String, label: String, value: Option<f64>, unit: &str, higher: bool| {
            if let Some(value) = value.filter(|x| x.is_finite()) {
                let flagged = r.experiments.get(exp).is_some_and(|e| !e.flags.is_empty());
                out.push(Headline {
                    key,
                    label,
                    value,
                    unit: unit.to_string(),
                    higher_is_better: higher,
                    experiment: exp.to_string(),
                    flagged,
                });
            }
        };
    if let Some(c) = r.data("clock") {
        push(
            "clock",
            "clock_ghz".into(),
            "Clock (dependent adds)".into(),
            f(c, "ghz"),
            "GHz",
            true,
        );
    }
    if let Some(fl) = r.data("flops") {
        let best = |p: &str| {
            points(fl)
                .filter(|x| {
                    s(x, "precision") == Some(p)
                        && x.get("threads").and_then(Value::as_u64) == Some(1)
                })
                .filter_map(|x| f(x, "gflops"))
                .reduce(f64::max)
        };
        push(
            "flops",
            "peak_f64_gflops_1t".into(),
            "Peak f64 FLOP/s, one core".into(),
            best("f64"),
            "GFLOP/s",
            true,
        );
        let all = points(fl)
            .filter(|x| s(x, "precision") == Some("f64"))
            .filter_map(|x| f(x, "gflops"))
            .reduce(f64::max);
        push(
            "flops",
            "peak_f64_gflops_all".into(),
            "Peak f64 FLOP/s, all cores".into(),
            all,
            "GFLOP/s",
            true,
        );
    }
    if let Some(l) = r.data("latency") {
        for lv in l
            .get("levels")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            // A cache level counts only where the curve showed its plateau;
            // main memory has none by definition.
            let plateau = lv.get("detected_bytes").is_some_and(|d| !d.is_null());
            if let Some(name) = s(lv, "level").filter(|n| plateau || *n == "DRAM") {
                push(
                    "latency",
                    format!("latency_{name}_ns"),
                    format!("Load latency, {name}"),
                    f(lv, "ns_per_load"),
                    "ns",
                    false,
                );
            }
        }
    }
    if let Some(b) = r.data("bandwidth") {
        let largest = points(b)
            .filter_map(|x| x.get("size_bytes")?.as_u64())
            .max();
        let read_at = |t: Option<u64>| {
            points(b)
                .filter(|x| {
                    s(x, "kernel") == Some("read")
                        && x.get("size_bytes").and_then(Value::as_u64) == largest
                })
                .filter(|x| t.is_none_or(|t| x.get("threads").and_then(Value::as_u64) == Some(t)))
                .filter_map(|x| f(x, "gb_per_s"))
                .reduce(f64::max)
        };
        push(
            "bandwidth",
            "memory_read_gbs_1t".into(),
            "Memory read bandwidth, one thread".into(),
            read_at(Some(1)),
            "GB/s",
            true,
        );
        push(
            "bandwidth",
            "memory_read_gbs_all".into(),
            "Memory read bandwidth, all threads".into(),
            read_at(None),
            "GB/s",
            true,
        );
    }
    if let Some(sd) = r.data("simd") {
        let small = points(sd)
            .filter_map(|x| x.get("size_bytes")?.as_u64())
            .min();
        let at = |variant_prefix: &str| {
            points(sd)
                .filter(|x| s(x, "kernel") == Some("sum") && s(x, "precision") == Some("f32"))
                .filter(|x| x.get("size_bytes").and_then(Value::as_u64) == small)
                .filter(|x| s(x, "variant").is_some_and(|v| v.starts_with(variant_prefix)))
                .filter_map(|x| f(x, "ns_per_element"))
                .reduce(f64::min)
        };
        if let (Some(scalar), Some(best)) = (at("scalar"), at("explicit")) {
            push(
                "simd",
                "simd_f32_sum_l1_speedup".into(),
                "SIMD f32 sum in L1, × scalar".into(),
                Some(scalar / best),
                "×",
                true,
            );
        }
    }
    if let Some(sc) = r.data("scaling") {
        push(
            "scaling",
            "cpu_share".into(),
            "CPU share granted".into(),
            f(sc, "cpu_share"),
            "CPUs",
            true,
        );
        let cpus = sc.get("cpus").and_then(Value::as_u64);
        let sp = points(sc)
            .filter(|x| {
                s(x, "workload") == Some("compute")
                    && x.get("threads").and_then(Value::as_u64) == cpus
            })
            .find_map(|x| f(x, "speedup"));
        push(
            "scaling",
            "compute_speedup_all".into(),
            "Compute speed-up, all CPUs".into(),
            sp,
            "×",
            true,
        );
    }
    if let Some(n) = r.data("network") {
        push(
            "network",
            "loopback_rtt_us".into(),
            "Loopback round trip".into(),
            f(n, "round_trip_us"),
            "µs",
            false,
        );
    }
    if let Some(p) = r.data("python") {
        for row in p
            .get("rows")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(ex @ ("is_prime" | "sum_list" | "while_loop")) = s(row, "example") {
                push(
                    "python",
                    format!("python_{ex}_ratio"),
                    format!("CPython ÷ Rust, {ex}"),
                    f(row, "ratio"),
                    "×",
                    false,
                );
            }
        }
    }
    out
}
