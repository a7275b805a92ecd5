//! Where Python pays: pointer layouts, the dynamic-typing model, the toy
//! interpreter, the chapter's examples in Rust, and the CPython subprocess
//! (real when python3 is on PATH; faked or absent otherwise).

use std::time::Duration;

use hpp::experiments::Outcome;
use hpp::machine::Machine;
use hpp::measure::Budget;

fn machine() -> Machine {
    hpp::machine::machine()
}

fn tiny() -> Budget {
    Budget {
        min_run_s: 0.001,
        runs: 3,
        ..Budget::quick()
    }
}

#[test]
fn pointer_layouts_sum_to_the_reference() {
    use hpp::kernels::memory::sum_boxed;
    use hpp::kernels::pointers::{LinkedList, make_boxed_shuffled, sum_reference};
    for n in [1, 2, 7, 1000, 4099] {
        let want = sum_reference(n);
        let l = LinkedList::shuffled(n, 11);
        assert_eq!(l.len(), n);
        assert_eq!(l.sum(), want, "linked list of {n}");
        assert_eq!(
            l.walk(n.min(100)),
            sum_reference(n.min(100)),
            "first steps of {n}"
        );
        // Values are small integers, so any order sums exactly.
        assert_eq!(
            sum_boxed(&make_boxed_shuffled(n, 11).unwrap()),
            want,
            "shuffled boxes of {n}"
        );
    }
    // Shuffling really moves the boxes' visiting order.
    let s = make_boxed_shuffled(64, 1).unwrap();
    assert!(s.iter().enumerate().any(|(i, b)| **b != i as f64));
}

#[test]
fn dynamic_values_check_types_like_python() {
    use hpp::kernels::dynamic::*;
    assert_eq!(
        add(&Value::Int(2), &Value::Float(0.5)),
        Ok(Value::Float(2.5))
    );
    assert_eq!(add(&Value::Int(2), &Value::Int(3)), Ok(Value::Int(5)));
    let e = add(&Value::Str("a".into()), &Value::Int(1)).unwrap_err();
    assert_eq!(e, "unsupported operand type(s) for +: 'str' and 'int'");
    let xs: Vec<f64> = (0..100).map(f64::from).collect();
    let tagged: Vec<Value> = xs.iter().map(|&x| Value::Float(x)).collect();
    assert_eq!(sum_tagged(&tagged), Ok(Value::Float(4950.0)));
    let any: Vec<Box<dyn std::any::Any>> = xs.iter().map(|&x| Box::new(x) as _).collect();
    assert_eq!(sum_any(&any), Ok(4950.0));
    let wrong: Vec<Box<dyn std::any::Any>> = vec![Box::new(1.0f64), Box::new(1u8)];
    assert_eq!(sum_any(&wrong), Err("element 1 is not a float".into()));
    let idx: Vec<usize> = (0..100).rev().collect();
    assert_eq!(sum_indexed_checked(&xs, &idx), 4950.0);
    // SAFETY: every index is below 100.
    assert_eq!(unsafe { sum_indexed_unchecked(&xs, &idx) }, 4950.0);
    assert_eq!(sum_iter(&xs), 4950.0);
    assert_eq!(read_checked(&xs, 99), Ok(99.0));
    let msg = read_checked(&xs, 100).unwrap_err();
    assert!(
        msg.contains("element 100 of 100") && msg.contains("out of bounds"),
        "{msg}"
    );
}

#[test]
fn the_bytecode_interpreter_computes_what_the_compiled_loop_does() {
    use hpp::kernels::interp::*;
    for n in [0, 1, 2, 10, 12_345] {
        assert_eq!(interpreted_sum(n), Ok(sum_reference(n)), "n = {n}");
        assert_eq!(compiled_sum(n), sum_reference(n));
    }
    let mut locals = [0, 0, 10];
    let (_, executed) = run(&sum_loop_program(), &mut locals).unwrap();
    // 4 set-up ops, 13 per iteration, 4 for the final test and the return.
    assert_eq!(executed, 4 + 10 * OPS_PER_ITERATION + 5);
    assert_eq!(run(&[Op::Add], &mut [0]), Err("stack underflow".into()));
    assert!(
        run(&[Op::Jump(9)], &mut [0])
            .unwrap_err()
            .contains("outside")
    );
}

