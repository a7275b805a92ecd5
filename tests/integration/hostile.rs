//! Every registered experiment, every hostile option a curious reader might
//! type: each ends with a one-line error or an "unavailable" row, in bounded
//! time, with no panic, no abort, no temp file and no process left behind.
//! The experiments come from the registry, so a new chapter is covered the
//! day it is registered.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a run left: how it ended and what it printed.
struct Ended {
    ok: bool,
    out: String,
    err: String,
    took: Duration,
}

/// Signs of a crash rather than a clear error.
const CRASH_SIGNS: &[&str] = &[
    "panicked",
    "fatal runtime error",
    "a bug in hpp",
    "RUST_BACKTRACE",
    "Aborted",
    "core dumped",
];

/// A private world for one run: its own TMPDIR, a token in the environment
/// that every process it starts inherits (to find leftovers), and a
/// folder of stand-in interpreters.
struct World {
    root: tempfile::TempDir,
    token: String,
}

impl World {
    fn new() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        for d in ["tmp", "stand-ins", "calls"] {
            std::fs::create_dir(root.path().join(d)).unwrap();
        }
        let token = format!(
            "hpp-hostile-{}-{}",
            std::process::id(),
            root.path().file_name().unwrap().to_string_lossy()
        );
        World { root, token }
    }

    fn tmp(&self) -> PathBuf {
        self.root.path().join("tmp")
    }

    /// Write an executable stand-in interpreter called `name`.
    fn stand_in(&self, name: &str, body: &str) -> PathBuf {
        let p = self.root.path().join("stand-ins").join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    /// Run hpp with `args` and `env`, killing it (and failing the test)
    /// after `deadline`.
    fn hpp(&self, args: &[&str], env: &[(&str, &str)], deadline: Duration) -> Ended {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hpp"));
        cmd.args(args)
            .env("HPP_PROGRESS", "0")
            .env("TMPDIR", self.tmp())
            .env("HPP_HOSTILE_TOKEN", &self.token)
            .env("HPP_CALLS", self.root.path().join("calls"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let start = Instant::now();
        let mut child = cmd.spawn().expect("start hpp");
        let mut out_pipe = child.stdout.take().unwrap();
        let mut err_pipe = child.stderr.take().unwrap();
        let out_t = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = out_pipe.read_to_string(&mut s);
            s
        });
        let err_t = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err_pipe.read_to_string(&mut s);
            s
        });
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "hpp {} did not end within {deadline:?}: an unbounded wait",
                    args.join(" ")
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let ended = Ended {
            ok: status.success(),
            out: out_t.join().unwrap(),
            err: err_t.join().unwrap(),
            took: start.elapsed(),
        };
        let all = format!("{}{}", ended.out, ended.err);
        for sign in CRASH_SIGNS {
            assert!(
                !all.contains(sign),
                "hpp {} crashed ({sign}):\n{all}",
                args.join(" ")
            );
        }
        assert!(
            status.code().is_some(),
            "hpp {} was killed by a signal: {status}\n{all}",
            args.join(" ")
        );
        self.assert_clean(&args.join(" "));
        ended
    }

    /// No file left in the private TMPDIR, no process left holding the token.
    fn assert_clean(&self, what: &str) {
        let left: Vec<_> = std::fs::read_dir(self.tmp())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "hpp {what} left temp files: {left:?}");
        let mut alive = leftovers(&self.token);
        for _ in 0..100 {
            if alive.is_empty() {
                break;
            }
            // A process killed a moment ago may still be on its way out.
            std::thread::sleep(Duration::from_millis(20));
            alive = leftovers(&self.token);
        }
        assert!(
            alive.is_empty(),
            "hpp {what} left processes behind: {alive:?}"
        );
    }
}

/// Running processes (not zombies) whose environment holds `token`.
fn leftovers(token: &str) -> Vec<String> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let pid = e.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) || pid == me {
            continue;
        }
        let Ok(env) = std::fs::read(format!("/proc/{pid}/environ")) else {
            continue;
        };
        if !env
            .split(|&b| b == 0)
            .any(|kv| kv == format!("HPP_HOSTILE_TOKEN={token}").as_bytes())
        {
            continue;
        }
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let zombie = stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z') || rest.starts_with('X'));
        if !zombie {
            let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            found.push(format!(
                "{pid}: {}",
                String::from_utf8_lossy(&cmd).replace('\0', " ")
            ));
        }
    }
    found
}

