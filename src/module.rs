//! The [`Module`] trait an application implements for each of its modules.

use serde_json::Value;

use crate::configurator::{ConfigError, Configurator};
use crate::context::Context;
use crate::genesis::{SectionImport, SectionWriter};
use crate::store::StoreError;
use crate::tx::{DecodedMsg, Msg, Tx, TxAuthenticator};

/// A module of the application: a named piece of state with a consensus
/// version, a genesis section and the migrations between its versions.
pub trait Module: Send + Sync {
    /// The module's name; also its genesis section key.
    fn name(&self) -> &'static str;

    /// The breaking-change version of the module's state in this binary.
    fn consensus_version(&self) -> u64;

    /// The module's store. Defaults to the module name.
    fn store_name(&self) -> &'static str {
        self.name()
    }

    /// Modules whose state this one reads (read-only) through
    /// [`Context::read`].
    fn dependencies(&self) -> &'static [&'static str] {
        &[]
    }

    /// The genesis section of a fresh chain, and what a module added by an
    /// upgrade is initialised with.
    fn default_genesis(&self) -> Value;

    /// Checks a genesis section without touching state.
    ///
    /// # Errors
    ///
    /// A [`ValidationError`] whose path is relative to the module's section.
    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError>;

    /// Checks a genesis section and records every problem found (paths
    /// relative to the section), so a file is fixed in one pass. The default
    /// records [`Module::validate_genesis`]'s first error; modules with large
    /// arrays check each element.
    fn validate_genesis_into(&self, genesis: &Value, problems: &mut crate::Problems) {
        problems.check(self.validate_genesis(genesis));
    }

    /// Writes the module's initial state from its genesis section.
    ///
    /// # Errors
    ///
    /// A malformed section or a failed read.
    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError>;

    /// How a streaming import (`init --genesis`, InitChain) feeds the
    /// module its section: `None` (the default) collects the section whole
    /// and runs [`Module::validate_genesis_into`] and
    /// [`Module::init_genesis`] once the file is read; a module whose
    /// section can be large returns a [`SectionImport`] that writes its big
    /// arrays an element at a time. It must leave the same state as
    /// `init_genesis` on the same section. Its scratch files (an
    /// [`ExternalSort`](crate::external_sort::ExternalSort)'s) go in
    /// `scratch_dir`.
    fn genesis_import(
        &self,
        scratch_dir: Option<&std::path::Path>,
    ) -> Option<Box<dyn SectionImport + '_>> {
        let _ = scratch_dir;
        None
    }

    /// Reads the module's state back into its genesis section.
    ///
    /// # Errors
    ///
    /// A failed read or state the module cannot decode.
    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError>;

    /// Writes the module's genesis section into `out` piece by piece: what
    /// `export` uses, so a module with a large state can stream it (its
    /// big arrays an element at a time, by iterating its store) instead of
    /// building one [`Value`]. The default writes [`Module::export_genesis`]
    /// whole. A module that overrides it can implement `export_genesis` as
    /// [`collect_section`](crate::genesis::collect_section) over this
    /// method, so both give the same section.
    ///
    /// # Errors
    ///
    /// As [`Module::export_genesis`], or the output failed.
    fn export_genesis_to(
        &self,
        ctx: &Context<'_>,
        out: &mut dyn SectionWriter,
    ) -> Result<(), ModuleError> {
        out.value(&self.export_genesis(ctx)?)
    }

    /// Registers the module's vN -> vN+1 store migrations and, next to
    /// each, the genesis JSON migration of the same step
    /// ([`Configurator::register_genesis_migration`]), which `genesis
    /// migrate` chains.
    ///
    /// # Errors
    ///
    /// A duplicate or version-0 registration.
    fn register_migrations(&self, cfg: &mut Configurator) -> Result<(), ConfigError> {
        let _ = cfg;
        Ok(())
    }

    /// Message type URLs this module executes.
    fn msg_types(&self) -> &'static [&'static str] {
        &[]
    }

    /// The module that authenticates transaction bytes (the auth module)
    /// returns its authenticator; one module of an application does.
    fn authenticator(&self) -> Option<&dyn TxAuthenticator> {
        None
    }

    /// Decodes the protobuf value of one of [`Module::msg_types`] into its
    /// JSON form and the address that must sign it.
    fn decode_msg(&self, type_url: &str, value: &[u8]) -> Option<Result<DecodedMsg, String>> {
        let _ = (type_url, value);
        None
    }

    /// Answers a query at `path` (a Cosmos gRPC method name such as
    /// `/cosmos.auth.v1beta1.Query/Account`) with the JSON request `data`
    /// against the module's state; `None` for a path it does not serve.
    fn query(
        &self,
        ctx: &Context<'_>,
        path: &str,
        data: &[u8],
    ) -> Option<Result<Value, ModuleError>> {
        let _ = (ctx, path, data);
        None
    }

    /// Runs before a transaction's messages, after it was authenticated
    /// (the rest of the Cosmos ante handler).
    ///
    /// # Errors
    ///
    /// A rejection, which rejects the transaction.
    fn ante(&self, ctx: &mut Context<'_>, tx: &Tx) -> Result<(), ModuleError> {
        let _ = (ctx, tx);
        Ok(())
    }

    /// Runs at the start of every block, after the pre-block upgrade check
    /// (an upgrade due at this height is already applied, as after Cosmos'
    /// PreBlocker) and before the transactions: the Cosmos BeginBlocker
    /// (mint's inflation, distribution's rewards). Modules run in
    /// registration order. An error halts the chain: the block is not
    /// committed.
    ///
    /// # Errors
    ///
    /// A broken invariant or a failed read.
    fn begin_block(&self, ctx: &mut Context<'_>) -> Result<(), ModuleError> {
        let _ = ctx;
        Ok(())
    }

    /// Runs at the end of every block, after the transactions (the Cosmos
    /// EndBlocker), in registration order. An error halts the chain: the
    /// block is not committed.
    ///
    /// # Errors
    ///
    /// A broken invariant or a failed read.
    fn end_block(&self, ctx: &mut Context<'_>) -> Result<(), ModuleError> {
        let _ = ctx;
        Ok(())
    }

    /// Executes one of [`Module::msg_types`].
    ///
    /// # Errors
    ///
    /// A rejection, which rejects the whole transaction.
    fn deliver(&self, ctx: &mut Context<'_>, signer: &str, msg: &Msg) -> Result<(), ModuleError> {
        let _ = (ctx, signer);
        Err(ModuleError::Rejected(format!(
            "module {} does not handle {}",
            self.name(),
            msg.type_url
        )))
    }
}

