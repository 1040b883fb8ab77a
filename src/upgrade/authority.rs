//! The upgrade authority as a chain parameter: the one account whose
//! signed messages may schedule, cancel and re-assign upgrades. It lives in
//! the `upgrade` store (so it is consensus state, in the app hash, exported
//! and migrated with the rest), is set at genesis from the `upgrade`
//! section, and changes only by a message the current authority signs.

use crate::store::{StateRead, StateWrite, StoreError, UPGRADE_STORE};

/// Key of the authority (after Cosmos' `PlanByte`, `DoneByte`,
/// `VersionMapByte` and `ProtocolVersionByte`).
pub const AUTHORITY_KEY: u8 = 0x05;

/// The stored authority, `None` on a chain that never stored one (the
/// node's configured default applies then).
///
/// # Errors
///
/// A backend failure or a value that is not UTF-8.
pub fn authority<S: StateRead + ?Sized>(state: &S) -> Result<Option<String>, StoreError> {
    match state.get(UPGRADE_STORE, &[AUTHORITY_KEY])? {
        Some(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| StoreError::Corrupt {
                what: "upgrade authority (upgrade store key 0x05)".into(),
                reason: "not UTF-8".into(),
            }),
        None => Ok(None),
    }
}

/// Stores `address` as the authority.
pub fn set_authority<S: StateWrite + ?Sized>(state: &mut S, address: &str) {
    state.set(
        UPGRADE_STORE,
        vec![AUTHORITY_KEY],
        address.as_bytes().to_vec(),
    );
}
