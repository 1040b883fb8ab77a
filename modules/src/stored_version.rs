//! Checking that a store is encoded at the version the binary runs, before
//! reading it whole (export): a clear refusal instead of garbled output.

use upgrade_runtime::ModuleError;

/// Fails unless the store's detected encoding version `found` is
/// `expected`. `None` means the store has no params at all.
///
/// # Errors
///
/// [`ModuleError::Rejected`] for another version (run the migrations);
/// [`ModuleError::CorruptState`] for a store without params.
pub(crate) fn require_version(
    module: &str,
    store: &str,
    params_key: &[u8],
    found: Option<u64>,
    expected: u64,
) -> Result<(), ModuleError> {
    match found {
        Some(found) if found == expected => Ok(()),
        Some(found) => Err(ModuleError::Rejected(format!(
            "{module} state is encoded as version {found} but this binary runs {module} at version {expected}; run the {module} migrations first"
        ))),
        None => Err(ModuleError::corrupt(
            store,
            params_key,
            format!("{module} params are missing; was InitGenesis run?"),
        )),
    }
}
