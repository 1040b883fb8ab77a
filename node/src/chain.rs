//! What a chain binary hands the node layer: its name, its releases, the
//! upgrade authority, and optional extras (a genesis generator, synthetic
//! transactions, query commands) for demos, benchmarks and operators.

use std::sync::Arc;

use anyhow::bail;
use serde_json::{Map, Value};
use upgrade_runtime::ReleaseChain;
use upgrade_runtime::app::{App, Block};

/// A chain application as the node layer runs it.
pub struct Chain {
    pub(crate) name: &'static str,
    pub(crate) releases: ReleaseChain,
    pub(crate) authority: String,
    pub(crate) extensions: Arc<dyn Extensions>,
}

impl Chain {
    /// A chain whose binary is called `name` (it names the default home
    /// `~/.<name>`, the `<NAME>_HOME` variable and the commands suggested in
    /// errors), with `releases` and the upgrade `authority` (the address
    /// allowed to schedule and cancel upgrades).
    pub fn new(name: &'static str, releases: ReleaseChain, authority: impl Into<String>) -> Self {
        Chain {
            name,
            releases,
            authority: authority.into(),
            extensions: Arc::new(NoExtensions),
        }
    }

    /// Adds the chain's [`Extensions`].
    #[must_use]
    pub fn with_extensions(mut self, extensions: impl Extensions + 'static) -> Self {
        self.extensions = Arc::new(extensions);
        self
    }

    /// The binary's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The releases.
    pub fn releases(&self) -> &ReleaseChain {
        &self.releases
    }

    /// The upgrade authority, spelt under the chain's address prefix (the
    /// configured address names the account; its prefix is the chain's).
    pub fn authority(&self) -> String {
        upgrade_runtime::address_prefix::respell(&self.authority)
    }

    /// The extensions.
    pub fn extensions(&self) -> &dyn Extensions {
        &*self.extensions
    }

    /// The extensions, shared (for the ABCI server's connection threads).
    pub fn shared_extensions(&self) -> Arc<dyn Extensions> {
        Arc::clone(&self.extensions)
    }
}

/// A generated genesis, written a section at a time.
pub trait GeneratedGenesis {
    /// Writes section `name` into `out`; `None` for a section the
    /// generator lacks (the module then takes its default genesis).
    fn write_section(
        &self,
        name: &str,
        out: &mut dyn upgrade_runtime::genesis::SectionWriter,
    ) -> Option<Result<(), upgrade_runtime::ModuleError>>;
}

/// What a chain may add to the node layer. Every method has a default, so
/// a chain implements only what it has.
pub trait Extensions: Send + Sync {
    /// A generated `app_state` with `accounts` funded accounts, drawn from
    /// `seed` (`init --accounts`, `demo`, `bench`). Sections of modules a
    /// release lacks are ignored; missing sections take the default genesis.
    fn generate_genesis(&self, accounts: u64, seed: u64) -> Option<Map<String, Value>> {
        let _ = (accounts, seed);
        None
    }

    /// The generated genesis as a stream, for `init --accounts` at any
    /// size: each section written piece by piece, its scratch files in
    /// `scratch_dir`. `None` (the default): `init` builds
    /// [`Extensions::generate_genesis`] in memory instead. Both must give
    /// the same sections.
    fn genesis_generator(
        &self,
        accounts: u64,
        seed: u64,
        scratch_dir: Option<&std::path::Path>,
    ) -> Option<anyhow::Result<Box<dyn GeneratedGenesis>>> {
        let _ = (accounts, seed, scratch_dir);
        None
    }

    /// A source of synthetic transactions over `app`'s committed state
    /// (`start --txs-per-block`), `None` when the chain has none.
    ///
    /// # Errors
    ///
    /// Reading the state failed.
    fn tx_source(&self, app: &App, seed: u64) -> anyhow::Result<Option<Box<dyn TxSource>>> {
        let _ = (app, seed);
        Ok(None)
    }

    /// Adds a genesis account for `address` holding `coins` (`1000stake,5uatom`)
    /// to `app_state`: `init --fund`.
    ///
    /// # Errors
    ///
    /// The chain cannot, or the coins do not parse.
    fn fund(
        &self,
        app_state: &mut Map<String, Value>,
        address: &str,
        coins: &str,
    ) -> anyhow::Result<()> {
        let _ = (app_state, coins);
        bail!("this chain cannot fund genesis account {address}")
    }

    /// Funds `address` with `coins` (`1000stake`) in a live block: `testnet
    /// in-place --fund`, where there is no genesis to edit.
    ///
    /// # Errors
    ///
    /// The chain cannot, or the state refuses.
    fn fund_state(
        &self,
        app: &App,
        block: &mut Block,
        address: &str,
        coins: &str,
    ) -> anyhow::Result<()> {
        let _ = (app, block, coins);
        bail!("this chain cannot fund account {address} in a live state")
    }

    /// Answers `query MODULE METHOD ARGS...` against the committed state.
    ///
    /// # Errors
    ///
    /// An unknown query, bad arguments, or a failed read.
    fn query(
        &self,
        app: &App,
        module: &str,
        method: &str,
        args: &[String],
    ) -> anyhow::Result<Value> {
        let _ = (app, args);
        bail!("this chain has no query {module} {method}")
    }

    /// Answers an ABCI `Query` at `path` (a Cosmos gRPC method name such as
    /// `/cosmos.bank.v1beta1.Query/Balance`) with the JSON request `data`,
    /// for paths the node layer does not answer itself; `None` for a path
    /// the chain does not know.
    ///
    /// # Errors
    ///
    /// Bad request data, or a failed read.
    fn abci_query(&self, app: &App, path: &str, data: &[u8]) -> Option<anyhow::Result<Value>> {
        let _ = (app, path, data);
        None
    }
}

/// Synthetic transactions, block by block, signed; deterministic in the
/// block's height so a node that restarts produces the blocks it would have.
pub trait TxSource {
    /// `count` signed transactions for `block`, drawn against its current
    /// state.
    ///
    /// # Errors
    ///
    /// Reading the state failed.
    fn block_txs(&self, app: &App, block: &Block, count: u64) -> anyhow::Result<Vec<Vec<u8>>>;
}

struct NoExtensions;

impl Extensions for NoExtensions {}
