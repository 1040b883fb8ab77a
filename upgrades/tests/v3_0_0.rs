//! Release v3.0.0 applied in place on a chain born at v1.0.0 and upgraded
//! to v2.0.0: the version map before and after and the ordered report of
//! what ran, as reviewed snapshots; then the lazy store-layout migration
//! the handler starts, run to completion by empty blocks, changing neither
//! the exported state nor the bank totals.

mod common;

use common::*;

use std::collections::BTreeMap;

use app_modules::bank::query::denom_owners;
use app_modules::{Address, genesis};
use app_upgrades::release;
use serde_json::{Map, Value};
use upgrade_runtime::VersionMap;
use upgrade_runtime::app::{App, AppError, DEFAULT_MIGRATION_BATCH};
use upgrade_runtime::genesis::AppGenesis;
use upgrade_runtime::store::{Layout, LayoutState, StateDelta, StateRead, Storage};
use upgrade_runtime::upgrade::AppliedUpgrade;

const V2_HEIGHT: u64 = 3;
const V3_HEIGHT: u64 = 6;
/// Generated accounts: enough keys (accounts, the account-number index,
/// balances and, after v3, their index) that the lazy migration needs more
/// than the one default batch the upgrade's own commit moves.
const ACCOUNTS: u64 = 4_000;

fn owners(app: &App, denom: &str) -> Vec<Address> {
    let mut scratch = StateDelta::new(app.snapshot().expect("snapshot"));
    let ctx = app
        .manager()
        .context("bank", &mut scratch, 0)
        .expect("bank");
    denom_owners(&ctx.own(), denom).expect("denom owners")
}

/// How many keys the module stores of `app`'s release hold.
fn module_keys(app: &App) -> u64 {
    let snapshot = app.snapshot().expect("snapshot");
    app.manager()
        .modules()
        .map(|m| {
            let keys = snapshot.prefix(m.store_name(), b"").expect("iterate");
            keys.count() as u64
        })
        .sum()
}

fn app_state(app: &App) -> Map<String, Value> {
    app.export_genesis().expect("export").app_state
}

/// Runs blocks until the node halts at `height` for the upgrade `name`.
fn run_into_halt(app: &mut App, name: &str, height: u64) {
    while app.last_commit().map_or(0, |c| c.height) + 1 < height {
        app.execute_block(&[]).expect("block");
    }
    match app.begin_block() {
        Err(AppError::UpgradeNeeded { plan }) => {
            assert_eq!((plan.name.as_str(), plan.height), (name, height));
        }
        other => panic!(
            "the node must halt for {name} at height {height}, got {:?}",
            other.map(|b| b.height())
        ),
    }
}

/// A chain generated at v1.0.0 (layout v1), upgraded in place to v2.0.0 at
/// height 3, that has halted at the v3.0.0 height.
fn halted_v2_chain() -> App {
    let r = release("v1.0.0").expect("v1");
    let manager = r.manager().expect("manager");
    let generated = genesis::generate(ACCOUNTS, 11);
    let mut app_state = Map::new();
    for m in manager.modules() {
        app_state.insert(
            m.name().into(),
            generated
                .get(m.name())
                .cloned()
                .unwrap_or_else(|| m.default_genesis()),
        );
    }
    let mut v1 = node(
        Storage::in_memory(Layout::V1).expect("storage"),
        "v1.0.0",
        config(),
    );
    v1.init_chain(&AppGenesis::new("snapshot-3", app_state))
        .expect("init");
    let (_, outcomes) = v1
        .execute_block(&[schedule("v2.0.0", V2_HEIGHT)])
        .expect("block 1");
    assert_eq!(outcomes[0].code, 0, "{}", outcomes[0].log);
    run_into_halt(&mut v1, "v2.0.0", V2_HEIGHT);

    let mut v2 = node(v1.into_storage(), "v2.0.0", config());
    v2.execute_block(&[]).expect("v2.0.0 applies its upgrade");
    let (_, outcomes) = v2
        .execute_block(&[schedule("v3.0.0", V3_HEIGHT)])
        .expect("block 4");
    assert_eq!(outcomes[0].code, 0, "{}", outcomes[0].log);
    run_into_halt(&mut v2, "v3.0.0", V3_HEIGHT);
    assert_eq!(v2.storage().layout_state(), &LayoutState::V1);
    v2
}

