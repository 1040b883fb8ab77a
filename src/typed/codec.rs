//! Value encodings: the [`Codec`] trait and the default [`Json`] codec.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::module::ModuleError;

/// Why bytes could not be turned into a value or key (or back). The typed
/// accessors turn it into a [`ModuleError`] naming the store and key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodecError(String);

impl CodecError {
    /// An error saying `reason`.
    pub fn new(reason: impl Into<String>) -> Self {
        CodecError(reason.into())
    }

    /// The reason.
    pub fn reason(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CodecError {}

/// How values of type `T` are stored as bytes.
///
/// A codec is a type-level choice (no instance is built), so
/// `Item<T, C>` and `Map<K, V, C>` can be `const`. Encodings are consensus
/// state: a codec must be deterministic, and changing one is a store
/// migration (see [`crate::typed`]'s legacy pattern).
pub trait Codec<T> {
    /// The bytes stored for `value`.
    ///
    /// # Errors
    ///
    /// A value the codec cannot represent.
    fn encode(value: &T) -> Result<Vec<u8>, CodecError>;

    /// The value stored as `bytes`.
    ///
    /// # Errors
    ///
    /// Bytes that are not a valid encoding of a `T`.
    fn decode(bytes: &[u8]) -> Result<T, CodecError>;
}

/// The default codec: compact `serde_json`. Readable in exports and
/// debuggers, and tolerant of added optional fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Json;

impl<T: Serialize + DeserializeOwned> Codec<T> for Json {
    fn encode(value: &T) -> Result<Vec<u8>, CodecError> {
        serde_json::to_vec(value).map_err(|e| CodecError::new(format!("JSON encoding: {e}")))
    }

    fn decode(bytes: &[u8]) -> Result<T, CodecError> {
        serde_json::from_slice(bytes).map_err(|e| CodecError::new(format!("JSON decoding: {e}")))
    }
}

/// Decodes the value under `key` in `store`; failures become
/// [`ModuleError::CorruptState`].
pub(crate) fn decode_value<T, C: Codec<T>>(
    store: &str,
    key: &[u8],
    bytes: &[u8],
) -> Result<T, ModuleError> {
    C::decode(bytes).map_err(|e| ModuleError::corrupt(store, key, e.0))
}

/// Encodes the value for `key` in `store`; failures become
/// [`ModuleError::Rejected`], since nothing was stored yet.
pub(crate) fn encode_value<T, C: Codec<T>>(
    store: &str,
    key: &[u8],
    value: &T,
) -> Result<Vec<u8>, ModuleError> {
    C::encode(value).map_err(|e| {
        ModuleError::Rejected(format!(
            "cannot encode the value for key {} in store {store:?}: {e}",
            hex::encode(key)
        ))
    })
}

/// The error for a value that must exist under `key` in `store` but does
/// not.
pub(crate) fn missing(store: &str, key: &[u8]) -> ModuleError {
    ModuleError::Rejected(format!(
        "no value under key {} in store {store:?}",
        hex::encode(key)
    ))
}
