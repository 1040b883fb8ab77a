//! The streaming genesis import: every module's section written into the
//! state as the file is read, in bounded memory.
//!
//! Sections arrive in file order. A module with a [`SectionImport`] writes
//! its big arrays an element at a time; any other module's section (small
//! by nature) is collected and initialised once the file is read, in
//! registration order, as is the default genesis of a module the file has
//! no section for. Every problem of every section is recorded, so one run
//! reports them all; with any problem, the error is returned and the
//! writes, which went into the caller's session or delta, are discarded.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

use super::{ManagerError, ModuleManager};
use crate::genesis::{
    AppGenesis, GenesisEvents, GenesisFileError, SectionImport, SectionMode, WalkError, walk,
};
use crate::module::{Module, join_path};
use crate::store::StateWrite;

/// A check of one of the caller's sections, run as soon as it is read (so
/// a file for another release is refused before its accounts are
/// imported); the error text becomes the section's problem.
pub type SectionCheck<'a> = &'a dyn Fn(&str, &Value) -> Result<(), String>;

/// How [`ModuleManager::import_genesis`] treats a file.
#[derive(Clone, Copy, Default)]
pub struct ImportOptions<'a> {
    /// Sections the caller owns (the runtime's `upgrade`): collected whole
    /// and returned in the report's `app_state`.
    pub extra_sections: &'a [&'a str],
    /// Skip sections no module has instead of refusing the file.
    pub drop_unknown_sections: bool,
    /// Where modules keep scratch files (beside the state, ideally).
    pub scratch_dir: Option<&'a Path>,
    /// Run on each of the caller's sections as soon as it is read.
    pub check_extra_section: Option<SectionCheck<'a>>,
}

impl std::fmt::Debug for ImportOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("extra_sections", &self.extra_sections)
            .field("drop_unknown_sections", &self.drop_unknown_sections)
            .field("scratch_dir", &self.scratch_dir)
            .finish_non_exhaustive()
    }
}

/// What an import read.
#[derive(Debug)]
pub struct ImportReport {
    /// The document's envelope, its `app_state` holding only the caller's
    /// extra sections.
    pub genesis: AppGenesis,
    /// Sections of modules this binary lacks, skipped (only with
    /// [`ImportOptions::drop_unknown_sections`]).
    pub dropped: Vec<String>,
    /// Every section of the file, in file order.
    pub sections: Vec<String>,
}

/// An import failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file is unreadable or not a genesis document.
    #[error(transparent)]
    File(#[from] GenesisFileError),
    /// A section is invalid, or a module failed.
    #[error(transparent)]
    Manager(#[from] ManagerError),
}

impl ModuleManager {
    /// Reads a genesis document from `reader` (named `path` in errors) and
    /// runs every module's InitGenesis into `state` as it goes.
    ///
    /// # Errors
    ///
    /// A malformed file, unknown sections (unless dropped), every invalid
    /// section's problems, or a module's failure. `state` then holds
    /// partial writes and must be discarded.
    pub fn import_genesis(
        &self,
        reader: impl Read,
        path: &str,
        state: &mut dyn StateWrite,
        options: &ImportOptions<'_>,
    ) -> Result<ImportReport, ImportError> {
        let mut importer = Importer {
            manager: self,
            state,
            options,
            height: 0,
            header: Map::new(),
            extra: Map::new(),
            deferred: Map::new(),
            sections: Vec::new(),
            unknown: Vec::new(),
            current: None,
            problems: crate::Problems::new(),
        };
        match walk(reader, path, &mut importer) {
            Ok(()) => {}
            Err(WalkError::File(e)) => return Err(e.into()),
            Err(WalkError::Consumer(e)) => return Err(e.into()),
        }
        let genesis = AppGenesis::from_header(
            std::mem::take(&mut importer.header),
            std::mem::take(&mut importer.extra),
            path,
        )?;
        if !importer.unknown.is_empty() && !options.drop_unknown_sections {
            return Err(self.unknown_sections_error(&importer.unknown).into());
        }
        importer.init_the_rest()?;
        problems_result(std::mem::take(&mut importer.problems))?;
        Ok(ImportReport {
            genesis,
            dropped: importer.unknown,
            sections: importer.sections,
        })
    }

    /// The error for sections no module of this binary has.
    pub(crate) fn unknown_sections_error(&self, unknown: &[String]) -> ManagerError {
        ManagerError::UnknownSections {
            sections: unknown.to_vec(),
            modules: self.names().iter().map(|n| (*n).to_owned()).collect(),
        }
    }
}

/// `Ok` without problems; else the one problem, or all of them.
pub(crate) fn problems_result(problems: crate::Problems) -> Result<(), ManagerError> {
    match problems.shown() {
        [] => Ok(()),
        [only] if problems.total() == 1 => Err(ManagerError::InvalidGenesis {
            path: only.path.clone(),
            message: only.message.clone(),
        }),
        _ => Err(ManagerError::InvalidGenesisProblems(problems)),
    }
}

/// The section being read.
struct Current<'m> {
    module: &'m dyn Module,
    import: Box<dyn SectionImport + 'm>,
    problems: crate::Problems,
    /// The section is not an object: its whole-section check said why, and
    /// the importer's own end checks (missing fields) would only repeat it.
    not_an_object: bool,
}

