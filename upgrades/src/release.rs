//! A release of the example application: its modules and, for every release
//! after the first, the upgrade that brings a chain to it.

use upgrade_runtime::module::Module;
use upgrade_runtime::upgrade::{Upgrade, UpgradeError, UpgradeRegistry};
use upgrade_runtime::{ManagerError, ModuleManager};

/// One release.
pub struct Release {
    /// Semver name, e.g. `v2.0.0`; also the plan name that triggers it.
    pub name: &'static str,
    /// Builds the release's modules, each at the release's consensus version.
    pub modules: fn() -> Vec<Box<dyn Module>>,
    /// How a chain running the previous release gets here (`None` for the
    /// genesis release).
    pub upgrade: Option<fn() -> Upgrade>,
}

impl Release {
    /// The release's module manager (default migration order).
    ///
    /// # Errors
    ///
    /// Invalid module wiring.
    pub fn manager(&self) -> Result<ModuleManager, ManagerError> {
        ModuleManager::new((self.modules)())
    }
}

/// Every release, oldest first.
pub fn releases() -> Vec<Release> {
    vec![
        crate::v1_0_0::release(),
        crate::v2_0_0::release(),
        crate::v3_0_0::release(),
    ]
}

/// The newest release's name.
pub fn newest() -> &'static str {
    releases().last().map_or("v1.0.0", |r| r.name)
}

/// The release called `name`.
pub fn release(name: &str) -> Option<Release> {
    releases().into_iter().find(|r| r.name == name)
}

/// Names of every release, oldest first.
pub fn release_names() -> Vec<&'static str> {
    releases().iter().map(|r| r.name).collect()
}

/// The upgrade handlers a binary acting as `name` holds: its own and every
/// earlier release's.
///
/// # Errors
///
/// A duplicate registration (a wiring bug).
pub fn registry_up_to(name: &str) -> Result<UpgradeRegistry, UpgradeError> {
    let mut registry = UpgradeRegistry::new();
    for release in releases() {
        if let Some(upgrade) = release.upgrade {
            registry.register(upgrade())?;
        }
        if release.name == name {
            break;
        }
    }
    Ok(registry)
}
