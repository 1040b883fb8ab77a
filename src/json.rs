//! JSON helpers for modules' genesis sections: typed parsing that reports
//! the JSON path of what is wrong (what validation errors name), and the
//! decimal-string integers of Cosmos JSON.

use std::fmt;

use crate::module::{ModuleError, ValidationError, join_path};
use serde::de::{DeserializeOwned, Visitor};
use serde::{Deserializer, Serializer};
use serde_json::Value;

/// The genesis JSON migration of a step that changes only how the store
/// keeps the state, not the section's JSON: the section goes through as it
/// is. Registered all the same (see `register_genesis_migration`), so that
/// `genesis migrate` knows the step was considered rather than forgotten.
pub fn same_json(section: Value) -> Result<Value, ModuleError> {
    Ok(section)
}

/// Deserializes `value` as `T`; a failure becomes a [`ValidationError`] at
/// `path` joined with the path inside `value` (`accounts[3].sequence`).
pub fn parse_at<T: DeserializeOwned>(value: &Value, path: &str) -> Result<T, ValidationError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let inner = if inner == "." { String::new() } else { inner };
        ValidationError::new(join_path(path, &inner), e.into_inner().to_string())
    })
}

/// A JSON object of `pairs`, in order, moving the values in (`json!`
/// serialises a deep copy of every non-literal value, which matters for
/// lists of a million accounts).
pub fn object<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// A validation error as `path: message`, or just the message at the root.
pub fn describe(e: &ValidationError) -> String {
    if e.path.is_empty() {
        e.message.clone()
    } else {
        e.to_string()
    }
}

/// `parent[index]`.
pub fn index_path(parent: &str, index: usize) -> String {
    join_path(parent, &format!("[{index}]"))
}

/// Parses a canonical unsigned decimal: digits only, no sign, no leading
/// zeros (so each value has one spelling and round-trips exactly), at most
/// `max`.
pub fn parse_decimal(s: &str, max: u128) -> Result<u128, String> {
    if s.is_empty() {
        return Err("empty string, expected a decimal integer".to_owned());
    }
    if s.starts_with('-') {
        return Err(format!("{s:?} is negative"));
    }
    if s.starts_with('+') {
        return Err(format!("{s:?} has a leading '+'"));
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{s:?} is not a decimal integer"));
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err(format!("{s:?} has leading zeros"));
    }
    match s.parse::<u128>() {
        Ok(v) if v <= max => Ok(v),
        _ => Err(format!("{s:?} exceeds the maximum {max}")),
    }
}

/// Parses a u64 written as a decimal string (Cosmos JSON's convention).
pub fn parse_u64(s: &str) -> Result<u64, String> {
    parse_decimal(s, u128::from(u64::MAX))
        .and_then(|v| u64::try_from(v).map_err(|e| e.to_string()))
        .map_err(|e| format!("invalid u64: {e}"))
}

/// Serde adapter for `u64` fields written as decimal strings
/// (`#[serde(with = "upgrade_runtime::json::u64_string")]`).
pub mod u64_string {
    use super::*;

    /// Writes the decimal string.
    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    /// Reads a canonical decimal string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_str(U64Visitor)
    }

    struct U64Visitor;

    impl Visitor<'_> for U64Visitor {
        type Value = u64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a u64 as a decimal string")
        }

        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<u64, E> {
            parse_u64(s).map_err(E::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_have_one_spelling() {
        assert_eq!(parse_decimal("0", 10), Ok(0));
        assert_eq!(parse_decimal("10", 10), Ok(10));
        insta::assert_snapshot!(parse_decimal("11", 10).unwrap_err(), @r#""11" exceeds the maximum 10"#);
        insta::assert_snapshot!(parse_decimal("010", 10).unwrap_err(), @r#""010" has leading zeros"#);
        insta::assert_snapshot!(parse_decimal("+1", 10).unwrap_err(), @r#""+1" has a leading '+'"#);
        insta::assert_snapshot!(parse_decimal("-1", 10).unwrap_err(), @r#""-1" is negative"#);
        insta::assert_snapshot!(parse_decimal("1e3", 10).unwrap_err(), @r#""1e3" is not a decimal integer"#);
        insta::assert_snapshot!(parse_decimal("", 10).unwrap_err(), @"empty string, expected a decimal integer");
        assert_eq!(parse_u64("18446744073709551615"), Ok(u64::MAX));
        insta::assert_snapshot!(parse_u64("18446744073709551616").unwrap_err(), @r#"invalid u64: "18446744073709551616" exceeds the maximum 18446744073709551615"#);
    }
}
