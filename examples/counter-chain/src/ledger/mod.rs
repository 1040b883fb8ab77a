//! `ledger`: a counter per name; [`MSG_ADD`] adds to the signer's own.
//!
//! - Version 1 keeps `c/<name>` -> decimal text (`b"12"`), genesis
//!   `{"counters": [{"name": "alice", "value": "12"}]}`.
//! - Version 2 keeps `e/<owner>` -> a JSON number, genesis
//!   `{"entries": [{"owner": "alice", "amount": "12"}]}`.
//!
//! Release v2.0.0 takes it from 1 to 2, so version 2 registers both halves
//! of that step: the store migration and the genesis JSON migration.

mod genesis;
mod migrate;
mod store;

use serde_json::Value;
use upgrade_runtime::tx::Msg;
use upgrade_runtime::{ConfigError, Configurator, Context, Module, ModuleError, ValidationError};

use crate::json::{fields, uint};
use genesis::Shape;

/// The module's name, genesis section and store.
pub const NAME: &str = "ledger";

/// Adds `amount` (a decimal string) to the signer's counter:
/// `{"@type": MSG_ADD, "amount": "5"}`.
pub const MSG_ADD: &str = "/counter.ledger.MsgAdd";

/// The ledger at one consensus version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ledger {
    version: u64,
}

impl Ledger {
    /// Version 1: decimal text under `c/<name>`, genesis `counters`.
    pub const V1: Ledger = Ledger { version: 1 };
    /// Version 2: JSON under `e/<owner>`, genesis `entries`.
    pub const V2: Ledger = Ledger { version: 2 };

    fn shape(&self) -> &'static Shape {
        if self.version == 1 {
            &genesis::V1
        } else {
            &genesis::V2
        }
    }
}

impl Module for Ledger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn consensus_version(&self) -> u64 {
        self.version
    }

    fn default_genesis(&self) -> Value {
        self.shape().to_json([])
    }

    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        self.shape().parse(genesis).map(drop)
    }

    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
        for (name, amount) in self.shape().parse(genesis)? {
            store::add(self.version, ctx, &name, amount)?;
        }
        Ok(())
    }

    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
        Ok(self.shape().to_json(store::all(self.version, ctx)?))
    }

    fn register_migrations(&self, cfg: &mut Configurator) -> Result<(), ConfigError> {
        if self.version >= 2 {
            let store = "move counters from c/<name> (decimal text) to e/<owner> (JSON)";
            cfg.register_migration(NAME, 1, store, migrate::store_v1_to_v2)?;
            let json = "counters[{name, value}] -> entries[{owner, amount}]";
            cfg.register_genesis_migration(NAME, 1, json, migrate::genesis_v1_to_v2)?;
        }
        Ok(())
    }

    fn msg_types(&self) -> &'static [&'static str] {
        &[MSG_ADD]
    }

    fn deliver(&self, ctx: &mut Context<'_>, signer: &str, msg: &Msg) -> Result<(), ModuleError> {
        let msg = Value::Object(msg.value.clone());
        let amount = fields(&msg, "", ["amount"])
            .and_then(|[amount]| uint(amount, "amount"))
            .map_err(|e| ModuleError::Rejected(format!("{MSG_ADD}: {e}")))?;
        store::add(self.version, ctx, signer, amount)
    }
}
