//! The bank genesis section: validation, InitGenesis and ExportGenesis.
//!
//! Shape (Cosmos SDK): `{"params", "balances": [{"address", "coins"}],
//! "supply", "denom_metadata", "send_enabled"}`. An empty `supply` means
//! "compute it from the balances", as in Cosmos; otherwise it must equal the
//! per-denom sums. Balances export in address order (see
//! [`Address`]'s ordering) whatever the store encoding. Denom metadata and
//! the send-enabled list are checked, then kept verbatim.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use upgrade_runtime::{Context, ModuleError, Problems, ValidationError, join_path};

use super::keys::Encoding;
use super::params::{BankParams, SendEnabled, validate_send_enabled};
use crate::address::Address;
use crate::coin::{Coin, CoinJson, parse_coins, validate_denom};
use upgrade_runtime::json::{index_path, parse_at};
use upgrade_runtime::store::ModuleStore;

const FIELDS: [&str; 5] = [
    "params",
    "balances",
    "supply",
    "denom_metadata",
    "send_enabled",
];

/// The problem of a field the section does not have.
pub(crate) fn unknown_field(name: &str) -> ValidationError {
    ValidationError::new(
        name,
        format!("unknown field; the bank section has {}", FIELDS.join(", ")),
    )
}

/// The coins one address holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Balance {
    /// The holder.
    pub address: Address,
    /// Its coins, sorted by denom, all positive.
    pub coins: Vec<Coin>,
}

/// A validated bank section; `supply` is the computed one.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BankGenesis {
    pub(crate) params: BankParams,
    pub(crate) balances: Vec<Balance>,
    pub(crate) supply: Vec<Coin>,
    pub(crate) denom_metadata: Vec<Value>,
    pub(crate) send_enabled: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BalanceJson {
    address: String,
    coins: Vec<CoinJson>,
}

/// Validates a section and returns it typed.
pub(crate) fn parse(genesis: &Value) -> Result<BankGenesis, ValidationError> {
    let section = head(genesis)?;
    let params = params_of(section)?;
    let raw = array(section, "balances", true)?;
    let mut balances = Vec::with_capacity(raw.len());
    let mut seen = BTreeMap::new();
    let mut sums = BTreeMap::new();
    for (i, value) in raw.iter().enumerate() {
        balances.push(parse_balance(i, value, &mut seen, &mut sums)?);
    }
    let supply = parse_supply(array(section, "supply", false)?, totals(sums))?;
    let denom_metadata = parse_metadata(array(section, "denom_metadata", false)?)?;
    let send_enabled = send_enabled_of(section)?;
    Ok(BankGenesis {
        params,
        balances,
        supply,
        denom_metadata,
        send_enabled,
    })
}

/// Records every problem of a section: its shape and params, each balance
/// on its own, the supply (once the balances it sums are all valid), the
/// metadata and the send-enabled list.
pub(crate) fn validate_into(genesis: &Value, problems: &mut Problems) {
    let Some(section) = genesis.as_object() else {
        problems.check(head(genesis));
        return;
    };
    for unknown in section.keys().filter(|k| !FIELDS.contains(&k.as_str())) {
        problems.push(unknown_field(unknown));
    }
    problems.check(params_of(section));
    if let Some(raw) = problems.check(array(section, "balances", true)) {
        let before = problems.total();
        let mut seen = BTreeMap::new();
        let mut sums = BTreeMap::new();
        for (i, value) in raw.iter().enumerate() {
            problems.check(parse_balance(i, value, &mut seen, &mut sums));
        }
        if problems.total() == before {
            problems.check(
                array(section, "supply", false).and_then(|raw| parse_supply(raw, totals(sums))),
            );
        }
    }
    problems.check(array(section, "denom_metadata", false).and_then(parse_metadata));
    problems.check(send_enabled_of(section));
}

/// Per-denom totals of valid balances (none overflowed).
pub(crate) fn totals(sums: BTreeMap<String, Option<u128>>) -> BTreeMap<String, u128> {
    sums.into_iter()
        .filter_map(|(denom, total)| Some((denom, total?)))
        .collect()
}

/// The section as an object with only the fields the bank knows.
fn head(genesis: &Value) -> Result<&Map<String, Value>, ValidationError> {
    let Some(section) = genesis.as_object() else {
        return Err(ValidationError::new(
            "",
            "expected an object with params and balances",
        ));
    };
    if let Some(unknown) = section.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(unknown_field(unknown));
    }
    Ok(section)
}

