//! Upgrade plans and the `upgrade` store records of the keeper.

use serde::{Deserialize, Serialize};

use crate::store::{StateRead, StateWrite, StoreError, UPGRADE_STORE};

/// Key of the pending plan (Cosmos `PlanByte`).
pub const PLAN_KEY: u8 = 0x00;
/// Prefix of done records: `0x01 || BE u64 height || name` (Cosmos `DoneByte`).
pub const DONE_PREFIX: u8 = 0x01;
/// Key of the app version (Cosmos `ProtocolVersionByte`).
pub const APP_VERSION_KEY: u8 = 0x03;

/// A scheduled upgrade: at `height`, the binary must hold the handler of `name`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The release name, a semver version such as `v2.0.0`.
    pub name: String,
    /// The height at which the upgrade is applied (the first block of the new binary).
    pub height: u64,
    /// Free text for operators (cosmovisor reads download links from it).
    #[serde(default)]
    pub info: String,
}

impl std::fmt::Display for Plan {
    /// `"v2.0.0" at height 30: info`, the way halt messages name a plan.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} at height {}", self.name, self.height)?;
        if !self.info.is_empty() {
            write!(f, ": {}", self.info)?;
        }
        Ok(())
    }
}

/// An applied upgrade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoneRecord {
    /// The release name.
    pub name: String,
    /// The height it was applied at.
    pub height: u64,
}

fn corrupt(what: &str, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        what: what.into(),
        reason: reason.into(),
    }
}

/// The pending plan, if any.
///
/// # Errors
///
/// A backend failure or an undecodable plan.
pub fn pending_plan<S: StateRead + ?Sized>(state: &S) -> Result<Option<Plan>, StoreError> {
    match state.get(UPGRADE_STORE, &[PLAN_KEY])? {
        Some(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            corrupt(
                "pending upgrade plan (upgrade store key 0x00)",
                e.to_string(),
            )
        }),
        None => Ok(None),
    }
}

/// Stores `plan` as the pending plan, replacing any other.
pub fn set_plan<S: StateWrite + ?Sized>(state: &mut S, plan: &Plan) {
    // Serialising a struct of strings and integers cannot fail.
    let bytes = serde_json::to_vec(plan).unwrap_or_default();
    state.set(UPGRADE_STORE, vec![PLAN_KEY], bytes);
}

/// Removes the pending plan.
pub fn clear_plan<S: StateWrite + ?Sized>(state: &mut S) {
    state.delete(UPGRADE_STORE, vec![PLAN_KEY]);
}

/// Records that `name` was applied at `height`.
pub fn record_done<S: StateWrite + ?Sized>(state: &mut S, name: &str, height: u64) {
    let key = [&[DONE_PREFIX][..], &height.to_be_bytes(), name.as_bytes()].concat();
    state.set(UPGRADE_STORE, key, height.to_be_bytes().to_vec());
}

/// Every applied upgrade, oldest first.
///
/// # Errors
///
/// A backend failure or a malformed record.
pub fn done_history<S: StateRead + ?Sized>(state: &S) -> Result<Vec<DoneRecord>, StoreError> {
    let mut out = Vec::new();
    for item in state.prefix(UPGRADE_STORE, &[DONE_PREFIX])? {
        let (key, _) = item?;
        let what = || format!("done record 0x{}", hex::encode(&key));
        let height = key
            .get(1..9)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_be_bytes)
            .ok_or_else(|| corrupt(&what(), "shorter than 9 bytes"))?;
        let name = std::str::from_utf8(&key[9..])
            .map_err(|_| corrupt(&what(), "name is not UTF-8"))?
            .to_owned();
        out.push(DoneRecord { name, height });
    }
    Ok(out)
}

/// The height `name` was applied at, if it was.
///
/// # Errors
///
/// As [`done_history`].
pub fn done_height<S: StateRead + ?Sized>(
    state: &S,
    name: &str,
) -> Result<Option<u64>, StoreError> {
    Ok(done_history(state)?
        .into_iter()
        .find(|d| d.name == name)
        .map(|d| d.height))
}

/// The app version (0 before the first upgrade, then +1 per upgrade).
///
/// # Errors
///
/// A backend failure or a value that is not 8 bytes.
pub fn app_version<S: StateRead + ?Sized>(state: &S) -> Result<u64, StoreError> {
    match state.get(UPGRADE_STORE, &[APP_VERSION_KEY])? {
        Some(bytes) => <[u8; 8]>::try_from(bytes.as_slice())
            .map(u64::from_be_bytes)
            .map_err(|_| corrupt("app version (upgrade store key 0x03)", "expected 8 bytes")),
        None => Ok(0),
    }
}

/// Sets the app version.
pub fn set_app_version<S: StateWrite + ?Sized>(state: &mut S, version: u64) {
    state.set(
        UPGRADE_STORE,
        vec![APP_VERSION_KEY],
        version.to_be_bytes().to_vec(),
    );
}
