//! Auth store migrations.
//!
//! 1 -> 2: string keys become Cosmos' binary keys (`accounts/<bech32>` ->
//! `0x01 || len || address`, `params` -> `0x00`) and an account-number index
//! (`0x03 || number` -> address) is built, so accounts can be found by
//! number. Account values (their JSON) do not change, nor does the export.
//!
//! Genesis JSON: the section is the same at versions 1 and 2, so the
//! registered 1 -> 2 genesis migration passes it through unchanged; the
//! number index is rebuilt by InitGenesis from the accounts.

use upgrade_runtime::{ConfigError, Configurator, Context, ModuleError};

use super::account::Account;
use super::keys::v2;
use super::legacy_v1;
use upgrade_runtime::json::same_json;
use upgrade_runtime::rekey::rekey_prefix;

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
            "re-key accounts and params to binary keys; index accounts by number",
            v1_to_v2,
        )?;
        cfg.register_genesis_migration(
            module,
            1,
            "unchanged: same JSON at versions 1 and 2 (re-keying and the number index are store-only)",
            same_json,
        )?;
    }
    Ok(())
}

/// The 1 -> 2 handler.
fn v1_to_v2(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
    let store = ctx.module().to_owned();
    if let Some(params) = ctx.own().get(legacy_v1::PARAMS)? {
        let mut s = ctx.store();
        s.set(v2::PARAMS, params);
        s.delete(legacy_v1::PARAMS);
    }
    let moved = rekey_prefix(ctx, legacy_v1::ACCOUNTS_PREFIX, |key, value| {
        let address = legacy_v1::address_of_account_key(key)
            .map_err(|e| ModuleError::corrupt(&store, key, e))?;
        let account = Account::decode(value, &store, key)?;
        if account.address() != &address {
            return Err(ModuleError::corrupt(
                &store,
                key,
                format!("account under this key has address {}", account.address()),
            ));
        }
        let mut out = vec![(v2::account_key(&address), value.to_vec())];
        if let Some(number) = account.account_number() {
            out.push((v2::account_number_key(number), address.as_bytes().to_vec()));
        }
        Ok(out)
    })?;
    tracing::info!(
        accounts = moved,
        "auth 1 -> 2: accounts re-keyed and indexed by number"
    );
    Ok(())
}
