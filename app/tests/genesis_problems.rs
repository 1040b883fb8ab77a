//! A genesis with many mistakes is reported in one run: `genesis validate`
//! and `init --genesis` list the first 20 problems, each with its JSON
//! path, then how many more there are; the sections' own checks (an
//! account's address, a balance's coins, duplicates) no longer stop at the
//! first bad element.

mod common;

use common::{appd, init, s};
use serde_json::{Value, json};

/// A v1.0.0 genesis of 4 accounts with `bad_balances` balances whose
/// address is not bech32, one account with a bad address and one duplicate
/// balance.
fn broken_genesis(dir: &std::path::Path, bad_balances: usize) -> std::path::PathBuf {
    let home = dir.join("source");
    init(&home, 4, 3);
    let text = std::fs::read_to_string(home.join("config/genesis.json")).expect("genesis");
    let mut genesis: Value = serde_json::from_str(&text).expect("json");
    let balances = genesis["app_state"]["bank"]["balances"]
        .as_array_mut()
        .expect("balances");
    let first = balances[0].clone();
    for i in 0..bad_balances {
        balances.push(json!({"address": format!("nota-bech32-{i}"), "coins": [{"denom": "stake", "amount": "1"}]}));
    }
    balances.push(first);
    let accounts = genesis["app_state"]["auth"]["accounts"]
        .as_array_mut()
        .expect("accounts");
    let index = accounts
        .iter()
        .position(|a| a["@type"] == "/cosmos.auth.v1beta1.BaseAccount")
        .expect("a base account");
    accounts[index]["address"] = json!("cosmos1invalid");
    let out = dir.join("broken.json");
    std::fs::write(&out, serde_json::to_vec_pretty(&genesis).expect("encode")).expect("write");
    out
}

#[test]
fn validation_lists_the_first_twenty_problems_and_counts_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = broken_genesis(dir.path(), 25);
    // 1 account + 25 balances + 1 duplicate.
    for args in [
        vec!["genesis", "validate", s(&file), "--release", "v1.0.0"],
        vec![
            "init",
            "--home",
            s(&dir.path().join("never")),
            "--genesis",
            s(&file),
            "--release",
            "v1.0.0",
        ],
    ] {
        let err = appd(&args).failed().error();
        assert!(err.contains("27 problems:"), "{args:?}: {err}");
        let listed: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("  app_state."))
            .collect();
        assert_eq!(listed.len(), 20, "{err}");
        assert!(listed[0].contains("app_state.auth.accounts["), "{err}");
        assert!(
            listed[1..]
                .iter()
                .all(|l| l.contains("app_state.bank.balances[")),
            "{err}"
        );
        assert!(err.trim_end().ends_with("and 7 more"), "{err}");
        assert!(!dir.path().join("never").exists());
    }
}

#[test]
fn a_few_problems_are_all_listed_with_their_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = broken_genesis(dir.path(), 2);
    let err = appd(&["genesis", "validate", s(&file), "--release", "v1.0.0"])
        .failed()
        .error();
    let err = err.replace(s(dir.path()), "[TMP]");
    let first_line = err.lines().next().unwrap_or_default().to_owned();
    assert!(first_line.ends_with("4 problems:"), "{err}");
    let paths: Vec<String> = err
        .lines()
        .skip(1)
        .map(|l| l.trim().split(": ").next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(paths.len(), 4, "{err}");
    assert!(paths[0].starts_with("app_state.auth.accounts[") && paths[0].ends_with("].address"));
    let balances = paths
        .iter()
        .filter(|p| p.starts_with("app_state.bank.balances["))
        .count();
    assert_eq!(balances, 3, "{err}");
    assert!(err.contains("duplicate balance for"), "{err}");
    assert!(!err.contains("more"), "{err}");
}
