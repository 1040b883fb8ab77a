//! The v1.0.0 -> v2.0.0 upgrade, through the runtime's testing harness: a
//! v1.0.0 chain with something in every module, the upgrade applied in
//! place, and the result cross-checked against `genesis migrate` of the
//! export at the halt. Snapshots live in `examples/counter-chain/snapshots`;
//! the facts they should show are also asserted, so a snapshot accepted by
//! mistake still fails.

use serde_json::{Value, json};
use upgrade_runtime::testing::{Binary, BuildError, HarnessError, UpgradeTest, insta_settings};
use upgrade_runtime::{
    ConfigError, Configurator, Context, Module, ModuleError, ModuleManager, ValidationError,
};

/// The chain as release `name`.
fn app(name: &str) -> Result<Binary, BuildError> {
    let binary = counter_chain::releases().binary(name);
    Ok(binary.ok_or_else(|| format!("unknown release {name}"))??)
}

fn settings() -> insta::Settings {
    insta_settings(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"))
}

/// A v1.0.0 genesis with state in every module. Counters and notes are not
/// in key order: the export sorts them, and both upgrade paths start from
/// that export.
fn v1_app_state() -> Value {
    json!({
        "ledger": {"counters": [
            {"name": "dave", "value": "7"},
            {"name": "alice", "value": "12"},
            {"name": "bob", "value": "0"},
            {"name": "carol", "value": "18446744073709551615"}
        ]},
        "notes": {"notes": [
            {"title": "welcome", "body": "hello, chain"},
            {"title": "todo", "body": "ship v2.0.0"}
        ]},
        "clock": {"began_at": "0", "blocks": "0"},
        "legacy": {"items": ["x", "y", "z"]}
    })
}

/// v1.0.0 to v2.0.0 from [`v1_app_state`], cross-checked.
fn upgrade(blocks_after: u64) -> upgrade_runtime::testing::UpgradeOutcome {
    UpgradeTest::new(app)
        .app_state(v1_app_state())
        .start_as("v1.0.0")
        .upgrade_to("v2.0.0")
        .blocks_after(blocks_after)
        .cross_check()
        .run()
        .expect("v1.0.0 -> v2.0.0 upgrade test")
}

#[test]
fn releases_pass_the_static_check() {
    assert_eq!(counter_chain::releases().check(), vec![]);
}

#[test]
fn v2_0_0_migrates_every_module() {
    let outcome = upgrade(0);
    let before = &outcome.before.app_state;

    // ledger: the same amounts, re-keyed and re-spelled, in name order.
    assert_eq!(
        outcome.section("ledger"),
        Some(&json!({"entries": [
            {"owner": "alice", "amount": "12"},
            {"owner": "bob", "amount": "0"},
            {"owner": "carol", "amount": "18446744073709551615"},
            {"owner": "dave", "amount": "7"}
        ]}))
    );
    // notes: its store moved to `memo`, and the module reads it there.
    assert_eq!(outcome.section("notes"), before.get("notes"));
    assert_eq!(
        outcome.section("notes"),
        Some(&json!({"notes": [
            {"title": "todo", "body": "ship v2.0.0"},
            {"title": "welcome", "body": "hello, chain"}
        ]}))
    );
    assert_eq!(outcome.applied.store_upgrades.keys_renamed, 2);
    // legacy: the section and the store's one key are gone.
    assert!(before.contains_key("legacy"));
    assert_eq!(outcome.section("legacy"), None);
    assert_eq!(outcome.applied.store_upgrades.keys_deleted, 1);
    assert!(!outcome.applied.to_versions.contains("legacy"));
    // rewards: InitGenesis from its default genesis, then one EndBlock.
    assert_eq!(
        outcome.after_upgrade.app_state.get("rewards"),
        Some(&counter_chain::rewards::Rewards.default_genesis())
    );
    assert_eq!(
        outcome.section("rewards"),
        Some(&json!({"per_block": "10", "minted": "10"}))
    );
    // clock: block 1 ran on v1.0.0; block 2 (the upgrade) on v2.0.0.
    assert_eq!(
        before.get("clock"),
        Some(&json!({"began_at": "1", "blocks": "1"}))
    );
    assert_eq!(
        outcome.section("clock"),
        Some(&json!({"began_at": "2", "blocks": "2"}))
    );

    settings().bind(|| {
        insta::assert_json_snapshot!("v2_0_0_app_state", outcome.app_state());
        insta::assert_json_snapshot!("v2_0_0_applied", outcome.applied);
    });
}

#[test]
fn v2_0_0_hooks_keep_running_after_the_upgrade() {
    let outcome = upgrade(2);
    // Blocks 3 and 4 after the upgrade block 2: both hooks ran in each.
    assert_eq!(
        outcome.section("clock"),
        Some(&json!({"began_at": "4", "blocks": "4"}))
    );
    assert_eq!(
        outcome.section("rewards"),
        Some(&json!({"per_block": "10", "minted": "30"}))
    );
    settings().bind(|| {
        let hooks = json!({
            "clock": outcome.section("clock"),
            "rewards": outcome.section("rewards"),
        });
        insta::assert_json_snapshot!("v2_0_0_after_two_blocks", hooks);
    });
}

/// The v2 ledger with a wrong genesis JSON migration (it forgets every
/// amount) next to the real store migration: what the cross-check exists
/// to catch.
struct ForgetfulLedger(Box<dyn Module>);

fn forget_amounts(section: Value) -> Result<Value, ModuleError> {
    let counters = section["counters"].as_array().cloned().unwrap_or_default();
    let entries: Vec<Value> = counters
        .iter()
        .map(|c| json!({"owner": c["name"], "amount": "0"}))
        .collect();
    Ok(json!({"entries": entries}))
}

impl Module for ForgetfulLedger {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn consensus_version(&self) -> u64 {
        self.0.consensus_version()
    }
    fn default_genesis(&self) -> Value {
        self.0.default_genesis()
    }
    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        self.0.validate_genesis(genesis)
    }
    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
        self.0.init_genesis(ctx, genesis)
    }
    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
        self.0.export_genesis(ctx)
    }
    fn register_migrations(&self, cfg: &mut Configurator) -> Result<(), ConfigError> {
        let mut real = Configurator::new();
        self.0.register_migrations(&mut real)?;
        for m in real.migrations() {
            cfg.register_migration(&m.module, m.from, &m.description, m.handler)?;
        }
        for g in real.genesis_migrations() {
            cfg.register_genesis_migration(&g.module, g.from, "forgets amounts", forget_amounts)?;
        }
        Ok(())
    }
}

