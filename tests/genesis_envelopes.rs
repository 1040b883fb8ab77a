//! Both genesis envelopes real chains publish: the SDK v0.50 `AppGenesis`
//! and the CometBFT `GenesisDoc` of every earlier file (`initial_height` as
//! a string, `consensus_params` and `validators` at the top level). The
//! genesis time and the consensus part are kept by InitChain and written
//! back by export, in the `AppGenesis` shape.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{AUTHORITY, kv, manager, registry};
use serde_json::json;
use upgrade_runtime::app::{App, AppConfig};
use upgrade_runtime::genesis::AppGenesis;
use upgrade_runtime::store::{Layout, Storage};

fn cometbft_doc() -> serde_json::Value {
    json!({
        "genesis_time": "2019-12-11T16:11:34Z",
        "chain_id": "cosmoshub-4",
        "initial_height": "5",
        "consensus_params": {
            "block": {"max_bytes": "200000", "max_gas": "2000000", "time_iota_ms": "1000"},
            "evidence": {"max_age_num_blocks": "1000000"},
            "validator": {"pub_key_types": ["ed25519"]}
        },
        "validators": [{"address": "B00A6323737F321EB0B8D59C6FD497A14B60938A", "power": "100"}],
        "app_hash": "",
        "app_state": {"alpha": {"entries": {"k": "v"}}}
    })
}

#[test]
fn a_cometbft_genesis_doc_loads_and_its_consensus_part_round_trips() {
    let doc = AppGenesis::from_slice(cometbft_doc().to_string().as_bytes(), "hub.json").unwrap();
    assert_eq!(doc.initial_height, 5);
    assert_eq!(
        doc.consensus,
        json!({"params": cometbft_doc()["consensus_params"], "validators": cometbft_doc()["validators"]})
    );

    let config = AppConfig {
        authority: AUTHORITY.into(),
        ..AppConfig::default()
    };
    let storage = Storage::in_memory(Layout::V2).unwrap();
    let mut app = App::new(
        storage,
        manager(vec![kv("alpha")]),
        registry(vec![]),
        config,
    )
    .unwrap();
    app.init_chain(&doc).unwrap();
    let exported = app.export_genesis().unwrap();
    assert_eq!(exported.genesis_time, "2019-12-11T16:11:34Z");
    assert_eq!(exported.chain_id, "cosmoshub-4");
    assert_eq!(exported.consensus, doc.consensus);
    // Written as AppGenesis: a number height and one `consensus` object.
    let written = serde_json::to_value(&exported).unwrap();
    assert_eq!(written["initial_height"], 5);
    assert!(written.get("consensus_params").is_none());
}

#[test]
fn an_app_genesis_keeps_its_own_consensus_and_a_bad_height_is_named() {
    let mut app_genesis = cometbft_doc();
    let object = app_genesis.as_object_mut().unwrap();
    object.remove("consensus_params");
    object.remove("validators");
    object.insert("initial_height".into(), json!(7));
    object.insert(
        "consensus".into(),
        json!({"params": null, "validators": []}),
    );
    let doc = AppGenesis::from_slice(app_genesis.to_string().as_bytes(), "g.json").unwrap();
    assert_eq!(
        (doc.initial_height, doc.consensus),
        (7, json!({"params": null, "validators": []}))
    );

    let mut bad = cometbft_doc();
    bad["initial_height"] = json!("-1");
    let err = AppGenesis::from_slice(bad.to_string().as_bytes(), "g.json").unwrap_err();
    assert!(
        err.to_string()
            .contains("malformed at initial_height (line 1, column"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("expected a height (a non-negative integer, as a number or a decimal string), found \"-1\""),
        "{err}"
    );
}
