//! The genesis workflow with the real binary: `appd export` (and its
//! flags), `appd genesis validate`, `appd genesis migrate`, `appd init
//! --genesis`; the lossless round trip; and the cross-check on node homes:
//! a node upgraded in place and fresh homes initialised from its export and
//! from the migrated export of the halted chain agree on the app hash.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{appd, export, init, s, status, tree};
use serde_json::{Value, json};

fn start(home: &Path, release: &str, extra: &[&str]) -> common::Output {
    let mut args = vec!["start", "--home", s(home), "--release", release];
    args.extend_from_slice(extra);
    appd(&args)
}

fn export_to(home: &Path, file: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["export", "--home", s(home), "--output-document", s(file)];
    args.extend_from_slice(extra);
    appd(&args).ok();
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

fn write_json(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap()).unwrap();
}

fn init_from(home: &Path, file: &Path, release: &str) -> common::Output {
    appd(&[
        "init",
        "--home",
        s(home),
        "--release",
        release,
        "--genesis",
        s(file),
    ])
}

/// Replaces the temporary directory in a message with `[TMP]`.
fn scrub(message: &str, tmp: &Path) -> String {
    message.replace(s(tmp), "[TMP]")
}

/// A v1.0.0 home of `accounts` generated accounts that has run a few
/// blocks with transactions (so sequences and balances moved).
fn busy_home(dir: &Path, accounts: u64) -> PathBuf {
    let home = dir.join("node");
    init(&home, accounts, 9);
    start(&home, "v1.0.0", &["--blocks", "3", "--txs-per-block", "20"]).ok();
    home
}

#[test]
fn export_init_export_is_the_identity_and_keeps_the_app_hash() {
    let tmp = tempfile::tempdir().unwrap();
    // 1,010 accounts: two continuous vesting accounts (an @type auth does
    // not model, kept verbatim) among them.
    let home = busy_home(tmp.path(), 1_010);
    let first = export_to(&home, &tmp.path().join("first.json"), &[]);
    let vesting = first["app_state"]["auth"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["@type"] == "/cosmos.vesting.v1beta1.ContinuousVestingAccount")
        .count();
    assert_eq!(vesting, 2);
    assert_eq!(first["initial_height"], 4);
    assert_eq!(first["app_version"], "v1.0.0");

    let fresh = tmp.path().join("fresh");
    init_from(&fresh, &tmp.path().join("first.json"), "v1.0.0").ok();
    let second = export_to(&fresh, &tmp.path().join("second.json"), &[]);
    // Compared as text: order and number spelling survive too.
    assert_eq!(
        serde_json::to_string_pretty(&second["app_state"]).unwrap(),
        serde_json::to_string_pretty(&first["app_state"]).unwrap()
    );
    assert_eq!(status(&fresh)["app_hash"], status(&home)["app_hash"]);
    assert_eq!(status(&fresh)["height"], 3);
}

#[test]
fn export_flags_choose_the_height_and_the_sections() {
    let tmp = tempfile::tempdir().unwrap();
    let home = busy_home(tmp.path(), 30);
    let full = export_to(&home, &tmp.path().join("full.json"), &[]);
    let zero = export_to(&home, &tmp.path().join("zero.json"), &["--for-zero-height"]);
    assert_eq!(zero["initial_height"], 1);
    assert_eq!(zero["app_state"], full["app_state"]);

    let some = export_to(
        &home,
        &tmp.path().join("some.json"),
        &["--modules-to-export", "bank,auth"],
    );
    let keys: Vec<&String> = some["app_state"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["auth", "bank", "upgrade"]);
    assert_eq!(some["app_state"]["bank"], full["app_state"]["bank"]);

    // Without --output-document the document goes to stdout.
    let out = appd(&["export", "--home", s(&home), "--for-zero-height"]).ok();
    assert_eq!(out.json(), zero);

    // A bad flag writes nothing, and an existing document is left alone.
    let keep = tmp.path().join("keep.json");
    std::fs::write(&keep, "old contents").unwrap();
    let out = appd(&[
        "export",
        "--home",
        s(&home),
        "--modules-to-export",
        "bank,staking",
        "--output-document",
        s(&keep),
    ])
    .failed();
    insta::assert_snapshot!(scrub(&out.error(), tmp.path()), @r#"cannot write [TMP]/keep.json: cannot export module "staking": no such module in this binary (modules: auth, bank, crisis)"#);
    assert_eq!(std::fs::read_to_string(&keep).unwrap(), "old contents");
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "temporary files left: {names:?}");
}

