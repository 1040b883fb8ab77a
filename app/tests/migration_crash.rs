//! Crash safety of the lazy store migration: `appd start` is SIGKILLed at
//! 20+ distinct heights while the migration runs and restarted each time.
//! No key is lost or duplicated, each restart resumes from the persisted
//! boundary, and the final app hash and export equal an uninterrupted run.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

const APPD: &str = env!("CARGO_BIN_EXE_appd");
const END: u64 = 360;
const BATCH: &str = "3";

fn appd(args: &[&str]) -> std::process::Output {
    Command::new(APPD)
        .args(args)
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .output()
        .expect("appd runs")
}

fn ok(args: &[&str]) -> String {
    let out = appd(args);
    assert!(
        out.status.success(),
        "appd {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn status(home: &str) -> Value {
    serde_json::from_str(&ok(&["status", "--home", home, "--output", "json"])).expect("status json")
}

fn start(home: &str, release: &str, halt: u64) -> std::process::Output {
    let halt = halt.to_string();
    appd(&[
        "start",
        "--home",
        home,
        "--release",
        release,
        "--halt-height",
        &halt,
        "--txs-per-block",
        "4",
        "--migration-batch",
        BATCH,
    ])
}

/// A chain that has applied v2.0.0 and v3.0.0 (the lazy migration has
/// started) at height 12.
fn chain_at_v3(home: &str) {
    common::init(std::path::Path::new(home), 120, 3);
    ok(&[
        "upgrade", "schedule", "--home", home, "--name", "v2.0.0", "--height", "4",
    ]);
    assert!(
        !start(home, "v1.0.0", 20).status.success(),
        "v1.0.0 must halt at 4"
    );
    assert!(start(home, "v2.0.0", 6).status.success());
    ok(&[
        "upgrade", "schedule", "--home", home, "--name", "v3.0.0", "--height", "12",
    ]);
    assert!(
        !start(home, "v2.0.0", 20).status.success(),
        "v2.0.0 must halt at 12"
    );
    assert!(start(home, "v3.0.0", 12).status.success());
    assert_eq!(status(home)["migration"]["status"], "running");
}

fn export(home: &str) -> Value {
    let v: Value = serde_json::from_str(&ok(&["export", "--home", home])).expect("export json");
    v["app_state"].clone()
}

#[test]
fn sigkill_at_twenty_heights_during_the_migration_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reference = dir.path().join("reference");
    let crashed = dir.path().join("crashed");
    let (reference, crashed) = (
        reference.to_str().expect("utf8"),
        crashed.to_str().expect("utf8"),
    );
    chain_at_v3(reference);
    chain_at_v3(crashed);
    assert!(start(reference, "v3.0.0", END).status.success());
    let want = status(reference);
    assert_eq!(want["height"], END);
    assert_eq!(
        want["migration"]["status"], "complete",
        "the run must outlast the migration: {want}"
    );

    let mut kill_heights = Vec::new();
    let mut moved_before = status(crashed)["migration"]["keys_moved"]
        .as_u64()
        .expect("moved");
    let mut attempt = 0u64;
    while kill_heights.len() < 20 {
        attempt += 1;
        assert!(
            attempt < 400,
            "could not kill at 20 distinct heights: {kill_heights:?}"
        );
        let mut child = Command::new(APPD)
            .args([
                "start",
                "--home",
                crashed,
                "--release",
                "v3.0.0",
                "--halt-height",
                &END.to_string(),
                "--txs-per-block",
                "4",
                "--migration-batch",
                BATCH,
                // Kills land tens of milliseconds in: spent on blocks, not
                // on the start-up verification (tested in state_integrity).
                "--skip-verify",
            ])
            .env("RUST_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        // Short runs, so that 20 kills land before the migration completes.
        std::thread::sleep(Duration::from_millis(25 + (attempt * 37) % 60));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        let s = status(crashed);
        let height = s["height"].as_u64().expect("height");
        let moved = s["migration"]["keys_moved"].as_u64().expect("moved");
        // Resumes from the persisted boundary: progress never goes back.
        assert!(
            moved >= moved_before,
            "keys moved went back from {moved_before} to {moved}"
        );
        moved_before = moved;
        if height >= END {
            break;
        }
        if s["migration"]["status"] == "running" && !kill_heights.contains(&height) {
            kill_heights.push(height);
        }
    }
    assert!(start(crashed, "v3.0.0", END).status.success());
    let got = status(crashed);
    assert!(kill_heights.len() >= 20, "killed at {kill_heights:?}");
    eprintln!("SIGKILLed at heights {kill_heights:?}");
    assert_eq!(got["height"], want["height"]);
    assert_eq!(
        got["app_hash"], want["app_hash"],
        "killed at heights {kill_heights:?}"
    );
    assert_eq!(
        got["migration"]["keys_moved"],
        want["migration"]["keys_moved"]
    );
    assert_eq!(export(crashed), export(reference));
    assert!(Path::new(crashed).join("data/state.redb").is_file());
}
