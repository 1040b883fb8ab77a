//! Writing a module's genesis section piece by piece.
//!
//! A module exports through a [`SectionWriter`] (see
//! [`crate::Module::export_genesis_to`]): small fields whole, big arrays an
//! element at a time. The export command hands it a writer that serialises
//! straight into the output file, so a million accounts never sit in memory
//! as one JSON tree; [`collect_section`] hands it one that builds a
//! [`Value`], for callers that want the section in memory. Both see the same
//! calls, so the file and the in-memory value cannot disagree.

use serde_json::{Map, Value};

use crate::module::ModuleError;

/// Where a module writes its genesis section.
///
/// A section is either one value ([`SectionWriter::value`], the only call)
/// or an object written field by field, in order ([`SectionWriter::field`]
/// and [`SectionWriter::array`]).
pub trait SectionWriter {
    /// Writes the whole section at once. Must be the only call.
    ///
    /// # Errors
    ///
    /// The output failed, or fields were already written.
    fn value(&mut self, section: &Value) -> Result<(), ModuleError>;

    /// Writes the field `name` of the section with `value`.
    ///
    /// # Errors
    ///
    /// The output failed, or [`SectionWriter::value`] was already called.
    fn field(&mut self, name: &str, value: &Value) -> Result<(), ModuleError>;

    /// Writes the field `name` as an array whose elements `fill` pushes one
    /// at a time, so the array is never built in memory.
    ///
    /// # Errors
    ///
    /// The output failed, `fill` failed (its error is returned as is), or
    /// [`SectionWriter::value`] was already called.
    fn array(
        &mut self,
        name: &str,
        fill: &mut dyn FnMut(&mut dyn ElementWriter) -> Result<(), ModuleError>,
    ) -> Result<(), ModuleError>;
}

/// Where [`SectionWriter::array`]'s elements go.
pub trait ElementWriter {
    /// Writes the next element.
    ///
    /// # Errors
    ///
    /// The output failed.
    fn push(&mut self, element: &Value) -> Result<(), ModuleError>;
}

/// Runs `export` against a writer that builds the section in memory.
///
/// # Errors
///
/// Whatever `export` returns, or a misuse of the writer (a value after
/// fields, or a second value).
pub fn collect_section<F>(export: F) -> Result<Value, ModuleError>
where
    F: FnOnce(&mut dyn SectionWriter) -> Result<(), ModuleError>,
{
    let mut writer = ValueWriter::default();
    export(&mut writer)?;
    Ok(match writer.state {
        Collected::Nothing => Value::Object(Map::new()),
        Collected::Value(v) => v,
        Collected::Fields(m) => Value::Object(m),
    })
}

#[derive(Default)]
enum Collected {
    #[default]
    Nothing,
    Value(Value),
    Fields(Map<String, Value>),
}

#[derive(Default)]
struct ValueWriter {
    state: Collected,
}

impl ValueWriter {
    fn fields(&mut self) -> Result<&mut Map<String, Value>, ModuleError> {
        if matches!(self.state, Collected::Nothing) {
            self.state = Collected::Fields(Map::new());
        }
        match &mut self.state {
            Collected::Fields(m) => Ok(m),
            _ => Err(misuse("a field after the whole section was written")),
        }
    }
}

impl SectionWriter for ValueWriter {
    fn value(&mut self, section: &Value) -> Result<(), ModuleError> {
        match self.state {
            Collected::Nothing => {
                self.state = Collected::Value(section.clone());
                Ok(())
            }
            _ => Err(misuse("the whole section after other output")),
        }
    }

    fn field(&mut self, name: &str, value: &Value) -> Result<(), ModuleError> {
        self.fields()?.insert(name.to_owned(), value.clone());
        Ok(())
    }

    fn array(
        &mut self,
        name: &str,
        fill: &mut dyn FnMut(&mut dyn ElementWriter) -> Result<(), ModuleError>,
    ) -> Result<(), ModuleError> {
        let mut elements = VecWriter(Vec::new());
        fill(&mut elements)?;
        self.fields()?
            .insert(name.to_owned(), Value::Array(elements.0));
        Ok(())
    }
}

struct VecWriter(Vec<Value>);

impl ElementWriter for VecWriter {
    fn push(&mut self, element: &Value) -> Result<(), ModuleError> {
        self.0.push(element.clone());
        Ok(())
    }
}

/// The error of a module that calls a [`SectionWriter`] out of order (a
/// bug in the module, reported rather than panicking).
pub(crate) fn misuse(what: &str) -> ModuleError {
    ModuleError::Rejected(format!(
        "genesis export wrote {what}: a section is either one value or a sequence of fields"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_and_arrays_build_an_object_in_order() {
        let section = collect_section(|w| {
            w.field("params", &json!({"a": 1}))?;
            w.array("items", &mut |e| {
                for i in 0..3 {
                    e.push(&json!(i))?;
                }
                Ok(())
            })?;
            w.field("tail", &json!([]))
        });
        assert_eq!(
            serde_json::to_string(&section.ok()).ok(),
            Some(r#"{"params":{"a":1},"items":[0,1,2],"tail":[]}"#.to_owned())
        );
    }

    #[test]
    fn a_value_after_fields_is_refused() {
        let err = collect_section(|w| {
            w.field("a", &json!(1))?;
            w.value(&json!(2))
        });
        assert!(
            matches!(&err, Err(ModuleError::Rejected(m)) if m.contains("either one value")),
            "{err:?}"
        );
    }
}
