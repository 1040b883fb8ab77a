//! One file per command.

pub mod address_prefix;
pub mod bench;
pub mod bench_abci;
pub mod bench_genesis;
pub mod bench_phases;
pub mod bench_raw;
pub mod bench_upgrade;
pub mod demo;
pub mod export;
pub mod genesis;
pub mod genesis_validate;
pub mod init;
pub mod init_home;
pub mod keys;
pub mod migration;
pub mod plan;
pub mod pre_upgrade;
pub mod query;
pub mod start;
pub mod status;
pub mod testnet;
pub mod tx;
pub mod upgrade;
pub mod verify;

use crate::chain::Chain;
use crate::cli::{BenchCommand, Command};

/// Runs one parsed command.
pub fn dispatch(chain: &Chain, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Demo(args) => demo::run(chain, args),
        Command::Bench(BenchCommand::Migration(args)) => bench::run(args),
        Command::Bench(BenchCommand::Abci(args)) => bench_abci::run(chain, args),
        Command::Bench(BenchCommand::Genesis(args)) => bench_genesis::run(chain, args),
        Command::Bench(BenchCommand::Upgrade(args)) => bench_upgrade::run(chain, args),
        Command::Init(args) => init::run(chain, args),
        Command::Start(args) => start::run(chain, args),
        Command::Status(args) => status::run(chain, args),
        Command::Verify(args) => verify::run(chain, args),
        Command::Query(args) => query::run(chain, args),
        Command::Upgrade(u) => upgrade::run(chain, u),
        Command::PreUpgrade(args) => pre_upgrade::run(chain, args),
        Command::Keys(k) => keys::run(chain, k),
        Command::Tx(t) => tx::run(chain, t),
        Command::Testnet(t) => testnet::run(chain, t),
        Command::Export(args) => export::run(chain, args),
        Command::Genesis(g) => genesis::run(chain, g),
        Command::Migration(m) => migration::run(chain, m),
    }
}
