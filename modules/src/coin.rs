//! Coins: a denom and an amount, written in JSON as decimal strings.
//!
//! Amounts are `u128` inside and canonical decimal strings outside. A list
//! of coins is valid when sorted by denom, without duplicates and without zero
//! amounts, as Cosmos' `Coins.Validate` wants.

use std::fmt;

use serde::Deserialize;
use serde_json::Value;
use upgrade_runtime::{ValidationError, join_path};

use upgrade_runtime::json::{index_path, object, parse_decimal};

/// One amount of one denom.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Coin {
    /// The denomination, e.g. `stake` or `ibc/27394F...`.
    pub denom: String,
    /// The amount in base units.
    pub amount: u128,
}

impl Coin {
    /// A coin of `amount` `denom`.
    pub fn new(denom: impl Into<String>, amount: u128) -> Self {
        Coin {
            denom: denom.into(),
            amount,
        }
    }

    /// The Cosmos JSON form `{"denom": ..., "amount": "..."}`.
    pub fn to_json(&self) -> Value {
        object([
            ("denom", Value::String(self.denom.clone())),
            ("amount", Value::String(self.amount.to_string())),
        ])
    }
}

impl fmt::Display for Coin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.denom)
    }
}

/// A coin exactly as written in JSON, before its amount is checked.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CoinJson {
    pub(crate) denom: String,
    #[serde(deserialize_with = "amount_string")]
    pub(crate) amount: String,
}

/// Accepts only a JSON string, saying what it wanted otherwise.
fn amount_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct AmountVisitor;
    impl serde::de::Visitor<'_> for AmountVisitor {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an amount as a decimal string")
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<String, E> {
            Ok(s.to_owned())
        }
    }
    d.deserialize_str(AmountVisitor)
}

/// Checks a denom against Cosmos' `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
///
/// # Errors
///
/// A message quoting the denom and the rule.
pub fn validate_denom(denom: &str) -> Result<(), String> {
    let bytes = denom.as_bytes();
    let ok = (3..=128).contains(&bytes.len())
        && bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"/:._-".contains(b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid denom {denom:?}: must match [a-zA-Z][a-zA-Z0-9/:._-]{{2,127}}"
        ))
    }
}

/// Parses an amount string.
///
/// # Errors
///
/// A message saying why it is not a canonical u128 decimal.
pub fn parse_amount(s: &str) -> Result<u128, String> {
    parse_decimal(s, u128::MAX).map_err(|e| format!("invalid amount: {e}"))
}

/// Checks one coin, which must be positive (balances, supply, sends and
/// fees all are); errors carry `path` (the coin) joined with the field.
pub(crate) fn parse_coin(raw: &CoinJson, path: &str) -> Result<Coin, ValidationError> {
    validate_denom(&raw.denom).map_err(|m| ValidationError::new(join_path(path, "denom"), m))?;
    let amount_path = join_path(path, "amount");
    let amount = parse_amount(&raw.amount).map_err(|m| ValidationError::new(&amount_path, m))?;
    if amount == 0 {
        return Err(ValidationError::new(
            amount_path,
            format!("amount of {} must be positive, got 0", raw.denom),
        ));
    }
    Ok(Coin::new(raw.denom.clone(), amount))
}

/// Checks a list of coins found at `path`: each coin, then order and
/// uniqueness of denoms.
pub(crate) fn parse_coins(raw: &[CoinJson], path: &str) -> Result<Vec<Coin>, ValidationError> {
    let mut coins: Vec<Coin> = Vec::with_capacity(raw.len());
    for (j, c) in raw.iter().enumerate() {
        let coin_path = index_path(path, j);
        let coin = parse_coin(c, &coin_path)?;
        if let Some(prev) = coins.last() {
            if coin.denom == prev.denom {
                return Err(ValidationError::new(
                    join_path(&coin_path, "denom"),
                    format!(
                        "duplicate denom {:?} (also at {})",
                        coin.denom,
                        index_path(path, j - 1)
                    ),
                ));
            }
            if coin.denom < prev.denom {
                return Err(ValidationError::new(
                    join_path(&coin_path, "denom"),
                    format!(
                        "coins are not sorted by denom: {:?} comes after {:?}",
                        coin.denom, prev.denom
                    ),
                ));
            }
        }
        coins.push(coin);
    }
    Ok(coins)
}

/// Parses a JSON coin list (as balances and supply hold it).
///
/// # Errors
///
/// Not a valid list of coins.
pub fn parse_coins_json(value: &Value) -> Result<Vec<Coin>, String> {
    let raw: Vec<CoinJson> = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    parse_coins(&raw, "").map_err(|e| e.to_string())
}

/// The JSON array of `coins`.
pub(crate) fn coins_to_json(coins: &[Coin]) -> Value {
    Value::Array(coins.iter().map(Coin::to_json).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> Vec<CoinJson> {
        pairs
            .iter()
            .map(|(d, a)| CoinJson {
                denom: (*d).to_owned(),
                amount: (*a).to_owned(),
            })
            .collect()
    }

    #[test]
    fn denoms_follow_the_cosmos_rule() {
        assert!(validate_denom("stake").is_ok());
        assert!(
            validate_denom("ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2")
                .is_ok()
        );
        assert!(validate_denom("factory/cosmos1abc/u-x.y:z").is_ok());
        assert!(validate_denom(&"a".repeat(128)).is_ok());
        assert!(validate_denom(&"a".repeat(129)).is_err());
        assert!(validate_denom("ab").is_err());
        assert!(validate_denom("1abc").is_err());
        insta::assert_snapshot!(validate_denom("st ake").unwrap_err(), @r#"invalid denom "st ake": must match [a-zA-Z][a-zA-Z0-9/:._-]{2,127}"#);
    }

    #[test]
    fn coin_lists_must_be_sorted_unique_and_positive() {
        let ok = parse_coins(&raw(&[("stake", "5"), ("uatom", "7")]), "coins").unwrap();
        assert_eq!(ok, vec![Coin::new("stake", 5), Coin::new("uatom", 7)]);
        let err = parse_coins(&raw(&[("uatom", "5"), ("stake", "7")]), "coins").unwrap_err();
        insta::assert_snapshot!(err, @r#"coins[1].denom: coins are not sorted by denom: "stake" comes after "uatom""#);
        let err = parse_coins(&raw(&[("stake", "5"), ("stake", "7")]), "coins").unwrap_err();
        insta::assert_snapshot!(err, @r#"coins[1].denom: duplicate denom "stake" (also at coins[0])"#);
        let err = parse_coins(&raw(&[("stake", "0")]), "coins").unwrap_err();
        insta::assert_snapshot!(err, @"coins[0].amount: amount of stake must be positive, got 0");
        let err = parse_coins(&raw(&[("stake", "-3")]), "coins").unwrap_err();
        insta::assert_snapshot!(err, @r#"coins[0].amount: invalid amount: "-3" is negative"#);
    }

    #[test]
    fn json_form_uses_decimal_strings() {
        let c = Coin::new("stake", u128::MAX);
        assert_eq!(
            c.to_json().to_string(),
            r#"{"denom":"stake","amount":"340282366920938463463374607431768211455"}"#
        );
        assert_eq!(
            c.to_string(),
            "340282366920938463463374607431768211455stake"
        );
    }
}
