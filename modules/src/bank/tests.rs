//! Validation of the bank section: every error names its path.

use serde_json::{Value, json};
use upgrade_runtime::Module;

use super::*;

const ADDR_A: &str = "cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du";
const ADDR_B: &str = "cosmos1qgpqyqszqgpqyqszqgpqyqszqgpqyqszrh8mx2";

fn coins(pairs: &[(&str, &str)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(d, a)| json!({"denom": d, "amount": a}))
            .collect(),
    )
}

fn balance(address: &str, pairs: &[(&str, &str)]) -> Value {
    json!({"address": address, "coins": coins(pairs)})
}

fn section(balances: Vec<Value>, supply: Value) -> Value {
    json!({
        "params": BankParams::default().to_json(),
        "balances": balances,
        "supply": supply,
        "denom_metadata": [],
        "send_enabled": [],
    })
}

fn err(genesis: Value) -> String {
    match Bank::new(2).validate_genesis(&genesis) {
        Ok(()) => "valid".to_owned(),
        Err(e) => e.to_string(),
    }
}

/// A section whose only balance holds `amount` of stake (supply computed).
fn amount(amount: &str) -> String {
    err(section(
        vec![balance(ADDR_A, &[("stake", amount)])],
        json!([]),
    ))
}

#[test]
fn a_consistent_section_is_valid() {
    let two = vec![
        balance(ADDR_A, &[("stake", "5"), ("uatom", "1")]),
        balance(ADDR_B, &[("stake", "7")]),
    ];
    assert_eq!(
        err(section(
            two.clone(),
            coins(&[("stake", "12"), ("uatom", "1")])
        )),
        "valid"
    );
    assert_eq!(err(section(two, json!([]))), "valid");
    assert_eq!(err(Bank::new(1).default_genesis()), "valid");
}

