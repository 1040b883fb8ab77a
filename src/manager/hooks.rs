//! The block hooks: every module's BeginBlock and EndBlock, in
//! registration order (the order an application lists its modules in, as
//! Cosmos' `SetOrderBeginBlockers` / `SetOrderEndBlockers` default to).

use super::ModuleManager;
use crate::context::Context;
use crate::module::{Module, ModuleError};
use crate::store::StateWrite;

/// A failed hook: the module and its error.
pub type HookError = (String, ModuleError);

impl ModuleManager {
    /// Runs every module's [`Module::begin_block`] at `height`.
    ///
    /// # Errors
    ///
    /// The first module that fails, with its error; `state` then holds a
    /// partial block that must be discarded.
    pub fn begin_block(&self, state: &mut dyn StateWrite, height: u64) -> Result<(), HookError> {
        self.run_hook(state, height, |m, ctx| m.begin_block(ctx))
    }

    /// Runs every module's [`Module::end_block`] at `height`.
    ///
    /// # Errors
    ///
    /// As [`ModuleManager::begin_block`].
    pub fn end_block(&self, state: &mut dyn StateWrite, height: u64) -> Result<(), HookError> {
        self.run_hook(state, height, |m, ctx| m.end_block(ctx))
    }

    fn run_hook(
        &self,
        state: &mut dyn StateWrite,
        height: u64,
        hook: impl Fn(&dyn Module, &mut Context<'_>) -> Result<(), ModuleError>,
    ) -> Result<(), HookError> {
        for module in self.modules() {
            let name = module.name().to_owned();
            let mut ctx = self
                .context(&name, &mut *state, height)
                .map_err(|e| (name.clone(), ModuleError::Rejected(e.to_string())))?;
            hook(module, &mut ctx).map_err(|e| (name, e))?;
        }
        Ok(())
    }
}
