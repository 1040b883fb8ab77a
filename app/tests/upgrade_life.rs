//! The whole life of a chain with the real binary, as the README shows it:
//! genesis as v1.0.0, schedule v2.0.0, the v1.0.0 binary halts at the
//! upgrade height with UPGRADE NEEDED, the v2.0.0 binary applies the upgrade
//! in place and goes on; plus the ways operators get it wrong (downgrade,
//! upgrading early, skipping, scheduling without authority or in the past).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{appd, export, init, insta_settings, s, status};
use serde_json::{Value, json};
use upgrade_runtime::Module;

/// The upgrade authority of `appd` (the gov module account).
/// An account that is not the authority (the distribution module account).
/// A key of the home's keyring that is not the authority.
const NOT_AUTHORITY: &str = "mallory";

fn start(home: &Path, release: &str, extra: &[&str]) -> common::Output {
    let mut args = vec!["start", "--home", s(home), "--release", release];
    args.extend_from_slice(extra);
    appd(&args)
}

fn schedule(home: &Path, height: u64, info: &str, from: Option<&str>) -> common::Output {
    let height = height.to_string();
    let mut args = vec![
        "upgrade",
        "schedule",
        "--home",
        s(home),
        "--name",
        "v2.0.0",
        "--height",
        &height,
        "--info",
        info,
    ];
    if let Some(from) = from {
        args.extend(["--from", from]);
    }
    appd(&args)
}

fn height(home: &Path) -> u64 {
    status(home)["height"].as_u64().unwrap()
}

/// Balances of an exported bank section: address -> coins.
fn balances(genesis: &Value) -> BTreeMap<String, Value> {
    genesis["app_state"]["bank"]["balances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["address"].as_str().unwrap().to_owned(),
                b["coins"].clone(),
            )
        })
        .collect()
}

/// Per-denom sums of the balances.
fn sums(balances: &BTreeMap<String, Value>) -> BTreeMap<String, u128> {
    let mut out = BTreeMap::new();
    for coins in balances.values() {
        for coin in coins.as_array().unwrap() {
            let amount: u128 = coin["amount"].as_str().unwrap().parse().unwrap();
            *out.entry(coin["denom"].as_str().unwrap().to_owned())
                .or_default() += amount;
        }
    }
    out
}

fn query_balance(home: &Path, address: &str, denom: Option<&str>) -> Value {
    let mut args = vec!["query", "bank", "balance", address, "--home", s(home)];
    args.extend(denom);
    appd(&args).ok().json()
}

