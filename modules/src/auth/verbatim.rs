//! Accounts of types this crate does not model, kept verbatim.
//!
//! Vesting accounts and chain-specific types load and export unchanged: the
//! JSON object is kept as given. All auth needs is where the object keeps
//! its address (to key it), account number (to index it) and sequence (to
//! bump it when the account signs).

use serde_json::{Map, Value};
use upgrade_runtime::{ValidationError, join_path};

use crate::address::Address;
use upgrade_runtime::json::parse_u64;

/// Where an unmodelled account type may keep its address, tried in order:
/// a flat account, one embedding a base account, and the vesting accounts.
const ADDRESS_LOCATIONS: [&[&str]; 3] = [
    &[],
    &["base_account"],
    &["base_vesting_account", "base_account"],
];

/// An account of a type this crate does not model, kept verbatim.
#[derive(Clone, Debug, PartialEq)]
pub struct OtherAccount {
    type_url: String,
    address: Address,
    /// Object keys leading to the object that holds `address`,
    /// `account_number` and `sequence`.
    base: &'static [&'static str],
    account_number: Option<u64>,
    sequence: Option<u64>,
    json: Value,
}

impl OtherAccount {
    /// Reads an unmodelled account, finding its address.
    pub(crate) fn from_json(
        type_url: &str,
        object: &Map<String, Value>,
        value: &Value,
        path: &str,
    ) -> Result<OtherAccount, ValidationError> {
        for base in ADDRESS_LOCATIONS {
            let Some(holder) = base
                .iter()
                .try_fold(object, |o, k| o.get(*k).and_then(Value::as_object))
            else {
                continue;
            };
            let Some(address) = holder.get("address") else {
                continue;
            };
            let base_path = join_path(path, &base.join("."));
            let address = match address {
                Value::String(s) => Address::parse(s).map_err(|e| {
                    ValidationError::new(join_path(&base_path, "address"), e.to_string())
                })?,
                _ => {
                    return Err(ValidationError::new(
                        join_path(&base_path, "address"),
                        "expected a string",
                    ));
                }
            };
            let number = |field: &str| -> Result<Option<u64>, ValidationError> {
                match holder.get(field) {
                    None => Ok(None),
                    Some(Value::String(s)) => parse_u64(s)
                        .map(Some)
                        .map_err(|e| ValidationError::new(join_path(&base_path, field), e)),
                    Some(_) => Err(ValidationError::new(
                        join_path(&base_path, field),
                        "expected a u64 as a decimal string",
                    )),
                }
            };
            return Ok(OtherAccount {
                type_url: type_url.to_owned(),
                address,
                base,
                account_number: number("account_number")?,
                sequence: number("sequence")?,
                json: value.clone(),
            });
        }
        Err(ValidationError::new(
            path,
            format!(
                "account of type {type_url:?} has no address at address, base_account.address or base_vesting_account.base_account.address"
            ),
        ))
    }

    /// The address.
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// Sets the account number, in the verbatim JSON too.
    pub fn set_account_number(&mut self, number: u64) {
        self.account_number = Some(number);
        let mut holder = &mut self.json;
        for key in self.base {
            holder = &mut holder[*key];
        }
        holder["account_number"] = Value::String(number.to_string());
    }

    /// The account number, if the object has one.
    pub fn account_number(&self) -> Option<u64> {
        self.account_number
    }

    /// The sequence, if the object has one.
    pub fn sequence(&self) -> Option<u64> {
        self.sequence
    }

    /// Where `field` of the base object is, e.g.
    /// `base_vesting_account.base_account.address`.
    pub(crate) fn field_path(&self, field: &str) -> String {
        join_path(&self.base.join("."), field)
    }

    /// Adds one to the sequence inside the verbatim JSON.
    pub(crate) fn increment_sequence(&mut self) -> Result<(), String> {
        let address = &self.address;
        let current = self.sequence.ok_or_else(|| {
            format!(
                "account {address} of type {} has no sequence and cannot sign",
                self.type_url
            )
        })?;
        let next = current
            .checked_add(1)
            .ok_or_else(|| format!("sequence of account {address} would overflow"))?;
        let base = self
            .base
            .iter()
            .try_fold(&mut self.json, |v, k| v.get_mut(*k))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| format!("account {address}: base object vanished"))?;
        base.insert("sequence".into(), Value::String(next.to_string()));
        self.sequence = Some(next);
        Ok(())
    }

    /// Its `@type`.
    pub fn type_url(&self) -> &str {
        &self.type_url
    }

    /// The JSON object exactly as imported (with sequence bumps applied).
    pub fn json(&self) -> &Value {
        &self.json
    }
}
