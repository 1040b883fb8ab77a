//! Where the ledger keeps its counters at each version.
//!
//! - v1: `c/<name>` -> the amount as decimal text (`b"12"`), through the
//!   [`Decimal`] codec.
//! - v2: `e/<owner>` -> the amount as a JSON number, through the runtime's
//!   default [`Json`](upgrade_runtime::typed::Json) codec.
//!
//! Only one of the two maps holds data at a time: the 1 -> 2 migration
//! moves every counter from the first to the second.

use upgrade_runtime::typed::{Codec, CodecError, Map, WriteStore};
use upgrade_runtime::{Context, ModuleError};

/// v1's value encoding: a `u64` as decimal text.
pub(crate) struct Decimal;

impl Codec<u64> for Decimal {
    fn encode(value: &u64) -> Result<Vec<u8>, CodecError> {
        Ok(value.to_string().into_bytes())
    }

    fn decode(bytes: &[u8]) -> Result<u64, CodecError> {
        std::str::from_utf8(bytes)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| CodecError::new("expected decimal text"))
    }
}

/// v1: counters by name, as decimal text.
pub(crate) const COUNTERS: Map<&str, u64, Decimal> = Map::new(b"c/");

/// v2: amounts by owner, as JSON.
pub(crate) const ENTRIES: Map<&str, u64> = Map::new(b"e/");

/// Every `(name, amount)` of a ledger at `version`, in name order.
pub(crate) fn all(version: u64, ctx: &Context<'_>) -> Result<Vec<(String, u64)>, ModuleError> {
    match version {
        1 => COUNTERS.iter(ctx).collect(),
        _ => ENTRIES.iter(ctx).collect(),
    }
}

/// Adds `amount` to `name`'s counter (created at 0) in a ledger at
/// `version`.
pub(crate) fn add<S: WriteStore>(
    version: u64,
    store: &mut S,
    name: &str,
    amount: u64,
) -> Result<(), ModuleError> {
    let add = |old: Option<u64>| {
        let old = old.unwrap_or(0);
        old.checked_add(amount)
            .ok_or_else(|| ModuleError::Rejected(format!("{name}'s counter would overflow")))
    };
    match version {
        1 => COUNTERS.update(store, name, add),
        _ => ENTRIES.update(store, name, add),
    }
    .map(drop)
}
