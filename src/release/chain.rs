//! Every release a binary knows, oldest first.

use crate::manager::ManagerError;
use crate::upgrade::{
    CheckError, ReleaseSpec, StoreUpgrades, UpgradeError, UpgradeRegistry, check_releases,
};
use crate::version_map::VersionMap;

use super::{Binary, Release};

/// The releases of an application, oldest first: the genesis release, then
/// each release reached from the one before it.
#[derive(Clone, Debug)]
pub struct ReleaseChain {
    releases: Vec<Release>,
}

impl ReleaseChain {
    /// The chain of `releases`, oldest first. [`ReleaseChain::check`] says
    /// whether each can be reached from the one before it.
    pub fn new(releases: Vec<Release>) -> Self {
        ReleaseChain { releases }
    }

    /// Every release, oldest first.
    pub fn all(&self) -> &[Release] {
        &self.releases
    }

    /// Names of every release, oldest first.
    pub fn names(&self) -> Vec<&'static str> {
        self.releases.iter().map(|r| r.name).collect()
    }

    /// The newest release (`None` for an empty chain).
    pub fn newest(&self) -> Option<&Release> {
        self.releases.last()
    }

    /// The release called `name`.
    pub fn get(&self, name: &str) -> Option<&Release> {
        self.releases.iter().find(|r| r.name == name)
    }

    /// The release just before `name` (`None` for the genesis release or an
    /// unknown name).
    pub fn previous(&self, name: &str) -> Option<&Release> {
        let index = self.releases.iter().position(|r| r.name == name)?;
        index.checked_sub(1).map(|i| &self.releases[i])
    }

    /// The releases a chain at release `from` goes through to reach `to`:
    /// every release after `from` up to and including `to`, oldest first
    /// (empty when `from` is `to`). `None` when either is unknown or `to` is
    /// older than `from`.
    pub fn between(&self, from: &str, to: &str) -> Option<&[Release]> {
        let start = self.releases.iter().position(|r| r.name == from)?;
        let end = self.releases.iter().position(|r| r.name == to)?;
        (end >= start).then(|| &self.releases[start + 1..=end])
    }

    /// The newest release whose modules are at exactly `versions`: the
    /// release that wrote a state or genesis file recording them.
    pub fn with_versions(&self, versions: &VersionMap) -> Option<&Release> {
        self.releases.iter().rev().find(|r| {
            r.manager()
                .map(|m| &m.version_map() == versions)
                .unwrap_or(false)
        })
    }

    /// The upgrade handlers a binary acting as `name` holds: its own and
    /// every earlier release's (all of them for an unknown name).
    ///
    /// # Errors
    ///
    /// Two releases with the same name (a wiring bug).
    pub fn registry_up_to(&self, name: &str) -> Result<UpgradeRegistry, UpgradeError> {
        let mut registry = UpgradeRegistry::new();
        for release in &self.releases {
            if let Some(upgrade) = release.upgrade {
                registry.register(upgrade())?;
            }
            if release.name == name {
                break;
            }
        }
        Ok(registry)
    }

    /// The application as release `name`: its modules and the handlers up
    /// to it. `None` for an unknown release.
    ///
    /// # Errors
    ///
    /// Invalid module wiring or duplicate handlers.
    pub fn binary(&self, name: &str) -> Option<Result<Binary, ReleaseError>> {
        let release = self.get(name)?;
        Some((|| {
            Ok(Binary {
                manager: release.manager()?,
                upgrades: self.registry_up_to(name)?,
            })
        })())
    }

    /// Checks that each release can be reached from the one before it:
    /// every version step has a store and a genesis JSON migration, every
    /// store upgrade matches the modules the release adds, renames and
    /// removes. Returns every problem found, in release order.
    pub fn check(&self) -> Vec<CheckError> {
        let mut managers = Vec::new();
        for release in &self.releases {
            match release.manager() {
                Ok(m) => managers.push(m),
                Err(e) => {
                    return vec![CheckError::Registration {
                        release: release.name.to_owned(),
                        reason: e.to_string(),
                    }];
                }
            }
        }
        let upgrades: Vec<Option<StoreUpgrades>> = self
            .releases
            .iter()
            .map(|r| r.upgrade.map(|u| u().store_upgrades))
            .collect();
        let specs: Vec<ReleaseSpec<'_>> = self
            .releases
            .iter()
            .zip(&managers)
            .zip(&upgrades)
            .map(|((r, manager), su)| ReleaseSpec {
                name: r.name,
                manager,
                store_upgrades: su.as_ref(),
            })
            .collect();
        check_releases(&specs)
    }
}

/// Why a release could not be built into a [`Binary`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReleaseError {
    /// The modules do not wire.
    #[error(transparent)]
    Manager(#[from] ManagerError),
    /// The upgrade handlers do not register.
    #[error(transparent)]
    Upgrade(#[from] UpgradeError),
}
