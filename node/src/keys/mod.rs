//! Keys and signing, with Cosmos conventions: a keyring of secp256k1 keys
//! under the home (`--keyring-backend test` only: the keys are stored
//! UNENCRYPTED in `<home>/keyring-test/`, for testnets and development, as
//! the SDK's `test` backend), addresses as RIPEMD-160(SHA-256(compressed
//! public key)) in bech32 `cosmos`, and transactions signed in
//! SIGN_MODE_DIRECT ([`sign_tx`]).

mod keyring;
mod sign;

pub use keyring::{Key, Keyring};
pub use sign::{address_of, sign_tx};
