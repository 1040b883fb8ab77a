//! The ledger's 1 -> 2 step, on both upgrade paths: the store migration
//! an in-place upgrade runs, and the genesis JSON migration `genesis
//! migrate` runs on an export. The harness's cross-check holds them to the
//! same result.

use serde_json::Value;
use upgrade_runtime::{Context, ModuleError};

use super::genesis::{V1, V2};
use super::store::{COUNTERS, ENTRIES};

/// Moves every counter from `c/<name>` (decimal text) to `e/<owner>`
/// (JSON), leaving nothing under `c/`.
pub(crate) fn store_v1_to_v2(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
    // Read everything first: the store cannot change under an iteration.
    let counters: Vec<(String, u64)> = COUNTERS.iter(ctx).collect::<Result<_, _>>()?;
    for (name, amount) in counters {
        COUNTERS.remove(ctx, &name);
        ENTRIES.save(ctx, &name, &amount)?;
    }
    Ok(())
}

/// `{"counters": [{"name", "value"}]}` -> `{"entries": [{"owner",
/// "amount"}]}`, same order, same amounts. A malformed v1 section fails
/// with the JSON path of the problem.
pub(crate) fn genesis_v1_to_v2(section: Value) -> Result<Value, ModuleError> {
    Ok(V2.to_json(V1.parse(&section)?))
}