#[test]
fn chapter_examples_match_a_sieve_and_contains() {
    use hpp::kernels::examples::*;
    let sieve = primes_reference(5000);
    for (n, &p) in sieve.iter().enumerate() {
        let n = n as u64;
        assert_eq!(is_prime(n), p, "is_prime({n})");
        assert_eq!(is_prime_chunked(n), p, "is_prime_chunked({n})");
        assert_eq!(is_prime_odd(n), p, "is_prime_odd({n})");
        if n < 1500 {
            assert_eq!(is_prime_naive(n), p, "is_prime_naive({n})");
        }
    }
    assert!(is_prime(100_000_007) && is_prime_chunked(100_000_007));
    for n in [0, 1, 15, 16, 17, u32::MAX as u64, u64::MAX] {
        let r = isqrt(n) as u128;
        assert!(
            r * r <= n as u128 && (r + 1) * (r + 1) > n as u128,
            "isqrt({n})"
        );
    }
    let items: Vec<i64> = (0..1000).collect();
    for needle in [-1, 0, 500, 999, 1000] {
        let want = search_reference(&items, needle);
        assert_eq!(search_early(&items, needle), want);
        assert_eq!(search_full(&items, needle), want);
        assert_eq!(search_any(&items, needle), want);
    }
    for c in [0, 1, 7, 8, 9, 1000, 12_345] {
        assert_eq!(spin(c), spin_reference(c), "spin({c})");
        assert_eq!(spin(c), (0..c).map(|i| i & 7).sum::<u64>());
    }
}

#[test]
fn pointers_dynamic_interpreter_experiments_run() {
    let m = machine();
    let b = tiny();
    let p = hpp::experiments::pointers(&m, &b).unwrap();
    // Four Rust layouts, then CPython's fresh and shuffled lists when a
    // Python answered (the reading says why when none did).
    match p.series.len() {
        6 => assert!(p.series[4].label.starts_with("CPython") && p.reading.contains("CPython")),
        4 => assert!(
            p.reading.contains("CPython's lists: unavailable"),
            "{}",
            p.reading
        ),
        n => panic!("{n} series"),
    }
    assert!(
        p.series
            .iter()
            .all(|s| !s.points.is_empty() && s.points.iter().all(|x| x.1 > 0.0))
    );
    p.plot().unwrap();
    let d = hpp::experiments::dynamic(&m, &b).unwrap();
    assert_eq!(d.rows.len(), 6);
    assert!(d.past_end.contains("refused"));
    let json: serde_json::Value = serde_json::from_str(&d.to_json().unwrap()).unwrap();
    assert!(json["rows"][0]["ns_per_element"].as_f64().unwrap() > 0.0);
    d.plot().unwrap();
    let i = hpp::experiments::interpreter(&m, &b).unwrap();
    assert!(i.interpreted_ns_per_iteration > 0.0 && i.compiled_ns_per_iteration > 0.0);
    assert!(i.reading().contains("bytecodes"));
}

#[test]
fn a_missing_interpreter_gives_unavailable_rows_and_rust_times() {
    let r =
        hpp::experiments::python_with(&machine(), &tiny(), Some("/nonexistent/python3")).unwrap();
    assert!(!r.python.is_known());
    assert_eq!(r.rows.len(), 8);
    for row in &r.rows {
        assert!(row.python_ns.is_none() && row.ratio.is_none());
        assert!(row.rust_ns > 0.0, "{}", row.example);
        let why = row.python_unavailable.as_deref().unwrap();
        assert!(why.contains("/nonexistent/python3"), "{why}");
    }
    let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert!(json["rows"][0]["python_ns"].is_null());
    assert!(json["rows"][0]["rust_ns"].is_f64());
    let e = r.plot().unwrap_err().to_string();
    assert!(e.contains("no Python times"), "{e}");
    assert!(r.reading().starts_with("Python side unavailable"));
}

