//! A harness for upgrade tests: "state at release N, apply the upgrade to
//! release N+1, snapshot what comes out" in a few lines (cargo feature
//! `testing`).
//!
//! The application hands [`UpgradeTest`] a function that builds its binary
//! as a given release ([`Binary`]: the module manager and the upgrade
//! handlers that release holds); the runtime knows no release of its own.
//! [`UpgradeTest::run`] then does what a chain does, in memory:
//!
//! 1. InitChain as the start release from the genesis given;
//! 2. a block with a `MsgSoftwareUpgrade` for the next height, then the
//!    halt at that height (`UPGRADE "<name>" NEEDED`);
//! 3. the binary swapped for the target release, which applies the
//!    upgrade in place in its first block;
//! 4. the state exported before and after, returned as an
//!    [`UpgradeOutcome`] ready for `insta::assert_json_snapshot!`.
//!
//! With [`UpgradeTest::cross_check`] it also takes the other path,
//! `genesis migrate` of the export at the halt, and fails unless both
//! paths give the same state: the same `app_state` (ledger included) and,
//! imported on a fresh node, the same app hash as the upgraded node.
//!
//! # Examples
//!
//! ```
//! use serde_json::{Value, json};
//! use upgrade_runtime::testing::{Binary, BuildError, UpgradeTest};
//! use upgrade_runtime::upgrade::{StoreUpgrades, Upgrade, UpgradeRegistry};
//! use upgrade_runtime::{
//!     ConfigError, Configurator, Context, Module, ModuleError, ModuleManager, ValidationError,
//! };
//!
//! /// A counter kept as decimal text at version 1 and as 8 big-endian bytes
//! /// at version 2; its genesis JSON is `{"count": "N"}` at both.
//! struct Counter(u64);
//!
//! # fn count_of(genesis: &Value) -> Result<u64, ValidationError> {
//! #     genesis["count"].as_str().and_then(|s| s.parse().ok())
//! #         .ok_or_else(|| ValidationError::new("count", "expected a decimal string"))
//! # }
//! # fn read(ctx: &Context<'_>) -> Result<u64, ModuleError> {
//! #     let bytes = ctx.own().get(b"count")?.unwrap_or_default();
//! #     Ok(match <[u8; 8]>::try_from(bytes.as_slice()) {
//! #         Ok(be) => u64::from_be_bytes(be),
//! #         Err(_) => String::from_utf8_lossy(&bytes).parse().unwrap_or(0),
//! #     })
//! # }
//! impl Module for Counter {
//!     fn name(&self) -> &'static str { "counter" }
//!     fn consensus_version(&self) -> u64 { self.0 }
//!     fn default_genesis(&self) -> Value { json!({"count": "0"}) }
//!     fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
//!         count_of(genesis).map(|_| ())
//!     }
//!     fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
//!         let n = count_of(genesis)?;
//!         let bytes = match self.0 { 1 => n.to_string().into_bytes(), _ => n.to_be_bytes().to_vec() };
//!         ctx.store().set(b"count".to_vec(), bytes);
//!         Ok(())
//!     }
//!     fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
//!         Ok(json!({"count": read(ctx)?.to_string()}))
//!     }
//!     fn register_migrations(&self, cfg: &mut Configurator) -> Result<(), ConfigError> {
//!         if self.0 >= 2 {
//!             cfg.register_migration("counter", 1, "text to big-endian", |ctx| {
//!                 let n = read(ctx)?;
//!                 ctx.store().set(b"count".to_vec(), n.to_be_bytes().to_vec());
//!                 Ok(())
//!             })?;
//!             // Same JSON at both versions: the step passes it through.
//!             cfg.register_genesis_migration("counter", 1, "unchanged", Ok)?;
//!         }
//!         Ok(())
//!     }
//! }
//!
//! /// The application as one release: its modules and upgrade handlers.
//! fn build(release: &str) -> Result<Binary, BuildError> {
//!     let version = if release == "v1.0.0" { 1 } else { 2 };
//!     let manager = ModuleManager::new(vec![Box::new(Counter(version))])?;
//!     let mut upgrades = UpgradeRegistry::new();
//!     if version == 2 {
//!         upgrades.register(Upgrade {
//!             name: "v2.0.0".into(),
//!             store_upgrades: StoreUpgrades::default(),
//!             handler: |ctx, _plan, from| ctx.run_migrations(from),
//!         })?;
//!     }
//!     Ok(Binary { manager, upgrades })
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let outcome = UpgradeTest::new(build)
//!     .app_state(json!({"counter": {"count": "41"}}))
//!     .start_as("v1.0.0")
//!     .upgrade_to("v2.0.0")
//!     .cross_check()
//!     .run()?;
//! assert_eq!(outcome.section("counter"), Some(&json!({"count": "41"})));
//! // In a test: insta::assert_json_snapshot!("counter_after_v2", outcome.section("counter"));
//! # Ok(())
//! # }
//! ```