/// A genesis section that does not validate: where and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ValidationError {
    /// JSON path inside the section, e.g. `balances[17].coins[0].amount`
    /// (empty for the section itself).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl ValidationError {
    /// An error at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ValidationError {
            path: path.into(),
            message: message.into(),
        }
    }

    /// Prefixes the path with `parent` (`parent.path` or `parent[i]`).
    pub fn within(mut self, parent: &str) -> Self {
        self.path = join_path(parent, &self.path);
        self
    }
}

/// Joins JSON path segments: `a` + `b` = `a.b`, `a` + `[3]` = `a[3]`.
pub fn join_path(parent: &str, child: &str) -> String {
    match (parent.is_empty(), child.is_empty()) {
        (true, _) => child.to_owned(),
        (false, true) => parent.to_owned(),
        (false, false) if child.starts_with('[') => format!("{parent}{child}"),
        (false, false) => format!("{parent}.{child}"),
    }
}

/// What a module's code can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModuleError {
    /// Reading state failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A genesis section that does not validate.
    #[error("invalid genesis section: {0}")]
    Genesis(#[from] ValidationError),
    /// Stored bytes the module cannot decode.
    #[error("corrupt state in store {store:?} under key {key}: {reason}")]
    CorruptState {
        /// The store.
        store: String,
        /// The key, hex-encoded.
        key: String,
        /// What could not be decoded.
        reason: String,
    },
    /// A transaction or migration step refused by the module's rules.
    #[error("{0}")]
    Rejected(String),
}

impl ModuleError {
    /// A corrupt-state error for `key` in `store`.
    pub fn corrupt(store: &str, key: &[u8], reason: impl Into<String>) -> Self {
        ModuleError::CorruptState {
            store: store.to_owned(),
            key: hex::encode(key),
            reason: reason.into(),
        }
    }
}
