//! Signed Cosmos transactions built by cosmrs (a client this project did
//! not write): accepted when the authority's or an account's key signs them
//! for this chain with the right account number and sequence; refused with
//! the SDK's code and log otherwise, without the refused transaction taking
//! effect, never with a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use app_modules::address::Address;
use app_modules::auth::Auth;
use app_modules::auth::signature::pubkey_json;
use app_modules::bank::Bank;
use cosmrs::bank::MsgSend;
use cosmrs::crypto::secp256k1::SigningKey;
use cosmrs::tx::{Body, Fee, Msg as _, SignDoc, SignerInfo};
use cosmrs::{AccountId, Any, Coin};
use serde_json::{Value, json};
use upgrade_runtime::app::{App, AppConfig};
use upgrade_runtime::genesis::AppGenesis;
use upgrade_runtime::store::{Layout, Storage};
use upgrade_runtime::upgrade::{Plan, encode_upgrade_msg, pending_plan, software_upgrade_msg};
use upgrade_runtime::{ModuleManager, TxOutcome};

const CHAIN: &str = "signed-1";

fn key(seed: u8) -> SigningKey {
    SigningKey::from_slice(&[seed; 32]).unwrap()
}

fn account(k: &SigningKey) -> AccountId {
    k.public_key().account_id("cosmos").unwrap()
}

/// A chain where keys 1 (the authority), 2 and 3 hold 1000stake each, at
/// account numbers 0, 1, 2.
fn chain() -> App {
    let manager = ModuleManager::new(vec![Box::new(Auth::new(2)), Box::new(Bank::new(2))]).unwrap();
    let accounts: Vec<Value> = (1..=3u8)
        .map(|i| {
            json!({"@type": "/cosmos.auth.v1beta1.BaseAccount", "address": account(&key(i)).to_string(),
                   "pub_key": null, "account_number": (i - 1).to_string(), "sequence": "0"})
        })
        .collect();
    let mut balances: Vec<Value> = (1..=3u8)
        .map(|i| json!({"address": account(&key(i)).to_string(), "coins": [{"denom": "stake", "amount": "1000"}]}))
        .collect();
    balances.sort_by_key(|b| Address::parse(b["address"].as_str().unwrap()).unwrap());
    let mut app_state = manager.app_state_from(&serde_json::Map::new());
    app_state["auth"]["accounts"] = Value::Array(accounts);
    app_state["bank"]["balances"] = Value::Array(balances);
    app_state["bank"]["supply"] = json!([{"denom": "stake", "amount": "3000"}]);
    app_state.insert(
        "upgrade".into(),
        json!({"authority": account(&key(1)).to_string()}),
    );
    let config = AppConfig {
        authority: "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn".into(),
        ..AppConfig::default()
    };
    let mut app = App::new(
        Storage::in_memory(Layout::V2).unwrap(),
        manager,
        Default::default(),
        config,
    )
    .unwrap();
    app.init_chain(&AppGenesis::new(CHAIN, app_state)).unwrap();
    app
}

fn send_any(from: &SigningKey, to: &SigningKey, amount: u128) -> Any {
    MsgSend {
        from_address: account(from),
        to_address: account(to),
        amount: vec![Coin {
            denom: "stake".parse().unwrap(),
            amount,
        }],
    }
    .to_any()
    .unwrap()
}

fn schedule_any(authority: &str, height: u64) -> Any {
    let plan = Plan {
        name: "v2.0.0".into(),
        height,
        info: String::new(),
    };
    let any = encode_upgrade_msg(&software_upgrade_msg(authority, &plan)).unwrap();
    Any {
        type_url: any.type_url,
        value: any.value,
    }
}

/// The signed TxRaw bytes of `msgs` by `signer`.
fn signed(
    signer: &SigningKey,
    msgs: Vec<Any>,
    sequence: u64,
    account_number: u64,
    chain_id: &str,
) -> Vec<u8> {
    let body = Body::new(msgs, "", 0u32);
    let fee = Fee {
        amount: vec![],
        gas_limit: 200_000,
        payer: None,
        granter: None,
    };
    let auth_info = SignerInfo::single_direct(Some(signer.public_key()), sequence).auth_info(fee);
    let doc = SignDoc::new(
        &body,
        &auth_info,
        &chain_id.parse().unwrap(),
        account_number,
    )
    .unwrap();
    doc.sign(signer).unwrap().to_bytes().unwrap()
}