mod compare;
mod error;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::app::{App, AppConfig, AppError};
use crate::commitment::AppHash;
use crate::genesis::{AppGenesis, ReleaseStep, UPGRADE_SECTION, migrate};
use crate::manager::ModuleManager;
use crate::store::{Layout, Storage};
use crate::tx::Tx;
use crate::upgrade::{AppliedUpgrade, Plan, software_upgrade_msg};
use crate::version_map::VersionMap;

pub use crate::release::Binary;
pub use compare::first_difference;
pub use error::HarnessError;

/// What a build function may fail with.
pub type BuildError = Box<dyn std::error::Error + Send + Sync>;

/// The authority the harness's chains accept upgrade plans from.
pub const AUTHORITY: &str = "upgrade-test-authority";

enum GenesisSource {
    Document(Box<AppGenesis>),
    File(PathBuf),
    AppState(Value),
}

/// An upgrade test: a genesis, a release to start as and one to upgrade
/// to. See the [module documentation](self).
pub struct UpgradeTest<B> {
    build: B,
    genesis: Option<GenesisSource>,
    start: Option<String>,
    target: Option<String>,
    layout: Layout,
    blocks_after: u64,
    cross_check: bool,
    drop_unknown_sections: bool,
}

/// What an upgrade test produced.
#[derive(Clone, Debug)]
pub struct UpgradeOutcome {
    /// The state exported at the halt, before the upgrade.
    pub before: AppGenesis,
    /// The state exported after the upgrade (and any further blocks).
    pub after: AppGenesis,
    /// What the upgrade did: versions, migrations, store upgrades.
    pub applied: AppliedUpgrade,
    /// The app hash of the last block before the upgrade.
    pub app_hash_before: AppHash,
    /// The app hash of the block that applied the upgrade (hooks included).
    pub app_hash_upgraded: AppHash,
    /// The app hash of the state right after the upgrade, before the
    /// block's BeginBlock and EndBlock hooks: what the cross-check compares.
    pub app_hash_after_upgrade: AppHash,
    /// The state right after the upgrade, before the block's hooks.
    pub after_upgrade: AppGenesis,
    /// With [`UpgradeTest::cross_check`]: `genesis migrate` of
    /// [`UpgradeOutcome::before`] to the target release.
    pub migrated: Option<AppGenesis>,
}

impl UpgradeOutcome {
    /// The `app_state` exported after the upgrade.
    pub fn app_state(&self) -> &Map<String, Value> {
        &self.after.app_state
    }

    /// One section of the `app_state` exported after the upgrade.
    pub fn section(&self, name: &str) -> Option<&Value> {
        self.after.app_state.get(name)
    }
}

