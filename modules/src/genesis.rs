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

use serde_json::{Map, Value};

use crate::address::Address;
use crate::auth::{AuthParams, BASE_ACCOUNT_TYPE, MODULE_ACCOUNT_TYPE};
use crate::bank::BankParams;
use crate::coin::{Coin, coins_to_json};
use crate::holder_records::scratch_error;
use upgrade_runtime::ModuleError;
use upgrade_runtime::external_sort::{DEFAULT_RUN_BYTES, ExternalSort, SortedRecords};
use upgrade_runtime::genesis::{SectionWriter, collect_section};
use upgrade_runtime::json::object;

use crate::genesis_draws::{
    Rng, base_fields, holdings, secp256k1_key, uatom_metadata, vesting_account,
};

/// ATOM as it arrives over IBC on another chain.
pub const IBC_ATOM: &str = "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2";

/// Module accounts: name (their addresses derive from it, see
/// [`Address::module`]), permissions, funded.
const MODULE_ACCOUNTS: [(&str, &[&str], bool); 2] =
    [("fee_collector", &[], false), ("distribution", &[], true)];

/// Every this many accounts, one is a continuous vesting account.
const VESTING_EVERY: u64 = 1000;

/// The `app_state` of a chain with `accounts` user accounts (plus the module
/// accounts) derived from `seed`: sections `auth`, `bank` and `crisis`.
/// [`Generator`]'s sections, built in memory.
pub fn generate(accounts: u64, seed: u64) -> Map<String, Value> {
    let generator = match Generator::new(accounts, seed, Vec::new(), None) {
        Ok(generator) => generator,
        // Only a scratch file can fail, and a sort held in memory has none.
        Err(e) => panic!("the genesis generator failed: {e}"),
    };
    generator.app_state()
}

/// One generated account: its address (and bech32 spelling), its JSON and
/// its coins.
struct Entry {
    address: Address,
    bech32: String,
    account: Value,
    coins: Vec<Coin>,
}

/// Sort tags above this are module accounts (`u64::MAX - number`).
const MODULE_TAG: u64 = u64::MAX - MODULE_ACCOUNTS.len() as u64;

/// A generated genesis, written section by section with its accounts and
/// balances streamed in address order, so `init --accounts 1000000` never
/// holds them: each account is drawn again from `(seed, index)` when it is
/// written, and only (address, index) pairs are sorted, in an
/// [`ExternalSort`].
pub struct Generator {
    accounts: u64,
    seed: u64,
    mask: u64,
    /// Accounts funded on top (`add-genesis-account` style), in the order
    /// given: appended to the accounts with the next numbers, their
    /// balances merged in address order, the supply raised. Their
    /// addresses are new.
    funded: Vec<(Address, Vec<Coin>)>,
    sorted: SortedRecords,
}

impl Generator {
    /// The genesis of `accounts` accounts from `seed`, plus `funded`;
    /// sorting spills to `scratch_dir` (else the temporary directory).
    ///
    /// # Errors
    ///
    /// The scratch file of the sort failed.
    pub fn new(
        accounts: u64,
        seed: u64,
        mut funded: Vec<(Address, Vec<Coin>)>,
        scratch_dir: Option<&std::path::Path>,
    ) -> std::io::Result<Self> {
        let mut sort = ExternalSort::new(scratch_dir, DEFAULT_RUN_BYTES);
        let mut generator = Generator {
            accounts,
            seed,
            mask: Rng::new(seed, u64::MAX / 2).next(),
            funded: Vec::new(),
            sorted: SortedRecords::Memory(Vec::new()),
        };
        let tags = (0..accounts).chain((0..MODULE_ACCOUNTS.len() as u64).map(|n| u64::MAX - n));
        for tag in tags {
            if let Some(entry) = generator.entry(tag) {
                // `len || address || tag`: sorts as addresses order.
                let mut record = entry.address.length_prefixed();
                record.extend_from_slice(&tag.to_be_bytes());
                sort.push(record)?;
            }
        }
        generator.sorted = sort.finish()?;
        for (_, coins) in &mut funded {
            coins.sort_by(|a, b| a.denom.cmp(&b.denom));
        }
        generator.funded = funded;
        Ok(generator)
    }

    /// The sections this generator writes.
    pub const SECTIONS: [&'static str; 3] = ["auth", "bank", "crisis"];

    /// Every section, built in memory.
    pub fn app_state(&self) -> Map<String, Value> {
        Self::SECTIONS
            .iter()
            .map(|name| {
                let section =
                    collect_section(|out| self.write_section(name, out).unwrap_or(Ok(())))
                        .unwrap_or_else(|e| panic!("the genesis generator failed: {e}"));
                ((*name).to_owned(), section)
            })
            .collect()
    }

    /// Writes section `name` into `out`, `None` for a section it does not
    /// generate.
    pub fn write_section(
        &self,
        name: &str,
        out: &mut dyn SectionWriter,
    ) -> Option<Result<(), ModuleError>> {
        Some(match name {
            "auth" => self.write_auth(out),
            "bank" => self.write_bank(out),
            "crisis" => out.value(&object([(
                "constant_fee",
                Coin::new("stake", 1000).to_json(),
            )])),
            _ => return None,
        })
    }

    /// The generated accounts in address order.
    fn in_order(
        &self,
    ) -> Result<impl Iterator<Item = Result<Entry, ModuleError>> + '_, ModuleError> {
        let records = self.sorted.iter().map_err(scratch_error)?;
        Ok(records.map(|record| {
            let record = record.map_err(scratch_error)?;
            let tag = record
                .get(record.len().saturating_sub(8)..)
                .and_then(|t| <[u8; 8]>::try_from(t).ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| ModuleError::Rejected("a generator record is short".into()))?;
            self.entry(tag)
                .ok_or_else(|| ModuleError::Rejected(format!("no generated account {tag}")))
        }))
    }

