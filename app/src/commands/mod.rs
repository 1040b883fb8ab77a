//! One file per command.

pub mod export;
pub mod genesis;
pub mod init;
pub mod query;
pub mod start;
pub mod status;
pub mod upgrade;
