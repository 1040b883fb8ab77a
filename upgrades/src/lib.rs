//! Example releases of the example application, one file each. The release
//! machinery ([`Release`], [`ReleaseChain`], the static check) is the
//! runtime's; this crate only declares the releases.
//!
//! A binary acting as a release registers only the upgrade handlers up to
//! it, so the whole life of a chain can be run with one binary.

mod v1_0_0;
mod v2_0_0;
mod v3_0_0;

use upgrade_runtime::{Release, ReleaseChain};

/// Every release of the example application, oldest first.
pub fn releases() -> ReleaseChain {
    ReleaseChain::new(vec![
        v1_0_0::release(),
        v2_0_0::release(),
        v3_0_0::release(),
    ])
}

/// The release called `name`.
pub fn release(name: &str) -> Option<Release> {
    releases().get(name).copied()
}
