//! Transactions signed by cosmjs (`@cosmjs/proto-signing` and
//! `@cosmjs/stargate` from the npm registry, offline: no network), a client
//! this project did not write, are accepted by `appd start --abci`: a bank
//! send from a funded key, and the authority's MsgSoftwareUpgrade. CI
//! installs the packages (`npm ci` in app/tests/cosmjs, from `.ci/run`);
//! without Node.js the test says so and checks nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abci_node;

use std::path::Path;
use std::process::Command;

use abci_node::{
    AUTHORITY_HEX, Node, Signer, app_state, authority_key, height, init_chain, sender_key,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tendermint_proto::v0_38::abci::{RequestCheckTx, RequestQuery};

fn cosmjs_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cosmjs"))
}

/// `node sign.mjs ARGS`: the base64 TxRaw cosmjs signed.
fn cosmjs(args: &[&str]) -> Vec<u8> {
    let out = Command::new("node")
        .current_dir(cosmjs_dir())
        .arg("sign.mjs")
        .args(args)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text.trim()).unwrap()
}

fn query(c: &mut tendermint_abci::Client, path: &str, data: Value) -> Value {
    let r = c
        .query(RequestQuery {
            path: path.into(),
            data: serde_json::to_vec(&data).unwrap().into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.code, 0, "{}", r.log);
    serde_json::from_slice(&r.value).unwrap()
}

#[test]
fn transactions_signed_by_cosmjs_are_accepted() {
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node_ok || !cosmjs_dir().join("node_modules").is_dir() {
        eprintln!(
            "SKIPPED: the cosmjs test needs Node.js and `npm ci` in {} (.ci/run does both when Node.js is installed)",
            cosmjs_dir().display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let genesis = app_state(&dir.path().join("scratch"), 10, "v1.0.0");
    let parsed: Value = serde_json::from_slice(&genesis).unwrap();
    let node = Node::start(&dir.path().join("node"), "v1.0.0", &[]);
    let mut c = node.client();
    init_chain(&mut c, "cosmjs-1", &genesis);

    // A send from the generator's sender 0, signed by cosmjs.
    let sender = Signer::new(&mut c, sender_key(0), "cosmjs-1");
    let sender_hex: String = Sha256::digest("appd-sender/0/0")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let to = parsed["bank"]["balances"][0]["address"].as_str().unwrap();
    let before = query(
        &mut c,
        "/cosmos.bank.v1beta1.Query/Balance",
        json!({"address": to, "denom": "stake"}),
    );
    let send = cosmjs(&[
        "send",
        &sender_hex,
        "cosmjs-1",
        &sender.account_number.to_string(),
        &sender.sequence.to_string(),
        to,
        "stake",
        "5",
    ]);
    let checked = c
        .check_tx(RequestCheckTx {
            tx: send.clone().into(),
            r#type: 0,
        })
        .unwrap();
    assert_eq!(checked.code, 0, "{}", checked.log);
    // The authority's upgrade plan, signed by cosmjs.
    let authority = Signer::new(&mut c, authority_key(), "cosmjs-1");
    let plan = cosmjs(&[
        "upgrade",
        AUTHORITY_HEX,
        "cosmjs-1",
        &authority.account_number.to_string(),
        &authority.sequence.to_string(),
        "v2.0.0",
        "50",
    ]);
    let block = height(&mut c, 1, &[send, plan]);
    let codes: Vec<(u32, &str)> = block
        .tx_results
        .iter()
        .map(|r| (r.code, r.log.as_str()))
        .collect();
    assert_eq!(codes, [(0, ""), (0, "")]);

    let after = query(
        &mut c,
        "/cosmos.bank.v1beta1.Query/Balance",
        json!({"address": to, "denom": "stake"}),
    );
    let amount = |v: &Value| {
        v["balance"]["amount"]
            .as_str()
            .unwrap()
            .parse::<u128>()
            .unwrap()
    };
    assert_eq!(amount(&after), amount(&before) + 5);
    let plan = query(
        &mut c,
        "/cosmos.upgrade.v1beta1.Query/CurrentPlan",
        json!({}),
    );
    assert_eq!(plan["plan"]["name"], "v2.0.0");
    assert_eq!(plan["plan"]["height"], 50);
}
