//! Reading a genesis document as a stream of events, so a file of a
//! million accounts is never one JSON tree in memory.
//!
//! The walker hands its consumer ([`GenesisEvents`]) the envelope's fields
//! and, under `app_state`, each section: skipped, whole, or field by field
//! with the arrays the consumer asks for streamed an element at a time.
//! Events come in file order. Parsing is as strict as
//! [`AppGenesis::from_slice`](super::AppGenesis::from_slice): duplicate keys
//! at any depth and anything after the document are refused, and every
//! error names its JSON path, line and column.

use std::collections::BTreeSet;
use std::fmt;
use std::io::Read;

use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, Visitor};
use serde_json::Value;

use super::GenesisFileError;
use super::strict::Strict;
use super::walk_sections::AppState;

/// Every field of a document, in both envelopes.
pub const DOCUMENT_FIELDS: [&str; 10] = [
    "app_name",
    "app_version",
    "genesis_time",
    "chain_id",
    "initial_height",
    "app_hash",
    "app_state",
    "consensus",
    "consensus_params",
    "validators",
];

/// How the consumer wants a section read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SectionMode {
    /// Parsed (for errors) but not handed over.
    Skip,
    /// Handed over as one value.
    Whole,
    /// Handed over field by field, arrays per [`GenesisEvents::streams`].
    Fields,
}

/// What a streaming read of a genesis document hands its consumer, in file
/// order. An error stops the read and is returned as is.
pub trait GenesisEvents {
    /// The consumer's error.
    type Error;

    /// An envelope field other than `app_state`, as read (its type checked).
    ///
    /// # Errors
    ///
    /// The consumer's.
    fn header(&mut self, name: &str, value: Value) -> Result<(), Self::Error>;

    /// `app_state` begins.
    ///
    /// # Errors
    ///
    /// The consumer's.
    fn begin_app_state(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }

    /// Section `name` begins; how to read it.
    ///
    /// # Errors
    ///
    /// The consumer's.
    fn begin_section(&mut self, name: &str) -> Result<SectionMode, Self::Error>;

    /// The whole section: in [`SectionMode::Whole`], or in
    /// [`SectionMode::Fields`] when it is not an object.
    ///
    /// # Errors
    ///
    /// The consumer's.
    fn section_value(&mut self, value: Value) -> Result<(), Self::Error>;

    /// Whether the section's field `field`, when it is an array, is handed
    /// over an element at a time.
    fn streams(&self, field: &str) -> bool;

    /// A field handed over whole.
    ///
    /// # Errors
    ///
    /// The consumer's.
    fn field(&mut self, name: &str, value: Value) -> Result<(), Self::Error>;

    /// A streamed array begins.
    ///
    /// # Errors
    ///
    /// The consumer's.
    fn begin_array(&mut self, field: &str) -> Result<(), Self::Error>;

    /// Element `index` of the streamed array `field`.
    ///
    /// # Errors
    ///
    /// The consumer's.
    fn element(&mut self, field: &str, index: usize, value: Value) -> Result<(), Self::Error>;

    /// The streamed array `field` ended.
    ///
    /// # Errors
    ///
    /// The consumer's.
    fn end_array(&mut self, field: &str) -> Result<(), Self::Error> {
        let _ = field;
        Ok(())
    }

    /// The current section ended (not called for skipped ones).
    ///
    /// # Errors
    ///
    /// The consumer's.
    fn end_section(&mut self) -> Result<(), Self::Error>;

