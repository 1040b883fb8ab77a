//! The bank genesis section's export: streamed from the store, balances
//! one address at a time (see [`export_to`]).

use serde_json::Value;
use upgrade_runtime::genesis::{ElementWriter, SectionWriter, collect_section};
use upgrade_runtime::{Context, ModuleError};

use super::keys::Encoding;
use crate::address::Address;
use crate::coin::{Coin, coins_to_json};
use crate::stored_version::require_version;
use upgrade_runtime::json::object;

/// Writes the section from a store written in `encoding` into `out`:
/// params, then the balances one address at a time in address order, then
/// supply, denom metadata and send-enabled. Version 2 and 3 balance keys
/// (`0x02 || len || address || denom`) iterate in that order already, so
/// balances stream straight from the store; version 1 keys (bech32
/// strings) do not, so their addresses are sorted first and each
/// address's coins read after (memory for the addresses, not the coins).
pub(crate) fn export_to(
    ctx: &Context<'_>,
    encoding: Encoding,
    out: &mut dyn SectionWriter,
) -> Result<(), ModuleError> {
    let reader = ctx.own();
    let store = reader.name().to_owned();
    require_version(
        super::NAME,
        &store,
        encoding.params_key(),
        Encoding::detect(&reader)?.map(Encoding::version),
        encoding.version(),
    )?;
    let json_at = |key: &[u8]| -> Result<Value, ModuleError> {
        let bytes = reader
            .get(key)?
            .ok_or_else(|| ModuleError::corrupt(&store, key, "missing"))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| ModuleError::corrupt(&store, key, format!("not JSON: {e}")))
    };
    out.field("params", &json_at(encoding.params_key())?)?;
    let balance = |address: &Address, coins: &[Coin]| {
        object([
            ("address", Value::String(address.to_bech32())),
            ("coins", coins_to_json(coins)),
        ])
    };
    out.array("balances", &mut |balances: &mut dyn ElementWriter| {
        match encoding {
            Encoding::V2 | Encoding::V3 => {
                let mut current: Option<(Address, Vec<Coin>)> = None;
                super::query::for_each_balance(&reader, encoding, |address, coin| {
                    match &mut current {
                        Some((last, coins)) if *last == address => coins.push(coin),
                        Some((last, coins)) => {
                            if *last > address {
                                return Err(ModuleError::Rejected(format!(
                                    "bank store {store:?}: balance keys out of address order at {address}"
                                )));
                            }
                            balances.push(&balance(last, coins))?;
                            current = Some((address, vec![coin]));
                        }
                        None => current = Some((address, vec![coin])),
                    }
                    Ok(())
                })?;
                if let Some((last, coins)) = current {
                    balances.push(&balance(&last, &coins))?;
                }
            }
            Encoding::V1 => {
                let mut addresses: Vec<Address> = Vec::new();
                for item in reader.prefix(encoding.balances_prefix())? {
                    let (key, _) = item?;
                    let (address, _) = encoding
                        .split_balance_key(&key)
                        .map_err(|e| ModuleError::corrupt(&store, &key, e))?;
                    // An address's keys are contiguous: every one starts
                    // with `balances/<bech32>/`.
                    if addresses.last() != Some(&address) {
                        addresses.push(address);
                    }
                }
                addresses.sort();
                addresses.dedup();
                for address in addresses {
                    let coins = super::query::balances_of(&reader, &address)?;
                    balances.push(&balance(&address, &coins))?;
                }
            }
        }
        Ok(())
    })?;
    out.field(
        "supply",
        &coins_to_json(&super::query::supply_at(&reader, encoding)?),
    )?;
    out.field("denom_metadata", &json_at(encoding.denom_metadata_key())?)?;
    out.field("send_enabled", &json_at(encoding.send_enabled_key())?)
}

/// Reads the section back from a store written in `encoding`.
pub(crate) fn export(ctx: &Context<'_>, encoding: Encoding) -> Result<Value, ModuleError> {
    collect_section(|out| export_to(ctx, encoding, out))
}
