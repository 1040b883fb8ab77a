//! Auth parameters, as in Cosmos' `x/auth` (u64s written as strings).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use upgrade_runtime::{ValidationError, join_path};

use upgrade_runtime::json::u64_string;

/// Limits and gas costs of transactions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthParams {
    /// Longest memo accepted.
    #[serde(with = "u64_string")]
    pub max_memo_characters: u64,
    /// Most signatures per transaction.
    #[serde(with = "u64_string")]
    pub tx_sig_limit: u64,
    /// Gas per transaction byte.
    #[serde(with = "u64_string")]
    pub tx_size_cost_per_byte: u64,
    /// Gas per ed25519 signature check.
    #[serde(with = "u64_string")]
    pub sig_verify_cost_ed25519: u64,
    /// Gas per secp256k1 signature check.
    #[serde(with = "u64_string")]
    pub sig_verify_cost_secp256k1: u64,
}

impl Default for AuthParams {
    /// Cosmos SDK defaults.
    fn default() -> Self {
        AuthParams {
            max_memo_characters: 256,
            tx_sig_limit: 7,
            tx_size_cost_per_byte: 10,
            sig_verify_cost_ed25519: 590,
            sig_verify_cost_secp256k1: 1000,
        }
    }
}

impl AuthParams {
    /// Every parameter must be positive, as Cosmos' `Params.Validate` wants.
    ///
    /// # Errors
    ///
    /// The first zero parameter, at `path.<field>`.
    pub fn validate(&self, path: &str) -> Result<(), ValidationError> {
        let fields = [
            ("max_memo_characters", self.max_memo_characters),
            ("tx_sig_limit", self.tx_sig_limit),
            ("tx_size_cost_per_byte", self.tx_size_cost_per_byte),
            ("sig_verify_cost_ed25519", self.sig_verify_cost_ed25519),
            ("sig_verify_cost_secp256k1", self.sig_verify_cost_secp256k1),
        ];
        match fields.iter().find(|(_, v)| *v == 0) {
            Some((name, _)) => Err(ValidationError::new(
                join_path(path, name),
                "must be positive, got 0",
            )),
            None => Ok(()),
        }
    }

    /// The JSON form, fields in Cosmos order.
    pub fn to_json(&self) -> Value {
        json!({
            "max_memo_characters": self.max_memo_characters.to_string(),
            "tx_sig_limit": self.tx_sig_limit.to_string(),
            "tx_size_cost_per_byte": self.tx_size_cost_per_byte.to_string(),
            "sig_verify_cost_ed25519": self.sig_verify_cost_ed25519.to_string(),
            "sig_verify_cost_secp256k1": self.sig_verify_cost_secp256k1.to_string(),
        })
    }
}