    /// `app_state` ended.
    ///
    /// # Errors
    ///
    /// The consumer's.
    fn end_app_state(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// A streaming read failed.
#[derive(Debug)]
pub enum WalkError<E> {
    /// The file is unreadable or not a valid genesis document.
    File(GenesisFileError),
    /// The consumer stopped the read.
    Consumer(E),
}

/// Reads the document from `reader` (named `path` in errors), handing
/// every part to `consumer`.
///
/// # Errors
///
/// A malformed document (with its JSON path, line and column), trailing
/// bytes, or the consumer's error.
pub fn walk<R: Read, C: GenesisEvents>(
    reader: R,
    path: &str,
    consumer: &mut C,
) -> Result<(), WalkError<C::Error>> {
    let mut state = Walk {
        consumer,
        failure: None,
    };
    let de = &mut serde_json::Deserializer::from_reader(reader);
    let mut track = serde_path_to_error::Track::new();
    let result = Document(&mut state)
        .deserialize(serde_path_to_error::Deserializer::new(&mut *de, &mut track));
    let malformed = |json_path: String, e: &serde_json::Error, message: String| {
        WalkError::File(GenesisFileError::Malformed {
            path: path.to_owned(),
            json_path,
            line: e.line(),
            column: e.column(),
            message,
        })
    };
    if let Err(e) = result {
        if let Some(failure) = state.failure.take() {
            return Err(WalkError::Consumer(failure));
        }
        let message = match e.io_error_kind() {
            Some(_) => format!("cannot read the file: {e}"),
            None => e.to_string(),
        };
        return Err(malformed(track.path().to_string(), &e, message));
    }
    de.end().map_err(|e| {
        malformed(
            ".".into(),
            &e,
            format!("{e}: the file must hold exactly one JSON document; remove what follows it"),
        )
    })
}

/// The read in progress: the consumer, and its error once it stopped it.
pub(super) struct Walk<'c, C: GenesisEvents> {
    pub(super) consumer: &'c mut C,
    pub(super) failure: Option<C::Error>,
}

impl<C: GenesisEvents> Walk<'_, C> {
    /// Keeps the consumer's error and stops the parse with its text.
    pub(super) fn check<E: Error>(&mut self, result: Result<(), C::Error>) -> Result<(), E> {
        result.map_err(|failure| {
            self.failure = Some(failure);
            E::custom("stopped by the importer")
        })
    }
}

/// The error for a key an object already has.
pub(super) fn duplicate<E: Error>(key: &str) -> E {
    E::custom(format!(
        "duplicate key {key:?} in this object; remove one of them"
    ))
}

/// The top-level object.
struct Document<'w, 'c, C: GenesisEvents>(&'w mut Walk<'c, C>);

impl<'de, C: GenesisEvents> DeserializeSeed<'de> for Document<'_, '_, C> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, C: GenesisEvents> Visitor<'de> for Document<'_, '_, C> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a genesis document (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let walk = self.0;
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key_seed(DocumentKey)? {
            if !seen.insert(key.clone()) {
                return Err(duplicate(&key));
            }
            let value = match key.as_str() {
                "app_state" => {
                    map.next_value_seed(AppState(&mut *walk))?;
                    continue;
                }
                // Typed as `AppGenesis` types them, so a wrong type is
                // reported where it is, with its line and column.
                "initial_height" => map.next_value_seed(Height)?,
                "app_name" | "app_version" | "genesis_time" | "chain_id" | "app_hash" => {
                    Value::String(map.next_value::<String>()?)
                }
                _ => map.next_value_seed(Strict)?,
            };
            let result = walk.consumer.header(&key, value);
            walk.check(result)?;
        }
        for required in ["chain_id", "app_state"] {
            if !seen.contains(required) {
                return Err(A::Error::missing_field(required));
            }
        }
        Ok(())
    }
}

/// A key of the document, refused where it is read unless it is one of
/// [`DOCUMENT_FIELDS`].
struct DocumentKey;

impl<'de> DeserializeSeed<'de> for DocumentKey {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for DocumentKey {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field of a genesis document")
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<String, E> {
        if DOCUMENT_FIELDS.contains(&v) {
            Ok(v.to_owned())
        } else {
            Err(E::unknown_field(v, &DOCUMENT_FIELDS))
        }
    }
}

/// `initial_height`: a number or a decimal string, checked but handed over
/// as written (`"1"` or `1`).
struct Height;

impl<'de> DeserializeSeed<'de> for Height {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let value = super::strict::value(d)?;
        super::document::number_or_string(&value).map_err(D::Error::custom)?;
        Ok(value)
    }
}
