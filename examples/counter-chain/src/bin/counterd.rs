//! `counterd`, the chain's binary: the node layer's whole operator CLI
//! (`init`, `start`, `upgrade schedule`, `export`, `genesis migrate`, ...)
//! over the chain's releases. `counterd start --release v1.0.0` acts as
//! the old binary, so one build runs the chain's whole life.

use std::process::ExitCode;

use upgrade_node::Chain;

fn main() -> ExitCode {
    let releases = counter_chain::releases();
    upgrade_node::run(Chain::new("counterd", releases, counter_chain::AUTHORITY))
}
