//! Streaming export: the genesis document written module by module, each
//! module's section produced and serialised in turn (and, for modules that
//! stream, element by element), so the whole document is never built in
//! memory.
//!
//! The output is byte for byte what `serde_json::to_writer_pretty` writes
//! for the same [`AppGenesis`] built in memory: one pretty serializer is
//! driven through nested `Serialize` calls, so indentation comes out the
//! same.

use std::cell::RefCell;
use std::io::Write;

use serde::ser::{Error as _, SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::section::{ElementWriter, SectionWriter, misuse};
use super::{AppGenesis, GenesisExportError, UPGRADE_SECTION, UpgradeSection};
use crate::manager::ModuleManager;
use crate::module::ModuleError;
use crate::store::{StateDelta, StateRead};

/// What to export and how to label it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Export for a new chain that starts at height 1 (`initial_height` 1)
    /// instead of the block after the exported one, keeping the state as
    /// it is (Cosmos' `--for-zero-height`). The `upgrade` section's history
    /// keeps the heights of the chain it was exported from.
    pub for_zero_height: bool,
    /// Only these modules' sections (plus the runtime's `upgrade` section);
    /// `None` exports every module. Cosmos' `--modules-to-export`.
    pub modules: Option<Vec<String>>,
    /// The document's `app_name`.
    pub app_name: String,
    /// The document's `app_version` (the release that wrote it).
    pub app_version: String,
}

/// What a streaming export wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportSummary {
    /// The height of the exported state.
    pub height: u64,
    /// The document's `initial_height`.
    pub initial_height: u64,
    /// The module sections written, in order.
    pub modules: Vec<String>,
    /// Bytes written.
    pub bytes: u64,
}

/// The module names `options` selects, in registration order.
///
/// # Errors
///
/// [`GenesisExportError::UnknownModule`] for a name the manager lacks.
pub fn select_modules(
    manager: &ModuleManager,
    options: &ExportOptions,
) -> Result<Vec<&'static str>, GenesisExportError> {
    let names = manager.names();
    let Some(wanted) = &options.modules else {
        return Ok(names);
    };
    if let Some(unknown) = wanted.iter().find(|w| !names.contains(&w.as_str())) {
        return Err(GenesisExportError::UnknownModule {
            name: unknown.clone(),
            modules: names.join(", "),
        });
    }
    Ok(names
        .into_iter()
        .filter(|n| wanted.iter().any(|w| w == n))
        .collect())
}

/// Writes a genesis document to `out`: the fields of `header` (whose
/// `app_state` is ignored), then under `app_state` the section of every
/// module in `modules` read from `state`, in order, then `upgrade`.
/// Returns the bytes written.
///
/// # Errors
///
/// A module that cannot export its state, or a failed write. What was
/// written before the error is not valid JSON; write to a temporary file
/// and rename it on success.
pub fn write_genesis<W: Write>(
    out: W,
    manager: &ModuleManager,
    state: &dyn StateRead,
    header: &AppGenesis,
    modules: &[&str],
    upgrade: &UpgradeSection,
) -> Result<u64, GenesisExportError> {
    let mut sections = modules.to_vec();
    sections.push(UPGRADE_SECTION);
    write_document(out, header, &sections, &mut |name, writer| {
        if name == UPGRADE_SECTION {
            let value =
                serde_json::to_value(upgrade).map_err(|e| GenesisExportError::Write(e.into()))?;
            return writer
                .value(&value)
                .map_err(|source| GenesisExportError::Module {
                    module: name.to_owned(),
                    source,
                });
        }
        export_section(manager, state, name, writer)
    })
}

/// One module's section from `state` into `writer`.
fn export_section(
    manager: &ModuleManager,
    state: &dyn StateRead,
    name: &str,
    writer: &mut dyn SectionWriter,
) -> Result<(), GenesisExportError> {
    let Some(module) = manager.module(name) else {
        return Err(GenesisExportError::UnknownModule {
            name: name.to_owned(),
            modules: manager.names().join(", "),
        });
    };
    // Export only reads; the delta gives the context something to write
    // into and is thrown away.
    let mut scratch = StateDelta::new(state);
    let ctx = manager.context(name, &mut scratch, 0)?;
    module
        .export_genesis_to(&ctx, writer)
        .map_err(|source| GenesisExportError::Module {
            module: name.to_owned(),
            source,
        })
}

