//! `genesis::migrate`: chaining each module's genesis JSON migrations from
//! the versions a file records to a target's, across releases that add,
//! rename and delete stores; and every way it refuses, with messages that
//! name the module, the versions and the step.

use serde_json::{Map, Value, json};
use upgrade_runtime::genesis::{
    AppGenesis, GenesisMigrateError, GenesisStepAction, ReleaseStep, migrate,
};
use upgrade_runtime::upgrade::{ModuleRename, StoreRename, StoreUpgrades};
use upgrade_runtime::{
    ConfigError, Configurator, Context, GenesisMigrationHandler, Module, ModuleError,
    ModuleManager, ValidationError, VersionMap,
};

/// `names`: version 1 `{"names": ["a"]}`, version 2 `{"names": [{"name":
/// "a"}]}`, version 3 adds `"count": "1"`. Registers the genesis
/// migrations up to its version, or the ones it is given.
struct Names {
    version: u64,
    migrations: &'static [(u64, GenesisMigrationHandler)],
}

fn names(version: u64) -> Names {
    Names {
        version,
        migrations: &[(1, wrap_names), (2, add_count)],
    }
}

fn wrap_names(mut section: Value) -> Result<Value, ModuleError> {
    let list = section["names"]
        .as_array_mut()
        .ok_or_else(|| ModuleError::Rejected("names: expected an array".into()))?;
    for (i, name) in list.iter_mut().enumerate() {
        let Some(text) = name.as_str() else {
            return Err(ModuleError::Genesis(ValidationError::new(
                format!("names[{i}]"),
                "expected a string at version 1",
            )));
        };
        *name = json!({ "name": text });
    }
    Ok(section)
}

fn add_count(mut section: Value) -> Result<Value, ModuleError> {
    let count = section["names"].as_array().map_or(0, Vec::len);
    section["count"] = Value::String(count.to_string());
    Ok(section)
}

/// A broken 2 -> 3 migration: forgets the count its version requires.
fn forget_count(section: Value) -> Result<Value, ModuleError> {
    Ok(section)
}

impl Module for Names {
    fn name(&self) -> &'static str {
        "names"
    }
    fn consensus_version(&self) -> u64 {
        self.version
    }
    fn default_genesis(&self) -> Value {
        match self.version {
            1 | 2 => json!({"names": []}),
            _ => json!({"names": [], "count": "0"}),
        }
    }
    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        let list = genesis["names"]
            .as_array()
            .ok_or_else(|| ValidationError::new("names", "expected an array"))?;
        for (i, name) in list.iter().enumerate() {
            let ok = match self.version {
                1 => name.is_string(),
                _ => name["name"].is_string(),
            };
            if !ok {
                return Err(ValidationError::new(
                    format!("names[{i}]"),
                    format!("not a version {} name", self.version),
                ));
            }
        }
        if self.version >= 3 && genesis.get("count").is_none() {
            return Err(ValidationError::new("count", "missing"));
        }
        Ok(())
    }
    fn init_genesis(&self, _: &mut Context<'_>, _: &Value) -> Result<(), ModuleError> {
        Ok(())
    }
    fn export_genesis(&self, _: &Context<'_>) -> Result<Value, ModuleError> {
        Ok(self.default_genesis())
    }
    fn register_migrations(&self, cfg: &mut Configurator) -> Result<(), ConfigError> {
        for (from, handler) in self.migrations {
            if *from < self.version {
                cfg.register_genesis_migration("names", *from, "reshape names", *handler)?;
            }
        }
        Ok(())
    }
}

/// A module whose JSON is `{"v": n}` and never changes shape.
struct Plain(&'static str, u64);

impl Module for Plain {
    fn name(&self) -> &'static str {
        self.0
    }
    fn consensus_version(&self) -> u64 {
        self.1
    }
    fn default_genesis(&self) -> Value {
        json!({"v": "default"})
    }
    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        match genesis.get("v") {
            Some(Value::String(_)) => Ok(()),
            _ => Err(ValidationError::new("v", "expected a string")),
        }
    }
    fn init_genesis(&self, _: &mut Context<'_>, _: &Value) -> Result<(), ModuleError> {
        Ok(())
    }
    fn export_genesis(&self, _: &Context<'_>) -> Result<Value, ModuleError> {
        Ok(self.default_genesis())
    }
    fn register_migrations(&self, cfg: &mut Configurator) -> Result<(), ConfigError> {
        for from in 1..self.1 {
            cfg.register_genesis_migration(self.0, from, "unchanged", Ok)?;
        }
        Ok(())
    }
}

