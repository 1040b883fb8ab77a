//! Command-line interface, after the Cosmos `simd` conventions: the
//! top-level commands and the node's own arguments here; keys,
//! transactions and testnets in `keys_tx.rs`; upgrades, genesis files,
//! the migration and benchmarks in `operate.rs`.

mod keys_tx;
mod operate;

pub use keys_tx::*;
pub use operate::*;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The operator CLI of a chain built on upgrade-runtime (`simd`-like). The
/// binary's name and about text are set at run time from its [`Chain`](crate::Chain).
#[derive(Debug, Parser)]
#[command(version)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Where the node keeps its files.
#[derive(Debug, Clone, Args)]
pub struct HomeArg {
    /// Node home: config/genesis.json and data/state.redb live under it
    /// (default: `$<BINARY>_HOME`, else `~/.<binary>`).
    #[arg(long)]
    pub home: Option<String>,
}

/// Text for people, JSON for scripts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable text.
    #[default]
    Text,
    /// One JSON document.
    Json,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a node home and initialise the chain from a genesis.
    Init(InitArgs),
    /// Run blocks.
    Start(StartArgs),
    /// Show the node's height, app hash, versions and pending plan.
    Status(StatusArgs),
    /// Recompute the app hash from every stored (store, key, value) triple
    /// and compare it with the committed one: finds a state file changed on
    /// disk (exit 1) before a node builds on it.
    Verify(StatusArgs),
    /// Query module state: `query MODULE METHOD ARGS...` (e.g. `query bank balance ADDR`).
    Query(QueryArgs),
    /// Schedule, cancel and inspect upgrades.
    #[command(subcommand)]
    Upgrade(UpgradeCommand),
    /// Manage the keyring (`--keyring-backend test`: unencrypted, under the home).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Build, sign and submit transactions.
    #[command(subcommand)]
    Tx(TxCommand),
    /// Testnets from real state.
    #[command(subcommand)]
    Testnet(TestnetCommand),
    /// Called by cosmovisor with the new binary before it starts it: checks
    /// that this binary can apply the upgrade in data/upgrade-info.json to
    /// the node's state (ADR-047 exit codes: 0 ok, 30 failed, do not retry,
    /// 31 failed, retry).
    PreUpgrade(PreUpgradeArgs),
    /// Export the latest committed state as a genesis document.
    Export(ExportArgs),
    /// Work with genesis files.
    #[command(subcommand)]
    Genesis(GenesisCommand),
    /// Run the whole life of a chain through every release, on the embedded store.
    Demo(DemoArgs),
    /// Inspect the lazy store migration.
    #[command(subcommand)]
    Migration(MigrationCommand),
    /// Benchmarks measured side by side in one run.
    #[command(subcommand)]
    Bench(BenchCommand),
}

/// `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The node home.
    #[command(flatten)]
    pub home: HomeArg,
    /// A genesis file to start from; without one a deterministic genesis is generated.
    #[arg(long)]
    pub genesis: Option<PathBuf>,
    /// Chain id of a generated genesis (a given file keeps its own).
    #[arg(long, default_value = "upgrade-demo-1")]
    pub chain_id: String,
    /// Number of accounts in a generated genesis.
    #[arg(long, default_value_t = 1000)]
    pub accounts: u64,
    /// Seed of a generated genesis.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The release the binary acts as (default: the newest).
    #[arg(long)]
    pub release: Option<String>,
    /// The upgrade authority: a key of the keyring or an address (default:
    /// the file's, else the chain's configured one, the gov module address).
    #[arg(long, value_name = "KEY_OR_ADDR")]
    pub authority: Option<String>,
    /// Fund an account at genesis: `KEY_OR_ADDR=COINS` (repeatable), like
    /// `genesis add-genesis-account`.
    #[arg(long, value_name = "KEY_OR_ADDR=COINS")]
    pub fund: Vec<String>,
    /// Drop the sections of modules this binary does not have (listed on
    /// stderr) instead of refusing the file.
    #[arg(long)]
    pub drop_unknown_sections: bool,
    /// The chain's bech32 account address prefix (`regen`, `evmos`...),
    /// stored with the chain. Default: the genesis file's addresses' (they
    /// must all agree), else `cosmos`.
    #[arg(long)]
    pub address_prefix: Option<String>,
}