#[test]
fn v3_0_0_in_place_snapshots_and_lazy_store_migration() {
    let v2 = halted_v2_chain();
    let before_versions = VersionMap::load(&v2.snapshot().expect("snapshot")).expect("versions");
    let before_bank = bank_totals(&v2);
    let before_state = app_state(&v2);
    let before_hash = v2.last_commit().expect("committed").app_hash;
    assert!(
        before_bank.0 > ACCOUNTS,
        "the chain must hold balances: {before_bank:?}"
    );

    // Swap the binary: the same storage, opened as v3.0.0.
    let mut v3 = node(v2.into_storage(), "v3.0.0", config());
    let mut block = v3.begin_block().expect("v3.0.0 applies the upgrade");
    let applied: AppliedUpgrade = block.applied_upgrade().cloned().expect("applied");
    v3.end_block(&mut block).expect("end block");
    let upgraded = v3.commit(block).expect("commit");
    assert_ne!(upgraded.app_hash, before_hash, "the index is new state");
    assert_eq!(upgraded.height, V3_HEIGHT);
    // The upgrade streamed its writes (bank's new index included) into the
    // block's transaction under layout v1; the lazy migration starts at its
    // commit, so every module key, old or new, is in v1 at that point.
    let v1_keys = module_keys(&v3);

    settings("v3_0_0").bind(|| {
        insta::assert_json_snapshot!("version_map_before", before_versions);
        insta::assert_json_snapshot!("version_map_after", applied.to_versions);
        insta::assert_json_snapshot!("migration_report", applied.migrations);
    });
    assert_eq!(applied.from_versions, before_versions);
    assert_eq!(applied.app_version, 2);
    assert_eq!(
        (
            applied.store_upgrades.keys_renamed,
            applied.store_upgrades.keys_deleted
        ),
        (0, 0)
    );
    assert!(applied.store_migration_started);

    // The lazy migration started in the upgrade's commit, which moved one
    // default batch; the rest is still in layout v1.
    assert!(
        matches!(v3.storage().layout_state(), LayoutState::Migrating(_)),
        "{:?}",
        v3.storage().layout_state()
    );
    let counters = v3.storage().migration_counters();
    assert_eq!(counters.started_height, V3_HEIGHT);
    assert_eq!(counters.moved, DEFAULT_MIGRATION_BATCH);
    assert!(counters.left > 0, "{counters:?}");
    assert!(v1_keys > DEFAULT_MIGRATION_BATCH, "{v1_keys} keys");

    // Mid-migration, reads merge both layouts: the logical state is the
    // v2.0.0 state with bank at v3, whose export is the same.
    let mid_state = app_state(&v3);
    for module in ["auth", "bank", "feegrant"] {
        assert_eq!(mid_state[module], before_state[module], "{module}");
    }
    assert_eq!(bank_totals(&v3), before_bank);
    // The index the upgrade built answers "who holds X" as a scan of the
    // exported balances would.
    let mut holders: BTreeMap<String, Vec<Address>> = BTreeMap::new();
    for balance in mid_state["bank"]["balances"].as_array().expect("balances") {
        let address = Address::parse(balance["address"].as_str().expect("address")).expect("valid");
        for coin in balance["coins"].as_array().expect("coins") {
            let denom = coin["denom"].as_str().expect("denom").to_owned();
            holders.entry(denom).or_default().push(address.clone());
        }
    }
    assert_eq!(holders.len(), 4, "{:?}", holders.keys());
    for (denom, list) in &mut holders {
        list.sort();
        assert_eq!(&owners(&v3, denom), list, "owners of {denom}");
    }

    // Empty blocks finish it, a default batch each: every module key in
    // layout v1 when it started (the upgrade's own writes included) moves
    // exactly once. Moving bytes between
    // layouts is not a state change, so the app hash stays put.
    let needed = (v1_keys - DEFAULT_MIGRATION_BATCH).div_ceil(DEFAULT_MIGRATION_BATCH);
    let mut blocks = 0;
    while v3.storage().layout_state() != &LayoutState::V2 {
        assert!(blocks < needed, "not complete after {blocks} blocks");
        let (info, _) = v3.execute_block(&[]).expect("block");
        assert_eq!(info.app_hash, upgraded.app_hash, "height {}", info.height);
        blocks += 1;
    }
    assert_eq!(blocks, needed);
    let done = v3.storage().migration_counters();
    assert_eq!((done.moved, done.left), (v1_keys, 0));
    assert_eq!(done.completed_height, V3_HEIGHT + blocks);

    assert_eq!(
        serde_json::to_string(&app_state(&v3)).expect("serialise"),
        serde_json::to_string(&mid_state).expect("serialise"),
        "the lazy migration changed the exported state"
    );
    assert_eq!(bank_totals(&v3), before_bank);
    for (denom, list) in &holders {
        assert_eq!(&owners(&v3, denom), list, "owners of {denom}");
    }
}
