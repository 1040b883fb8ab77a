//! `crisis`: the fee for asserting a broken invariant.
//!
//! A deliberately small module: a later release deletes its store with a
//! store upgrade, the way Cosmos SDK 0.50 chains dropped `x/crisis`.

use serde::Deserialize;
use serde_json::{Value, json};
use upgrade_runtime::store::ModuleReader;
use upgrade_runtime::{Context, Module, ModuleError, ValidationError};

use crate::coin::{Coin, CoinJson, parse_amount, parse_coin};
use upgrade_runtime::json::parse_at;

/// The module's name, genesis section and store.
pub const NAME: &str = "crisis";

/// Key of the constant fee (Cosmos' `ConstantFeeKey`).
const CONSTANT_FEE: &[u8] = &[0x01];

/// The crisis module (consensus version 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Crisis;

impl Crisis {
    /// The module.
    pub fn new() -> Self {
        Crisis
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrisisGenesisJson {
    constant_fee: CoinJson,
}

fn parse(genesis: &Value) -> Result<Coin, ValidationError> {
    let raw: CrisisGenesisJson = parse_at(genesis, "")?;
    parse_coin(&raw.constant_fee, "constant_fee")
}

/// The constant fee, if InitGenesis wrote it.
///
/// # Errors
///
/// A failed read or an undecodable value.
pub fn constant_fee(reader: &ModuleReader<'_>) -> Result<Option<Coin>, ModuleError> {
    let Some(bytes) = reader.get(CONSTANT_FEE)? else {
        return Ok(None);
    };
    let corrupt = |e: String| ModuleError::corrupt(reader.name(), CONSTANT_FEE, e);
    let raw: CoinJson = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
    let amount = parse_amount(&raw.amount).map_err(corrupt)?;
    Ok(Some(Coin::new(raw.denom, amount)))
}

impl Module for Crisis {
    fn name(&self) -> &'static str {
        NAME
    }

    fn consensus_version(&self) -> u64 {
        1
    }

    fn default_genesis(&self) -> Value {
        json!({ "constant_fee": Coin::new("stake", 1000).to_json() })
    }

    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        parse(genesis).map(|_| ())
    }

    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
        let fee = parse(genesis)?;
        ctx.store().set(CONSTANT_FEE, fee.to_json().to_string());
        Ok(())
    }

    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
        let fee = constant_fee(&ctx.own())?.ok_or_else(|| {
            ModuleError::corrupt(
                NAME,
                CONSTANT_FEE,
                "constant fee is missing; was InitGenesis run?",
            )
        })?;
        Ok(json!({ "constant_fee": fee.to_json() }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(genesis: Value) -> String {
        Crisis.validate_genesis(&genesis).unwrap_err().to_string()
    }

    #[test]
    fn validation_errors_name_the_field() {
        assert!(Crisis.validate_genesis(&Crisis.default_genesis()).is_ok());
        insta::assert_snapshot!(err(json!({"constant_fee": {"denom": "stake", "amount": "0"}})), @"constant_fee.amount: amount of stake must be positive, got 0");
        insta::assert_snapshot!(err(json!({"constant_fee": {"denom": "s", "amount": "10"}})), @r#"constant_fee.denom: invalid denom "s": must match [a-zA-Z][a-zA-Z0-9/:._-]{2,127}"#);
        insta::assert_snapshot!(err(json!({"constant_fee": {"denom": "stake", "amount": 10}})), @"constant_fee.amount: invalid type: integer `10`, expected an amount as a decimal string");
        insta::assert_snapshot!(err(json!({"constant_fee": {"denom": "stake", "amount": "1.5"}})), @r#"constant_fee.amount: invalid amount: "1.5" is not a decimal integer"#);
        insta::assert_snapshot!(err(json!({})), @": missing field `constant_fee`");
        insta::assert_snapshot!(err(json!({"constant_fee": {"denom": "stake", "amount": "1"}, "extra": 1})), @"extra: unknown field `extra`, expected `constant_fee`");
    }
}
