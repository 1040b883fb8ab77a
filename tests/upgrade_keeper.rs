//! The upgrade keeper through the block executor: scheduling by the
//! authority, the pre-block halt / skip / apply decision, `upgrade-info.json`,
//! downgrade protection, and atomicity of a failing upgrade.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{
    AUTHORITY, Kv, dump, fail_halfway, handler_fails_halfway, kv, open_app, prefix_keys, registry,
    run_all, schedule_tx, tx, upgrade,
};
use serde_json::json;
use upgrade_runtime::app::App;
use upgrade_runtime::store::UPGRADE_STORE;
use upgrade_runtime::upgrade::{
    DoneRecord, MSG_CANCEL_UPGRADE, MSG_SOFTWARE_UPGRADE, Plan, StoreUpgrades, UpgradeHandler,
    UpgradeRegistry, app_version, done_history, pending_plan,
};
use upgrade_runtime::{Tx, VersionMap};

const ALPHA_SET: &str = "/test.alpha.Set";
const INFO: &str = "see https://example.com/v2";

/// Release 1: alpha v1, auth v1.
fn v1() -> Vec<Kv> {
    vec![kv("alpha").msgs(&[ALPHA_SET]), kv("auth")]
}

/// Release 2: alpha v2 (keys move under `v2/`), auth v1, newmod added.
fn v2() -> Vec<Kv> {
    vec![
        kv("alpha").msgs(&[ALPHA_SET]).version(2).migrations(&[(
            1,
            "prefix every key with v2/",
            prefix_keys,
        )]),
        kv("auth"),
        kv("newmod"),
    ]
}

fn v2_upgrades(handler: UpgradeHandler) -> UpgradeRegistry {
    let stores = StoreUpgrades {
        added: vec!["newmod".into()],
        ..StoreUpgrades::default()
    };
    registry(vec![upgrade("v2.0.0", stores, handler)])
}

fn block(app: &mut App, txs: &[Tx]) -> Vec<(u32, String)> {
    let (_, outcomes) = app.execute_block(txs).unwrap();
    outcomes.into_iter().map(|o| (o.code, o.log)).collect()
}

fn plan(app: &App) -> Option<Plan> {
    pending_plan(&app.snapshot().unwrap()).unwrap()
}

/// A v1 chain at height `upto` with v2.0.0 scheduled (in block 1) at `at`.
fn v1_chain_with_plan(home: &Path, at: u64, upto: u64, skip: &[u64]) -> App {
    let mut app = open_app(home, v1(), UpgradeRegistry::new(), skip).unwrap();
    let set = tx("user", ALPHA_SET, json!({"key": "a", "value": "1"}));
    assert_eq!(
        block(&mut app, &[schedule_tx(AUTHORITY, "v2.0.0", at, INFO), set]),
        [(0, String::new()), (0, String::new())]
    );
    while app.last_commit().unwrap().height < upto {
        block(&mut app, &[]);
    }
    app
}