/// `start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// The node home.
    #[command(flatten)]
    pub home: HomeArg,
    /// Act as this release: register only its own and earlier upgrade handlers.
    #[arg(long)]
    pub release: Option<String>,
    /// Stop after this many blocks.
    #[arg(long)]
    pub blocks: Option<u64>,
    /// Stop after committing this height.
    #[arg(long)]
    pub halt_height: Option<u64>,
    /// Synthetic bank sends per block.
    #[arg(long, default_value_t = 100)]
    pub txs_per_block: u64,
    /// Seed of the synthetic transactions (block h uses seed and h).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Heights whose scheduled upgrade this node skips.
    #[arg(long, value_delimiter = ',')]
    pub unsafe_skip_upgrades: Vec<u64>,
    /// Keys moved from store layout v1 to v2 per block while a lazy migration
    /// runs (0 pauses it). Node-local: the app hash does not depend on it.
    #[arg(long, default_value_t = upgrade_runtime::app::DEFAULT_MIGRATION_BATCH)]
    pub migration_batch: u64,
    /// Move each lazy-migration batch inside the block's commit, as one
    /// transaction with it, instead of between blocks in a transaction of
    /// its own (the default, which keeps it off the commit's path).
    #[arg(long)]
    pub migration_batch_in_commit: bool,
    /// Run every migration's pre- and post-check when applying an upgrade,
    /// refusing to commit the upgrade if one fails.
    #[arg(long)]
    pub checked_upgrades: bool,
    /// Start without first recomputing the app hash from every stored
    /// triple (`verify`), which takes seconds per million keys.
    #[arg(long)]
    pub skip_verify: bool,
    /// MiB of a large block's pending writes (an upgrade's) kept in memory
    /// before they are written into the block's transaction: the upgrade's
    /// memory is bounded by this, not by the state.
    #[arg(long, default_value_t = 32)]
    pub write_buffer_mib: usize,
    /// Output of the final summary.
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
    /// Serve CometBFT over ABCI at this address (`tcp://127.0.0.1:26658` or
    /// `unix://PATH`, CometBFT's `proxy_app`) instead of running the
    /// standalone block loop. The home needs no state: CometBFT's InitChain
    /// (or a state-sync snapshot) creates it.
    #[arg(long, value_name = "ADDRESS")]
    pub abci: Option<String>,
    /// Under ABCI: take a state-sync snapshot every this many blocks (0: none).
    #[arg(long, default_value_t = 0)]
    pub snapshot_interval: u64,
    /// Under ABCI: snapshots kept.
    #[arg(long, default_value_t = 2)]
    pub snapshot_keep_recent: u32,
    /// Under ABCI: bytes per snapshot chunk (CometBFT wants under 16 MB).
    #[arg(long, default_value_t = 4 << 20)]
    pub snapshot_chunk_bytes: usize,
    /// Under ABCI: the largest request frame read; a longer one is refused
    /// and its connection closed.
    #[arg(long, default_value_t = crate::abci::DEFAULT_MAX_FRAME)]
    pub abci_max_frame: usize,
}

/// `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The node home.
    #[command(flatten)]
    pub home: HomeArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// `query MODULE METHOD ARGS...`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The node home.
    #[command(flatten)]
    pub home: HomeArg,
    /// The module, e.g. `bank`.
    pub module: String,
    /// The query, e.g. `balance`.
    pub method: String,
    /// Its arguments, e.g. an address and a denom.
    pub args: Vec<String>,
}

/// `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The node home.
    #[command(flatten)]
    pub home: HomeArg,
    /// Write to this file instead of stdout (written to a temporary file
    /// beside it and renamed on success, so a failed export leaves nothing).
    #[arg(long)]
    pub output_document: Option<PathBuf>,
    /// Export for a new chain starting at height 1 (initial_height 1),
    /// keeping the state.
    #[arg(long)]
    pub for_zero_height: bool,
    /// Export only these modules' sections (comma-separated), plus the
    /// runtime's `upgrade` section.
    #[arg(long, value_delimiter = ',')]
    pub modules_to_export: Vec<String>,
}

/// `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Node home to use (default: a temporary directory, removed afterwards).
    #[arg(long)]
    pub home: Option<PathBuf>,
    /// Accounts in the generated genesis.
    #[arg(long, default_value_t = 20_000)]
    pub accounts: u64,
    /// Synthetic sends per block.
    #[arg(long, default_value_t = 200)]
    pub txs_per_block: u64,
    /// Seed of genesis and transactions.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Keys moved per block by the lazy store migration.
    #[arg(long, default_value_t = upgrade_runtime::app::DEFAULT_MIGRATION_BATCH)]
    pub migration_batch: u64,
}

/// `pre-upgrade`.
#[derive(Debug, Args)]
pub struct PreUpgradeArgs {
    /// The node home.
    #[command(flatten)]
    pub home: HomeArg,
    /// Act as this release (default: the newest, what cosmovisor's new
    /// binary is).
    #[arg(long)]
    pub release: Option<String>,
}