#[test]
fn amount_errors() {
    insta::assert_snapshot!(amount("-5"), @r#"balances[0].coins[0].amount: invalid amount: "-5" is negative"#);
    insta::assert_snapshot!(amount(""), @"balances[0].coins[0].amount: invalid amount: empty string, expected a decimal integer");
    insta::assert_snapshot!(amount("+5"), @r#"balances[0].coins[0].amount: invalid amount: "+5" has a leading '+'"#);
    insta::assert_snapshot!(amount("5stake"), @r#"balances[0].coins[0].amount: invalid amount: "5stake" is not a decimal integer"#);
    insta::assert_snapshot!(amount("0x10"), @r#"balances[0].coins[0].amount: invalid amount: "0x10" is not a decimal integer"#);
    insta::assert_snapshot!(amount("0010"), @r#"balances[0].coins[0].amount: invalid amount: "0010" has leading zeros"#);
    insta::assert_snapshot!(amount("340282366920938463463374607431768211456"), @r#"balances[0].coins[0].amount: invalid amount: "340282366920938463463374607431768211456" exceeds the maximum 340282366920938463463374607431768211455"#);
    insta::assert_snapshot!(amount("0"), @"balances[0].coins[0].amount: amount of stake must be positive, got 0");
    assert_eq!(amount("340282366920938463463374607431768211455"), "valid");
    let numeric = section(
        vec![json!({"address": ADDR_A, "coins": [{"denom": "stake", "amount": 5}]})],
        json!([]),
    );
    insta::assert_snapshot!(err(numeric), @"balances[0].coins[0].amount: invalid type: integer `5`, expected an amount as a decimal string");
}

#[test]
fn coin_list_errors() {
    let at = |pairs: &[(&str, &str)]| {
        err(section(
            vec![balance(ADDR_B, &[("stake", "1")]), balance(ADDR_A, pairs)],
            json!([]),
        ))
    };
    insta::assert_snapshot!(at(&[("uatom", "1"), ("stake", "1")]), @r#"balances[1].coins[1].denom: coins are not sorted by denom: "stake" comes after "uatom""#);
    insta::assert_snapshot!(at(&[("stake", "1"), ("stake", "2")]), @r#"balances[1].coins[1].denom: duplicate denom "stake" (also at balances[1].coins[0])"#);
    insta::assert_snapshot!(at(&[("1stake", "1")]), @r#"balances[1].coins[0].denom: invalid denom "1stake": must match [a-zA-Z][a-zA-Z0-9/:._-]{2,127}"#);
    insta::assert_snapshot!(at(&[]), @"balances[1].coins: balance of cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du has no coins; leave the address out instead");
    let extra = section(
        vec![json!({"address": ADDR_A, "coins": [{"denom": "stake", "amount": "1", "memo": ""}]})],
        json!([]),
    );
    insta::assert_snapshot!(err(extra), @"balances[0].coins[0].memo: unknown field `memo`, expected `denom` or `amount`");
}

#[test]
fn balance_errors() {
    let dup = vec![
        balance(ADDR_A, &[("stake", "1")]),
        balance(ADDR_B, &[("stake", "1")]),
        balance(ADDR_A, &[("uatom", "1")]),
    ];
    insta::assert_snapshot!(err(section(dup, json!([]))), @"balances[2].address: duplicate balance for cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du (also at balances[0])");
    insta::assert_snapshot!(err(section(vec![balance("cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7dv", &[("stake", "1")])], json!([]))), @r#"balances[0].address: invalid bech32 address "cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7dv": invalid checksum: the checksum residue is not valid for the data"#);
    insta::assert_snapshot!(err(section(vec![json!({"coins": []})], json!([]))), @"balances[0]: missing field `address`");
    let max = "340282366920938463463374607431768211455";
    let overflow = vec![
        balance(ADDR_A, &[("stake", max)]),
        balance(ADDR_B, &[("stake", "1")]),
    ];
    insta::assert_snapshot!(err(section(overflow, json!([]))), @"balances[1].coins[0].amount: the total of stake over all balances exceeds the maximum 340282366920938463463374607431768211455");
}

#[test]
fn supply_errors() {
    let balances = vec![
        balance(ADDR_A, &[("stake", "5"), ("uatom", "1")]),
        balance(ADDR_B, &[("stake", "7")]),
    ];
    insta::assert_snapshot!(err(section(balances.clone(), coins(&[("stake", "13"), ("uatom", "1")]))), @"supply[0].amount: supply of stake is 13 but the balances sum to 12");
    insta::assert_snapshot!(err(section(balances.clone(), coins(&[("stake", "12")]))), @"supply: supply does not list uatom, but the balances sum to 1");
    insta::assert_snapshot!(err(section(balances.clone(), coins(&[("stake", "12"), ("uatom", "1"), ("ufoo", "3")]))), @"supply[2].amount: supply of ufoo is 3 but the balances sum to 0");
    insta::assert_snapshot!(err(section(balances.clone(), coins(&[("uatom", "1"), ("stake", "12")]))), @r#"supply[1].denom: coins are not sorted by denom: "stake" comes after "uatom""#);
    insta::assert_snapshot!(err(section(balances, coins(&[("stake", "12"), ("uatom", "0")]))), @"supply[1].amount: amount of uatom must be positive, got 0");
}

#[test]
fn section_shape_errors() {
    insta::assert_snapshot!(err(json!("bank")), @": expected an object with params and balances");
    insta::assert_snapshot!(err(json!({"balances": []})), @"params: missing");
    insta::assert_snapshot!(err(json!({"params": BankParams::default().to_json()})), @"balances: missing");
    insta::assert_snapshot!(err(json!({"params": BankParams::default().to_json(), "balances": {}})), @"balances: expected an array");
    insta::assert_snapshot!(err(json!({"params": BankParams::default().to_json(), "balances": [], "supply": "0stake"})), @"supply: expected an array");
    insta::assert_snapshot!(err(json!({"params": BankParams::default().to_json(), "balances": [], "escrow": []})), @"escrow: unknown field; the bank section has params, balances, supply, denom_metadata, send_enabled");
    // Older chains have no top-level send_enabled or denom_metadata.
    assert_eq!(
        err(json!({"params": BankParams::default().to_json(), "balances": [], "supply": []})),
        "valid"
    );
}

#[test]
fn params_and_send_enabled_errors() {
    let with_params = |params: Value| json!({"params": params, "balances": []});
    insta::assert_snapshot!(err(with_params(json!({"send_enabled": [], "default_send_enabled": "yes"}))), @r#"params.default_send_enabled: invalid type: string "yes", expected a boolean"#);
    // Missing fields take their proto3 defaults, as the SDK reads them.
    assert_eq!(err(with_params(json!({"send_enabled": []}))), "valid");
    assert_eq!(
        err(with_params(json!({"default_send_enabled": true}))),
        "valid"
    );
    insta::assert_snapshot!(err(with_params(json!({"send_enabled": [{"denom": "x", "enabled": true}], "default_send_enabled": true}))), @r#"params.send_enabled[0].denom: invalid denom "x": must match [a-zA-Z][a-zA-Z0-9/:._-]{2,127}"#);
    let switches = |list: Value| json!({"params": BankParams::default().to_json(), "balances": [], "send_enabled": list});
    insta::assert_snapshot!(err(switches(json!([{"denom": "stake", "enabled": false}, {"denom": "stake", "enabled": true}]))), @r#"send_enabled[1].denom: duplicate send_enabled entry for "stake" (also at send_enabled[0])"#);
    insta::assert_snapshot!(err(switches(json!([{"denom": "stake"}]))), @"send_enabled[0]: missing field `enabled`");
}

#[test]
fn denom_metadata_errors() {
    let metadata = |list: Value| json!({"params": BankParams::default().to_json(), "balances": [], "denom_metadata": list});
    assert_eq!(
        err(metadata(
            json!([{"base": "uatom", "display": "atom", "anything": {"kept": true}}])
        )),
        "valid"
    );
    insta::assert_snapshot!(err(metadata(json!([{"base": "uatom"}, {"base": "uatom"}]))), @r#"denom_metadata[1].base: duplicate metadata for "uatom" (also at denom_metadata[0])"#);
    insta::assert_snapshot!(err(metadata(json!([{"display": "atom"}]))), @"denom_metadata[0].base: expected the base denom as a string");
    insta::assert_snapshot!(err(metadata(json!([{"base": "u"}]))), @r#"denom_metadata[0].base: invalid denom "u": must match [a-zA-Z][a-zA-Z0-9/:._-]{2,127}"#);
    insta::assert_snapshot!(err(metadata(json!(["uatom"]))), @"denom_metadata[0]: expected a metadata object");
}

#[test]
fn send_switches_resolve_top_level_first() {
    let params = BankParams {
        send_enabled: vec![SendEnabled {
            denom: "ufoo".into(),
            enabled: false,
        }],
        default_send_enabled: true,
    };
    let top = [SendEnabled {
        denom: "ufoo".into(),
        enabled: true,
    }];
    assert!(params.is_send_enabled(&top, "ufoo"));
    assert!(!params.is_send_enabled(&[], "ufoo"));
    assert!(params.is_send_enabled(&[], "stake"));
    let closed = BankParams {
        send_enabled: vec![],
        default_send_enabled: false,
    };
    assert!(!closed.is_send_enabled(&[], "stake"));
}

#[test]
fn unknown_versions_are_refused_at_use() {
    let e = Encoding::for_version(0).map(|_| ()).unwrap_err();
    insta::assert_snapshot!(e, @"bank consensus version 0 is not implemented by this build (versions 1 to 3)");
    let e = Encoding::for_version(4).map(|_| ()).unwrap_err();
    insta::assert_snapshot!(e, @"bank consensus version 4 is not implemented by this build (versions 1 to 3)");
}

#[test]
fn only_v3_keeps_the_denom_owner_index_and_a_stamp() {
    let alice = crate::Address::from_bytes(&[1; 20]).unwrap();
    assert_eq!(Encoding::V1.denom_owner_key("uatom", &alice), Ok(None));
    assert_eq!(Encoding::V2.denom_owners_prefix("uatom"), Ok(None));
    let key = Encoding::V3
        .denom_owner_key("uatom", &alice)
        .unwrap()
        .unwrap();
    assert_eq!(
        Encoding::V3.split_denom_owner_key(&key),
        Ok(("uatom".to_owned(), alice))
    );
    insta::assert_snapshot!(Encoding::V2.split_denom_owner_key(&key).unwrap_err(), @"bank version 2 has no denom -> owner index");
    assert_eq!(Encoding::V3.stamp(), Some((&[0x06][..], &b"3"[..])));
    assert_eq!(Encoding::V2.stamp(), None);
}
