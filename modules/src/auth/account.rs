//! Accounts and their Cosmos JSON (`Any`) form.
//!
//! `BaseAccount` and `ModuleAccount` are modelled; any other `@type` (vesting
//! accounts, chain-specific types) is kept verbatim as the JSON object it
//! came in, so a chain's genesis loads and exports unchanged even though
//! this crate does not understand every account type. Such an account must
//! still say where its address is, so it can be keyed and found.

use serde::Deserialize;
use serde_json::{Map, Value};
use upgrade_runtime::{ModuleError, ValidationError, join_path};

use super::verbatim::OtherAccount;
use crate::address::Address;
use upgrade_runtime::json::{index_path, object, parse_at, u64_string};

/// `@type` of a plain account.
pub const BASE_ACCOUNT_TYPE: &str = "/cosmos.auth.v1beta1.BaseAccount";
/// `@type` of an account owned by a module.
pub const MODULE_ACCOUNT_TYPE: &str = "/cosmos.auth.v1beta1.ModuleAccount";

/// An account of the auth module.
#[derive(Clone, Debug, PartialEq)]
pub enum Account {
    /// `/cosmos.auth.v1beta1.BaseAccount`.
    Base(BaseAccount),
    /// `/cosmos.auth.v1beta1.ModuleAccount`.
    Module(ModuleAccount),
    /// Any other type, kept verbatim.
    Other(OtherAccount),
}

/// The fields every signing account has.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseAccount {
    /// The address.
    pub address: Address,
    /// The public key as its `Any` JSON, or `None` (JSON `null`) before the
    /// account first signed.
    pub pub_key: Option<Value>,
    /// Unique, assigned at creation.
    pub account_number: u64,
    /// Transactions signed so far; replay protection.
    pub sequence: u64,
}

/// An account owned by a module (fee collector, distribution, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleAccount {
    /// Its base account.
    pub base_account: BaseAccount,
    /// The owning module's account name.
    pub name: String,
    /// What the module may do with it (`minter`, `burner`, `staking`).
    pub permissions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BaseAccountJson {
    #[serde(rename = "@type")]
    _type_url: String,
    address: String,
    // proto3 JSON: a missing field is its zero value (no key, number 0,
    // sequence 0), as pre-launch files written by `add-genesis-account`
    // and encoders that omit defaults have them.
    #[serde(default)]
    pub_key: Value,
    #[serde(default, with = "u64_string")]
    account_number: u64,
    #[serde(default, with = "u64_string")]
    sequence: u64,
}

