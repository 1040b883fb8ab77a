//! # upgrade-node
//!
//! The node layer of upgrade-runtime: what every chain binary needs and no
//! module should know about. A home folder (`config/genesis.json`,
//! `data/state.redb`, `data/upgrade-info.json`), the standalone block
//! loop, and the whole operator CLI (`init`, `start`, `status`, `query`,
//! `export`, `genesis validate|migrate`, `upgrade schedule|cancel|plan|check|show`,
//! `migration status`, `demo`, `bench`), with `--output json` and progress
//! bars. It is generic over the application: a chain hands it a [`Chain`]
//! (its binary name, its [`ReleaseChain`](upgrade_runtime::ReleaseChain)
//! and its upgrade authority, plus optional [`Extensions`]) and gets the
//! whole command set:
//!
//! ```no_run
//! use upgrade_node::Chain;
//! use upgrade_runtime::{Release, ReleaseChain};
//!
//! # fn modules() -> Vec<Box<dyn upgrade_runtime::Module>> { Vec::new() }
//! fn main() -> std::process::ExitCode {
//!     let releases = ReleaseChain::new(vec![Release::genesis("v1.0.0", modules)]);
//!     upgrade_node::run(Chain::new("mychaind", releases, "cosmos1..."))
//! }
//! ```
//!
//! Errors of the runtime library are neutral; this layer adds the command
//! to run, spelled with the chain's binary name.

pub mod abci;
mod chain;
pub mod cli;
mod commands;
mod hints;
mod home;
pub mod keys;
mod mempool;
mod node;
mod panic_guard;
mod progress;
mod runner;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use tracing_subscriber::EnvFilter;

pub use chain::{Chain, Extensions, GeneratedGenesis, TxSource};
pub use home::Home;
pub use node::NodeSettings;
pub use runner::{RunOptions, RunSummary, run_blocks};

/// The error and its causes on one line, skipping a cause whose text the
/// message already includes (library errors spell out their source).
pub fn error_chain(err: &anyhow::Error) -> String {
    let mut message = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message
}

/// Parses the command line and runs the command for `chain`: the whole
/// `main` of a chain binary. Logs go to stderr (`RUST_LOG`, default
/// `info`); an error is printed as one line and exits 1; a closed stdout
/// ends quietly.
pub fn run(chain: Chain) -> ExitCode {
    let about = format!("{}: a chain built on upgrade-runtime", chain.name);
    let matches = cli::Cli::command()
        .name(chain.name)
        .bin_name(chain.name)
        .about(about)
        .get_matches();
    let parsed = match cli::Cli::from_arg_matches(&matches) {
        Ok(parsed) => parsed,
        Err(err) => err.exit(),
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let chain_name = chain.name;
    let outcome = panic_guard::run_guarded(move || commands::dispatch(&chain, parsed.command));
    let result = match outcome {
        panic_guard::Outcome::Returned(result) => result,
        panic_guard::Outcome::BrokenPipe => return ExitCode::SUCCESS,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(failed) = err.downcast_ref::<commands::pre_upgrade::PreUpgradeFailed>() {
                eprintln!("Error: {failed}");
                return ExitCode::from(failed.code);
            }
            match hints::hint(chain_name, &err) {
                Some(hint) => eprintln!("Error: {}{hint}", error_chain(&err)),
                None => eprintln!("Error: {}", error_chain(&err)),
            }
            ExitCode::FAILURE
        }
    }
}