fn registry_names() -> Vec<&'static str> {
    hpp::chapters::entries().map(|(_, e)| e.name).collect()
}

/// Split `hpp run all` output into each experiment's section.
fn sections(out: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in out.lines() {
        if let Some(rest) = line.strip_prefix("== ") {
            let name = rest.split_whitespace().next().unwrap_or("").to_string();
            map.insert(name.clone(), String::new());
            current = Some(name);
        } else if let Some(c) = &current {
            let s = map.get_mut(c).unwrap();
            s.push_str(line);
            s.push('\n');
        }
    }
    map
}

#[test]
fn hostile_options_are_refused_before_anything_runs_for_every_experiment() {
    let w = World::new();
    let a_file = w.root.path().join("a-file");
    std::fs::write(&a_file, "not a folder").unwrap();
    let a_file = a_file.to_str().unwrap().to_string();
    let missing = w.root.path().join("no/such/folder");
    let missing = missing.to_str().unwrap().to_string();
    let json_in_missing = format!("{missing}/r.json");
    let absurd = usize::MAX.to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--threads", "100000"], "time slicing"),
        (vec!["--threads", &absurd], "time slicing"),
        (vec!["--dir", &missing], "does not exist"),
        (vec!["--dir", &a_file], "is not a folder"),
        (vec!["--dir", "/proc"], "cannot write"),
        (vec!["--json", &json_in_missing], "does not exist"),
        (vec!["--svg", "/proc"], "is a folder"),
    ];
    let names = registry_names();
    assert!(names.len() >= 20, "the registry lists {}", names.len());
    for name in names.iter().copied().chain(["all"]) {
        for (extra, says) in &cases {
            let mut args = vec!["run", name, "--quick"];
            args.extend(extra.iter().copied());
            let r = w.hpp(&args, &[], Duration::from_secs(60));
            assert!(!r.ok, "hpp {} should be refused", args.join(" "));
            assert!(
                r.err.starts_with("hpp: ") && r.err.contains(says) && r.err.lines().count() == 1,
                "hpp {}: want one line saying {says:?}, got:\n{}",
                args.join(" "),
                r.err
            );
            assert!(
                r.took < Duration::from_secs(20),
                "hpp {} took {:?} to refuse",
                args.join(" "),
                r.took
            );
        }
    }
    for c in hpp::chapters::CHAPTERS {
        let n = c.number.to_string();
        for (extra, says) in [
            (vec!["--out", "/proc/hpp"], "--out"),
            (vec!["--out", a_file.as_str()], "is a file"),
            (vec!["--out", "/tmp", "--threads", "100000"], "time slicing"),
            (
                vec!["--out", "/tmp", "--dir", missing.as_str()],
                "does not exist",
            ),
        ] {
            let mut args = vec!["chapter", n.as_str(), "--quick"];
            args.extend(extra);
            let r = w.hpp(&args, &[], Duration::from_secs(60));
            assert!(
                !r.ok && r.err.contains(says) && r.err.lines().count() == 1,
                "hpp {}: {}",
                args.join(" "),
                r.err
            );
        }
    }
}

/// The stand-in interpreters, one behaviour per call in turn: each Python
/// run of `hpp run all` meets a different kind of trouble.
const TROUBLE: &[(&str, &str, &str)] = &[
    ("hangs in a grandchild", "sleep 600 &\nwait", "ran past its"),
    (
        "floods its output",
        "exec yes 'flood flood flood'",
        "printed more than",
    ),
    (
        "ignores SIGTERM",
        "trap '' TERM\nsleep 600 &\nwhile :; do sleep 1; done",
        "ran past its",
    ),
    (
        "prints what is not JSON",
        "echo 'hello, world'",
        "cannot read",
    ),
    ("dies of a signal", "kill -KILL $$", "signal 9"),
    (
        "fails",
        "echo 'Traceback: ImportError: no json' >&2; exit 1",
        "ImportError",
    ),
];

