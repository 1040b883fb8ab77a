//! The genesis document, in the Cosmos `AppGenesis` shape (SDK v0.50),
//! read from either envelope real chains publish: `AppGenesis`, or the
//! CometBFT `GenesisDoc` every earlier file uses (`initial_height` as a
//! string, `consensus_params` and `validators` at the top level), as the
//! SDK's `AppGenesisFromFile` falls back to it
//! (`x/genutil/types/genesis.go`). Written as `AppGenesis`.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A genesis file: chain identity, the initial height and every module's
/// section under `app_state`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, from = "Envelope")]
pub struct AppGenesis {
    /// Name of the application binary that wrote it.
    #[serde(default)]
    pub app_name: String,
    /// Release of the application that wrote it.
    #[serde(default)]
    pub app_version: String,
    /// RFC 3339 time of the genesis block. Carried, never read by the state
    /// machine (it would make state depend on a clock).
    #[serde(default = "default_genesis_time")]
    pub genesis_time: String,
    /// The chain id.
    pub chain_id: String,
    /// Height of the first block.
    pub initial_height: u64,
    /// App hash the state must have after InitChain (hex); empty when unknown.
    #[serde(default)]
    pub app_hash: String,
    /// One section per module. Parsed refusing duplicate keys at any depth
    /// (a second `"bank"` must not silently replace the first).
    #[serde(deserialize_with = "super::strict::map")]
    pub app_state: Map<String, Value>,
    /// Consensus parameters and validators (`{"params", "validators"}`),
    /// carried verbatim.
    pub consensus: Value,
}

/// Both envelopes' fields, as read: an `AppGenesis`, or a CometBFT
/// `GenesisDoc`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    #[serde(default)]
    app_name: String,
    #[serde(default)]
    app_version: String,
    #[serde(default = "default_genesis_time")]
    genesis_time: String,
    chain_id: String,
    #[serde(
        default = "default_initial_height",
        deserialize_with = "number_or_string"
    )]
    initial_height: u64,
    #[serde(default)]
    app_hash: String,
    #[serde(deserialize_with = "super::strict::map")]
    app_state: Map<String, Value>,
    #[serde(default, deserialize_with = "super::strict::value")]
    consensus: Value,
    /// CometBFT envelope: the consensus parameters.
    #[serde(default, deserialize_with = "super::strict::value")]
    consensus_params: Value,
    /// CometBFT envelope: the genesis validators.
    #[serde(default, deserialize_with = "super::strict::value")]
    validators: Value,
}

impl From<Envelope> for AppGenesis {
    fn from(e: Envelope) -> Self {
        let consensus = if e.consensus.is_null()
            && (!e.consensus_params.is_null() || !e.validators.is_null())
        {
            serde_json::json!({"validators": e.validators, "params": e.consensus_params})
        } else {
            e.consensus
        };
        AppGenesis {
            app_name: e.app_name,
            app_version: e.app_version,
            genesis_time: e.genesis_time,
            chain_id: e.chain_id,
            initial_height: e.initial_height,
            app_hash: e.app_hash,
            app_state: e.app_state,
            consensus,
        }
    }
}

/// A height written as a JSON number (AppGenesis) or a decimal string
/// (CometBFT's `int64` JSON).
pub(super) fn number_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let value = Value::deserialize(d)?;
    let parsed = match &value {
        Value::Number(n) => n.as_u64(),
        Value::String(text) => text.parse().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| {
        serde::de::Error::custom(format!(
            "expected a height (a non-negative integer, as a number or a decimal string), found {value}"
        ))
    })
}

fn default_genesis_time() -> String {
    "1970-01-01T00:00:00Z".into()
}

fn default_initial_height() -> u64 {
    1
}

/// Reading a genesis file failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenesisFileError {
    /// The file could not be read.
    #[error("cannot read genesis file {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A field parses but its value is refused.
    #[error("genesis file {path} is invalid at {json_path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// JSON path of the offending value.
        json_path: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// The file is not a valid genesis document.
    #[error(
        "genesis file {path} is malformed at {json_path} (line {line}, column {column}): {message}"
    )]
    Malformed {
        /// The path.
        path: String,
        /// JSON path of the offending value (`.` for the document).
        json_path: String,
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What serde said.
        message: String,
    },
}

