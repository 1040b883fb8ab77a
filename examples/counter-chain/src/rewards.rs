//! `rewards`: new in release v2.0.0. The upgrade adds its store and
//! `run_migrations` runs its InitGenesis with [`Module::default_genesis`];
//! from then on every block mints `per_block` into `minted`.

use serde_json::{Value, json};
use upgrade_runtime::typed::Item;
use upgrade_runtime::{Context, Module, ModuleError, ValidationError};

use crate::json::{fields, uint};

/// The module's name, genesis section and store.
pub const NAME: &str = "rewards";

/// Minted at the end of every block.
const PER_BLOCK: Item<u64> = Item::new(b"per_block");
/// Minted so far.
const MINTED: Item<u64> = Item::new(b"minted");

/// The rewards module (consensus version 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rewards;

/// `{"per_block": "N", "minted": "M"}`.
fn parse(genesis: &Value) -> Result<(u64, u64), ValidationError> {
    let [per_block, minted] = fields(genesis, "", ["per_block", "minted"])?;
    Ok((uint(per_block, "per_block")?, uint(minted, "minted")?))
}

impl Module for Rewards {
    fn name(&self) -> &'static str {
        NAME
    }

    fn consensus_version(&self) -> u64 {
        1
    }

    fn default_genesis(&self) -> Value {
        json!({"per_block": "10", "minted": "0"})
    }

    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        parse(genesis).map(drop)
    }

    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
        let (per_block, minted) = parse(genesis)?;
        PER_BLOCK.save(ctx, &per_block)?;
        MINTED.save(ctx, &minted)
    }

    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
        let (per_block, minted) = (PER_BLOCK.load(ctx)?, MINTED.load(ctx)?);
        Ok(json!({"per_block": per_block.to_string(), "minted": minted.to_string()}))
    }

    fn end_block(&self, ctx: &mut Context<'_>) -> Result<(), ModuleError> {
        let per_block = PER_BLOCK.load(ctx)?;
        MINTED
            .update(ctx, |minted| {
                minted
                    .checked_add(per_block)
                    .ok_or_else(|| ModuleError::Rejected("minted would overflow".into()))
            })
            .map(drop)
    }
}
