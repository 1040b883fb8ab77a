//! The genesis generator: valid, deterministic, seed-dependent, and already
//! in the canonical form the modules export.

mod common;

use std::collections::BTreeSet;

use app_modules::genesis::{IBC_ATOM, generate};
use common::*;
use serde_json::Value;

#[test]
fn output_validates_and_round_trips_through_the_modules() {
    let app_state = generate(2_500, 7);
    for (auth_v, bank_v) in [(1, 1), (2, 2), (2, 3)] {
        let mgr = modules(auth_v, bank_v);
        let state = init(&mgr, &app_state);
        let exported = mgr.export_genesis(&state).expect("export");
        assert_eq!(
            serde_json::to_string(&exported).expect("serialise"),
            serde_json::to_string(&app_state).expect("serialise"),
            "auth v{auth_v}, bank v{bank_v}"
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let a = serde_json::to_string(&generate(300, 1)).expect("serialise");
    let b = serde_json::to_string(&generate(300, 1)).expect("serialise");
    let c = serde_json::to_string(&generate(300, 2)).expect("serialise");
    assert_eq!(a, b);
    assert_ne!(a, c);
    let accounts = |s: &str| -> BTreeSet<String> {
        let v: Value = serde_json::from_str(s).expect("json");
        v["bank"]["balances"]
            .as_array()
            .map(|b| {
                b.iter()
                    .filter_map(|x| x["address"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let shared = accounts(&a).intersection(&accounts(&c)).count();
    assert!(
        shared <= 1,
        "{shared} addresses shared between seeds (only distribution may be)"
    );
}

#[test]
fn output_exercises_the_real_shapes() {
    let app_state = generate(1_200, 3);
    let accounts = app_state["auth"]["accounts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        accounts.len(),
        1_202,
        "1200 users plus fee_collector and distribution"
    );
    let types: BTreeSet<&str> = accounts
        .iter()
        .filter_map(|a| a["@type"].as_str())
        .collect();
    assert_eq!(
        types.into_iter().collect::<Vec<_>>(),
        [
            "/cosmos.auth.v1beta1.BaseAccount",
            "/cosmos.auth.v1beta1.ModuleAccount",
            "/cosmos.vesting.v1beta1.ContinuousVestingAccount",
        ]
    );
    let with_key = accounts.iter().filter(|a| a["pub_key"].is_object()).count();
    let without_key = accounts.iter().filter(|a| a["pub_key"].is_null()).count();
    assert!(
        with_key > 0 && without_key > 0,
        "{with_key} with keys, {without_key} without"
    );

    let balances = app_state["bank"]["balances"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let holders = |denom: &str| {
        balances
            .iter()
            .filter(|b| {
                b["coins"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|c| c["denom"] == denom))
            })
            .count()
    };
    for denom in [IBC_ATOM, "stake", "uatom", "ufoo"] {
        let n = holders(denom);
        assert!(
            n > 0 && n < balances.len(),
            "{denom} is held by {n} of {}",
            balances.len()
        );
    }
    let supply: Vec<&str> = app_state["bank"]["supply"]
        .as_array()
        .map(|s| s.iter().filter_map(|c| c["denom"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(supply, [IBC_ATOM, "stake", "uatom", "ufoo"]);
    assert_eq!(app_state["crisis"]["constant_fee"]["denom"], "stake");
}

#[test]
fn zero_accounts_is_still_a_valid_chain() {
    let app_state = generate(0, 9);
    let mgr = modules(2, 2);
    mgr.validate_genesis(&app_state, &[]).expect("valid");
    assert_eq!(
        app_state["auth"]["accounts"].as_array().map(Vec::len),
        Some(2)
    );
}

/// Funded accounts given to the streaming [`Generator`] come out as the
/// SDK's `add-genesis-account` (this crate's `fund`) adds them to the
/// generated sections: appended accounts with the next numbers, balances
/// merged in address order, the supply raised.
#[test]
fn funded_accounts_match_adding_them_afterwards() {
    use app_modules::genesis::Generator;
    use app_modules::{Address, Coin};
    let funded: Vec<(Address, Vec<Coin>)> = [ALICE, STRANGER, BOB, ICA]
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let coins = vec![Coin::new("uatom", 5 + i as u128), Coin::new("stake", 1000)];
            (addr(a), coins)
        })
        .collect();
    for accounts in [0, 1, 400] {
        let mut expected = generate(accounts, 9);
        for (address, coins) in &funded {
            app_modules::fund::fund(&mut expected, address, coins).expect("fund");
        }
        let streamed = Generator::new(accounts, 9, funded.clone(), None)
            .expect("generator")
            .app_state();
        assert_eq!(
            serde_json::to_string(&streamed).expect("serialise"),
            serde_json::to_string(&expected).expect("serialise"),
            "{accounts} accounts"
        );
    }
}
