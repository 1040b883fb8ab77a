//! `appd bench genesis` runs end to end at a small size: every phase
//! reports its time and peak memory, and the two upgrade paths agree.

#![allow(clippy::unwrap_used)]

mod common;

use common::{appd, s};

#[test]
fn the_genesis_benchmark_runs_and_its_paths_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bench");
    let report = appd(&[
        "bench",
        "genesis",
        "--accounts",
        "40",
        "--dir",
        s(&dir),
        "--output",
        "json",
    ])
    .ok()
    .json();
    assert_eq!(
        report["accounts"], 74.0,
        "40 users, 2 module accounts and the 32 funded senders of the synthetic transactions"
    );
    assert_eq!(report["paths_agree"]["equal"], true, "{report:#}");
    for phase in [
        "export_streaming_v1",
        "export_streaming_v2",
        "export_in_memory_v1",
        "raw_serde_json_serialise",
        "import_v1",
        "raw_serde_json_parse",
        "upgrade_in_place_v1_to_v2",
        "genesis_migrate_v1_to_v2",
        "import_migrated_v2",
    ] {
        let seconds = report[phase]["seconds"].as_f64().unwrap();
        assert!(seconds > 0.0, "{phase}: {report:#}");
        if cfg!(target_os = "linux") {
            assert!(
                report[phase]["peak_rss_mib"].as_f64().unwrap() > 0.0,
                "{phase}"
            );
        }
    }
    // The streamed export and the raw serialisation wrote the same bytes.
    assert_eq!(
        std::fs::read(dir.join("export-v1.json")).unwrap(),
        std::fs::read(dir.join("raw-v1.json")).unwrap()
    );
    // Refuses to reuse a directory that holds homes.
    let out = appd(&["bench", "genesis", "--accounts", "5", "--dir", s(&dir)]).failed();
    assert!(
        out.error().contains("pass an empty --dir"),
        "{}",
        out.error()
    );
}
