//! An in-place testnet (the Cosmos SDK's `in-place-testnet`): a copy of a
//! node's state, changed in one block so operators can rehearse the next
//! upgrade on real state. What such a block may change besides module
//! state (funded accounts): the chain id, and the upgrade authority.

use super::chain::CHAIN_ID_META;
use super::{App, AppError, Block};
use crate::context::Context;
use crate::upgrade::set_authority;

impl App {
    /// A context of `module` writing into `block`, for changes made outside
    /// transactions (an in-place testnet's funding).
    ///
    /// # Errors
    ///
    /// The module is not registered.
    pub fn module_context<'a>(
        &'a self,
        block: &'a mut Block,
        module: &str,
    ) -> Result<Context<'a>, AppError> {
        Ok(self
            .manager
            .context(module, &mut block.delta, block.height)?)
    }

    /// Makes `address` the upgrade authority in `block`.
    pub fn set_authority_in(&self, block: &mut Block, address: &str) {
        set_authority(&mut block.delta, address);
    }

    /// Records `chain_id` as the node's chain id with `block`.
    pub fn set_chain_id_in(&self, block: &mut Block, chain_id: &str) {
        block.set_node_meta(CHAIN_ID_META, chain_id.as_bytes().to_vec());
    }
}
