//! `MsgSend` through `ModuleManager::deliver_tx`: auth's ante handler, then
//! bank, all or nothing.

mod common;

use app_modules::Coin;
use app_modules::auth;
use app_modules::bank::{self, MSG_SEND, MsgSend};
use common::*;
use serde_json::{Value, json};
use upgrade_runtime::store::StateWrite;
use upgrade_runtime::{ModuleManager, Msg, Tx, TxOutcome};

fn send(from: &str, to: &str, amount: &[(&str, u128)]) -> Tx {
    let msg = MsgSend {
        from_address: addr(from),
        to_address: addr(to),
        amount: amount.iter().map(|(d, a)| Coin::new(*d, *a)).collect(),
    };
    Tx {
        signer: from.to_owned(),
        msgs: vec![msg.to_msg()],
    }
}

fn raw_send(signer: &str, value: Value) -> Tx {
    let Value::Object(value) = value else {
        panic!("an object");
    };
    Tx {
        signer: signer.to_owned(),
        msgs: vec![Msg {
            type_url: MSG_SEND.to_owned(),
            value,
        }],
    }
}

fn balance(mgr: &ModuleManager, state: &mut dyn StateWrite, who: &str, denom: &str) -> u128 {
    read(mgr, state, "bank", |r| {
        bank::balance(r, &addr(who), denom).expect("read")
    })
}

fn sequence(mgr: &ModuleManager, state: &mut dyn StateWrite, who: &str) -> Option<u64> {
    read(mgr, state, "auth", |r| {
        auth::account(r, &addr(who))
            .expect("read")
            .and_then(|a| a.sequence())
    })
}

/// Delivers `tx` and checks it was rejected without changing anything.
fn rejected(mgr: &ModuleManager, state: &mut dyn StateWrite, tx: &Tx) -> String {
    let before = mgr.export_genesis(&*state).expect("export");
    let outcome = mgr.deliver_tx(state, tx, 1);
    assert_ne!(outcome.code, 0, "{tx:?} was accepted");
    let after = mgr.export_genesis(&*state).expect("export");
    assert_eq!(after, before, "a rejected transaction changed state");
    outcome.log
}

#[test]
fn a_send_moves_coins_and_bumps_the_sequence_at_every_version() {
    for (auth_v, bank_v) in [(1, 1), (2, 2), (1, 2), (2, 3)] {
        let mgr = modules(auth_v, bank_v);
        let mut state = init(&mgr, &fixture());
        let supply_before = read(&mgr, &mut state, "bank", |r| bank::supply(r).expect("read"));
        let outcome = mgr.deliver_tx(
            &mut state,
            &send(ALICE, BOB, &[("stake", 400), ("uatom", 50)]),
            1,
        );
        assert_eq!(
            outcome,
            TxOutcome {
                code: 0,
                log: String::new()
            }
        );
        assert_eq!(balance(&mgr, &mut state, ALICE, "stake"), 999_600);
        assert_eq!(balance(&mgr, &mut state, ALICE, "uatom"), 200);
        assert_eq!(balance(&mgr, &mut state, BOB, "stake"), 400);
        assert_eq!(balance(&mgr, &mut state, BOB, "uatom"), 800);
        assert_eq!(sequence(&mgr, &mut state, ALICE), Some(13));
        assert_eq!(sequence(&mgr, &mut state, BOB), Some(0));
        let supply_after = read(&mgr, &mut state, "bank", |r| bank::supply(r).expect("read"));
        assert_eq!(supply_after, supply_before);
        mgr.validate_genesis(&mgr.export_genesis(&state).expect("export"), &[])
            .expect("the state after a send exports a valid genesis");
    }
}

