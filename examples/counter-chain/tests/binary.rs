//! `counterd` end to end, as an operator runs it on one node home: init as
//! v1.0.0, run blocks, schedule v2.0.0, watch the old binary halt, start
//! the new one, export.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

/// Runs `counterd ARGS`.
fn counterd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_counterd"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("counterd runs")
}

/// Runs `counterd ARGS`, which must succeed, and returns its stdout.
fn ok(args: &[&str]) -> String {
    let out = counterd(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "counterd {args:?} failed: {stderr}");
    String::from_utf8(out.stdout).expect("UTF-8 stdout")
}

/// A fresh directory for this test under cargo's temporary folder.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn counterd_upgrades_a_node_from_v1_to_v2() {
    let dir = scratch("counterd-upgrade");
    let home = dir.join("home");
    let home = home.to_str().expect("UTF-8 path");
    let genesis = dir.join("genesis.json");
    // The upgrade authority: a key of the home's keyring, with an account.
    let key: Value = serde_json::from_str(&ok(&[
        "keys",
        "add",
        "authority",
        "--private-key",
        &"c3".repeat(32),
        "--home",
        home,
        "--output",
        "json",
    ]))
    .expect("key JSON");
    let authority = key["address"].as_str().expect("address");
    let doc = json!({
        "chain_id": "counter-1",
        "app_state": {
            "auth": {
                "params": {"max_memo_characters": "256", "tx_sig_limit": "7", "tx_size_cost_per_byte": "10",
                           "sig_verify_cost_ed25519": "590", "sig_verify_cost_secp256k1": "1000"},
                "accounts": [{"@type": "/cosmos.auth.v1beta1.BaseAccount", "address": authority,
                              "pub_key": null, "account_number": "0", "sequence": "0"}]
            },
            "ledger": {"counters": [
                {"name": "bob", "value": "5"},
                {"name": "alice", "value": "12"}
            ]},
            "notes": {"notes": [{"title": "welcome", "body": "hello"}]},
            "clock": {"began_at": "0", "blocks": "0"},
            "legacy": {"items": ["x"]}
        }
    });
    std::fs::write(&genesis, doc.to_string()).expect("write genesis");
    let genesis = genesis.to_str().expect("UTF-8 path");

    ok(&[
        "init",
        "--home",
        home,
        "--genesis",
        genesis,
        "--release",
        "v1.0.0",
        "--authority",
        "authority",
    ]);
    let v1 = ["--release", "v1.0.0", "--txs-per-block", "0"];
    ok(&[&["start", "--home", home, "--blocks", "3"][..], &v1].concat());
    ok(&[
        "upgrade", "schedule", "--home", home, "--name", "v2.0.0", "--height", "5",
    ]);

    // Block 4 carries the schedule; the old binary halts before block 5.
    let halted = counterd(&[&["start", "--home", home, "--blocks", "10"][..], &v1].concat());
    let stderr = String::from_utf8_lossy(&halted.stderr);
    assert!(!halted.status.success(), "v1.0.0 must halt: {stderr}");
    assert!(stderr.contains("UPGRADE \"v2.0.0\" NEEDED"), "{stderr}");
    let info = std::fs::read(Path::new(home).join("data/upgrade-info.json"))
        .expect("data/upgrade-info.json written at the halt");
    let info: Value = serde_json::from_slice(&info).expect("upgrade-info.json is JSON");
    assert_eq!(
        (&info["name"], &info["height"]),
        (&json!("v2.0.0"), &json!(5))
    );

    // The new binary applies v2.0.0 in block 5, then runs block 6.
    let v2 = [
        "--release",
        "v2.0.0",
        "--txs-per-block",
        "0",
        "--blocks",
        "2",
    ];
    ok(&[&["start", "--home", home][..], &v2].concat());

    let export: Value = serde_json::from_str(&ok(&["export", "--home", home])).expect("JSON");
    let app_state = &export["app_state"];
    assert_eq!(
        app_state["ledger"],
        json!({"entries": [
            {"owner": "alice", "amount": "12"},
            {"owner": "bob", "amount": "5"}
        ]})
    );
    assert_eq!(
        app_state["notes"],
        json!({"notes": [{"title": "welcome", "body": "hello"}]})
    );
    assert_eq!(app_state["clock"], json!({"began_at": "6", "blocks": "6"}));
    assert_eq!(
        app_state["rewards"],
        json!({"per_block": "10", "minted": "20"})
    );
    assert_eq!(app_state.get("legacy"), None);
    let _ = std::fs::remove_dir_all(&dir);
}
