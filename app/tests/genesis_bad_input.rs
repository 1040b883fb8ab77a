//! Bad genesis input through every command that reads a genesis file:
//! `genesis validate`, `init --genesis` and `genesis migrate`. Each case
//! fails with exit code 1 and no panic, all three name the same JSON path,
//! and nothing is written (no home, no output document, the input file
//! untouched). The messages, one table per kind of mistake, are reviewed
//! snapshots.

#![allow(clippy::unwrap_used)]

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::sync::OnceLock;

use common::{appd, init, insta_settings, s};
use serde_json::{Value, json};

/// A generated v1.0.0 genesis of 4 accounts (no `upgrade` section).
fn base() -> &'static str {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("base");
        init(&home, 4, 3);
        std::fs::read_to_string(home.join("config/genesis.json")).unwrap()
    })
}

/// How many accounts the base genesis has.
fn accounts_in_base() -> usize {
    let genesis: Value = serde_json::from_str(base()).unwrap();
    genesis["app_state"]["auth"]["accounts"]
        .as_array()
        .unwrap()
        .len()
}

/// How many balances the base genesis has.
fn balances_in_base() -> usize {
    let genesis: Value = serde_json::from_str(base()).unwrap();
    genesis["app_state"]["bank"]["balances"]
        .as_array()
        .unwrap()
        .len()
}

/// Index of the first `BaseAccount` in the base genesis.
fn b() -> usize {
    let genesis: Value = serde_json::from_str(base()).unwrap();
    genesis["app_state"]["auth"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .position(|a| a["@type"] == "/cosmos.auth.v1beta1.BaseAccount")
        .unwrap()
}

/// `app_state.auth.accounts[<b()>]` + `rest`.
fn account_path(rest: &str) -> &'static str {
    Box::leak(format!("app_state.auth.accounts[{}]{rest}", b()).into_boxed_str())
}

fn edited(edit: impl FnOnce(&mut Value)) -> String {
    let mut genesis: Value = serde_json::from_str(base()).unwrap();
    edit(&mut genesis);
    serde_json::to_string_pretty(&genesis).unwrap()
}

/// Runs the three commands on `contents`, checks each refuses the same
/// way without writing anything, and returns the `validate` message with
/// the temporary directory as `[TMP]`. `path` must appear in all three.
fn refused(contents: &str, path: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("g.json");
    std::fs::write(&file, contents).unwrap();
    let home = tmp.path().join("home");
    let out_file = tmp.path().join("out.json");
    let runs = [
        appd(&["genesis", "validate", s(&file), "--release", "v1.0.0"]),
        appd(&common::init_genesis_args(&home, &file)),
        appd(&[
            "genesis",
            "migrate",
            "v2.0.0",
            s(&file),
            "--from",
            "v1.0.0",
            "--output-document",
            s(&out_file),
        ]),
    ];
    let mut messages = Vec::new();
    for run in runs {
        let run = run.failed();
        let message = run.error().replace(s(tmp.path()), "[TMP]");
        assert!(
            message.contains(path),
            "{:?}: {message:?} does not name {path:?}",
            run.args
        );
        assert!(run.stdout.is_empty(), "{:?}: {}", run.args, run.stdout);
        messages.push(message);
    }
    assert!(!home.exists(), "init left {}", home.display());
    assert!(!out_file.exists(), "migrate wrote {}", out_file.display());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), contents);
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "g.json")
        .collect();
    assert!(leftovers.is_empty(), "left {leftovers:?}");
    messages.swap_remove(0)
}

/// `case: message` lines for a table of cases.
fn table(cases: &[(&str, String, &str)]) -> String {
    let mut out = String::new();
    for (name, contents, path) in cases {
        let message = refused(contents, path);
        writeln!(out, "{name}:\n  {message}").unwrap();
    }
    out
}

fn snapshot(name: &str, text: &str) {
    insta_settings("genesis_bad_input").bind(|| insta::assert_snapshot!(name, text));
}

fn first_balance(g: &mut Value) -> &mut Value {
    &mut g["app_state"]["bank"]["balances"][0]
}

#[test]
fn malformed_json() {
    let text = base();
    let cut = &text[..text.len() / 2];
    let garbage = "{\"chain_id\": \"x\", \"app_state\": {\"auth\": }".to_owned();
    snapshot(
        "malformed_json",
        &table(&[
            (
                "truncated in the middle",
                cut.to_owned(),
                "app_state.bank.balances[5]",
            ),
            ("a missing value", garbage, "app_state.auth"),
            ("empty file", String::new(), "at ."),
        ]),
    );
}

