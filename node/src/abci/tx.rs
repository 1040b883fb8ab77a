//! Transaction results as CometBFT carries them: the outcome's code and log
//! (refusals in the SDK's codespace `sdk`, `types/errors/errors.go`) and the
//! events of an authenticated transaction.

use tendermint_proto::v0_38::abci::{Event, ExecTxResult, ResponseCheckTx};
use upgrade_runtime::{Tx, TxOutcome};

use super::consensus::event;

fn codespace(code: u32) -> String {
    if code == 0 {
        String::new()
    } else {
        "sdk".into()
    }
}

/// A FinalizeBlock result; events only for a transaction that succeeded.
pub fn exec_result(outcome: TxOutcome, tx: Option<&Tx>) -> ExecTxResult {
    ExecTxResult {
        events: tx
            .filter(|_| outcome.code == 0)
            .map(tx_events)
            .unwrap_or_default(),
        codespace: codespace(outcome.code),
        code: outcome.code,
        log: outcome.log,
        ..ExecTxResult::default()
    }
}

/// A CheckTx response.
pub fn check_result(outcome: TxOutcome) -> ResponseCheckTx {
    ResponseCheckTx {
        codespace: codespace(outcome.code),
        code: outcome.code,
        log: outcome.log,
        ..ResponseCheckTx::default()
    }
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
