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

pub mod app;
pub mod commitment;
pub mod configurator;
pub mod context;
pub mod module;
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
pub use release::{Binary, Release, ReleaseChain};
pub use tx::{Msg, Tx, TxOutcome};
pub mod manager;
pub mod version_map;

pub use manager::{ManagerError, MigrationReport, ModuleManager};
pub use version_map::VersionMap;
pub mod genesis;
#[cfg(feature = "testing")]
pub mod testing;
pub mod upgrade;
