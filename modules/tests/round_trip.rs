//! Import -> export gives back exactly what was imported, at every version,
//! and the typed read helpers see what genesis wrote.

mod common;

use app_modules::auth::{self, Account};
use app_modules::{Coin, FeeGrant, bank};
use common::*;
use serde_json::{Map, Value, json};
use upgrade_runtime::ModuleManager;

fn text(v: &Map<String, Value>) -> String {
    serde_json::to_string_pretty(v).expect("serialise")
}

#[test]
fn a_realistic_genesis_round_trips_exactly_at_every_version() {
    let genesis = fixture();
    for (auth_v, bank_v) in [(1, 1), (2, 2), (1, 2), (2, 1), (2, 3), (1, 3)] {
        let mgr = modules(auth_v, bank_v);
        let state = init(&mgr, &genesis);
        let exported = mgr.export_genesis(&state).expect("export");
        // Compared as text: field order and number spelling must survive too.
        assert_eq!(
            text(&exported),
            text(&genesis),
            "auth v{auth_v}, bank v{bank_v}"
        );
    }
}

#[test]
fn export_puts_input_in_canonical_order_and_then_round_trips() {
    let mut genesis = fixture();
    let accounts = fixture_accounts();
    let balances = fixture_balances();
    genesis["auth"]["accounts"] = Value::Array(accounts.iter().rev().cloned().collect());
    genesis["bank"]["balances"] = Value::Array(balances.iter().rev().cloned().collect());
    let mgr = modules(2, 2);
    let first = mgr.export_genesis(&init(&mgr, &genesis)).expect("export");
    assert_ne!(text(&first), text(&genesis), "the input was not canonical");
    assert_eq!(text(&first), text(&fixture()));
    let second = mgr.export_genesis(&init(&mgr, &first)).expect("export");
    assert_eq!(text(&second), text(&first));
    // The 32-byte interchain account sorts after every 20-byte address.
    let last = first["auth"]["accounts"]
        .as_array()
        .and_then(|a| a.last())
        .cloned();
    assert_eq!(
        last.and_then(|a| a.get("address").cloned()),
        Some(json!(ICA))
    );
}

#[test]
fn an_empty_supply_is_computed() {
    let mut genesis = fixture();
    genesis["bank"]["supply"] = json!([]);
    let mgr = modules(1, 1);
    let exported = mgr.export_genesis(&init(&mgr, &genesis)).expect("export");
    assert_eq!(exported["bank"]["supply"], fixture()["bank"]["supply"]);
}

#[test]
fn a_balance_without_an_account_is_allowed() {
    let mut genesis = fixture();
    let mut balances = fixture_balances();
    balances.push(json!({"address": STRANGER, "coins": [{"denom": "uatom", "amount": "1"}]}));
    sort_by_address(&mut balances, "/address");
    genesis["bank"]["balances"] = Value::Array(balances);
    genesis["bank"]["supply"] = json!([]);
    let mgr = modules(2, 2);
    let mut state = init(&mgr, &genesis);
    let held = read(&mgr, &mut state, "bank", |r| {
        bank::balance(r, &addr(STRANGER), "uatom").expect("read")
    });
    assert_eq!(held, 1);
    let has = read(&mgr, &mut state, "auth", |r| {
        auth::has_account(r, &addr(STRANGER)).expect("read")
    });
    assert!(!has);
}

