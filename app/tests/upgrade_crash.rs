//! Crash safety of a large upgrade block: `appd start` (v2.0.0, re-keying
//! every account and balance in place, its writes streamed into the block's
//! transaction a small buffer at a time) is SIGKILLed at 10 distinct points
//! inside the upgrade block — as the upgrade starts, inside each module's
//! migration, after each of several batches written into the transaction,
//! and once the upgrade is applied, just before its commit — and restarted
//! after each kill. Every restart replays the whole block; the final height,
//! app hash and export equal an uninterrupted run. The batches are written
//! behind the upgrade on a second thread, so kills also land with a batch
//! in flight.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use common::{appd, init, s};
use serde_json::Value;

const APPD: &str = env!("CARGO_BIN_EXE_appd");
/// Accounts of the chain: enough for a dozen batches in a debug build;
/// `UPGRADE_CRASH_ACCOUNTS=200000 cargo test --release -p appd --test
/// upgrade_crash` runs the same kills at mainnet-like scale.
fn accounts() -> u64 {
    std::env::var("UPGRADE_CRASH_ACCOUNTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(9_000)
}
const UPGRADE_HEIGHT: &str = "4";
const END: u64 = 6;
/// A tiny write buffer, so the upgrade writes many batches to kill between.
const WRITE_BUFFER_MIB: &str = "1";
const LOG: &str = "info,upgrade_runtime::store::batch_writer=debug";

fn start_args(home: &Path) -> Vec<String> {
    [
        "start",
        "--home",
        s(home),
        "--release",
        "v2.0.0",
        "--halt-height",
        &END.to_string(),
        "--txs-per-block",
        "3",
        "--write-buffer-mib",
        WRITE_BUFFER_MIB,
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Runs v2.0.0 and SIGKILLs it once its log shows the `n`-th line
/// containing `marker`. Returns whether the kill landed before the process
/// ended by itself.
fn kill_at(home: &Path, marker: &str, n: usize) -> bool {
    let mut child = Command::new(APPD)
        .args(start_args(home))
        .env("RUST_LOG", LOG)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let mut seen = 0;
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if line.contains(marker) {
            seen += 1;
            if seen == n {
                let killed = child.kill().is_ok();
                child.wait().expect("reaped");
                return killed;
            }
        }
    }
    child.wait().expect("reaped");
    false
}

fn status(home: &Path) -> Value {
    common::status(home)
}

/// A v1.0.0 chain halted for v2.0.0 at [`UPGRADE_HEIGHT`].
fn halted_chain(home: &Path) {
    init(home, accounts(), 11);
    appd(&[
        "upgrade",
        "schedule",
        "--home",
        s(home),
        "--name",
        "v2.0.0",
        "--height",
        UPGRADE_HEIGHT,
    ])
    .ok();
    appd(&[
        "start",
        "--home",
        s(home),
        "--release",
        "v1.0.0",
        "--halt-height",
        "20",
        "--txs-per-block",
        "3",
    ])
    .failed();
    assert_eq!(status(home)["height"], 3, "v1.0.0 halts before height 4");
}

#[test]
fn sigkill_at_ten_points_of_a_large_upgrade_block_replays_to_the_same_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (reference, crashed) = (dir.path().join("reference"), dir.path().join("crashed"));
    halted_chain(&reference);
    halted_chain(&crashed);

    let out = Command::new(APPD)
        .args(start_args(&reference))
        .env("RUST_LOG", LOG)
        .stdin(Stdio::null())
        .output()
        .expect("reference run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = String::from_utf8_lossy(&out.stderr);
    let batches = log.matches("write session batch written").count();
    assert!(
        batches >= 12,
        "the upgrade must write many batches to kill between, wrote {batches}"
    );
    let want = status(&reference);
    assert_eq!(want["height"], END);

    // Ten points inside the upgrade block, in the order they happen.
    let step = batches / 7;
    let mut points: Vec<(&str, usize)> = vec![
        ("applying upgrade", 1),
        ("migrating module", 1),
        ("migrating module", 2),
    ];
    points.extend((1..=6).map(|i| ("write session batch written", i * step)));
    points.push(("upgrade applied", 1));
    assert_eq!(points.len(), 10);
    for (marker, n) in &points {
        assert!(
            kill_at(&crashed, marker, *n),
            "the run ended before the {n}th {marker:?}"
        );
        // Nothing of the upgrade block was committed: the chain is still at
        // the halt, on v1.0.0's versions, and reopens cleanly.
        let s = status(&crashed);
        assert_eq!(s["height"], 3, "killed at the {n}th {marker:?}: {s}");
    }
    let out = Command::new(APPD)
        .args(start_args(&crashed))
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .output()
        .expect("final run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = status(&crashed);
    assert_eq!(got["height"], want["height"]);
    assert_eq!(got["app_hash"], want["app_hash"]);
    assert_eq!(
        common::export(&crashed)["app_state"],
        common::export(&reference)["app_state"]
    );
}
