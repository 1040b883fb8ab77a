//! The node as an ABCI 2.0 application for CometBFT v0.38: `start --abci
//! tcp://127.0.0.1:26658` (or `unix://PATH`) serves the four connections
//! over the socket protocol. ABCI is an adapter, not a second executor:
//! FinalizeBlock and Commit drive the same block executor as the
//! standalone loop, and CometBFT's replay after a restart is the executor
//! seeing a height again after `Info`.

mod consensus;
mod frame;
mod mempool;
mod query;
mod server;
mod snapshots;
mod state;
mod time;
mod tx;

pub use frame::DEFAULT_MAX_FRAME;
pub use server::{Listen, serve};
pub use snapshots::{ChunkError, SnapshotSettings, Snapshots};
pub use state::AbciNode;

use tendermint_proto::v0_38::abci::{
    Request, Response, ResponseApplySnapshotChunk, ResponseEcho, ResponseExtendVote, ResponseFlush,
    ResponseListSnapshots, ResponseLoadSnapshotChunk, ResponseOfferSnapshot,
    ResponseVerifyVoteExtension, request, response, response_apply_snapshot_chunk,
    response_offer_snapshot, response_verify_vote_extension,
};

/// A request the node cannot answer normally.
#[derive(Debug)]
pub enum Failure {
    /// Answered with an exception (CometBFT stops on it); the node keeps
    /// its committed state and can be restarted.
    Exception(String),
    /// Answered with an exception, after which the node stops serving and
    /// exits non-zero (`UPGRADE "<name>" NEEDED`, a failed commit).
    Fatal(String),
}

impl Failure {
    /// An exception carrying `e`'s message.
    pub fn exception(e: impl std::fmt::Display) -> Self {
        Failure::Exception(e.to_string())
    }
}

impl AbciNode {
    /// Answers one request; the second value is set when the node must stop.
    pub fn handle(&self, request: Request) -> (Response, Option<String>) {
        use request::Value as Q;
        use response::Value as R;
        let Some(value) = request.value else {
            return (
                server::exception("empty or unknown ABCI request type".into()),
                None,
            );
        };
        let answer = match value {
            Q::Echo(r) => Ok(R::Echo(ResponseEcho { message: r.message })),
            Q::Flush(_) => Ok(R::Flush(ResponseFlush {})),
            Q::Info(r) => self.info(r).map(R::Info),
            Q::InitChain(r) => self.init_chain(r).map(R::InitChain),
            Q::Query(r) => self.query(r).map(R::Query),
            Q::CheckTx(r) => self.check_tx(r).map(R::CheckTx),
            Q::PrepareProposal(r) => self.prepare_proposal(r).map(R::PrepareProposal),
            Q::ProcessProposal(r) => self.process_proposal(r).map(R::ProcessProposal),
            Q::FinalizeBlock(r) => self.finalize_block(r).map(R::FinalizeBlock),
            Q::Commit(_) => self.commit().map(R::Commit),
            Q::ExtendVote(_) => Ok(R::ExtendVote(ResponseExtendVote::default())),
            Q::VerifyVoteExtension(_) => Ok(R::VerifyVoteExtension(ResponseVerifyVoteExtension {
                status: response_verify_vote_extension::VerifyStatus::Accept as i32,
            })),
            Q::ListSnapshots(_) => Ok(R::ListSnapshots(ResponseListSnapshots {
                snapshots: self.lock().snapshots.list(),
            })),
            Q::LoadSnapshotChunk(r) => Ok(R::LoadSnapshotChunk(ResponseLoadSnapshotChunk {
                chunk: self
                    .lock()
                    .snapshots
                    .load_chunk(r.height, r.format, r.chunk),
            })),
            Q::OfferSnapshot(r) => Ok(R::OfferSnapshot(self.offer_snapshot(r))),
            Q::ApplySnapshotChunk(r) => Ok(R::ApplySnapshotChunk(self.apply_snapshot_chunk(r))),
        };
        match answer {
            Ok(value) => (Response { value: Some(value) }, None),
            Err(Failure::Exception(e)) => {
                tracing::error!(error = %e, "ABCI request failed");
                (server::exception(e), None)
            }
            Err(Failure::Fatal(e)) => {
                tracing::error!("{e}");
                (server::exception(e.clone()), Some(e))
            }
        }
    }

    fn offer_snapshot(
        &self,
        request: tendermint_proto::v0_38::abci::RequestOfferSnapshot,
    ) -> ResponseOfferSnapshot {
        use response_offer_snapshot::Result as R;
        let mut state = self.lock();
        let result = match &request.snapshot {
            _ if state.app.last_commit().is_some() => {
                tracing::warn!("OfferSnapshot on a node that has state: aborting state sync");
                R::Abort
            }
            None => R::Reject,
            Some(snapshot) => match state.snapshots.offer(snapshot, &request.app_hash) {
                Ok(()) => R::Accept,
                Err(e) if snapshot.format != snapshots::FORMAT => {
                    tracing::warn!(error = %e, "snapshot refused");
                    R::RejectFormat
                }
                Err(e) => {
                    tracing::warn!(error = %e, "snapshot refused");
                    R::Reject
                }
            },
        };
        ResponseOfferSnapshot {
            result: result as i32,
        }
    }

    fn apply_snapshot_chunk(
        &self,
        request: tendermint_proto::v0_38::abci::RequestApplySnapshotChunk,
    ) -> ResponseApplySnapshotChunk {
        use response_apply_snapshot_chunk::Result as R;
        let mut guard = self.lock();
        let state = &mut *guard;
        let outcome = state
            .snapshots
            .apply_chunk(&mut state.app, request.index, &request.chunk);
        let (result, refetch, reject) = match outcome {
            Ok(_) => (R::Accept, vec![], vec![]),
            Err(e @ ChunkError::BadHash { .. }) => {
                tracing::warn!(error = %e, sender = %request.sender, "refetching a snapshot chunk");
                (R::Retry, vec![request.index], vec![request.sender])
            }
            Err(e @ ChunkError::NoRestore) => {
                tracing::warn!(error = %e, "snapshot chunk refused");
                (R::Abort, vec![], vec![])
            }
            Err(e) => {
                tracing::error!(error = %e, "snapshot refused");
                (R::RejectSnapshot, vec![], vec![])
            }
        };
        ResponseApplySnapshotChunk {
            result: result as i32,
            refetch_chunks: refetch,
            reject_senders: reject,
        }
    }
}
