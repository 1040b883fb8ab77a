//! The auth genesis section: validation, InitGenesis and ExportGenesis.
//!
//! Shape (Cosmos SDK): `{"params": {...}, "accounts": [Any, ...]}`. Export
//! streams the accounts one at a time ([`export_to`]) and lists them in
//! address order (length, then bytes: the order of Cosmos'
//! length-prefixed keys) whatever the store encoding, so export -> import ->
//! export is the identity and every version exports the same state alike.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use upgrade_runtime::external_sort::{DEFAULT_RUN_BYTES, ExternalSort};
use upgrade_runtime::genesis::{ElementWriter, SectionWriter, collect_section};
use upgrade_runtime::{Context, ModuleError, Problems, ValidationError, join_path};

use super::account::Account;
use super::keys::Encoding;
use super::params::AuthParams;
use crate::address::Address;
use crate::holder_records::scratch_error;
use crate::stored_version::require_version;
use upgrade_runtime::json::{index_path, parse_at};
use upgrade_runtime::store::ModuleStore;

/// A validated auth section.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AuthGenesis {
    pub(crate) params: AuthParams,
    pub(crate) accounts: Vec<Account>,
}

/// Validates a section and returns it typed.
pub(crate) fn parse(genesis: &Value) -> Result<AuthGenesis, ValidationError> {
    let (params, raw_accounts) = parse_head(genesis)?;
    let mut accounts = Vec::with_capacity(raw_accounts.len());
    let mut by_address: BTreeMap<Address, usize> = BTreeMap::new();
    for (i, raw) in raw_accounts.iter().enumerate() {
        accounts.push(parse_account(i, raw, &mut by_address)?);
    }
    sanitize_account_numbers(&mut accounts);
    Ok(AuthGenesis { params, accounts })
}

/// Records every problem of a section: its shape, each unknown field, its
/// params, then each account on its own (a bad account does not hide the
/// next one), as the streaming import finds them.
pub(crate) fn validate_into(genesis: &Value, problems: &mut Problems) {
    let Some(section) = genesis.as_object() else {
        problems.check(parse_head(genesis));
        return;
    };
    for unknown in section.keys().filter(|k| !FIELDS.contains(&k.as_str())) {
        problems.push(unknown_field(unknown));
    }
    match section.get("params") {
        Some(params) => {
            problems.check(parse_params(params));
        }
        None => problems.push(ValidationError::new("params", "missing")),
    }
    let raw_accounts = match section.get("accounts") {
        Some(Value::Array(accounts)) => accounts,
        Some(_) => return problems.push(ValidationError::new("accounts", "expected an array")),
        None => return problems.push(ValidationError::new("accounts", "missing")),
    };
    let mut by_address: BTreeMap<Address, usize> = BTreeMap::new();
    for (i, raw) in raw_accounts.iter().enumerate() {
        problems.check(parse_account(i, raw, &mut by_address));
    }
}

/// The fields of the section.
const FIELDS: [&str; 2] = ["params", "accounts"];

/// The problem of a field the section does not have.
pub(crate) fn unknown_field(name: &str) -> ValidationError {
    ValidationError::new(
        name,
        format!(
            "unknown field; the auth section has {}",
            FIELDS.join(" and ")
        ),
    )
}

/// The section's shape, its params and its raw accounts.
fn parse_head(genesis: &Value) -> Result<(AuthParams, &[Value]), ValidationError> {
    let Some(section) = genesis.as_object() else {
        return Err(ValidationError::new(
            "",
            "expected an object with params and accounts",
        ));
    };
    if let Some(unknown) = section.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(unknown_field(unknown));
    }
    let params = match section.get("params") {
        Some(p) => parse_params(p)?,
        None => return Err(ValidationError::new("params", "missing")),
    };
    match section.get("accounts") {
        Some(Value::Array(a)) => Ok((params, a)),
        Some(_) => Err(ValidationError::new("accounts", "expected an array")),
        None => Err(ValidationError::new("accounts", "missing")),
    }
}

/// The section's `params`, checked.
pub(crate) fn parse_params(value: &Value) -> Result<AuthParams, ValidationError> {
    let params: AuthParams = parse_at(value, "params")?;
    params.validate("params")?;
    Ok(params)
}

/// Account `i`, refused if its address was already seen.
fn parse_account(
    i: usize,
    raw: &Value,
    by_address: &mut BTreeMap<Address, usize>,
) -> Result<Account, ValidationError> {
    let path = index_path("accounts", i);
    let account = Account::from_json(raw, &path)?;
    match by_address.entry(account.address().clone()) {
        Entry::Occupied(first) => Err(ValidationError::new(
            join_path(&path, &account.address_path()),
            format!(
                "duplicate address {} (also at {})",
                account.address(),
                index_path("accounts", *first.get())
            ),
        )),
        Entry::Vacant(slot) => {
            slot.insert(i);
            Ok(account)
        }
    }
}

