//! The bank genesis section's export: streamed from the store, balances
//! one address at a time (see [`export_to`]).

use serde_json::Value;
use upgrade_runtime::external_sort::{DEFAULT_RUN_BYTES, ExternalSort};
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
/// strings) do not, so they are sorted first in an [`ExternalSort`]
/// (memory for one run of it, whatever the number of balances).
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
                // `len || address || denom || 0 || amount`, sorted on disk:
                // by address, then denom (no denom holds a 0 byte).
                let mut sort = ExternalSort::new(None, DEFAULT_RUN_BYTES);
                for item in reader.prefix(encoding.balances_prefix())? {
                    let (key, value) = item?;
                    let (address, denom) = encoding
                        .split_balance_key(&key)
                        .map_err(|e| ModuleError::corrupt(&store, &key, e))?;
                    let mut record = address.length_prefixed();
                    record.extend_from_slice(denom.as_bytes());
                    record.push(0);
                    record.extend_from_slice(&value);
                    sort.push(record).map_err(sort_error)?;
                }
                let sorted = sort.finish().map_err(sort_error)?;
                let mut current: Option<(Address, Vec<Coin>)> = None;
                for record in sorted.iter().map_err(sort_error)? {
                    let record = record.map_err(sort_error)?;
                    let (address, rest) = Address::split_length_prefixed(&record)
                        .map_err(|e| ModuleError::Rejected(format!("export scratch record: {e}")))?;
                    let split = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
                    let denom = String::from_utf8_lossy(&rest[..split]).into_owned();
                    let value = rest.get(split + 1..).unwrap_or_default();
                    let key = || encoding.balance_key(&address, &denom);
                    let amount = super::query::decode_amount(&store, &key(), value)?;
                    let coin = Coin::new(denom.clone(), amount);
                    match &mut current {
                        Some((last, coins)) if *last == address => coins.push(coin),
                        _ => {
                            if let Some((last, coins)) = current.take() {
                                balances.push(&balance(&last, &coins))?;
                            }
                            current = Some((address, vec![coin]));
                        }
                    }
                }
                if let Some((last, coins)) = current {
                    balances.push(&balance(&last, &coins))?;
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

fn sort_error(e: std::io::Error) -> ModuleError {
    ModuleError::Rejected(format!("the export's scratch file failed: {e}"))
}

/// Reads the section back from a store written in `encoding`.
pub(crate) fn export(ctx: &Context<'_>, encoding: Encoding) -> Result<Value, ModuleError> {
    collect_section(|out| export_to(ctx, encoding, out))
}