#[cfg(unix)]
fn fake_python(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("fake-python");
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[cfg(unix)]
#[test]
fn a_broken_or_hanging_interpreter_is_reported_not_trusted() {
    use hpp::measure::cpython::run_bench;
    let dir = tempfile::tempdir().unwrap();
    let spec = serde_json::json!({"tasks": []});
    let garbage = fake_python(dir.path(), "cat >/dev/null; echo 'not json'");
    let e = run_bench(&garbage, &spec, Duration::from_secs(20)).unwrap_err();
    assert!(e.unavailable.contains("cannot read"), "{e}");
    let failing = fake_python(
        dir.path(),
        "cat >/dev/null; echo 'SyntaxError: boom' >&2; exit 3",
    );
    let e = run_bench(&failing, &spec, Duration::from_secs(20)).unwrap_err();
    assert!(e.unavailable.contains("SyntaxError: boom"), "{e}");
    let hanging = fake_python(dir.path(), "exec sleep 30");
    let t = std::time::Instant::now();
    let e = run_bench(&hanging, &spec, Duration::from_millis(300)).unwrap_err();
    assert!(e.unavailable.contains("limit"), "{e}");
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "the child was not killed"
    );
}

#[test]
fn the_real_interpreter_times_every_example_when_present() {
    let m = machine();
    let r = hpp::experiments::python(&m, &tiny()).unwrap();
    match &r.python {
        hpp::error::Fact::Known(info) => {
            assert!(!info.implementation.is_empty());
            for row in r.rows.iter().filter(|x| x.example != "sum_numpy") {
                let p = row
                    .python_ns
                    .unwrap_or_else(|| panic!("{} missing", row.example));
                assert!(p > 0.0);
                assert_eq!(row.ratio, Some(p / row.rust_ns));
            }
            r.plot().unwrap();
        }
        // No python3 here: the rows say so (the suite must pass without it).
        hpp::error::Fact::Unavailable(u) => {
            assert!(
                r.rows
                    .iter()
                    .all(|x| x.python_unavailable.as_deref() == Some(u.unavailable.as_str()))
            );
        }
    }
}

