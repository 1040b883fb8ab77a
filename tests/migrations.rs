//! `run_migrations`, the migration order, the configurator and store
//! upgrades, on test modules.
#![allow(clippy::unwrap_used)]

mod common;

use common::{
    Kv, dump, fail_halfway, kv, manager, preset_newmod, run_all, trail_1_2, trail_2_3, upgrade,
};
use upgrade_runtime::manager::{MigrationStep, StepAction};
use upgrade_runtime::store::{Layout, StateDelta, StateRead, Storage, UPGRADE_STORE};
use upgrade_runtime::upgrade::{Plan, StoreRename, StoreUpgrades, UpgradeHandler, apply_upgrade};
use upgrade_runtime::{ModuleManager, VersionMap};

const TRAIL: &[(u64, &str, upgrade_runtime::MigrationHandler)] = &[(1, "trail 1->2", trail_1_2)];
const TRAIL_3: &[(u64, &str, upgrade_runtime::MigrationHandler)] =
    &[(1, "trail 1->2", trail_1_2), (2, "trail 2->3", trail_2_3)];

fn vm(entries: &[(&str, u64)]) -> VersionMap {
    entries.iter().map(|(n, v)| ((*n).to_owned(), *v)).collect()
}

/// Committed state with every module of `manager` initialised from its
/// default genesis and `versions` stored as the version map.
fn state(manager: &ModuleManager, versions: &VersionMap) -> Storage {
    let mut storage = Storage::in_memory(Layout::V1).unwrap();
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    manager
        .init_genesis(&mut delta, &common::genesis(manager).app_state, 0)
        .unwrap();
    versions.store(&mut delta).unwrap();
    let (_, changes) = delta.into_parts();
    common::commit(&mut storage, 1, changes);
    storage
}

/// Runs `manager`'s migrations from `from` over fresh state.
fn migrate(manager: &ModuleManager, from: &[(&str, u64)]) -> Result<Vec<MigrationStep>, String> {
    let from = vm(from);
    let storage = state(manager, &from);
    let cfg = manager.configurator().unwrap();
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    match manager.run_migrations(&mut delta, &cfg, &from, 2) {
        Ok((to, report)) => {
            assert_eq!(to, manager.version_map());
            Ok(report.steps)
        }
        Err(e) => {
            assert!(
                delta.changes().is_empty(),
                "nothing runs before the path is checked"
            );
            Err(e.to_string())
        }
    }
}

fn names(steps: &[MigrationStep]) -> Vec<&str> {
    steps.iter().map(|s| s.module.as_str()).collect()
}

fn four() -> Vec<Kv> {
    ["zeta", "auth", "alpha", "mid"]
        .into_iter()
        .map(|n| kv(n).version(2).migrations(TRAIL))
        .collect()
}

#[test]
fn the_default_order_is_bytewise_with_auth_last() {
    let manager = manager(four());
    assert_eq!(manager.migration_order(), ["alpha", "mid", "zeta", "auth"]);
    let steps = migrate(
        &manager,
        &[("zeta", 1), ("auth", 1), ("alpha", 1), ("mid", 1)],
    )
    .unwrap();
    let mut settings = common::insta_settings("migrations");
    settings.set_description(
        "modules registered as zeta, auth, alpha, mid; each at v1 in state and v2 in the binary",
    );
    settings.bind(|| insta::assert_json_snapshot!("default_order_steps", steps));
}

#[test]
fn set_order_migrations_replaces_the_order_and_must_name_every_module_once() {
    let mut manager = manager(four());
    insta::assert_snapshot!(
        manager.set_order_migrations(&["alpha", "alpha", "nope", "auth", "mid"]).unwrap_err().to_string(),
        @r#"set_order_migrations must name every registered module exactly once: missing ["zeta"], duplicated ["alpha"], unknown ["nope"]"#
    );
    insta::assert_snapshot!(
        manager.set_order_migrations(&["alpha", "mid"]).unwrap_err().to_string(),
        @r#"set_order_migrations must name every registered module exactly once: missing ["auth", "zeta"], duplicated [], unknown []"#
    );
    insta::assert_snapshot!(
        manager.set_order_migrations(&["alpha", "mid", "zeta", "auth", "extra", "zeta"]).unwrap_err().to_string(),
        @r#"set_order_migrations must name every registered module exactly once: missing [], duplicated ["zeta"], unknown ["extra"]"#
    );
    // A refused order leaves the default in place.
    assert_eq!(manager.migration_order(), ["alpha", "mid", "zeta", "auth"]);
    manager
        .set_order_migrations(&["auth", "zeta", "alpha", "mid"])
        .unwrap();
    let from = [("zeta", 1), ("auth", 1), ("alpha", 1), ("mid", 1)];
    assert_eq!(
        names(&migrate(&manager, &from).unwrap()),
        ["auth", "zeta", "alpha", "mid"]
    );
}

