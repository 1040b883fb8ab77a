//! Tiny test modules and helpers shared by the runtime's integration tests.
//!
//! [`Kv`] is one configurable key-value module: its genesis is
//! `{"entries":{"k":"v"}}`, it can declare dependencies, fail its EndBlock at
//! a configured height after writing, and register migrations built from the
//! handlers below (one rewrites keys, one fails halfway after writing).
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use upgrade_runtime::app::{App, AppConfig};
use upgrade_runtime::genesis::AppGenesis;
use upgrade_runtime::store::{KeyRange, Layout, StateRead, Storage};
use upgrade_runtime::upgrade::{
    MSG_SOFTWARE_UPGRADE, Plan, StoreUpgrades, Upgrade, UpgradeContext, UpgradeError,
    UpgradeHandler, UpgradeRegistry,
};
use upgrade_runtime::{
    ConfigError, Configurator, Context, MigrationHandler, Module, ModuleError, ModuleManager, Msg,
    Tx, ValidationError, VersionMap,
};

/// The address allowed to schedule upgrades in every test app.
pub const AUTHORITY: &str = "authority";

/// Insta settings writing under `snapshots/<file>/`, without module prefixes.
pub fn insta_settings(file: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!("{}/snapshots/{file}", env!("CARGO_MANIFEST_DIR")));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_sort_maps(true);
    settings
}

/// A configurable key-value module.
#[derive(Clone)]
pub struct Kv {
    pub name: &'static str,
    pub store: &'static str,
    pub version: u64,
    pub deps: &'static [&'static str],
    pub msgs: &'static [&'static str],
    pub fail_end_block_at: Option<u64>,
    pub record_height: bool,
    pub migrations: &'static [(u64, &'static str, MigrationHandler)],
    /// Registered as given, to exercise the configurator's checks.
    pub raw_migrations: &'static [(u64, MigrationHandler)],
}

/// A `Kv` module named `name`, store `name`, version 1, nothing else.
pub fn kv(name: &'static str) -> Kv {
    Kv {
        name,
        store: name,
        version: 1,
        deps: &[],
        msgs: &[],
        fail_end_block_at: None,
        record_height: false,
        migrations: &[],
        raw_migrations: &[],
    }
}

impl Kv {
    pub fn store(mut self, store: &'static str) -> Self {
        self.store = store;
        self
    }
    pub fn version(mut self, version: u64) -> Self {
        self.version = version;
        self
    }
    pub fn deps(mut self, deps: &'static [&'static str]) -> Self {
        self.deps = deps;
        self
    }
    pub fn msgs(mut self, msgs: &'static [&'static str]) -> Self {
        self.msgs = msgs;
        self
    }
    pub fn fail_end_block_at(mut self, height: u64) -> Self {
        self.fail_end_block_at = Some(height);
        self
    }
    pub fn record_height(mut self) -> Self {
        self.record_height = true;
        self
    }
    pub fn migrations(mut self, m: &'static [(u64, &'static str, MigrationHandler)]) -> Self {
        self.migrations = m;
        self
    }
    pub fn raw_migrations(mut self, m: &'static [(u64, MigrationHandler)]) -> Self {
        self.raw_migrations = m;
        self
    }
}

fn text(bytes: Vec<u8>, store: &str, key: &[u8]) -> Result<String, ModuleError> {
    String::from_utf8(bytes).map_err(|_| ModuleError::corrupt(store, key, "not UTF-8"))
}

