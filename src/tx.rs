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

/// A transaction: who signed it and what it asks for. Signature checking is
/// out of scope for this runtime; the signer is taken as given.
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