#[test]
fn every_step_from_the_stored_version_runs_in_order() {
    let manager = manager(vec![kv("alpha").version(3).migrations(TRAIL_3), kv("beta")]);
    let from = vm(&[("alpha", 1), ("beta", 1)]);
    let storage = state(&manager, &from);
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    let cfg = manager.configurator().unwrap();
    let (to, report) = manager.run_migrations(&mut delta, &cfg, &from, 2).unwrap();
    assert_eq!(to, vm(&[("alpha", 3), ("beta", 1)]));
    assert_eq!(
        delta.get("alpha", b"trail").unwrap(),
        Some(b"1->2,2->3".to_vec())
    );
    let actions: Vec<_> = report.steps.iter().map(|s| &s.action).collect();
    assert_eq!(actions.len(), 3);
    assert!(matches!(actions[2], StepAction::Unchanged { version: 1 }));
    // From version 2 only the last step runs.
    let from = vm(&[("alpha", 2), ("beta", 1)]);
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    manager.run_migrations(&mut delta, &cfg, &from, 2).unwrap();
    assert_eq!(
        delta.get("alpha", b"trail").unwrap(),
        Some(b"2->3".to_vec())
    );
}

#[test]
fn a_gap_a_downgrade_version_zero_and_unknown_modules_are_errors() {
    // `aaa` migrates fine and comes first: the checks run before anything.
    let gap = manager(vec![
        kv("aaa").version(2).migrations(TRAIL),
        kv("alpha").version(3).migrations(TRAIL),
    ]);
    insta::assert_snapshot!(
        migrate(&gap, &[("aaa", 1), ("alpha", 1)]).unwrap_err(),
        @r#"no migration registered for module "alpha" from version 2 to version 3 (state has version 1, this binary has version 3); register it in the module's `register_migrations`"#
    );
    let plain = manager(vec![
        kv("aaa").version(2).migrations(TRAIL),
        kv("alpha").version(2),
    ]);
    insta::assert_snapshot!(
        migrate(&plain, &[("aaa", 1), ("alpha", 1)]).unwrap_err(),
        @r#"no migration registered for module "alpha" from version 1 to version 2 (state has version 1, this binary has version 2); register it in the module's `register_migrations`"#
    );
    insta::assert_snapshot!(
        migrate(&plain, &[("aaa", 1), ("alpha", 3)]).unwrap_err(),
        @r#"module "alpha" is at version 3 in state but at version 2 in this binary: downgrades are not supported; run a binary with version 3 or later"#
    );
    insta::assert_snapshot!(
        migrate(&plain, &[("aaa", 1), ("alpha", 0)]).unwrap_err(),
        @r#"module "alpha" has version 0 in the version map; consensus versions start at 1"#
    );
    insta::assert_snapshot!(
        migrate(&plain, &[("aaa", 1), ("alpha", 2), ("legacy", 4)]).unwrap_err(),
        @r#"module "legacy" (version 4) is in the version map but not registered in this binary; delete its store with a store upgrade or register the module"#
    );
}

#[test]
fn a_failing_migration_names_module_and_step() {
    let manager = manager(vec![kv("alpha").version(2).migrations(&[(
        1,
        "breaks",
        fail_halfway,
    )])]);
    let from = vm(&[("alpha", 1)]);
    let storage = state(&manager, &from);
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    let cfg = manager.configurator().unwrap();
    let err = manager
        .run_migrations(&mut delta, &cfg, &from, 2)
        .unwrap_err();
    insta::assert_snapshot!(
        err.to_string(),
        @r#"while migrating module "alpha" from version 1 to version 2: migration failed halfway"#
    );
    // The failing handler's own delta was discarded.
    assert!(delta.changes().is_empty());
}

#[test]
fn a_new_module_gets_its_default_genesis() {
    let manager = manager(vec![kv("alpha"), kv("newmod").version(3)]);
    let from = vm(&[("alpha", 1)]);
    // State written by a release without newmod.
    let storage = state(&common::manager(vec![kv("alpha")]), &from);
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    assert!(dump(&delta, "newmod").is_empty());
    let cfg = manager.configurator().unwrap();
    let (to, report) = manager.run_migrations(&mut delta, &cfg, &from, 2).unwrap();
    assert_eq!(to, vm(&[("alpha", 1), ("newmod", 3)]));
    assert_eq!(dump(&delta, "newmod"), [("k".into(), "v".into())]);
    assert_eq!(
        report.steps[1].action,
        StepAction::InitGenesis { version: 3 }
    );
}

