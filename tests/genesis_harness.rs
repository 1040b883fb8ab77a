//! The `upgrade_runtime::testing` harness: a genesis, a release to start
//! as and one to upgrade to give the state before and after; its
//! cross-check catches a genesis JSON migration that disagrees with the
//! store migration, and derived state that InitGenesis and the store
//! migration build differently.
#![cfg(feature = "testing")]

use serde_json::{Value, json};
use upgrade_runtime::store::KeyRange;
use upgrade_runtime::testing::{Binary, BuildError, HarnessError, UpgradeTest};
use upgrade_runtime::upgrade::{StoreUpgrades, Upgrade, UpgradeRegistry};
use upgrade_runtime::{
    ConfigError, Configurator, Context, GenesisMigrationHandler, MigrationHandler, Module,
    ModuleError, ModuleManager, ValidationError,
};

/// `roster`: a list of members.
///
/// - version 1: keys `m/<name>` -> `""`; JSON `{"members": ["ada"]}`.
/// - version 2: keys `member:<name>` -> `""` plus the derived `count`;
///   JSON `{"members": [{"name": "ada"}]}`.
struct Roster {
    version: u64,
    store_migration: MigrationHandler,
    json_migration: GenesisMigrationHandler,
}

fn roster(version: u64) -> Roster {
    Roster {
        version,
        store_migration: rekey_and_count,
        json_migration: wrap,
    }
}

fn names_of(genesis: &Value, version: u64) -> Result<Vec<String>, ValidationError> {
    let list = genesis["members"]
        .as_array()
        .ok_or_else(|| ValidationError::new("members", "expected an array"))?;
    list.iter()
        .enumerate()
        .map(|(i, m)| {
            let name = if version == 1 { m } else { &m["name"] };
            name.as_str()
                .map(str::to_owned)
                .ok_or_else(|| ValidationError::new(format!("members[{i}]"), "not a member"))
        })
        .collect()
}

fn rekey_and_count(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
    let old: Vec<Vec<u8>> = ctx
        .own()
        .range(KeyRange::prefix(b"m/"))?
        .map(|item| item.map(|(k, _)| k))
        .collect::<Result<_, _>>()?;
    let mut store = ctx.store();
    for key in &old {
        store.delete(key.clone());
        store.set([b"member:", &key[2..]].concat(), Vec::new());
    }
    store.set(b"count".to_vec(), old.len().to_string());
    Ok(())
}

/// Rekeys but forgets the derived count InitGenesis writes.
fn rekey_only(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
    rekey_and_count(ctx)?;
    ctx.store().delete(b"count".to_vec());
    Ok(())
}

fn wrap(mut section: Value) -> Result<Value, ModuleError> {
    if let Some(list) = section["members"].as_array_mut() {
        for m in list {
            *m = json!({ "name": m.clone() });
        }
    }
    Ok(section)
}

/// A wrong JSON migration: capitalises names the store keeps as they are.
fn wrap_capitalised(section: Value) -> Result<Value, ModuleError> {
    let mut section = wrap(section)?;
    if let Some(list) = section["members"].as_array_mut() {
        for m in list {
            let name = m["name"].as_str().unwrap_or_default().to_uppercase();
            m["name"] = Value::String(name);
        }
    }
    Ok(section)
}

impl Module for Roster {
    fn name(&self) -> &'static str {
        "roster"
    }
    fn consensus_version(&self) -> u64 {
        self.version
    }
    fn default_genesis(&self) -> Value {
        json!({"members": []})
    }
    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        names_of(genesis, self.version).map(|_| ())
    }
    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
        let names = names_of(genesis, self.version)?;
        let mut store = ctx.store();
        for name in &names {
            match self.version {
                1 => store.set(format!("m/{name}"), Vec::new()),
                _ => store.set(format!("member:{name}"), Vec::new()),
            }
        }
        if self.version >= 2 {
            store.set(b"count".to_vec(), names.len().to_string());
        }
        Ok(())
    }
    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
        let prefix: &[u8] = if self.version == 1 { b"m/" } else { b"member:" };
        let mut members = Vec::new();
        for item in ctx.own().range(KeyRange::prefix(prefix))? {
            let (key, _) = item?;
            let name = String::from_utf8_lossy(&key[prefix.len()..]).into_owned();
            members.push(match self.version {
                1 => json!(name),
                _ => json!({ "name": name }),
            });
        }
        Ok(json!({ "members": members }))
    }
    fn register_migrations(&self, cfg: &mut Configurator) -> Result<(), ConfigError> {
        if self.version >= 2 {
            cfg.register_migration("roster", 1, "rekey, count", self.store_migration)?;
            cfg.register_genesis_migration("roster", 1, "wrap names", self.json_migration)?;
        }
        Ok(())
    }
}

fn upgrade() -> Upgrade {
    Upgrade {
        name: "v2.0.0".into(),
        store_upgrades: StoreUpgrades::default(),
        handler: |ctx, _, from| ctx.run_migrations(from),
    }
}

/// The application as `release`, with roster 2 built by `v2`.
fn app_with(release: &str, v2: fn() -> Roster) -> Result<Binary, BuildError> {
    let mut upgrades = UpgradeRegistry::new();
    let module = match release {
        "v1.0.0" => roster(1),
        "v2.0.0" => {
            upgrades.register(upgrade())?;
            v2()
        }
        other => return Err(format!("no release {other}").into()),
    };
    Ok(Binary {
        manager: ModuleManager::new(vec![Box::new(module)])?,
        upgrades,
    })
}

fn good(release: &str) -> Result<Binary, BuildError> {
    app_with(release, || roster(2))
}

fn members() -> Value {
    json!({"roster": {"members": ["ada", "bob", "cy"]}, "other_release_module": {}})
}