/// How [`write_document`] fills a section: the section's name and where to
/// write it.
pub type SectionFill<'f> =
    &'f mut dyn FnMut(&str, &mut dyn SectionWriter) -> Result<(), GenesisExportError>;

/// Writes a genesis document to `out`: the fields of `header` (whose
/// `app_state` is ignored), then under `app_state` each of `sections` as
/// `fill` writes it, in order. The streaming core of [`write_genesis`],
/// also for documents that do not come from a state (a generated genesis).
/// Returns the bytes written.
///
/// # Errors
///
/// `fill`'s error, or a failed write. What was written before the error is
/// not valid JSON; write to a temporary file and rename it on success.
pub fn write_document<W: Write>(
    out: W,
    header: &AppGenesis,
    sections: &[&str],
    fill: SectionFill<'_>,
) -> Result<u64, GenesisExportError> {
    let mut counted = Counting {
        inner: out,
        bytes: 0,
    };
    let failure = RefCell::new(None);
    let document = Document {
        header,
        app_state: AppState {
            sections,
            fill: RefCell::new(fill),
            failure: &failure,
        },
    };
    let mut serializer = serde_json::Serializer::pretty(&mut counted);
    let written = document.serialize(&mut serializer);
    if let Some(failure) = failure.into_inner() {
        return Err(failure);
    }
    written.map_err(|e| GenesisExportError::Write(e.into()))?;
    counted.flush().map_err(GenesisExportError::Write)?;
    Ok(counted.bytes)
}

struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The document, with the fields in `AppGenesis` order.
struct Document<'a> {
    header: &'a AppGenesis,
    app_state: AppState<'a>,
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let h = self.header;
        let mut m = s.serialize_map(Some(8))?;
        m.serialize_entry("app_name", &h.app_name)?;
        m.serialize_entry("app_version", &h.app_version)?;
        m.serialize_entry("genesis_time", &h.genesis_time)?;
        m.serialize_entry("chain_id", &h.chain_id)?;
        m.serialize_entry("initial_height", &h.initial_height)?;
        m.serialize_entry("app_hash", &h.app_hash)?;
        m.serialize_entry("app_state", &self.app_state)?;
        m.serialize_entry("consensus", &h.consensus)?;
        m.end()
    }
}

struct AppState<'a> {
    sections: &'a [&'a str],
    fill: RefCell<SectionFill<'a>>,
    failure: &'a RefCell<Option<GenesisExportError>>,
}

impl Serialize for AppState<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.sections.len()))?;
        for name in self.sections {
            tracing::debug!(section = %name, "writing");
            m.serialize_entry(name, &Section { name, parent: self })?;
        }
        m.end()
    }
}

struct Section<'s, 'a> {
    name: &'s str,
    parent: &'s AppState<'a>,
}

impl Serialize for Section<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut writer = SerdeSection {
            state: SectionState::Fresh(s),
            error: None,
        };
        let filled = {
            let mut fill = self.parent.fill.borrow_mut();
            (*fill)(self.name, &mut writer)
        };
        match filled {
            Ok(()) => writer.finish(),
            Err(failure) => Err(match writer.error {
                // The output failed: report that, not the section.
                Some(e) => e,
                None => {
                    let message = failure.to_string();
                    *self.parent.failure.borrow_mut() = Some(failure);
                    S::Error::custom(message)
                }
            }),
        }
    }
}

enum SectionState<S: Serializer> {
    Fresh(S),
    Fields(S::SerializeMap),
    Done(S::Ok),
    Failed,
}

/// A [`SectionWriter`] over a serde serializer: fields become map entries,
/// arrays sequences serialised element by element.
struct SerdeSection<S: Serializer> {
    state: SectionState<S>,
    error: Option<S::Error>,
}

