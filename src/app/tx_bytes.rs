//! Transactions as they arrive from outside the process: bytes, turned
//! into a [`Tx`](crate::Tx) only by the application's authenticator. As
//! in Cosmos' `runTx`, the authentication's writes (the sequence bump) are
//! kept even when the messages fail, so a signed transaction runs once.

use super::{App, AppError, Block};
use crate::manager::CODE_TX_TOO_LARGE;
use crate::store::StateDelta;
use crate::tx::{MAX_TX_BYTES, Tx, TxOutcome, TxRejection};

impl App {
    /// Authenticates `bytes` and delivers the transaction in `block`.
    /// A refused or failing transaction is reported in its outcome; it does
    /// not fail the block.
    pub fn deliver_tx_bytes(&self, block: &mut Block, bytes: &[u8]) -> TxOutcome {
        self.deliver_signed(block, bytes).0
    }

    /// [`App::deliver_tx_bytes`], also giving the authenticated transaction
    /// (`None` when it was refused before its messages): what its events
    /// are made of.
    pub fn deliver_signed(&self, block: &mut Block, bytes: &[u8]) -> (TxOutcome, Option<Tx>) {
        if bytes.len() > MAX_TX_BYTES {
            let log = format!(
                "tx too large: {} bytes, the limit is {MAX_TX_BYTES}",
                bytes.len()
            );
            return (self.record(block, CODE_TX_TOO_LARGE, log), None);
        }
        let chain_id = match self.chain_id() {
            // No chain id (a state without InitChain's record) must not make
            // signatures for "" valid.
            Ok(id) if id.is_empty() => {
                let log =
                    "this node has no chain id recorded; it cannot check signatures".to_owned();
                return (self.record(block, crate::manager::CODE_REJECTED, log), None);
            }
            Ok(id) => id,
            Err(e) => {
                let outcome = self.record(block, crate::manager::CODE_REJECTED, e.to_string());
                return (outcome, None);
            }
        };
        let height = block.height;
        let mut ante = StateDelta::new(&mut block.delta);
        match self
            .manager
            .authenticate(&mut ante, bytes, &chain_id, height)
        {
            Ok(tx) => {
                ante.apply();
                (self.deliver(block, &tx, false), Some(tx))
            }
            Err(rejected) => {
                drop(ante);
                (self.record(block, rejected.code, rejected.log), None)
            }
        }
    }

    /// Checks transaction bytes against the last committed state, as
    /// CheckTx does; nothing is written.
    ///
    /// # Errors
    ///
    /// The chain is not initialised, or the state cannot be read.
    pub fn check_tx_bytes(&self, bytes: &[u8]) -> Result<TxOutcome, AppError> {
        let mut scratch = self.scratch_block()?;
        Ok(self.deliver_tx_bytes(&mut scratch, bytes))
    }

    /// Checks transactions in order against the last committed state, each
    /// seeing the ones before it (how a node's mempool holds several
    /// transactions of one signer); nothing is written.
    ///
    /// # Errors
    ///
    /// The chain is not initialised, or the state cannot be read.
    pub fn check_txs_bytes(&self, txs: &[Vec<u8>]) -> Result<Vec<TxOutcome>, AppError> {
        let mut scratch = self.scratch_block()?;
        Ok(txs
            .iter()
            .map(|tx| self.deliver_tx_bytes(&mut scratch, tx))
            .collect())
    }

    /// Whether `bytes` decode as a transaction at all (no state read): what
    /// ProcessProposal may reject a block for, deterministically.
    ///
    /// # Errors
    ///
    /// The authenticator's decode rejection.
    pub fn tx_decodes(&self, bytes: &[u8]) -> Result<(), TxRejection> {
        if bytes.len() > MAX_TX_BYTES {
            return Err(TxRejection::new(CODE_TX_TOO_LARGE, "tx too large"));
        }
        match self.manager.authenticator() {
            Some((_, authenticator)) => authenticator.decodes(bytes),
            None => Ok(()),
        }
    }

    fn record(&self, block: &mut Block, code: u32, log: String) -> TxOutcome {
        let outcome = TxOutcome { code, log };
        block.outcomes.push(outcome.clone());
        outcome
    }
}