#[test]
fn whole_life_halt_at_the_height_upgrade_in_place_and_go_on() {
    const H: u64 = 10;
    const INFO: &str = "v2.0.0: see https://example.com/release-notes";
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("node");
    init(&home, 300, 7);
    start(&home, "v1.0.0", &["--blocks", "3", "--txs-per-block", "5"]).ok();

    let out = schedule(&home, H, INFO, None).ok();
    assert!(
        out.stdout.contains("submitted transaction #1"),
        "{}",
        out.stdout
    );
    // Queued, not yet in state.
    assert_eq!(status(&home)["pending_plan"], Value::Null);

    // v1.0.0 runs into the height and halts before executing it.
    let out = start(&home, "v1.0.0", &["--blocks", "50", "--txs-per-block", "5"]).failed();
    let needed = format!("UPGRADE \"v2.0.0\" NEEDED at height: {H}: {INFO}");
    assert!(out.stderr.contains(&needed), "{}", out.stderr);
    assert_eq!(out.error(), needed);
    let info_file = home.join("data/upgrade-info.json");
    let info = std::fs::read_to_string(&info_file).unwrap();
    assert_eq!(
        info,
        format!(
            r#"{{"name":"v2.0.0","time":"0001-01-01T00:00:00Z","height":{H},"info":"{INFO}"}}"#
        )
    );
    let st = status(&home);
    assert_eq!(st["height"], H - 1);
    assert_eq!(
        st["pending_plan"],
        json!({"name": "v2.0.0", "height": H, "info": INFO})
    );
    assert_eq!(
        st["version_map"],
        json!({"auth": 1, "bank": 1, "crisis": 1})
    );

    // A second v1.0.0 start halts at the same place and commits nothing.
    std::fs::remove_file(&info_file).unwrap();
    let again = start(&home, "v1.0.0", &["--blocks", "50"]).failed();
    assert_eq!(again.error(), needed);
    assert_eq!(std::fs::read_to_string(&info_file).unwrap(), info);
    let st2 = status(&home);
    assert_eq!(st2["height"], H - 1);
    assert_eq!(st2["app_hash"], st["app_hash"]);

    // Everything a balance query and an export say just before the upgrade.
    let before = export(&home);
    let before_balances = balances(&before);
    assert!(
        before_balances.len() > 250,
        "{} balances",
        before_balances.len()
    );
    assert!(before["app_state"].get("crisis").is_some());
    let sample: Vec<String> = [0, before_balances.len() / 2, before_balances.len() - 1]
        .iter()
        .map(|&i| before_balances.keys().nth(i).unwrap().clone())
        .collect();
    let queried: Vec<(Value, Value)> = sample
        .iter()
        .map(|a| {
            let denom = before_balances[a][0]["denom"].as_str().unwrap().to_owned();
            (
                query_balance(&home, a, None),
                query_balance(&home, a, Some(&denom)),
            )
        })
        .collect();
    for ((all, one), a) in queried.iter().zip(&sample) {
        assert_eq!(
            all["balances"], before_balances[a],
            "query of {a} disagrees with the export"
        );
        assert_eq!(one["balance"], before_balances[a][0]);
    }

    // v2.0.0 applies the upgrade in place at H and goes on.
    let out = start(
        &home,
        "v2.0.0",
        &["--blocks", "5", "--txs-per-block", "0", "--output", "json"],
    )
    .ok();
    let summary = out.json();
    assert_eq!(summary["from_height"], H - 1);
    assert_eq!(summary["height"], H + 4);
    let upgrades = summary["upgrades"].as_array().unwrap();
    assert_eq!(upgrades.len(), 1);
    assert_eq!(upgrades[0]["name"], "v2.0.0");
    assert_eq!(upgrades[0]["height"], H);
    assert_eq!(
        upgrades[0]["from_versions"],
        json!({"auth": 1, "bank": 1, "crisis": 1})
    );
    assert_eq!(
        upgrades[0]["to_versions"],
        json!({"auth": 2, "bank": 2, "feegrant": 1})
    );

    let st = status(&home);
    assert_eq!(st["height"], H + 4);
    assert_eq!(
        st["version_map"],
        json!({"auth": 2, "bank": 2, "feegrant": 1})
    );
    assert_eq!(st["app_version"], 1);
    assert_eq!(st["pending_plan"], Value::Null);
    let show = appd(&["upgrade", "show", "--home", s(&home), "--output", "json"])
        .ok()
        .json();
    assert_eq!(show["pending_plan"], Value::Null);
    assert_eq!(show["done"], json!([{"name": "v2.0.0", "height": H}]));
    assert_eq!(show["app_version"], 1);
    assert_eq!(show["version_map"], st["version_map"]);

    // Every balance is still there (no transactions since H - 1).
    let after = export(&home);
    let after_balances = balances(&after);
    assert_eq!(after_balances.len(), before_balances.len());
    assert_eq!(sums(&after_balances), sums(&before_balances));
    assert_eq!(after_balances, before_balances);
    assert_eq!(
        after["app_state"]["bank"]["supply"],
        before["app_state"]["bank"]["supply"]
    );
    assert_eq!(
        after["app_state"]["auth"]["accounts"],
        before["app_state"]["auth"]["accounts"]
    );
    assert!(
        after["app_state"].get("crisis").is_none(),
        "crisis section survived the upgrade"
    );
    assert_eq!(
        after["app_state"]["feegrant"],
        app_modules::feegrant::FeeGrant::new().default_genesis()
    );
    assert_eq!(after["initial_height"], H + 5);
    // Balance queries read the re-keyed store and agree with before.
    for ((all, one), a) in queried.iter().zip(&sample) {
        let denom = before_balances[a][0]["denom"].as_str().unwrap();
        assert_eq!(
            &query_balance(&home, a, None),
            all,
            "balances of {a} changed"
        );
        assert_eq!(
            &query_balance(&home, a, Some(denom)),
            one,
            "{denom} balance of {a} changed"
        );
    }
    insta_settings("upgrade_life").bind(|| {
        insta::assert_json_snapshot!("status_after_v2_0_0", st, {
            ".app_hash" => "[app hash]",
        });
    });

    // The v1.0.0 binary refuses the upgraded state.
    let hash = st["app_hash"].clone();
    let out = start(&home, "v1.0.0", &["--blocks", "1"]).failed();
    insta::assert_snapshot!(out.error(), @"cannot open the node as release v1.0.0: wrong app version 1, upgrade handler is missing for v2.0.0 upgrade plan: this binary is older than the chain's state; run release v2.0.0 or later");
    assert_eq!(status(&home)["app_hash"], hash);

    // And v2.0.0 goes on with real transactions.
    let out = start(
        &home,
        "v2.0.0",
        &["--blocks", "2", "--txs-per-block", "5", "--output", "json"],
    )
    .ok()
    .json();
    assert_eq!(out["height"], H + 6);
    assert!(out["txs_ok"].as_u64().unwrap() >= 8, "{out}");
    assert!(out["upgrades"].as_array().unwrap().is_empty());
}

