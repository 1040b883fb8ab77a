//! Arguments of `upgrade`, `genesis`, `migration` and `bench`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{HomeArg, OutputFormat};

/// `upgrade ...`.
#[derive(Debug, Subcommand)]
pub enum UpgradeCommand {
    /// Sign and submit the authority's transaction scheduling an upgrade
    /// (`tx upgrade software-upgrade` with the key `--from`, default `authority`).
    Schedule {
        /// The node home.
        #[command(flatten)]
        home: HomeArg,
        /// Release name, e.g. v2.0.0.
        #[arg(long)]
        name: String,
        /// Height at which the upgrade is applied.
        #[arg(long)]
        height: u64,
        /// Free text for operators.
        #[arg(long, default_value = "")]
        info: String,
        /// The signing key.
        #[arg(long, default_value = "authority")]
        from: String,
    },
    /// Sign and submit the authority's transaction cancelling the pending upgrade.
    Cancel {
        /// The node home.
        #[command(flatten)]
        home: HomeArg,
        /// The signing key.
        #[arg(long, default_value = "authority")]
        from: String,
    },
    /// Show what an upgrade will do to this node's state, by running it in a
    /// delta that is thrown away. Writes nothing.
    Plan {
        /// The node home.
        #[command(flatten)]
        home: HomeArg,
        /// The release to plan, e.g. v2.0.0.
        name: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        output: OutputFormat,
    },
    /// Check statically that every release this binary knows can be reached
    /// from the one before it (migrations and store upgrades).
    Check,
    /// Show the pending plan, the done history and the version map.
    Show {
        /// The node home.
        #[command(flatten)]
        home: HomeArg,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        output: OutputFormat,
    },
}

/// `genesis ...`.
#[derive(Debug, Subcommand)]
pub enum GenesisCommand {
    /// Check a genesis file against every module's rules.
    Validate {
        /// The file.
        file: PathBuf,
        /// Validate for this release (default: the release whose module
        /// versions the file records, else the newest).
        #[arg(long)]
        release: Option<String>,
        /// Drop the sections of modules this binary does not have (listed
        /// on stderr) instead of refusing the file.
        #[arg(long)]
        drop_unknown_sections: bool,
    },
    /// Migrate a genesis file to release TARGET by chaining every module's
    /// genesis JSON migrations from the versions the file records.
    Migrate {
        /// The release to migrate to, e.g. v3.0.0.
        target: String,
        /// The genesis file.
        file: PathBuf,
        /// Write to this file instead of stdout.
        #[arg(long)]
        output_document: Option<PathBuf>,
        /// The release that wrote the file, for a file that records no
        /// module versions (a Cosmos export, or one written by hand).
        #[arg(long)]
        from: Option<String>,
        /// Drop the sections of modules this binary does not have (listed
        /// on stderr) instead of refusing the file.
        #[arg(long)]
        drop_unknown_sections: bool,
    },
}

/// `migration ...`.
#[derive(Debug, Subcommand)]
pub enum MigrationCommand {
    /// Boundary, keys moved and left, rate and ETA.
    Status {
        /// The node home.
        #[command(flatten)]
        home: HomeArg,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        output: OutputFormat,
    },
}

/// `bench ...`.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Lazy v1 -> v2 layout migration vs bulk copy, commit cost, routed reads.
    Migration(BenchMigrationArgs),
    /// Genesis export and import vs raw serde_json, export memory, and the
    /// in-place upgrade vs export -> genesis migrate -> import.
    Genesis(BenchGenesisArgs),
    /// FinalizeBlock + Commit over the ABCI socket vs the same blocks
    /// through the standalone loop's executor.
    Abci(BenchAbciArgs),
    /// The upgrade block at N and 2N accounts vs a raw redb rewrite of the
    /// same rows, its lattice share and peak memory, and vs export ->
    /// genesis migrate -> import.
    Upgrade(BenchUpgradeArgs),
}

/// `bench upgrade`.
#[derive(Debug, Args)]
pub struct BenchUpgradeArgs {
    /// User accounts of the smaller state (the larger has twice as many).
    #[arg(long, default_value_t = 1_000_000)]
    pub accounts: u64,
    /// Seed of the generated genesis.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Directory for the node homes and files (default: a temporary
    /// directory, removed afterwards).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// `bench abci`.
#[derive(Debug, Args)]
pub struct BenchAbciArgs {
    /// Accounts in the generated genesis.
    #[arg(long, default_value_t = 10_000)]
    pub accounts: u64,
    /// Blocks measured.
    #[arg(long, default_value_t = 100)]
    pub blocks: u64,
    /// Synthetic sends per block.
    #[arg(long, default_value_t = 500)]
    pub txs_per_block: u64,
    /// Seed of genesis and transactions.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Directory for the two node homes (default: a temporary directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// `bench genesis`.
#[derive(Clone, Debug, Args)]
pub struct BenchGenesisArgs {
    /// User accounts in the generated genesis.
    #[arg(long, default_value_t = 1_000_000)]
    pub accounts: u64,
    /// Seed of the generated genesis.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Directory for the node homes and files (default: a temporary
    /// directory, removed afterwards).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
    /// Internal: run one phase of the benchmark in this process.
    #[arg(long, hide = true)]
    pub phase: Option<String>,
    /// Internal: the phase's input file.
    #[arg(long, hide = true)]
    pub input: Option<PathBuf>,
    /// Internal: the phase's output file.
    #[arg(long, hide = true)]
    pub output_file: Option<PathBuf>,
    /// Internal: the phase's node home.
    #[arg(long, hide = true)]
    pub home: Option<PathBuf>,
    /// Internal: the release the phase acts as.
    #[arg(long, hide = true)]
    pub release: Option<String>,
}

/// `bench migration`.
#[derive(Debug, Args)]
pub struct BenchMigrationArgs {
    /// Keys in the state.
    #[arg(long, default_value_t = 1_000_000)]
    pub keys: u64,
    /// Keys moved per block.
    #[arg(long, default_value_t = 10_000)]
    pub batch: u64,
    /// Blocks measured for the commit-cost comparison.
    #[arg(long, default_value_t = 30)]
    pub blocks: u64,
    /// Writes of each measured block.
    #[arg(long, default_value_t = 1_000)]
    pub block_writes: u64,
    /// Random reads per read measurement (three rounds each).
    #[arg(long, default_value_t = 100_000)]
    pub reads: u64,
}
