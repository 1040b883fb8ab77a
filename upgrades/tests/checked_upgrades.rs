//! Pre/post upgrade checks: a deliberately wrong migration (it drops one
//! balance) is caught by the bank's post-check, reported by module and
//! version, and nothing is committed when the node runs checked upgrades.

mod common;

use common::*;

use app_modules::auth::Auth;
use app_modules::bank::{Bank, CONSERVES_BALANCES};
use app_modules::crisis::Crisis;
use app_modules::feegrant::FeeGrant;
use app_upgrades::release;
use serde_json::Value;
use upgrade_runtime::app::{App, AppConfig};
use upgrade_runtime::genesis::AppGenesis;
use upgrade_runtime::store::{KeyRange, Layout, StateRead, Storage};
use upgrade_runtime::upgrade::{Plan, dry_run};
use upgrade_runtime::{
    ConfigError, Configurator, Context, Module, ModuleError, ModuleManager, ValidationError,
};

/// Bank v2 whose 1 -> 2 migration loses a balance instead of re-keying.
struct DroppingBank(Bank);

fn drop_one_balance(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
    let first = ctx.own().prefix(b"balances/")?.next().transpose()?;
    if let Some((key, _)) = first {
        ctx.store().delete(key);
    }
    Ok(())
}

impl Module for DroppingBank {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn consensus_version(&self) -> u64 {
        self.0.consensus_version()
    }
    fn dependencies(&self) -> &'static [&'static str] {
        self.0.dependencies()
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
        cfg.register_checked_migration(
            "bank",
            1,
            "a wrong re-key that drops a balance",
            drop_one_balance,
            CONSERVES_BALANCES,
        )
    }
}

fn bad_v2() -> ModuleManager {
    ModuleManager::new(vec![
        Box::new(Auth::new(2)),
        Box::new(DroppingBank(Bank::new(2))),
        Box::new(FeeGrant::new()),
    ])
    .expect("manager")
}

fn app(storage: Storage, manager: ModuleManager, registry_of: &str, checked: bool) -> App {
    let config = AppConfig {
        checked_upgrades: checked,
        ..config()
    };
    node_with(storage, manager, registry_of, config)
}

/// A v1.0.0 chain halted at the v2.0.0 height 3.
fn halted_v1() -> App {
    let v1 = ModuleManager::new(vec![
        Box::new(Auth::new(1)),
        Box::new(Bank::new(1)),
        Box::new(Crisis::new()),
    ])
    .expect("v1");
    let generated = app_modules::genesis::generate(10, 2);
    let app_state = ["auth", "bank", "crisis"]
        .iter()
        .map(|m| ((*m).to_owned(), generated[*m].clone()))
        .collect();
    let mut app = app(
        Storage::in_memory(Layout::V1).expect("storage"),
        v1,
        "v1.0.0",
        false,
    );
    app.init_chain(&AppGenesis::new("checks-1", app_state))
        .expect("init");
    let (_, outcomes) = app
        .execute_block(&[schedule("v2.0.0", 3)])
        .expect("block 1");
    assert_eq!(outcomes[0].code, 0);
    app.execute_block(&[]).expect("block 2");
    app
}

/// Every key and value of every store the chain has used.
fn dump(app: &App) -> Vec<(String, Vec<u8>, Vec<u8>)> {
    let snapshot = app.snapshot().expect("snapshot");
    let mut out = Vec::new();
    for store in ["auth", "bank", "crisis", "feegrant", "upgrade"] {
        for item in snapshot.range(store, KeyRange::all()).expect("range") {
            let (k, v) = item.expect("item");
            out.push((store.to_owned(), k, v));
        }
    }
    out
}

#[test]
fn a_wrong_migration_is_caught_by_its_post_check_and_nothing_is_committed() {
    let v1 = halted_v1();
    let before = v1.last_commit();
    let dump_before = dump(&v1);

    // The dry run reports it, naming module and versions.
    let upgrade = (release("v2.0.0").expect("v2").upgrade.expect("upgrade"))();
    let manager = bad_v2();
    let cfg = manager.configurator().expect("cfg");
    let plan = Plan {
        name: "v2.0.0".into(),
        height: 3,
        info: String::new(),
    };
    let snapshot = v1.snapshot().expect("snapshot");
    let err = dry_run(
        &snapshot,
        v1.storage().lattice(),
        &manager,
        &cfg,
        &upgrade,
        &plan,
    )
    .expect_err("caught");
    let message = err.to_string();
    let balances = message
        .split("changed from ")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    insta::assert_snapshot!(message.replace(&balances, "N to N-1"), @r#"upgrade handler "v2.0.0" failed at height 3: post-check of module "bank" migration 1 -> 2 failed: the number of balances changed from N to N-1"#);

    // Under checked upgrades the node refuses to commit the upgrade block.
    let mut checked = app(v1.into_storage(), bad_v2(), "v2.0.0", true);
    let err = checked.begin_block().err().expect("refused").to_string();
    assert!(
        err.contains(r#"post-check of module "bank" migration 1 -> 2 failed"#),
        "{err}"
    );
    assert_eq!(checked.last_commit(), before);
    assert_eq!(dump(&checked), dump_before);

    // Without checks the same binary would have committed the loss.
    let mut unchecked = app(checked.into_storage(), bad_v2(), "v2.0.0", false);
    let block = unchecked.begin_block().expect("applied without checks");
    assert!(block.applied_upgrade().is_some());
}

#[test]
fn the_shipped_bank_checks_pass_on_the_real_migrations() {
    let v1 = halted_v1();
    let v2 = release("v2.0.0").expect("v2").manager().expect("manager");
    let mut checked = app(v1.into_storage(), v2, "v2.0.0", true);
    let (info, _) = checked
        .execute_block(&[])
        .expect("the real 1 -> 2 passes its checks");
    assert_eq!(info.height, 3);
}