fn deliver(app: &mut App, bytes: &[u8]) -> TxOutcome {
    let mut block = app.begin_block().unwrap();
    let outcome = app.deliver_tx_bytes(&mut block, bytes);
    app.end_block(&mut block).unwrap();
    app.commit(block).unwrap();
    outcome
}

/// Delivers a transaction that must be refused: code and log, and the
/// state exported before and after is the same.
fn refused(app: &mut App, bytes: &[u8]) -> (u32, String) {
    let before = app.export_genesis().unwrap().app_state;
    let outcome = deliver(app, bytes);
    assert_ne!(outcome.code, 0, "accepted");
    assert_eq!(
        app.export_genesis().unwrap().app_state,
        before,
        "a refused tx changed state"
    );
    (outcome.code, outcome.log)
}

fn balance_of(app: &App, k: &SigningKey) -> Value {
    let state = app.export_genesis().unwrap().app_state;
    let who = account(k).to_string();
    state["bank"]["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["address"] == who)
        .cloned()
        .unwrap()
}

#[test]
fn a_cosmrs_send_is_accepted_once_and_sets_the_public_key() {
    let mut app = chain();
    let (alice, bob) = (key(2), key(3));
    let tx = signed(&alice, vec![send_any(&alice, &bob, 7)], 0, 1, CHAIN);
    let outcome = deliver(&mut app, &tx);
    assert_eq!(outcome.code, 0, "{}", outcome.log);
    assert_eq!(balance_of(&app, &bob)["coins"][0]["amount"], "1007");
    let state = app.export_genesis().unwrap().app_state;
    let acc = state["auth"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["address"] == account(&alice).to_string())
        .unwrap()
        .clone();
    assert_eq!(acc["sequence"], "1");
    assert_eq!(acc["pub_key"], pubkey_json(&alice.public_key().to_bytes()));
    // The same bytes again: the sequence is spent.
    assert_eq!(
        refused(&mut app, &tx),
        (
            32,
            "account sequence mismatch, expected 1, got 0: incorrect account sequence".into()
        )
    );
    // CheckTx agrees and writes nothing.
    let next = signed(&alice, vec![send_any(&alice, &bob, 1)], 1, 1, CHAIN);
    assert_eq!(app.check_tx_bytes(&next).unwrap().code, 0);
    assert_eq!(
        app.check_tx_bytes(&next).unwrap().code,
        0,
        "CheckTx must not bump the sequence"
    );
}

#[test]
fn only_the_authoritys_signature_schedules_an_upgrade() {
    let mut app = chain();
    let (authority, mallory) = (key(1), key(2));
    let authority_addr = account(&authority).to_string();
    let mallory_addr = account(&mallory).to_string();

    // Mallory signs an upgrade naming herself: authenticated, refused by the keeper.
    let tx = signed(
        &mallory,
        vec![schedule_any(&mallory_addr, 100)],
        0,
        1,
        CHAIN,
    );
    let outcome = deliver(&mut app, &tx);
    assert_eq!(
        (outcome.code, outcome.log),
        (
            1,
            format!(
                "signer {mallory_addr} is not the upgrade authority (expected {authority_addr}); only the authority can schedule or cancel upgrades"
            )
        )
    );
    assert_eq!(pending_plan(&app.snapshot().unwrap()).unwrap(), None);

    // Mallory claims the authority's address but signs with her key.
    let forged = signed(
        &mallory,
        vec![schedule_any(&authority_addr, 100)],
        1,
        1,
        CHAIN,
    );
    assert_eq!(
        refused(&mut app, &forged),
        (
            8,
            format!(
                "pubKey does not match signer address {authority_addr} with signer index: 0: invalid pubkey"
            )
        )
    );

    // The authority's own signature.
    let tx = signed(
        &authority,
        vec![schedule_any(&authority_addr, 100)],
        0,
        0,
        CHAIN,
    );
    let outcome = deliver(&mut app, &tx);
    assert_eq!(outcome.code, 0, "{}", outcome.log);
    assert_eq!(
        pending_plan(&app.snapshot().unwrap())
            .unwrap()
            .map(|p| p.height),
        Some(100)
    );
}

#[test]
fn forged_replayed_and_malformed_transactions_are_refused() {
    let mut app = chain();
    let (alice, bob) = (key(2), key(3));
    let send = || vec![send_any(&alice, &bob, 5)];

    let other_chain = signed(&alice, send(), 0, 1, "other-1");
    let verify = "signature verification failed; please verify account number (1), sequence (0) and chain-id (signed-1): unauthorized";
    assert_eq!(refused(&mut app, &other_chain), (4, verify.into()));
    let wrong_number = signed(&alice, send(), 0, 2, CHAIN);
    assert_eq!(refused(&mut app, &wrong_number), (4, verify.into()));

    // Unsigned: the signature list is empty.
    let mut raw = cosmos_sdk_proto::cosmos::tx::v1beta1::TxRaw::decode_from(&signed(
        &alice,
        send(),
        0,
        1,
        CHAIN,
    ));
    raw.signatures.clear();
    assert_eq!(
        refused(&mut app, &encode(&raw)),
        (15, "no signatures supplied".into())
    );

    // High-S: the same signature with s replaced by n - s.
    let mut raw = cosmos_sdk_proto::cosmos::tx::v1beta1::TxRaw::decode_from(&signed(
        &alice,
        send(),
        0,
        1,
        CHAIN,
    ));
    raw.signatures[0] = high_s(&raw.signatures[0]);
    assert_eq!(refused(&mut app, &encode(&raw)), (4, verify.into()));

    // Garbage and truncated bytes.
    assert_eq!(refused(&mut app, b"\xff\xff\xff").0, 2);
    let good = signed(&alice, send(), 0, 1, CHAIN);
    assert_eq!(refused(&mut app, &good[..good.len() / 2]).0, 2);

    // 10,000 messages, and 10 MB: bounded and refused.
    let many = signed(
        &alice,
        (0..10_000).map(|_| send_any(&alice, &bob, 1)).collect(),
        0,
        1,
        CHAIN,
    );
    assert_eq!(refused(&mut app, &many).0, 21, "over 1 MiB");
    let many_small = signed(
        &alice,
        (0..300).map(|_| send_any(&alice, &bob, 1)).collect(),
        0,
        1,
        CHAIN,
    );
    assert_eq!(
        refused(&mut app, &many_small),
        (
            18,
            "300 messages, at most 256 per transaction: invalid request".into()
        )
    );
    let huge = vec![0u8; 10 << 20];
    assert_eq!(
        refused(&mut app, &huge),
        (
            21,
            "tx too large: 10485760 bytes, the limit is 1048576".into()
        )
    );

    // Unsigned extra bytes: an unknown field appended to a valid TxRaw.
    let mut padded = good.clone();
    padded.extend([0x50, 0x01]);
    assert_eq!(
        refused(&mut app, &padded),
        (
            2,
            "the transaction bytes are not a canonical TxRaw encoding: tx parse error".into()
        )
    );
    // A timeout height already passed.
    let body = Body::new(send(), "", 1u32);
    let fee = Fee {
        amount: vec![],
        gas_limit: 200_000,
        payer: None,
        granter: None,
    };
    let auth_info = SignerInfo::single_direct(Some(alice.public_key()), 0).auth_info(fee);
    let doc = SignDoc::new(&body, &auth_info, &CHAIN.parse().unwrap(), 1).unwrap();
    let expired = doc.sign(&alice).unwrap().to_bytes().unwrap();
    let (code, log) = refused(&mut app, &expired);
    assert_eq!(code, 30, "{log}");
    assert!(
        log.ends_with("is past the transaction's timeout height 1: tx timeout height"),
        "{log}"
    );

    // Still fine afterwards.
    assert_eq!(deliver(&mut app, &good).code, 0);
}

trait DecodeFrom {
    fn decode_from(bytes: &[u8]) -> Self;
}

impl DecodeFrom for cosmos_sdk_proto::cosmos::tx::v1beta1::TxRaw {
    fn decode_from(bytes: &[u8]) -> Self {
        use cosmos_sdk_proto::prost::Message;
        Self::decode(bytes).unwrap()
    }
}

fn encode(raw: &cosmos_sdk_proto::cosmos::tx::v1beta1::TxRaw) -> Vec<u8> {
    use cosmos_sdk_proto::prost::Message;
    raw.encode_to_vec()
}

/// `(r, n - s)`: valid for the same message and key, but high-S.
fn high_s(signature: &[u8]) -> Vec<u8> {
    use k256::elliptic_curve::ops::Neg;
    let sig = k256::ecdsa::Signature::from_slice(signature).unwrap();
    let (r, s) = sig.split_scalars();
    let flipped = k256::ecdsa::Signature::from_scalars(r, s.neg()).unwrap();
    flipped.to_bytes().to_vec()
}
