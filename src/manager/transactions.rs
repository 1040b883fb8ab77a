//! Delivering transactions to modules.

use super::ModuleManager;
use crate::module::{Module, ModuleError};
use crate::store::{StateDelta, StateWrite};
use crate::tx::TxAuthenticator;
use crate::tx::{Tx, TxEnv, TxOutcome, TxRejection};

/// Outcome code of a transaction a module rejected.
pub const CODE_REJECTED: u32 = 1;
/// Outcome code of a message no module handles.
pub const CODE_UNKNOWN_MSG: u32 = 2;
/// Outcome code of transaction bytes that do not decode (the SDK's
/// `ErrTxDecode`).
pub const CODE_TX_DECODE: u32 = 2;
/// Outcome code of transaction bytes over [`MAX_TX_BYTES`](crate::tx::MAX_TX_BYTES)
/// (the SDK's `ErrTxTooLarge`).
pub const CODE_TX_TOO_LARGE: u32 = 21;

impl ModuleManager {
    /// Runs `tx` in its own delta: every module's ante hook, then each message
    /// in its module. Applied to `state` only if everything succeeds.
    ///
    /// # Errors
    ///
    /// Never: a failing transaction is reported in its [`TxOutcome`] and its
    /// writes are discarded. Store failures are reported the same way.
    pub fn deliver_tx(&self, state: &mut dyn StateWrite, tx: &Tx, height: u64) -> TxOutcome {
        self.deliver(state, tx, height, true)
    }

    /// Runs an authenticated `tx` in its own delta: the ante hooks of every
    /// module but the authenticator's (which ran with the authentication),
    /// then its messages.
    pub fn deliver_msgs(&self, state: &mut dyn StateWrite, tx: &Tx, height: u64) -> TxOutcome {
        self.deliver(state, tx, height, false)
    }

    fn deliver(&self, state: &mut dyn StateWrite, tx: &Tx, height: u64, ante: bool) -> TxOutcome {
        let mut delta = StateDelta::new(&mut *state);
        match self.run_tx(&mut delta, tx, height, ante) {
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
        ante: bool,
    ) -> Result<(), (u32, String)> {
        let rejected = |e: ModuleError| (CODE_REJECTED, e.to_string());
        // An authenticated transaction had its authenticator's checks; every
        // other module's ante hook still runs.
        for m in self
            .modules()
            .filter(|m| ante || m.authenticator().is_none())
        {
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

impl ModuleManager {
    /// Authenticates transaction `bytes` through the module that provides
    /// the [`TxAuthenticator`], with every module's
    /// and the runtime's message decoders. Its writes go to `state`.
    ///
    /// # Errors
    ///
    /// The authenticator's rejection, or no module provides one.
    pub fn authenticate(
        &self,
        state: &mut dyn StateWrite,
        bytes: &[u8],
        chain_id: &str,
        height: u64,
    ) -> Result<Tx, TxRejection> {
        let Some((module, authenticator)) = self.authenticator() else {
            return Err(TxRejection::new(
                CODE_TX_DECODE,
                "tx parse error: this application has no transaction authenticator",
            ));
        };
        let decode_msg = |type_url: &str, value: &[u8]| {
            crate::upgrade::decode_upgrade_msg(type_url, value)
                .or_else(|| self.modules().find_map(|m| m.decode_msg(type_url, value)))
        };
        let env = TxEnv {
            chain_id,
            decode_msg: &decode_msg,
        };
        let mut ctx = self
            .context(module.name(), state, height)
            .map_err(|e| TxRejection::new(CODE_REJECTED, e.to_string()))?;
        authenticator.authenticate(&mut ctx, bytes, &env)
    }

    /// The module providing the application's transaction authenticator,
    /// with it: the first that has one.
    pub fn authenticator(&self) -> Option<(&dyn Module, &dyn TxAuthenticator)> {
        self.modules()
            .find_map(|m| m.authenticator().map(|a| (m, a)))
    }
}
