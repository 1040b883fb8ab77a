//! Releases as library values: a [`Release`] is what one version of an
//! application is (its modules at their consensus versions) and how a chain
//! on the release before it gets there (its [`Upgrade`]); a
//! [`ReleaseChain`] is every release a binary knows, oldest first, with the
//! lookups a node and its operator CLI need and the static check run before
//! the first block.

mod chain;

pub use chain::{ReleaseChain, ReleaseError};

use crate::manager::{ManagerError, ModuleManager};
use crate::module::Module;
use crate::upgrade::{Upgrade, UpgradeRegistry};

/// One release of an application.
#[derive(Clone, Copy)]
pub struct Release {
    /// Semver name, e.g. `v2.0.0`; also the plan name that triggers it.
    pub name: &'static str,
    /// Builds the release's modules, each at the release's consensus version.
    pub modules: fn() -> Vec<Box<dyn Module>>,
    /// How a chain running the previous release gets here (`None` for the
    /// genesis release).
    pub upgrade: Option<fn() -> Upgrade>,
    /// The migration order, when the default (alphabetical, `auth` last)
    /// does not fit ([`ModuleManager::set_order_migrations`]).
    pub order_migrations: Option<&'static [&'static str]>,
}

impl std::fmt::Debug for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Release")
            .field("name", &self.name)
            .field("has_upgrade", &self.upgrade.is_some())
            .finish()
    }
}

impl Release {
    /// The genesis release: `modules` and no upgrade.
    pub const fn genesis(name: &'static str, modules: fn() -> Vec<Box<dyn Module>>) -> Self {
        Release {
            name,
            modules,
            upgrade: None,
            order_migrations: None,
        }
    }

    /// A release reached from the one before it by `upgrade`.
    pub const fn upgrade(
        name: &'static str,
        modules: fn() -> Vec<Box<dyn Module>>,
        upgrade: fn() -> Upgrade,
    ) -> Self {
        Release {
            name,
            modules,
            upgrade: Some(upgrade),
            order_migrations: None,
        }
    }

    /// The release's module manager.
    ///
    /// # Errors
    ///
    /// Invalid module wiring, or a migration order that does not name
    /// every module once.
    pub fn manager(&self) -> Result<ModuleManager, ManagerError> {
        let mut manager = ModuleManager::new((self.modules)())?;
        if let Some(order) = self.order_migrations {
            manager.set_order_migrations(order)?;
        }
        Ok(manager)
    }
}

/// The application as one release: its modules (at that release's
/// versions) and the upgrade handlers a binary of that release holds (its
/// own and every earlier release's). What a node runs, and what the
/// testing harness swaps at the upgrade height.
pub struct Binary {
    /// The modules.
    pub manager: ModuleManager,
    /// The upgrade handlers.
    pub upgrades: UpgradeRegistry,
}
