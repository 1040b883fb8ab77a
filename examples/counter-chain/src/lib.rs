//! counter-chain: a small chain built on upgrade-runtime from the outside,
//! as a third party would, to show what an application writes: modules
//! (one file each) and, apart from them, a few lines of wiring, namely the
//! releases below and the binary in `src/bin/counterd.rs`.
//!
//! Release v2.0.0 exercises every kind of module change an upgrade makes:
//!
//! - [`ledger`] goes from version 1 to 2 (a store and a genesis JSON
//!   migration);
//! - [`notes`] keeps its name and version, but its store is renamed;
//! - [`clock`] is unchanged and keeps writing in both block hooks;
//! - [`rewards`] is new (its store is added, InitGenesis runs);
//! - [`legacy`] is dropped (its store, named differently, is deleted).
//!
//! Transactions are authenticated by the reused `auth` module of
//! `app-modules` (accounts, secp256k1 signatures, sequences), as a Cosmos
//! chain reuses `x/auth`: without it, no one could sign an upgrade.

mod json;

pub mod clock;
pub mod ledger;
pub mod legacy;
pub mod notes;
pub mod rewards;

use app_modules::auth::Auth;
use upgrade_runtime::upgrade::{StoreRename, StoreUpgrades, Upgrade};
use upgrade_runtime::{Module, Release, ReleaseChain};

/// The address allowed to schedule and cancel upgrades.
pub const AUTHORITY: &str = "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn";

/// Every release of the chain, oldest first.
pub fn releases() -> ReleaseChain {
    ReleaseChain::new(vec![
        Release::genesis("v1.0.0", || {
            vec![
                Box::new(Auth::new(2)),
                Box::new(ledger::Ledger::V1),
                Box::new(notes::Notes::V1),
                Box::new(clock::Clock),
                Box::new(legacy::Legacy),
            ]
        }),
        Release::upgrade(
            "v2.0.0",
            || {
                vec![
                    Box::new(Auth::new(2)),
                    Box::new(ledger::Ledger::V2),
                    Box::new(notes::Notes::V2),
                    Box::new(clock::Clock),
                    Box::new(rewards::Rewards),
                ]
            },
            v2_0_0,
        ),
    ])
}

/// How a v1.0.0 chain becomes v2.0.0: the store changes, then every
/// module's migrations (and rewards' InitGenesis).
fn v2_0_0() -> Upgrade {
    Upgrade {
        name: "v2.0.0".into(),
        store_upgrades: StoreUpgrades {
            added: vec![rewards::NAME.into()],
            renamed: vec![StoreRename {
                old_key: notes::Notes::V1.store_name().into(),
                new_key: notes::Notes::V2.store_name().into(),
            }],
            deleted: vec![legacy::STORE.into()],
            ..StoreUpgrades::default()
        },
        handler: |ctx, _plan, from| ctx.run_migrations(from),
    }
}
