//! Bank store migrations.
//!
//! 1 -> 2: string keys become Cosmos' binary keys. Every balance
//! `balances/<bech32>/<denom>` moves to `0x02 || len || address || denom` and
//! every supply entry `supply/<denom>` to `0x00 || denom`; params and the two
//! verbatim lists move to their single-byte keys. Values do not change. The
//! handler streams through the old keys in batches (see [`rekey_prefix`]),
//! so a million balances never sit in memory at once beyond the delta that
//! receives the writes.
//!
//! 2 -> 3: the denom -> owner index (see [`v3`]) is built from the
//! balances, as Cosmos `x/bank`'s v3 migration does, streaming through
//! them in the same bounded batches ([`derive_from_prefix`]); then the
//! store is stamped as version 3. No existing key or value changes, so the
//! export does not either.
//!
//! Genesis JSON: the section is the same at versions 1, 2 and 3. Both
//! registered genesis migrations pass it through unchanged: 1 -> 2 only
//! re-keys the store, and 2 -> 3's index is derived state that InitGenesis
//! at version 3 rebuilds from the balances, so nothing of it is in JSON.

use std::collections::BTreeMap;

use upgrade_runtime::{ConfigError, Configurator, Context, MigrationChecks, ModuleError};

use super::keys::v3;
use super::query::{balance_count_and_sums, decode_amount};
use super::{legacy_v1, legacy_v2};
use upgrade_runtime::json::same_json;
use upgrade_runtime::rekey::{derive_from_prefix, rekey_prefix};

/// Registers the migrations a module at `version` needs: every step from 1
/// up to `version - 1` that this crate implements.
pub(crate) fn register(
    cfg: &mut Configurator,
    module: &str,
    version: u64,
) -> Result<(), ConfigError> {
    if version >= 2 {
        cfg.register_checked_migration(
            module,
            1,
            "re-key balances, supply and params from string keys to Cosmos binary keys",
            v1_to_v2,
            CONSERVES_BALANCES,
        )?;
        cfg.register_genesis_migration(
            module,
            1,
            "unchanged: same JSON at versions 1 and 2 (only the store keys change)",
            same_json,
        )?;
    }
    if version >= 3 {
        cfg.register_checked_migration(
            module,
            2,
            "build the denom -> owner index from the balances",
            v2_to_v3,
            CONSERVES_BALANCES,
        )?;
        cfg.register_genesis_migration(
            module,
            2,
            "unchanged: the denom -> owner index is derived state, rebuilt by InitGenesis, not in JSON",
            same_json,
        )?;
    }
    Ok(())
}

/// Both shipped migrations move or index balances without changing them:
/// the number of balances and each denom's sum must be what they were.
pub const CONSERVES_BALANCES: MigrationChecks = MigrationChecks {
    pre: capture_totals,
    post: totals_unchanged,
};

/// Pre-check: the balance count and per-denom sums, as JSON.
fn capture_totals(ctx: &Context<'_>) -> Result<Vec<u8>, ModuleError> {
    let totals = balance_count_and_sums(&ctx.own())?;
    serde_json::to_vec(&totals)
        .map_err(|e| ModuleError::Rejected(format!("cannot encode totals: {e}")))
}

/// Post-check: the same count and sums after the migration.
fn totals_unchanged(ctx: &Context<'_>, captured: &[u8]) -> Result<(), ModuleError> {
    let before: (u64, BTreeMap<String, u128>) = serde_json::from_slice(captured)
        .map_err(|e| ModuleError::Rejected(format!("cannot decode captured totals: {e}")))?;
    let after = balance_count_and_sums(&ctx.own())?;
    if after.0 != before.0 {
        return Err(ModuleError::Rejected(format!(
            "the number of balances changed from {} to {}",
            before.0, after.0
        )));
    }
    for denom in before.1.keys().chain(after.1.keys()) {
        let (was, is) = (
            before.1.get(denom).copied().unwrap_or(0),
            after.1.get(denom).copied().unwrap_or(0),
        );
        if was != is {
            return Err(ModuleError::Rejected(format!(
                "the sum of {denom} balances changed from {was} to {is}"
            )));
        }
    }
    Ok(())
}

/// The 1 -> 2 handler.
fn v1_to_v2(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
    let store = ctx.module().to_owned();
    for (old, new) in [
        (legacy_v1::PARAMS, legacy_v2::PARAMS),
        (legacy_v1::DENOM_METADATA, legacy_v2::DENOM_METADATA),
        (legacy_v1::SEND_ENABLED, legacy_v2::SEND_ENABLED),
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
        Ok(vec![(legacy_v2::supply_key(&denom), value.to_vec())])
    })?;
    let balances = rekey_prefix(ctx, legacy_v1::BALANCES_PREFIX, |key, value| {
        let (address, denom) =
            legacy_v1::split_balance_key(key).map_err(|e| ModuleError::corrupt(&store, key, e))?;
        Ok(vec![(
            legacy_v2::balance_key(&address, &denom),
            value.to_vec(),
        )])
    })?;
    tracing::info!(supply, balances, "bank 1 -> 2: entries re-keyed");
    Ok(())
}

/// The 2 -> 3 handler. Reads balances with the frozen version 2 code and
/// writes index entries with the version 3 code; only positive balances
/// are indexed (version 2 never stores a zero, but the index must match
/// what version 3 sends maintain either way).
fn v2_to_v3(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
    let store = ctx.module().to_owned();
    let mut indexed = 0u64;
    let balances = derive_from_prefix(ctx, legacy_v2::BALANCES_PREFIX, |key, value| {
        let (address, denom) =
            legacy_v2::split_balance_key(key).map_err(|e| ModuleError::corrupt(&store, key, e))?;
        if decode_amount(&store, key, value)? == 0 {
            return Ok(Vec::new());
        }
        let index = v3::denom_owner_key(&denom, &address)
            .map_err(|e| ModuleError::corrupt(&store, key, e))?;
        indexed += 1;
        Ok(vec![(index, Vec::new())])
    })?;
    ctx.store().set(v3::STAMP, v3::STAMP_VALUE);
    tracing::info!(balances, indexed, "bank 2 -> 3: denom -> owner index built");
    Ok(())
}