impl<S: Serializer> SerdeSection<S> {
    fn failed(&mut self, e: S::Error) -> ModuleError {
        let message = format!("cannot write the genesis section: {e}");
        self.error = Some(e);
        self.state = SectionState::Failed;
        ModuleError::Rejected(message)
    }

    fn fields(&mut self) -> Result<&mut S::SerializeMap, ModuleError> {
        if let SectionState::Fresh(_) = self.state {
            let SectionState::Fresh(s) = std::mem::replace(&mut self.state, SectionState::Failed)
            else {
                return Err(misuse("an unexpected state"));
            };
            match s.serialize_map(None) {
                Ok(m) => self.state = SectionState::Fields(m),
                Err(e) => return Err(self.failed(e)),
            }
        }
        match &mut self.state {
            SectionState::Fields(m) => Ok(m),
            SectionState::Done(_) => Err(misuse("a field after the whole section was written")),
            _ => Err(misuse("after a failed write")),
        }
    }

    fn finish(self) -> Result<S::Ok, S::Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        match self.state {
            // A module that wrote nothing exports an empty object.
            SectionState::Fresh(s) => s.serialize_map(Some(0))?.end(),
            SectionState::Fields(m) => m.end(),
            SectionState::Done(ok) => Ok(ok),
            SectionState::Failed => Err(S::Error::custom("the section failed earlier")),
        }
    }
}

impl<S: Serializer> SectionWriter for SerdeSection<S> {
    fn value(&mut self, section: &Value) -> Result<(), ModuleError> {
        match std::mem::replace(&mut self.state, SectionState::Failed) {
            SectionState::Fresh(s) => match section.serialize(s) {
                Ok(ok) => {
                    self.state = SectionState::Done(ok);
                    Ok(())
                }
                Err(e) => Err(self.failed(e)),
            },
            other => {
                self.state = other;
                Err(misuse("the whole section after other output"))
            }
        }
    }

    fn field(&mut self, name: &str, value: &Value) -> Result<(), ModuleError> {
        let map = self.fields()?;
        match map.serialize_entry(name, value) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.failed(e)),
        }
    }

    fn array(
        &mut self,
        name: &str,
        fill: &mut dyn FnMut(&mut dyn ElementWriter) -> Result<(), ModuleError>,
    ) -> Result<(), ModuleError> {
        let map = self.fields()?;
        if let Err(e) = map.serialize_key(name) {
            return Err(self.failed(e));
        }
        let array = StreamedArray {
            fill: RefCell::new(fill),
            failure: RefCell::new(None),
        };
        let written = map.serialize_value(&array);
        if let Some(module_error) = array.failure.into_inner() {
            self.state = SectionState::Failed;
            return Err(module_error);
        }
        written.map_err(|e| self.failed(e))
    }
}

type Fill<'f> = &'f mut dyn FnMut(&mut dyn ElementWriter) -> Result<(), ModuleError>;

struct StreamedArray<'f> {
    fill: RefCell<Fill<'f>>,
    failure: RefCell<Option<ModuleError>>,
}

impl Serialize for StreamedArray<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let seq = s.serialize_seq(None)?;
        let mut elements = SeqElements::<S> { seq, error: None };
        let filled = {
            let mut fill = self.fill.borrow_mut();
            (*fill)(&mut elements)
        };
        if let Some(e) = elements.error {
            return Err(e);
        }
        match filled {
            Ok(()) => elements.seq.end(),
            Err(module_error) => {
                let message = module_error.to_string();
                *self.failure.borrow_mut() = Some(module_error);
                Err(S::Error::custom(message))
            }
        }
    }
}

struct SeqElements<S: Serializer> {
    seq: S::SerializeSeq,
    error: Option<S::Error>,
}

impl<S: Serializer> ElementWriter for SeqElements<S> {
    fn push(&mut self, element: &Value) -> Result<(), ModuleError> {
        if self.error.is_some() {
            return Err(misuse("an element after a failed write"));
        }
        match self.seq.serialize_element(element) {
            Ok(()) => Ok(()),
            Err(e) => {
                let message = format!("cannot write the genesis section: {e}");
                self.error = Some(e);
                Err(ModuleError::Rejected(message))
            }
        }
    }
}
