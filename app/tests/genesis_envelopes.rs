//! A pre-launch file in CometBFT's `GenesisDoc` envelope, as every file
//! before SDK v0.50 is: `initial_height` as a string, `consensus_params` and
//! `validators` at the top level, every account number `"0"` (what
//! `add-genesis-account` writes), bank params without `send_enabled`, and a
//! dozen sections of modules this binary does not have. Refused once,
//! naming every unknown section; imported with `--drop-unknown-sections`;
//! exported as `AppGenesis` with nothing lost; export -> init -> export is
//! byte for byte the same.

#![allow(clippy::unwrap_used)]

mod common;

use app_modules::Address;
use common::{appd, s};
use serde_json::{Value, json};

const UNKNOWN: [&str; 12] = [
    "authz",
    "capability",
    "distribution",
    "evidence",
    "genutil",
    "gov",
    "ibc",
    "mint",
    "params",
    "slashing",
    "staking",
    "transfer",
];

fn user(n: u8) -> String {
    Address::from_bytes(&[n; 20]).unwrap().to_bech32()
}

fn genesis_doc() -> Value {
    let accounts: Vec<Value> = (1..=5)
        .map(|n| {
            json!({
                "@type": "/cosmos.auth.v1beta1.BaseAccount",
                "address": user(n), "pub_key": null, "account_number": "0", "sequence": "0",
            })
        })
        .collect();
    let balances: Vec<Value> = (1..=5)
        .map(|n| json!({"address": user(n), "coins": [{"denom": "uregen", "amount": format!("{n}000")}]}))
        .collect();
    let mut app_state = serde_json::Map::new();
    app_state.insert(
        "auth".into(),
        json!({"params": {"max_memo_characters": "256", "tx_sig_limit": "7", "tx_size_cost_per_byte": "10", "sig_verify_cost_ed25519": "590", "sig_verify_cost_secp256k1": "1000"}, "accounts": accounts}),
    );
    app_state.insert(
        "bank".into(),
        json!({"params": {"default_send_enabled": true}, "balances": balances, "supply": [], "denom_metadata": []}),
    );
    for name in UNKNOWN {
        app_state.insert(name.into(), json!({"params": {}}));
    }
    json!({
        "genesis_time": "2021-04-15T15:00:00Z",
        "chain_id": "regen-prelaunch-1",
        "initial_height": "7",
        "consensus_params": {
            "block": {"max_bytes": "22020096", "max_gas": "-1", "time_iota_ms": "1000"},
            "evidence": {"max_age_num_blocks": "100000", "max_age_duration": "172800000000000", "max_bytes": "1048576"},
            "validator": {"pub_key_types": ["ed25519"]},
            "version": {}
        },
        "validators": [{
            "address": "B00A6323737F321EB0B8D59C6FD497A14B60938A",
            "pub_key": {"type": "tendermint/PubKeyEd25519", "value": "cOQZvh/h9ZioSeUMZB/1Vy1Xo5x2sjrVjlE/qHnYifM="},
            "power": "100", "name": "val-0"
        }],
        "app_hash": "",
        "app_state": app_state,
    })
}

#[test]
fn a_cometbft_envelope_prelaunch_file_imports_and_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("genesis.json");
    std::fs::write(&file, serde_json::to_string_pretty(&genesis_doc()).unwrap()).unwrap();
    let home = tmp.path().join("node");
    let args = common::init_genesis_args(&home, &file);

    // One refusal names all twelve unknown sections and the flag.
    let refused = appd(&args).failed();
    let msg = refused.error();
    assert!(
        msg.contains("has 12 section(s) of modules this binary does not have"),
        "{msg}"
    );
    for name in UNKNOWN {
        assert!(msg.contains(name), "{name}: {msg}");
    }
    assert!(msg.contains("--drop-unknown-sections"), "{msg}");
    assert!(!home.exists(), "a refused init leaves nothing");

    let mut with_drop = args.to_vec();
    with_drop.push("--drop-unknown-sections");
    let out = appd(&with_drop).ok();
    assert!(
        out.stderr.contains("dropped 12 unknown section(s)"),
        "{}",
        out.stderr
    );

    let first = tmp.path().join("first.json");
    appd(&["export", "--home", s(&home), "--output-document", s(&first)]).ok();
    let exported: Value = serde_json::from_slice(&std::fs::read(&first).unwrap()).unwrap();
    let original = genesis_doc();
    // The envelope is kept: time, chain id, the next height, and CometBFT's
    // params and validators under `consensus`.
    assert_eq!(exported["genesis_time"], original["genesis_time"]);
    assert_eq!(exported["chain_id"], original["chain_id"]);
    assert_eq!(exported["initial_height"], json!(7));
    assert_eq!(
        exported["consensus"]["params"],
        original["consensus_params"]
    );
    assert_eq!(exported["consensus"]["validators"], original["validators"]);
    // Numbers renumbered as SanitizeGenesisAccounts does: the first holder
    // of "0" keeps it, the others take the lowest unused ones in file order.
    let numbers: Vec<&str> = exported["app_state"]["auth"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["0", "1", "2", "3", "4"]);
    // Missing proto3 fields took their defaults; the supply was computed.
    assert_eq!(
        exported["app_state"]["bank"]["params"]["send_enabled"],
        json!([])
    );
    assert_eq!(
        exported["app_state"]["bank"]["supply"],
        json!([{"denom": "uregen", "amount": "15000"}])
    );

    // export -> init -> export: byte for byte.
    common::assert_reimport_exports_the_same(&first, "v1.0.0");
}
