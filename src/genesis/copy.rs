//! Copying a genesis document without some of its sections, as a stream
//! (`init --drop-unknown-sections` keeps the file CometBFT will read in
//! step with the state, whatever the file's size).

use std::io::{Read, Write};

use serde_json::Value;

use super::walk::{GenesisEvents, SectionMode, WalkError, walk};

/// Writes the document read from `reader` (named `path` in errors) to
/// `out` as compact JSON, without the `app_state` sections in `drop`.
/// Everything else is kept, in file order; big arrays pass an element at
/// a time.
///
/// # Errors
///
/// A malformed document, or a failed write.
pub fn copy_without_sections<R: Read, W: Write>(
    reader: R,
    path: &str,
    out: W,
    drop: &[String],
) -> Result<(), WalkError<std::io::Error>> {
    let mut copy = Copy {
        out,
        drop,
        top_first: true,
        first: true,
        section: Section::Closed,
    };
    walk(reader, path, &mut copy)?;
    copy.out
        .write_all(b"}")
        .and_then(|()| copy.out.flush())
        .map_err(WalkError::Consumer)
}

/// Where the current section's output is.
#[derive(PartialEq)]
enum Section {
    /// No section is open.
    Closed,
    /// Its key is written, nothing after it.
    Keyed,
    /// Its object is open (`{` written).
    Open,
    /// Its whole value is written.
    Written,
}

struct Copy<'d, W> {
    out: W,
    drop: &'d [String],
    top_first: bool,
    /// Whether the next item of the innermost open object or array is its
    /// first.
    first: bool,
    section: Section,
}

impl<W: Write> Copy<'_, W> {
    fn top_key(&mut self, name: &str) -> std::io::Result<()> {
        self.out
            .write_all(if self.top_first { b"{" } else { b"," })?;
        self.top_first = false;
        self.key(name)
    }

    fn key(&mut self, name: &str) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, name)?;
        self.out.write_all(b":")
    }

    fn separator(&mut self) -> std::io::Result<()> {
        if !self.first {
            self.out.write_all(b",")?;
        }
        self.first = false;
        Ok(())
    }

    fn value(&mut self, value: &Value) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, value).map_err(std::io::Error::from)
    }

    /// A field of the current section: opens its object first.
    fn section_field(&mut self, name: &str) -> std::io::Result<()> {
        if self.section == Section::Keyed {
            self.out.write_all(b"{")?;
            self.section = Section::Open;
            self.first = true;
        }
        self.separator()?;
        self.key(name)
    }
}

impl<W: Write> GenesisEvents for Copy<'_, W> {
    type Error = std::io::Error;

    fn header(&mut self, name: &str, value: Value) -> std::io::Result<()> {
        self.top_key(name)?;
        self.value(&value)
    }

    fn begin_app_state(&mut self) -> std::io::Result<()> {
        self.top_key("app_state")?;
        self.out.write_all(b"{")?;
        self.first = true;
        Ok(())
    }

    fn begin_section(&mut self, name: &str) -> std::io::Result<SectionMode> {
        if self.drop.iter().any(|d| d == name) {
            return Ok(SectionMode::Skip);
        }
        self.separator()?;
        self.key(name)?;
        self.section = Section::Keyed;
        Ok(SectionMode::Fields)
    }

    fn section_value(&mut self, value: Value) -> std::io::Result<()> {
        self.value(&value)?;
        self.section = Section::Written;
        Ok(())
    }

    fn streams(&self, _field: &str) -> bool {
        true
    }

    fn field(&mut self, name: &str, value: Value) -> std::io::Result<()> {
        self.section_field(name)?;
        self.value(&value)
    }

    fn begin_array(&mut self, field: &str) -> std::io::Result<()> {
        self.section_field(field)?;
        self.out.write_all(b"[")?;
        self.first = true;
        Ok(())
    }

    fn element(&mut self, _field: &str, _index: usize, value: Value) -> std::io::Result<()> {
        self.separator()?;
        self.value(&value)
    }

    fn end_array(&mut self, _field: &str) -> std::io::Result<()> {
        self.out.write_all(b"]")?;
        // The array was a field of the open section object.
        self.first = false;
        Ok(())
    }

    fn end_section(&mut self) -> std::io::Result<()> {
        match self.section {
            Section::Keyed => self.out.write_all(b"{}")?,
            Section::Open => self.out.write_all(b"}")?,
            Section::Closed | Section::Written => {}
        }
        self.section = Section::Closed;
        // The section was an item of `app_state`.
        self.first = false;
        Ok(())
    }

    fn end_app_state(&mut self) -> std::io::Result<()> {
        self.out.write_all(b"}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(text: &str, drop: &[&str]) -> String {
        let drop: Vec<String> = drop.iter().map(|d| (*d).to_owned()).collect();
        let mut out = Vec::new();
        let copied = copy_without_sections(text.as_bytes(), "g.json", &mut out, &drop);
        assert!(copied.is_ok(), "{copied:?}");
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn drops_the_named_sections_and_keeps_everything_else_in_order() {
        let text = r#"{"chain_id":"c-1","app_state":{"staking":{"params":{"a":1},"validators":[{"x":1}]},"auth":{"accounts":[{"a":1},{"b":[2]}],"params":{}},"empty":{},"odd":[1,2],"gov":{}},"initial_height":"3"}"#;
        assert_eq!(
            copy(text, &["staking", "gov"]),
            r#"{"chain_id":"c-1","app_state":{"auth":{"accounts":[{"a":1},{"b":[2]}],"params":{}},"empty":{},"odd":[1,2]},"initial_height":"3"}"#
        );
        // Nothing dropped: the same document, compact.
        let parsed = |s: &str| serde_json::from_str::<Value>(s).ok();
        assert_eq!(parsed(&copy(text, &[])), parsed(text));
    }

    #[test]
    fn a_malformed_document_is_an_error() {
        let mut out = Vec::new();
        let copied = copy_without_sections(
            r#"{"app_state":{"a":{"x":[1,}}}"#.as_bytes(),
            "g.json",
            &mut out,
            &[],
        );
        assert!(matches!(copied, Err(WalkError::File(_))), "{copied:?}");
    }
}
