//! `legacy`: a v1.0.0 module that release v2.0.0 drops. Its store is
//! called `old_stuff`, not `legacy`: the release deletes the *store*
//! (`StoreUpgrades::deleted`), and the module leaves the version map
//! because v2.0.0 no longer has it.

use serde_json::{Value, json};
use upgrade_runtime::typed::Item;
use upgrade_runtime::{Context, Module, ModuleError, ValidationError};

use crate::json::{fields, index, list, string};

/// The module's name and genesis section.
pub const NAME: &str = "legacy";

/// The module's store.
pub const STORE: &str = "old_stuff";

/// Opaque items kept for nobody in particular.
const ITEMS: Item<Vec<String>> = Item::new(b"items");

/// The legacy module (consensus version 1, v1.0.0 only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Legacy;

/// `{"items": [".."]}`.
fn parse(genesis: &Value) -> Result<Vec<String>, ValidationError> {
    let [items] = fields(genesis, "", ["items"])?;
    let items = list(items, "items")?.iter().enumerate();
    items
        .map(|(i, item)| string(item, &index("items", i)).map(str::to_owned))
        .collect()
}

impl Module for Legacy {
    fn name(&self) -> &'static str {
        NAME
    }

    fn consensus_version(&self) -> u64 {
        1
    }

    fn store_name(&self) -> &'static str {
        STORE
    }

    fn default_genesis(&self) -> Value {
        json!({"items": []})
    }

    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        parse(genesis).map(drop)
    }

    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
        ITEMS.save(ctx, &parse(genesis)?)
    }

    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
        Ok(json!({"items": ITEMS.load(ctx)?}))
    }
}
