//! The upgrade authority is a chain parameter: set by the genesis'
//! `upgrade` section, in the app hash, exported and imported, and handed
//! on only by a message the current authority signs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{AUTHORITY, genesis, kv, manager, registry, tx};
use serde_json::json;
use upgrade_runtime::app::{App, AppConfig};
use upgrade_runtime::store::{Layout, Storage};
use upgrade_runtime::upgrade::{
    MSG_SOFTWARE_UPGRADE, MSG_UPDATE_AUTHORITY, authority, pending_plan,
};

/// A chain of one module whose node's default authority is `AUTHORITY`.
fn chain() -> App {
    let config = AppConfig {
        authority: AUTHORITY.into(),
        ..AppConfig::default()
    };
    let storage = Storage::in_memory(Layout::V2).unwrap();
    App::new(
        storage,
        manager(vec![kv("alpha")]),
        registry(vec![]),
        config,
    )
    .unwrap()
}

fn plan_tx(signer: &str, claimed: &str, height: u64) -> upgrade_runtime::Tx {
    tx(
        signer,
        MSG_SOFTWARE_UPGRADE,
        json!({"authority": claimed, "plan": {"name": "v2.0.0", "height": height, "info": ""}}),
    )
}

#[test]
fn the_genesis_authority_replaces_the_nodes_default_and_is_handed_on_by_itself() {
    let mut app = chain();
    let mut doc = genesis(app.manager());
    doc.app_state
        .insert("upgrade".into(), json!({"authority": "alice"}));
    app.init_chain(&doc).unwrap();

    // The node's configured default is not the chain's authority any more.
    let (_, out) = app
        .execute_block(&[plan_tx(AUTHORITY, AUTHORITY, 10)])
        .unwrap();
    assert_eq!(
        out[0].log,
        "signer authority is not the upgrade authority (expected alice); only the authority can schedule or cancel upgrades"
    );
    // The message must claim the authority and be signed by it.
    let (_, out) = app
        .execute_block(&[plan_tx("mallory", "alice", 10)])
        .unwrap();
    assert_eq!(out[0].code, 1);
    let (_, out) = app.execute_block(&[plan_tx("alice", "alice", 10)]).unwrap();
    assert_eq!(out[0].code, 0, "{}", out[0].log);
    assert!(pending_plan(&app.snapshot().unwrap()).unwrap().is_some());

    // Handing it on: only alice can, and then only bob can schedule.
    let hand = |signer: &str| {
        tx(
            signer,
            MSG_UPDATE_AUTHORITY,
            json!({"authority": signer, "new_authority": "bob"}),
        )
    };
    let (_, out) = app.execute_block(&[hand("bob")]).unwrap();
    assert_eq!(out[0].code, 1);
    let (info, out) = app.execute_block(&[hand("alice")]).unwrap();
    assert_eq!(out[0].code, 0, "{}", out[0].log);
    assert_eq!(
        authority(&app.snapshot().unwrap()).unwrap().as_deref(),
        Some("bob")
    );
    let (_, out) = app.execute_block(&[plan_tx("alice", "alice", 20)]).unwrap();
    assert_eq!(out[0].code, 1);

    // Exported with the state, and a fresh chain from the export has it too.
    let exported = app.export_genesis().unwrap();
    assert_eq!(exported.app_state["upgrade"]["authority"], "bob");
    let mut fresh = chain();
    let mut imported = exported.clone();
    imported.initial_height = info.height + 1;
    fresh.init_chain(&imported).unwrap();
    assert_eq!(
        authority(&fresh.snapshot().unwrap()).unwrap().as_deref(),
        Some("bob")
    );
}
