//! A deterministic genesis generator (`init --accounts N --seed S` of the example binary).
//!
//! Everything derives from `(seed, account index)` through splitmix64, so
//! the same arguments give byte-identical output on every machine and no
//! RNG crate is involved. The output exercises real shapes: base accounts
//! with and without public keys, module accounts, a continuous vesting
//! account every thousand accounts (kept verbatim by auth), an IBC denom
//! with a `/` in it, and accounts that hold only some denoms. Accounts and
//! balances come sorted the way the modules export them, with the supply
//! filled in, so importing and exporting the output gives it back unchanged.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::address::Address;
use crate::auth::{AuthParams, BASE_ACCOUNT_TYPE, MODULE_ACCOUNT_TYPE};
use crate::bank::BankParams;
use crate::coin::{Coin, coins_to_json};
use upgrade_runtime::json::object;

/// ATOM as it arrives over IBC on another chain.
pub const IBC_ATOM: &str = "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2";

/// The denoms accounts may hold, sorted, with the largest amount of each.
const DENOMS: [(&str, u64); 4] = [
    (IBC_ATOM, 1_000_000),
    ("stake", 10_000_000_000),
    ("uatom", 500_000_000),
    ("ufoo", 1_000_000_000_000),
];

/// Module accounts: name, Cosmos Hub address, permissions, funded.
const MODULE_ACCOUNTS: [(&str, &str, &[&str], bool); 2] = [
    (
        "fee_collector",
        "cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta",
        &[],
        false,
    ),
    (
        "distribution",
        "cosmos1jv65s3grqf6v6jl3dp4t6c9t9rk99cd88lyufl",
        &[],
        true,
    ),
];

/// Every this many accounts, one is a continuous vesting account.
const VESTING_EVERY: u64 = 1000;

/// The `app_state` of a chain with `accounts` user accounts (plus the module
/// accounts) derived from `seed`: sections `auth`, `bank` and `crisis`.
pub fn generate(accounts: u64, seed: u64) -> Map<String, Value> {
    // (address, its bech32 spelling, account JSON, coins): each address is
    // encoded once and the string shared by the auth and bank sections.
    let mut entries: Vec<(Address, String, Value, Vec<Coin>)> = Vec::new();
    for (number, (name, address, permissions, funded)) in (0u64..).zip(MODULE_ACCOUNTS) {
        let Ok(parsed) = Address::parse(address) else {
            continue;
        };
        let account = object([
            ("@type", Value::String(MODULE_ACCOUNT_TYPE.into())),
            (
                "base_account",
                object(base_fields(address, Value::Null, number, 0)),
            ),
            ("name", Value::String(name.into())),
            (
                "permissions",
                Value::Array(
                    permissions
                        .iter()
                        .map(|p| Value::String((*p).into()))
                        .collect(),
                ),
            ),
        ]);
        let coins = if funded {
            let mut rng = Rng::new(seed, u64::MAX - number);
            holdings(&mut rng)
        } else {
            Vec::new()
        };
        entries.push((parsed, address.to_owned(), account, coins));
    }
    let first_number = MODULE_ACCOUNTS.len() as u64;
    let mask = Rng::new(seed, u64::MAX / 2).next();
    for index in 0..accounts {
        let mut rng = Rng::new(seed, index);
        let mut bytes = [0u8; 20];
        bytes[..8].copy_from_slice(&rng.next().to_be_bytes());
        bytes[8..12].copy_from_slice(&rng.next().to_be_bytes()[..4]);
        // The index (masked per seed) makes addresses distinct by construction.
        bytes[12..].copy_from_slice(&(index ^ mask).to_be_bytes());
        let Ok(address) = Address::from_bytes(&bytes) else {
            continue;
        };
        let (pub_key, sequence) = if rng.next() % 3 == 0 {
            (Value::Null, 0)
        } else {
            (secp256k1_key(&mut rng), rng.next() % 50)
        };
        let coins = holdings(&mut rng);
        let bech32 = address.to_bech32();
        let [address_field, pub_key, number, sequence] =
            base_fields(&bech32, pub_key, first_number + index, sequence);
        let account = if index % VESTING_EVERY == 7 {
            vesting_account(object([address_field, pub_key, number, sequence]), &coins)
        } else {
            let type_url = ("@type", Value::String(BASE_ACCOUNT_TYPE.into()));
            object([type_url, address_field, pub_key, number, sequence])
        };
        entries.push((address, bech32, account, coins));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));

    let mut supply: BTreeMap<&str, u128> = BTreeMap::new();
    let mut auth_accounts = Vec::with_capacity(entries.len());
    let mut balances = Vec::with_capacity(entries.len());
    for (_, address, account, coins) in entries {
        auth_accounts.push(account);
        if coins.is_empty() {
            continue;
        }
        for coin in &coins {
            if let Some((denom, _)) = DENOMS.iter().find(|(d, _)| *d == coin.denom) {
                *supply.entry(denom).or_insert(0) += coin.amount;
            }
        }
        balances.push(object([
            ("address", Value::String(address)),
            ("coins", coins_to_json(&coins)),
        ]));
    }
    let supply: Vec<Coin> = supply.into_iter().map(|(d, a)| Coin::new(d, a)).collect();

    let mut app_state = Map::new();
    app_state.insert(
        "auth".into(),
        object([
            ("params", AuthParams::default().to_json()),
            ("accounts", Value::Array(auth_accounts)),
        ]),
    );
    app_state.insert(
        "bank".into(),
        object([
            ("params", BankParams::default().to_json()),
            ("balances", Value::Array(balances)),
            ("supply", coins_to_json(&supply)),
            ("denom_metadata", Value::Array(vec![uatom_metadata()])),
            ("send_enabled", Value::Array(Vec::new())),
        ]),
    );
    app_state.insert(
        "crisis".into(),
        object([("constant_fee", Coin::new("stake", 1000).to_json())]),
    );
    app_state
}