struct Importer<'m, 's, 'o> {
    manager: &'m ModuleManager,
    state: &'s mut dyn StateWrite,
    options: &'o ImportOptions<'o>,
    /// The context height: the initial height - 1, when the file gives it
    /// before `app_state` (both envelopes do); InitGenesis does not read it.
    height: u64,
    header: Map<String, Value>,
    extra: Map<String, Value>,
    /// Sections of modules without a streaming import, by name.
    deferred: Map<String, Value>,
    sections: Vec<String>,
    unknown: Vec<String>,
    current: Option<Current<'m>>,
    problems: crate::Problems,
}

impl<'m> Importer<'m, '_, '_> {
    /// A whole section of a module without a streaming import, or a
    /// missing one (its default), then InitGenesis, for every module the
    /// read did not already import; in registration order.
    fn init_the_rest(&mut self) -> Result<(), ManagerError> {
        for m in self.manager.modules() {
            let section = match self.deferred.shift_remove(m.name()) {
                Some(section) => section,
                None if self.sections.iter().any(|s| s == m.name()) => continue,
                None => {
                    tracing::info!(
                        module = m.name(),
                        "no genesis section: the module starts from its default genesis"
                    );
                    m.default_genesis()
                }
            };
            let mut found = crate::Problems::new();
            m.validate_genesis_into(&section, &mut found);
            let clean = found.is_empty();
            self.problems
                .extend_within(&join_path("app_state", m.name()), found);
            if clean && self.problems.is_empty() {
                let mut ctx = self.manager.context(m.name(), self.state, self.height)?;
                m.init_genesis(&mut ctx, &section)
                    .map_err(|source| init_failed(m, source))?;
            }
        }
        Ok(())
    }

    fn current(&mut self) -> Result<&mut Current<'m>, ManagerError> {
        self.current.as_mut().ok_or_else(|| {
            ManagerError::Store(crate::store::StoreError::backend(
                "importing genesis",
                "a section event outside a module's section",
            ))
        })
    }
}

fn init_failed(m: &dyn Module, source: crate::ModuleError) -> ManagerError {
    ManagerError::InitGenesis {
        module: m.name().to_owned(),
        source,
    }
}

impl GenesisEvents for Importer<'_, '_, '_> {
    type Error = ManagerError;

    fn header(&mut self, name: &str, value: Value) -> Result<(), ManagerError> {
        if name == "initial_height" {
            let height = match &value {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.parse().ok(),
                _ => None,
            };
            self.height = height.unwrap_or(1).saturating_sub(1);
        }
        self.header.insert(name.to_owned(), value);
        Ok(())
    }

    fn begin_section(&mut self, name: &str) -> Result<SectionMode, ManagerError> {
        self.sections.push(name.to_owned());
        if self.options.extra_sections.contains(&name) {
            return Ok(SectionMode::Whole);
        }
        let Some(module) = self.manager.module(name) else {
            self.unknown.push(name.to_owned());
            return Ok(SectionMode::Skip);
        };
        if !self.unknown.is_empty() && !self.options.drop_unknown_sections {
            // The file is refused for its unknown sections (all listed):
            // the rest is only read, not imported.
            return Ok(SectionMode::Skip);
        }
        match module.genesis_import(self.options.scratch_dir) {
            Some(import) => {
                self.current = Some(Current {
                    module,
                    import,
                    problems: crate::Problems::new(),
                    not_an_object: false,
                });
                Ok(SectionMode::Fields)
            }
            None => Ok(SectionMode::Whole),
        }
    }

    fn section_value(&mut self, value: Value) -> Result<(), ManagerError> {
        let Some(name) = self.sections.last().cloned() else {
            return Ok(());
        };
        match self.current.as_mut() {
            // A streaming module's section that is not an object: its
            // whole-section check says what is wrong.
            Some(current) => {
                current.not_an_object = true;
                current
                    .module
                    .validate_genesis_into(&value, &mut current.problems);
            }
            None if self.options.extra_sections.contains(&name.as_str()) => {
                if let Some(check) = self.options.check_extra_section {
                    check(&name, &value).map_err(|message| ManagerError::InvalidGenesis {
                        path: join_path("app_state", &name),
                        message,
                    })?;
                }
                self.extra.insert(name, value);
            }
            None => {
                self.deferred.insert(name, value);
            }
        }
        Ok(())
    }

    fn streams(&self, field: &str) -> bool {
        self.current
            .as_ref()
            .is_some_and(|current| current.import.streams(field))
    }

    fn field(&mut self, name: &str, value: Value) -> Result<(), ManagerError> {
        let current = self.current()?;
        current.import.field(name, value, &mut current.problems);
        Ok(())
    }

    fn begin_array(&mut self, field: &str) -> Result<(), ManagerError> {
        self.current()?.import.begin_array(field);
        Ok(())
    }

    fn element(&mut self, field: &str, index: usize, value: Value) -> Result<(), ManagerError> {
        let Some(current) = self.current.as_mut() else {
            return Ok(());
        };
        let m = current.module;
        let mut ctx = self.manager.context(m.name(), self.state, self.height)?;
        current
            .import
            .element(&mut ctx, field, index, value, &mut current.problems)
            .map_err(|source| init_failed(m, source))
    }

    fn end_section(&mut self) -> Result<(), ManagerError> {
        let Some(Current {
            module,
            import,
            mut problems,
            not_an_object,
        }) = self.current.take()
        else {
            return Ok(());
        };
        if !not_an_object {
            let mut ctx = self
                .manager
                .context(module.name(), self.state, self.height)?;
            import
                .finish(&mut ctx, &mut problems)
                .map_err(|source| init_failed(module, source))?;
        }
        self.problems
            .extend_within(&join_path("app_state", module.name()), problems);
        Ok(())
    }
}
