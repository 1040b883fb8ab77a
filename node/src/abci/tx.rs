//! Transaction bytes as CometBFT carries them: decoded with a bound on
//! their size, refused with the Cosmos SDK's codes (`types/errors/errors.go`:
//! `ErrTxDecode` 2, `ErrTxTooLarge` 21, codespace `sdk`) when they cannot be.

use tendermint_proto::v0_38::abci::{Event, ExecTxResult, ResponseCheckTx};
use upgrade_runtime::Tx;

use super::consensus::event;

/// The largest transaction accepted (Cosmos' default `max_tx_bytes` is
/// set by consensus params; this bounds what the app parses at all).
pub const MAX_TX_BYTES: usize = 1 << 20;

/// Code of a transaction that does not decode.
pub const CODE_TX_DECODE: u32 = 2;
/// Code of a transaction over [`MAX_TX_BYTES`].
pub const CODE_TX_TOO_LARGE: u32 = 21;

/// A transaction refused before execution.
#[derive(Debug)]
pub struct Rejected {
    /// The code.
    pub code: u32,
    /// Why.
    pub log: String,
}

impl Rejected {
    /// As a FinalizeBlock result.
    pub fn into_exec(self) -> ExecTxResult {
        ExecTxResult {
            code: self.code,
            log: self.log,
            codespace: "sdk".into(),
            ..ExecTxResult::default()
        }
    }

    /// As a CheckTx response.
    pub fn into_check(self) -> ResponseCheckTx {
        ResponseCheckTx {
            code: self.code,
            log: self.log,
            codespace: "sdk".into(),
            ..ResponseCheckTx::default()
        }
    }
}

/// Decodes transaction bytes.
///
/// # Errors
///
/// Too large, or not a transaction.
pub fn decode_tx(bytes: &[u8]) -> Result<Tx, Rejected> {
    if bytes.len() > MAX_TX_BYTES {
        return Err(Rejected {
            code: CODE_TX_TOO_LARGE,
            log: format!(
                "tx too large: {} bytes, the limit is {MAX_TX_BYTES}",
                bytes.len()
            ),
        });
    }
    serde_json::from_slice(bytes).map_err(|e| Rejected {
        code: CODE_TX_DECODE,
        log: format!("tx parse error: {e}"),
    })
}

/// The events of a delivered transaction: who signed it and each
/// message's type, in order (deterministic: nothing but the tx itself).
pub fn tx_events(tx: &Tx) -> Vec<Event> {
    let mut events = vec![event("tx", &[("signer", &tx.signer)])];
    for msg in &tx.msgs {
        events.push(event(
            "message",
            &[("action", &msg.type_url), ("sender", &tx.signer)],
        ));
    }
    events
}
