//! `feegrant`: allowances a granter gives a grantee to pay fees.
//!
//! New in release v2.0.0: an upgrade adds its store and `run_migrations`
//! runs its InitGenesis with the default `{"allowances": []}`. Allowances
//! (`BasicAllowance`, `PeriodicAllowance`, ...) are kept verbatim: the
//! module only needs to know who granted what to whom.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use serde::Deserialize;
use serde_json::{Value, json};
use upgrade_runtime::store::ModuleReader;
use upgrade_runtime::{Context, Module, ModuleError, ValidationError, join_path};

use crate::address::Address;
use upgrade_runtime::json::{index_path, object, parse_at};

/// The module's name, genesis section and store.
pub const NAME: &str = "feegrant";

/// Prefix of allowance keys (Cosmos' `FeeAllowanceKeyPrefix`).
const ALLOWANCE_PREFIX: &[u8] = &[0x00];

/// The feegrant module (consensus version 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeeGrant;

impl FeeGrant {
    /// The module.
    pub fn new() -> Self {
        FeeGrant
    }
}

/// One allowance.
#[derive(Clone, Debug, PartialEq)]
pub struct Grant {
    /// Who pays.
    pub granter: Address,
    /// Whose fees are paid.
    pub grantee: Address,
    /// The allowance's `Any` JSON, verbatim.
    pub allowance: Value,
}

impl Grant {
    /// The Cosmos JSON form.
    pub fn to_json(&self) -> Value {
        object([
            ("granter", Value::String(self.granter.to_bech32())),
            ("grantee", Value::String(self.grantee.to_bech32())),
            ("allowance", self.allowance.clone()),
        ])
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GenesisJson {
    allowances: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantJson {
    granter: String,
    grantee: String,
    allowance: Value,
}

/// `0x00 || len || grantee || len || granter`, as Cosmos keys allowances.
fn allowance_key(granter: &Address, grantee: &Address) -> Vec<u8> {
    [
        ALLOWANCE_PREFIX,
        &grantee.length_prefixed(),
        &granter.length_prefixed(),
    ]
    .concat()
}

fn parse_grant(value: &Value, path: &str) -> Result<Grant, ValidationError> {
    let raw: GrantJson = parse_at(value, path)?;
    let address = |field: &str, s: &str| {
        Address::parse(s).map_err(|e| ValidationError::new(join_path(path, field), e.to_string()))
    };
    let granter = address("granter", &raw.granter)?;
    let grantee = address("grantee", &raw.grantee)?;
    if granter == grantee {
        return Err(ValidationError::new(
            join_path(path, "grantee"),
            format!("{granter} cannot grant a fee allowance to itself"),
        ));
    }
    if !matches!(raw.allowance.get("@type"), Some(Value::String(_))) {
        return Err(ValidationError::new(
            join_path(path, "allowance"),
            "expected an allowance object with an \"@type\"",
        ));
    }
    Ok(Grant {
        granter,
        grantee,
        allowance: raw.allowance,
    })
}

fn parse(genesis: &Value) -> Result<Vec<Grant>, ValidationError> {
    let raw: GenesisJson = parse_at(genesis, "")?;
    let mut seen: BTreeMap<(Address, Address), usize> = BTreeMap::new();
    let mut grants = Vec::with_capacity(raw.allowances.len());
    for (i, value) in raw.allowances.iter().enumerate() {
        let path = index_path("allowances", i);
        let grant = parse_grant(value, &path)?;
        match seen.entry((grant.granter.clone(), grant.grantee.clone())) {
            Entry::Occupied(first) => {
                return Err(ValidationError::new(
                    path,
                    format!(
                        "duplicate allowance from {} to {} (also at {})",
                        grant.granter,
                        grant.grantee,
                        index_path("allowances", *first.get())
                    ),
                ));
            }
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
        }
        grants.push(grant);
    }
    Ok(grants)
}

/// The allowance `granter` gave `grantee`, if any.
///
/// # Errors
///
/// A failed read or an undecodable value.
pub fn allowance(
    reader: &ModuleReader<'_>,
    granter: &Address,
    grantee: &Address,
) -> Result<Option<Grant>, ModuleError> {
    let key = allowance_key(granter, grantee);
    match reader.get(&key)? {
        Some(bytes) => decode(reader.name(), &key, &bytes).map(Some),
        None => Ok(None),
    }
}

fn decode(store: &str, key: &[u8], bytes: &[u8]) -> Result<Grant, ModuleError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ModuleError::corrupt(store, key, e.to_string()))?;
    parse_grant(&value, "").map_err(|e| ModuleError::corrupt(store, key, e.to_string()))
}

impl Module for FeeGrant {
    fn name(&self) -> &'static str {
        NAME
    }