fn manager(modules: Vec<Box<dyn Module>>) -> ModuleManager {
    ModuleManager::new(modules).expect("manager")
}

fn versions(pairs: &[(&str, u64)]) -> VersionMap {
    pairs.iter().map(|(n, v)| ((*n).to_owned(), *v)).collect()
}

/// A file exported at height 41 by `names` 1, `keep` 1 and `gone` 1, with
/// one earlier release in its history.
fn file() -> AppGenesis {
    let mut app_state = Map::new();
    app_state.insert("names".into(), json!({"names": ["ada", "bob"]}));
    app_state.insert("keep".into(), json!({"v": "kept"}));
    app_state.insert("gone".into(), json!({"v": "doomed"}));
    app_state.insert(
        "upgrade".into(),
        json!({
            "module_versions": [
                {"name": "gone", "version": "1"},
                {"name": "keep", "version": "1"},
                {"name": "names", "version": "1"},
            ],
            "done": [{"name": "v0.9.0", "height": "7"}],
            "app_version": "1",
            "ledger": [{"name": "v0.9.0", "height": 7, "modules": [], "keys_touched": {}, "app_hash_before": "00"}],
        }),
    );
    let mut doc = AppGenesis::new("migrate-1", app_state);
    doc.initial_height = 42;
    doc
}

fn from_versions() -> VersionMap {
    versions(&[("gone", 1), ("keep", 1), ("names", 1)])
}

/// v2.0.0 deletes `gone`'s store and adds `fresh`; v3.0.0 changes no store.
fn v2_upgrades() -> StoreUpgrades {
    StoreUpgrades {
        added: vec!["fresh".into()],
        renamed: vec![],
        deleted: vec!["gone".into()],
        renamed_modules: vec![],
    }
}

fn target_v3() -> ModuleManager {
    manager(vec![
        Box::new(names(3)),
        Box::new(Plain("keep", 1)),
        Box::new(Plain("fresh", 1)),
    ])
}

