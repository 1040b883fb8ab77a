//! What a module's code is handed when the runtime calls it.

use crate::store::{ModuleReader, ModuleStore, StateWrite, StoreError, is_reserved};

/// Where a registered module keeps its state and whose state it may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleBinding {
    /// Module name.
    pub module: String,
    /// Name of the module's own store.
    pub store: String,
    /// Declared dependencies: (module name, its store name).
    pub dependencies: Vec<(String, String)>,
}

/// The state a module may touch during one call: its own store read-write,
/// its declared dependencies read-only, nothing else.
pub struct Context<'a> {
    state: &'a mut dyn StateWrite,
    binding: &'a ModuleBinding,
    height: u64,
}

impl<'a> Context<'a> {
    /// A context for `binding` over `state` at block `height`.
    ///
    /// Only the runtime (and the testing harness) builds contexts; a module
    /// receives one and cannot widen it.
    pub(crate) fn new(
        state: &'a mut dyn StateWrite,
        binding: &'a ModuleBinding,
        height: u64,
    ) -> Self {
        Context {
            state,
            binding,
            height,
        }
    }

    /// The module this context belongs to.
    pub fn module(&self) -> &str {
        &self.binding.module
    }

    /// The height of the block being executed (0 during `init_chain`).
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The module's own store, read-write.
    pub fn store(&mut self) -> ModuleStore<'_> {
        ModuleStore::new(&mut *self.state, &self.binding.store)
    }

    /// The module's own store, read-only.
    pub fn own(&self) -> ModuleReader<'_> {
        ModuleReader::new(&*self.state, &self.binding.store)
    }

    /// A read-only view of the store of `module`, which must be a declared
    /// dependency.
    ///
    /// # Errors
    ///
    /// [`StoreError::ReservedStore`] for the runtime's stores,
    /// [`StoreError::UndeclaredDependency`] for any module not declared.
    pub fn read(&self, module: &str) -> Result<ModuleReader<'_>, StoreError> {
        if is_reserved(module) {
            return Err(StoreError::ReservedStore {
                module: self.binding.module.clone(),
                store: module.to_owned(),
            });
        }
        if module == self.binding.module {
            return Ok(self.own());
        }
        match self
            .binding
            .dependencies
            .iter()
            .find(|(name, _)| name == module)
        {
            Some((_, store)) => Ok(ModuleReader::new(&*self.state, store)),
            None => Err(StoreError::UndeclaredDependency {
                module: self.binding.module.clone(),
                store: module.to_owned(),
                declared: self
                    .binding
                    .dependencies
                    .iter()
                    .map(|(name, _)| name.clone())
                    .collect(),
            }),
        }
    }
}