/// The chain, with v2.0.0's ledger replaced by [`ForgetfulLedger`].
fn forgetful_app(name: &str) -> Result<Binary, BuildError> {
    let mut binary = app(name)?;
    if name == "v2.0.0" {
        let release = counter_chain::releases().get(name).copied();
        let modules = (release.ok_or("no v2.0.0")?.modules)()
            .into_iter()
            .map(|m| match m.name() {
                counter_chain::ledger::NAME => Box::new(ForgetfulLedger(m)) as Box<dyn Module>,
                _ => m,
            })
            .collect();
        binary.manager = ModuleManager::new(modules)?;
    }
    Ok(binary)
}

#[test]
fn cross_check_catches_a_wrong_genesis_migration() {
    let result = UpgradeTest::new(forgetful_app)
        .app_state(v1_app_state())
        .start_as("v1.0.0")
        .upgrade_to("v2.0.0")
        .cross_check()
        .run();
    match result {
        Err(HarnessError::CrossCheck { difference }) => {
            assert!(
                difference.contains("app_state.ledger.entries[0].amount"),
                "{difference}"
            );
        }
        other => panic!("expected a cross-check failure, got {other:?}"),
    }
    // Without the cross-check, the in-place upgrade alone succeeds: only
    // the export -> `genesis migrate` path is wrong.
    UpgradeTest::new(forgetful_app)
        .app_state(v1_app_state())
        .start_as("v1.0.0")
        .upgrade_to("v2.0.0")
        .run()
        .expect("the in-place upgrade is right");
}
