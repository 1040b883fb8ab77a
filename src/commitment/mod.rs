//! The app hash: a layout-independent commitment to logical state.

mod lattice;
mod pending;

pub use lattice::{AppHash, LANES, LATTICE_BYTES, LatticeHash};
