//! Validation of the auth section: every error names its path.

use serde_json::{Value, json};
use upgrade_runtime::Module;

use super::*;

const ADDR_A: &str = "cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du";
const ADDR_B: &str = "cosmos1qgpqyqszqgpqyqszqgpqyqszqgpqyqszrh8mx2";

fn base(address: &str, number: &str) -> Value {
    json!({
        "@type": BASE_ACCOUNT_TYPE,
        "address": address,
        "pub_key": null,
        "account_number": number,
        "sequence": "0",
    })
}

fn section(accounts: Vec<Value>) -> Value {
    json!({ "params": AuthParams::default().to_json(), "accounts": accounts })
}

fn err(genesis: Value) -> String {
    match Auth::new(2).validate_genesis(&genesis) {
        Ok(()) => "valid".to_owned(),
        Err(e) => e.to_string(),
    }
}

fn with(mut account: Value, pointer: &str, value: Value) -> Value {
    if let Some(slot) = account.pointer_mut(pointer) {
        *slot = value;
    }
    account
}

fn vesting(address: &str, number: &str) -> Value {
    json!({
        "@type": "/cosmos.vesting.v1beta1.ContinuousVestingAccount",
        "base_vesting_account": {
            "base_account": { "address": address, "pub_key": null, "account_number": number, "sequence": "3" },
            "original_vesting": [],
            "delegated_free": [],
            "delegated_vesting": [],
            "end_time": "1767225600",
        },
        "start_time": "1704067200",
    })
}

#[test]
fn test_addresses_are_valid() {
    assert_eq!(
        Address::parse(ADDR_A).map(|a| a.as_bytes().to_vec()),
        Ok(vec![1; 20])
    );
    assert_eq!(
        Address::parse(ADDR_B).map(|a| a.as_bytes().to_vec()),
        Ok(vec![2; 20])
    );
    assert_eq!(
        err(section(vec![base(ADDR_A, "0"), base(ADDR_B, "1")])),
        "valid"
    );
    assert_eq!(err(Auth::new(1).default_genesis()), "valid");
}

#[test]
fn section_shape_errors() {
    insta::assert_snapshot!(err(json!([])), @": expected an object with params and accounts");
    insta::assert_snapshot!(err(json!({"accounts": []})), @"params: missing");
    insta::assert_snapshot!(err(json!({"params": AuthParams::default().to_json()})), @"accounts: missing");
    insta::assert_snapshot!(err(json!({"params": AuthParams::default().to_json(), "accounts": {}})), @"accounts: expected an array");
    insta::assert_snapshot!(err(json!({"params": AuthParams::default().to_json(), "accounts": [], "extra": 1})), @"extra: unknown field; the auth section has params and accounts");
}

