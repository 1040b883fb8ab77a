//! The auth section imported as it is read: each account written when it
//! arrives, duplicates and account numbers settled at the end from
//! external sorts, so memory does not grow with the number of accounts.
//!
//! The result equals [`super::genesis::init`] after
//! [`super::genesis::parse`] on the same section: the same keys, the same
//! values, the same renumbering (`SanitizeGenesisAccounts`).

use std::path::Path;

use serde_json::Value;
use upgrade_runtime::external_sort::{DEFAULT_RUN_BYTES, ExternalSort, SortedRecords};
use upgrade_runtime::genesis::SectionImport;
use upgrade_runtime::json::index_path;
use upgrade_runtime::{Context, ModuleError, Problems, ValidationError, join_path};

use super::account::Account;
use super::genesis::{parse_params, unknown_field, write_account, write_number};
use super::keys::Encoding;
use super::params::AuthParams;
use crate::address::Address;
use crate::holder_records::{
    corrupt_record, for_each_duplicate, holder_record, read_u64, scratch_error,
};

/// Streams `accounts`; `params` comes whole.
pub(crate) struct AuthImport {
    encoding: Encoding,
    params: Option<AuthParams>,
    saw_params: bool,
    saw_accounts: bool,
    /// (address, file index, the address' path in its account).
    addresses: ExternalSort,
    /// (account number, file index, address) of accounts that have one.
    numbers: ExternalSort,
}

impl AuthImport {
    pub(crate) fn new(encoding: Encoding, scratch_dir: Option<&Path>) -> Self {
        AuthImport {
            encoding,
            params: None,
            saw_params: false,
            saw_accounts: false,
            addresses: ExternalSort::new(scratch_dir, DEFAULT_RUN_BYTES),
            numbers: ExternalSort::new(scratch_dir, DEFAULT_RUN_BYTES),
        }
    }
}

impl SectionImport for AuthImport {
    fn streams(&self, field: &str) -> bool {
        field == "accounts"
    }

    fn field(&mut self, name: &str, value: Value, problems: &mut Problems) {
        match name {
            "params" => {
                self.saw_params = true;
                self.params = problems.check(parse_params(&value));
            }
            "accounts" => {
                self.saw_accounts = true;
                problems.push(ValidationError::new("accounts", "expected an array"));
            }
            other => problems.push(unknown_field(other)),
        }
    }

    fn begin_array(&mut self, _field: &str) {
        self.saw_accounts = true;
    }

    fn element(
        &mut self,
        ctx: &mut Context<'_>,
        _field: &str,
        index: usize,
        element: Value,
        problems: &mut Problems,
    ) -> Result<(), ModuleError> {
        let Some(account) =
            problems.check(Account::from_json(&element, &index_path("accounts", index)))
        else {
            return Ok(());
        };
        let path = account.address_path();
        let record = holder_record(account.address(), index, path.as_bytes());
        self.addresses.push(record).map_err(scratch_error)?;
        if let Some(number) = account.account_number() {
            // `number || index || len || address`: numbers in order, their
            // holders in file order.
            let mut record = number.to_be_bytes().to_vec();
            record.extend_from_slice(&(index as u64).to_be_bytes());
            record.extend(account.address().length_prefixed());
            self.numbers.push(record).map_err(scratch_error)?;
        }
        write_account(&mut ctx.store(), self.encoding, &account);
        Ok(())
    }

    fn finish(
        self: Box<Self>,
        ctx: &mut Context<'_>,
        problems: &mut Problems,
    ) -> Result<(), ModuleError> {
        if !self.saw_params {
            problems.push(ValidationError::new("params", "missing"));
        }
        if !self.saw_accounts {
            problems.push(ValidationError::new("accounts", "missing"));
        }
        let addresses = self.addresses.finish().map_err(scratch_error)?;
        report_duplicates(&addresses, problems)?;
        let (Some(params), true) = (self.params, problems.is_empty()) else {
            return Ok(());
        };
        let numbers = self.numbers.finish().map_err(scratch_error)?;
        sanitize_and_index(ctx, self.encoding, &numbers)?;
        ctx.store()
            .set(self.encoding.params_key(), params.to_json().to_string());
        Ok(())
    }
}

/// Every account whose address an earlier account has.
fn report_duplicates(
    addresses: &SortedRecords,
    problems: &mut Problems,
) -> Result<(), ModuleError> {
    for_each_duplicate(addresses, |address, index, first, path| {
        let path = String::from_utf8_lossy(path);
        problems.push(ValidationError::new(
            join_path(&index_path("accounts", index), &path),
            format!(
                "duplicate address {address} (also at {})",
                index_path("accounts", first)
            ),
        ));
    })
}

/// Writes each account number's index entry and gives every account after
/// the first with a given number the lowest unused number, as
/// `SanitizeGenesisAccounts` (x/auth/types/genesis.go) does: duplicated
/// numbers in ascending order, their later holders in file order. `numbers`
/// is read twice: once for the holders, once (running ahead) for the
/// numbers in use.
fn sanitize_and_index(
    ctx: &mut Context<'_>,
    encoding: Encoding,
    numbers: &SortedRecords,
) -> Result<(), ModuleError> {
    let decode = |record: std::io::Result<Vec<u8>>| -> Result<(u64, Address), ModuleError> {
        let record = record.map_err(scratch_error)?;
        let (number, rest) = read_u64(&record).ok_or_else(corrupt_record)?;
        let (_, rest) = read_u64(rest).ok_or_else(corrupt_record)?;
        let (address, _) = Address::split_length_prefixed(rest).map_err(|_| corrupt_record())?;
        Ok((number, address))
    };
    let mut in_use = numbers
        .iter()
        .map_err(scratch_error)?
        .map(|record| decode(record).map(|(number, _)| number))
        .peekable();
    let mut next = 0u64;
    let mut previous: Option<u64> = None;
    let mut renumbered = 0u64;
    for record in numbers.iter().map_err(scratch_error)? {
        let (number, address) = decode(record)?;
        if previous != Some(number) {
            previous = Some(number);
            write_number(&mut ctx.store(), encoding, number, &address);
            continue;
        }
        // The lowest number no account had and none was given yet.
        while is_used(&mut in_use, next)? {
            next += 1;
        }
        let key = encoding.account_key(&address);
        let stored = ctx.own().get(&key)?.ok_or_else(|| {
            ModuleError::corrupt(ctx.own().name(), &key, "an imported account vanished")
        })?;
        let mut account = Account::decode(&stored, ctx.own().name(), &key)?;
        account.set_account_number(next);
        write_account(&mut ctx.store(), encoding, &account);
        write_number(&mut ctx.store(), encoding, next, &address);
        next += 1;
        renumbered += 1;
    }
    if renumbered > 0 {
        tracing::info!(
            renumbered,
            "gave accounts with duplicate account numbers the lowest unused ones, as the SDK does"
        );
    }
    Ok(())
}

/// Moves `in_use` (numbers in ascending order) past those below `next`;
/// whether `next` is one of them.
fn is_used(
    in_use: &mut std::iter::Peekable<impl Iterator<Item = Result<u64, ModuleError>>>,
    next: u64,
) -> Result<bool, ModuleError> {
    while let Some(used) = in_use.peek() {
        match used {
            Ok(n) if *n < next => {
                in_use.next();
            }
            Ok(n) => return Ok(*n == next),
            Err(_) => {
                return Err(in_use
                    .next()
                    .and_then(Result::err)
                    .unwrap_or_else(corrupt_record));
            }
        }
    }
    Ok(false)
}
