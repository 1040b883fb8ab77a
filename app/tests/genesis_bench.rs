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
    assert_eq!(report["n"]["accounts"], 40.0);
    assert_eq!(report["2n"]["accounts"], 80.0);
    assert_eq!(report["paths_agree"]["equal"], true, "{report:#}");
    let mut phases: Vec<(String, &serde_json::Value)> = [
        "export_streaming_v1_at_halt",
        "export_streaming_v2",
        "export_in_memory_v1",
        "upgrade_in_place_v1_to_v2",
        "genesis_migrate_v1_to_v2",
        "import_migrated_v2",
    ]
    .iter()
    .map(|p| (p.to_string(), &report[*p]))
    .collect();
    for size in ["n", "2n"] {
        for phase in [
            "generate",
            "raw_serde_json_parse",
            "import",
            "export_streaming",
            "raw_serde_json_serialise",
        ] {
            phases.push((format!("{size}.{phase}"), &report[size][phase]));
        }
    }
    for (phase, metrics) in phases {
        let seconds = metrics["seconds"].as_f64().unwrap();
        assert!(seconds > 0.0, "{phase}: {report:#}");
        if cfg!(target_os = "linux") {
            assert!(metrics["peak_rss_mib"].as_f64().unwrap() > 0.0, "{phase}");
        }
    }
    // The streamed export and the raw serialisation wrote the same bytes.
    assert_eq!(
        std::fs::read(dir.join("n/export-scale.json")).unwrap(),
        std::fs::read(dir.join("n/raw-scale.json")).unwrap()
    );
    // The imported home's genesis is the generated file, byte for byte.
    assert_eq!(
        std::fs::read(dir.join("n/genesis.json")).unwrap(),
        std::fs::read(dir.join("n/home-v1/config/genesis.json")).unwrap()
    );
    // Refuses to reuse a directory that holds homes.
    let out = appd(&["bench", "genesis", "--accounts", "5", "--dir", s(&dir)]).failed();
    assert!(
        out.error().contains("pass an empty --dir"),
        "{}",
        out.error()
    );
}
