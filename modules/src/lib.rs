//! Example application modules of a Cosmos-style chain: `auth`, `bank`,
//! `crisis` and `feegrant`, plus a deterministic genesis generator.

pub mod address;
pub mod auth;
pub mod coin;
mod json;
mod rekey;
