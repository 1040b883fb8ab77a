//! What a generated account is drawn from: a splitmix64 stream per
//! `(seed, index)`, the denoms it may hold, its public key and the JSON
//! shapes of its account. The [`crate::genesis::Generator`] draws each
//! account again whenever it writes it.

use serde_json::{Value, json};

use crate::coin::{Coin, coins_to_json};
use crate::genesis::IBC_ATOM;
use upgrade_runtime::json::object;

/// The denoms accounts may hold, sorted, with the largest amount of each.
const DENOMS: [(&str, u64); 4] = [
    (IBC_ATOM, 1_000_000),
    ("stake", 10_000_000_000),
    ("uatom", 500_000_000),
    ("ufoo", 1_000_000_000_000),
];

/// Some of the denoms, at least one, with varying amounts.
pub(crate) fn holdings(rng: &mut Rng) -> Vec<Coin> {
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
pub(crate) fn base_fields(
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

pub(crate) fn vesting_account(base: Value, coins: &[Coin]) -> Value {
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

pub(crate) fn secp256k1_key(rng: &mut Rng) -> Value {
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

pub(crate) fn uatom_metadata() -> Value {
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
pub(crate) fn base64(bytes: &[u8]) -> String {
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
pub(crate) struct Rng(u64);

impl Rng {
    /// An independent stream per (seed, index).
    pub(crate) fn new(seed: u64, index: u64) -> Self {
        let mut r = Rng(seed);
        let mixed = r.next() ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
        Rng(mixed)
    }

    pub(crate) fn next(&mut self) -> u64 {
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
}