impl BaseAccountJson {
    fn into_fields(self) -> BaseFieldsJson {
        BaseFieldsJson {
            address: self.address,
            pub_key: self.pub_key,
            account_number: self.account_number,
            sequence: self.sequence,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BaseFieldsJson {
    address: String,
    // proto3 JSON: a missing field is its zero value (no key, number 0,
    // sequence 0), as pre-launch files written by `add-genesis-account`
    // and encoders that omit defaults have them.
    #[serde(default)]
    pub_key: Value,
    #[serde(default, with = "u64_string")]
    account_number: u64,
    #[serde(default, with = "u64_string")]
    sequence: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleAccountJson {
    #[serde(rename = "@type")]
    _type_url: String,
    base_account: BaseFieldsJson,
    name: String,
    permissions: Vec<String>,
}

impl Account {
    /// Reads an account from its JSON; errors carry `path` (the account's
    /// position in the genesis section) joined with the offending field.
    ///
    /// # Errors
    ///
    /// A [`ValidationError`] naming the field and the problem.
    pub fn from_json(value: &Value, path: &str) -> Result<Self, ValidationError> {
        let Some(object) = value.as_object() else {
            return Err(ValidationError::new(
                path,
                "expected an account object with an \"@type\"",
            ));
        };
        let type_url = match object.get("@type") {
            Some(Value::String(t)) => t.as_str(),
            Some(_) => {
                return Err(ValidationError::new(
                    join_path(path, "@type"),
                    "expected a string",
                ));
            }
            None => return Err(ValidationError::new(path, "missing \"@type\"")),
        };
        match type_url {
            BASE_ACCOUNT_TYPE => {
                let raw: BaseAccountJson = parse_at(value, path)?;
                Ok(Account::Base(base_from_json(raw.into_fields(), path)?))
            }
            MODULE_ACCOUNT_TYPE => {
                let raw: ModuleAccountJson = parse_at(value, path)?;
                let base_account =
                    base_from_json(raw.base_account, &join_path(path, "base_account"))?;
                if raw.name.trim().is_empty() {
                    return Err(ValidationError::new(
                        join_path(path, "name"),
                        "module account name cannot be blank",
                    ));
                }
                let permissions_path = join_path(path, "permissions");
                for (i, p) in raw.permissions.iter().enumerate() {
                    if p.trim().is_empty() {
                        return Err(ValidationError::new(
                            index_path(&permissions_path, i),
                            "permission cannot be blank",
                        ));
                    }
                    if let Some(j) = raw.permissions[..i].iter().position(|q| q == p) {
                        return Err(ValidationError::new(
                            index_path(&permissions_path, i),
                            format!(
                                "duplicate permission {p:?} (also at {})",
                                index_path(&permissions_path, j)
                            ),
                        ));
                    }
                }
                Ok(Account::Module(ModuleAccount {
                    base_account,
                    name: raw.name,
                    permissions: raw.permissions,
                }))
            }
            other => OtherAccount::from_json(other, object, value, path).map(Account::Other),
        }
    }

    /// The Cosmos JSON form; for modelled types with fields in Cosmos order.
    pub fn to_json(&self) -> Value {
        match self {
            Account::Base(b) => {
                let mut m = Map::new();
                m.insert("@type".into(), Value::String(BASE_ACCOUNT_TYPE.into()));
                m.extend(base_fields(b));
                Value::Object(m)
            }
            Account::Module(m) => object([
                ("@type", Value::String(MODULE_ACCOUNT_TYPE.into())),
                ("base_account", Value::Object(base_fields(&m.base_account))),
                ("name", Value::String(m.name.clone())),
                (
                    "permissions",
                    Value::Array(m.permissions.iter().cloned().map(Value::String).collect()),
                ),
            ]),
            Account::Other(o) => o.json().clone(),
        }
    }

    /// The stored bytes: the canonical JSON.
    pub fn encode(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    /// Decodes stored bytes found in `store` under `key`.
    ///
    /// # Errors
    ///
    /// [`ModuleError::CorruptState`] if they are not a valid account.
    pub fn decode(bytes: &[u8], store: &str, key: &[u8]) -> Result<Self, ModuleError> {
        // Most stored accounts are base accounts: read those straight from
        // the bytes, without building a JSON tree and copying it into the
        // typed form (an upgrade decodes every account). A value that reads
        // as one this way reads the same way below (a duplicate field fails
        // here and goes below); anything else takes the general path, which
        // also words the error.
        if let Ok(raw) = serde_json::from_slice::<BaseAccountJson>(bytes)
            && raw._type_url == BASE_ACCOUNT_TYPE
            && let Ok(base) = base_from_json(raw.into_fields(), "")
        {
            return Ok(Account::Base(base));
        }
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| ModuleError::corrupt(store, key, format!("account is not JSON: {e}")))?;
        Account::from_json(&value, "").map_err(|e| ModuleError::corrupt(store, key, e.to_string()))
    }

    /// The address.
    pub fn address(&self) -> &Address {
        match self {
            Account::Base(b) => &b.address,
            Account::Module(m) => &m.base_account.address,
            Account::Other(o) => o.address(),
        }
    }

    /// Where the address is inside the JSON, e.g. `base_account.address`.
    pub fn address_path(&self) -> String {
        self.field_path("address")
    }

    /// Where the account number is inside the JSON.
    pub fn account_number_path(&self) -> String {
        self.field_path("account_number")
    }

    fn field_path(&self, field: &str) -> String {
        match self {
            Account::Base(_) => field.to_owned(),
            Account::Module(_) => join_path("base_account", field),
            Account::Other(o) => o.field_path(field),
        }
    }

    /// Sets the account number (the SDK's `SetAccountNumber`), also in the
    /// verbatim JSON of a type this module does not model.
    pub fn set_account_number(&mut self, number: u64) {
        match self {
            Account::Base(b) => b.account_number = number,
            Account::Module(m) => m.base_account.account_number = number,
            Account::Other(o) => o.set_account_number(number),
        }
    }

    /// The `@type`.
    pub fn type_url(&self) -> &str {
        match self {
            Account::Base(_) => BASE_ACCOUNT_TYPE,
            Account::Module(_) => MODULE_ACCOUNT_TYPE,
            Account::Other(o) => o.type_url(),
        }
    }

    /// The account number, if the type has one.
    pub fn account_number(&self) -> Option<u64> {
        match self {
            Account::Base(b) => Some(b.account_number),
            Account::Module(m) => Some(m.base_account.account_number),
            Account::Other(o) => o.account_number(),
        }
    }

    /// The sequence, if the type has one.
    pub fn sequence(&self) -> Option<u64> {
        match self {
            Account::Base(b) => Some(b.sequence),
            Account::Module(m) => Some(m.base_account.sequence),
            Account::Other(o) => o.sequence(),
        }
    }

    /// Adds one to the sequence, as the ante handler does for a signer.
    ///
    /// # Errors
    ///
    /// A message if the type has no sequence or it would overflow.
    pub fn increment_sequence(&mut self) -> Result<(), String> {
        let address = self.address().clone();
        let overflow = || format!("sequence of account {address} would overflow");
        match self {
            Account::Base(b) => b.sequence = b.sequence.checked_add(1).ok_or_else(overflow)?,
            Account::Module(m) => {
                let s = &mut m.base_account.sequence;
                *s = s.checked_add(1).ok_or_else(overflow)?;
            }
            Account::Other(o) => o.increment_sequence()?,
        }
        Ok(())
    }
}

fn base_fields(b: &BaseAccount) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("address".into(), Value::String(b.address.to_bech32()));
    m.insert("pub_key".into(), b.pub_key.clone().unwrap_or(Value::Null));
    m.insert(
        "account_number".into(),
        Value::String(b.account_number.to_string()),
    );
    m.insert("sequence".into(), Value::String(b.sequence.to_string()));
    m
}

fn base_from_json(raw: BaseFieldsJson, path: &str) -> Result<BaseAccount, ValidationError> {
    let address = Address::parse(&raw.address)
        .map_err(|e| ValidationError::new(join_path(path, "address"), e.to_string()))?;
    let pub_key = match raw.pub_key {
        Value::Null => None,
        Value::Object(ref o) if matches!(o.get("@type"), Some(Value::String(_))) => {
            Some(raw.pub_key)
        }
        _ => {
            return Err(ValidationError::new(
                join_path(path, "pub_key"),
                "expected null or a public key object with an \"@type\"",
            ));
        }
    };
    Ok(BaseAccount {
        address,
        pub_key,
        account_number: raw.account_number,
        sequence: raw.sequence,
    })
}