#[test]
fn configurator_rejects_version_zero_and_duplicates() {
    let zero = manager(vec![
        kv("alpha").version(2).raw_migrations(&[(0, trail_1_2)]),
    ]);
    insta::assert_snapshot!(
        zero.configurator().unwrap_err().to_string(),
        @r#"module "alpha": migration versions start at 1, got a migration from version 0"#
    );
    let twice = manager(vec![
        kv("alpha")
            .version(2)
            .migrations(TRAIL)
            .raw_migrations(&[(1, trail_2_3)]),
    ]);
    insta::assert_snapshot!(
        twice.configurator().unwrap_err().to_string(),
        @r#"module "alpha": another migration from version 1 is already registered"#
    );
}

// ---- store upgrades, through apply_upgrade ------------------------------

/// Applies `store_upgrades` + `handler` as v2.0.0 at height 5 on state
/// written by `old` (with its version map), using the `new` modules.
fn upgrade_from(
    old: Vec<Kv>,
    new: Vec<Kv>,
    store_upgrades: StoreUpgrades,
    handler: UpgradeHandler,
    extra: &[(&str, String, String)],
) -> (
    Storage,
    Result<upgrade_runtime::upgrade::AppliedUpgrade, String>,
) {
    let old = manager(old);
    let mut storage = state(&old, &old.version_map());
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    for (store, key, value) in extra {
        upgrade_runtime::store::StateWrite::set(
            &mut delta,
            store,
            key.clone().into_bytes(),
            value.clone().into_bytes(),
        );
    }
    let (_, changes) = delta.into_parts();
    common::commit(&mut storage, 2, changes);
    let new = manager(new);
    let cfg = new.configurator().unwrap();
    let plan = Plan {
        name: "v2.0.0".into(),
        height: 5,
        info: String::new(),
    };
    let upgrade = upgrade("v2.0.0", store_upgrades, handler);
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    let result = apply_upgrade(&mut delta, &new, &cfg, &upgrade, &plan, 5);
    let result = match result {
        Ok(applied) => {
            let (_, changes) = delta.into_parts();
            common::try_commit(&mut storage, 5, changes)
                .map(|_| applied)
                .map_err(|e| format!("commit: {e}"))
        }
        Err(e) => {
            // apply_upgrade promises to leave the state it was given untouched.
            assert!(delta.changes().is_empty(), "{e}");
            Err(e.to_string())
        }
    };
    (storage, result)
}

#[test]
fn a_renamed_store_moves_every_key() {
    // More keys than a snapshot page, so the move crosses page boundaries.
    let extra: Vec<_> = (0..1200)
        .map(|i| ("kv_old", format!("key{i:05}"), format!("value{i}")))
        .collect();
    let renamed = StoreUpgrades {
        renamed: vec![StoreRename {
            old_key: "kv_old".into(),
            new_key: "kv".into(),
        }],
        ..StoreUpgrades::default()
    };
    let (storage, applied) = upgrade_from(
        vec![kv("kv").store("kv_old")],
        vec![kv("kv")],
        renamed,
        run_all,
        &extra,
    );
    let applied = applied.unwrap();
    assert_eq!(applied.store_upgrades.keys_renamed, 1201);
    let snapshot = storage.snapshot().unwrap();
    assert!(dump(&snapshot, "kv_old").is_empty());
    let moved = dump(&snapshot, "kv");
    let mut expected: Vec<(String, String)> = extra.into_iter().map(|(_, k, v)| (k, v)).collect();
    expected.insert(0, ("k".into(), "v".into()));
    assert_eq!(moved, expected);
    assert_eq!(VersionMap::load(&snapshot).unwrap(), vm(&[("kv", 1)]));
}

