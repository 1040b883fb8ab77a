//! Transactions: a signer and messages routed to modules by type URL.

use serde::{Deserialize, Serialize};

/// A message, in the Cosmos `Any` JSON shape: `{"@type": ..., ...fields}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Msg {
    /// Routes the message to the module that declared this type URL.
    #[serde(rename = "@type")]
    pub type_url: String,
    /// The message's fields.
    #[serde(flatten)]
    pub value: serde_json::Map<String, serde_json::Value>,
}

/// A transaction as the runtime runs it: a verified signer and its
/// messages. From outside the process, transactions arrive as bytes and
/// become a `Tx` only through a [`TxAuthenticator`]; building one directly
/// is for in-process callers (tests, the upgrade harness).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tx {
    /// The signer's address.
    pub signer: String,
    /// Messages, executed in order; one failing rejects the whole transaction.
    pub msgs: Vec<Msg>,
}

/// What happened to one delivered transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TxOutcome {
    /// 0 on success.
    pub code: u32,
    /// The rejection reason, empty on success.
    pub log: String,
}

/// The largest transaction accepted, in bytes (the SDK's `ErrTxTooLarge`,
/// code 21, above it).
pub const MAX_TX_BYTES: usize = 1 << 20;

/// Why transaction bytes were refused before their messages ran, with the
/// Cosmos SDK's codes (`types/errors/errors.go`, codespace `sdk`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxRejection {
    /// The code (2 decode, 4 signature, 32 sequence, ...).
    pub code: u32,
    /// Why, as the SDK words it.
    pub log: String,
}

impl TxRejection {
    /// A rejection with `code` and `log`.
    pub fn new(code: u32, log: impl Into<String>) -> Self {
        TxRejection {
            code,
            log: log.into(),
        }
    }
}

/// A message decoded from its protobuf `Any` value, and the address that
/// must sign it (Cosmos' `GetSigners`: `from_address` of a send, the
/// `authority` of an upgrade message).
pub type DecodedMsg = (Msg, String);

/// Decodes the protobuf `value` of a message of `type_url` into its JSON
/// form; `None` for a type nobody handles.
pub type MsgDecoder<'a> = &'a dyn Fn(&str, &[u8]) -> Option<Result<DecodedMsg, String>>;

/// What authenticating a transaction needs besides its bytes.
pub struct TxEnv<'a> {
    /// The chain id a signature must be for.
    pub chain_id: &'a str,
    /// The message decoders of every module and the runtime.
    pub decode_msg: MsgDecoder<'a>,
}

/// Turns transaction bytes into a [`Tx`] whose signer is verified: the
/// Cosmos tx decoder and the signature, account number and sequence checks
/// of its ante handler. Implemented by the application's auth module
/// ([`Module::authenticator`](crate::Module::authenticator)); the runtime
/// never takes a signer from anywhere else.
pub trait TxAuthenticator: Send + Sync {
    /// Decodes and verifies `bytes`. Writes through `ctx` (the sequence
    /// bump, a first public key) are kept even when the messages then fail,
    /// so a transaction cannot be replayed.
    ///
    /// # Errors
    ///
    /// A [`TxRejection`]; nothing it wrote is kept then.
    fn authenticate(
        &self,
        ctx: &mut crate::Context<'_>,
        bytes: &[u8],
        env: &TxEnv<'_>,
    ) -> Result<Tx, TxRejection>;

    /// Whether `bytes` decode as a transaction, without reading state
    /// (ProcessProposal's deterministic check). The default accepts all.
    ///
    /// # Errors
    ///
    /// The decode rejection.
    fn decodes(&self, bytes: &[u8]) -> Result<(), TxRejection> {
        let _ = bytes;
        Ok(())
    }
}
