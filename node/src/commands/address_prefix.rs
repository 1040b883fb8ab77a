//! The address prefix `init` gives a chain: `--address-prefix`, else the
//! prefix of the genesis file's first valid account or balance address
//! (`app_state.auth.accounts`, `app_state.bank.balances`; the import then
//! holds every other address to it), else `cosmos`.

use std::io::BufReader;
use std::path::Path;

use anyhow::Context;
use bech32::Bech32;
use bech32::primitives::decode::CheckedHrpstring;
use serde_json::Value;
use upgrade_runtime::address_prefix;
use upgrade_runtime::genesis::{GenesisEvents, SectionMode, WalkError, walk};

/// Sets the prefix for the chain `init` builds.
///
/// # Errors
///
/// An invalid `--address-prefix`, or a file that cannot be read (its JSON
/// errors are left to the import, which names them precisely).
pub fn choose(given: Option<&str>, genesis: Option<&Path>) -> anyhow::Result<()> {
    let prefix = match (given, genesis) {
        (Some(given), _) => given.to_owned(),
        (None, Some(file)) => match first_prefix(file)? {
            Some(found) => found,
            None => return Ok(()),
        },
        (None, None) => return Ok(()),
    };
    address_prefix::set(&prefix)
        .map_err(anyhow::Error::msg)
        .with_context(|| match given {
            Some(_) => "--address-prefix".to_owned(),
            None => format!(
                "the addresses of {} (pass --address-prefix)",
                genesis.map(|g| g.display().to_string()).unwrap_or_default()
            ),
        })
}

/// The human-readable part of the first valid address of an account (its
/// `address`, or a module or vesting account's nested one) or a balance,
/// read as a stream up to it.
pub fn first_prefix(file: &Path) -> anyhow::Result<Option<String>> {
    // A file that cannot be opened is reported by `init` itself.
    let Ok(input) = std::fs::File::open(file) else {
        return Ok(None);
    };
    Ok(first_prefix_in(
        BufReader::new(input),
        &file.display().to_string(),
    ))
}

/// [`first_prefix`] of a document read from `reader` (named `name`).
pub fn first_prefix_in(reader: impl std::io::Read, name: &str) -> Option<String> {
    let mut scan = Scan::default();
    match walk(reader, name, &mut scan) {
        Err(WalkError::Consumer(found)) => Some(found),
        // No address, or a malformed document the import will describe.
        Ok(()) | Err(WalkError::File(_)) => None,
    }
}

/// Stops the read at the first account or balance address, with its
/// prefix as the "error".
#[derive(Default)]
struct Scan {
    /// Whether the section being read is auth's or bank's.
    in_accounts_or_balances: bool,
}

/// `address` of an object, or of one nested in it (`base_account`,
/// `base_vesting_account.base_account`).
fn address_in(value: &Value, depth: usize) -> Option<&str> {
    let object = value.as_object()?;
    if let Some(Value::String(address)) = object.get("address") {
        return Some(address);
    }
    if depth == 0 {
        return None;
    }
    object.values().find_map(|v| address_in(v, depth - 1))
}

impl GenesisEvents for Scan {
    type Error = String;

    fn header(&mut self, _name: &str, _value: Value) -> Result<(), String> {
        Ok(())
    }

    fn begin_section(&mut self, name: &str) -> Result<SectionMode, String> {
        self.in_accounts_or_balances = name == "auth" || name == "bank";
        Ok(if self.in_accounts_or_balances {
            SectionMode::Fields
        } else {
            SectionMode::Skip
        })
    }

    fn section_value(&mut self, _value: Value) -> Result<(), String> {
        Ok(())
    }

    fn streams(&self, field: &str) -> bool {
        self.in_accounts_or_balances && (field == "accounts" || field == "balances")
    }

    fn field(&mut self, _name: &str, _value: Value) -> Result<(), String> {
        Ok(())
    }

    fn begin_array(&mut self, _field: &str) -> Result<(), String> {
        Ok(())
    }

    fn element(&mut self, _field: &str, _index: usize, value: Value) -> Result<(), String> {
        let Some(address) = address_in(&value, 2) else {
            return Ok(());
        };
        // Only a valid bech32 address says anything; the import reports
        // the others where they are.
        match CheckedHrpstring::new::<Bech32>(address) {
            Ok(checked) => Err(checked.hrp().to_lowercase()),
            Err(_) => Ok(()),
        }
    }

    fn end_section(&mut self) -> Result<(), String> {
        Ok(())
    }
}
