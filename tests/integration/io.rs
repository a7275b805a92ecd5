//! Storage and network experiments: real files and sockets, cleaned up.

use hpp::experiments::{Outcome, network, storage};
use hpp::kernels::network::{ping_pong, stream};
use hpp::kernels::storage::ScratchFile;
use hpp::machine::machine;
use hpp::measure::Budget;

#[test]
fn scratch_files_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    {
        let f = ScratchFile::create(dir.path(), 1).unwrap();
        assert_eq!(f.size(), 1 << 20, "rounded up to 1 MiB");
        // Unlinked at once: the folder is empty while the file is in use.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let (bytes, mix) = f.read_sequential(1 << 20, false).unwrap();
        assert_eq!(bytes, 1 << 20);
        assert_eq!(
            f.read_reference().unwrap(),
            (bytes, mix),
            "matches plain 4 KiB reads"
        );
        assert_eq!(f.read_sequential(64 << 10, false).unwrap(), (bytes, mix));
        if f.direct().is_ok() {
            assert_eq!(
                f.read_sequential(1 << 20, true).unwrap(),
                (bytes, mix),
                "O_DIRECT reads the same bytes"
            );
        }
        let a = f.read_random(4096, 10, false, 1).unwrap();
        assert_eq!(
            a,
            f.read_random(4096, 10, false, 1).unwrap(),
            "same seed, same reads"
        );
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    assert!(ScratchFile::create(dir.path(), 0).is_err());
}

#[test]
fn storage_experiment_shape_and_bad_folders() {
    let dir = tempfile::tempdir().unwrap();
    let r = storage(&machine(), &Budget::quick(), Some(dir.path())).unwrap();
    assert_eq!(r.rows.len(), 4);
    assert!(r.write_mb_per_s > 0.0);
    for row in &r.rows[..2] {
        assert!(row.mb_per_s.known().is_some_and(|&v| v > 0.0), "{row:?}");
    }
    // Device rows: a number, or unavailable with a reason — never 0.
    for row in &r.rows[2..] {
        match row.mb_per_s.known() {
            Some(v) => assert!(*v > 0.0),
            None => assert!(row.mb_per_s.as_result().is_err()),
        }
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file left"
    );
    let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert!(json["rows"][0]["mb_per_s"].is_f64());
    r.plot().unwrap();
    let e = storage(
        &machine(),
        &Budget::quick(),
        Some(&dir.path().join("missing")),
    )
    .unwrap_err();
    assert!(e.to_string().contains("is not a folder"), "{e}");
}

#[test]
fn loopback_stream_and_ping_pong() {
    assert!(stream(1 << 20, 1 << 12).unwrap() > 0.0);
    assert!(ping_pong(10, 64).unwrap() > 0.0);
    assert!(stream(0, 1).is_err());
    assert!(ping_pong(0, 1).is_err());
    let r = network(&machine(), &Budget::quick()).unwrap();
    assert!(r.stream_gb_per_s > 0.0 && r.round_trip_us > 0.0);
    assert!(r.reading().starts_with("Loopback TCP streams"));
    r.plot().unwrap();
}
