//! Records of an [`ExternalSort`] keyed by address, for what a streaming
//! genesis import (duplicate holders) or a version 1 export (address
//! order) settles from a sort: `len || address || ...`, built with
//! [`Address::length_prefixed`], so records sort as addresses order
//! (length, then bytes).
//!
//! [`ExternalSort`]: upgrade_runtime::external_sort::ExternalSort

use upgrade_runtime::ModuleError;
use upgrade_runtime::external_sort::SortedRecords;

use crate::address::Address;

/// A scratch file of a sort failed.
pub(crate) fn scratch_error(e: std::io::Error) -> ModuleError {
    ModuleError::Rejected(format!(
        "a scratch file of the genesis import or export failed: {e}; check the free space beside the state file and in the temporary directory"
    ))
}

/// A record that does not decode (a bug, or a damaged scratch file).
pub(crate) fn corrupt_record() -> ModuleError {
    ModuleError::Rejected("a record of a genesis scratch file does not decode".into())
}

/// `len || address || index`, then `rest`: one holder at position `index`
/// of its array.
pub(crate) fn holder_record(address: &Address, index: usize, rest: &[u8]) -> Vec<u8> {
    let mut record = address.length_prefixed();
    record.extend_from_slice(&(index as u64).to_be_bytes());
    record.extend_from_slice(rest);
    record
}

/// A big-endian `u64` and what follows it.
pub(crate) fn read_u64(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let (head, rest) = bytes.split_at_checked(8)?;
    Some((u64::from_be_bytes(head.try_into().ok()?), rest))
}

/// Calls `found(address, index, first, rest)` for every [`holder_record`]
/// whose address an earlier one has (`first` is that one's index).
///
/// # Errors
///
/// The scratch file failed, `found` failed, or a record does not decode.
pub(crate) fn for_each_duplicate(
    records: &SortedRecords,
    mut found: impl FnMut(&Address, usize, usize, &[u8]),
) -> Result<(), ModuleError> {
    let mut first: Option<(Address, u64)> = None;
    for record in records.iter().map_err(scratch_error)? {
        let record = record.map_err(scratch_error)?;
        let (address, rest) =
            Address::split_length_prefixed(&record).map_err(|_| corrupt_record())?;
        let (index, rest) = read_u64(rest).ok_or_else(corrupt_record)?;
        match &first {
            Some((seen, at)) if *seen == address => {
                found(&address, index as usize, *at as usize, rest);
            }
            _ => first = Some((address, index)),
        }
    }
    Ok(())
}
