//! `appd`: the example chain application of upgrade-runtime. It wires the
//! example modules and releases and runs them on the embedded store.

mod cli;
mod commands;
mod home;
mod mempool;
mod node;
mod panic_guard;
mod progress;
mod runner;
mod txgen;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// The error and its causes on one line, skipping a cause whose text the
/// message already includes (library errors spell out their source).
fn error_chain(err: &anyhow::Error) -> String {
    let mut message = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let outcome = panic_guard::run_guarded(move || match cli.command {
        cli::Command::Demo(args) => commands::demo::run(args),
        cli::Command::Bench(cli::BenchCommand::Migration(args)) => commands::bench::run(args),
        cli::Command::Bench(cli::BenchCommand::Genesis(args)) => commands::bench_genesis::run(args),
        cli::Command::Init(args) => commands::init::run(args),
        cli::Command::Start(args) => commands::start::run(args),
        cli::Command::Status(args) => commands::status::run(args),
        cli::Command::Query(q) => commands::query::run(q),
        cli::Command::Upgrade(u) => commands::upgrade::run(u),
        cli::Command::Export(args) => commands::export::run(args),
        cli::Command::Genesis(g) => commands::genesis::run(g),
        cli::Command::Migration(m) => commands::migration::run(m),
    });
    let result = match outcome {
        panic_guard::Outcome::Returned(result) => result,
        panic_guard::Outcome::BrokenPipe => return ExitCode::SUCCESS,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Error: {}", error_chain(&err));
            ExitCode::FAILURE
        }
    }
}
