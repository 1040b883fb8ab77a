//! Bank store migrations.
//!
//! 1 -> 2: string keys become Cosmos' binary keys. Every balance
//! `balances/<bech32>/<denom>` moves to `0x02 || len || address || denom` and
//! every supply entry `supply/<denom>` to `0x00 || denom`; params and the two
//! verbatim lists move to their single-byte keys. Values do not change. The
//! handler streams through the old keys in batches (see [`rekey_prefix`]),
//! so a million balances never sit in memory at once beyond the delta that
//! receives the writes.

use upgrade_runtime::{ConfigError, Configurator, Context, ModuleError};

use super::keys::v2;
use super::legacy_v1;
use crate::rekey::rekey_prefix;

/// Registers the migrations a module at `version` needs: every step from 1
/// up to `version - 1` that this crate implements.
pub(crate) fn register(
    cfg: &mut Configurator,
    module: &str,
    version: u64,
) -> Result<(), ConfigError> {
    if version >= 2 {
        cfg.register_migration(
            module,
            1,
            "re-key balances, supply and params from string keys to Cosmos binary keys",
            v1_to_v2,
        )?;
    }
    Ok(())
}

/// The 1 -> 2 handler.
fn v1_to_v2(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
    let store = ctx.module().to_owned();
    for (old, new) in [
        (legacy_v1::PARAMS, v2::PARAMS),
        (legacy_v1::DENOM_METADATA, v2::DENOM_METADATA),
        (legacy_v1::SEND_ENABLED, v2::SEND_ENABLED),
    ] {
        if let Some(value) = ctx.own().get(old)? {
            let mut s = ctx.store();
            s.set(new, value);
            s.delete(old);
        }
    }
    let supply = rekey_prefix(ctx, legacy_v1::SUPPLY_PREFIX, |key, value| {
        let denom = legacy_v1::denom_of_supply_key(key)
            .map_err(|e| ModuleError::corrupt(&store, key, e))?;
        Ok(vec![(v2::supply_key(&denom), value.to_vec())])
    })?;
    let balances = rekey_prefix(ctx, legacy_v1::BALANCES_PREFIX, |key, value| {
        let (address, denom) =
            legacy_v1::split_balance_key(key).map_err(|e| ModuleError::corrupt(&store, key, e))?;
        Ok(vec![(v2::balance_key(&address, &denom), value.to_vec())])
    })?;
    tracing::info!(supply, balances, "bank 1 -> 2: entries re-keyed");
    Ok(())
}
