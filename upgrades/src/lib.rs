//! Example upgrade plans of the example application, one file per release.
//!
//! A binary acting as a release registers only the upgrade handlers up to
//! it, so the whole life of a chain can be run with one binary.

mod check;
mod release;
mod v1_0_0;
mod v2_0_0;
mod v3_0_0;

pub use check::check_release_chain;
pub use release::{
    Release, newest, registry_up_to, release, release_names, release_with_versions, releases,
    releases_between,
};
