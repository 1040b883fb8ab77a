//! State-sync restore: the other way, besides InitChain, that a node's
//! first state comes to be. The logical triples of a snapshot are accepted
//! only if their lattice hash is the app hash the light client trusts.

use super::chain::CHAIN_ID_META;
use super::{App, AppError};
use crate::commitment::{AppHash, LatticeHash};
use crate::store::{ChangeSet, CommitInfo, CommitOptions};

impl App {
    /// Commits `state` (every logical triple of a snapshot, as sets) as the
    /// state at `height` of chain `chain_id`, after checking that its app
    /// hash is `trusted`.
    ///
    /// # Errors
    ///
    /// [`AppError::AlreadyInitialised`] on a node with state,
    /// [`AppError::RestoreMismatch`] when the hash differs (nothing is
    /// written), or a backend failure.
    pub fn restore_state(
        &mut self,
        height: u64,
        chain_id: &str,
        state: ChangeSet,
        trusted: AppHash,
    ) -> Result<CommitInfo, AppError> {
        if let Some(last) = self.storage.last_commit() {
            return Err(AppError::AlreadyInitialised {
                height: last.height,
            });
        }
        let computed = LatticeHash::of_sets(&state).app_hash();
        if computed != trusted {
            return Err(AppError::RestoreMismatch {
                height,
                trusted: trusted.to_hex(),
                computed: computed.to_hex(),
            });
        }
        let meta = [
            (CHAIN_ID_META.to_owned(), chain_id.as_bytes().to_vec()),
            (
                crate::address_prefix::META_KEY.to_owned(),
                crate::address_prefix::get().as_bytes().to_vec(),
            ),
        ];
        let options = CommitOptions {
            node_meta: &meta,
            ..CommitOptions::default()
        };
        let info = self.storage.commit(height, state, &options)?;
        tracing::info!(chain_id, height, app_hash = %info.app_hash, "restored state from a snapshot");
        Ok(info)
    }
}
