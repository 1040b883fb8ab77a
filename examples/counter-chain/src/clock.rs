//! `clock`: block bookkeeping written by both block hooks, in both
//! releases. BeginBlock records the height the block started at; EndBlock
//! checks that record (a hook that ran in the wrong block halts the chain)
//! and counts the block.

use serde_json::{Value, json};
use upgrade_runtime::typed::Item;
use upgrade_runtime::{Context, Module, ModuleError, ValidationError};

use crate::json::{fields, uint};

/// The module's name, genesis section and store.
pub const NAME: &str = "clock";

/// The height the last block began at.
const BEGAN_AT: Item<u64> = Item::new(b"began_at");
/// Blocks ended since genesis.
const BLOCKS: Item<u64> = Item::new(b"blocks");

/// The clock module (consensus version 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock;

/// `{"began_at": "H", "blocks": "N"}`.
fn parse(genesis: &Value) -> Result<(u64, u64), ValidationError> {
    let [began_at, blocks] = fields(genesis, "", ["began_at", "blocks"])?;
    Ok((uint(began_at, "began_at")?, uint(blocks, "blocks")?))
}

impl Module for Clock {
    fn name(&self) -> &'static str {
        NAME
    }

    fn consensus_version(&self) -> u64 {
        1
    }

    fn default_genesis(&self) -> Value {
        json!({"began_at": "0", "blocks": "0"})
    }

    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        parse(genesis).map(drop)
    }

    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
        let (began_at, blocks) = parse(genesis)?;
        BEGAN_AT.save(ctx, &began_at)?;
        BLOCKS.save(ctx, &blocks)
    }

    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
        let (began_at, blocks) = (BEGAN_AT.load(ctx)?, BLOCKS.load(ctx)?);
        Ok(json!({"began_at": began_at.to_string(), "blocks": blocks.to_string()}))
    }

    fn begin_block(&self, ctx: &mut Context<'_>) -> Result<(), ModuleError> {
        let height = ctx.height();
        BEGAN_AT.save(ctx, &height)
    }

    fn end_block(&self, ctx: &mut Context<'_>) -> Result<(), ModuleError> {
        let began_at = BEGAN_AT.load(ctx)?;
        if began_at != ctx.height() {
            let height = ctx.height();
            let message = format!("block {height} ends but BeginBlock last ran at {began_at}");
            return Err(ModuleError::Rejected(message));
        }
        BLOCKS
            .update(ctx, |n| {
                n.checked_add(1)
                    .ok_or_else(|| ModuleError::Rejected("the block count would overflow".into()))
            })
            .map(drop)
    }
}
