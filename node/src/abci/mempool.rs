//! The mempool connection (CheckTx) and the proposal methods: checks
//! against the last committed state in a delta that is thrown away, and
//! proposals that are deterministic functions of their transactions.

use tendermint_proto::v0_38::abci::{
    RequestCheckTx, RequestPrepareProposal, RequestProcessProposal, ResponseCheckTx,
    ResponsePrepareProposal, ResponseProcessProposal, response_process_proposal::ProposalStatus,
};

use super::Failure;
use super::state::AbciNode;
use super::tx::check_result;

impl AbciNode {
    /// `CheckTx` (new or recheck): the transaction as the next block would
    /// run it, against the last committed state; nothing is written.
    pub fn check_tx(&self, request: RequestCheckTx) -> Result<ResponseCheckTx, Failure> {
        let state = self.lock();
        let outcome = state
            .app
            .check_tx_bytes(&request.tx)
            .map_err(Failure::exception)?;
        Ok(check_result(outcome))
    }

    /// `PrepareProposal`: the proposer's transactions in order, without
    /// those that do not decode, within `max_tx_bytes`.
    pub fn prepare_proposal(
        &self,
        request: RequestPrepareProposal,
    ) -> Result<ResponsePrepareProposal, Failure> {
        let state = self.lock();
        let budget = usize::try_from(request.max_tx_bytes).unwrap_or(0);
        let mut used = 0usize;
        let mut txs = Vec::with_capacity(request.txs.len());
        for tx in request.txs {
            if state.app.tx_decodes(&tx).is_err() {
                continue;
            }
            if used + tx.len() > budget {
                break;
            }
            used += tx.len();
            txs.push(tx);
        }
        Ok(ResponsePrepareProposal { txs })
    }

    /// `ProcessProposal`: rejects a proposal carrying a transaction that does
    /// not decode (an honest proposer never includes one); a transaction
    /// that decodes but fails is the block's business, not a reason to
    /// reject it.
    pub fn process_proposal(
        &self,
        request: RequestProcessProposal,
    ) -> Result<ResponseProcessProposal, Failure> {
        let state = self.lock();
        let status = if request
            .txs
            .iter()
            .all(|tx| state.app.tx_decodes(tx).is_ok())
        {
            ProposalStatus::Accept
        } else {
            ProposalStatus::Reject
        };
        Ok(ResponseProcessProposal {
            status: status as i32,
        })
    }
}
