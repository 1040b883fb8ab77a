//! Why auth migrates last (Cosmos #10591/#10606): a module whose migration
//! reads auth accounts in their old format works under the default order
//! and fails with a clear error when auth migrates first.

mod common;

use serde_json::{Value, json};
use upgrade_runtime::store::{Layout, StateDelta, Storage};
use upgrade_runtime::{
    ConfigError, Configurator, Context, Module, ModuleError, ModuleManager, ValidationError,
    VersionMap,
};

/// Auth with vesting accounts. v1 keeps `v1/<name>` -> locked amount as a
/// decimal string; v2 keeps `v2/<name>` -> JSON `{"locked": n}`.
struct VestingAuth {
    version: u64,
}

/// Staking whose 1 -> 2 migration records each account's locked amount as
/// a delegation, reading auth in its v1 format.
struct Staking {
    version: u64,
}

fn auth_1_to_2(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
    let old: Vec<_> = ctx.own().prefix(b"v1/")?.collect::<Result<_, _>>()?;
    let mut store = ctx.store();
    for (key, value) in old {
        let name = key[3..].to_vec();
        let locked: u64 = String::from_utf8_lossy(&value).parse().unwrap_or(0);
        store.delete(key);
        store.set(
            [b"v2/".as_slice(), &name].concat(),
            json!({ "locked": locked }).to_string(),
        );
    }
    Ok(())
}

fn staking_1_to_2(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
    let auth = ctx.read("auth")?;
    if auth.prefix(b"v2/")?.next().is_some() {
        return Err(ModuleError::Rejected(
            "auth accounts are already in their v2 format: staking 1 -> 2 must run before auth 1 -> 2 (keep auth last in the migration order)".into(),
        ));
    }
    let accounts: Vec<_> = auth.prefix(b"v1/")?.collect::<Result<_, _>>()?;
    let mut store = ctx.store();
    for (key, value) in accounts {
        store.set([b"delegation/".as_slice(), &key[3..]].concat(), value);
    }
    Ok(())
}

impl Module for VestingAuth {
    fn name(&self) -> &'static str {
        "auth"
    }
    fn consensus_version(&self) -> u64 {
        self.version
    }
    fn default_genesis(&self) -> Value {
        json!({})
    }
    fn validate_genesis(&self, _: &Value) -> Result<(), ValidationError> {
        Ok(())
    }
    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
        for (name, locked) in genesis.as_object().into_iter().flatten() {
            ctx.store().set(format!("v1/{name}"), locked.to_string());
        }
        Ok(())
    }
    fn export_genesis(&self, _: &Context<'_>) -> Result<Value, ModuleError> {
        Ok(json!({}))
    }
    fn register_migrations(&self, cfg: &mut Configurator) -> Result<(), ConfigError> {
        cfg.register_migration("auth", 1, "vesting accounts to JSON", auth_1_to_2)
    }
}

impl Module for Staking {
    fn name(&self) -> &'static str {
        "staking"
    }
    fn consensus_version(&self) -> u64 {
        self.version
    }
    fn dependencies(&self) -> &'static [&'static str] {
        &["auth"]
    }
    fn default_genesis(&self) -> Value {
        json!({})
    }
    fn validate_genesis(&self, _: &Value) -> Result<(), ValidationError> {
        Ok(())
    }
    fn init_genesis(&self, _: &mut Context<'_>, _: &Value) -> Result<(), ModuleError> {
        Ok(())
    }
    fn export_genesis(&self, _: &Context<'_>) -> Result<Value, ModuleError> {
        Ok(json!({}))
    }
    fn register_migrations(&self, cfg: &mut Configurator) -> Result<(), ConfigError> {
        cfg.register_migration(
            "staking",
            1,
            "delegations from vesting accounts",
            staking_1_to_2,
        )
    }
}

fn manager(version: u64) -> ModuleManager {
    ModuleManager::new(vec![
        Box::new(VestingAuth { version }),
        Box::new(Staking { version }),
    ])
    .expect("valid modules")
}

/// Runs the v1 -> v2 migrations over a v1 state with two vesting accounts.
fn upgrade(order: Option<&[&str]>) -> Result<Vec<(String, String)>, String> {
    let storage = Storage::in_memory(Layout::V1).expect("storage");
    let mut delta = StateDelta::new(storage.snapshot().expect("snapshot"));
    let genesis = json!({"auth": {"alice": 100, "bob": 7}, "staking": {}});
    manager(1)
        .init_genesis(&mut delta, genesis.as_object().expect("object"), 0)
        .expect("init");
    let mut v2 = manager(2);
    if let Some(order) = order {
        v2.set_order_migrations(order).expect("valid order");
    }
    let from: VersionMap = [("auth".to_owned(), 1), ("staking".to_owned(), 1)]
        .into_iter()
        .collect();
    let cfg = v2.configurator().expect("configurator");
    v2.run_migrations(&mut delta, &cfg, &from, 5)
        .map_err(|e| e.to_string())?;
    Ok(common::dump(&delta, "staking"))
}

#[test]
fn default_order_runs_auth_last_so_staking_reads_the_old_format() {
    let delegations = upgrade(None).expect("the default order works");
    assert_eq!(
        delegations,
        [
            ("delegation/alice".to_owned(), "100".to_owned()),
            ("delegation/bob".to_owned(), "7".to_owned())
        ]
    );
}

#[test]
fn auth_first_fails_with_a_clear_error_and_names_the_step() {
    let err = upgrade(Some(&["auth", "staking"])).expect_err("auth first must fail");
    insta::assert_snapshot!(err, @r#"while migrating module "staking" from version 1 to version 2: auth accounts are already in their v2 format: staking 1 -> 2 must run before auth 1 -> 2 (keep auth last in the migration order)"#);
}