#[test]
fn gil_and_objects_run_with_or_without_python() {
    let m = machine();
    let g = hpp::experiments::gil(&m, &Budget::quick(), Some(1)).unwrap();
    let rust: Vec<_> = g
        .points
        .iter()
        .filter(|p| p.runtime == "Rust threads")
        .collect();
    assert_eq!(rust.iter().map(|p| p.workers).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(rust[0].speedup, 1.0);
    let has_python = hpp::machine::interpreters::find_python(None).is_known();
    assert_eq!(g.pythons.is_empty(), !has_python, "{:?}", g.unavailable);
    g.plot().unwrap();
    assert!(hpp::experiments::gil(&m, &Budget::quick(), Some(1 << 20)).is_err());

    let o = hpp::experiments::objects(&m, &Budget::quick()).unwrap();
    assert_eq!(o.rows.len(), 3);
    if cfg!(all(target_os = "linux", not(feature = "force-fallback"))) {
        // The resident set is per process and other tests allocate in
        // parallel here, so the figures are checked in a process of their own.
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("objects.json");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hpp"))
            .args([
                "run",
                "objects",
                "--quick",
                "--json",
                json.to_str().unwrap(),
            ])
            .env("HPP_PROGRESS", "0")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        let plain = v["rows"][1]["bytes_per_element"].as_f64().unwrap();
        assert!(
            (7.5..9.0).contains(&plain),
            "Vec<f64> measured {plain} B per float"
        );
        let boxed = v["rows"][2]["bytes_per_element"].as_f64().unwrap();
        assert!(boxed >= 16.0, "Vec<Box<f64>> measured {boxed} B per float");
    } else {
        assert!(!o.rows[1].bytes_per_element.is_known());
    }
    assert_eq!(o.rows[0].bytes_per_element.is_known(), has_python);
    assert_eq!(o.python_list_bytes_per_element.is_some(), has_python);
    assert_eq!(o.python_float_bytes.is_some(), has_python);
}

/// Live Python cells: the reader's interpreter times a snippet and sends
/// values back; its exceptions, hangs and absence are clear errors.
#[test]
fn py_timeit_and_py_eval_run_the_readers_python() {
    use hpp::measure::{PySnippet, py_eval, py_timeit};
    use std::time::Duration;
    if !hpp::machine::interpreters::find_python(None).is_known() {
        let e = py_timeit("1 + 1", "").unwrap_err().to_string();
        assert!(e.contains("python"), "{e}");
        return;
    }
    let quick = hpp::measure::Budget::quick();
    let setup = "values = [float(i) for i in range(1000)]\nprint('set up')";
    let t = PySnippet::new(setup)
        .budget(&quick)
        .timeit("sum(values)")
        .unwrap();
    assert!(t.runs() >= 3 && t.loops_per_run >= 1);
    assert!(t.median_s > 0.0 && t.median_s.is_finite(), "{t}");
    assert!(t.label.as_deref().unwrap_or("").ends_with("sum(values)"));
    // The same value in both languages.
    let v = py_eval("sum(values)", setup).unwrap();
    let rust: f64 = (0..1000).map(f64::from).sum();
    assert_eq!(v.as_f64(), Some(rust));
    v.agrees_with(rust).unwrap();
    v.agrees_with(499_500u64).unwrap();
    let e = v.agrees_with(rust + 1.0).unwrap_err().to_string();
    assert!(e.contains("499500") && e.contains("differ"), "{e}");
    py_eval("[1, 'a']", "")
        .unwrap()
        .agrees_with((1, "a"))
        .unwrap();
    assert!(
        py_eval("[1, 'a']", "")
            .unwrap()
            .agrees_with((1, "b"))
            .is_err()
    );
    assert_eq!(
        py_eval("[1, 'a', {'k': None}]", "").unwrap().0,
        serde_json::json!([1, "a", {"k": null}])
    );
    // A Python exception is an error carrying Python's traceback.
    let e = py_eval("1 / 0", "").unwrap_err();
    assert!(matches!(e, hpp::Error::Python { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("raised ZeroDivisionError: division by zero"),
        "{text}"
    );
    let hpp::Error::Python { traceback } = &e else {
        unreachable!()
    };
    assert!(traceback.contains("<expr>"), "{traceback}");
    let e = PySnippet::new("")
        .budget(&quick)
        .timeit("undefined_name")
        .unwrap_err()
        .to_string();
    assert!(e.contains("NameError"), "{e}");
    let e = py_eval("object()", "").unwrap_err().to_string();
    assert!(e.contains("cannot be sent back as JSON"), "{e}");
    // A snippet that runs too long is stopped.
    let e = PySnippet::new("import time")
        .limit(Duration::from_millis(800))
        .eval("time.sleep(30)")
        .unwrap_err()
        .to_string();
    assert!(e.contains("stopped"), "{e}");
    // Nothing to time, or no such interpreter: said plainly.
    assert!(
        py_timeit("  ", "")
            .unwrap_err()
            .to_string()
            .contains("empty snippet")
    );
    let e = PySnippet::new("")
        .interpreter("/nonexistent/python3")
        .eval("1")
        .unwrap_err()
        .to_string();
    assert!(e.contains("unavailable"), "{e}");
}