fn params_of(section: &Map<String, Value>) -> Result<BankParams, ValidationError> {
    match section.get("params") {
        Some(p) => parse_params(p),
        None => Err(ValidationError::new("params", "missing")),
    }
}

/// The section's `params`, checked.
pub(crate) fn parse_params(value: &Value) -> Result<BankParams, ValidationError> {
    let params: BankParams = parse_at(value, "params")?;
    validate_send_enabled(&params.send_enabled, "params.send_enabled")?;
    Ok(params)
}

fn send_enabled_of(section: &Map<String, Value>) -> Result<Vec<Value>, ValidationError> {
    parse_send_enabled(array(section, "send_enabled", false)?)
}

/// The section's `send_enabled` list, checked.
pub(crate) fn parse_send_enabled(send_enabled: &[Value]) -> Result<Vec<Value>, ValidationError> {
    let switches: Vec<SendEnabled> = send_enabled
        .iter()
        .enumerate()
        .map(|(i, v)| parse_at(v, &index_path("send_enabled", i)))
        .collect::<Result<_, _>>()?;
    validate_send_enabled(&switches, "send_enabled")?;
    Ok(send_enabled.to_vec())
}

fn array<'a>(
    section: &'a Map<String, Value>,
    field: &str,
    required: bool,
) -> Result<&'a [Value], ValidationError> {
    match section.get(field) {
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(ValidationError::new(field, "expected an array")),
        None if required => Err(ValidationError::new(field, "missing")),
        None => Ok(&[]),
    }
}

/// Balance `i`: its address (not seen before) and its coins, which are
/// added to the per-denom `sums`.
fn parse_balance(
    i: usize,
    value: &Value,
    seen: &mut BTreeMap<Address, usize>,
    sums: &mut BTreeMap<String, Option<u128>>,
) -> Result<Balance, ValidationError> {
    // Coins before duplicates, as the streaming import finds them (it
    // sorts duplicates out at the end, among valid balances).
    let balance = parse_balance_alone(i, value, sums)?;
    match seen.entry(balance.address.clone()) {
        Entry::Occupied(first) => Err(duplicate_balance(&balance.address, i, *first.get())),
        Entry::Vacant(slot) => {
            slot.insert(i);
            Ok(balance)
        }
    }
}

/// Balance `i` with its address, whose duplicates are the caller's to
/// find (a streaming import sorts them out at the end).
pub(crate) fn parse_balance_alone(
    i: usize,
    value: &Value,
    sums: &mut BTreeMap<String, Option<u128>>,
) -> Result<Balance, ValidationError> {
    let path = index_path("balances", i);
    let b: BalanceJson = parse_at(value, &path)?;
    let address = Address::parse(&b.address)
        .map_err(|e| ValidationError::new(join_path(&path, "address"), e.to_string()))?;
    balance_coins(i, address, &b.coins, sums)
}

/// The problem of balance `i` for an address balance `first` has.
pub(crate) fn duplicate_balance(address: &Address, i: usize, first: usize) -> ValidationError {
    ValidationError::new(
        join_path(&index_path("balances", i), "address"),
        format!(
            "duplicate balance for {address} (also at {})",
            index_path("balances", first)
        ),
    )
}

/// Balance `i`'s coins, checked and added to the per-denom `sums`.
fn balance_coins(
    i: usize,
    address: Address,
    coins: &[CoinJson],
    sums: &mut BTreeMap<String, Option<u128>>,
) -> Result<Balance, ValidationError> {
    let coins_path = join_path(&index_path("balances", i), "coins");
    let coins = parse_coins(coins, &coins_path)?;
    if coins.is_empty() {
        return Err(ValidationError::new(
            coins_path,
            format!("balance of {address} has no coins; leave the address out instead"),
        ));
    }
    for (j, coin) in coins.iter().enumerate() {
        // `None`: the total already overflowed, reported at that balance.
        let sum = sums.entry(coin.denom.clone()).or_insert(Some(0));
        let Some(total) = *sum else { continue };
        *sum = total.checked_add(coin.amount);
        if sum.is_none() {
            return Err(ValidationError::new(
                join_path(&index_path(&coins_path, j), "amount"),
                format!(
                    "the total of {} over all balances exceeds the maximum {}",
                    coin.denom,
                    u128::MAX
                ),
            ));
        }
    }
    Ok(Balance { address, coins })
}

