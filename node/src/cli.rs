//! Command-line interface, after the Cosmos `simd` conventions.

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
#[derive(Debug, Args)]
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
    /// Run every migration's pre- and post-check when applying an upgrade,
    /// refusing to commit the upgrade if one fails.
    #[arg(long)]
    pub checked_upgrades: bool,
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

/// The keyring backend: only `test`, which keeps keys unencrypted under the
/// home (as the Cosmos SDK's `test` backend; for testnets and development).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum KeyringBackend {
    /// Unencrypted files in `<home>/keyring-test/`.
    #[default]
    Test,
}

/// Where the keyring is and how to print keys.
#[derive(Debug, Clone, Args)]
pub struct KeyringArgs {
    /// The node home.
    #[command(flatten)]
    pub home: HomeArg,
    /// The keyring backend.
    #[arg(long, value_enum, default_value_t)]
    pub keyring_backend: KeyringBackend,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// `keys ...`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key (random, or from `--private-key HEX`).
    Add {
        /// The key's name.
        name: String,
        /// Import this secp256k1 private key (hex) instead of a random one.
        #[arg(long)]
        private_key: Option<String>,
        /// Home, backend and output.
        #[command(flatten)]
        keyring: KeyringArgs,
    },
    /// Show a key's address and public key.
    Show {
        /// The key's name.
        name: String,
        /// Print only the address.
        #[arg(short, long)]
        address: bool,
        /// Home, backend and output.
        #[command(flatten)]
        keyring: KeyringArgs,
    },
    /// List every key.
    List {
        /// Home, backend and output.
        #[command(flatten)]
        keyring: KeyringArgs,
    },
}

/// What every `tx` command takes.
#[derive(Debug, Clone, Args)]
pub struct TxArgs {
    /// The node home (its keyring, state and mempool).
    #[command(flatten)]
    pub home: HomeArg,
    /// The chain id signed for (default: the node's).
    #[arg(long)]
    pub chain_id: Option<String>,
    /// The signer's sequence (default: from the node's state and mempool).
    #[arg(long)]
    pub sequence: Option<u64>,
    /// The signer's account number (default: from the node's state).
    #[arg(long)]
    pub account_number: Option<u64>,
    /// Print the signed transaction (base64 TxRaw) instead of submitting it.
    #[arg(long)]
    pub generate_only: bool,
    /// The keyring backend.
    #[arg(long, value_enum, default_value_t)]
    pub keyring_backend: KeyringBackend,
}

/// `tx ...`.
#[derive(Debug, Subcommand)]
pub enum TxCommand {
    /// Bank transactions.
    #[command(subcommand)]
    Bank(TxBankCommand),
    /// Upgrade transactions (the authority's).
    #[command(subcommand)]
    Upgrade(TxUpgradeCommand),
}

/// `tx bank ...`.
#[derive(Debug, Subcommand)]
pub enum TxBankCommand {
    /// Send coins: `tx bank send FROM_KEY TO_KEY_OR_ADDRESS 100stake`.
    Send {
        /// The signing key.
        from: String,
        /// The recipient: a key name or an address.
        to: String,
        /// Coins, e.g. `100stake,5uatom`.
        amount: String,
        /// Signing and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
}

/// `tx upgrade ...`.
#[derive(Debug, Subcommand)]
pub enum TxUpgradeCommand {
    /// Schedule an upgrade (MsgSoftwareUpgrade).
    SoftwareUpgrade {
        /// The release name, e.g. v2.0.0.
        name: String,
        /// The height it is applied at.
        #[arg(long)]
        upgrade_height: u64,
        /// Free text for operators.
        #[arg(long, default_value = "")]
        upgrade_info: String,
        /// The authority's key.
        #[arg(long)]
        from: String,
        /// Signing and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Cancel the pending upgrade (MsgCancelUpgrade).
    CancelSoftwareUpgrade {
        /// The authority's key.
        #[arg(long)]
        from: String,
        /// Signing and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Hand the upgrade authority to another account (MsgUpdateAuthority).
    UpdateAuthority {
        /// The new authority: a key name or an address.
        new_authority: String,
        /// The current authority's key.
        #[arg(long)]
        from: String,
        /// Signing and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
}

/// `testnet ...`.
#[derive(Debug, Subcommand)]
pub enum TestnetCommand {
    /// Copy a node's state (no export, no JSON) into a new home and change,
    /// in one block, its chain id and upgrade authority and fund accounts:
    /// a copy of real state on which to rehearse the next upgrade. The
    /// source home is never written.
    InPlace {
        /// The node home to copy (it must not be running).
        #[arg(long)]
        from_home: PathBuf,
        /// The new testnet home (its keyring may hold keys already).
        #[command(flatten)]
        home: HomeArg,
        /// The testnet's chain id.
        #[arg(long)]
        chain_id: String,
        /// The testnet's upgrade authority: a key of the new home or an address.
        #[arg(long, value_name = "KEY_OR_ADDR")]
        authority: String,
        /// Fund an account: `KEY_OR_ADDR=COINS` (repeatable).
        #[arg(long, value_name = "KEY_OR_ADDR=COINS")]
        fund: Vec<String>,
    },
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
