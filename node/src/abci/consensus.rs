//! The consensus connection: Info (the handshake), InitChain, FinalizeBlock
//! and Commit, with CometBFT v0.38's semantics (`spec/abci/abci++_methods.md`).
//! FinalizeBlock runs the same block executor as the standalone loop:
//! pre-block (the upgrade check), BeginBlock, every transaction, EndBlock;
//! Commit persists the block in one redb transaction. A crash between the
//! two loses only the pending block, which CometBFT replays after `Info`.

use bytes::Bytes;
use serde_json::Value;
use std::io::Read as _;
use tendermint_proto::v0_38::abci::{
    Event, EventAttribute, RequestFinalizeBlock, RequestInfo, RequestInitChain, ResponseCommit,
    ResponseFinalizeBlock, ResponseInfo, ResponseInitChain,
};
use tendermint_proto::v0_38::types::{ConsensusParams, VersionParams};

use upgrade_runtime::app::{AppError, InitOptions};
use upgrade_runtime::upgrade::app_version;

use super::Failure;
use super::state::{AbciNode, Pending};
use super::time::rfc3339;
use super::tx::exec_result;

impl AbciNode {
    /// `Info`: the last committed height and app hash, after which CometBFT
    /// replays the blocks the app has not committed.
    pub fn info(&self, _request: RequestInfo) -> Result<ResponseInfo, Failure> {
        let state = self.lock();
        let app = &state.app;
        // After InitChain and before the first block the app is at height
        // 0 for CometBFT, whatever the genesis' initial height.
        let at_genesis = app.at_genesis().map_err(Failure::exception)?;
        let (height, hash) = match app.last_commit() {
            Some(c) if at_genesis => (0, Bytes::copy_from_slice(&c.app_hash.0)),
            Some(c) => (c.height, Bytes::copy_from_slice(&c.app_hash.0)),
            None => (0, Bytes::new()),
        };
        let version = match app.last_commit() {
            Some(_) => app_version(&app.snapshot().map_err(Failure::exception)?)
                .map_err(Failure::exception)?,
            None => 0,
        };
        Ok(ResponseInfo {
            data: self.name.clone(),
            version: self.release.clone(),
            app_version: version,
            last_block_height: i64::try_from(height).unwrap_or(i64::MAX),
            last_block_app_hash: hash,
        })
    }

    /// `InitChain`: the initial state from CometBFT's genesis. Called when
    /// `Info` reports height 0; called again after a crash before the
    /// first block, which answers the state already initialised.
    pub fn init_chain(&self, request: RequestInitChain) -> Result<ResponseInitChain, Failure> {
        let mut state = self.lock();
        let initial_height = u64::try_from(request.initial_height.max(1)).unwrap_or(1);
        if let Some(last) = state.app.last_commit() {
            let chain_id = state.app.chain_id().map_err(Failure::exception)?;
            if last.height + 1 == initial_height && chain_id == request.chain_id {
                tracing::info!(
                    chain_id,
                    "InitChain again before the first block: the state is already initialised"
                );
                let version = app_version(&state.app.snapshot().map_err(Failure::exception)?)
                    .map_err(Failure::exception)?;
                return Ok(init_response(&last.app_hash.0, version));
            }
            return Err(Failure::Exception(format!(
                "InitChain for chain {:?} at initial height {initial_height}, but this node already holds chain {chain_id:?} at height {}",
                request.chain_id, last.height
            )));
        }
        // The document InitChain reads: this envelope around CometBFT's
        // app_state bytes, which stream into the state section by section
        // (never parsed into one JSON tree).
        let mut header = serde_json::json!({
            "app_name": self.name,
            "app_version": self.release,
            "chain_id": request.chain_id,
            "initial_height": initial_height,
        });
        if let Some(time) = &request.time {
            header["genesis_time"] = Value::String(rfc3339(time));
        }
        let mut envelope = header.to_string();
        envelope.pop();
        envelope.push_str(",\"app_state\":");
        let app_state: &[u8] = if request.app_state_bytes.is_empty() {
            b"{}"
        } else {
            &request.app_state_bytes
        };
        // Exactly one JSON value, so nothing can spill into the envelope.
        serde_json::from_slice::<serde::de::IgnoredAny>(app_state).map_err(|e| {
            Failure::Exception(format!(
                "InitChain: app_state_bytes is not one JSON value ({e}); fix app_state in the genesis file CometBFT reads (config/genesis.json)"
            ))
        })?;
        // A fresh node takes the chain's address prefix from the genesis'
        // addresses, as `init` does (InitChain records it).
        let scanned = envelope.as_bytes().chain(app_state).chain(&b"}"[..]);
        if let Some(prefix) =
            crate::commands::address_prefix::first_prefix_in(scanned, "InitChain (app_state_bytes)")
        {
            upgrade_runtime::address_prefix::set(&prefix).map_err(|e| {
                Failure::Exception(format!("InitChain: the genesis' addresses: {e}"))
            })?;
        }
        let document = envelope.as_bytes().chain(app_state).chain(&b"}"[..]);
        let info = state
            .app
            .init_chain_from(
                document,
                "InitChain (app_state_bytes)",
                &InitOptions::default(),
            )
            .map(|report| report.info)
            .map_err(|e| Failure::Exception(format!("InitChain failed: {e}")))?;
        let version = app_version(&state.app.snapshot().map_err(Failure::exception)?)
            .map_err(Failure::exception)?;
        Ok(init_response(&info.app_hash.0, version))
    }

