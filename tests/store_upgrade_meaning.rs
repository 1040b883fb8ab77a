//! One meaning of store upgrades on both upgrade paths: for each case
//! (a store added with its new module, a store renamed under a module
//! that keeps its name, a module renamed with its store, the store of a
//! removed module named unlike it), the in-place upgrade and `genesis
//! migrate` of the export reach the same state and app hash (the harness
//! cross-check), and the static release check agrees. A module writing in
//! both BeginBlock and EndBlock rides along in every case: the cross-check
//! compares the state right after the upgrade, before the block's hooks.
#![cfg(feature = "testing")]

mod common;

use common::kv;
use serde_json::{Value, json};
use upgrade_runtime::testing::{BuildError, HarnessError, UpgradeOutcome, UpgradeTest};
use upgrade_runtime::upgrade::{ModuleRename, StoreRename, StoreUpgrades, Upgrade};
use upgrade_runtime::{
    Context, Module, ModuleError, Release, ReleaseChain, ValidationError, VersionMap,
};

/// Writes the height in BeginBlock and counts blocks in EndBlock.
struct Ticker;

fn read(ctx: &Context<'_>, key: &str) -> Result<u64, ModuleError> {
    let bytes = ctx.own().get(key.as_bytes())?.unwrap_or_default();
    Ok(String::from_utf8_lossy(&bytes).parse().unwrap_or(0))
}

impl Module for Ticker {
    fn name(&self) -> &'static str {
        "ticker"
    }
    fn consensus_version(&self) -> u64 {
        1
    }
    fn default_genesis(&self) -> Value {
        json!({"began_at": "0", "blocks": "0"})
    }
    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        for field in ["began_at", "blocks"] {
            if genesis[field]
                .as_str()
                .and_then(|s| s.parse::<u64>().ok())
                .is_none()
            {
                return Err(ValidationError::new(field, "expected a decimal string"));
            }
        }
        Ok(())
    }
    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
        self.validate_genesis(genesis)?;
        for field in ["began_at", "blocks"] {
            let value = genesis[field].as_str().unwrap_or_default().to_owned();
            ctx.store()
                .set(field.as_bytes().to_vec(), value.into_bytes());
        }
        Ok(())
    }
    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
        Ok(json!({
            "began_at": read(ctx, "began_at")?.to_string(),
            "blocks": read(ctx, "blocks")?.to_string(),
        }))
    }
    fn begin_block(&self, ctx: &mut Context<'_>) -> Result<(), ModuleError> {
        let height = ctx.height().to_string();
        ctx.store().set(b"began_at".to_vec(), height.into_bytes());
        Ok(())
    }
    fn end_block(&self, ctx: &mut Context<'_>) -> Result<(), ModuleError> {
        let blocks = (read(ctx, "blocks")? + 1).to_string();
        ctx.store().set(b"blocks".to_vec(), blocks.into_bytes());
        Ok(())
    }
}

fn run_all() -> fn(
    &mut upgrade_runtime::upgrade::UpgradeContext<'_>,
    &upgrade_runtime::upgrade::Plan,
    VersionMap,
) -> Result<VersionMap, upgrade_runtime::upgrade::UpgradeError> {
    |ctx, _, from| ctx.run_migrations(from)
}

/// Runs v1.0.0 -> v2.0.0 of `chain` from `app_state` with the cross-check,
/// after checking the chain statically.
fn both_paths(chain: ReleaseChain, app_state: Value) -> Result<UpgradeOutcome, HarnessError> {
    assert_eq!(chain.check(), Vec::new(), "the static check must pass");
    let build = move |name: &str| -> Result<_, BuildError> {
        Ok(chain.binary(name).ok_or("unknown release")??)
    };
    UpgradeTest::new(build)
        .app_state(app_state)
        .start_as("v1.0.0")
        .upgrade_to("v2.0.0")
        .blocks_after(1)
        .cross_check()
        .run()
}

fn entries(pairs: &[(&str, &str)]) -> Value {
    let map: serde_json::Map<String, Value> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect();
    json!({ "entries": map })
}