pub(crate) fn parse_supply(
    raw: &[Value],
    sums: BTreeMap<String, u128>,
) -> Result<Vec<Coin>, ValidationError> {
    let computed: Vec<Coin> = sums
        .into_iter()
        .map(|(denom, amount)| Coin::new(denom, amount))
        .collect();
    if raw.is_empty() {
        return Ok(computed);
    }
    let raw: Vec<CoinJson> = raw
        .iter()
        .enumerate()
        .map(|(k, v)| parse_at(v, &index_path("supply", k)))
        .collect::<Result<_, _>>()?;
    let declared = parse_coins(&raw, "supply")?;
    for (k, coin) in declared.iter().enumerate() {
        let summed = computed
            .iter()
            .find(|c| c.denom == coin.denom)
            .map_or(0, |c| c.amount);
        if summed != coin.amount {
            return Err(ValidationError::new(
                join_path(&index_path("supply", k), "amount"),
                format!(
                    "supply of {} is {} but the balances sum to {}",
                    coin.denom, coin.amount, summed
                ),
            ));
        }
    }
    if let Some(missing) = computed
        .iter()
        .find(|c| !declared.iter().any(|d| d.denom == c.denom))
    {
        return Err(ValidationError::new(
            "supply",
            format!(
                "supply does not list {}, but the balances sum to {}",
                missing.denom, missing.amount
            ),
        ));
    }
    Ok(computed)
}

pub(crate) fn parse_metadata(raw: &[Value]) -> Result<Vec<Value>, ValidationError> {
    let mut bases: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, value) in raw.iter().enumerate() {
        let path = index_path("denom_metadata", i);
        let base_path = join_path(&path, "base");
        let base = match value.as_object().map(|o| o.get("base")) {
            None => return Err(ValidationError::new(path, "expected a metadata object")),
            Some(Some(Value::String(base))) => base.as_str(),
            Some(_) => {
                return Err(ValidationError::new(
                    base_path,
                    "expected the base denom as a string",
                ));
            }
        };
        validate_denom(base).map_err(|m| ValidationError::new(&base_path, m))?;
        if let Some(first) = bases.insert(base, i) {
            return Err(ValidationError::new(
                base_path,
                format!(
                    "duplicate metadata for {base:?} (also at {})",
                    index_path("denom_metadata", first)
                ),
            ));
        }
    }
    Ok(raw.to_vec())
}

/// The section of a new chain.
pub(crate) fn default_genesis() -> Value {
    json!({
        "params": BankParams::default().to_json(),
        "balances": [],
        "supply": [],
        "denom_metadata": [],
        "send_enabled": [],
    })
}

/// Writes a validated section in `encoding`: at version 3 also the denom
/// -> owner index entry of every balance (all are positive) and the stamp.
pub(crate) fn init(
    ctx: &mut Context<'_>,
    encoding: Encoding,
    genesis: &BankGenesis,
) -> Result<(), ModuleError> {
    let mut store = ctx.store();
    write_head(&mut store, encoding, genesis)?;
    for balance in &genesis.balances {
        write_balance(&mut store, encoding, balance)?;
    }
    Ok(())
}

/// Writes everything of a validated section but its balances: params,
/// metadata, send-enabled list, the version 3 stamp and the supply.
pub(crate) fn write_head(
    store: &mut ModuleStore<'_>,
    encoding: Encoding,
    genesis: &BankGenesis,
) -> Result<(), ModuleError> {
    store.set(encoding.params_key(), genesis.params.to_json().to_string());
    store.set(
        encoding.denom_metadata_key(),
        Value::Array(genesis.denom_metadata.clone()).to_string(),
    );
    store.set(
        encoding.send_enabled_key(),
        Value::Array(genesis.send_enabled.clone()).to_string(),
    );
    if let Some((key, value)) = encoding.stamp() {
        store.set(key, value);
    }
    for coin in &genesis.supply {
        store.set(encoding.supply_key(&coin.denom), coin.amount.to_string());
    }
    Ok(())
}

/// Writes one balance: each coin, and at version 3 its denom -> owner
/// index entry (all are positive).
pub(crate) fn write_balance(
    store: &mut ModuleStore<'_>,
    encoding: Encoding,
    balance: &Balance,
) -> Result<(), ModuleError> {
    for coin in &balance.coins {
        // Unreachable for a validated section (denoms are at most 128
        // bytes); kept total rather than panicking.
        if let Some(index) = encoding
            .denom_owner_key(&coin.denom, &balance.address)
            .map_err(ModuleError::Rejected)?
        {
            store.set(index, Vec::new());
        }
        store.set(
            encoding.balance_key(&balance.address, &coin.denom),
            coin.amount.to_string(),
        );
    }
    Ok(())
}