#[test]
fn the_harness_returns_the_state_before_and_after_and_what_ran() {
    let outcome = UpgradeTest::new(good)
        .app_state(members())
        .start_as("v1.0.0")
        .upgrade_to("v2.0.0")
        .cross_check()
        .run()
        .expect("run");
    assert_eq!(
        outcome.before.app_state["roster"],
        json!({"members": ["ada", "bob", "cy"]})
    );
    insta::assert_json_snapshot!(outcome.section("roster"), @r#"
    {
      "members": [
        {
          "name": "ada"
        },
        {
          "name": "bob"
        },
        {
          "name": "cy"
        }
      ]
    }
    "#);
    insta::assert_json_snapshot!(outcome.applied.migrations, @r#"
    {
      "steps": [
        {
          "module": "roster",
          "action": "migrated",
          "from": 1,
          "to": 2,
          "description": "rekey, count"
        }
      ]
    }
    "#);
    assert_eq!(outcome.applied.height, outcome.before.initial_height);
    assert_ne!(outcome.app_hash_before, outcome.app_hash_upgraded);
    let migrated = outcome.migrated.expect("cross-checked");
    assert_eq!(
        migrated.app_state["roster"],
        outcome.after.app_state["roster"]
    );
}

#[test]
fn a_json_migration_that_disagrees_with_the_store_migration_is_caught() {
    let err = UpgradeTest::new(|release: &str| {
        app_with(release, || Roster {
            json_migration: wrap_capitalised,
            ..roster(2)
        })
    })
    .app_state(members())
    .start_as("v1.0.0")
    .upgrade_to("v2.0.0")
    .cross_check()
    .run()
    .expect_err("the paths disagree");
    insta::assert_snapshot!(err, @r#"export(upgrade in place) and genesis migrate(export) differ at app_state.roster.members[0].name: "ada" vs "ADA"; the module's genesis JSON migrations and store migrations disagree"#);
}

#[test]
fn derived_state_built_differently_by_migration_and_init_genesis_is_caught() {
    let err = UpgradeTest::new(|release: &str| {
        app_with(release, || Roster {
            store_migration: rekey_only,
            ..roster(2)
        })
    })
    .app_state(members())
    .start_as("v1.0.0")
    .upgrade_to("v2.0.0")
    .cross_check()
    .run()
    .expect_err("the hashes differ");
    assert!(matches!(err, HarnessError::HashMismatch { .. }), "{err}");
    // Without the cross-check the same run passes: the export alone cannot
    // see state that genesis does not carry.
    UpgradeTest::new(|release: &str| {
        app_with(release, || Roster {
            store_migration: rekey_only,
            ..roster(2)
        })
    })
    .app_state(members())
    .start_as("v1.0.0")
    .upgrade_to("v2.0.0")
    .run()
    .expect("no cross-check");
}

#[test]
fn a_start_binary_that_already_holds_the_handler_is_reported() {
    let err = UpgradeTest::new(|release: &str| {
        let mut binary = good(release)?;
        if release == "v1.0.0" {
            binary.upgrades.register(upgrade())?;
        }
        Ok(binary)
    })
    .app_state(members())
    .start_as("v1.0.0")
    .upgrade_to("v2.0.0")
    .run()
    .expect_err("no halt");
    insta::assert_snapshot!(err, @"release v1.0.0 did not halt at height 2 for v2.0.0: it applied the upgrade itself (its binary holds the v2.0.0 handler); build each release with only its own and earlier upgrade handlers");
}

#[test]
fn missing_inputs_say_which_call_gives_them() {
    let err = UpgradeTest::new(good)
        .start_as("v1.0.0")
        .upgrade_to("v2.0.0")
        .run()
        .expect_err("no genesis");
    insta::assert_snapshot!(err, @"the upgrade test needs a genesis: call `.genesis(..), genesis_file(..) or app_state(..)` before `.run()`");
    let err = UpgradeTest::new(good)
        .app_state(members())
        .start_as("v1.0.0")
        .upgrade_to("v9.0.0")
        .run()
        .expect_err("unknown release");
    insta::assert_snapshot!(err, @"cannot build the application as release v9.0.0: no release v9.0.0");
    let err = UpgradeTest::new(good)
        .app_state(members())
        .start_as("v1.0.0")
        .upgrade_to("next")
        .run()
        .expect_err("not semver");
    insta::assert_snapshot!(err, @r#"the transaction scheduling next was rejected: upgrade plan name "next" is not a semver release such as v2.0.0: unexpected character 'n' while parsing major version number"#);
}

#[test]
fn a_real_chains_file_with_foreign_sections_runs_once_they_are_dropped() {
    let mut doc = upgrade_runtime::genesis::AppGenesis::new("real-1", serde_json::Map::new());
    doc.app_state
        .insert("roster".into(), members()["roster"].clone());
    doc.app_state
        .insert("staking".into(), json!({"params": {}}));
    doc.app_state.insert("gov".into(), json!({}));
    let refused = UpgradeTest::new(good)
        .genesis(doc.clone())
        .start_as("v1.0.0")
        .upgrade_to("v2.0.0")
        .run()
        .expect_err("unknown sections refused");
    assert!(
        refused
            .to_string()
            .contains("unknown sections staking, gov"),
        "{refused}"
    );
    let outcome = UpgradeTest::new(good)
        .genesis(doc)
        .drop_unknown_sections()
        .start_as("v1.0.0")
        .upgrade_to("v2.0.0")
        .cross_check()
        .run()
        .expect("run");
    assert!(outcome.before.app_state.get("staking").is_none());
    assert_eq!(
        outcome.before.app_state["roster"],
        json!({"members": ["ada", "bob", "cy"]})
    );
}
