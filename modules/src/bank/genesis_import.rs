//! The bank section imported as it is read: each balance written when it
//! arrives and added to the per-denom totals (one entry per denom, not per
//! holder), duplicate holders found at the end from an external sort, then
//! the supply checked against the totals.
//!
//! The result equals [`super::genesis::init`] after
//! [`super::genesis::parse`] on the same section.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use upgrade_runtime::external_sort::{DEFAULT_RUN_BYTES, ExternalSort};
use upgrade_runtime::genesis::SectionImport;
use upgrade_runtime::{Context, ModuleError, Problems, ValidationError};

use super::genesis::{
    BankGenesis, duplicate_balance, parse_balance_alone, parse_metadata, parse_params,
    parse_send_enabled, parse_supply, totals, unknown_field, write_balance, write_head,
};
use super::keys::Encoding;
use super::params::BankParams;
use crate::holder_records::{for_each_duplicate, holder_record, scratch_error};

/// Streams `balances`; the other fields come whole.
pub(crate) struct BankImport {
    encoding: Encoding,
    params: Option<Option<BankParams>>,
    saw_balances: bool,
    /// Problems among the balances, which make the supply check moot.
    balance_problems: bool,
    sums: BTreeMap<String, Option<u128>>,
    supply: Vec<Value>,
    denom_metadata: Vec<Value>,
    send_enabled: Vec<Value>,
    /// (address, file index) of every balance.
    holders: ExternalSort,
}

impl BankImport {
    pub(crate) fn new(encoding: Encoding, scratch_dir: Option<&Path>) -> Self {
        BankImport {
            encoding,
            params: None,
            saw_balances: false,
            balance_problems: false,
            sums: BTreeMap::new(),
            supply: Vec::new(),
            denom_metadata: Vec::new(),
            send_enabled: Vec::new(),
            holders: ExternalSort::new(scratch_dir, DEFAULT_RUN_BYTES),
        }
    }
}

/// A small array field, or its problem.
fn array_of(name: &str, value: Value, problems: &mut Problems) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        _ => {
            problems.push(ValidationError::new(name, "expected an array"));
            Vec::new()
        }
    }
}

impl SectionImport for BankImport {
    fn streams(&self, field: &str) -> bool {
        field == "balances"
    }

    fn field(&mut self, name: &str, value: Value, problems: &mut Problems) {
        match name {
            "params" => self.params = Some(problems.check(parse_params(&value))),
            "balances" => {
                self.saw_balances = true;
                self.balance_problems = true;
                problems.push(ValidationError::new("balances", "expected an array"));
            }
            "supply" => self.supply = array_of(name, value, problems),
            "denom_metadata" => self.denom_metadata = array_of(name, value, problems),
            "send_enabled" => self.send_enabled = array_of(name, value, problems),
            other => problems.push(unknown_field(other)),
        }
    }

    fn begin_array(&mut self, _field: &str) {
        self.saw_balances = true;
    }

    fn element(
        &mut self,
        ctx: &mut Context<'_>,
        _field: &str,
        index: usize,
        element: Value,
        problems: &mut Problems,
    ) -> Result<(), ModuleError> {
        let Some(balance) = problems.check(parse_balance_alone(index, &element, &mut self.sums))
        else {
            self.balance_problems = true;
            return Ok(());
        };
        let record = holder_record(&balance.address, index, &[]);
        self.holders.push(record).map_err(scratch_error)?;
        write_balance(&mut ctx.store(), self.encoding, &balance)
    }

    fn finish(
        self: Box<Self>,
        ctx: &mut Context<'_>,
        problems: &mut Problems,
    ) -> Result<(), ModuleError> {
        let params = match self.params {
            Some(params) => params,
            None => {
                problems.push(ValidationError::new("params", "missing"));
                None
            }
        };
        let mut balance_problems = self.balance_problems;
        if !self.saw_balances {
            problems.push(ValidationError::new("balances", "missing"));
            balance_problems = true;
        }
        let holders = self.holders.finish().map_err(scratch_error)?;
        for_each_duplicate(&holders, |address, index, first, _| {
            balance_problems = true;
            problems.push(duplicate_balance(address, index, first));
        })?;
        let supply = if balance_problems {
            None
        } else {
            problems.check(parse_supply(&self.supply, totals(self.sums)))
        };
        let denom_metadata = problems.check(parse_metadata(&self.denom_metadata));
        let send_enabled = problems.check(parse_send_enabled(&self.send_enabled));
        let (Some(params), Some(supply), Some(denom_metadata), Some(send_enabled), true) = (
            params,
            supply,
            denom_metadata,
            send_enabled,
            problems.is_empty(),
        ) else {
            return Ok(());
        };
        let head = BankGenesis {
            params,
            balances: Vec::new(),
            supply,
            denom_metadata,
            send_enabled,
        };
        write_head(&mut ctx.store(), self.encoding, &head)
    }
}