#[test]
fn an_added_store_brings_its_new_module_with_init_genesis() {
    let chain = ReleaseChain::new(vec![
        Release::genesis("v1.0.0", || vec![Box::new(kv("alpha")), Box::new(Ticker)]),
        Release::upgrade(
            "v2.0.0",
            || {
                vec![
                    Box::new(kv("alpha")),
                    Box::new(kv("fresh")),
                    Box::new(Ticker),
                ]
            },
            || Upgrade {
                name: "v2.0.0".into(),
                store_upgrades: StoreUpgrades {
                    added: vec!["fresh".into()],
                    ..StoreUpgrades::default()
                },
                handler: run_all(),
            },
        ),
    ]);
    let outcome = both_paths(chain, json!({"alpha": entries(&[("a", "1")])})).expect("both paths");
    assert_eq!(outcome.section("fresh"), Some(&entries(&[("k", "v")])));
    assert_eq!(outcome.section("alpha"), Some(&entries(&[("a", "1")])));
    // The hooks ran in the upgrade block and the one after, but not before
    // the state the two paths are compared on.
    let ticker = |doc: &upgrade_runtime::genesis::AppGenesis| doc.app_state["ticker"].clone();
    let upgrade_height = outcome.applied.height;
    assert_eq!(
        ticker(&outcome.after_upgrade)["began_at"],
        (upgrade_height - 1).to_string()
    );
    assert_eq!(
        ticker(&outcome.after)["began_at"],
        (upgrade_height + 1).to_string()
    );
    assert_ne!(outcome.app_hash_after_upgrade, outcome.app_hash_upgraded);
}

#[test]
fn a_renamed_store_moves_its_keys_and_the_module_keeps_name_and_version() {
    let chain = ReleaseChain::new(vec![
        Release::genesis("v1.0.0", || vec![Box::new(kv("notes")), Box::new(Ticker)]),
        Release::upgrade(
            "v2.0.0",
            || vec![Box::new(kv("notes").store("memo")), Box::new(Ticker)],
            || Upgrade {
                name: "v2.0.0".into(),
                store_upgrades: StoreUpgrades {
                    renamed: vec![StoreRename {
                        old_key: "notes".into(),
                        new_key: "memo".into(),
                    }],
                    ..StoreUpgrades::default()
                },
                handler: run_all(),
            },
        ),
    ]);
    let notes = entries(&[("n1", "buy milk"), ("n2", "call ada")]);
    let outcome = both_paths(chain, json!({"notes": notes})).expect("both paths");
    // The module reads its data through the new store; its section and
    // version stay as they were (no InitGenesis over the moved keys).
    assert_eq!(outcome.section("notes"), Some(&notes));
    assert_eq!(outcome.applied.store_upgrades.keys_renamed, 2);
    assert_eq!(outcome.applied.to_versions.get("notes"), Some(1));
    let actions = serde_json::to_value(&outcome.applied.migrations).expect("json");
    assert_eq!(
        actions["steps"],
        json!([
            {"module": "notes", "action": "unchanged", "version": 1},
            {"module": "ticker", "action": "unchanged", "version": 1},
        ])
    );
}

#[test]
fn a_module_renamed_with_its_store_carries_its_version_and_section() {
    let chain = ReleaseChain::new(vec![
        Release::genesis("v1.0.0", || vec![Box::new(kv("names")), Box::new(Ticker)]),
        Release::upgrade(
            "v2.0.0",
            || vec![Box::new(kv("people")), Box::new(Ticker)],
            || Upgrade {
                name: "v2.0.0".into(),
                store_upgrades: StoreUpgrades {
                    renamed: vec![StoreRename {
                        old_key: "names".into(),
                        new_key: "people".into(),
                    }],
                    renamed_modules: vec![ModuleRename {
                        old_name: "names".into(),
                        new_name: "people".into(),
                    }],
                    ..StoreUpgrades::default()
                },
                handler: run_all(),
            },
        ),
    ]);
    let names = entries(&[("ada", "lovelace"), ("alan", "turing")]);
    let outcome = both_paths(chain, json!({"names": names})).expect("both paths");
    assert_eq!(outcome.section("people"), Some(&names));
    assert_eq!(outcome.section("names"), None);
    let versions: Vec<(String, u64)> = outcome
        .applied
        .to_versions
        .iter()
        .map(|(m, v)| (m.to_owned(), v))
        .collect();
    assert_eq!(
        versions,
        [("people".to_owned(), 1), ("ticker".to_owned(), 1)]
    );
}

