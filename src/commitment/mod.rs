//! The app hash: a layout-independent commitment to logical state.

mod lattice;
mod parallel;
mod pending;
mod stores;
mod worker;

pub use lattice::{AppHash, LANES, LATTICE_BYTES, LatticeHash};
pub use parallel::KeyUpdate;
pub use stores::StoreLattices;
pub use worker::LatticeWorker;