#[test]
fn a_deleted_store_loses_every_key_and_its_version_map_entry() {
    let old = || vec![kv("alpha"), kv("legacy")];
    let extra: Vec<_> = (0..700)
        .map(|i| ("legacy", format!("x{i}"), "y".to_owned()))
        .collect();
    let deleted = StoreUpgrades {
        deleted: vec!["legacy".into()],
        ..StoreUpgrades::default()
    };
    let (storage, applied) = upgrade_from(old(), vec![kv("alpha")], deleted, run_all, &extra);
    assert_eq!(applied.unwrap().store_upgrades.keys_deleted, 701);
    let snapshot = storage.snapshot().unwrap();
    assert!(dump(&snapshot, "legacy").is_empty());
    assert_eq!(dump(&snapshot, "alpha"), [("k".into(), "v".into())]);
    assert_eq!(VersionMap::load(&snapshot).unwrap(), vm(&[("alpha", 1)]));
    assert!(!snapshot.has(UPGRADE_STORE, b"\x02legacy").unwrap());

    // Without the store upgrade the module still leaves the version map
    // (as Cosmos' RunMigrations drops it); its keys stay, which is what the
    // static release check refuses before a binary starts.
    let (storage, applied) = upgrade_from(
        old(),
        vec![kv("alpha")],
        StoreUpgrades::default(),
        run_all,
        &[],
    );
    assert_eq!(applied.unwrap().to_versions, vm(&[("alpha", 1)]));
    let snapshot = storage.snapshot().unwrap();
    assert_eq!(VersionMap::load(&snapshot).unwrap(), vm(&[("alpha", 1)]));
    assert_eq!(dump(&snapshot, "legacy"), [("k".into(), "v".into())]);
}

#[test]
fn a_handler_can_skip_init_genesis_of_a_new_module() {
    let added = || StoreUpgrades {
        added: vec!["newmod".into()],
        ..StoreUpgrades::default()
    };
    let new = || vec![kv("alpha"), kv("newmod").version(2)];
    let (storage, applied) = upgrade_from(vec![kv("alpha")], new(), added(), preset_newmod, &[]);
    let applied = applied.unwrap();
    assert!(
        applied
            .migrations
            .steps
            .iter()
            .all(|s| s.module != "newmod" || s.action == StepAction::Unchanged { version: 2 })
    );
    let snapshot = storage.snapshot().unwrap();
    assert!(dump(&snapshot, "newmod").is_empty());
    assert_eq!(
        VersionMap::load(&snapshot).unwrap(),
        vm(&[("alpha", 1), ("newmod", 2)])
    );
    // Without the preset, it is initialised from its default genesis.
    let (storage, _) = upgrade_from(vec![kv("alpha")], new(), added(), run_all, &[]);
    assert_eq!(
        dump(&storage.snapshot().unwrap(), "newmod"),
        [("k".into(), "v".into())]
    );
}

#[test]
fn genesis_and_lookup_errors_name_the_module() {
    let manager = manager(vec![kv("alpha"), kv("beta")]);
    let storage = Storage::in_memory(Layout::V1).unwrap();
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    let mut app_state = common::genesis(&manager).app_state;
    app_state["beta"] = serde_json::json!({"entries": {"k": ["not", "a", "string"]}});
    insta::assert_snapshot!(
        manager.init_genesis(&mut delta, &app_state, 0).unwrap_err().to_string(),
        @r#"while initialising module "beta" from genesis: invalid genesis section: entries.k: expected a string"#
    );
    // Bytes the module cannot decode make its export fail.
    upgrade_runtime::store::StateWrite::set(&mut delta, "beta", b"k".to_vec(), vec![0xff]);
    insta::assert_snapshot!(
        manager.export_genesis(&delta).unwrap_err().to_string(),
        @r#"while exporting module "beta": corrupt state in store "beta" under key 6b: not UTF-8"#
    );
    insta::assert_snapshot!(
        manager.export_module(&delta, "gamma").unwrap_err().to_string(),
        @r#"module "gamma" is not registered in this binary"#
    );
    assert!(manager.context("gamma", &mut delta, 0).is_err());
}

#[test]
fn store_upgrades_cannot_touch_reserved_stores() {
    let old = || vec![kv("alpha")];
    let wipe = StoreUpgrades {
        deleted: vec![UPGRADE_STORE.into()],
        ..StoreUpgrades::default()
    };
    let (_, applied) = upgrade_from(old(), old(), wipe, run_all, &[]);
    assert!(
        applied.is_err(),
        "deleting the upgrade store was applied: {applied:?}"
    );
    let into_migration = StoreUpgrades {
        renamed: vec![StoreRename {
            old_key: "alpha".into(),
            new_key: "migration".into(),
        }],
        ..StoreUpgrades::default()
    };
    let (_, applied) = upgrade_from(old(), old(), into_migration, run_all, &[]);
    // Refused by the upgrade itself, not only later by the block's commit.
    assert!(
        matches!(&applied, Err(e) if !e.starts_with("commit:")),
        "renaming into the migration store was applied: {applied:?}"
    );
}