#[test]
fn auth_helpers_read_every_account_shape_at_both_versions() {
    for version in [1, 2] {
        let mgr = modules(version, version);
        let mut state = init(&mgr, &fixture());
        read(&mgr, &mut state, "auth", |r| {
            assert_eq!(auth::account_count(r).expect("count"), 7);
            let all: Vec<_> = auth::accounts(r)
                .expect("iterate")
                .collect::<Result<_, _>>()
                .expect("decode");
            assert_eq!(all.len(), 7);
            assert!(all.contains(&addr(ICA)));

            let Some(Account::Base(alice)) = auth::account(r, &addr(ALICE)).expect("read") else {
                panic!("alice is a base account");
            };
            assert_eq!((alice.account_number, alice.sequence), (5, 12));
            assert!(alice.pub_key.is_some());

            let Some(Account::Module(pool)) = auth::account(r, &addr(BONDED_POOL)).expect("read")
            else {
                panic!("the bonded pool is a module account");
            };
            assert_eq!(pool.name, "bonded_tokens_pool");
            assert_eq!(pool.permissions, ["burner", "staking"]);

            let vesting = auth::account(r, &addr(VESTING))
                .expect("read")
                .expect("exists");
            assert_eq!(
                vesting.type_url(),
                "/cosmos.vesting.v1beta1.ContinuousVestingAccount"
            );
            assert_eq!(
                (vesting.account_number(), vesting.sequence()),
                (Some(7), Some(1))
            );

            let by_number = auth::account_by_number(r, 7)
                .expect("read")
                .expect("exists");
            assert_eq!(by_number.address(), &addr(VESTING));
            assert!(auth::account_by_number(r, 99).expect("read").is_none());
            assert!(auth::account(r, &addr(STRANGER)).expect("read").is_none());
            assert_eq!(
                auth::params(r).expect("read").map(|p| p.tx_sig_limit),
                Some(7)
            );
        });
    }
}

#[test]
fn bank_helpers_read_balances_and_supply_at_every_version() {
    for (auth_v, bank_v) in [(1, 1), (2, 2), (2, 3)] {
        let mgr = modules(auth_v, bank_v);
        let mut state = init(&mgr, &fixture());
        read(&mgr, &mut state, "bank", |r| {
            assert_eq!(
                bank::balances_of(r, &addr(ALICE)).expect("read"),
                vec![
                    Coin::new(IBC_ATOM, 42),
                    Coin::new("stake", 1_000_000),
                    Coin::new("uatom", 250)
                ]
            );
            assert_eq!(bank::balance(r, &addr(BOB), "uatom").expect("read"), 750);
            assert_eq!(bank::balance(r, &addr(BOB), "stake").expect("read"), 0);
            assert_eq!(
                bank::balance(r, &addr(ICA), "ufoo").expect("read"),
                u128::MAX
            );
            let supply = bank::supply(r).expect("read");
            assert_eq!(supply.len(), 4);
            assert_eq!(supply[1], Coin::new("stake", 96_000_000));
            let (count, sums) = bank::balance_count_and_sums(r).expect("read");
            assert_eq!(count, 7);
            assert_eq!(sums.get("uatom"), Some(&1000));
            assert_eq!(sums.get("ufoo"), Some(&u128::MAX));
        });
    }
}

#[test]
fn feegrant_round_trips_in_key_order() {
    let mgr = ModuleManager::new(vec![Box::new(FeeGrant::new())]).expect("register");
    let allowance = json!({
        "@type": "/cosmos.feegrant.v1beta1.PeriodicAllowance",
        "basic": {"spend_limit": [{"denom": "stake", "amount": "100"}], "expiration": null},
        "period": "86400s",
        "period_spend_limit": [{"denom": "stake", "amount": "10"}],
        "period_can_spend": [],
        "period_reset": "2024-01-01T00:00:00Z",
    });
    // Key order is grantee first: BOB's grant (grantee ALICE) comes first.
    let grants = json!({"allowances": [
        {"granter": BOB, "grantee": ALICE, "allowance": allowance},
        {"granter": ALICE, "grantee": BOB, "allowance": {"@type": "/cosmos.feegrant.v1beta1.BasicAllowance", "spend_limit": [], "expiration": null}},
    ]});
    let mut app_state = Map::new();
    app_state.insert("feegrant".into(), grants);
    let exported = mgr.export_genesis(&init(&mgr, &app_state)).expect("export");
    assert_eq!(text(&exported), text(&app_state));

    let mut reversed = app_state.clone();
    if let Some(list) = reversed["feegrant"]["allowances"].as_array_mut() {
        list.reverse();
    }
    let exported = mgr.export_genesis(&init(&mgr, &reversed)).expect("export");
    assert_eq!(text(&exported), text(&app_state));
}

#[test]
fn send_enabled_entries_are_kept_verbatim() {
    let mut genesis = fixture();
    genesis["bank"]["send_enabled"] = json!([{"enabled": false, "denom": IBC_ATOM}]);
    for version in [1, 2] {
        let mgr = modules(version, version);
        let exported = mgr.export_genesis(&init(&mgr, &genesis)).expect("export");
        assert_eq!(text(&exported), text(&genesis), "v{version}");
    }
}
