//! `bank`: balances, supply and `MsgSend`.
//!
//! The module is built at a consensus version ([`Bank::new`]) and writes its
//! store in that version's [`Encoding`]; the genesis JSON is the same at
//! every version. It depends on `auth` (read-only) to check that a
//! recipient exists.
//!
//! Versions: 1 string keys; 2 Cosmos binary keys; 3 adds the denom -> owner
//! index behind [`query::denom_owners`] (Cosmos' `DenomOwners`), derived
//! state that every balance write at version 3 keeps in step and that is
//! not exported.

mod genesis;
mod genesis_export;
mod genesis_import;
mod keys;
mod legacy_v1;
mod legacy_v2;
mod migrations;
pub mod msgs;
mod params;
pub mod query;

pub use genesis::Balance;
pub use keys::{Encoding, LATEST_VERSION};
pub use migrations::CONSERVES_BALANCES;
pub use msgs::{MSG_SEND, MsgSend};
pub use params::{BankParams, SendEnabled};
pub use query::{balance, balance_count_and_sums, balances_of, denom_owners, supply};

use serde_json::Value;
use upgrade_runtime::genesis::SectionWriter;
use upgrade_runtime::{
    ConfigError, Configurator, Context, DecodedMsg, Module, ModuleError, Msg, ValidationError,
};

/// The module's name, genesis section and store.
pub const NAME: &str = "bank";

/// The bank module at one consensus version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bank {
    version: u64,
}

impl Bank {
    /// Bank at consensus `version` (1, 2 or 3). A version this crate does not
    /// implement makes every state access fail with an error saying so.
    pub fn new(version: u64) -> Self {
        Bank { version }
    }

    /// Bank at the newest version this crate implements.
    pub fn latest() -> Self {
        Bank::new(LATEST_VERSION)
    }

    fn encoding(&self) -> Result<Encoding, ModuleError> {
        Encoding::for_version(self.version)
    }
}

impl Module for Bank {
    fn name(&self) -> &'static str {
        NAME
    }

    fn consensus_version(&self) -> u64 {
        self.version
    }

    fn dependencies(&self) -> &'static [&'static str] {
        &[crate::auth::NAME]
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
        genesis::init(ctx, encoding, &parsed)
    }

    /// Balances stream an element at a time (see `bank/genesis_import.rs`).
    fn genesis_import(
        &self,
        scratch_dir: Option<&std::path::Path>,
    ) -> Option<Box<dyn upgrade_runtime::genesis::SectionImport + '_>> {
        let encoding = self.encoding().ok()?;
        Some(Box::new(genesis_import::BankImport::new(
            encoding,
            scratch_dir,
        )))
    }

    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
        genesis_export::export(ctx, self.encoding()?)
    }

    fn export_genesis_to(
        &self,
        ctx: &Context<'_>,
        out: &mut dyn SectionWriter,
    ) -> Result<(), ModuleError> {
        genesis_export::export_to(ctx, self.encoding()?, out)
    }

    fn register_migrations(&self, cfg: &mut Configurator) -> Result<(), ConfigError> {
        migrations::register(cfg, NAME, self.version)
    }

    fn msg_types(&self) -> &'static [&'static str] {
        &[MSG_SEND]
    }

    /// `/cosmos.bank.v1beta1.Query/Balance` (`{"address","denom"}`) and
    /// `/cosmos.bank.v1beta1.Query/AllBalances` (`{"address"}`).
    fn query(
        &self,
        ctx: &Context<'_>,
        path: &str,
        data: &[u8],
    ) -> Option<Result<Value, ModuleError>> {
        let one = match path {
            "/cosmos.bank.v1beta1.Query/Balance" => true,
            "/cosmos.bank.v1beta1.Query/AllBalances" => false,
            _ => return None,
        };
        Some((|| {
            let address = crate::query_field(data, "address")?;
            let address = crate::address::Address::parse(&address)
                .map_err(|e| ModuleError::Rejected(e.to_string()))?;
            if one {
                let denom = crate::query_field(data, "denom")?;
                let amount = query::balance(&ctx.own(), &address, &denom)?;
                Ok(serde_json::json!({"balance": {"denom": denom, "amount": amount.to_string()}}))
            } else {
                let coins: Vec<Value> = query::balances_of(&ctx.own(), &address)?
                    .iter()
                    .map(|c| serde_json::json!({"denom": c.denom, "amount": c.amount.to_string()}))
                    .collect();
                Ok(serde_json::json!({ "balances": coins }))
            }
        })())
    }

    fn decode_msg(&self, type_url: &str, value: &[u8]) -> Option<Result<DecodedMsg, String>> {
        (type_url == MSG_SEND).then(|| msgs::decode_send(value))
    }

    fn deliver(&self, ctx: &mut Context<'_>, signer: &str, msg: &Msg) -> Result<(), ModuleError> {
        if msg.type_url != MSG_SEND {
            return Err(ModuleError::Rejected(format!(
                "module bank does not handle {}",
                msg.type_url
            )));
        }
        let send = MsgSend::from_msg(msg)?;
        msgs::send(ctx, self.encoding()?, signer, &send)
    }
}

#[cfg(test)]
mod tests;

/// Adds `coins` to the balance of `address` and to the supply: how an
/// in-place testnet funds its operators.
///
/// # Errors
///
/// A failed read, an overflow, or a store of no known encoding.
pub fn mint(
    ctx: &mut Context<'_>,
    address: &crate::address::Address,
    coins: &[crate::Coin],
) -> Result<(), ModuleError> {
    let encoding = Encoding::detect(&ctx.own())?
        .ok_or_else(|| ModuleError::Rejected("the bank store holds no state".into()))?;
    for coin in coins {
        let overflow = || ModuleError::Rejected(format!("{} would overflow", coin.denom));
        let have = query::balance_at(&ctx.own(), encoding, address, &coin.denom)?;
        let after = have.checked_add(coin.amount).ok_or_else(overflow)?;
        msgs::write_balance(ctx, encoding, address, &coin.denom, have, after)?;
        let key = encoding.supply_key(&coin.denom);
        let supply = match ctx.own().get(&key)? {
            Some(v) => query::decode_amount(ctx.own().name(), &key, &v)?,
            None => 0,
        };
        let supply = supply.checked_add(coin.amount).ok_or_else(overflow)?;
        ctx.store().set(key, supply.to_string());
    }
    Ok(())
}
