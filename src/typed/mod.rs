//! Typed storage on top of a module's byte store, in the style of
//! cw-storage-plus: an [`Item`] is one value under a fixed key, a [`Map`]
//! is values under typed keys with ordered and prefix iteration.
//!
//! Both are `const` descriptions (a key or namespace plus types), not
//! handles: they read through anything implementing [`ReadStore`] (a
//! [`Context`](crate::Context), [`ModuleStore`](crate::store::ModuleStore)
//! or a dependency's [`ModuleReader`](crate::store::ModuleReader)) and write
//! through [`WriteStore`]. Values are encoded by a [`Codec`] ([`Json`] by
//! default); keys by [`MapKey`], whose encodings sort like the keys
//! (big-endian integers, length-prefixed tuple components).
//!
//! Stored bytes that do not decode are reported as
//! [`ModuleError::CorruptState`](crate::ModuleError::CorruptState) naming
//! the store and the hex key, never as a panic.
//!
//! # Migrations: the legacy pattern
//!
//! Changing a value type or codec changes consensus state, so it needs a
//! store migration. Keep only the current definition; in the migration,
//! view it with the old value type ([`Map::legacy`], [`Item::legacy`]) or
//! old codec ([`Map::with_codec`]) to read, and write through the current
//! one. [`Map::migrate_from`] and [`Item::migrate_from`] do exactly that:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use upgrade_runtime::{Context, ModuleError};
//! use upgrade_runtime::typed::{Json, Map};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Params { max_supply: u64 }
//!
//! #[derive(Serialize, Deserialize)]
//! struct ParamsV1 { max: u64 }
//!
//! const PARAMS_BY_DENOM: Map<&str, Params> = Map::new(b"params/");
//!
//! /// v1 -> v2: rename the field in every entry.
//! fn migrate_v1(ctx: &mut Context<'_>) -> Result<(), ModuleError> {
//!     PARAMS_BY_DENOM.migrate_from::<ParamsV1, Json, _, _>(ctx, |_denom, old| {
//!         Ok(Params { max_supply: old.max })
//!     })?;
//!     Ok(())
//! }
//! ```

mod access;
mod codec;
mod item;
mod key;
mod legacy;
mod map;

pub use access::{ReadStore, WriteStore};
pub use codec::{Codec, CodecError, Json};
pub use item::Item;
pub use key::MapKey;
pub use map::{Map, MapIter};
