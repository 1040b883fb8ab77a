//! `appd`: the example chain application of upgrade-runtime. Wiring only:
//! the example releases, the upgrade authority, and the example modules'
//! genesis generator, synthetic sends and queries; the node layer does the rest.

mod extensions;
mod txgen;

use std::process::ExitCode;

use upgrade_node::Chain;

/// A node allocates and frees millions of small keys and values per large
/// block; mimalloc does that with less time and fragmentation than the
/// system allocator (measured with `appd bench upgrade`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The upgrade authority: the address of the `gov` module account, as on
/// Cosmos chains (first 20 bytes of SHA-256 of "gov", bech32 `cosmos`).
const AUTHORITY: &str = "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn";

fn main() -> ExitCode {
    let chain = Chain::new("appd", app_upgrades::releases(), AUTHORITY)
        .with_extensions(extensions::ExampleModules);
    upgrade_node::run(chain)
}