    fn write_auth(&self, out: &mut dyn SectionWriter) -> Result<(), ModuleError> {
        out.field("params", &AuthParams::default().to_json())?;
        out.array("accounts", &mut |accounts| {
            for entry in self.in_order()? {
                accounts.push(&entry?.account)?;
            }
            // As `fund`: after the generated ones, with the next numbers.
            let first = MODULE_ACCOUNTS.len() as u64 + self.accounts;
            for ((address, _), number) in self.funded.iter().zip(first..) {
                accounts.push(&object([
                    ("@type", Value::String(BASE_ACCOUNT_TYPE.into())),
                    ("address", Value::String(address.to_bech32())),
                    ("pub_key", Value::Null),
                    ("account_number", Value::String(number.to_string())),
                    ("sequence", Value::String("0".into())),
                ]))?;
            }
            Ok(())
        })
    }

    fn write_bank(&self, out: &mut dyn SectionWriter) -> Result<(), ModuleError> {
        out.field("params", &BankParams::default().to_json())?;
        let mut supply: BTreeMap<String, u128> = BTreeMap::new();
        out.array("balances", &mut |balances| {
            // Inserted in address order, as `fund` inserts each balance.
            let mut by_address: Vec<&(Address, Vec<Coin>)> = self.funded.iter().collect();
            by_address.sort_by(|a, b| a.0.cmp(&b.0));
            let mut funded = by_address.into_iter().peekable();
            let mut push = |address: String, coins: &[Coin]| {
                for coin in coins {
                    *supply.entry(coin.denom.clone()).or_insert(0) += coin.amount;
                }
                balances.push(&object([
                    ("address", Value::String(address)),
                    ("coins", coins_to_json(coins)),
                ]))
            };
            for entry in self.in_order()? {
                let entry = entry?;
                while let Some((address, coins)) = funded.next_if(|(a, _)| *a < entry.address) {
                    push(address.to_bech32(), coins)?;
                }
                if !entry.coins.is_empty() {
                    push(entry.bech32, &entry.coins)?;
                }
            }
            for (address, coins) in funded {
                push(address.to_bech32(), coins)?;
            }
            Ok(())
        })?;
        let supply: Vec<Coin> = supply.into_iter().map(|(d, a)| Coin::new(d, a)).collect();
        out.field("supply", &coins_to_json(&supply))?;
        out.field("denom_metadata", &Value::Array(vec![uatom_metadata()]))?;
        out.field("send_enabled", &Value::Array(Vec::new()))
    }

    /// Account `tag`: a user account's index, or `u64::MAX - number` for
    /// module account `number`.
    fn entry(&self, tag: u64) -> Option<Entry> {
        if tag > MODULE_TAG {
            return module_entry(self.seed, u64::MAX - tag);
        }
        let index = tag;
        let mut rng = Rng::new(self.seed, index);
        let mut bytes = [0u8; 20];
        bytes[..8].copy_from_slice(&rng.next().to_be_bytes());
        bytes[8..12].copy_from_slice(&rng.next().to_be_bytes()[..4]);
        // The index (masked per seed) makes addresses distinct by construction.
        bytes[12..].copy_from_slice(&(index ^ self.mask).to_be_bytes());
        let address = Address::from_bytes(&bytes).ok()?;
        let (pub_key, sequence) = if rng.next() % 3 == 0 {
            (Value::Null, 0)
        } else {
            (secp256k1_key(&mut rng), rng.next() % 50)
        };
        let coins = holdings(&mut rng);
        let bech32 = address.to_bech32();
        let first_number = MODULE_ACCOUNTS.len() as u64;
        let [address_field, pub_key, number, sequence] =
            base_fields(&bech32, pub_key, first_number + index, sequence);
        let account = if index % VESTING_EVERY == 7 {
            vesting_account(object([address_field, pub_key, number, sequence]), &coins)
        } else {
            let type_url = ("@type", Value::String(BASE_ACCOUNT_TYPE.into()));
            object([type_url, address_field, pub_key, number, sequence])
        };
        Some(Entry {
            address,
            bech32,
            account,
            coins,
        })
    }
}

/// Module account `number` of [`MODULE_ACCOUNTS`].
fn module_entry(seed: u64, number: u64) -> Option<Entry> {
    let (name, permissions, funded) = *MODULE_ACCOUNTS.get(usize::try_from(number).ok()?)?;
    let parsed = Address::module(name);
    let bech32 = parsed.to_bech32();
    let address = bech32.as_str();
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
    Some(Entry {
        address: parsed,
        bech32,
        account,
        coins,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The derivation gives the Cosmos Hub's module account addresses.
    #[test]
    fn module_account_addresses_derive_as_on_the_cosmos_hub() {
        for (name, hub) in [
            (
                "fee_collector",
                "cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta",
            ),
            (
                "distribution",
                "cosmos1jv65s3grqf6v6jl3dp4t6c9t9rk99cd88lyufl",
            ),
            ("gov", "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn"),
        ] {
            assert_eq!(
                Address::module(name).as_bytes(),
                Address::parse(hub)
                    .map(|a| a.as_bytes().to_vec())
                    .unwrap_or_default(),
                "{name}"
            );
        }
    }
}