#[test]
fn wrong_types() {
    snapshot(
        "wrong_types",
        &table(&[
            (
                // A decimal string is CometBFT's envelope, and fine.
                "initial_height as a boolean",
                edited(|g| g["initial_height"] = json!(true)),
                "initial_height",
            ),
            (
                "app_state as an array",
                edited(|g| g["app_state"] = json!([])),
                "app_state",
            ),
            (
                "account_number as a number",
                edited(|g| g["app_state"]["auth"]["accounts"][b()]["account_number"] = json!(4)),
                account_path(".account_number"),
            ),
            (
                "coins as an object",
                edited(|g| first_balance(g)["coins"] = json!({"denom": "uatom", "amount": "1"})),
                "app_state.bank.balances[0].coins",
            ),
            (
                "pub_key as a string",
                edited(|g| g["app_state"]["auth"]["accounts"][b()]["pub_key"] = json!("A1B2")),
                account_path(".pub_key"),
            ),
            (
                "the bank section as null",
                edited(|g| g["app_state"]["bank"] = Value::Null),
                "app_state.bank",
            ),
        ]),
    );
}

#[test]
fn numbers_out_of_range() {
    snapshot(
        "numbers_out_of_range",
        &table(&[
            (
                "negative initial_height",
                edited(|g| g["initial_height"] = json!(-1)),
                "initial_height",
            ),
            (
                "initial_height beyond u64",
                base().replacen(
                    "\"initial_height\": 1",
                    "\"initial_height\": 18446744073709551616",
                    1,
                ),
                "initial_height",
            ),
            (
                "sequence beyond u64",
                edited(|g| {
                    g["app_state"]["auth"]["accounts"][b()]["sequence"] =
                        json!("18446744073709551616");
                }),
                account_path(".sequence"),
            ),
            (
                "amount beyond u128",
                edited(|g| {
                    first_balance(g)["coins"][0]["amount"] =
                        json!("340282366920938463463374607431768211456");
                }),
                "app_state.bank.balances[0].coins[0].amount",
            ),
            (
                "the sum of a denom beyond u128",
                edited(|g| {
                    let max = "340282366920938463463374607431768211455";
                    let denom = first_balance(g)["coins"][0]["denom"].clone();
                    g["app_state"]["bank"]["balances"][0]["coins"] =
                        json!([{"denom": denom, "amount": max}]);
                    g["app_state"]["bank"]["balances"][1]["coins"] =
                        json!([{"denom": denom, "amount": max}]);
                    g["app_state"]["bank"]["supply"] = json!([]);
                }),
                "app_state.bank.balances[1].coins[0].amount",
            ),
        ]),
    );
}

#[test]
fn bad_amounts() {
    let amount =
        |a: &'static str| edited(move |g| first_balance(g)["coins"][0]["amount"] = json!(a));
    let path = "app_state.bank.balances[0].coins[0].amount";
    snapshot(
        "bad_amounts",
        &table(&[
            ("negative", amount("-5"), path),
            ("zero", amount("0"), path),
            ("a fraction", amount("1.5"), path),
            ("an exponent", amount("1e3"), path),
            ("hexadecimal", amount("0x10"), path),
            ("leading zeros", amount("007"), path),
            ("a space", amount(" 5"), path),
            ("empty", amount(""), path),
            (
                "a number instead of a string",
                edited(|g| first_balance(g)["coins"][0]["amount"] = json!(5)),
                path,
            ),
            (
                "a supply that is not the sum",
                edited(|g| g["app_state"]["bank"]["supply"][0]["amount"] = json!("1")),
                "app_state.bank.supply[0].amount",
            ),
            (
                "an invalid denom",
                edited(|g| first_balance(g)["coins"][0]["denom"] = json!("1atom")),
                "app_state.bank.balances[0].coins[0].denom",
            ),
        ]),
    );
}

