//! Genesis JSON helpers shared by the modules. Every error names the JSON
//! path of what is wrong (`counters[2].value`), relative to the section, as
//! [`ValidationError`] asks; the node prefixes the section.

use std::collections::BTreeMap;

use serde_json::Value;
use upgrade_runtime::{ValidationError, join_path};

/// The fields `names` of the object at `path`, in that order. Any other
/// field is an error too: a typo must not be silently dropped, or the
/// export would differ from the genesis.
pub(crate) fn fields<'a, const N: usize>(
    value: &'a Value,
    path: &str,
    names: [&str; N],
) -> Result<[&'a Value; N], ValidationError> {
    let object = value
        .as_object()
        .ok_or_else(|| ValidationError::new(path, "expected an object"))?;
    if let Some(extra) = object.keys().find(|k| !names.contains(&k.as_str())) {
        return Err(ValidationError::new(
            join_path(path, extra),
            "unknown field",
        ));
    }
    let mut found = [&Value::Null; N];
    for (slot, name) in found.iter_mut().zip(names) {
        *slot = object
            .get(name)
            .ok_or_else(|| ValidationError::new(join_path(path, name), "missing field"))?;
    }
    Ok(found)
}

/// The array at `path`.
pub(crate) fn list<'a>(value: &'a Value, path: &str) -> Result<&'a [Value], ValidationError> {
    value
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| ValidationError::new(path, "expected an array"))
}

/// The string at `path`.
pub(crate) fn string<'a>(value: &'a Value, path: &str) -> Result<&'a str, ValidationError> {
    value
        .as_str()
        .ok_or_else(|| ValidationError::new(path, "expected a string"))
}

/// The `u64` at `path`, written as a canonical decimal string (`"12"`, as
/// Cosmos JSON writes integers): digits only, no sign, no leading zero, so
/// every value has one spelling and an export reproduces its genesis
/// exactly.
pub(crate) fn uint(value: &Value, path: &str) -> Result<u64, ValidationError> {
    let s = string(value, path)?;
    let canonical = s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    match s.parse() {
        Ok(n) if canonical => Ok(n),
        _ => Err(ValidationError::new(
            path,
            format!("{s:?} is not a canonical decimal u64"),
        )),
    }
}

/// Checks that every `(key, path)` has a non-empty key and that no key
/// repeats, naming the path of the later of two equal ones.
pub(crate) fn unique<'a>(
    keys: impl IntoIterator<Item = (&'a str, String)>,
) -> Result<(), ValidationError> {
    let mut seen = BTreeMap::new();
    for (key, path) in keys {
        if key.is_empty() {
            return Err(ValidationError::new(path, "must not be empty"));
        }
        if let Some(first) = seen.insert(key, path.clone()) {
            return Err(ValidationError::new(
                path,
                format!("duplicate {key:?} (also at {first})"),
            ));
        }
    }
    Ok(())
}

/// `field[i]`.
pub(crate) fn index(field: &str, i: usize) -> String {
    format!("{field}[{i}]")
}