/// Some of the denoms, at least one, with varying amounts.
fn holdings(rng: &mut Rng) -> Vec<Coin> {
    let held = rng.next();
    let mut coins: Vec<Coin> = DENOMS
        .iter()
        .enumerate()
        .filter(|(k, _)| (held >> k) & 1 == 1 || (held & 0b1111 == 0 && *k == 1))
        .map(|(_, (denom, max))| Coin::new(*denom, u128::from(1 + rng.next() % max)))
        .collect();
    coins.sort_by(|a, b| a.denom.cmp(&b.denom));
    coins
}

/// The fields of a base account, in Cosmos order.
fn base_fields(
    address: &str,
    pub_key: Value,
    number: u64,
    sequence: u64,
) -> [(&'static str, Value); 4] {
    [
        ("address", Value::String(address.into())),
        ("pub_key", pub_key),
        ("account_number", Value::String(number.to_string())),
        ("sequence", Value::String(sequence.to_string())),
    ]
}

fn vesting_account(base: Value, coins: &[Coin]) -> Value {
    json!({
        "@type": "/cosmos.vesting.v1beta1.ContinuousVestingAccount",
        "base_vesting_account": {
            "base_account": base,
            "original_vesting": coins_to_json(coins),
            "delegated_free": [],
            "delegated_vesting": [],
            "end_time": "1767225600",
        },
        "start_time": "1704067200",
    })
}

fn secp256k1_key(rng: &mut Rng) -> Value {
    let mut key = Vec::with_capacity(33);
    key.push(if rng.next() & 1 == 0 { 0x02 } else { 0x03 });
    for _ in 0..4 {
        key.extend_from_slice(&rng.next().to_be_bytes());
    }
    object([
        (
            "@type",
            Value::String("/cosmos.crypto.secp256k1.PubKey".into()),
        ),
        ("key", Value::String(base64(&key))),
    ])
}

fn uatom_metadata() -> Value {
    json!({
        "description": "The native staking token of the Cosmos Hub.",
        "denom_units": [
            { "denom": "uatom", "exponent": 0, "aliases": ["microatom"] },
            { "denom": "atom", "exponent": 6, "aliases": [] },
        ],
        "base": "uatom",
        "display": "atom",
        "name": "Cosmos Hub Atom",
        "symbol": "ATOM",
        "uri": "",
        "uri_hash": "",
    })
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// splitmix64: tiny, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    /// An independent stream per (seed, index).
    fn new(seed: u64, index: u64) -> Self {
        let mut r = Rng(seed);
        let mixed = r.next() ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
        Rng(mixed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe]), "//4=");
    }

    #[test]
    fn module_account_addresses_are_valid() {
        for (name, address, _, _) in MODULE_ACCOUNTS {
            assert!(Address::parse(address).is_ok(), "{name}");
        }
    }
}
