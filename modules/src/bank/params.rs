//! Bank parameters and the per-denom send switch.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use upgrade_runtime::{ValidationError, join_path};

use crate::coin::validate_denom;
use upgrade_runtime::json::index_path;

/// Whether one denom may be sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendEnabled {
    /// The denom.
    pub denom: String,
    /// Whether `MsgSend` may move it.
    pub enabled: bool,
}

/// `{"send_enabled": [...], "default_send_enabled": bool}`. The list inside
/// params is the pre-0.47 place for per-denom switches; the genesis section's
/// top-level `send_enabled` list is the current one and wins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankParams {
    /// Deprecated per-denom switches (absent: none, as proto3 JSON reads a
    /// missing repeated field).
    #[serde(default)]
    pub send_enabled: Vec<SendEnabled>,
    /// Whether a denom without a switch may be sent (absent: `false`, the
    /// proto3 default the SDK reads).
    #[serde(default)]
    pub default_send_enabled: bool,
}

impl Default for BankParams {
    fn default() -> Self {
        BankParams {
            send_enabled: Vec::new(),
            default_send_enabled: true,
        }
    }
}

impl BankParams {
    /// The JSON form, fields in Cosmos order.
    pub fn to_json(&self) -> Value {
        json!({
            "send_enabled": send_enabled_json(&self.send_enabled),
            "default_send_enabled": self.default_send_enabled,
        })
    }

    /// Whether `denom` may be sent, given the section's top-level switches.
    pub fn is_send_enabled(&self, switches: &[SendEnabled], denom: &str) -> bool {
        switches
            .iter()
            .chain(&self.send_enabled)
            .find(|s| s.denom == denom)
            .map_or(self.default_send_enabled, |s| s.enabled)
    }
}

/// The JSON array of switches, fields in Cosmos order.
fn send_enabled_json(list: &[SendEnabled]) -> Value {
    Value::Array(
        list.iter()
            .map(|s| json!({ "denom": s.denom, "enabled": s.enabled }))
            .collect(),
    )
}

/// Checks a list of switches at `path`: valid denoms, each at most once.
pub(crate) fn validate_send_enabled(
    list: &[SendEnabled],
    path: &str,
) -> Result<(), ValidationError> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in list.iter().enumerate() {
        let denom_path = join_path(&index_path(path, i), "denom");
        validate_denom(&s.denom).map_err(|m| ValidationError::new(&denom_path, m))?;
        if let Some(first) = seen.insert(&s.denom, i) {
            return Err(ValidationError::new(
                denom_path,
                format!(
                    "duplicate send_enabled entry for {:?} (also at {})",
                    s.denom,
                    index_path(path, first)
                ),
            ));
        }
    }
    Ok(())
}