    fn consensus_version(&self) -> u64 {
        1
    }

    fn default_genesis(&self) -> Value {
        json!({ "allowances": [] })
    }

    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        parse(genesis).map(|_| ())
    }

    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
        let mut store = ctx.store();
        for grant in parse(genesis)? {
            store.set(
                allowance_key(&grant.granter, &grant.grantee),
                grant.to_json().to_string(),
            );
        }
        Ok(())
    }

    /// Allowances in key order: by grantee, then granter.
    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
        let reader = ctx.own();
        let mut allowances = Vec::new();
        for item in reader.prefix(ALLOWANCE_PREFIX)? {
            let (key, value) = item?;
            allowances.push(decode(reader.name(), &key, &value)?.to_json());
        }
        Ok(object([("allowances", Value::Array(allowances))]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDR_A: &str = "cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du";
    const ADDR_B: &str = "cosmos1qgpqyqszqgpqyqszqgpqyqszqgpqyqszrh8mx2";

    fn grant(granter: &str, grantee: &str) -> Value {
        json!({
            "granter": granter,
            "grantee": grantee,
            "allowance": {"@type": "/cosmos.feegrant.v1beta1.BasicAllowance", "spend_limit": [], "expiration": null},
        })
    }

    fn err(genesis: Value) -> String {
        match FeeGrant.validate_genesis(&genesis) {
            Ok(()) => "valid".to_owned(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn validation_errors_name_the_field() {
        assert_eq!(err(FeeGrant.default_genesis()), "valid");
        assert_eq!(
            err(json!({"allowances": [grant(ADDR_A, ADDR_B), grant(ADDR_B, ADDR_A)]})),
            "valid"
        );
        insta::assert_snapshot!(err(json!({"allowances": [grant(ADDR_A, ADDR_B), grant(ADDR_A, ADDR_B)]})), @"allowances[1]: duplicate allowance from cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du to cosmos1qgpqyqszqgpqyqszqgpqyqszqgpqyqszrh8mx2 (also at allowances[0])");
        insta::assert_snapshot!(err(json!({"allowances": [grant(ADDR_A, ADDR_A)]})), @"allowances[0].grantee: cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du cannot grant a fee allowance to itself");
        insta::assert_snapshot!(err(json!({"allowances": [grant("cosmos1abc", ADDR_A)]})), @r#"allowances[0].granter: invalid bech32 address "cosmos1abc": parse failed: character error: invalid character (code=b)"#);
        insta::assert_snapshot!(err(json!({"allowances": [grant(ADDR_B, "")]})), @"allowances[0].grantee: empty address");
        let mut no_type = grant(ADDR_A, ADDR_B);
        no_type["allowance"] = json!({"spend_limit": []});
        insta::assert_snapshot!(err(json!({"allowances": [no_type]})), @r#"allowances[0].allowance: expected an allowance object with an "@type""#);
        let mut missing = grant(ADDR_A, ADDR_B);
        missing.as_object_mut().map(|o| o.remove("allowance"));
        insta::assert_snapshot!(err(json!({"allowances": [missing]})), @"allowances[0]: missing field `allowance`");
        insta::assert_snapshot!(err(json!({"allowances": {}})), @"allowances: invalid type: map, expected a sequence");
        insta::assert_snapshot!(err(json!({})), @": missing field `allowances`");
    }

    #[test]
    fn keys_group_allowances_by_grantee() {
        let a = Address::parse(ADDR_A).unwrap();
        let b = Address::parse(ADDR_B).unwrap();
        let key = allowance_key(&a, &b);
        assert_eq!(key.len(), 1 + 21 + 21);
        assert_eq!(&key[2..22], b.as_bytes());
        assert_eq!(&key[23..], a.as_bytes());
    }
}
