//! # upgrade-runtime
//!
//! An in-place module upgrade runtime for deterministic state machines
//! (Cosmos-style chain applications).
//!
//! An application is built from [`Module`]s. Each owns one store of raw
//! bytes and declares a consensus version. Code reads state through
//! [`store::StateRead`] and writes through [`store::StateWrite`]; writes are
//! buffered in [`store::StateDelta`]s layered over a committed
//! [`store::Snapshot`], so a failing block, upgrade or migration step is
//! discarded whole. A block commits as one backend transaction (redb on disk
//! by default) together with its app hash, a lattice hash over the logical
//! (store, key, value) triples that does not depend on the physical layout.
//!
//! Modules never see raw stores: they get a [`Context`] bound to their own
//! store, with read-only views of the modules they declare as dependencies.
//!
//! ## Where each concept lives
//!
//! | concept | where |
//! |---|---|
//! | a module: name, store, consensus version, genesis, hooks, messages | [`Module`] ([`module`]) |
//! | the chain's account address prefix (one per process, like `sdk.Config`) | [`address_prefix`] |
//! | what a module's code is handed | [`Context`] ([`context`]) |
//! | typed items and maps over a module's bytes, legacy reads | [`typed`] |
//! | batched re-keying of a prefix in a migration | [`rekey`] |
//! | parsing genesis JSON with JSON paths in errors, Cosmos decimal strings | [`json`] |
//! | vN -> vN+1 store and genesis JSON migrations, pre/post checks | [`Configurator`] ([`configurator`]) |
//! | the modules of one release: order, genesis, txs, `run_migrations`, BeginBlock/EndBlock | [`ModuleManager`] ([`manager`]) |
//! | module -> consensus version, persisted in the `upgrade` store | [`VersionMap`] ([`version_map`]) |
//! | a release and the chain of releases, the static release check | [`Release`], [`ReleaseChain`] ([`release`]) |
//! | plans, handlers, store upgrades, the pre-block check, dry runs, the ledger | [`upgrade`] |
//! | the block executor: InitChain, pre-block, hooks, txs, commit, export | [`app::App`] ([`app`]) |
//! | stores, deltas, redb and memory backends, layouts, the lazy v1 -> v2 migration | [`store`] |
//! | an upgrade's writes streamed into the block's transaction, written behind on a second thread | [`store::WriteSession`], [`store::Storage::begin_session_writing_behind`] |
//! | the app hash | [`commitment`] |
//! | genesis documents: read, validate, stream export, `genesis migrate` | [`genesis`] |
//! | upgrade tests with a cross-check of both paths (feature `testing`) | `testing` |
//!
//! The node layer (home folder, block loop, the operator CLI) is the
//! `upgrade-node` crate: a chain binary's `main` is one call to it.
//!
//! ## Quick start
//!
//! A module whose state changes encoding at version 2, the migration, the
//! release that applies it, and a harness test of both upgrade paths:
//!
//! ```
//! use serde_json::{Value, json};
//! use upgrade_runtime::typed::Item;
//! use upgrade_runtime::upgrade::{StoreUpgrades, Upgrade};
//! use upgrade_runtime::{
//!     ConfigError, Configurator, Context, Module, ModuleError, Release, ReleaseChain,
//!     ValidationError,
//! };
//!
//! /// Version 1 keeps the supply as decimal text, version 2 as a number.
//! const SUPPLY_V1: Item<String> = Item::new(b"supply");
//! const SUPPLY: Item<u64> = Item::new(b"supply");
//!
//! struct Mint(u64);
//!
//! impl Module for Mint {
//!     fn name(&self) -> &'static str { "mint" }
//!     fn consensus_version(&self) -> u64 { self.0 }
//!     fn default_genesis(&self) -> Value { json!({"supply": "0"}) }
//!     fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
//!         supply_of(genesis).map(|_| ())
//!     }
//!     fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
//!         let supply = supply_of(genesis)?;
//!         match self.0 {
//!             1 => SUPPLY_V1.save(ctx, &supply.to_string()),
//!             _ => SUPPLY.save(ctx, &supply),
//!         }
//!     }
//!     fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
//!         let supply = match self.0 {
//!             1 => SUPPLY_V1.load(ctx)?,
//!             _ => SUPPLY.load(ctx)?.to_string(),
//!         };
//!         Ok(json!({ "supply": supply }))
//!     }
//!     fn register_migrations(&self, cfg: &mut Configurator) -> Result<(), ConfigError> {
//!         if self.0 >= 2 {
//!             cfg.register_migration("mint", 1, "supply: text -> number", |ctx| {
//!                 let text = SUPPLY_V1.load(ctx)?;
//!                 let supply = text.parse().map_err(|_| ModuleError::corrupt("mint", b"supply", "not a number"))?;
//!                 SUPPLY.save(ctx, &supply)
//!             })?;
//!             // The genesis JSON is the same at both versions.
//!             cfg.register_genesis_migration("mint", 1, "unchanged", Ok)?;
//!         }
//!         Ok(())
//!     }
//!     fn end_block(&self, ctx: &mut Context<'_>) -> Result<(), ModuleError> {
//!         if self.0 >= 2 {
//!             SUPPLY.update(ctx, |s| Ok::<_, ModuleError>(s + 1))?;
//!         }
//!         Ok(())
//!     }
//! }
//!
//! fn supply_of(genesis: &Value) -> Result<u64, ValidationError> {
//!     genesis["supply"].as_str().and_then(|s| s.parse().ok())
//!         .ok_or_else(|| ValidationError::new("supply", "expected a decimal string"))
//! }
//!
//! /// The chain's releases: v1.0.0, then v2.0.0 with its upgrade handler.
//! fn releases() -> ReleaseChain {
//!     ReleaseChain::new(vec![
//!         Release::genesis("v1.0.0", || vec![Box::new(Mint(1))]),
//!         Release::upgrade("v2.0.0", || vec![Box::new(Mint(2))], || Upgrade {
//!             name: "v2.0.0".into(),
//!             store_upgrades: StoreUpgrades::default(),
//!             handler: |ctx, _plan, from| ctx.run_migrations(from),
//!         }),
//!     ])
//! }
//!
//! # #[cfg(feature = "testing")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use upgrade_runtime::testing::UpgradeTest;
//! assert!(releases().check().is_empty());
//! let outcome = UpgradeTest::new(|name: &str| Ok(releases().binary(name).ok_or("unknown")??))
//!     .app_state(json!({"mint": {"supply": "41"}}))
//!     .start_as("v1.0.0")
//!     .upgrade_to("v2.0.0")
//!     .cross_check() // in place == export -> genesis migrate -> import
//!     .run()?;
//! assert_eq!(outcome.after_upgrade.app_state["mint"], json!({"supply": "41"}));
//! // In a test: insta::assert_json_snapshot!("mint_v2", outcome.section("mint"));
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "testing"))]
//! # fn main() { assert!(releases().check().is_empty()); }
//! ```

pub mod address_prefix;
pub mod app;
pub mod commitment;
pub mod configurator;
pub mod context;
pub mod external_sort;
pub mod json;
pub mod module;
pub mod problems;
pub mod rekey;
pub mod release;
pub mod store;
pub mod tx;
pub mod typed;

pub use commitment::AppHash;
pub use configurator::{
    ConfigError, Configurator, GenesisMigration, GenesisMigrationHandler, Migration,
    MigrationChecks, MigrationHandler, PostCheck, PreCheck,
};
pub use context::{Context, ModuleBinding};
pub use module::{Module, ModuleError, ValidationError, join_path};
pub use problems::Problems;
pub use release::{Binary, Release, ReleaseChain};
pub use tx::{DecodedMsg, MAX_TX_BYTES, Msg, Tx, TxAuthenticator, TxEnv, TxOutcome, TxRejection};
pub mod manager;
pub mod version_map;

pub use manager::{ManagerError, MigrationReport, ModuleManager};
pub use version_map::VersionMap;
pub mod genesis;
#[cfg(feature = "testing")]
pub mod testing;
pub mod upgrade;
