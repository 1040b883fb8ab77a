//! The two paths from release N to N+1 arrive at the same state, for
//! v1.0.0 -> v2.0.0 and v2.0.0 -> v3.0.0:
//!
//! - `export(upgrade in place(S))` and `genesis migrate(export(S))` have
//!   equal `app_state` (the one difference, asserted exactly, is the
//!   ledger entry only an in-place upgrade writes: keys touched and the app
//!   hash before, which a JSON migration cannot know);
//! - importing either on a fresh home (a new redb file) gives the app hash
//!   of the node that upgraded in place.
//!
//! S is a generated chain of 1,200 accounts (base accounts with and without
//! keys, module accounts, vesting accounts kept verbatim, four denoms)
//! halted at the upgrade height; for v2.0.0 -> v3.0.0 it is the chain the
//! first step produced, so its history (done record, ledger) is carried.

mod common;

use common::{build, settings};

use app_upgrades::{release, releases};
use serde_json::{Map, Value};
use upgrade_runtime::app::{App, AppConfig};
use upgrade_runtime::genesis::{
    AppGenesis, GenesisMigrateReport, ReleaseStep, UPGRADE_SECTION, UpgradeSection, migrate,
};
use upgrade_runtime::store::{Layout, Storage};
use upgrade_runtime::testing::{UpgradeOutcome, UpgradeTest};
use upgrade_runtime::{AppHash, VersionMap};

/// `genesis migrate` of `doc` to `target`, the way `appd genesis migrate`
/// does it: from the versions the file records, across the releases in
/// between.
fn genesis_migrate(doc: &AppGenesis, target: &str) -> (AppGenesis, GenesisMigrateReport) {
    let from: VersionMap = UpgradeSection::from_json(doc.app_state[UPGRADE_SECTION].clone())
        .expect("upgrade section")
        .version_map()
        .expect("the export records its versions");
    let chain = releases();
    let from_release = chain.with_versions(&from).expect("a known release");
    let between = chain.between(from_release.name, target).expect("forward");
    let upgrades: Vec<_> = between
        .iter()
        .map(|r| {
            (
                r.name,
                r.upgrade.expect("not the genesis release")().store_upgrades,
                r.manager().expect("manager").version_map(),
            )
        })
        .collect();
    let steps: Vec<ReleaseStep<'_>> = upgrades
        .iter()
        .map(|(name, store_upgrades, versions)| ReleaseStep {
            name,
            store_upgrades,
            versions,
        })
        .collect();
    let target_manager = release(target).expect("target").manager().expect("manager");
    migrate(doc.clone(), &from, &target_manager, &steps).expect("genesis migrate")
}

/// `appd init --genesis` on a fresh home: a new redb file, as `release`.
fn import_on_fresh_home(doc: &AppGenesis, release_name: &str) -> AppHash {
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = Storage::create(&dir.path().join("state.redb"), Layout::V1).expect("storage");
    let r = release(release_name).expect("release");
    let mut app = App::new(
        storage,
        r.manager().expect("manager"),
        releases().registry_up_to(release_name).expect("registry"),
        AppConfig::default(),
    )
    .expect("app");
    app.init_chain(doc).expect("import").app_hash
}

