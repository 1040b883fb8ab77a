//! `appd bench genesis` (being written).

use crate::cli::BenchGenesisArgs;

/// Runs the benchmark.
pub fn run(_args: BenchGenesisArgs) -> anyhow::Result<()> {
    anyhow::bail!("appd bench genesis is not implemented yet")
}
