//! Opening a node: the release the binary acts as, its modules and
//! upgrade handlers, over the home's state file.

use std::collections::BTreeSet;

use anyhow::{Context, bail};
use upgrade_runtime::app::{App, AppConfig};
use upgrade_runtime::store::{Layout, Storage};
use upgrade_runtime::{Release, VersionMap};

use crate::chain::Chain;
use crate::home::Home;

/// Node settings of `start`.
#[derive(Clone, Debug, Default)]
pub struct NodeSettings {
    /// Heights whose upgrade this node skips.
    pub skip_heights: Vec<u64>,
    /// Keys moved per block by the lazy store migration.
    pub migration_batch: u64,
    /// Run every migration's pre- and post-check when applying an upgrade.
    pub checked_upgrades: bool,
    /// Bytes of a large block's pending writes kept in memory before they
    /// go into the block's transaction (`None`: the runtime's default).
    pub write_buffer: Option<usize>,
    /// Move each lazy-migration batch between blocks, in its own
    /// transaction, instead of inside the block's commit.
    pub batches_between_blocks: bool,
}

impl Chain {
    /// The release called `name`, or the newest.
    ///
    /// # Errors
    ///
    /// An unknown release, naming the ones this binary knows.
    pub fn resolve_release(&self, name: Option<&str>) -> anyhow::Result<Release> {
        let found = match name {
            Some(name) => self.releases.get(name),
            None => self.releases.newest(),
        };
        match found {
            Some(r) => Ok(*r),
            None => bail!(
                "unknown release {:?}: this binary knows {}",
                name.unwrap_or_default(),
                self.releases.names().join(", ")
            ),
        }
    }

    /// The static check of every release this binary knows; an error lists
    /// every problem, naming release, module and missing step.
    ///
    /// # Errors
    ///
    /// Every problem found.
    pub fn check_releases(&self) -> anyhow::Result<()> {
        let problems = self.releases.check();
        if problems.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
        bail!(
            "this binary's releases fail the upgrade check, so it refuses to start (it would halt the chain at an upgrade height):\n{}",
            list.join("\n")
        )
    }

    /// Opens the home's state as `release`, with the node settings given.
    ///
    /// # Errors
    ///
    /// Not a node home, a corrupt state file, or a binary that cannot run it.
    pub fn open_app(
        &self,
        home: &Home,
        release: &Release,
        settings: &NodeSettings,
    ) -> anyhow::Result<App> {
        home.require_initialised(self.name)?;
        crate::panic_guard::note_state_file(&home.state_file());
        let storage = Storage::open(&home.state_file())?;
        self.wire(home, storage, release, settings)
    }

    /// Creates the home's state file (layout v1) and wires `release` over
    /// it, ready for InitChain.
    ///
    /// # Errors
    ///
    /// The file cannot be created.
    pub fn create_app(&self, home: &Home, release: &Release) -> anyhow::Result<App> {
        let settings = NodeSettings {
            migration_batch: upgrade_runtime::app::DEFAULT_MIGRATION_BATCH,
            ..NodeSettings::default()
        };
        self.create_app_with(home, release, &settings)
    }

    /// [`Chain::create_app`] with the node settings given.
    ///
    /// # Errors
    ///
    /// The file cannot be created.
    pub fn create_app_with(
        &self,
        home: &Home,
        release: &Release,
        settings: &NodeSettings,
    ) -> anyhow::Result<App> {
        self.create_app_at(home, release, settings, &home.state_file())
    }

    /// [`Chain::create_app_with`] with the state file at `path` (init builds
    /// it under a temporary name and renames it once committed).
    ///
    /// # Errors
    ///
    /// The file cannot be created.
    pub fn create_app_at(
        &self,
        home: &Home,
        release: &Release,
        settings: &NodeSettings,
        path: &std::path::Path,
    ) -> anyhow::Result<App> {
        let storage = Storage::create(path, Layout::V1)?;
        self.wire(home, storage, release, settings)
    }

    /// Opens the home's state read-only as `release`: the state file stays
    /// byte-identical and nothing can be committed.
    ///
    /// # Errors
    ///
    /// As [`Chain::open_app`].
    pub fn open_read_only(&self, home: &Home, release: &Release) -> anyhow::Result<App> {
        home.require_initialised(self.name)?;
        crate::panic_guard::note_state_file(&home.state_file());
        let storage = Storage::open_read_only(&home.state_file())?;
        self.wire(home, storage, release, &NodeSettings::default())
    }

    fn wire(
        &self,
        home: &Home,
        mut storage: Storage,
        release: &Release,
        settings: &NodeSettings,
    ) -> anyhow::Result<App> {
        if let Some(bytes) = settings.write_buffer {
            storage.set_write_buffer(bytes);
        }
        storage.move_batches_between_blocks(settings.batches_between_blocks);
        // Before anything reads or writes an address.
        upgrade_runtime::address_prefix::apply_stored(&storage)?;
        let manager = release.manager()?;
        let upgrades = self.releases.registry_up_to(release.name)?;
        let config = AppConfig {
            home: Some(home.root().to_owned()),
            skip_heights: settings
                .skip_heights
                .iter()
                .copied()
                .collect::<BTreeSet<_>>(),
            authority: self.authority(),
            migration_batch: settings.migration_batch,
            checked_upgrades: settings.checked_upgrades,
        };
        App::new(storage, manager, upgrades, config)
            .with_context(|| format!("cannot open the node as release {}", release.name))
    }

    /// Opens the home read-only, as the release whose module versions match
    /// the state (so read-only commands work whatever release wrote it).
    ///
    /// # Errors
    ///
    /// As [`Chain::open_app`], or a state no release of this binary wrote.
    pub fn open_for_reading(&self, home: &Home) -> anyhow::Result<App> {
        home.require_initialised(self.name)?;
        crate::panic_guard::note_state_file(&home.state_file());
        let storage = Storage::open_read_only(&home.state_file())?;
        let stored = VersionMap::load(&storage.snapshot()?)?;
        match self.releases.with_versions(&stored) {
            Some(release) => self.wire(home, storage, release, &NodeSettings::default()),
            None => bail!(
                "the state in {} has module versions {stored:?}, which no release of this binary ({}) has",
                home.state_file().display(),
                self.releases.names().join(", ")
            ),
        }
    }
}