fn ledger(state: &Map<String, Value>) -> Vec<Value> {
    state[UPGRADE_SECTION]
        .get("ledger")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Both paths from `outcome.before` to `target`; returns the migration
/// report for a snapshot.
fn cross_check(outcome: &UpgradeOutcome, target: &str) -> GenesisMigrateReport {
    let in_place = &outcome.after;
    let (migrated, report) = genesis_migrate(&outcome.before, target);

    // Equal app_state, the ledger included: both paths record the release
    // the same way.
    let entry = ledger(&in_place.app_state)
        .last()
        .cloned()
        .expect("the in-place entry");
    assert_eq!(entry["name"], target);
    assert_eq!(ledger(&in_place.app_state), ledger(&migrated.app_state));
    for (name, value) in &in_place.app_state {
        assert_eq!(
            Some(value),
            migrated.app_state.get(name),
            "section {name} differs"
        );
    }
    assert_eq!(
        in_place.app_state.keys().collect::<Vec<_>>(),
        migrated.app_state.keys().collect::<Vec<_>>()
    );

    // Importing either on a fresh home gives the upgraded node's hash.
    let upgraded = outcome.app_hash_upgraded;
    assert_eq!(import_on_fresh_home(in_place, target), upgraded);
    assert_eq!(import_on_fresh_home(&migrated, target), upgraded);
    report
}

fn v1_to_v2() -> UpgradeOutcome {
    UpgradeTest::new(build)
        .app_state(Value::Object(app_modules::genesis::generate(1_200, 11)))
        .start_as("v1.0.0")
        .upgrade_to("v2.0.0")
        .cross_check()
        .run()
        .expect("v1.0.0 -> v2.0.0")
}

#[test]
fn v1_0_0_to_v2_0_0_in_place_and_through_genesis_migrate_agree() {
    let outcome = v1_to_v2();
    // The fixture is what the test claims: vesting accounts, module
    // accounts, accounts with and without keys, several denoms.
    let accounts = outcome.before.app_state["auth"]["accounts"]
        .as_array()
        .expect("accounts");
    let types: std::collections::BTreeSet<&str> = accounts
        .iter()
        .filter_map(|a| a["@type"].as_str())
        .collect();
    assert_eq!(types.len(), 3, "{types:?}");
    assert!(accounts.iter().any(|a| a["pub_key"].is_null()));
    assert!(accounts.iter().any(|a| a["pub_key"].is_object()));
    assert!(!outcome.after.app_state.contains_key("crisis"));

    let report = cross_check(&outcome, "v2.0.0");
    settings("cross_check").bind(|| insta::assert_json_snapshot!("genesis_migrate_v2_0_0", report));
}

#[test]
fn v2_0_0_to_v3_0_0_in_place_and_through_genesis_migrate_agree() {
    // S: the chain the first step produced, exported and restarted as
    // v2.0.0 with its history.
    let first = v1_to_v2();
    let outcome = UpgradeTest::new(build)
        .genesis(first.after.clone())
        .start_as("v2.0.0")
        .upgrade_to("v3.0.0")
        .cross_check()
        .run()
        .expect("v2.0.0 -> v3.0.0");
    assert_eq!(
        outcome.before.app_state[UPGRADE_SECTION]["done"][0]["name"],
        "v2.0.0"
    );
    assert!(outcome.applied.store_migration_started);
    let report = cross_check(&outcome, "v3.0.0");
    settings("cross_check").bind(|| insta::assert_json_snapshot!("genesis_migrate_v3_0_0", report));
}

#[test]
fn v1_0_0_straight_to_v3_0_0_through_genesis_migrate_matches_two_in_place_upgrades() {
    let first = v1_to_v2();
    let second = UpgradeTest::new(build)
        .genesis(first.after.clone())
        .start_as("v2.0.0")
        .upgrade_to("v3.0.0")
        .run()
        .expect("v2.0.0 -> v3.0.0");
    // One migrate across both releases, from the v1.0.0 export.
    let (migrated, report) = genesis_migrate(&first.before, "v3.0.0");
    assert_eq!(report.releases, ["v2.0.0", "v3.0.0"]);
    for module in ["auth", "bank", "feegrant"] {
        assert_eq!(
            migrated.app_state[module], second.after.app_state[module],
            "{module}"
        );
    }
    assert_eq!(
        migrated.app_state[UPGRADE_SECTION]["module_versions"],
        second.after.app_state[UPGRADE_SECTION]["module_versions"]
    );
    assert_eq!(
        migrated.app_state[UPGRADE_SECTION]["app_version"],
        second.after.app_state[UPGRADE_SECTION]["app_version"]
    );
}
