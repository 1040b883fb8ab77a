//! `bench abci` runs end to end on a small chain: both executions agree on
//! every app hash (the benchmark refuses otherwise) and it reports the ratio.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn bench_abci_smoke() {
    let out = Command::new(env!("CARGO_BIN_EXE_appd"))
        .args([
            "bench",
            "abci",
            "--accounts",
            "50",
            "--blocks",
            "3",
            "--txs-per-block",
            "5",
        ])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout
            .contains("3 blocks, 15 txs (5 per block), 50 accounts; same app hash at every height"),
        "{stdout}"
    );
    assert!(stdout.contains("ABCI / standalone:"), "{stdout}");
}