impl Module for Kv {
    fn name(&self) -> &'static str {
        self.name
    }

    fn consensus_version(&self) -> u64 {
        self.version
    }

    fn store_name(&self) -> &'static str {
        self.store
    }

    fn dependencies(&self) -> &'static [&'static str] {
        self.deps
    }

    fn default_genesis(&self) -> Value {
        json!({"entries": {"k": "v"}})
    }

    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        let entries = genesis
            .get("entries")
            .and_then(Value::as_object)
            .ok_or_else(|| ValidationError::new("entries", "expected an object"))?;
        for (key, value) in entries {
            if !value.is_string() {
                return Err(ValidationError::new(
                    format!("entries.{key}"),
                    "expected a string",
                ));
            }
        }
        Ok(())
    }

    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
        self.validate_genesis(genesis)?;
        let mut store = ctx.store();
        for (key, value) in genesis["entries"].as_object().into_iter().flatten() {
            store.set(
                key.as_bytes(),
                value.as_str().unwrap_or_default().as_bytes(),
            );
        }
        Ok(())
    }

    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
        let own = ctx.own();
        let mut entries = Map::new();
        for item in own.range(KeyRange::all())? {
            let (key, value) = item?;
            let value = text(value, own.name(), &key)?;
            entries.insert(text(key.clone(), own.name(), &key)?, Value::String(value));
        }
        Ok(json!({ "entries": entries }))
    }

    fn register_migrations(&self, cfg: &mut Configurator) -> Result<(), ConfigError> {
        for (from, description, handler) in self.migrations {
            cfg.register_migration(self.name, *from, description, *handler)?;
        }
        for (from, handler) in self.raw_migrations {
            cfg.register_migration(self.name, *from, "raw", *handler)?;
        }
        Ok(())
    }

    fn msg_types(&self) -> &'static [&'static str] {
        self.msgs
    }

    fn end_block(&self, ctx: &mut Context<'_>) -> Result<(), ModuleError> {
        let height = ctx.height();
        if self.record_height {
            ctx.store().set("height", height.to_string());
        }
        if self.fail_end_block_at == Some(height) {
            ctx.store()
                .set("end_block_partial", "written before the failure");
            return Err(ModuleError::Rejected(format!(
                "configured failure at height {height}"
            )));
        }
        Ok(())
    }

    /// `{"key","value"}` sets, `{"key","delete":true}` deletes,
    /// `{"copy_from": module, "key"}` copies a dependency's value into
    /// `copied/<key>`.
    fn deliver(&self, ctx: &mut Context<'_>, _signer: &str, msg: &Msg) -> Result<(), ModuleError> {
        let field = |name: &str| msg.value.get(name).and_then(Value::as_str);
        let key = field("key").ok_or_else(|| ModuleError::Rejected("missing key".into()))?;
        if let Some(from) = field("copy_from") {
            let value = ctx.read(from)?.get(key.as_bytes())?;
            let value =
                value.ok_or_else(|| ModuleError::Rejected(format!("{from} has no key {key:?}")))?;
            ctx.store().set(format!("copied/{key}"), value);
        } else if msg.value.get("delete").and_then(Value::as_bool) == Some(true) {
            ctx.store().delete(key);
        } else {
            let value =
                field("value").ok_or_else(|| ModuleError::Rejected("missing value".into()))?;
            ctx.store().set(key, value);
        }
        Ok(())
    }
}

// ---- migration handlers -------------------------------------------------

/// v1 -> v2: every key `k` moves to `v2/k` with its value.
pub fn prefix_keys(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = ctx
        .own()
        .range(KeyRange::all())?
        .collect::<Result<_, _>>()?;
    let mut store = ctx.store();
    for (key, value) in pairs {
        if key.starts_with(b"v2/") {
            continue;
        }
        store.delete(key.clone());
        store.set([b"v2/".as_slice(), &key].concat(), value);
    }
    Ok(())
}

/// Writes, then fails.
pub fn fail_halfway(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
    ctx.store().set("half", "written before the failure");
    ctx.store().delete("k");
    Err(ModuleError::Rejected("migration failed halfway".into()))
}

fn append_trail(ctx: &mut Context<'_>, step: &str) -> Result<(), ModuleError> {
    let mut trail = ctx.own().get(b"trail")?.unwrap_or_default();
    if !trail.is_empty() {
        trail.push(b',');
    }
    trail.extend_from_slice(step.as_bytes());
    ctx.store().set("trail", trail);
    Ok(())
}

/// Appends `1->2` to the own key `trail`.
pub fn trail_1_2(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
    append_trail(ctx, "1->2")
}

/// Appends `2->3` to the own key `trail`.
pub fn trail_2_3(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
    append_trail(ctx, "2->3")
}

// ---- upgrade handlers ---------------------------------------------------

/// Runs every module's migrations.
pub fn run_all(
    ctx: &mut UpgradeContext<'_>,
    _plan: &Plan,
    vm: VersionMap,
) -> Result<VersionMap, UpgradeError> {
    ctx.run_migrations(vm)
}

/// Writes into module `alpha`, then fails.
pub fn handler_fails_halfway(
    ctx: &mut UpgradeContext<'_>,
    _plan: &Plan,
    vm: VersionMap,
) -> Result<VersionMap, UpgradeError> {
    ctx.run_migrations(vm)?;
    ctx.module("alpha")?
        .store()
        .set("handler_partial", "written before the failure");
    Err(UpgradeError::Custom("handler broke halfway".into()))
}