/// The longest chain id CometBFT accepts (`MaxChainIDLen`, types/genesis.go).
pub const MAX_CHAIN_ID_LEN: usize = 50;

impl AppGenesis {
    /// A genesis for `chain_id` with `app_state`, starting at height 1.
    pub fn new(chain_id: &str, app_state: Map<String, Value>) -> Self {
        AppGenesis {
            app_name: String::new(),
            app_version: String::new(),
            genesis_time: default_genesis_time(),
            chain_id: chain_id.to_owned(),
            initial_height: 1,
            app_hash: String::new(),
            app_state,
            consensus: Value::Null,
        }
    }

    /// Parses a genesis document, reporting the JSON path of any error.
    ///
    /// # Errors
    ///
    /// [`GenesisFileError::Malformed`] with `path` as the file name.
    pub fn from_slice(bytes: &[u8], path: &str) -> Result<Self, GenesisFileError> {
        let malformed =
            |json_path: &str, e: &serde_json::Error, message: String| GenesisFileError::Malformed {
                path: path.to_owned(),
                json_path: json_path.to_owned(),
                line: e.line(),
                column: e.column(),
                message,
            };
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        let doc: Self = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
            let json_path = e.path().to_string();
            let inner = e.into_inner();
            malformed(&json_path, &inner, inner.to_string())
        })?;
        // One document per file: garbage, a second document or an extra
        // bracket after it is an error, not something to ignore.
        de.end().map_err(|e| {
            malformed(
                ".",
                &e,
                format!(
                    "{e}: the file must hold exactly one JSON document; remove what follows it"
                ),
            )
        })?;
        doc.check_chain_id(path)?;
        Ok(doc)
    }

    /// Checks the chain id as CometBFT's `GenesisDoc.ValidateAndComplete`
    /// (types/genesis.go) does: present and at most [`MAX_CHAIN_ID_LEN`] bytes.
    ///
    /// # Errors
    ///
    /// [`GenesisFileError::Invalid`] at JSON path `chain_id`.
    pub fn check_chain_id(&self, path: &str) -> Result<(), GenesisFileError> {
        let problem = if self.chain_id.is_empty() {
            "the chain id is empty; CometBFT requires one: set \"chain_id\" (e.g. \"mychain-1\")"
                .to_owned()
        } else if self.chain_id.len() > MAX_CHAIN_ID_LEN {
            format!(
                "the chain id is {} bytes long; CometBFT allows at most {MAX_CHAIN_ID_LEN}",
                self.chain_id.len()
            )
        } else {
            return Ok(());
        };
        Err(GenesisFileError::Invalid {
            path: path.to_owned(),
            json_path: "chain_id".into(),
            message: problem,
        })
    }

    /// The document a streaming read found: its envelope `fields` (as
    /// [`walk`](super::walk) handed them over) under the same rules as
    /// [`AppGenesis::from_slice`], with `app_state` as given.
    ///
    /// # Errors
    ///
    /// [`GenesisFileError::Invalid`] at the offending field.
    pub fn from_header(
        mut fields: Map<String, Value>,
        app_state: Map<String, Value>,
        path: &str,
    ) -> Result<Self, GenesisFileError> {
        fields.insert("app_state".into(), Value::Object(Map::new()));
        let mut doc: Self =
            serde_path_to_error::deserialize(Value::Object(fields)).map_err(|e| {
                GenesisFileError::Invalid {
                    path: path.to_owned(),
                    json_path: e.path().to_string(),
                    message: e.into_inner().to_string(),
                }
            })?;
        doc.app_state = app_state;
        doc.check_chain_id(path)?;
        Ok(doc)
    }

    /// Reads and parses a genesis file.
    ///
    /// # Errors
    ///
    /// The file cannot be read or is malformed.
    pub fn read(path: &Path) -> Result<Self, GenesisFileError> {
        let bytes = std::fs::read(path).map_err(|source| GenesisFileError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_slice(&bytes, &path.display().to_string())
    }
}
