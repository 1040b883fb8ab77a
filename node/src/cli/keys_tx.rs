//! Arguments of `keys`, `tx` and `testnet`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::{HomeArg, OutputFormat};

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
