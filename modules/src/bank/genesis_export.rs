//! The bank genesis section's export: streamed from the store, balances
//! one address at a time (see [`export_to`]).

use serde_json::Value;
use upgrade_runtime::external_sort::{DEFAULT_RUN_BYTES, ExternalSort};
use upgrade_runtime::genesis::{ElementWriter, SectionWriter, collect_section};
use upgrade_runtime::store::ModuleReader;
use upgrade_runtime::{Context, ModuleError};

use super::keys::Encoding;
use crate::address::Address;
use crate::coin::{Coin, coins_to_json};
use crate::holder_records::scratch_error;
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
    let balance = |address: &Address, coins: &[Coin]| balance_spelt(address.to_bech32(), coins);
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
            Encoding::V1 => v1_balances(&reader, encoding, &store, balances)?,
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

/// The balances of a version 1 store, in address order: its keys
/// (`balances/<bech32>/<denom>`) are in bech32 order, so they are sorted
/// first. Each record is `len || address || len || bech32 || denom || 0 ||
/// amount`, sorted on disk: by address, then denom (no denom holds a 0
/// byte). The bech32 spelling comes from the key, so it is written back
/// without encoding it again, and parsed once per holder, not per coin.
fn v1_balances(
    reader: &ModuleReader<'_>,
    encoding: Encoding,
    store: &str,
    balances: &mut dyn ElementWriter,
) -> Result<(), ModuleError> {
    // `len || address || len || bech32 || denom || 0 || amount`,
    // sorted on disk: by address, then denom (no denom holds a 0
    // byte). The bech32 spelling comes from the key, so it is
    // written back without encoding it again, and parsed once
    // per holder, not per coin.
    let mut sort = ExternalSort::new(None, DEFAULT_RUN_BYTES);
    let mut last: Option<(Vec<u8>, Address)> = None;
    for item in reader.prefix(encoding.balances_prefix())? {
        let (key, value) = item?;
        let spelt = bech32_of_v1_key(&key);
        let address = match (&last, spelt) {
            (Some((text, address)), Some(spelt)) if text.as_slice() == spelt => address.clone(),
            _ => {
                let (address, _) = encoding
                    .split_balance_key(&key)
                    .map_err(|e| ModuleError::corrupt(store, &key, e))?;
                last = spelt.map(|s| (s.to_vec(), address.clone()));
                address
            }
        };
        let Some(spelt) = spelt else {
            return Err(ModuleError::corrupt(store, &key, "not a balance key"));
        };
        let denom = &key[encoding.balances_prefix().len() + spelt.len() + 1..];
        // Checked on every key (the address only once per holder).
        if denom.is_empty() || std::str::from_utf8(denom).is_err() {
            return Err(ModuleError::corrupt(
                store,
                &key,
                "the denom is empty or not UTF-8",
            ));
        }
        let mut record = address.length_prefixed();
        record.push(spelt.len() as u8);
        record.extend_from_slice(spelt);
        record.extend_from_slice(denom);
        record.push(0);
        record.extend_from_slice(&value);
        sort.push(record).map_err(scratch_error)?;
    }
    let sorted = sort.finish().map_err(scratch_error)?;
    let mut current: Option<(Address, String, Vec<Coin>)> = None;
    for record in sorted.iter().map_err(scratch_error)? {
        let record = record.map_err(scratch_error)?;
        let bad = || ModuleError::Rejected("export scratch record does not decode".into());
        let (address, rest) = Address::split_length_prefixed(&record)
            .map_err(|e| ModuleError::Rejected(format!("export scratch record: {e}")))?;
        let (&len, rest) = rest.split_first().ok_or_else(bad)?;
        let (spelt, rest) = rest.split_at_checked(usize::from(len)).ok_or_else(bad)?;
        let split = rest.iter().position(|b| *b == 0).ok_or_else(bad)?;
        let denom = String::from_utf8_lossy(&rest[..split]).into_owned();
        let value = &rest[split + 1..];
        // The key (a bech32 encoding) only for an error.
        let amount = super::query::decode_amount(store, &[], value).or_else(|_| {
            super::query::decode_amount(store, &encoding.balance_key(&address, &denom), value)
        })?;
        let coin = Coin::new(denom, amount);
        match &mut current {
            Some((last, _, coins)) if *last == address => coins.push(coin),
            _ => {
                if let Some((_, spelt, coins)) = current.take() {
                    balances.push(&balance_spelt(spelt, &coins))?;
                }
                let spelt = String::from_utf8_lossy(spelt).into_owned();
                current = Some((address, spelt, vec![coin]));
            }
        }
    }
    if let Some((_, spelt, coins)) = current {
        balances.push(&balance_spelt(spelt, &coins))?;
    }
    Ok(())
}

/// A balance entry of the address spelt `address`.
fn balance_spelt(address: String, coins: &[Coin]) -> Value {
    object([
        ("address", Value::String(address)),
        ("coins", coins_to_json(coins)),
    ])
}

/// The bech32 part of a version 1 balance key (`balances/<bech32>/<denom>`;
/// bech32 has no `/`).
fn bech32_of_v1_key(key: &[u8]) -> Option<&[u8]> {
    let rest = key.strip_prefix(super::legacy_v1::BALANCES_PREFIX)?;
    let slash = rest.iter().position(|b| *b == b'/')?;
    Some(&rest[..slash])
}

/// Reads the section back from a store written in `encoding`.
pub(crate) fn export(ctx: &Context<'_>, encoding: Encoding) -> Result<Value, ModuleError> {
    collect_section(|out| export_to(ctx, encoding, out))
}