#[test]
fn only_the_authority_schedules_and_a_new_schedule_replaces_the_plan() {
    let home = tempfile::tempdir().unwrap();
    let mut app = open_app(home.path(), v1(), UpgradeRegistry::new(), &[]).unwrap();
    let by_mallory = schedule_tx("mallory", "v2.0.0", 10, INFO);
    let mut claims_mallory = schedule_tx(AUTHORITY, "v2.0.0", 10, INFO);
    claims_mallory.msgs[0].value["authority"] = json!("mallory");
    let malformed = tx(
        AUTHORITY,
        MSG_SOFTWARE_UPGRADE,
        json!({"authority": AUTHORITY}),
    );
    let mixed = Tx {
        signer: AUTHORITY.into(),
        msgs: vec![
            schedule_tx(AUTHORITY, "v2.0.0", 10, INFO).msgs[0].clone(),
            tx("u", ALPHA_SET, json!({"key": "a", "value": "1"})).msgs[0].clone(),
        ],
    };
    let outcomes = block(&mut app, &[by_mallory, claims_mallory, malformed, mixed]);
    insta::assert_debug_snapshot!(outcomes, @r#"
    [
        (
            1,
            "signer mallory is not the upgrade authority (expected authority); only the authority can schedule or cancel upgrades",
        ),
        (
            1,
            "signer mallory is not the upgrade authority (expected authority); only the authority can schedule or cancel upgrades",
        ),
        (
            1,
            "malformed upgrade message: missing field `plan`",
        ),
        (
            2,
            "upgrade messages cannot be mixed with other messages in one transaction",
        ),
    ]
    "#);
    assert_eq!(plan(&app), None);

    block(&mut app, &[schedule_tx(AUTHORITY, "v2.0.0", 10, INFO)]);
    let first = Plan {
        name: "v2.0.0".into(),
        height: 10,
        info: INFO.into(),
    };
    assert_eq!(plan(&app), Some(first));
    block(&mut app, &[schedule_tx(AUTHORITY, "v3.0.0", 12, "later")]);
    let second = Plan {
        name: "v3.0.0".into(),
        height: 12,
        info: "later".into(),
    };
    assert_eq!(plan(&app), Some(second.clone()));

    let cancel = |signer: &str| tx(signer, MSG_CANCEL_UPGRADE, json!({"authority": AUTHORITY}));
    assert_eq!(block(&mut app, &[cancel("mallory")])[0].0, 1);
    assert_eq!(plan(&app), Some(second));
    assert_eq!(block(&mut app, &[cancel(AUTHORITY)]), [(0, String::new())]);
    assert_eq!(plan(&app), None);
}

#[test]
fn plans_in_the_past_at_height_zero_or_without_a_semver_name_are_refused() {
    let home = tempfile::tempdir().unwrap();
    let mut app = open_app(home.path(), v1(), UpgradeRegistry::new(), &[]).unwrap();
    for _ in 1..5 {
        block(&mut app, &[]);
    }
    // Block 5.
    let outcomes = block(
        &mut app,
        &[
            schedule_tx(AUTHORITY, "v2.0.0", 3, INFO),
            schedule_tx(AUTHORITY, "v2.0.0", 0, INFO),
            schedule_tx(AUTHORITY, "", 9, INFO),
            schedule_tx(AUTHORITY, "banana", 9, INFO),
        ],
    );
    insta::assert_debug_snapshot!(outcomes, @r#"
    [
        (
            1,
            "upgrade cannot be scheduled in the past: height 3 is not after the block being executed (5); schedule it for height 6 or later",
        ),
        (
            1,
            "upgrade height must be greater than 0",
        ),
        (
            1,
            "upgrade plan name cannot be empty",
        ),
        (
            1,
            "upgrade plan name \"banana\" is not a semver release such as v2.0.0: unexpected character 'b' while parsing major version number",
        ),
    ]
    "#);
    assert_eq!(plan(&app), None);
}

#[test]
fn a_plan_for_the_block_being_executed_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let mut app = open_app(home.path(), v1(), UpgradeRegistry::new(), &[]).unwrap();
    for _ in 1..5 {
        block(&mut app, &[]);
    }
    // Block 5 has already run its pre-block check: a plan for height 5
    // could never trigger (Cosmos refuses `plan.Height <= BlockHeight`).
    let outcome = block(&mut app, &[schedule_tx(AUTHORITY, "v2.0.0", 5, INFO)]);
    assert_eq!(outcome[0].0, 1, "accepted: {outcome:?}");
    assert_eq!(plan(&app), None);
}

#[test]
fn at_the_plan_height_a_binary_without_the_handler_halts_and_writes_upgrade_info() {
    let home = tempfile::tempdir().unwrap();
    let mut app = v1_chain_with_plan(home.path(), 4, 3, &[]);
    let before = (app.last_commit(), app.export_genesis().unwrap());
    let info_path = home.path().join("data").join("upgrade-info.json");
    assert!(!info_path.exists());
    let err = app.begin_block().err().unwrap().to_string();
    insta::assert_snapshot!(err, @r#"UPGRADE "v2.0.0" NEEDED at height: 4: see https://example.com/v2"#);
    let written = std::fs::read_to_string(&info_path).unwrap();
    insta::assert_snapshot!(
        written,
        @r#"{"name":"v2.0.0","time":"0001-01-01T00:00:00Z","height":4,"info":"see https://example.com/v2"}"#
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&info_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // It keeps halting, and nothing was committed.
    assert_eq!(app.begin_block().err().unwrap().to_string(), err);
    assert_eq!((app.last_commit(), app.export_genesis().unwrap()), before);
}

#[test]
fn the_new_binary_applies_the_upgrade_at_the_plan_height() {
    let home = tempfile::tempdir().unwrap();
    drop(v1_chain_with_plan(home.path(), 4, 3, &[]));
    let mut app = open_app(home.path(), v2(), v2_upgrades(run_all), &[]).unwrap();
    let mut b = app.begin_block().unwrap();
    let applied = b.applied_upgrade().unwrap().clone();
    let set = tx("user", ALPHA_SET, json!({"key": "after", "value": "2"}));
    assert_eq!(app.deliver_tx(&mut b, &set).code, 0);
    app.end_block(&mut b).unwrap();
    assert_eq!(app.commit(b).unwrap().height, 4);

    let mut settings = common::insta_settings("upgrade_keeper");
    settings.set_description(
        "v1 (alpha v1, auth v1; block 1 sets alpha a=1) upgraded by v2.0.0 at height 4 \
         (alpha v2 moves keys under v2/, newmod added); block 4 then sets alpha after=2",
    );
    settings.bind(|| {
        insta::assert_json_snapshot!("applied_v2_0_0", applied);
        insta::assert_json_snapshot!(
            "app_state_after_v2_0_0",
            app.export_genesis().unwrap().app_state
        );
    });
    let snapshot = app.snapshot().unwrap();
    assert_eq!(
        VersionMap::load(&snapshot).unwrap(),
        app.manager().version_map()
    );
    assert_eq!(
        done_history(&snapshot).unwrap(),
        [DoneRecord {
            name: "v2.0.0".into(),
            height: 4
        }]
    );
    assert_eq!(app_version(&snapshot).unwrap(), 1);
    assert_eq!(pending_plan(&snapshot).unwrap(), None);
    // Block 5 runs normally under the new binary.
    block(&mut app, &[]);
    let at_5 = app.last_commit().unwrap();
    assert_eq!(at_5.height, 5);

    // Its export starts a new chain with the same state: same app hash,
    // same history, and the new chain also refuses the old binary.
    let exported = app.export_genesis().unwrap();
    assert_eq!(exported.initial_height, 6);
    let other = tempfile::tempdir().unwrap();
    let path = common::state_path(other.path());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let storage =
        upgrade_runtime::store::Storage::create(&path, upgrade_runtime::store::Layout::V1).unwrap();
    let config = common::config(other.path(), &[]);
    let mut imported =
        App::new(storage, common::manager(v2()), v2_upgrades(run_all), config).unwrap();
    let info = imported.init_chain(&exported).unwrap();
    assert_eq!(info, at_5);
    assert_eq!(imported.export_genesis().unwrap(), exported);
    drop(imported);
    assert!(open_app(other.path(), v1(), UpgradeRegistry::new(), &[]).is_err());
    drop(app);

    // The old binary now refuses to start.
    let err = open_app(home.path(), v1(), UpgradeRegistry::new(), &[])
        .err()
        .unwrap();
    insta::assert_snapshot!(
        err.to_string(),
        @"wrong app version 1, upgrade handler is missing for v2.0.0 upgrade plan: this binary is older than the chain's state; run release v2.0.0 or later"
    );

    // The done release cannot be scheduled again, nor an older one.
    let mut app = open_app(home.path(), v2(), v2_upgrades(run_all), &[]).unwrap();
    let outcomes = block(
        &mut app,
        &[
            schedule_tx(AUTHORITY, "v2.0.0", 20, INFO),
            schedule_tx(AUTHORITY, "v1.5.0", 20, INFO),
        ],
    );
    insta::assert_debug_snapshot!(outcomes, @r#"
    [
        (
            1,
            "upgrade with name \"v2.0.0\" has already been completed at height 4; schedule a newer release",
        ),
        (
            1,
            "upgrade \"v1.5.0\" is not newer than the last applied upgrade \"v2.0.0\"; schedule a release newer than v2.0.0",
        ),
    ]
    "#);
    assert_eq!(plan(&app), None);
}

#[test]
fn a_binary_holding_the_handler_before_the_plan_height_refuses_to_run() {
    let home = tempfile::tempdir().unwrap();
    drop(v1_chain_with_plan(home.path(), 6, 2, &[]));
    let mut app = open_app(home.path(), v2(), v2_upgrades(run_all), &[]).unwrap();
    let before = app.last_commit();
    let err = app.begin_block().err().unwrap();
    insta::assert_snapshot!(
        err.to_string(),
        @r#"BINARY UPDATED BEFORE TRIGGER! UPGRADE "v2.0.0" - in binary but not executed on chain (scheduled at height 6). Downgrade your binary"#
    );
    assert_eq!(app.last_commit(), before);
}

#[test]
fn a_binary_with_new_module_versions_and_no_plan_refuses_to_run() {
    let home = tempfile::tempdir().unwrap();
    drop(open_app(home.path(), v1(), UpgradeRegistry::new(), &[]).unwrap());
    let mut app = open_app(home.path(), v2(), v2_upgrades(run_all), &[]).unwrap();
    insta::assert_snapshot!(
        app.begin_block().err().unwrap().to_string(),
        @r#"the state's module versions {"alpha": 1, "auth": 1} differ from this binary's {"alpha": 2, "auth": 1, "newmod": 1} and no upgrade is due at height 1; run the release that wrote this state"#
    );
}

#[test]
fn a_skip_height_clears_the_plan_without_a_done_record() {
    let home = tempfile::tempdir().unwrap();
    let mut app = v1_chain_with_plan(home.path(), 3, 2, &[3]);
    let versions = VersionMap::load(&app.snapshot().unwrap()).unwrap();
    block(&mut app, &[]);
    assert_eq!(app.last_commit().unwrap().height, 3);
    let snapshot = app.snapshot().unwrap();
    assert_eq!(pending_plan(&snapshot).unwrap(), None);
    assert!(done_history(&snapshot).unwrap().is_empty());
    assert_eq!(app_version(&snapshot).unwrap(), 0);
    assert_eq!(VersionMap::load(&snapshot).unwrap(), versions);
    assert!(!home.path().join("data").join("upgrade-info.json").exists());
    // Only the plan record went away from the upgrade store.
    assert!(
        dump(&snapshot, UPGRADE_STORE)
            .iter()
            .all(|(k, _)| k.starts_with('\u{2}'))
    );
}

/// Everything a failed upgrade must leave as it was.
fn observed(app: &App) -> impl PartialEq + std::fmt::Debug + use<> {
    let snapshot = app.snapshot().unwrap();
    (
        app.last_commit(),
        VersionMap::load(&snapshot).unwrap(),
        ["alpha", "auth", "newmod", UPGRADE_STORE].map(|s| dump(&snapshot, s)),
    )
}

fn failing_upgrade(
    modules: impl Fn() -> Vec<Kv>,
    upgrades: impl Fn() -> UpgradeRegistry,
) -> String {
    let home = tempfile::tempdir().unwrap();
    let v1_app = v1_chain_with_plan(home.path(), 3, 2, &[]);
    let before = observed(&v1_app);
    drop(v1_app);
    let mut app = open_app(home.path(), modules(), upgrades(), &[]).unwrap();
    assert_eq!(observed(&app), before);
    let err = app.begin_block().err().unwrap().to_string();
    // Nothing was committed, and the node cannot pass the height.
    assert_eq!(observed(&app), before);
    assert_eq!(app.begin_block().err().unwrap().to_string(), err);
    assert_eq!(observed(&app), before);
    assert_eq!(app.last_commit().unwrap().height, 2);
    drop(app);
    // Restarting does not help either.
    let mut app = open_app(home.path(), modules(), upgrades(), &[]).unwrap();
    assert_eq!(observed(&app), before);
    assert_eq!(app.begin_block().err().unwrap().to_string(), err);
    err
}

#[test]
fn a_handler_failing_halfway_leaves_committed_state_untouched() {
    let err = failing_upgrade(v2, || v2_upgrades(handler_fails_halfway));
    insta::assert_snapshot!(err, @r#"upgrade handler "v2.0.0" failed at height 3: handler broke halfway"#);
}

#[test]
fn a_migration_failing_halfway_inside_the_handler_leaves_committed_state_untouched() {
    let modules = || {
        vec![
            kv("alpha")
                .version(2)
                .migrations(&[(1, "fails after writing", fail_halfway)]),
            kv("auth"),
            kv("newmod"),
        ]
    };
    let err = failing_upgrade(modules, || v2_upgrades(run_all));
    insta::assert_snapshot!(
        err,
        @r#"upgrade handler "v2.0.0" failed at height 3: while migrating module "alpha" from version 1 to version 2: migration failed halfway"#
    );
}

#[test]
fn a_new_module_whose_store_is_not_added_fails_the_upgrade() {
    let upgrades = || registry(vec![upgrade("v2.0.0", StoreUpgrades::default(), run_all)]);
    let err = failing_upgrade(v2, upgrades);
    insta::assert_snapshot!(
        err,
        @r#"upgrade handler "v2.0.0" failed at height 3: module "newmod" is new in upgrade "v2.0.0" but its store "newmod" is not in the release's store upgrades; new stores must be added with `StoreUpgrades::added`"#
    );
}

#[test]
fn a_release_has_one_handler() {
    let mut registry = v2_upgrades(run_all);
    let err = registry
        .register(upgrade("v2.0.0", StoreUpgrades::default(), run_all))
        .unwrap_err();
    insta::assert_snapshot!(err.to_string(), @r#"an upgrade handler for "v2.0.0" is already registered"#);
    assert_eq!(registry.names(), ["v2.0.0"]);
}
