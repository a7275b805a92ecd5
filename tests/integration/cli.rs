//! The `hpp` command line: help, machine card, bad input → clear error and a
//! non-zero exit, never a panic.

use std::process::Command;

fn hpp(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hpp"))
        .args(args)
        .env("HPP_PROGRESS", "0")
        .output()
        .expect("run hpp");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_lists_the_commands() {
    let (ok, out, _) = hpp(&["--help"]);
    assert!(ok);
    for c in ["machine", "list", "run", "chapter", "compare", "timeit"] {
        assert!(out.contains(c), "{c} missing from --help:\n{out}");
    }
}

#[test]
fn machine_text_and_json() {
    let (ok, out, _) = hpp(&["machine"]);
    assert!(ok);
    assert!(out.contains("Caches") && out.contains("hpp build"), "{out}");
    let (ok, out, _) = hpp(&["machine", "--json"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert!(v["cpu"]["arch"].is_string());
    assert!(v["build"]["opt_level"].is_string());
}

#[test]
fn unknown_names_and_zero_sizes_are_refused_clearly() {
    let (ok, _, err) = hpp(&["run", "no_such_thing"]);
    assert!(!ok);
    assert!(
        err.contains("no experiment called \"no_such_thing\"") && err.contains("sum_layout"),
        "{err}"
    );
    let (ok, _, err) = hpp(&["timeit", "nope"]);
    assert!(!ok);
    assert!(err.contains("indexed-sum"), "{err}");
    let (ok, _, err) = hpp(&["timeit", "indexed-sum", "--n", "0"]);
    assert!(!ok);
    assert!(err.contains("at least one element"), "{err}");
    let (ok, _, err) = hpp(&["timeit", "sum-boxed", "--n", "18446744073709551615"]);
    assert!(!ok, "an absurd size must be refused before allocating");
    assert!(err.contains("needs") && !err.contains("panicked"), "{err}");
    let (ok, _, err) = hpp(&["timeit", "julia-lanes", "--n", "99999"]);
    assert!(!ok && err.contains("20000"), "{err}");
    let (ok, out, err) = hpp(&["timeit", "julia-lanes", "--n", "40", "--quick"]);
    assert!(ok && out.contains("per loop"), "{err}");
}

#[test]
fn list_names_every_experiment_and_all_refuses_one_svg() {
    let (ok, out, _) = hpp(&["list"]);
    assert!(ok);
    // Grouped by chapter, every registered experiment under its chapter.
    for c in hpp::chapters::CHAPTERS {
        let heading = format!("chapter {} · {}", c.number, c.title);
        let at = out
            .find(&heading)
            .unwrap_or_else(|| panic!("{heading} missing:\n{out}"));
        for e in c.experiments {
            // Chapters with a core path mark each line core or take-home.
            let part = match (c.core.is_empty(), c.is_core(e.name)) {
                (true, _) => "",
                (false, true) => "core ",
                (false, false) => "home ",
            };
            let line = format!("  {:<14} {part}{}", e.name, e.about);
            assert!(out[at..].contains(&line), "{} missing:\n{out}", e.name);
        }
    }
    let (ok, _, err) = hpp(&["run", "all", "--quick", "--svg", "x.svg"]);
    assert!(!ok);
    assert!(err.contains("--svg writes one plot"), "{err}");
    let (ok, _, err) = hpp(&["run", "bandwidth", "--threads", "100000"]);
    assert!(!ok);
    assert!(
        err.contains("100000 threads") && err.contains("0 for one per CPU"),
        "{err}"
    );
}

#[test]
fn run_writes_json_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("r.json");
    let s = dir.path().join("r.svg");
    let (ok, out, err) = hpp(&[
        "run",
        "sum-layout",
        "--quick",
        "--json",
        j.to_str().unwrap(),
        "--svg",
        s.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("On this machine"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&j).unwrap()).unwrap();
    assert_eq!(v["budget"], "quick");
    assert!(std::fs::read_to_string(&s).unwrap().starts_with("<svg"));
}

#[test]
fn python_side_by_side_without_python_on_path_degrades() {
    let out = Command::new(env!("CARGO_BIN_EXE_hpp"))
        .args(["run", "python", "--quick"])
        .env("HPP_PROGRESS", "0")
        .env("PATH", "/nonexistent")
        .env_remove("HPP_PYTHON")
        .output()
        .expect("run hpp");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("no python3 on PATH"), "{text}");
    assert!(text.contains("is_prime"), "{text}");
}

#[test]
fn chapter_and_compare_refuse_bad_input_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = hpp(&["chapter", "99", "--out", dir.path().to_str().unwrap()]);
    assert!(!ok && err.contains("no chapter 99"), "{err}");
    // The message lists every registered chapter, with its title.
    for c in hpp::chapters::CHAPTERS {
        assert!(
            err.contains(&format!("{} ({})", c.number, c.title)),
            "{err}"
        );
    }
    let (ok, _, err) = hpp(&["chapter", "one", "--out", dir.path().to_str().unwrap()]);
    assert!(
        !ok && err.contains("not a chapter number") && err.contains("or all"),
        "{err}"
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing written"
    );
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let (ok, _, err) = hpp(&["chapter", "1", "--quick", "--out", file.to_str().unwrap()]);
    assert!(!ok && err.contains("is a file"), "{err}");
    let (ok, _, err) = hpp(&[
        "chapter",
        "1",
        "--quick",
        "--name",
        "",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("member name is empty"), "{err}");

    let good = crate::fixture("results").join("dev-vm-quick-1.json");
    let good = good.to_str().unwrap();
    let (ok, _, err) = hpp(&["compare", good]);
    assert!(!ok && err.contains("two or more"), "{err}");
    let out = dir.path().join("cmp");
    let (ok, _, err) = hpp(&[
        "compare",
        good,
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        !ok && err.contains("a-file") && err.contains("not JSON"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written when a file is refused");
    assert!(!err.contains("panicked"));

    let other = crate::fixture("results").join("dev-vm-quick-2.json");
    let (ok, text, err) = hpp(&[
        "compare",
        good,
        other.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(text.contains("Load latency, L1d"), "{text}");
    assert!(
        std::fs::read_to_string(out.join("compare.html"))
            .unwrap()
            .contains("<svg")
    );
}

/// No free-threaded CPython can be installed here, so one is simulated: a
/// `python3.13t` on PATH that runs the real python3 and reports the GIL as
/// disabled. This checks that hpp finds it, runs it, and labels its line.
#[cfg(unix)]
#[test]
fn a_free_threaded_python_on_path_gets_its_own_line() {
    use std::os::unix::fs::PermissionsExt;
    if hpp::machine::interpreters::find_python(None)
        .known()
        .is_none()
    {
        return; // nothing to wrap without python3
    }
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("python3.13t");
    std::fs::write(
        &fake,
        "#!/bin/sh\npython3 \"$@\" | sed 's/\"gil\": \"enabled[^\"]*\"/\"gil\": \"disabled (free-threaded)\"/'\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let json = dir.path().join("gil.json");
    let out = Command::new(env!("CARGO_BIN_EXE_hpp"))
        .args([
            "run",
            "gil",
            "--quick",
            "--threads",
            "1",
            "--json",
            json.to_str().unwrap(),
        ])
        .env("HPP_PROGRESS", "0")
        .env("PATH", path)
        .output()
        .expect("run hpp");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let runtimes: Vec<&str> = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["runtime"].as_str())
        .collect();
    assert!(
        runtimes
            .iter()
            .any(|r| r.ends_with("free-threaded, threads")),
        "{runtimes:?}"
    );
    assert!(
        !runtimes
            .iter()
            .any(|r| r.contains("free-threaded") && r.contains("processes"))
    );
    assert_eq!(v["pythons"].as_array().unwrap().len(), 2);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("free-threaded CPython threads"), "{text}");
}
