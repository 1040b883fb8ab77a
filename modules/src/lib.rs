//! Example application modules of a Cosmos-style chain, built on
//! `upgrade_runtime`: [`auth`], [`bank`], [`crisis`] and [`feegrant`], plus a
//! deterministic [`genesis`] generator.
//!
//! Design goals:
//!
//! 1. **Real shapes.** Genesis sections are the Cosmos SDK JSON (accounts as
//!    `Any` with `@type`, u64s and amounts as decimal strings, coins sorted
//!    by denom), so sections of real chains load. Types the modules do not
//!    model (vesting accounts, allowances, denom metadata) are kept verbatim.
//! 2. **Lossless.** Export gives back exactly what was imported, given the
//!    canonical order (accounts and balances by address); export -> import ->
//!    export is the identity.
//! 3. **Versioned state.** One binary can act as several releases: `auth` and
//!    `bank` are built with their consensus version ([`auth::Auth::new`],
//!    [`bank::Bank::new`]) and write their store in that version's encoding.
//!    The encodings old releases wrote are frozen in `legacy_vN` files next
//!    to the migrations that read them. The genesis JSON is the same at
//!    every version, so export before and after a migration must agree.
//! 4. **Confined writes.** Each module writes only its own store; bank reads
//!    auth accounts through [`auth::has_account`] over the read-only view
//!    the runtime hands it.
//! 5. **Deterministic.** No hash-map iteration, no clocks, no randomness:
//!    the generator derives everything from its seed.
//!
//! Validation errors name the JSON path inside the module's section, e.g.
//! `balances[17].coins[0].amount`.

pub mod address;
pub mod auth;
pub mod bank;
pub mod coin;
pub mod crisis;
pub mod feegrant;
pub mod fund;
pub mod genesis;
mod genesis_draws;
mod holder_records;
mod stored_version;

pub use address::{Address, AddressError};
pub use auth::Auth;
pub use bank::Bank;
pub use coin::Coin;
pub use crisis::Crisis;
pub use feegrant::FeeGrant;

/// A string field of a query's JSON request body.
pub(crate) fn query_field(data: &[u8], name: &str) -> Result<String, upgrade_runtime::ModuleError> {
    let reject = |m: String| upgrade_runtime::ModuleError::Rejected(m);
    let body: serde_json::Value = serde_json::from_slice(data)
        .map_err(|e| reject(format!("the request data is not JSON: {e}")))?;
    body.get(name)
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| reject(format!("the request needs a string field {name:?}")))
}