impl<B> UpgradeTest<B>
where
    B: Fn(&str) -> Result<Binary, BuildError>,
{
    /// A test of the application `build` builds, as the release named.
    pub fn new(build: B) -> Self {
        UpgradeTest {
            build,
            genesis: None,
            start: None,
            target: None,
            layout: Layout::V1,
            blocks_after: 0,
            cross_check: false,
            drop_unknown_sections: false,
        }
    }

    /// Starts from this genesis document.
    pub fn genesis(mut self, genesis: AppGenesis) -> Self {
        self.genesis = Some(GenesisSource::Document(Box::new(genesis)));
        self
    }

    /// Starts from the genesis file at `path` (e.g. a real chain's export).
    pub fn genesis_file(mut self, path: impl AsRef<Path>) -> Self {
        self.genesis = Some(GenesisSource::File(path.as_ref().to_owned()));
        self
    }

    /// Starts from a generated `app_state` (a JSON object of sections): the
    /// start release's modules take their section from it, or their
    /// default genesis; sections of other modules are ignored, so one
    /// generator can serve every release.
    pub fn app_state(mut self, app_state: Value) -> Self {
        self.genesis = Some(GenesisSource::AppState(app_state));
        self
    }

    /// The release the chain starts as.
    pub fn start_as(mut self, release: &str) -> Self {
        self.start = Some(release.to_owned());
        self
    }

    /// The release whose upgrade is applied (scheduled as a plan of that
    /// name).
    pub fn upgrade_to(mut self, release: &str) -> Self {
        self.target = Some(release.to_owned());
        self
    }

    /// The physical store layout of the chain (default: layout v1, as
    /// a node's `init` creates).
    pub fn layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// Empty blocks to run after the upgrade block before exporting.
    pub fn blocks_after(mut self, blocks: u64) -> Self {
        self.blocks_after = blocks;
        self
    }

    /// Drops the sections of a given genesis (a real chain's file) that no
    /// module of the start release has (`staking`, `gov`, ...), naming each
    /// on stderr, instead of failing on them: `--drop-unknown-sections`.
    pub fn drop_unknown_sections(mut self) -> Self {
        self.drop_unknown_sections = true;
        self
    }

    /// Also checks the other path: `genesis migrate` of the export at the
    /// halt must give the in-place upgrade's `app_state`, and a fresh node
    /// initialised from it the upgraded node's app hash.
    pub fn cross_check(mut self) -> Self {
        self.cross_check = true;
        self
    }

    fn binary(&self, release: &str) -> Result<Binary, HarnessError> {
        (self.build)(release).map_err(|source| HarnessError::Build {
            release: release.to_owned(),
            source,
        })
    }

    fn app(&self, storage: Storage, release: &str) -> Result<App, HarnessError> {
        let Binary { manager, upgrades } = self.binary(release)?;
        let config = AppConfig {
            authority: AUTHORITY.into(),
            ..AppConfig::default()
        };
        App::new(storage, manager, upgrades, config).map_err(|source| HarnessError::App {
            step: format!("opening the chain as release {release}"),
            source: Box::new(source),
        })
    }

    fn genesis_for(&self, manager: &ModuleManager) -> Result<AppGenesis, HarnessError> {
        match &self.genesis {
            None => Err(HarnessError::Missing {
                what: "a genesis",
                call: "genesis(..), genesis_file(..) or app_state(..)",
            }),
            Some(GenesisSource::Document(doc)) => Ok(self.known_sections(manager, (**doc).clone())),
            Some(GenesisSource::File(path)) => {
                Ok(self.known_sections(manager, AppGenesis::read(path)?))
            }
            Some(GenesisSource::AppState(value)) => {
                let given = value.as_object().ok_or(HarnessError::AppStateNotAnObject)?;
                Ok(AppGenesis::new(
                    "upgrade-test-1",
                    manager.app_state_from(given),
                ))
            }
        }
    }

    /// With [`UpgradeTest::drop_unknown_sections`], `doc` without the
    /// sections no module of the start release has, each named on stderr.
    fn known_sections(&self, manager: &ModuleManager, mut doc: AppGenesis) -> AppGenesis {
        if self.drop_unknown_sections {
            doc.app_state.retain(|name, _| {
                let keep = manager.module(name).is_some() || name == UPGRADE_SECTION;
                if !keep {
                    eprintln!("upgrade test: dropped the unknown genesis section {name:?}");
                }
                keep
            });
        }
        doc
    }

    /// Runs the test. See the [module documentation](self).
    ///
    /// # Errors
    ///
    /// A [`HarnessError`] naming the step that failed; with
    /// [`UpgradeTest::cross_check`], also a disagreement of the two paths.
    pub fn run(&self) -> Result<UpgradeOutcome, HarnessError> {
        let start = self.start.clone().ok_or(HarnessError::Missing {
            what: "a release to start as",
            call: "start_as(..)",
        })?;
        let target = self.target.clone().ok_or(HarnessError::Missing {
            what: "a release to upgrade to",
            call: "upgrade_to(..)",
        })?;
        let app_err = |step: String| {
            move |source| HarnessError::App {
                step,
                source: Box::new(source),
            }
        };

        let mut chain = self.app(Storage::in_memory(self.layout)?, &start)?;
        let genesis = self.genesis_for(chain.manager())?;
        chain
            .init_chain(&genesis)
            .map_err(app_err(format!("initialising the chain as {start}")))?;
        let height = chain.last_commit().map_or(0, |c| c.height) + 1;
        let plan_height = height + 1;
        let (_, outcomes) = chain
            .execute_block(&[schedule(&target, plan_height)])
            .map_err(app_err(format!("executing block {height} as {start}")))?;
        if let Some(rejected) = outcomes.iter().find(|o| o.code != 0) {
            return Err(HarnessError::Schedule {
                release: target,
                log: rejected.log.clone(),
            });
        }
        match chain.begin_block() {
            Err(AppError::UpgradeNeeded { .. }) => {}
            other => {
                return Err(HarnessError::NoHalt {
                    start,
                    target: target.clone(),
                    height: plan_height,
                    found: match other {
                        Ok(block) if block.applied_upgrade().is_some() => format!(
                            "it applied the upgrade itself (its binary holds the {target} handler)"
                        ),
                        Ok(_) => "the block began without applying the upgrade".to_owned(),
                        Err(e) => e.to_string(),
                    },
                });
            }
        }
        let before = chain.export_genesis().map_err(app_err(format!(
            "exporting the state of {start} at the halt"
        )))?;
        let app_hash_before =
            chain
                .last_commit()
                .map(|c| c.app_hash)
                .ok_or_else(|| HarnessError::App {
                    step: "reading the last commit".into(),
                    source: Box::new(AppError::NotInitialised),
                })?;

        // Swap the binary: the same storage, opened as the target release.
        let mut chain = self.app(chain.into_storage(), &target)?;
        let upgrade_step = format!("applying {target} at height {plan_height}");
        let mut block = chain.pre_block().map_err(app_err(upgrade_step.clone()))?;
        let applied = block
            .applied_upgrade()
            .cloned()
            .ok_or_else(|| HarnessError::NotApplied {
                target: target.clone(),
                height: plan_height,
            })?;
        // Both paths must agree on the state right after the upgrade,
        // before the block's hooks write anything (Cosmos' PreBlocker).
        let exporting = format!("exporting the state right after {target}");
        let after_upgrade = chain
            .export_block_state(&block)
            .map_err(app_err(exporting.clone()))?;
        let upgraded_hash = chain.block_app_hash(&block).map_err(app_err(exporting))?;
        chain
            .run_begin_blockers(&mut block)
            .map_err(app_err(upgrade_step.clone()))?;
        chain
            .end_block(&mut block)
            .map_err(app_err(upgrade_step.clone()))?;
        let upgraded = chain.commit(block).map_err(app_err(upgrade_step))?;
        let mut after = chain
            .export_genesis()
            .map_err(app_err(format!("exporting the state after {target}")))?;
        if self.blocks_after > 0 {
            for _ in 0..self.blocks_after {
                chain
                    .execute_block(&[])
                    .map_err(app_err(format!("running a block after {target}")))?;
            }
            after = chain
                .export_genesis()
                .map_err(app_err(format!("exporting the state after {target}")))?;
        }

        let migrated = if self.cross_check {
            Some(self.check_paths(&before, &after_upgrade, &target, upgraded_hash)?)
        } else {
            None
        };
        Ok(UpgradeOutcome {
            before,
            after,
            applied,
            app_hash_before,
            app_hash_upgraded: upgraded.app_hash,
            app_hash_after_upgrade: upgraded_hash,
            after_upgrade,
            migrated,
        })
    }

    /// `genesis migrate` of `before` must equal `in_place`, and both
    /// imported on fresh nodes must give the upgraded node's app hash.
    fn check_paths(
        &self,
        before: &AppGenesis,
        in_place: &AppGenesis,
        target: &str,
        upgraded_hash: AppHash,
    ) -> Result<AppGenesis, HarnessError> {
        let from = recorded_versions(before);
        let binary = self.binary(target)?;
        let store_upgrades = binary
            .upgrades
            .get(target)
            .map(|u| u.store_upgrades.clone())
            .unwrap_or_default();
        let versions = binary.manager.version_map();
        let steps = [ReleaseStep {
            name: target,
            store_upgrades: &store_upgrades,
            versions: &versions,
        }];
        let (completed, _) = migrate(before.clone(), &from, &binary.manager, &steps)
            .map_err(|e| HarnessError::Migrate(Box::new(e)))?;
        let migrated = completed.clone();
        let in_place_state = Value::Object(in_place.app_state.clone());
        let migrated_state = Value::Object(completed.app_state.clone());
        if let Some(difference) = first_difference("app_state", &in_place_state, &migrated_state) {
            return Err(HarnessError::CrossCheck { difference });
        }

        let import = |doc: &AppGenesis, what: &str| -> Result<AppHash, HarnessError> {
            let mut fresh = self.app(Storage::in_memory(self.layout)?, target)?;
            fresh
                .init_chain(doc)
                .map(|info| info.app_hash)
                .map_err(|source| HarnessError::App {
                    step: format!("importing {what} as {target} on a fresh node"),
                    source: Box::new(source),
                })
        };
        let in_place_imported = import(in_place, "the in-place export")?;
        let migrated_imported = import(&completed, "the migrated export")?;
        if in_place_imported != upgraded_hash || migrated_imported != upgraded_hash {
            return Err(HarnessError::HashMismatch {
                in_place: upgraded_hash.to_hex(),
                in_place_imported: in_place_imported.to_hex(),
                migrated_imported: migrated_imported.to_hex(),
            });
        }
        Ok(migrated)
    }
}

/// The versions an export records (empty when it records none).
fn recorded_versions(doc: &AppGenesis) -> VersionMap {
    doc.app_state
        .get(UPGRADE_SECTION)
        .and_then(|v| crate::genesis::UpgradeSection::from_json(v.clone()).ok())
        .and_then(|s| s.version_map())
        .unwrap_or_default()
}

/// The transaction that schedules `release` at `height`.
fn schedule(release: &str, height: u64) -> Tx {
    let plan = Plan {
        name: release.into(),
        height,
        info: "upgrade test".into(),
    };
    Tx {
        signer: AUTHORITY.into(),
        msgs: vec![software_upgrade_msg(AUTHORITY, &plan)],
    }
}

/// Insta settings for upgrade snapshots: every snapshot under `dir` (one
/// folder per test file is a good habit), named exactly as given, with
/// JSON maps sorted.
pub fn insta_settings(dir: impl AsRef<Path>) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir.as_ref());
    settings.set_prepend_module_to_snapshot(false);
    settings.set_sort_maps(true);
    settings
}