#[test]
fn every_experiment_runs_on_one_thread_beside_a_hostile_python() {
    let w = World::new();
    // Call k behaves as TROUBLE[k % len]; the call is recorded first.
    let mut body =
        String::from("n=$(ls \"$HPP_CALLS\" | wc -l)\ntouch \"$HPP_CALLS/call-$n\"\ncase $((n % ");
    body.push_str(&format!("{})) in\n", TROUBLE.len()));
    for (i, (_, script, _)) in TROUBLE.iter().enumerate() {
        body.push_str(&format!("{i})\n{script}\n;;\n"));
    }
    body.push_str("esac");
    let python = w.stand_in("python3", &body);
    let r = w.hpp(
        &["run", "all", "--quick", "--threads", "1"],
        &[
            ("HPP_PYTHON", python.to_str().unwrap()),
            ("HPP_PYTHON_LIMIT", "2"),
        ],
        Duration::from_secs(900),
    );
    assert!(r.ok, "hpp run all failed:\n{}\n{}", r.out, r.err);
    let by_name = sections(&r.out);
    for name in registry_names() {
        let s = by_name
            .get(name)
            .unwrap_or_else(|| panic!("no section for {name}:\n{}", r.out));
        assert!(!s.trim().is_empty(), "{name} printed nothing");
    }
    let calls = std::fs::read_dir(w.root.path().join("calls"))
        .unwrap()
        .count();
    assert!(
        calls >= TROUBLE.len(),
        "only {calls} Python runs: not every kind of trouble was met"
    );
    // Each kind of trouble met became a reason in some experiment's output.
    for (what, _, says) in TROUBLE {
        assert!(
            r.out.contains(says),
            "a Python that {what} left no reason containing {says:?}:\n{}",
            r.out
        );
    }
    // The experiments that ran Python say so; the rest did not need it.
    let used: Vec<&str> = by_name
        .iter()
        .filter(|(_, s)| s.contains(python.to_str().unwrap()))
        .map(|(n, _)| n.as_str())
        .collect();
    for must in ["python", "julia"] {
        assert!(
            used.contains(&must),
            "{must} did not report its Python: {used:?}"
        );
    }
}

#[test]
fn a_missing_or_unusable_interpreter_is_a_reason_not_an_error() {
    let w = World::new();
    let not_python = w.root.path().join("a-file");
    std::fs::write(&not_python, "").unwrap();
    for (interp, says) in [
        ("/nonexistent/python3", "no Python interpreter at"),
        (not_python.to_str().unwrap(), "no Python interpreter at"),
    ] {
        for name in ["python", "objects", "profilers"] {
            let r = w.hpp(
                &["run", name, "--quick"],
                &[("HPP_PYTHON", interp)],
                Duration::from_secs(300),
            );
            assert!(
                r.ok && r.out.contains(says),
                "{name} with {interp}: {}{}",
                r.out,
                r.err
            );
        }
    }
    let quiet = w.stand_in("quiet-python", "echo '{}'");
    let r = w.hpp(
        &["run", "python", "--quick"],
        &[
            ("HPP_PYTHON", quiet.to_str().unwrap()),
            ("HPP_PYTHON_LIMIT", "soon"),
        ],
        Duration::from_secs(300),
    );
    assert!(r.out.contains("HPP_PYTHON_LIMIT=\"soon\""), "{}", r.out);
}

#[test]
fn the_crash_detector_itself_can_fail() {
    // The checks above are only worth something if they see a crash.
    let w = World::new();
    let r = w.hpp(&["--version"], &[], Duration::from_secs(30));
    assert!(r.ok);
    let leftover = Command::new("sleep")
        .arg("30")
        .env("HPP_HOSTILE_TOKEN", &w.token)
        .spawn()
        .unwrap();
    // The child may still be starting (its environment not yet readable
    // under /proc on a loaded machine): look again for up to 5 s.
    let mut found = false;
    for _ in 0..100 {
        if !leftovers(&w.token).is_empty() {
            found = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(found, "a process holding the token was not found");
    let mut leftover = leftover;
    leftover.kill().unwrap();
    leftover.wait().unwrap();
    assert!(leftovers(&w.token).is_empty());
    std::fs::write(w.tmp().join("stray"), "x").unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        w.assert_clean("a stray file")
    }));
    assert!(caught.is_err(), "a stray temp file was not noticed");
    std::fs::remove_file(w.tmp().join("stray")).unwrap();
}
