//! `appd upgrade plan`: a dry run of an upgrade against the node's state
//! that writes nothing and predicts the upgrade block's app hash.

use std::process::{Command, Stdio};

use serde_json::Value;

const APPD: &str = env!("CARGO_BIN_EXE_appd");

fn appd(args: &[&str]) -> String {
    let out = Command::new(APPD)
        .args(args)
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .output()
        .expect("appd runs");
    assert!(
        out.status.success(),
        "appd {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../snapshots/upgrade_plan"
    ));
    s.set_prepend_module_to_snapshot(false);
    s.add_redaction(".seconds", "[seconds]");
    s
}

#[test]
fn plan_writes_nothing_and_predicts_the_upgrade_block() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("node");
    let home = home.to_str().expect("utf8");
    // The chain's upgrade authority is a key of the home's test keyring.
    appd(&[
        "keys",
        "add",
        "authority",
        "--private-key",
        &"a1".repeat(32),
        "--home",
        home,
    ]);
    appd(&[
        "init",
        "--home",
        home,
        "--release",
        "v1.0.0",
        "--accounts",
        "30",
        "--seed",
        "4",
        "--authority",
        "authority",
        "--fund",
        "authority=1000000stake",
    ]);
    appd(&[
        "start",
        "--home",
        home,
        "--release",
        "v1.0.0",
        "--blocks",
        "2",
        "--txs-per-block",
        "5",
    ]);
    appd(&[
        "upgrade", "schedule", "--home", home, "--name", "v2.0.0", "--height", "4",
    ]);
    let halted = Command::new(APPD)
        .args([
            "start",
            "--home",
            home,
            "--release",
            "v1.0.0",
            "--blocks",
            "5",
            "--txs-per-block",
            "5",
        ])
        .env("RUST_LOG", "error")
        .output()
        .expect("appd runs");
    assert!(
        !halted.status.success(),
        "v1.0.0 must halt at the upgrade height"
    );
    let state = std::path::Path::new(home).join("data/state.redb");
    let before = std::fs::read(&state).expect("state");
    let plan: Value = serde_json::from_str(&appd(&[
        "upgrade", "plan", "--home", home, "v2.0.0", "--output", "json",
    ]))
    .expect("json");
    assert!(
        std::fs::read(&state).expect("state") == before,
        "upgrade plan changed the state file"
    );
    assert_eq!(
        plan["plan"]["height"], 4,
        "the pending plan's height is used"
    );
    settings().bind(|| insta::assert_json_snapshot!("plan_v2_0_0", plan));

    // Apply it for real with an empty upgrade block: the hash is the predicted one.
    appd(&[
        "start",
        "--home",
        home,
        "--release",
        "v2.0.0",
        "--blocks",
        "1",
        "--txs-per-block",
        "0",
    ]);
    let status: Value =
        serde_json::from_str(&appd(&["status", "--home", home, "--output", "json"])).expect("json");
    assert_eq!(status["height"], 4);
    assert_eq!(status["app_hash"], plan["app_hash_after"]);

    let plan3: Value = serde_json::from_str(&appd(&[
        "upgrade", "plan", "--home", home, "v3.0.0", "--output", "json",
    ]))
    .expect("json");
    assert_eq!(plan3["lazy_store_migration"], true);
    settings().bind(|| insta::assert_json_snapshot!("plan_v3_0_0", plan3));
}

#[test]
fn the_ledger_after_the_demo_records_both_upgrades() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("demo");
    let home = home.to_str().expect("utf8");
    appd(&[
        "demo",
        "--home",
        home,
        "--accounts",
        "200",
        "--txs-per-block",
        "20",
    ]);
    let show: Value = serde_json::from_str(&appd(&[
        "upgrade", "show", "--home", home, "--output", "json",
    ]))
    .expect("json");
    let ledger = &show["ledger"];
    assert_eq!(ledger.as_array().map(Vec::len), Some(2));
    // The node-local part is there, beside the consensus record.
    assert!(ledger[0]["seconds"].as_f64().is_some());
    let mut settings = settings();
    settings.add_redaction("[].seconds", "[seconds]");
    settings.bind(|| insta::assert_json_snapshot!("ledger_after_demo", show["ledger"]));
}