/// Gives every account after the first with a given number the lowest
/// unused number, as the SDK's auth InitGenesis does
/// (`SanitizeGenesisAccounts` in x/auth/types/genesis.go): duplicated
/// numbers in ascending order, their later holders in file order. Files
/// written before launch have every number at `"0"`.
fn sanitize_account_numbers(accounts: &mut [Account]) {
    let mut seen: BTreeSet<u64> = BTreeSet::new();
    let mut duplicates: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, account) in accounts.iter().enumerate() {
        if let Some(number) = account.account_number() {
            if !seen.insert(number) {
                duplicates.entry(number).or_default().push(i);
            }
        }
    }
    if duplicates.is_empty() {
        return;
    }
    let mut next = 0u64;
    let mut renumbered = 0usize;
    for holders in duplicates.values() {
        for &i in holders {
            while seen.contains(&next) {
                next += 1;
            }
            accounts[i].set_account_number(next);
            seen.insert(next);
            renumbered += 1;
        }
    }
    tracing::info!(
        renumbered,
        "gave accounts with duplicate account numbers the lowest unused ones, as the SDK does"
    );
}

/// The section of a new chain: default params, no accounts.
pub(crate) fn default_genesis() -> Value {
    json!({ "params": AuthParams::default().to_json(), "accounts": [] })
}

/// Writes a validated section in `encoding`.
pub(crate) fn init(ctx: &mut Context<'_>, encoding: Encoding, genesis: &AuthGenesis) {
    let mut store = ctx.store();
    store.set(encoding.params_key(), genesis.params.to_json().to_string());
    for account in &genesis.accounts {
        write_account(&mut store, encoding, account);
        if let Some(number) = account.account_number() {
            write_number(&mut store, encoding, number, account.address());
        }
    }
}

/// Writes an account's record.
pub(crate) fn write_account(store: &mut ModuleStore<'_>, encoding: Encoding, account: &Account) {
    store.set(encoding.account_key(account.address()), account.encode());
}

/// Writes the account-number index entry of `number` (encodings that
/// have the index).
pub(crate) fn write_number(
    store: &mut ModuleStore<'_>,
    encoding: Encoding,
    number: u64,
    address: &Address,
) {
    if let Some(key) = encoding.account_number_key(number) {
        store.set(key, address.as_bytes());
    }
}

/// Writes the section from a store written in `encoding` into `out`:
/// params, then the accounts one at a time in address order. Version 2
/// keys (`0x01 || len || address`) iterate in that order already, so the
/// accounts stream straight from the store; version 1 keys (bech32
/// strings) do not, so they are sorted first in an [`ExternalSort`]
/// (memory for one run of it, whatever the number of accounts).
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
    let params_key = encoding.params_key();
    let params = reader
        .get(params_key)?
        .ok_or_else(|| ModuleError::corrupt(&store, params_key, "missing params"))?;
    let params: Value = serde_json::from_slice(&params).map_err(|e| {
        ModuleError::corrupt(&store, params_key, format!("params are not JSON: {e}"))
    })?;
    out.field("params", &params)?;
    let decode = |key: &[u8], value: &[u8]| -> Result<Value, ModuleError> {
        serde_json::from_slice(value)
            .map_err(|e| ModuleError::corrupt(&store, key, format!("account is not JSON: {e}")))
    };
    out.array("accounts", &mut |accounts: &mut dyn ElementWriter| {
        match encoding {
            Encoding::V2 => {
                let mut last: Option<Address> = None;
                for item in reader.prefix(encoding.accounts_prefix())? {
                    let (key, value) = item?;
                    let address = encoding
                        .address_of_account_key(&key)
                        .map_err(|e| ModuleError::corrupt(&store, &key, e))?;
                    if last.as_ref().is_some_and(|l| *l >= address) {
                        return Err(ModuleError::corrupt(
                            &store,
                            &key,
                            "account keys out of address order",
                        ));
                    }
                    accounts.push(&decode(&key, &value)?)?;
                    last = Some(address);
                }
            }
            Encoding::V1 => {
                // `len || address || account`, sorted on disk: no random
                // reads, and memory for one run, not every address.
                let mut sort = ExternalSort::new(None, DEFAULT_RUN_BYTES);
                for item in reader.prefix(encoding.accounts_prefix())? {
                    let (key, value) = item?;
                    let address = encoding
                        .address_of_account_key(&key)
                        .map_err(|e| ModuleError::corrupt(&store, &key, e))?;
                    let mut record = address.length_prefixed();
                    record.extend_from_slice(&value);
                    sort.push(record).map_err(scratch_error)?;
                }
                let sorted = sort.finish().map_err(scratch_error)?;
                for record in sorted.iter().map_err(scratch_error)? {
                    let record = record.map_err(scratch_error)?;
                    let (address, value) =
                        Address::split_length_prefixed(&record).map_err(|e| {
                            ModuleError::Rejected(format!("export scratch record: {e}"))
                        })?;
                    // The key (a bech32 encoding under v1) only for an error.
                    let account: Value = match serde_json::from_slice(value) {
                        Ok(account) => account,
                        Err(_) => decode(&encoding.account_key(&address), value)?,
                    };
                    accounts.push(&account)?;
                }
            }
        }
        Ok(())
    })
}

/// Reads the section back from a store written in `encoding`.
pub(crate) fn export(ctx: &Context<'_>, encoding: Encoding) -> Result<Value, ModuleError> {
    collect_section(|out| export_to(ctx, encoding, out))
}