/// Puts `newmod` into the map at its version so it gets no InitGenesis.
pub fn preset_newmod(
    ctx: &mut UpgradeContext<'_>,
    _plan: &Plan,
    mut vm: VersionMap,
) -> Result<VersionMap, UpgradeError> {
    let version = ctx
        .manager()
        .module("newmod")
        .map(|m| m.consensus_version())
        .unwrap_or(1);
    vm.set("newmod", version);
    ctx.run_migrations(vm)
}

/// An upgrade named `name` with `handler`.
pub fn upgrade(name: &str, store_upgrades: StoreUpgrades, handler: UpgradeHandler) -> Upgrade {
    Upgrade {
        name: name.to_owned(),
        store_upgrades,
        handler,
    }
}

/// A registry holding `upgrades`.
pub fn registry(upgrades: Vec<Upgrade>) -> UpgradeRegistry {
    let mut registry = UpgradeRegistry::new();
    for u in upgrades {
        registry.register(u).unwrap();
    }
    registry
}

// ---- apps, genesis, transactions ----------------------------------------

/// A manager of `modules`.
pub fn manager(modules: Vec<Kv>) -> ModuleManager {
    ModuleManager::new(
        modules
            .into_iter()
            .map(|m| Box::new(m) as Box<dyn Module>)
            .collect(),
    )
    .unwrap()
}

/// A genesis with every module's default section.
pub fn genesis(manager: &ModuleManager) -> AppGenesis {
    let app_state: Map<String, Value> = manager
        .modules()
        .map(|m| (m.name().to_owned(), m.default_genesis()))
        .collect();
    AppGenesis::new("test-chain", app_state)
}

/// `<home>/data/state.redb`.
pub fn state_path(home: &Path) -> PathBuf {
    home.join("data").join("state.redb")
}

/// Node settings for `home` with the test authority.
pub fn config(home: &Path, skip_heights: &[u64]) -> AppConfig {
    AppConfig {
        home: Some(home.to_owned()),
        skip_heights: skip_heights.iter().copied().collect::<BTreeSet<u64>>(),
        authority: AUTHORITY.to_owned(),
        ..AppConfig::default()
    }
}

/// Opens the node at `home` (creating and initialising it on first use).
#[allow(clippy::result_large_err)]
pub fn open_app(
    home: &Path,
    modules: Vec<Kv>,
    upgrades: UpgradeRegistry,
    skip_heights: &[u64],
) -> Result<App, upgrade_runtime::app::AppError> {
    let path = state_path(home);
    let fresh = !path.exists();
    let storage = if fresh {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        Storage::create(&path, Layout::V2)?
    } else {
        Storage::open(&path)?
    };
    let manager = manager(modules);
    let genesis = genesis(&manager);
    let mut app = App::new(storage, manager, upgrades, config(home, skip_heights))?;
    if fresh {
        app.init_chain(&genesis)?;
    }
    Ok(app)
}

/// A transaction of one message.
pub fn tx(signer: &str, type_url: &str, fields: Value) -> Tx {
    let Value::Object(value) = fields else {
        panic!("fields must be an object");
    };
    Tx {
        signer: signer.to_owned(),
        msgs: vec![Msg {
            type_url: type_url.to_owned(),
            value,
        }],
    }
}

/// The authority's `MsgSoftwareUpgrade` for `name` at `height`.
pub fn schedule_tx(signer: &str, name: &str, height: u64, info: &str) -> Tx {
    tx(
        signer,
        MSG_SOFTWARE_UPGRADE,
        json!({"authority": AUTHORITY, "plan": {"name": name, "height": height, "info": info}}),
    )
}

/// Every (key, value) of `store`, as lossy strings.
pub fn dump<S: StateRead + ?Sized>(state: &S, store: &str) -> Vec<(String, String)> {
    state
        .range(store, KeyRange::all())
        .unwrap()
        .map(|r| {
            let (k, v) = r.unwrap();
            (
                String::from_utf8_lossy(&k).into_owned(),
                String::from_utf8_lossy(&v).into_owned(),
            )
        })
        .collect()
}

/// Commits `changes` as `height` with no node-local extras.
pub fn try_commit(
    storage: &mut Storage,
    height: u64,
    changes: upgrade_runtime::store::ChangeSet,
) -> Result<upgrade_runtime::store::CommitInfo, upgrade_runtime::store::StoreError> {
    storage.commit(
        height,
        changes,
        &upgrade_runtime::store::CommitOptions::default(),
    )
}

/// [`try_commit`], which must succeed.
pub fn commit(
    storage: &mut Storage,
    height: u64,
    changes: upgrade_runtime::store::ChangeSet,
) -> upgrade_runtime::store::CommitInfo {
    try_commit(storage, height, changes).unwrap()
}
