//! A release of the example application: its modules and, for every release
//! after the first, the upgrade that brings a chain to it.

use upgrade_runtime::module::Module;
use upgrade_runtime::upgrade::{Upgrade, UpgradeError, UpgradeRegistry};
use upgrade_runtime::{ManagerError, ModuleManager, VersionMap};

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

/// The releases a chain at release `from` goes through to reach `to`:
/// every release after `from` up to and including `to`, oldest first
/// (empty when `from` is `to`). `None` when either is unknown or `to` is
/// older than `from`.
pub fn releases_between(from: &str, to: &str) -> Option<Vec<Release>> {
    let all = releases();
    let start = all.iter().position(|r| r.name == from)?;
    let end = all.iter().position(|r| r.name == to)?;
    if end < start {
        return None;
    }
    Some(all.into_iter().skip(start + 1).take(end - start).collect())
}

/// The newest release whose modules are at exactly `versions`: the
/// release that wrote a state or genesis file recording them.
pub fn release_with_versions(versions: &VersionMap) -> Option<Release> {
    releases().into_iter().rev().find(|r| {
        r.manager()
            .map(|m| &m.version_map() == versions)
            .unwrap_or(false)
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(releases: Option<Vec<Release>>) -> Option<Vec<&'static str>> {
        releases.map(|r| r.iter().map(|r| r.name).collect())
    }

    #[test]
    fn releases_between_are_the_ones_after_from_up_to_to() {
        assert_eq!(
            names(releases_between("v1.0.0", "v3.0.0")),
            Some(vec!["v2.0.0", "v3.0.0"])
        );
        assert_eq!(
            names(releases_between("v2.0.0", "v3.0.0")),
            Some(vec!["v3.0.0"])
        );
        assert_eq!(names(releases_between("v2.0.0", "v2.0.0")), Some(vec![]));
        assert_eq!(names(releases_between("v3.0.0", "v1.0.0")), None);
        assert_eq!(names(releases_between("v0.9.0", "v1.0.0")), None);
    }

    #[test]
    fn every_release_is_found_by_its_versions() {
        for r in releases() {
            let versions = r.manager().map(|m| m.version_map()).ok();
            let found = versions.as_ref().and_then(release_with_versions);
            assert_eq!(found.map(|f| f.name), Some(r.name));
        }
    }
}