#[test]
fn sending_everything_removes_the_balance_entry() {
    let mgr = modules(2, 2);
    let mut state = init(&mgr, &fixture());
    let outcome = mgr.deliver_tx(&mut state, &send(BOB, ALICE, &[("uatom", 750)]), 1);
    assert_eq!(outcome.code, 0, "{}", outcome.log);
    let bob = read(&mgr, &mut state, "bank", |r| {
        bank::balances_of(r, &addr(BOB)).expect("read")
    });
    assert_eq!(bob, Vec::<Coin>::new());
    let exported = mgr.export_genesis(&state).expect("export");
    let holders: Vec<&str> = exported["bank"]["balances"]
        .as_array()
        .map(|b| b.iter().filter_map(|x| x["address"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        !holders.contains(&BOB),
        "a zero balance was exported: {holders:?}"
    );
    mgr.validate_genesis(&exported, &[]).expect("valid");
}

#[test]
fn sending_to_oneself_changes_only_the_sequence() {
    let mgr = modules(2, 2);
    let mut state = init(&mgr, &fixture());
    let outcome = mgr.deliver_tx(&mut state, &send(ALICE, ALICE, &[("stake", 1_000_000)]), 1);
    assert_eq!(outcome.code, 0, "{}", outcome.log);
    assert_eq!(balance(&mgr, &mut state, ALICE, "stake"), 1_000_000);
    assert_eq!(sequence(&mgr, &mut state, ALICE), Some(13));
}

#[test]
fn a_vesting_account_signs_and_its_verbatim_json_is_updated() {
    let mgr = modules(2, 2);
    let mut state = init(&mgr, &fixture());
    let outcome = mgr.deliver_tx(&mut state, &send(VESTING, BOB, &[("stake", 1)]), 1);
    assert_eq!(outcome.code, 0, "{}", outcome.log);
    let exported = mgr.export_genesis(&state).expect("export");
    let vesting = exported["auth"]["accounts"]
        .as_array()
        .and_then(|a| {
            a.iter().find(|x| {
                x.pointer("/base_vesting_account/base_account/address") == Some(&json!(VESTING))
            })
        })
        .cloned()
        .expect("the vesting account is exported");
    assert_eq!(
        vesting.pointer("/base_vesting_account/base_account/sequence"),
        Some(&json!("2"))
    );
    assert_eq!(
        vesting.pointer("/base_vesting_account/delegated_vesting/0/amount"),
        Some(&json!("1000000"))
    );
}

#[test]
fn rejections_say_why_and_change_nothing() {
    let mgr = modules(2, 2);
    let mut state = init(&mgr, &fixture());
    let s = &mut state;
    insta::assert_snapshot!(rejected(&mgr, s, &send(ALICE, BOB, &[("stake", 1_000_001)])), @"insufficient funds: cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du has 1000000 stake but the send needs 1000001");
    // The second coin fails after the first was debited: all or nothing.
    insta::assert_snapshot!(rejected(&mgr, s, &send(ALICE, BOB, &[("stake", 10), ("uatom", 251)])), @"insufficient funds: cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du has 250 uatom but the send needs 251");
    insta::assert_snapshot!(rejected(&mgr, s, &send(ALICE, BOB, &[("ufoo", 1)])), @"insufficient funds: cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du has 0 ufoo but the send needs 1");
    insta::assert_snapshot!(rejected(&mgr, s, &send(ALICE, STRANGER, &[("stake", 1)])), @"recipient cosmos1qszqgpqyqszqgpqyqszqgpqyqszqgpqyzhplth is not an existing account; bank cannot create accounts");
    insta::assert_snapshot!(rejected(&mgr, s, &send(ALICE, BOB, &[(IBC_ATOM, 1)])), @"ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2 transfers are currently disabled");
    insta::assert_snapshot!(rejected(&mgr, s, &send(STRANGER, BOB, &[("stake", 1)])), @"signer cosmos1qszqgpqyqszqgpqyqszqgpqyqszqgpqyzhplth is not an existing account; only existing accounts can sign");
    let mut wrong_signer = send(ALICE, BOB, &[("stake", 1)]);
    wrong_signer.signer = BOB.to_owned();
    insta::assert_snapshot!(rejected(&mgr, s, &wrong_signer), @"from_address cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du is not the signer cosmos1qgpqyqszqgpqyqszqgpqyqszqgpqyqszrh8mx2; only the owner can send its coins");
    let mut bad_signer = send(ALICE, BOB, &[("stake", 1)]);
    bad_signer.signer = "alice".to_owned();
    insta::assert_snapshot!(rejected(&mgr, s, &bad_signer), @r#"invalid signer: invalid bech32 address "alice": parse failed: character error: invalid character (code=i)"#);
}

#[test]
fn malformed_messages_are_rejected_with_the_field() {
    let mgr = modules(2, 2);
    let mut state = init(&mgr, &fixture());
    let s = &mut state;
    let msg = |amount: Value| json!({"from_address": ALICE, "to_address": BOB, "amount": amount});
    insta::assert_snapshot!(rejected(&mgr, s, &raw_send(ALICE, msg(json!([])))), @"invalid /cosmos.bank.v1beta1.MsgSend: amount: nothing to send");
    insta::assert_snapshot!(rejected(&mgr, s, &raw_send(ALICE, msg(json!([{"denom": "stake", "amount": "0"}])))), @"invalid /cosmos.bank.v1beta1.MsgSend: amount[0].amount: amount of stake must be positive, got 0");
    insta::assert_snapshot!(rejected(&mgr, s, &raw_send(ALICE, msg(json!([{"denom": "uatom", "amount": "1"}, {"denom": "stake", "amount": "1"}])))), @r#"invalid /cosmos.bank.v1beta1.MsgSend: amount[1].denom: coins are not sorted by denom: "stake" comes after "uatom""#);
    insta::assert_snapshot!(rejected(&mgr, s, &raw_send(ALICE, msg(json!([{"denom": "stake", "amount": "-1"}])))), @r#"invalid /cosmos.bank.v1beta1.MsgSend: amount[0].amount: invalid amount: "-1" is negative"#);
    insta::assert_snapshot!(rejected(&mgr, s, &raw_send(ALICE, json!({"from_address": ALICE, "to_address": "bob", "amount": []}))), @r#"invalid /cosmos.bank.v1beta1.MsgSend: to_address: invalid bech32 address "bob": parse failed: character error: invalid character (code=b)"#);
    insta::assert_snapshot!(rejected(&mgr, s, &raw_send(ALICE, json!({"from_address": ALICE, "amount": []}))), @"invalid /cosmos.bank.v1beta1.MsgSend: missing field `to_address`");
}
