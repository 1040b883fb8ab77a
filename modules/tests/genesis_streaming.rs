//! The streaming genesis import (auth and bank sections read an element at
//! a time, duplicates and account numbers settled from external sorts)
//! against the in-memory path (`validate_genesis` + `init_genesis`) on
//! random sections: the same state when valid, the same problems when not.
//! Small address and number pools make duplicate addresses, duplicate
//! account numbers (renumbered as the SDK's `SanitizeGenesisAccounts`) and
//! wrong supplies common.

mod common;

use std::collections::BTreeMap;

use common::*;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use upgrade_runtime::ManagerError;
use upgrade_runtime::manager::{ImportError, ImportOptions};
use upgrade_runtime::store::ChangeSet;

const POOL: [&str; 5] = [ALICE, BOB, VESTING, ICA, STRANGER];

fn account(kind: u8, address: &str, number: u64) -> Value {
    let base = json!({"address": address, "pub_key": null, "account_number": number.to_string(), "sequence": "3"});
    match kind {
        0 => {
            let mut b = base;
            b["@type"] = json!("/cosmos.auth.v1beta1.BaseAccount");
            b
        }
        1 => {
            json!({"@type": "/cosmos.auth.v1beta1.ModuleAccount", "base_account": base, "name": format!("m{number}"), "permissions": []})
        }
        _ => {
            json!({"@type": "/cosmos.auth.v1beta1.BaseAccount", "address": "cosmos1bad", "account_number": "1"})
        }
    }
}

fn balance(address: &str, amounts: &[u64]) -> Value {
    let coins: Vec<Value> = ["stake", "uatom"]
        .iter()
        .zip(amounts)
        .filter(|(_, a)| **a != 7)
        .map(|(d, a)| json!({"denom": d, "amount": a.to_string()}))
        .collect();
    json!({"address": address, "coins": coins})
}

prop_compose! {
    fn sections()(
        accounts in proptest::collection::vec((0u8..3, 0usize..5, 0u64..5), 0..8),
        balances in proptest::collection::vec((0usize..5, proptest::collection::vec(0u64..9, 2)), 0..8),
        supply in 0u8..3,
        versions in prop_oneof![Just((1u64, 1u64)), Just((2, 2)), Just((2, 3))],
    ) -> (Map<String, Value>, (u64, u64)) {
        let accounts: Vec<Value> = accounts
            .iter()
            .map(|(kind, a, n)| account(*kind, POOL[*a], *n))
            .collect();
        let balances: Vec<Value> = balances.iter().map(|(a, amounts)| balance(POOL[*a], amounts)).collect();
        let mut totals: BTreeMap<String, u64> = BTreeMap::new();
        for b in &balances {
            for c in b["coins"].as_array().into_iter().flatten() {
                let amount: u64 = c["amount"].as_str().and_then(|a| a.parse().ok()).unwrap_or(0);
                *totals.entry(c["denom"].as_str().unwrap_or("").to_owned()).or_default() += amount;
            }
        }
        let supply = match supply {
            0 => json!([]),
            1 => Value::Array(totals.iter().map(|(d, a)| json!({"denom": d, "amount": a.to_string()})).collect()),
            _ => json!([{"denom": "stake", "amount": "1"}]),
        };
        let mut app_state = Map::new();
        app_state.insert("auth".into(), json!({"params": {"max_memo_characters": "256", "tx_sig_limit": "7", "tx_size_cost_per_byte": "10", "sig_verify_cost_ed25519": "590", "sig_verify_cost_secp256k1": "1000"}, "accounts": accounts}));
        app_state.insert("bank".into(), json!({"params": {"default_send_enabled": true}, "balances": balances, "supply": supply, "denom_metadata": [], "send_enabled": []}));
        (app_state, versions)
    }
}

/// Each problem as `path: message`, sorted (the two paths find them in
/// different orders).
fn problems(e: &ManagerError) -> Vec<String> {
    let mut found: Vec<String> = match e {
        ManagerError::InvalidGenesis { path, message } => vec![format!("{path}: {message}")],
        ManagerError::InvalidGenesisProblems(p) => p
            .shown()
            .iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect(),
        other => vec![format!("not a validation error: {other}")],
    };
    found.sort();
    found
}

fn in_memory(
    app_state: &Map<String, Value>,
    (auth, bank): (u64, u64),
) -> Result<ChangeSet, Vec<String>> {
    let mgr = modules(auth, bank);
    mgr.validate_genesis(app_state, &[])
        .map_err(|e| problems(&e))?;
    let mut state = fresh_state();
    mgr.init_genesis(&mut state, app_state, 0)
        .map_err(|e| vec![format!("init failed: {e}")])?;
    Ok(state.into_parts().1)
}

fn streaming(
    app_state: &Map<String, Value>,
    (auth, bank): (u64, u64),
) -> Result<ChangeSet, Vec<String>> {
    let mgr = modules(auth, bank);
    let document = json!({"chain_id": "stream-1", "app_state": app_state}).to_string();
    let mut state = fresh_state();
    match mgr.import_genesis(
        document.as_bytes(),
        "genesis.json",
        &mut state,
        &ImportOptions::default(),
    ) {
        Ok(_) => Ok(state.into_parts().1),
        Err(ImportError::Manager(e)) => Err(problems(&e)),
        Err(e) => Err(vec![format!("not a validation error: {e}")]),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn streaming_import_equals_the_in_memory_path((app_state, versions) in sections()) {
        let expected = in_memory(&app_state, versions);
        let got = streaming(&app_state, versions);
        prop_assert_eq!(&got, &expected, "app_state {}", Value::Object(app_state.clone()));
    }
}

/// A pre-launch file: every account number "0". Both paths renumber them
/// alike, and the streaming import is the one `init` runs.
#[test]
fn every_account_number_zero_is_renumbered_alike() {
    let accounts: Vec<Value> = POOL.iter().map(|a| account(0, a, 0)).collect();
    let mut app_state = Map::new();
    app_state.insert("auth".into(), json!({"params": {"max_memo_characters": "256", "tx_sig_limit": "7", "tx_size_cost_per_byte": "10", "sig_verify_cost_ed25519": "590", "sig_verify_cost_secp256k1": "1000"}, "accounts": accounts}));
    for versions in [(1, 1), (2, 3)] {
        let streamed = streaming(&app_state, versions);
        assert!(streamed.is_ok(), "{streamed:?}");
        assert_eq!(streamed, in_memory(&app_state, versions));
    }
}

/// Fields the sections do not have, and sections of the wrong shape, are
/// reported alike by both paths.
#[test]
fn unknown_fields_and_wrong_shapes_are_reported_alike() {
    let mut app_state = Map::new();
    app_state.insert(
        "auth".into(),
        json!({"params": {}, "accounts": [], "extra": 1}),
    );
    app_state.insert(
        "bank".into(),
        json!({"params": {}, "balances": {}, "escrow": []}),
    );
    let streamed = streaming(&app_state, (2, 3));
    assert!(
        streamed.as_ref().is_err_and(|p| p
            .iter()
            .any(|m| m.contains("extra: unknown field; the auth section has params and accounts"))
            && p.iter().any(
                |m| m.contains("escrow: unknown field; the bank section has params, balances")
            )),
        "{streamed:?}"
    );
    assert_eq!(streamed, in_memory(&app_state, (2, 3)));
    app_state.insert("auth".into(), json!([]));
    assert_eq!(streaming(&app_state, (2, 3)), in_memory(&app_state, (2, 3)));
}
