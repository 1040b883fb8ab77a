//! Delivering transactions to modules.

use super::ModuleManager;
use crate::module::ModuleError;
use crate::store::{StateDelta, StateWrite};
use crate::tx::{Tx, TxOutcome};

/// Outcome code of a transaction a module rejected.
pub const CODE_REJECTED: u32 = 1;
/// Outcome code of a message no module handles.
pub const CODE_UNKNOWN_MSG: u32 = 2;

impl ModuleManager {
    /// Runs `tx` in its own delta: every module's ante hook, then each message
    /// in its module. Applied to `state` only if everything succeeds.
    ///
    /// # Errors
    ///
    /// Never: a failing transaction is reported in its [`TxOutcome`] and its
    /// writes are discarded. Store failures are reported the same way.
    pub fn deliver_tx(&self, state: &mut dyn StateWrite, tx: &Tx, height: u64) -> TxOutcome {
        let mut delta = StateDelta::new(&mut *state);
        match self.run_tx(&mut delta, tx, height) {
            Ok(()) => {
                delta.apply();
                TxOutcome {
                    code: 0,
                    log: String::new(),
                }
            }
            Err((code, log)) => TxOutcome { code, log },
        }
    }

    fn run_tx(
        &self,
        state: &mut dyn StateWrite,
        tx: &Tx,
        height: u64,
    ) -> Result<(), (u32, String)> {
        let rejected = |e: ModuleError| (CODE_REJECTED, e.to_string());
        for m in self.modules() {
            let mut ctx = self
                .context(m.name(), state, height)
                .map_err(|e| (CODE_REJECTED, e.to_string()))?;
            m.ante(&mut ctx, tx).map_err(rejected)?;
        }
        for msg in &tx.msgs {
            let Some(m) = self
                .modules()
                .find(|m| m.msg_types().contains(&msg.type_url.as_str()))
            else {
                return Err((
                    CODE_UNKNOWN_MSG,
                    format!("unknown message type {:?}", msg.type_url),
                ));
            };
            let mut ctx = self
                .context(m.name(), state, height)
                .map_err(|e| (CODE_REJECTED, e.to_string()))?;
            m.deliver(&mut ctx, &tx.signer, msg).map_err(rejected)?;
        }
        Ok(())
    }
}
