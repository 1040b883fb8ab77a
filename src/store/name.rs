//! Store names and the stores reserved for the runtime.

use super::StoreError;

/// The runtime's own consensus store: plans, done history, version map, app version.
pub const UPGRADE_STORE: &str = "upgrade";
/// The node-local store of the lazy layout migration: boundary and layout version.
/// It is outside the app hash and outside genesis exports.
pub const MIGRATION_STORE: &str = "migration";
/// Every store name a module may never open.
pub const RESERVED_STORES: [&str; 2] = [UPGRADE_STORE, MIGRATION_STORE];

/// Longest store name accepted, in bytes.
pub const MAX_STORE_NAME_LEN: usize = 64;

/// Whether `name` is reserved for the runtime.
pub fn is_reserved(name: &str) -> bool {
    RESERVED_STORES.contains(&name)
}

/// Checks that `name` can serve as a store name: 1 to 64 bytes of `[a-z0-9_]`.
///
/// The restriction keeps the v1 physical key `s/k:<store>/<key>` unambiguous
/// (no `/` in a store name), and makes the byte order of v1 physical keys
/// equal to the (store name, key) order the lazy migration walks: every
/// allowed byte sorts after `/`, so `bank/...` comes before `bank2/...` just
/// as `bank` comes before `bank2`.
///
/// # Errors
///
/// [`StoreError::InvalidStoreName`] naming the rule that was broken.
pub fn validate_store_name(name: &str) -> Result<(), StoreError> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name.len() > MAX_STORE_NAME_LEN {
        Some("it is longer than 64 bytes")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Some("only lowercase ASCII letters, digits and '_' are allowed")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(StoreError::InvalidStoreName {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_module_names_and_rejects_ambiguous_ones() {
        assert!(validate_store_name("bank").is_ok());
        assert!(validate_store_name("fee_grant2").is_ok());
        assert!(validate_store_name("fee-grant").is_err());
        assert!(validate_store_name("").is_err());
        assert!(validate_store_name("a/b").is_err());
        assert!(validate_store_name("Bank").is_err());
        assert!(validate_store_name(&"x".repeat(65)).is_err());
    }
}