#[test]
fn the_new_binary_before_the_upgrade_height_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("node");
    init(&home, 50, 3);
    start(&home, "v1.0.0", &["--blocks", "2", "--txs-per-block", "2"]).ok();
    schedule(&home, 8, "", None).ok();
    // The block that includes the schedule transaction.
    start(&home, "v1.0.0", &["--blocks", "1", "--txs-per-block", "2"]).ok();
    let st = status(&home);
    assert_eq!(st["pending_plan"]["height"], 8);

    let out = start(&home, "v2.0.0", &["--blocks", "1"]).failed();
    insta::assert_snapshot!(out.error(), @r#"BINARY UPDATED BEFORE TRIGGER! UPGRADE "v2.0.0" - in binary but not executed on chain (scheduled at height 8). Downgrade your binary"#);
    let after = status(&home);
    assert_eq!(after["height"], 3);
    assert_eq!(after["app_hash"], st["app_hash"]);
    assert_eq!(
        after["version_map"],
        json!({"auth": 1, "bank": 1, "crisis": 1})
    );
    assert!(!home.join("data/upgrade-info.json").exists());
}

#[test]
fn a_skip_height_clears_the_plan_without_upgrading() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("node");
    init(&home, 50, 3);
    start(&home, "v1.0.0", &["--blocks", "2", "--txs-per-block", "2"]).ok();
    schedule(&home, 6, "skipped", None).ok();
    start(&home, "v1.0.0", &["--blocks", "1"]).ok();
    assert_eq!(status(&home)["pending_plan"]["height"], 6);

    let out = start(
        &home,
        "v1.0.0",
        &[
            "--unsafe-skip-upgrades",
            "6",
            "--blocks",
            "5",
            "--txs-per-block",
            "2",
        ],
    )
    .ok();
    assert!(
        out.stderr.contains(r#"UPGRADE "v2.0.0" SKIPPED at 6"#),
        "{}",
        out.stderr
    );
    let st = status(&home);
    assert_eq!(st["height"], 8, "the node went past the plan's height");
    assert_eq!(st["pending_plan"], Value::Null);
    assert_eq!(
        st["version_map"],
        json!({"auth": 1, "bank": 1, "crisis": 1})
    );
    assert_eq!(st["app_version"], 0);
    let show = appd(&["upgrade", "show", "--home", s(&home), "--output", "json"])
        .ok()
        .json();
    assert_eq!(show["done"], json!([]));
    assert!(!home.join("data/upgrade-info.json").exists());
    // Without the plan, v1.0.0 keeps running without the flag.
    start(&home, "v1.0.0", &["--blocks", "1"]).ok();
    assert_eq!(height(&home), 9);
}

#[test]
fn scheduling_by_a_non_authority_or_in_the_past_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("node");
    // Mallory has a key and an account; she is not the authority.
    let mallory = appd(&[
        "keys",
        "add",
        NOT_AUTHORITY,
        "--private-key",
        &"b2".repeat(32),
        "--home",
        s(&home),
        "--output",
        "json",
    ])
    .ok()
    .json();
    let mallory = mallory["address"].as_str().unwrap().to_owned();
    appd(&[
        "keys",
        "add",
        "authority",
        "--private-key",
        common::AUTHORITY_KEY_HEX,
        "--home",
        s(&home),
    ])
    .ok();
    appd(&[
        "init",
        "--home",
        s(&home),
        "--release",
        "v1.0.0",
        "--accounts",
        "50",
        "--seed",
        "3",
        "--authority",
        "authority",
        "--fund",
        "authority=1000000stake",
        "--fund",
        "mallory=10stake",
    ])
    .ok();
    start(&home, "v1.0.0", &["--blocks", "6", "--txs-per-block", "2"]).ok();
    let mempool = home.join("data/mempool.json");

    let out = schedule(&home, 20, "", Some(NOT_AUTHORITY)).failed();
    let authority = appd(&["keys", "show", "authority", "-a", "--home", s(&home)])
        .ok()
        .stdout;
    assert_eq!(
        out.error(),
        format!(
            "transaction refused (code 1): signer {mallory} is not the upgrade authority (expected {}); only the authority can schedule or cancel upgrades",
            authority.trim()
        )
    );
    assert!(!mempool.exists(), "a refused transaction was queued");

    // Height 6 is committed and 7 is the block that would include the
    // transaction: both are in the past for the plan.
    for past in [3, 6, 7] {
        let out = schedule(&home, past, "", None).failed();
        assert!(
            out.error().starts_with(
                "transaction refused (code 1): upgrade cannot be scheduled in the past"
            ),
            "{}",
            out.error()
        );
    }
    let out = schedule(&home, 7, "", None).failed();
    insta::assert_snapshot!(out.error(), @"transaction refused (code 1): upgrade cannot be scheduled in the past: height 7 is not after the block being executed (7); schedule it for height 8 or later");
    assert!(!mempool.exists(), "a refused transaction was queued");

    // Nothing reached the chain either.
    start(&home, "v1.0.0", &["--blocks", "3"]).ok();
    let st = status(&home);
    assert_eq!(st["height"], 9);
    assert_eq!(st["pending_plan"], Value::Null);

    // The authority itself may (explicitly named, too).
    schedule(&home, 20, "", Some("authority")).ok();
    assert!(mempool.exists());
}
