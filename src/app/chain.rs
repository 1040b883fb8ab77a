//! InitChain and genesis export.

use serde_json::Value;

use super::{App, AppError};
use crate::commitment::LatticeHash;
use crate::genesis::{AppGenesis, UPGRADE_SECTION, UpgradeSection};
use crate::store::{CommitInfo, CommitOptions, StateDelta};

/// Node metadata key of the chain id.
pub(crate) const CHAIN_ID_META: &str = "chain_id";

impl App {
    /// Validates `genesis` and builds the initial state: every module's
    /// InitGenesis, the binary's version map, the `upgrade` section's
    /// history. Commits it as height `initial_height - 1`.
    ///
    /// # Errors
    ///
    /// An invalid genesis (naming the JSON path), a file whose recorded
    /// module versions are not this binary's, an `app_hash` that does not
    /// match, or a chain that is already initialised. Nothing is written.
    pub fn init_chain(&mut self, genesis: &AppGenesis) -> Result<CommitInfo, AppError> {
        if let Some(last) = self.storage.last_commit() {
            return Err(AppError::AlreadyInitialised {
                height: last.height,
            });
        }
        let app_state = &genesis.app_state;
        self.manager
            .validate_genesis(app_state, &[UPGRADE_SECTION])?;
        let section: UpgradeSection = match app_state.get(UPGRADE_SECTION) {
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|e| AppError::UpgradeSection(e.to_string()))?,
            None => UpgradeSection::default(),
        };
        let binary_versions = self.manager.version_map();
        if let Some(recorded) = section.version_map() {
            if recorded != binary_versions {
                return Err(AppError::UpgradeSection(format!(
                    "the file records module versions {recorded:?} but this binary has {binary_versions:?}; run `appd genesis migrate` to bring the file to this release first"
                )));
            }
        }
        let height = genesis.initial_height.saturating_sub(1);
        let mut delta = StateDelta::new(self.storage.snapshot()?);
        self.manager.init_genesis(&mut delta, app_state, height)?;
        binary_versions.store(&mut delta)?;
        section.import(&mut delta);
        let (_, changes) = delta.into_parts();
        if !genesis.app_hash.is_empty() {
            let mut lattice = LatticeHash::new();
            for (store, writes) in changes.stores() {
                for (key, value) in writes {
                    if let Some(value) = value {
                        lattice.insert(store, key, value);
                    }
                }
            }
            let computed = lattice.app_hash().to_hex();
            if !computed.eq_ignore_ascii_case(&genesis.app_hash) {
                return Err(AppError::AppHashMismatch {
                    expected: genesis.app_hash.clone(),
                    computed,
                });
            }
        }
        let info = self.storage.commit(
            height,
            changes,
            &CommitOptions {
                node_meta: &[(CHAIN_ID_META, genesis.chain_id.as_bytes().to_vec())],
                ..CommitOptions::default()
            },
        )?;
        tracing::info!(chain_id = %genesis.chain_id, height, app_hash = %info.app_hash, "initialised chain");
        Ok(info)
    }

    /// Exports the last committed state as a genesis document whose first
    /// block follows the exported height. `app_hash` is left empty: a pending
    /// plan is not exported, so the imported state's hash can differ.
    ///
    /// # Errors
    ///
    /// A module that cannot export its state.
    pub fn export_genesis(&self) -> Result<AppGenesis, AppError> {
        let last = self.storage.last_commit().ok_or(AppError::NotInitialised)?;
        let snapshot = self.storage.snapshot()?;
        let mut app_state = self.manager.export_genesis(&snapshot)?;
        let section = UpgradeSection::export(&snapshot)?;
        app_state.insert(
            UPGRADE_SECTION.to_owned(),
            serde_json::to_value(section).unwrap_or(Value::Null),
        );
        let mut genesis = AppGenesis::new(&self.chain_id()?, app_state);
        genesis.initial_height = last.height + 1;
        Ok(genesis)
    }
}
