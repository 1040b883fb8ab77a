//! The `upgrade` section of a genesis: which module versions wrote the
//! file, and the releases applied so far. (Cosmos exports `{}` here, which
//! is why its exports cannot say what wrote them.)

use serde::{Deserialize, Serialize};

use crate::store::{StateRead, StateWrite, StoreError};
use crate::upgrade::{
    DoneRecord, LedgerEntry, app_version, authority, done_history, ledger, record_done,
    set_app_version, set_authority,
};
use crate::version_map::VersionMap;

/// One module's consensus version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleVersion {
    /// The module.
    pub name: String,
    /// Its version, as a decimal string (Cosmos JSON encodes u64 as strings).
    #[serde(with = "u64_string")]
    pub version: u64,
}

/// One applied release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneUpgrade {
    /// The release.
    pub name: String,
    /// The height it was applied at.
    #[serde(with = "u64_string")]
    pub height: u64,
}

/// The runtime's own genesis section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpgradeSection {
    /// The module versions of the state this file was exported from.
    #[serde(default)]
    pub module_versions: Vec<ModuleVersion>,
    /// Releases applied, oldest first.
    #[serde(default)]
    pub done: Vec<DoneUpgrade>,
    /// The app version.
    #[serde(default, with = "u64_string")]
    pub app_version: u64,
    /// The consensus part of the migration ledger: what each applied
    /// upgrade did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ledger: Vec<LedgerEntry>,
    /// The account allowed to schedule, cancel and hand on upgrades (absent:
    /// the node's configured default, the gov module address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
}

impl UpgradeSection {
    /// The recorded versions as a map (`None` when the file records none).
    pub fn version_map(&self) -> Option<VersionMap> {
        if self.module_versions.is_empty() {
            return None;
        }
        Some(
            self.module_versions
                .iter()
                .map(|m| (m.name.clone(), m.version))
                .collect(),
        )
    }

    /// Parses the section from its JSON; an error is the JSON path inside
    /// the section (empty for the section itself) and what is wrong.
    ///
    /// # Errors
    ///
    /// `(path, message)` for a malformed section.
    pub fn from_json(value: serde_json::Value) -> Result<Self, (String, String)> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            (path, e.into_inner().to_string())
        })
    }

    /// Reads the section from committed state.
    ///
    /// # Errors
    ///
    /// A backend failure or a corrupt record.
    pub fn export<S: StateRead + ?Sized>(state: &S) -> Result<Self, StoreError> {
        Ok(UpgradeSection {
            module_versions: VersionMap::load(state)?
                .iter()
                .map(|(name, version)| ModuleVersion {
                    name: name.to_owned(),
                    version,
                })
                .collect(),
            done: done_history(state)?
                .into_iter()
                .map(|DoneRecord { name, height }| DoneUpgrade { name, height })
                .collect(),
            app_version: app_version(state)?,
            ledger: ledger(state)?,
            authority: authority(state)?,
        })
    }

    /// Writes the done history and app version (the version map is written
    /// by InitChain from the binary's modules, after checking it matches).
    pub fn import<S: StateWrite + ?Sized>(&self, state: &mut S) {
        for done in &self.done {
            record_done(state, &done.name, done.height);
        }
        for entry in &self.ledger {
            entry.store(state);
        }
        if self.app_version > 0 {
            set_app_version(state, self.app_version);
        }
        if let Some(address) = &self.authority {
            set_authority(state, address);
        }
    }
}

mod u64_string {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|_| {
            D::Error::custom(format!(
                "expected an unsigned integer as a decimal string, found {s:?}"
            ))
        })
    }
}