    /// `FinalizeBlock`: executes the decided block and answers its app hash;
    /// nothing is persisted until `Commit`. A binary without the handler of
    /// an upgrade due at this height writes `upgrade-info.json` and fails
    /// with `UPGRADE "<name>" NEEDED`, and the node exits.
    pub fn finalize_block(
        &self,
        request: RequestFinalizeBlock,
    ) -> Result<ResponseFinalizeBlock, Failure> {
        let mut state = self.lock();
        let Some(last) = state.app.last_commit() else {
            return Err(Failure::Exception(
                "FinalizeBlock before InitChain: the chain has no state yet".into(),
            ));
        };
        let height = u64::try_from(request.height).unwrap_or(0);
        if height != last.height + 1 {
            return Err(Failure::Exception(format!(
                "FinalizeBlock for height {} but the last committed height is {}; the next block is {}",
                request.height,
                last.height,
                last.height + 1
            )));
        }
        // CometBFT may finalize the same height again after a failed commit:
        // the previous execution is dropped, never half-kept.
        state.pending = None;
        let app = &mut state.app;
        let mut block = match app.pre_block() {
            Ok(block) => block,
            Err(e @ AppError::UpgradeNeeded { .. }) => return Err(Failure::Fatal(e.to_string())),
            Err(e) => return Err(Failure::Exception(format!("FinalizeBlock {height}: {e}"))),
        };
        let mut events = Vec::new();
        let mut consensus_param_updates = None;
        if let Some(applied) = block.applied_upgrade() {
            events.push(event(
                "upgrade",
                &[
                    ("name", &applied.name),
                    ("height", &applied.height.to_string()),
                ],
            ));
            // The next headers carry the new app version.
            consensus_param_updates = version_params(applied.app_version);
        }
        let failed = |e: AppError| Failure::Exception(format!("FinalizeBlock {height}: {e}"));
        app.run_begin_blockers(&mut block).map_err(failed)?;
        let mut tx_results = Vec::with_capacity(request.txs.len());
        for bytes in &request.txs {
            let (outcome, tx) = app.deliver_signed(&mut block, bytes);
            tx_results.push(exec_result(outcome, tx.as_ref()));
        }
        app.end_block(&mut block).map_err(failed)?;
        let app_hash = app.block_app_hash(&block).map_err(failed)?;
        state.pending = Some(Pending {
            height,
            block,
            app_hash,
        });
        Ok(ResponseFinalizeBlock {
            events,
            tx_results,
            app_hash: Bytes::copy_from_slice(&app_hash.0),
            consensus_param_updates,
            ..ResponseFinalizeBlock::default()
        })
    }

    /// `Commit`: persists the finalized block (one redb transaction; a
    /// running lazy migration then moves its next batch in a transaction of
    /// its own before the next block's) and takes a state-sync snapshot when
    /// one is due.
    pub fn commit(&self) -> Result<ResponseCommit, Failure> {
        let mut state = self.lock();
        let Some(pending) = state.pending.take() else {
            return Err(Failure::Exception(
                "Commit without a finalized block: FinalizeBlock must come first".into(),
            ));
        };
        let info = state.app.commit(pending.block).map_err(|e| {
            Failure::Fatal(format!("Commit of height {} failed: {e}", pending.height))
        })?;
        if info.app_hash != pending.app_hash {
            return Err(Failure::Fatal(format!(
                "Commit of height {} stored app hash {} but FinalizeBlock answered {}",
                info.height, info.app_hash, pending.app_hash
            )));
        }
        let state = &mut *state;
        if let Err(e) = state.snapshots.after_commit(&state.app, info.height) {
            tracing::warn!(height = info.height, error = %e, "state-sync snapshot failed; the chain goes on");
        }
        Ok(ResponseCommit { retain_height: 0 })
    }
}

fn init_response(app_hash: &[u8], app_version: u64) -> ResponseInitChain {
    ResponseInitChain {
        app_hash: Bytes::copy_from_slice(app_hash),
        consensus_params: version_params(app_version),
        ..ResponseInitChain::default()
    }
}

/// The consensus params that carry the app version into block headers
/// (CometBFT's state sync checks `Info.app_version` against them): only
/// the version, the rest left as CometBFT has it; `None` for version 0,
/// CometBFT's default.
fn version_params(app_version: u64) -> Option<ConsensusParams> {
    (app_version > 0).then(|| ConsensusParams {
        version: Some(VersionParams { app: app_version }),
        ..ConsensusParams::default()
    })
}

/// An event of `kind` with string attributes, indexed.
pub fn event(kind: &str, attributes: &[(&str, &str)]) -> Event {
    Event {
        r#type: kind.to_owned(),
        attributes: attributes
            .iter()
            .map(|(key, value)| EventAttribute {
                key: (*key).to_owned(),
                value: (*value).to_owned(),
                index: true,
            })
            .collect(),
    }
}
