//! Release v2.0.0 applied in place on a fixed small genesis: the version map
//! before and after, the ordered report of what ran, and each module's
//! exported state afterwards, as reviewed snapshots.

mod common;

use common::*;

use app_upgrades::release;
use upgrade_runtime::VersionMap;
use upgrade_runtime::app::{App, AppError};
use upgrade_runtime::genesis::AppGenesis;
use upgrade_runtime::store::{Layout, Storage};
use upgrade_runtime::upgrade::AppliedUpgrade;

const UPGRADE_HEIGHT: u64 = 3;

/// A v1.0.0 chain of 6 generated accounts that has halted at the v2.0.0 height.
fn halted_v1_chain() -> App {
    let r = release("v1.0.0").expect("v1");
    let manager = r.manager().expect("manager");
    let generated = app_modules::genesis::generate(6, 11);
    let mut app_state = serde_json::Map::new();
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
    v1.init_chain(&AppGenesis::new("snapshot-1", app_state))
        .expect("init");
    let (_, outcomes) = v1
        .execute_block(&[schedule("v2.0.0", UPGRADE_HEIGHT)])
        .expect("block 1");
    assert_eq!(outcomes[0].code, 0, "{}", outcomes[0].log);
    v1.execute_block(&[]).expect("block 2");
    match v1.begin_block() {
        Err(AppError::UpgradeNeeded { plan }) => assert_eq!(plan.height, UPGRADE_HEIGHT),
        other => panic!(
            "v1.0.0 must halt at the upgrade height, got {:?}",
            other.map(|b| b.height())
        ),
    }
    v1
}

#[test]
fn v2_0_0_in_place_snapshots() {
    let v1 = halted_v1_chain();
    let before_versions = VersionMap::load(&v1.snapshot().expect("snapshot")).expect("versions");
    let before_bank = bank_totals(&v1);
    let before_hash = v1.last_commit().expect("committed").app_hash;

    let mut v2 = node(v1.into_storage(), "v2.0.0", config());
    let block = v2.begin_block().expect("v2.0.0 applies the upgrade");
    let applied: AppliedUpgrade = block.applied_upgrade().cloned().expect("applied");
    let mut block = block;
    v2.end_block(&mut block).expect("end block");
    let info = v2.commit(block).expect("commit");
    assert_ne!(info.app_hash, before_hash);

    // Every balance is still there under the new key format.
    assert_eq!(bank_totals(&v2), before_bank);
    assert!(
        before_bank.0 > 6,
        "the fixture must hold balances: {before_bank:?}"
    );

    let after = v2.export_genesis().expect("export");
    assert!(!after.app_state.contains_key("crisis"));
    settings("v2_0_0").bind(|| {
        insta::assert_json_snapshot!("version_map_before", before_versions);
        insta::assert_json_snapshot!("version_map_after", applied.to_versions);
        insta::assert_json_snapshot!("migration_report", applied.migrations);
        for (module, section) in &after.app_state {
            // feegrant is new: its state is its default genesis, no snapshot needed.
            if module != "feegrant" {
                insta::assert_json_snapshot!(format!("export_after_{module}"), section);
            }
        }
    });
    // crisis's one key (its constant fee) is deleted; nothing is renamed.
    assert_eq!(
        (
            applied.store_upgrades.keys_renamed,
            applied.store_upgrades.keys_deleted
        ),
        (0, 1)
    );
    let feegrant = release("v2.0.0")
        .expect("v2")
        .manager()
        .expect("manager")
        .module("feegrant")
        .expect("feegrant")
        .default_genesis();
    assert_eq!(after.app_state["feegrant"], feegrant);
    assert_eq!(applied.app_version, 1);
    assert_eq!(applied.from_versions, before_versions);
}
