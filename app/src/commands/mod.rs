//! One file per command.

pub mod bench;
pub mod bench_genesis;
pub mod demo;
pub mod export;
pub mod genesis;
pub mod init;
pub mod migration;
pub mod plan;
pub mod query;
pub mod start;
pub mod status;
pub mod upgrade;
