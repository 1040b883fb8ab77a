//! Importing auth and bank sections shaped like real Cosmos chains'
//! exports: several denoms (native, IBC, token factory, LP shares, amounts
//! beyond u64), base accounts with secp256k1, ed25519 and multisig keys and
//! without any, module accounts with permissions, the three vesting
//! account types, and account types the auth module does not model (an
//! Ethermint account, an interchain account with a 32-byte address),
//! which are kept verbatim and exported unchanged.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use app_modules::Address;
use common::{appd, s, status};
use serde_json::{Value, json};

const IBC_ATOM: &str = "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2";
const IBC_OSMO: &str = "ibc/ED07A3391A112B175915CD8FAF43A2DA8E4790EDE12566649D0C2F97716B8518";
const FACTORY: &str = "factory/cosmos1m3h30wlvsf8llruxtpukdvsy0km2kum8g38c8q/ustars";
const SECP: &str = "/cosmos.crypto.secp256k1.PubKey";

/// A user address made from `n`, valid bech32.
fn user(n: u8) -> String {
    Address::from_bytes(&[n; 20]).unwrap().to_bech32()
}

fn base(address: &str, pub_key: Value, number: u64, sequence: u64) -> Value {
    json!({
        "@type": "/cosmos.auth.v1beta1.BaseAccount",
        "address": address,
        "pub_key": pub_key,
        "account_number": number.to_string(),
        "sequence": sequence.to_string(),
    })
}

fn base_fields(address: &str, number: u64) -> Value {
    json!({"address": address, "pub_key": null, "account_number": number.to_string(), "sequence": "0"})
}

fn module_account(address: &str, number: u64, name: &str, permissions: &[&str]) -> Value {
    json!({
        "@type": "/cosmos.auth.v1beta1.ModuleAccount",
        "base_account": base_fields(address, number),
        "name": name,
        "permissions": permissions,
    })
}

fn coins(list: &[(&str, &str)]) -> Value {
    let mut sorted: Vec<_> = list.to_vec();
    sorted.sort();
    Value::Array(
        sorted
            .into_iter()
            .map(|(d, a)| json!({"denom": d, "amount": a}))
            .collect(),
    )
}

