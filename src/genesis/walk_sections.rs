//! The `app_state` part of a streaming read ([`super::walk`]): each
//! section skipped, whole, or field by field with the consumer's arrays
//! an element at a time.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::strict::{Strict, StrictSkip, StrictVisitor};
use super::walk::{GenesisEvents, SectionMode, Walk, duplicate};

/// `app_state`: one section per key.
pub(super) struct AppState<'w, 'c, C: GenesisEvents>(pub(super) &'w mut Walk<'c, C>);

impl<'de, C: GenesisEvents> DeserializeSeed<'de> for AppState<'_, '_, C> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(ShapedVisitor(self))
    }
}

impl<'de, C: GenesisEvents> Shaped<'de> for AppState<'_, '_, C> {
    fn expecting(&self) -> &'static str {
        "an object with one section per module"
    }

    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let walk = self.0;
        let begun = walk.consumer.begin_app_state();
        walk.check(begun)?;
        let mut seen = BTreeSet::new();
        while let Some(name) = map.next_key::<String>()? {
            if !seen.insert(name.clone()) {
                return Err(duplicate(&name));
            }
            let mode = match walk.consumer.begin_section(&name) {
                Ok(mode) => mode,
                Err(failure) => {
                    walk.failure = Some(failure);
                    return Err(A::Error::custom("stopped by the importer"));
                }
            };
            match mode {
                SectionMode::Skip => {
                    // Still parsed strictly (a skipped section must be
                    // valid JSON), but never built.
                    map.next_value_seed(StrictSkip)?;
                    continue;
                }
                SectionMode::Whole => {
                    let value = map.next_value_seed(Strict)?;
                    let result = walk.consumer.section_value(value);
                    walk.check(result)?;
                }
                SectionMode::Fields => map.next_value_seed(Section(&mut *walk))?,
            }
            let ended = walk.consumer.end_section();
            walk.check(ended)?;
        }
        let ended = walk.consumer.end_app_state();
        walk.check(ended)
    }

    fn seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let value = StrictVisitor.visit_seq(seq)?;
        self.other(value)
    }

    fn other<E: Error>(self, value: Value) -> Result<(), E> {
        Err(E::custom(format!(
            "invalid type: {}, expected an object with one section per module",
            super::strict::kind(&value)
        )))
    }
}

/// A visitor for a value expected to be an object or an array: anything
/// else is built as a strict [`Value`] and handed to `other`.
trait Shaped<'de>: Sized {
    fn expecting(&self) -> &'static str;
    fn map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error>;
    fn seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error>;
    fn other<E: Error>(self, value: Value) -> Result<(), E>;
}

struct ShapedVisitor<S>(S);

macro_rules! scalar {
    ($name:ident, $t:ty) => {
        fn $name<E: Error>(self, v: $t) -> Result<(), E> {
            let value = StrictVisitor.$name::<E>(v)?;
            self.0.other(value)
        }
    };
}

impl<'de, S: Shaped<'de>> Visitor<'de> for ShapedVisitor<S> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.expecting())
    }

    scalar!(visit_bool, bool);
    scalar!(visit_i64, i64);
    scalar!(visit_u64, u64);
    scalar!(visit_f64, f64);
    scalar!(visit_str, &str);
    scalar!(visit_string, String);

    fn visit_unit<E: Error>(self) -> Result<(), E> {
        self.0.other(Value::Null)
    }

    fn visit_none<E: Error>(self) -> Result<(), E> {
        self.0.other(Value::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.0.map(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.0.seq(seq)
    }
}

/// A section read field by field.
struct Section<'w, 'c, C: GenesisEvents>(&'w mut Walk<'c, C>);

impl<'de, C: GenesisEvents> DeserializeSeed<'de> for Section<'_, '_, C> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(ShapedVisitor(self))
    }
}

impl<'de, C: GenesisEvents> Shaped<'de> for Section<'_, '_, C> {
    fn expecting(&self) -> &'static str {
        "a module's genesis section"
    }

    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let walk = self.0;
        let mut seen = BTreeSet::new();
        while let Some(field) = map.next_key::<String>()? {
            if !seen.insert(field.clone()) {
                return Err(duplicate(&field));
            }
            if walk.consumer.streams(&field) {
                map.next_value_seed(Field {
                    walk: &mut *walk,
                    name: &field,
                })?;
            } else {
                let value = map.next_value_seed(Strict)?;
                let result = walk.consumer.field(&field, value);
                walk.check(result)?;
            }
        }
        Ok(())
    }

    fn seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let value = StrictVisitor.visit_seq(seq)?;
        self.other(value)
    }

    fn other<E: Error>(self, value: Value) -> Result<(), E> {
        let result = self.0.consumer.section_value(value);
        self.0.check(result)
    }
}

/// A field the consumer streams: its elements one at a time when it is an
/// array, else the whole value.
struct Field<'w, 'c, 'n, C: GenesisEvents> {
    walk: &'w mut Walk<'c, C>,
    name: &'n str,
}

impl<'de, C: GenesisEvents> DeserializeSeed<'de> for Field<'_, '_, '_, C> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(ShapedVisitor(self))
    }
}

impl<'de, C: GenesisEvents> Shaped<'de> for Field<'_, '_, '_, C> {
    fn expecting(&self) -> &'static str {
        "a field of a module's genesis section"
    }

    fn map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let value = StrictVisitor.visit_map(map)?;
        self.other(value)
    }

    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let walk = self.walk;
        let begun = walk.consumer.begin_array(self.name);
        walk.check(begun)?;
        let mut index = 0;
        while let Some(element) = seq.next_element_seed(Strict)? {
            let result = walk.consumer.element(self.name, index, element);
            walk.check(result)?;
            index += 1;
        }
        let ended = walk.consumer.end_array(self.name);
        walk.check(ended)
    }

    fn other<E: Error>(self, value: Value) -> Result<(), E> {
        let result = self.walk.consumer.field(self.name, value);
        self.walk.check(result)
    }
}