#[test]
fn the_two_paths_agree_on_node_homes() {
    const H: u64 = 5;
    let tmp = tempfile::tempdir().unwrap();
    let home = busy_home(tmp.path(), 200);
    appd(&[
        "upgrade",
        "schedule",
        "--home",
        s(&home),
        "--name",
        "v2.0.0",
        "--height",
        "5",
    ])
    .ok();
    // No transactions from here on: the upgrade block carries none, so the
    // state after it is the upgrade's alone.
    start(&home, "v1.0.0", &["--blocks", "10", "--txs-per-block", "0"]).failed();
    assert_eq!(status(&home)["height"], H - 1);

    // Path 1: export the halted chain, migrate the file, import it.
    let halted = tmp.path().join("halted.json");
    export_to(&home, &halted, &[]);
    let migrated_file = tmp.path().join("migrated.json");
    let out = appd(&[
        "genesis",
        "migrate",
        "v2.0.0",
        s(&halted),
        "--output-document",
        s(&migrated_file),
    ])
    .ok();
    insta::assert_snapshot!(scrub(out.stderr.trim(), tmp.path()), @r"
    migrated [TMP]/halted.json from v1.0.0 to v2.0.0: crisis dropped (version 1; v2.0.0 deletes its store); bank 1 -> 2; feegrant added at 1 with its default genesis; auth 1 -> 2
    wrote [TMP]/migrated.json
    ");
    let migrated: Value =
        serde_json::from_str(&std::fs::read_to_string(&migrated_file).unwrap()).unwrap();
    appd(&["genesis", "validate", s(&migrated_file)]).ok();

    // Path 2: upgrade in place.
    start(&home, "v2.0.0", &["--blocks", "1", "--txs-per-block", "0"]).ok();
    let upgraded = status(&home);
    assert_eq!(upgraded["height"], H);
    let in_place = export(&home);

    // Equal app_state, the ledger entry included.
    let entry = in_place["app_state"]["upgrade"]["ledger"][0].clone();
    assert_eq!(entry["name"], "v2.0.0");
    assert_eq!(migrated["app_state"], in_place["app_state"]);

    // Fresh homes from either file have the upgraded node's app hash.
    let in_place_file = tmp.path().join("in_place.json");
    write_json(&in_place_file, &in_place);
    for (name, file) in [("a", &in_place_file), ("b", &migrated_file)] {
        let fresh = tmp.path().join(name);
        init_from(&fresh, file, "v2.0.0").ok();
        assert_eq!(status(&fresh)["app_hash"], upgraded["app_hash"], "{name}");
        assert_eq!(status(&fresh)["version_map"], upgraded["version_map"]);
    }
    let fresh = tmp.path().join("b");
    // And the new chain runs on as v2.0.0.
    start(&fresh, "v2.0.0", &["--blocks", "2", "--txs-per-block", "5"]).ok();
}

#[test]
fn init_refuses_a_file_of_other_versions_and_says_what_to_run() {
    let tmp = tempfile::tempdir().unwrap();
    let home = busy_home(tmp.path(), 10);
    let old = tmp.path().join("old.json");
    export_to(&home, &old, &[]);

    let target = tmp.path().join("v3-home");
    let out = init_from(&target, &old, "v3.0.0").failed();
    insta::assert_snapshot!(scrub(&out.error(), tmp.path()), @r"
    cannot initialise [TMP]/v3-home: [TMP]/old.json was exported by release v1.0.0 (module versions auth 1, bank 1, crisis 1) but release v3.0.0 runs auth 2, bank 3, feegrant 1; migrate it first:
      appd genesis migrate v3.0.0 [TMP]/old.json --output-document [TMP]/old.v3.0.0.json
    and use [TMP]/old.v3.0.0.json instead
    ");
    assert!(!target.exists());

    // Doing what it says works.
    let suggested = tmp.path().join("old.v3.0.0.json");
    appd(&[
        "genesis",
        "migrate",
        "v3.0.0",
        s(&old),
        "--output-document",
        s(&suggested),
    ])
    .ok();
    init_from(&target, &suggested, "v3.0.0").ok();
    assert_eq!(status(&target)["version_map"]["bank"], 3);

    // A newer file for an older release: no migration goes back.
    let newer = tmp.path().join("newer-home");
    let out = init_from(&newer, &suggested, "v1.0.0").failed();
    insta::assert_snapshot!(scrub(&out.error(), tmp.path()), @"cannot initialise [TMP]/newer-home: [TMP]/old.v3.0.0.json was exported by release v3.0.0 (module versions auth 2, bank 3, feegrant 1), newer than release v1.0.0 (auth 1, bank 1, crisis 1); genesis files cannot be migrated back: act as release v3.0.0 or later (--release v3.0.0)");
    assert!(!newer.exists());
}

#[test]
fn validate_uses_the_release_the_file_records() {
    let tmp = tempfile::tempdir().unwrap();
    let home = busy_home(tmp.path(), 10);
    let file = tmp.path().join("exported.json");
    export_to(&home, &file, &[]);
    // Recorded as v1.0.0: valid for it, though the binary's newest is v3.0.0.
    let out = appd(&["genesis", "validate", s(&file)]).ok();
    assert_eq!(
        scrub(out.stdout.trim(), tmp.path()),
        "File at [TMP]/exported.json is a valid genesis file"
    );
    assert!(
        out.stderr.contains("validated as release v1.0.0"),
        "{}",
        out.stderr
    );
    let out = appd(&["genesis", "validate", s(&file), "--release", "v2.0.0"]).failed();
    assert!(
        out.error().contains("appd genesis migrate v2.0.0"),
        "{}",
        out.error()
    );
}

#[test]
fn migrate_explains_every_refusal_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let home = busy_home(tmp.path(), 10);
    let file = tmp.path().join("exported.json");
    let exported = export_to(&home, &file, &[]);
    let out_file = tmp.path().join("out.json");
    let migrate = |args: &[&str]| {
        let mut all = vec!["genesis", "migrate"];
        all.extend_from_slice(args);
        all.extend(["--output-document", s(&out_file)]);
        let out = appd(&all).failed();
        assert!(!out_file.exists(), "{args:?} wrote {}", out_file.display());
        scrub(&out.error(), tmp.path())
    };
    insta::assert_snapshot!(migrate(&["v9.9.9", s(&file)]), @"unknown migration function for version: v9.9.9 (supported versions v1.0.0, v2.0.0, v3.0.0)");

    // A file that records no versions (as Cosmos exports) needs --from.
    let mut bare = exported.clone();
    bare["app_state"].as_object_mut().unwrap().remove("upgrade");
    let bare_file = tmp.path().join("bare.json");
    write_json(&bare_file, &bare);
    insta::assert_snapshot!(migrate(&["v2.0.0", s(&bare_file)]), @"[TMP]/bare.json records no module versions (app_state.upgrade.module_versions is missing or empty), so there is no telling which release wrote it; pass --from vX.Y.Z, the release that exported it (this binary knows v1.0.0, v2.0.0, v3.0.0)");
    insta::assert_snapshot!(migrate(&["v2.0.0", s(&file), "--from", "v2.0.0"]), @"--from v2.0.0 has module versions auth 2, bank 2, feegrant 1 but [TMP]/exported.json records auth 1, bank 1, crisis 1; leave out --from, the file says which versions wrote it");
    // With --from it goes through.
    appd(&[
        "genesis",
        "migrate",
        "v2.0.0",
        s(&bare_file),
        "--from",
        "v1.0.0",
        "--output-document",
        s(&tmp.path().join("from-bare.json")),
    ])
    .ok();

    let v3 = tmp.path().join("v3.json");
    appd(&[
        "genesis",
        "migrate",
        "v3.0.0",
        s(&file),
        "--output-document",
        s(&v3),
    ])
    .ok();
    insta::assert_snapshot!(migrate(&["v2.0.0", s(&v3)]), @"cannot migrate [TMP]/v3.json from release v3.0.0 back to v2.0.0: genesis migrations only go forward");

    // The input must be valid for the release it says wrote it.
    let mut broken = exported.clone();
    broken["app_state"]["bank"]["balances"][0]["coins"][0]["amount"] = json!("-3");
    let broken_file = tmp.path().join("broken.json");
    write_json(&broken_file, &broken);
    insta::assert_snapshot!(migrate(&["v2.0.0", s(&broken_file)]), @r#"[TMP]/broken.json is not a valid genesis for release v1.0.0, the release it was written by: invalid genesis: app_state.bank.balances[0].coins[0].amount: invalid amount: "-3" is negative"#);
    assert!(
        tree(tmp.path())
            .iter()
            .all(|(p, _)| !p.ends_with("out.json"))
    );
}
