//! A chain whose addresses are not `cosmos1...`: the prefix is a chain
//! parameter, chosen at `init` (`--address-prefix`, or the genesis file's
//! addresses), stored with the chain and held to by every address.

#![allow(clippy::unwrap_used)]

mod common;

use common::{appd, export, s};
use serde_json::Value;

/// Every `address` field of the auth and bank sections.
fn addresses(genesis: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("address", Value::String(a)) => out.push(a.clone()),
                        _ => walk(v, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&genesis["app_state"]["auth"], &mut out);
    walk(&genesis["app_state"]["bank"], &mut out);
    out
}

#[test]
fn a_regen_chain_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("regen");
    let h = s(&home);
    appd(&[
        "init",
        "--home",
        h,
        "--release",
        "v1.0.0",
        "--accounts",
        "60",
        "--chain-id",
        "regen-1",
        "--address-prefix",
        "regen",
    ])
    .ok();
    let before = export(&home);
    let all = addresses(&before);
    assert!(all.len() > 120, "{}", all.len());
    assert!(all.iter().all(|a| a.starts_with("regen1")), "{all:?}");
    // Module accounts derive as on Cosmos: the Hub's fee collector bytes.
    let accounts = before["app_state"]["auth"]["accounts"].as_array().unwrap();
    let fee_collector = accounts
        .iter()
        .find(|a| a["name"] == "fee_collector")
        .unwrap();
    assert_eq!(
        fee_collector["base_account"]["address"], "regen17xpfvakm2amg962yls6f84z3kell8c5l0mguae",
        "the bytes of cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta"
    );

    // Signed sends from the synthetic senders (their addresses are regen's).
    appd(&[
        "start",
        "--home",
        h,
        "--release",
        "v1.0.0",
        "--blocks",
        "3",
        "--txs-per-block",
        "20",
    ])
    .ok();
    let after = export(&home);
    assert_ne!(
        before["app_state"]["bank"], after["app_state"]["bank"],
        "the sends moved coins"
    );
    assert!(addresses(&after).iter().all(|a| a.starts_with("regen1")));

    // Queries take regen addresses and refuse the Hub's spelling.
    let holder = after["app_state"]["bank"]["balances"][0]["address"]
        .as_str()
        .unwrap()
        .to_owned();
    let balance = appd(&["query", "bank", "balance", &holder, "--home", h]).ok();
    assert!(
        balance.stdout.contains("\"balances\""),
        "{}",
        balance.stdout
    );
    let refused = appd(&[
        "query",
        "bank",
        "balance",
        "cosmos1jv65s3grqf6v6jl3dp4t6c9t9rk99cd88lyufl",
        "--home",
        h,
    ])
    .failed();
    assert!(
        refused
            .error()
            .contains("has prefix \"cosmos\", expected \"regen\""),
        "{}",
        refused.error()
    );

    // Keys of the home are spelt under its prefix, and a Hub address is
    // refused as a recipient.
    let key = appd(&["keys", "add", "alice", "--home", h]).ok();
    assert!(key.stdout.contains("regen1"), "{}", key.stdout);
    let send = appd(&[
        "tx",
        "bank",
        "send",
        "alice",
        "cosmos1jv65s3grqf6v6jl3dp4t6c9t9rk99cd88lyufl",
        "1stake",
        "--home",
        h,
    ])
    .failed();
    assert!(
        send.error().contains("has prefix \"cosmos\""),
        "{}",
        send.error()
    );

    // The export re-imports as a regen chain without being told (the
    // prefix comes from its addresses), and exports byte for byte alike.
    let exported = tmp.path().join("regen.export.json");
    common::assert_reimport_exports_the_same(&exported, "v1.0.0");

    // Told another prefix, the same file is refused at its first address.
    let wrong = tmp.path().join("wrong");
    let out = appd(&[
        "init",
        "--home",
        s(&wrong),
        "--genesis",
        s(&exported),
        "--release",
        "v1.0.0",
        "--address-prefix",
        "cosmos",
    ])
    .failed();
    assert!(
        out.error().contains("app_state.auth.accounts[0]")
            && out.error().contains("has prefix \"regen\""),
        "{}",
        out.error()
    );
    assert!(!wrong.exists(), "nothing is left of a refused init");
}