/// The `auth` and `bank` sections, in no particular order (as a chain's
/// tooling may write them).
fn cosmos_sections() -> (Value, Value) {
    let ica = Address::from_bytes(&[0xab; 32]).unwrap().to_bech32();
    let accounts = vec![
        base(
            &user(1),
            json!({"@type": SECP, "key": "A8nOy8aQ0qtjG0MDJ5xJbZ4vpVdq5VZ0LjJj3ly+Ih1j"}),
            10,
            12,
        ),
        base(&user(2), Value::Null, 11, 0),
        base(
            &user(3),
            json!({"@type": "/cosmos.crypto.ed25519.PubKey", "key": "Fqn6YpR6Bc2J+uNCKfCJZvk6j6IY2xGxTRQcXqfDmjQ="}),
            12,
            3,
        ),
        base(
            &user(4),
            json!({
                "@type": "/cosmos.crypto.multisig.LegacyAminoPubKey",
                "threshold": 2,
                "public_keys": [
                    {"@type": SECP, "key": "AqbAvBEWf5VeyMcGkw8jP6x1P3YwsqR5cJUWvUH4NgZL"},
                    {"@type": SECP, "key": "A0uKTR1IQxzcfRy8UDhpGuxXkfgqCrKHUcDQbjIIVx8Z"},
                    {"@type": SECP, "key": "AimHcDmXCZa8GJaz9Lh0/+0+wYwGXHVFSDkNKTXaVq+g"}
                ]
            }),
            13,
            44,
        ),
        module_account(
            "cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta",
            0,
            "fee_collector",
            &[],
        ),
        module_account(
            "cosmos1jv65s3grqf6v6jl3dp4t6c9t9rk99cd88lyufl",
            1,
            "distribution",
            &[],
        ),
        module_account(
            "cosmos1fl48vsnmsdzcv85q5d2q4z5ajdha8yu34mf0eh",
            2,
            "bonded_tokens_pool",
            &["burner", "staking"],
        ),
        module_account(
            "cosmos1tygms3xhhs3yv487phx3dw4a95jn7t7lpm470r",
            3,
            "not_bonded_tokens_pool",
            &["burner", "staking"],
        ),
        module_account(
            "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn",
            4,
            "gov",
            &["burner"],
        ),
        module_account(
            "cosmos1m3h30wlvsf8llruxtpukdvsy0km2kum8g38c8q",
            5,
            "mint",
            &["minter"],
        ),
        json!({
            "@type": "/cosmos.vesting.v1beta1.ContinuousVestingAccount",
            "base_vesting_account": {
                "base_account": base_fields(&user(5), 14),
                "original_vesting": coins(&[("uatom", "5000000")]),
                "delegated_free": [],
                "delegated_vesting": coins(&[("uatom", "1000000")]),
                "end_time": "1767225600"
            },
            "start_time": "1704067200"
        }),
        json!({
            "@type": "/cosmos.vesting.v1beta1.DelayedVestingAccount",
            "base_vesting_account": {
                "base_account": base_fields(&user(6), 15),
                "original_vesting": coins(&[("uatom", "250000")]),
                "delegated_free": [],
                "delegated_vesting": [],
                "end_time": "1798761600"
            }
        }),
        json!({
            "@type": "/cosmos.vesting.v1beta1.PeriodicVestingAccount",
            "base_vesting_account": {
                "base_account": base_fields(&user(7), 16),
                "original_vesting": coins(&[("uatom", "300")]),
                "delegated_free": [],
                "delegated_vesting": [],
                "end_time": "1735689600"
            },
            "start_time": "1704067200",
            "vesting_periods": [
                {"length": "15778800", "amount": coins(&[("uatom", "150")])},
                {"length": "15778800", "amount": coins(&[("uatom", "150")])}
            ]
        }),
        json!({
            "@type": "/ethermint.types.v1.EthAccount",
            "base_account": {
                "address": user(8),
                "pub_key": {"@type": "/ethermint.crypto.v1.ethsecp256k1.PubKey", "key": "AtT8PfJ5ZqV2HEdLFDjdnmY8uWqaFPlHO6b6XKQK5Fyf"},
                "account_number": "17",
                "sequence": "9"
            },
            "code_hash": "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        }),
        json!({
            "@type": "/ibc.applications.interchain_accounts.v1.InterchainAccount",
            "base_account": base_fields(&ica, 18),
            "account_owner": "icacontroller-cosmos1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v"
        }),
    ];
    let balances = vec![
        json!({"address": user(1), "coins": coins(&[("uatom", "1200000"), (IBC_OSMO, "77"), (FACTORY, "5")])}),
        json!({"address": user(2), "coins": coins(&[("uatom", "1")])}),
        json!({"address": user(4), "coins": coins(&[("gamm/pool/1", "100000000000000000000"), ("uatom", "3")])}),
        json!({"address": user(5), "coins": coins(&[("uatom", "5000000")])}),
        json!({"address": "cosmos1fl48vsnmsdzcv85q5d2q4z5ajdha8yu34mf0eh", "coins": coins(&[("uatom", "123456789012345678901234567890")])}),
        json!({"address": "cosmos1jv65s3grqf6v6jl3dp4t6c9t9rk99cd88lyufl", "coins": coins(&[(IBC_ATOM, "12"), ("uatom", "99")])}),
        json!({"address": ica, "coins": coins(&[(IBC_ATOM, "400")])}),
    ];
    let mut supply: BTreeMap<String, u128> = BTreeMap::new();
    for b in &balances {
        for c in b["coins"].as_array().unwrap() {
            *supply
                .entry(c["denom"].as_str().unwrap().to_owned())
                .or_default() += c["amount"].as_str().unwrap().parse::<u128>().unwrap();
        }
    }
    let supply: Vec<Value> = supply
        .into_iter()
        .map(|(d, a)| json!({"denom": d, "amount": a.to_string()}))
        .collect();
    let auth = json!({
        "params": {
            "max_memo_characters": "256",
            "tx_sig_limit": "7",
            "tx_size_cost_per_byte": "10",
            "sig_verify_cost_ed25519": "590",
            "sig_verify_cost_secp256k1": "1000"
        },
        "accounts": accounts,
    });
    let bank = json!({
        "params": {"send_enabled": [], "default_send_enabled": true},
        "balances": balances,
        "supply": supply,
        "denom_metadata": [
            {
                "description": "The native staking token of the Cosmos Hub.",
                "denom_units": [
                    {"denom": "uatom", "exponent": 0, "aliases": ["microatom"]},
                    {"denom": "matom", "exponent": 3, "aliases": ["milliatom"]},
                    {"denom": "atom", "exponent": 6, "aliases": []}
                ],
                "base": "uatom",
                "display": "atom",
                "name": "Cosmos Hub Atom",
                "symbol": "ATOM",
                "uri": "",
                "uri_hash": ""
            }
        ],
        "send_enabled": [{"denom": FACTORY, "enabled": false}],
    });
    (auth, bank)
}

/// A Cosmos-style genesis file (no `upgrade` section: Cosmos exports
/// record no module versions).
fn cosmos_genesis(dir: &Path) -> std::path::PathBuf {
    let (auth, bank) = cosmos_sections();
    let doc = json!({
        "app_name": "gaiad",
        "app_version": "v15.0.0",
        "genesis_time": "2024-01-01T00:00:00Z",
        "chain_id": "cosmoshub-test-1",
        "initial_height": 1,
        "app_hash": "",
        "app_state": {"auth": auth, "bank": bank, "crisis": {"constant_fee": {"denom": "uatom", "amount": "1333000000"}}},
        "consensus": {"params": {"block": {"max_bytes": "22020096", "max_gas": "-1"}}}
    });
    let path = dir.join("cosmos-genesis.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    path
}

fn by_address(accounts: &Value) -> BTreeMap<String, Value> {
    accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let address = [
                &a["address"],
                &a["base_account"]["address"],
                &a["base_vesting_account"]["base_account"]["address"],
            ]
            .into_iter()
            .find_map(Value::as_str)
            .unwrap()
            .to_owned();
            (address, a.clone())
        })
        .collect()
}

#[test]
fn a_cosmos_shaped_genesis_imports_and_exports_every_account_verbatim() {
    let tmp = tempfile::tempdir().unwrap();
    let file = cosmos_genesis(tmp.path());
    let out = appd(&["genesis", "validate", s(&file), "--release", "v1.0.0"]).ok();
    assert!(out.stdout.contains("is a valid genesis file"));
    let home = tmp.path().join("node");
    appd(&common::init_genesis_args(&home, &file)).ok();
    assert_eq!(status(&home)["chain_id"], "cosmoshub-test-1");

    let exported = common::export(&home);
    let (auth, bank) = cosmos_sections();
    // Every account comes back exactly as it went in, whatever its type.
    assert_eq!(
        by_address(&exported["app_state"]["auth"]["accounts"]),
        by_address(&auth["accounts"])
    );
    assert_eq!(exported["app_state"]["auth"]["params"], auth["params"]);
    // Balances, in address order (20-byte addresses before the 32-byte one).
    let balances = exported["app_state"]["bank"]["balances"]
        .as_array()
        .unwrap();
    assert_eq!(balances.len(), 7);
    assert_eq!(
        balances.last().unwrap()["address"],
        Address::from_bytes(&[0xab; 32]).unwrap().to_bech32()
    );
    for field in ["supply", "denom_metadata", "send_enabled", "params"] {
        assert_eq!(exported["app_state"]["bank"][field], bank[field], "{field}");
    }

    // Queries see the verbatim account and the multi-denom balance.
    let eth = appd(&["query", "auth", "account", &user(8), "--home", s(&home)])
        .ok()
        .json();
    assert_eq!(
        eth["account"]["code_hash"],
        "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    );
    let held = appd(&["query", "bank", "balance", &user(1), "--home", s(&home)])
        .ok()
        .json();
    assert_eq!(held["balances"].as_array().unwrap().len(), 3);
    let pool = appd(&[
        "query",
        "bank",
        "balance",
        "cosmos1fl48vsnmsdzcv85q5d2q4z5ajdha8yu34mf0eh",
        "uatom",
        "--home",
        s(&home),
    ])
    .ok()
    .json();
    assert_eq!(pool["balance"]["amount"], "123456789012345678901234567890");

    // The export is canonical: importing it again gives it back unchanged.
    let again_file = tmp.path().join("again.json");
    std::fs::write(&again_file, serde_json::to_string(&exported).unwrap()).unwrap();
    let again = tmp.path().join("again");
    appd(&common::init_genesis_args(&again, &again_file)).ok();
    assert_eq!(common::export(&again)["app_state"], exported["app_state"]);
    assert_eq!(status(&again)["app_hash"], status(&home)["app_hash"]);
}

#[test]
fn a_cosmos_file_without_recorded_versions_migrates_with_from() {
    let tmp = tempfile::tempdir().unwrap();
    let file = cosmos_genesis(tmp.path());
    let migrated = tmp.path().join("v3.json");
    appd(&[
        "genesis",
        "migrate",
        "v3.0.0",
        s(&file),
        "--from",
        "v1.0.0",
        "--output-document",
        s(&migrated),
    ])
    .ok();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&migrated).unwrap()).unwrap();
    // The document's own fields are kept; the release is the target's.
    assert_eq!(doc["chain_id"], "cosmoshub-test-1");
    assert_eq!(doc["genesis_time"], "2024-01-01T00:00:00Z");
    assert_eq!(doc["app_version"], "v3.0.0");
    assert_eq!(doc["consensus"]["params"]["block"]["max_bytes"], "22020096");
    let (auth, _) = cosmos_sections();
    assert_eq!(doc["app_state"]["auth"]["accounts"], auth["accounts"]);
    assert!(doc["app_state"].get("crisis").is_none());

    let home = tmp.path().join("node");
    appd(&["init", "--home", s(&home), "--genesis", s(&migrated)]).ok();
    assert_eq!(status(&home)["version_map"]["bank"], 3);
    let exported = common::export(&home);
    assert_eq!(
        by_address(&exported["app_state"]["auth"]["accounts"]),
        by_address(&auth["accounts"])
    );
    // And the chain runs on as v3.0.0.
    appd(&[
        "start",
        "--home",
        s(&home),
        "--blocks",
        "2",
        "--txs-per-block",
        "3",
    ])
    .ok();
}
