//! Genesis: validating, initialising and exporting every module's section.

use serde_json::{Map, Value};

use super::{ManagerError, ModuleManager};
use crate::module::join_path;
use crate::store::{StateDelta, StateRead, StateWrite};

impl ModuleManager {
    /// An `app_state` for this release's modules: each module's section
    /// from `sections` (e.g. a generator's output, which may cover several
    /// releases' modules), else its default genesis. Sections of modules
    /// the release does not have are left out.
    pub fn app_state_from(&self, sections: &Map<String, Value>) -> Map<String, Value> {
        self.modules()
            .map(|m| {
                let section = sections
                    .get(m.name())
                    .cloned()
                    .unwrap_or_else(|| m.default_genesis());
                (m.name().to_owned(), section)
            })
            .collect()
    }

    /// Validates an `app_state` object: one section per registered module
    /// plus any of `extra_sections` (sections the runtime itself owns), each
    /// valid according to its module.
    ///
    /// # Errors
    ///
    /// [`ManagerError::InvalidGenesis`] with the full JSON path.
    pub fn validate_genesis(
        &self,
        app_state: &Map<String, Value>,
        extra_sections: &[&str],
    ) -> Result<(), ManagerError> {
        let unknown: Vec<String> = app_state
            .keys()
            .filter(|name| self.module(name).is_none() && !extra_sections.contains(&name.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(self.unknown_sections_error(&unknown));
        }
        let mut problems = crate::Problems::new();
        for m in self.modules() {
            let path = join_path("app_state", m.name());
            // As the SDK's module manager: a module without a section starts
            // from its default genesis.
            let Some(section) = app_state.get(m.name()) else {
                tracing::info!(
                    module = m.name(),
                    "no genesis section: the module starts from its default genesis"
                );
                continue;
            };
            let mut found = crate::Problems::new();
            m.validate_genesis_into(section, &mut found);
            problems.extend_within(&path, found);
        }
        super::import::problems_result(problems)
    }

    /// Runs every module's InitGenesis, in registration order, from a
    /// validated `app_state`.
    ///
    /// # Errors
    ///
    /// The first module that fails; `state` then holds partial writes and must
    /// be discarded (it is a delta).
    pub fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        app_state: &Map<String, Value>,
        height: u64,
    ) -> Result<(), ManagerError> {
        for m in self.modules() {
            let default;
            let section = match app_state.get(m.name()) {
                Some(section) => section,
                None => {
                    default = m.default_genesis();
                    &default
                }
            };
            let mut ctx = self.context(m.name(), state, height)?;
            m.init_genesis(&mut ctx, section)
                .map_err(|source| ManagerError::InitGenesis {
                    module: m.name().to_owned(),
                    source,
                })?;
        }
        Ok(())
    }

    /// Exports one module's section.
    ///
    /// # Errors
    ///
    /// [`ManagerError::ExportGenesis`] or [`ManagerError::UnknownModule`].
    pub fn export_module(
        &self,
        state: &dyn StateRead,
        module: &str,
    ) -> Result<Value, ManagerError> {
        let m = self
            .module(module)
            .ok_or_else(|| ManagerError::UnknownModule {
                name: module.to_owned(),
            })?;
        // Export only reads; the delta gives the context something to write
        // into and is thrown away.
        let mut scratch = StateDelta::new(state);
        let ctx = self.context(module, &mut scratch, 0)?;
        m.export_genesis(&ctx)
            .map_err(|source| ManagerError::ExportGenesis {
                module: module.to_owned(),
                source,
            })
    }

    /// Exports every module's section, in registration order.
    ///
    /// # Errors
    ///
    /// The first module that fails.
    pub fn export_genesis(
        &self,
        state: &dyn StateRead,
    ) -> Result<Map<String, Value>, ManagerError> {
        let mut out = Map::new();
        for name in self.names() {
            out.insert(name.to_owned(), self.export_module(state, name)?);
        }
        Ok(out)
    }
}
