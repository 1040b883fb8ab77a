//! `auth`: accounts, their numbers and sequences.
//!
//! The module is built at a consensus version ([`Auth::new`]) and writes its
//! store in that version's [`Encoding`]; the genesis JSON is the same at
//! every version. Other modules read accounts through [`account`],
//! [`has_account`] and friends over a read-only view of this store.

mod account;
mod genesis;
mod genesis_import;
mod keys;
mod legacy_v1;
mod migrations;
mod params;
pub mod query;
pub mod signature;
mod verbatim;

pub use account::{Account, BASE_ACCOUNT_TYPE, BaseAccount, MODULE_ACCOUNT_TYPE, ModuleAccount};
pub use keys::{Encoding, LATEST_VERSION};
pub use params::AuthParams;
pub use query::{account, account_by_number, account_count, accounts, has_account, params};
pub use verbatim::OtherAccount;

use serde_json::Value;
use upgrade_runtime::genesis::SectionWriter;
use upgrade_runtime::{
    ConfigError, Configurator, Context, Module, ModuleError, Tx, TxAuthenticator, TxEnv,
    TxRejection, ValidationError,
};

use crate::address::Address;

/// The module's name, genesis section and store.
pub const NAME: &str = "auth";

/// The auth module at one consensus version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Auth {
    version: u64,
}

impl Auth {
    /// Auth at consensus `version` (1 or 2). A version this crate does not
    /// implement makes every state access fail with an error saying so.
    pub fn new(version: u64) -> Self {
        Auth { version }
    }

    /// Auth at the newest version this crate implements.
    pub fn latest() -> Self {
        Auth::new(LATEST_VERSION)
    }

    fn encoding(&self) -> Result<Encoding, ModuleError> {
        Encoding::for_version(self.version)
    }
}

impl Module for Auth {
    fn name(&self) -> &'static str {
        NAME
    }

    fn consensus_version(&self) -> u64 {
        self.version
    }

    fn default_genesis(&self) -> Value {
        genesis::default_genesis()
    }

    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        genesis::parse(genesis).map(|_| ())
    }

    fn validate_genesis_into(&self, genesis: &Value, problems: &mut upgrade_runtime::Problems) {
        genesis::validate_into(genesis, problems);
    }

    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
        let encoding = self.encoding()?;
        let parsed = genesis::parse(genesis)?;
        genesis::init(ctx, encoding, &parsed);
        Ok(())
    }

    /// Accounts stream an element at a time (see `auth/genesis_import.rs`).
    fn genesis_import(
        &self,
        scratch_dir: Option<&std::path::Path>,
    ) -> Option<Box<dyn upgrade_runtime::genesis::SectionImport + '_>> {
        let encoding = self.encoding().ok()?;
        Some(Box::new(genesis_import::AuthImport::new(
            encoding,
            scratch_dir,
        )))
    }

    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
        genesis::export(ctx, self.encoding()?)
    }

    fn export_genesis_to(
        &self,
        ctx: &Context<'_>,
        out: &mut dyn SectionWriter,
    ) -> Result<(), ModuleError> {
        genesis::export_to(ctx, self.encoding()?, out)
    }

    fn register_migrations(&self, cfg: &mut Configurator) -> Result<(), ConfigError> {
        migrations::register(cfg, NAME, self.version)
    }

    /// `/cosmos.auth.v1beta1.Query/Account` with `{"address"}`.
    fn query(
        &self,
        ctx: &Context<'_>,
        path: &str,
        data: &[u8],
    ) -> Option<Result<Value, ModuleError>> {
        (path == "/cosmos.auth.v1beta1.Query/Account").then(|| {
            let address = crate::query_field(data, "address")?;
            let address =
                Address::parse(&address).map_err(|e| ModuleError::Rejected(e.to_string()))?;
            match query::account(&ctx.own(), &address)? {
                Some(account) => Ok(serde_json::json!({ "account": account.to_json() })),
                None => Err(ModuleError::Rejected(format!(
                    "account {address} not found"
                ))),
            }
        })
    }

    /// Auth authenticates the chain's transactions (see [`signature`]).
    fn authenticator(&self) -> Option<&dyn TxAuthenticator> {
        Some(self)
    }

    /// For in-process transactions (tests, the harness), which are not
    /// signed: the signer must be an existing account, and its sequence
    /// goes up by one. Signed transactions do this in [`signature`].
    fn ante(&self, ctx: &mut Context<'_>, tx: &Tx) -> Result<(), ModuleError> {
        let encoding = self.encoding()?;
        let signer = Address::parse(&tx.signer)
            .map_err(|e| ModuleError::Rejected(format!("invalid signer: {e}")))?;
        let Some(mut account) = query::load(&ctx.own(), encoding, &signer)? else {
            return Err(ModuleError::Rejected(format!(
                "signer {signer} is not an existing account; only existing accounts can sign"
            )));
        };
        account
            .increment_sequence()
            .map_err(ModuleError::Rejected)?;
        ctx.store()
            .set(encoding.account_key(&signer), account.encode());
        Ok(())
    }
}

impl TxAuthenticator for Auth {
    fn authenticate(
        &self,
        ctx: &mut Context<'_>,
        bytes: &[u8],
        env: &TxEnv<'_>,
    ) -> Result<Tx, TxRejection> {
        let encoding = self.encoding().map_err(|e| {
            TxRejection::new(upgrade_runtime::manager::CODE_REJECTED, e.to_string())
        })?;
        signature::authenticate(ctx, encoding, bytes, env)
    }

    fn decodes(&self, bytes: &[u8]) -> Result<(), TxRejection> {
        signature::decode(bytes).map(|_| ())
    }
}

#[cfg(test)]
mod tests;

/// Creates a base account for `address` (the next account number, no
/// public key, sequence 0) unless it has one: how an in-place testnet
/// opens accounts for its operators. Returns whether it created one.
///
/// # Errors
///
/// A failed read, or a store of no known encoding.
pub fn ensure_account(ctx: &mut Context<'_>, address: &Address) -> Result<bool, ModuleError> {
    let encoding = Encoding::detect(&ctx.own())?
        .ok_or_else(|| ModuleError::Rejected("the auth store holds no accounts".into()))?;
    if query::has_account(&ctx.own(), address)? {
        return Ok(false);
    }
    let mut next = 0u64;
    let addresses: Vec<Address> = query::accounts(&ctx.own())?.collect::<Result<_, _>>()?;
    for other in &addresses {
        if let Some(n) = query::load(&ctx.own(), encoding, other)?.and_then(|a| a.account_number())
        {
            next = next.max(n + 1);
        }
    }
    let account = Account::Base(BaseAccount {
        address: address.clone(),
        pub_key: None,
        account_number: next,
        sequence: 0,
    });
    let mut store = ctx.store();
    store.set(encoding.account_key(address), account.encode());
    if let Some(key) = encoding.account_number_key(next) {
        store.set(key, address.as_bytes().to_vec());
    }
    Ok(true)
}