#[test]
fn migrations_chain_across_releases_and_the_upgrade_section_records_them() {
    let (v2, v3) = (v2_upgrades(), StoreUpgrades::default());
    let target_versions = target_v3().version_map();
    let steps = [
        ReleaseStep {
            name: "v2.0.0",
            store_upgrades: &v2,
            versions: &target_versions,
        },
        ReleaseStep {
            name: "v3.0.0",
            store_upgrades: &v3,
            versions: &target_versions,
        },
    ];
    let (migrated, report) =
        migrate(file(), &from_versions(), &target_v3(), &steps).expect("migrate");
    assert_eq!(migrated.app_version, "v3.0.0");
    assert_eq!(migrated.initial_height, 42, "the height is the file's");
    // Sections in the target's registration order, `upgrade` last.
    insta::assert_json_snapshot!(Value::Object(migrated.app_state), @r#"
    {
      "names": {
        "names": [
          {
            "name": "ada"
          },
          {
            "name": "bob"
          }
        ],
        "count": "2"
      },
      "keep": {
        "v": "kept"
      },
      "fresh": {
        "v": "default"
      },
      "upgrade": {
        "module_versions": [
          {
            "name": "fresh",
            "version": "1"
          },
          {
            "name": "keep",
            "version": "1"
          },
          {
            "name": "names",
            "version": "3"
          }
        ],
        "done": [
          {
            "name": "v0.9.0",
            "height": "7"
          },
          {
            "name": "v2.0.0",
            "height": "42"
          },
          {
            "name": "v3.0.0",
            "height": "42"
          }
        ],
        "app_version": "3",
        "ledger": [
          {
            "name": "v0.9.0",
            "height": 7,
            "modules": []
          },
          {
            "name": "v2.0.0",
            "height": 42,
            "modules": [
              {
                "module": "fresh",
                "from": null,
                "to": 1
              },
              {
                "module": "gone",
                "from": 1,
                "to": null
              },
              {
                "module": "names",
                "from": 1,
                "to": 3
              }
            ]
          },
          {
            "name": "v3.0.0",
            "height": 42,
            "modules": []
          }
        ]
      }
    }
    "#);
    // What ran, in the migration order (sorted names; auth would go last).
    insta::assert_json_snapshot!(report.steps, @r#"
    [
      {
        "module": "gone",
        "action": "dropped",
        "version": 1,
        "release": "v2.0.0"
      },
      {
        "module": "fresh",
        "action": "added",
        "version": 1
      },
      {
        "module": "keep",
        "action": "unchanged",
        "version": 1
      },
      {
        "module": "names",
        "action": "migrated",
        "from": 1,
        "to": 2,
        "description": "reshape names"
      },
      {
        "module": "names",
        "action": "migrated",
        "from": 2,
        "to": 3,
        "description": "reshape names"
      }
    ]
    "#);
}

#[test]
fn a_renamed_module_moves_its_section_and_version() {
    // Module and store renamed together: both entries (see StoreUpgrades).
    let upgrades = StoreUpgrades {
        renamed: vec![StoreRename {
            old_key: "keep".into(),
            new_key: "kept".into(),
        }],
        deleted: vec!["gone".into()],
        added: vec![],
        renamed_modules: vec![ModuleRename {
            old_name: "keep".into(),
            new_name: "kept".into(),
        }],
    };
    let target = manager(vec![Box::new(names(1)), Box::new(Plain("kept", 2))]);
    let target_versions = target.version_map();
    let steps = [ReleaseStep {
        name: "v2.0.0",
        store_upgrades: &upgrades,
        versions: &target_versions,
    }];
    let (migrated, _) = migrate(file(), &from_versions(), &target, &steps).expect("migrate");
    assert_eq!(migrated.app_state["kept"], json!({"v": "kept"}));
    assert!(!migrated.app_state.contains_key("keep"));
}

/// Runs `migrate` of `file()` to `target` across one release with the v2
/// store upgrades, returning the error.
fn refuses(doc: AppGenesis, from: &VersionMap, target: ModuleManager) -> GenesisMigrateError {
    let upgrades = v2_upgrades();
    let target_versions = target.version_map();
    let steps = [ReleaseStep {
        name: "v2.0.0",
        store_upgrades: &upgrades,
        versions: &target_versions,
    }];
    match migrate(doc, from, &target, &steps) {
        Ok(_) => panic!("migrate should refuse"),
        Err(e) => e,
    }
}

#[test]
fn a_missing_step_names_module_and_step() {
    let target = manager(vec![
        Box::new(Names {
            version: 3,
            migrations: &[(1, wrap_names)],
        }),
        Box::new(Plain("keep", 1)),
        Box::new(Plain("fresh", 1)),
    ]);
    insta::assert_snapshot!(refuses(file(), &from_versions(), target), @r#"no genesis JSON migration registered for module "names" from version 2 to version 3 (the file has version 1, the target release version 3); register it with `Configurator::register_genesis_migration` in the module's `register_migrations`, next to the store migration of the same step"#);
}

#[test]
fn a_file_newer_than_the_target_is_refused() {
    let from = versions(&[("gone", 1), ("keep", 2), ("names", 1)]);
    let mut doc = file();
    doc.app_state.shift_remove("upgrade");
    let target = manager(vec![
        Box::new(names(1)),
        Box::new(Plain("keep", 1)),
        Box::new(Plain("fresh", 1)),
    ]);
    insta::assert_snapshot!(refuses(doc, &from, target), @r#"module "keep" is at version 2 in the file but at version 1 in the target release: genesis migrations only go forward; pick a target release at least as new as the file"#);
}

#[test]
fn a_module_the_target_lacks_leaves_with_its_section() {
    // As in place (Cosmos' RunMigrations): a module the release no longer
    // has leaves, whether or not a store upgrade names its store; that its
    // store goes too is the static release check's job.
    let target = manager(vec![Box::new(names(2)), Box::new(Plain("fresh", 1))]);
    let upgrades = StoreUpgrades::default();
    let target_versions = target.version_map();
    let steps = [ReleaseStep {
        name: "v2.0.0",
        store_upgrades: &upgrades,
        versions: &target_versions,
    }];
    let (migrated, report) = migrate(file(), &from_versions(), &target, &steps).expect("migrate");
    assert!(!migrated.app_state.contains_key("keep"));
    assert!(!migrated.app_state.contains_key("gone"));
    let dropped: Vec<&str> = report
        .steps
        .iter()
        .filter(|s| matches!(s.action, GenesisStepAction::Dropped { .. }))
        .map(|s| s.module.as_str())
        .collect();
    assert_eq!(dropped, ["gone", "keep"]);
}

#[test]
fn a_module_rename_needs_the_old_module_in_the_file() {
    let upgrades = StoreUpgrades {
        renamed_modules: vec![ModuleRename {
            old_name: "absent".into(),
            new_name: "kept".into(),
        }],
        ..StoreUpgrades::default()
    };
    let target = manager(vec![Box::new(names(1)), Box::new(Plain("kept", 1))]);
    let target_versions = target.version_map();
    let steps = [ReleaseStep {
        name: "v2.0.0",
        store_upgrades: &upgrades,
        versions: &target_versions,
    }];
    let err = migrate(file(), &from_versions(), &target, &steps).expect_err("refused");
    insta::assert_snapshot!(err, @r#"release v2.0.0 renames module "absent" to "kept", but the file has no "absent" section with a recorded version, or already has "kept""#);
}

#[test]
fn sections_and_recorded_versions_must_agree() {
    let mut doc = file();
    doc.app_state.shift_remove("upgrade");
    doc.app_state.insert("stray".into(), json!({}));
    insta::assert_snapshot!(refuses(doc, &from_versions(), target_v3()), @r#"invalid genesis: app_state.stray: the file has this section but records no version for module "stray", so there is no telling which migrations it needs"#);

    let mut doc = file();
    doc.app_state.shift_remove("keep");
    insta::assert_snapshot!(refuses(doc, &from_versions(), target_v3()), @"invalid genesis: app_state.keep: missing section (the file records version 1 for it)");

    let given = versions(&[("gone", 1), ("keep", 1), ("names", 2)]);
    insta::assert_snapshot!(refuses(file(), &given, target_v3()), @r#"the file records module versions {"gone": 1, "keep": 1, "names": 1} but the migration was asked to start from {"gone": 1, "keep": 1, "names": 2}; drop the versions you gave, or fix the file's app_state.upgrade.module_versions"#);

    let mut doc = file();
    doc.app_state["upgrade"]["module_versions"][2]["version"] = json!(1);
    insta::assert_snapshot!(refuses(doc, &from_versions(), target_v3()), @r#"invalid genesis: app_state.upgrade.module_versions[2].version: invalid type: integer `1`, expected a string"#);
}

#[test]
fn a_failing_or_wrong_migration_is_named() {
    let mut doc = file();
    doc.app_state["names"]["names"][1] = json!(7);
    insta::assert_snapshot!(refuses(doc, &from_versions(), target_v3()), @r#"while migrating the genesis section of module "names" from version 1 to version 2: invalid genesis section: names[1]: expected a string at version 1"#);

    let target = manager(vec![
        Box::new(Names {
            version: 3,
            migrations: &[(1, wrap_names), (2, forget_count)],
        }),
        Box::new(Plain("keep", 1)),
        Box::new(Plain("fresh", 1)),
    ]);
    insta::assert_snapshot!(refuses(file(), &from_versions(), target), @"the migrated document fails the target release's validation at app_state.names.count: missing; the genesis migrations of that module produce a section its own version refuses (a bug in the module)");
}

#[test]
fn a_release_already_in_the_history_is_refused() {
    let mut doc = file();
    doc.app_state["upgrade"]["done"] = json!([{"name": "v2.0.0", "height": "30"}]);
    insta::assert_snapshot!(refuses(doc, &from_versions(), target_v3()), @"invalid genesis: app_state.upgrade.done: release v2.0.0 is already recorded as applied (at height 30), yet the file's module versions are from before it");
}

#[test]
fn genesis_migration_registrations_are_checked_like_store_ones() {
    let mut cfg = Configurator::new();
    insta::assert_snapshot!(
        cfg.register_genesis_migration("bank", 0, "x", Ok).expect_err("from 0"),
        @r#"module "bank": migration versions start at 1, got a migration from version 0"#
    );
    cfg.register_genesis_migration("bank", 1, "x", Ok)
        .expect("first");
    insta::assert_snapshot!(
        cfg.register_genesis_migration("bank", 1, "y", Ok).expect_err("duplicate"),
        @r#"module "bank": another genesis JSON migration from version 1 is already registered"#
    );
    // The store registry is separate: the same step may have both.
    cfg.register_migration("bank", 1, "store", |_| Ok(()))
        .expect("store migration");
    assert_eq!(
        cfg.genesis_migrations()
            .map(|m| (m.module.as_str(), m.from, m.description.as_str()))
            .collect::<Vec<_>>(),
        [("bank", 1, "x")]
    );
}