#[test]
fn params_errors() {
    let mut params = AuthParams::default().to_json();
    params["tx_sig_limit"] = json!("0");
    insta::assert_snapshot!(err(json!({"params": params, "accounts": []})), @"params.tx_sig_limit: must be positive, got 0");
    params["tx_sig_limit"] = json!(7);
    insta::assert_snapshot!(err(json!({"params": params, "accounts": []})), @"params.tx_sig_limit: invalid type: integer `7`, expected a u64 as a decimal string");
    params["tx_sig_limit"] = json!("7");
    params["max_memo_characters"] = json!("-1");
    insta::assert_snapshot!(err(json!({"params": params, "accounts": []})), @r#"params.max_memo_characters: invalid u64: "-1" is negative"#);
    params["max_memo_characters"] = json!("256");
    params["gas"] = json!("1");
    insta::assert_snapshot!(err(json!({"params": params, "accounts": []})), @"params.gas: unknown field `gas`, expected one of `max_memo_characters`, `tx_sig_limit`, `tx_size_cost_per_byte`, `sig_verify_cost_ed25519`, `sig_verify_cost_secp256k1`");
}

#[test]
fn base_account_errors() {
    let ok = base(ADDR_A, "0");
    insta::assert_snapshot!(err(section(vec![ok.clone(), json!("cosmos1")])), @r#"accounts[1]: expected an account object with an "@type""#);
    insta::assert_snapshot!(err(section(vec![json!({"address": ADDR_A})])), @r#"accounts[0]: missing "@type""#);
    insta::assert_snapshot!(err(section(vec![with(ok.clone(), "/@type", json!(7))])), @"accounts[0].@type: expected a string");
    insta::assert_snapshot!(err(section(vec![with(ok.clone(), "/address", json!("cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7dv"))])), @r#"accounts[0].address: invalid bech32 address "cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7dv": invalid checksum: the checksum residue is not valid for the data"#);
    insta::assert_snapshot!(err(section(vec![with(ok.clone(), "/address", json!("osmo1qyqszqgpqyqszqgpqyqszqgpqyqszqgp6gjwmw"))])), @r#"accounts[0].address: address "osmo1qyqszqgpqyqszqgpqyqszqgpqyqszqgp6gjwmw" has prefix "osmo", expected "cosmos""#);
    insta::assert_snapshot!(err(section(vec![with(ok.clone(), "/address", json!(""))])), @"accounts[0].address: empty address");
    insta::assert_snapshot!(err(section(vec![with(ok.clone(), "/account_number", json!("abc"))])), @r#"accounts[0].account_number: invalid u64: "abc" is not a decimal integer"#);
    insta::assert_snapshot!(err(section(vec![with(ok.clone(), "/account_number", json!(3))])), @"accounts[0].account_number: invalid type: integer `3`, expected a u64 as a decimal string");
    insta::assert_snapshot!(err(section(vec![with(ok.clone(), "/sequence", json!("007"))])), @r#"accounts[0].sequence: invalid u64: "007" has leading zeros"#);
    insta::assert_snapshot!(err(section(vec![with(ok.clone(), "/sequence", json!("18446744073709551616"))])), @r#"accounts[0].sequence: invalid u64: "18446744073709551616" exceeds the maximum 18446744073709551615"#);
    insta::assert_snapshot!(err(section(vec![with(ok.clone(), "/pub_key", json!("A1b2"))])), @r#"accounts[0].pub_key: expected null or a public key object with an "@type""#);
    insta::assert_snapshot!(err(section(vec![with(ok.clone(), "/pub_key", json!({"key": "A1b2"}))])), @r#"accounts[0].pub_key: expected null or a public key object with an "@type""#);
    let mut extra = ok.clone();
    extra["coins"] = json!([]);
    insta::assert_snapshot!(err(section(vec![extra])), @"accounts[0].coins: unknown field `coins`, expected one of `@type`, `address`, `pub_key`, `account_number`, `sequence`");
    // proto3 JSON: missing number fields and key are their zero values; a
    // missing address is not (an account without one is no account).
    let mut missing = ok;
    missing.as_object_mut().map(|o| o.remove("address"));
    insta::assert_snapshot!(err(section(vec![missing])), @"accounts[0]: missing field `address`");
}

#[test]
fn missing_base_fields_take_their_proto3_defaults() {
    let bare = json!({"@type": "/cosmos.auth.v1beta1.BaseAccount", "address": ADDR_A});
    let module = json!({
        "@type": "/cosmos.auth.v1beta1.ModuleAccount",
        "base_account": {"address": ADDR_B},
        "name": "fee_collector",
        "permissions": [],
    });
    for raw in [bare, module] {
        let account = Account::from_json(&raw, "accounts[0]").expect("defaults apply");
        let json = account.to_json();
        let base = json.get("base_account").unwrap_or(&json);
        assert_eq!(base["pub_key"], Value::Null, "{json}");
        assert_eq!(base["sequence"], json!("0"), "{json}");
        assert_eq!(base["account_number"], json!("0"), "{json}");
    }
}

#[test]
fn duplicate_errors_name_both_positions() {
    insta::assert_snapshot!(err(section(vec![base(ADDR_A, "0"), base(ADDR_B, "1"), base(ADDR_A, "2")])), @"accounts[2].address: duplicate address cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du (also at accounts[0])");
    // Duplicate account numbers are renumbered, not refused (see below).
    assert_eq!(
        err(section(vec![base(ADDR_A, "4"), base(ADDR_B, "4")])),
        "valid"
    );
    let module = json!({
        "@type": MODULE_ACCOUNT_TYPE,
        "base_account": { "address": ADDR_B, "pub_key": null, "account_number": "1", "sequence": "0" },
        "name": "fee_collector",
        "permissions": [],
    });
    insta::assert_snapshot!(err(section(vec![base(ADDR_B, "0"), module])), @"accounts[1].base_account.address: duplicate address cosmos1qgpqyqszqgpqyqszqgpqyqszqgpqyqszrh8mx2 (also at accounts[0])");
    assert_eq!(
        err(section(vec![base(ADDR_B, "0"), vesting(ADDR_A, "0")])),
        "valid"
    );
}

#[test]
fn duplicate_account_numbers_take_the_lowest_unused_ones_as_the_sdk_does() {
    // SanitizeGenesisAccounts: the first holder keeps its number; later
    // holders of 0 get 1 and 3 (2 is taken), the later holder of 2 gets 4.
    let addr = |i: u8| {
        crate::address::Address::from_bytes(&[i; 20])
            .unwrap()
            .to_bech32()
    };
    let accounts = vec![
        base(&addr(1), "0"),
        base(&addr(2), "0"),
        base(&addr(3), "2"),
        vesting(&addr(4), "0"),
        base(&addr(5), "2"),
    ];
    let parsed = super::genesis::parse(&section(accounts)).unwrap();
    let numbers: Vec<Option<u64>> = parsed.accounts.iter().map(|a| a.account_number()).collect();
    assert_eq!(numbers, [Some(0), Some(1), Some(2), Some(3), Some(4)]);
    // The vesting account's verbatim JSON carries its new number too.
    let vesting_json = parsed.accounts[3].to_json();
    assert_eq!(
        vesting_json["base_vesting_account"]["base_account"]["account_number"],
        "3"
    );
}

#[test]
fn module_account_errors() {
    let module = json!({
        "@type": MODULE_ACCOUNT_TYPE,
        "base_account": { "address": ADDR_B, "pub_key": null, "account_number": "1", "sequence": "0" },
        "name": "bonded_tokens_pool",
        "permissions": ["burner", "staking"],
    });
    assert_eq!(err(section(vec![module.clone()])), "valid");
    insta::assert_snapshot!(err(section(vec![with(module.clone(), "/name", json!(" "))])), @"accounts[0].name: module account name cannot be blank");
    insta::assert_snapshot!(err(section(vec![with(module.clone(), "/permissions", json!(["burner", "burner"]))])), @r#"accounts[0].permissions[1]: duplicate permission "burner" (also at accounts[0].permissions[0])"#);
    insta::assert_snapshot!(err(section(vec![with(module.clone(), "/permissions", json!([""]))])), @"accounts[0].permissions[0]: permission cannot be blank");
    insta::assert_snapshot!(err(section(vec![with(module.clone(), "/base_account/address", json!("cosmos1x"))])), @r#"accounts[0].base_account.address: invalid bech32 address "cosmos1x": invalid checksum: the checksummed string is not a valid length"#);
    insta::assert_snapshot!(err(section(vec![with(module, "/base_account/account_number", json!(""))])), @"accounts[0].base_account.account_number: invalid u64: empty string, expected a decimal integer");
}

#[test]
fn unmodelled_account_errors() {
    assert_eq!(err(section(vec![vesting(ADDR_A, "9")])), "valid");
    let flat = json!({"@type": "/chain.custom.v1.Account", "address": ADDR_B, "extra": {"anything": [1, 2]}});
    assert_eq!(err(section(vec![flat.clone()])), "valid");
    insta::assert_snapshot!(err(section(vec![json!({"@type": "/chain.custom.v1.Account", "owner": ADDR_B})])), @r#"accounts[0]: account of type "/chain.custom.v1.Account" has no address at address, base_account.address or base_vesting_account.base_account.address"#);
    insta::assert_snapshot!(err(section(vec![with(vesting(ADDR_A, "9"), "/base_vesting_account/base_account/address", json!(5))])), @"accounts[0].base_vesting_account.base_account.address: expected a string");
    insta::assert_snapshot!(err(section(vec![with(vesting(ADDR_A, "9"), "/base_vesting_account/base_account/account_number", json!("x"))])), @r#"accounts[0].base_vesting_account.base_account.account_number: invalid u64: "x" is not a decimal integer"#);
    insta::assert_snapshot!(err(section(vec![with(vesting(ADDR_A, "9"), "/base_vesting_account/base_account/sequence", json!(1))])), @"accounts[0].base_vesting_account.base_account.sequence: expected a u64 as a decimal string");
}

#[test]
fn unknown_versions_are_refused_at_use() {
    let e = Encoding::for_version(3).map(|_| ()).unwrap_err();
    insta::assert_snapshot!(e, @"auth consensus version 3 is not implemented by this build (versions 1 to 2)");
    assert_eq!(
        Encoding::for_version(2).map(Encoding::version).ok(),
        Some(2)
    );
}

#[test]
fn sequences_increment_in_every_account_shape() {
    let mut account = Account::from_json(&vesting(ADDR_A, "9"), "").unwrap();
    account.increment_sequence().unwrap();
    assert_eq!(account.sequence(), Some(4));
    assert_eq!(
        account.to_json()["base_vesting_account"]["base_account"]["sequence"],
        json!("4")
    );
    assert_eq!(account.to_json()["start_time"], json!("1704067200"));

    let flat = json!({"@type": "/chain.custom.v1.Account", "address": ADDR_B});
    let mut account = Account::from_json(&flat, "").unwrap();
    insta::assert_snapshot!(account.increment_sequence().unwrap_err(), @"account cosmos1qgpqyqszqgpqyqszqgpqyqszqgpqyqszrh8mx2 of type /chain.custom.v1.Account has no sequence and cannot sign");

    let mut account = Account::from_json(
        &with(
            base(ADDR_A, "0"),
            "/sequence",
            json!("18446744073709551615"),
        ),
        "",
    )
    .unwrap();
    insta::assert_snapshot!(account.increment_sequence().unwrap_err(), @"sequence of account cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du would overflow");
}
