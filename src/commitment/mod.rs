//! The app hash: a layout-independent commitment to logical state.

mod lattice;

pub use lattice::{AppHash, LANES, LATTICE_BYTES, LatticeHash};