#[test]
fn deleting_the_store_of_a_module_named_unlike_it_drops_that_module() {
    let chain = ReleaseChain::new(vec![
        Release::genesis("v1.0.0", || {
            vec![
                Box::new(kv("alpha")),
                Box::new(kv("legacy").store("old_stuff")),
                Box::new(Ticker),
            ]
        }),
        Release::upgrade(
            "v2.0.0",
            || vec![Box::new(kv("alpha")), Box::new(Ticker)],
            || Upgrade {
                name: "v2.0.0".into(),
                store_upgrades: StoreUpgrades {
                    deleted: vec!["old_stuff".into()],
                    ..StoreUpgrades::default()
                },
                handler: run_all(),
            },
        ),
    ]);
    let state =
        json!({"alpha": entries(&[("a", "1")]), "legacy": entries(&[("x", "1"), ("y", "2")])});
    let outcome = both_paths(chain, state).expect("both paths");
    assert_eq!(outcome.section("legacy"), None);
    assert_eq!(outcome.applied.store_upgrades.keys_deleted, 2);
    assert_eq!(outcome.applied.to_versions.get("legacy"), None);
    assert_eq!(outcome.applied.from_versions.get("legacy"), Some(1));
}

#[test]
fn the_static_check_names_a_store_change_without_its_store_upgrade() {
    // The module keeps its name but its store changes, and nothing moves
    // the keys: it would read an empty store after the upgrade.
    let unmoved = ReleaseChain::new(vec![
        Release::genesis("v1.0.0", || vec![Box::new(kv("notes"))]),
        Release::upgrade(
            "v2.0.0",
            || vec![Box::new(kv("notes").store("memo"))],
            || Upgrade {
                name: "v2.0.0".into(),
                store_upgrades: StoreUpgrades::default(),
                handler: run_all(),
            },
        ),
    ]);
    // Module and store renamed, but only the store rename declared: the
    // new name would start from its default genesis over the moved keys.
    let module_rename_missing = ReleaseChain::new(vec![
        Release::genesis("v1.0.0", || vec![Box::new(kv("names"))]),
        Release::upgrade(
            "v2.0.0",
            || vec![Box::new(kv("people"))],
            || Upgrade {
                name: "v2.0.0".into(),
                store_upgrades: StoreUpgrades {
                    renamed: vec![StoreRename {
                        old_key: "names".into(),
                        new_key: "people".into(),
                    }],
                    ..StoreUpgrades::default()
                },
                handler: run_all(),
            },
        ),
    ]);
    let text = |chain: &ReleaseChain| -> Vec<String> {
        chain.check().iter().map(ToString::to_string).collect()
    };
    assert_eq!(
        text(&unmoved),
        [
            "release v2.0.0: module \"notes\" keeps its state but its store changes from \"notes\" to \"memo\", and the release does not rename that store"
        ]
    );
    assert_eq!(
        text(&module_rename_missing),
        [
            "release v2.0.0: module \"people\" is new but its store \"people\" is not in the release's added stores"
        ]
    );
}

#[test]
fn the_static_check_refuses_a_rename_that_would_empty_or_mix_live_stores() {
    let chain = ReleaseChain::new(vec![
        Release::genesis("v1.0.0", || {
            vec![Box::new(kv("alpha")), Box::new(kv("beta"))]
        }),
        Release::upgrade(
            "v2.0.0",
            || vec![Box::new(kv("alpha")), Box::new(kv("beta"))],
            || Upgrade {
                name: "v2.0.0".into(),
                store_upgrades: StoreUpgrades {
                    renamed: vec![StoreRename {
                        old_key: "alpha".into(),
                        new_key: "beta".into(),
                    }],
                    ..StoreUpgrades::default()
                },
                handler: run_all(),
            },
        ),
    ]);
    let problems: Vec<String> = chain.check().iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "release v2.0.0: store rename \"alpha\" -> \"beta\": a module of this release still uses the old store, which would be emptied"
        ]
    );
}