#[test]
fn missing_and_unknown_sections_and_fields() {
    let remove = |section: &'static str, field: Option<&'static str>| {
        edited(move |g| match field {
            None => {
                g["app_state"].as_object_mut().unwrap().remove(section);
            }
            Some(f) => {
                g["app_state"][section].as_object_mut().unwrap().remove(f);
            }
        })
    };
    snapshot(
        "missing_and_unknown",
        &table(&[
            // A missing section is not an error (the module's default
            // genesis): see bad_input.rs.
            (
                "no bank params",
                remove("bank", Some("params")),
                "app_state.bank.params",
            ),
            (
                "no accounts",
                remove("auth", Some("accounts")),
                "app_state.auth.accounts",
            ),
            (
                "an unknown section",
                edited(|g| g["app_state"]["staking"] = json!({"params": {}})),
                "staking",
            ),
            (
                "an unknown field in bank",
                edited(|g| g["app_state"]["bank"]["balance"] = json!([])),
                "app_state.bank.balance",
            ),
            (
                "an unknown field in an account",
                edited(|g| g["app_state"]["auth"]["accounts"][b()]["nonce"] = json!("1")),
                account_path(""),
            ),
            (
                "no chain_id",
                edited(|g| {
                    g.as_object_mut().unwrap().remove("chain_id");
                }),
                "chain_id",
            ),
        ]),
    );
}

#[test]
fn duplicate_entries() {
    let text = base();
    // The same section twice in the text: JSON parsers usually keep the
    // last one silently.
    let bank_at = text.find("\"bank\": {").unwrap();
    let twice_bank = format!(
        "{}\"bank\": {{}},\n    {}",
        &text[..bank_at],
        &text[bank_at..]
    );
    let amount_at = text.find("\"amount\": ").unwrap();
    let twice_amount = format!(
        "{}\"amount\": \"1\",\n{}",
        &text[..amount_at],
        &text[amount_at..]
    );
    snapshot(
        "duplicate_entries",
        &table(&[
            ("the bank section twice", twice_bank, "app_state"),
            (
                "a key twice in one coin",
                twice_amount,
                "app_state.bank.balances[0].coins[0]",
            ),
            (
                "the same account twice",
                edited(|g| {
                    let accounts = g["app_state"]["auth"]["accounts"].as_array_mut().unwrap();
                    let mut copy = accounts[b()].clone();
                    copy["account_number"] = json!("99");
                    accounts.push(copy);
                }),
                &format!("app_state.auth.accounts[{}].address", accounts_in_base()),
            ),
            // An account number twice is renumbered, as the SDK does
            // (modules/src/auth/tests.rs).
            (
                "the same balance twice",
                edited(|g| {
                    let balances = g["app_state"]["bank"]["balances"].as_array_mut().unwrap();
                    let copy = balances[0].clone();
                    balances.push(copy);
                    g["app_state"]["bank"]["supply"] = json!([]);
                }),
                &format!("app_state.bank.balances[{}].address", balances_in_base()),
            ),
            (
                "a denom twice in one balance",
                edited(|g| {
                    let coins = first_balance(g)["coins"].as_array_mut().unwrap();
                    let copy = coins[0].clone();
                    coins.insert(1, copy);
                    g["app_state"]["bank"]["supply"] = json!([]);
                }),
                "app_state.bank.balances[0].coins[1].denom",
            ),
            (
                "denom metadata twice",
                edited(|g| {
                    let meta = g["app_state"]["bank"]["denom_metadata"]
                        .as_array_mut()
                        .unwrap();
                    let copy = meta[0].clone();
                    meta.push(copy);
                }),
                "app_state.bank.denom_metadata[1].base",
            ),
        ]),
    );
}

#[test]
fn a_malformed_upgrade_section_is_named() {
    let message = refused(
        &edited(|g| {
            g["app_state"]["upgrade"] =
                json!({"module_versions": [{"name": "bank", "version": "one"}]});
        }),
        "app_state.upgrade.module_versions[0].version",
    );
    insta::assert_snapshot!(message, @r#"genesis file [TMP]/g.json is invalid: app_state.upgrade.module_versions[0].version: expected an unsigned integer as a decimal string, found "one""#);
}

/// The cases above break a valid file: unbroken, every command takes it.
#[test]
fn the_base_genesis_is_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("g.json");
    std::fs::write(&file, base()).unwrap();
    appd(&["genesis", "validate", s(&file), "--release", "v1.0.0"]).ok();
    let home = tmp.path().join("home");
    appd(&common::init_genesis_args(&home, &file)).ok();
    let out: &Path = &tmp.path().join("out.json");
    appd(&[
        "genesis",
        "migrate",
        "v2.0.0",
        s(&file),
        "--from",
        "v1.0.0",
        "--output-document",
        s(out),
    ])
    .ok();
    assert!(out.exists());
}
