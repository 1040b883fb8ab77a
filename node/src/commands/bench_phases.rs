//! The phases of `bench genesis` and `bench upgrade`, each run in its own
//! child process (the binary itself, `bench genesis --phase NAME`), so each
//! one's peak memory (the kernel's `VmHWM`) is its own.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Parser;
use serde_json::{Map, Value, json};
use upgrade_runtime::Tx;
use upgrade_runtime::app::AppError;
use upgrade_runtime::genesis::{AppGenesis, ExportOptions, UPGRADE_SECTION};
use upgrade_runtime::store::StateRead;
use upgrade_runtime::upgrade::{Plan, software_upgrade_msg};

use crate::chain::Chain;
use crate::cli::BenchGenesisArgs;
use crate::commands::bench_raw;
use crate::commands::genesis::{migrate_file, write_document};
use crate::home::Home;
use crate::node::NodeSettings;

/// `init`'s arguments, parsed as the CLI parses them.
#[derive(clap::Parser)]
struct InitOnly {
    #[command(flatten)]
    init: crate::cli::InitArgs,
}

/// A benchmark's working directory: `--dir` (created if missing), or a
/// temporary one that is removed when the returned guard is dropped.
pub(crate) fn work_dir(
    dir: Option<&PathBuf>,
) -> anyhow::Result<(PathBuf, Option<tempfile::TempDir>)> {
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            Ok((dir.clone(), None))
        }
        None => {
            let tmp = tempfile::tempdir().context("cannot create a temporary directory")?;
            Ok((tmp.path().to_owned(), Some(tmp)))
        }
    }
}

/// One phase's measurements.
pub(crate) type Metrics = Map<String, Value>;

/// Runs `bench genesis --phase NAME ...` and parses its metrics.
pub(crate) fn child(
    args: &BenchGenesisArgs,
    phase: &str,
    extra: &[(&str, &Path)],
    release: Option<&str>,
) -> anyhow::Result<Metrics> {
    let exe = std::env::current_exe().context("cannot find this binary")?;
    let mut cmd = Command::new(exe);
    cmd.args(["bench", "genesis", "--phase", phase])
        .args(["--accounts", &args.accounts.to_string()])
        .args(["--seed", &args.seed.to_string()])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (flag, path) in extra {
        cmd.arg(flag).arg(path);
    }
    if let Some(release) = release {
        cmd.args(["--release", release]);
    }
    let out = cmd
        .output()
        .with_context(|| format!("cannot run phase {phase}"))?;
    if !out.status.success() {
        bail!(
            "phase {phase} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    // The metrics are the last line: a phase that runs a command (init)
    // lets it print what it prints.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty());
    serde_json::from_str(last.unwrap_or_default())
        .with_context(|| format!("phase {phase} printed no metrics"))
}

fn path_arg<'a>(p: &'a Option<PathBuf>, flag: &str) -> anyhow::Result<&'a Path> {
    p.as_deref()
        .with_context(|| format!("this phase needs {flag}"))
}

pub(crate) fn run_phase(
    chain: &Chain,
    phase: &str,
    args: &BenchGenesisArgs,
) -> anyhow::Result<Metrics> {
    let (v1, v2) = first_upgrade(chain)?;
    let mut m = Metrics::new();
    let input = || path_arg(&args.input, "--input");
    let output = || path_arg(&args.output_file, "--output-file");
    let home = || path_arg(&args.home, "--home").map(|h| Home::new(&h.display().to_string()));
    let t = Instant::now();
    match phase {
        "generate" => {
            // What `init --accounts` writes before importing it: the
            // generator's stream.
            let release = chain.resolve_release(Some(v1))?;
            let scratch = input()?.parent().unwrap_or(Path::new("."));
            crate::commands::init_home::write_generated(
                chain,
                &release,
                (args.accounts, args.seed, "bench-1"),
                scratch,
                input()?,
            )?;
            m.insert("accounts".into(), json!(args.accounts));
            m.insert("bytes".into(), json!(file_len(input()?)));
        }
        "raw-parse" => {
            let bytes = std::fs::read(input()?)?;
            let t = Instant::now();
            let value: Value = serde_json::from_slice(&bytes)?;
            m.insert("seconds".into(), json!(t.elapsed().as_secs_f64()));
            m.insert("bytes".into(), json!(bytes.len()));
            drop(value);
        }
        "raw-serialize" => {
            let value: Value = serde_json::from_slice(&std::fs::read(input()?)?)?;
            let t = Instant::now();
            write_document(Some(output()?), |w| {
                serde_json::to_writer_pretty(&mut *w, &value)?;
                Ok(())
            })?;
            m.insert("seconds".into(), json!(t.elapsed().as_secs_f64()));
            m.insert("bytes".into(), json!(file_len(output()?)));
        }
        "import" => {
            // Exactly `init --genesis FILE --home H --release R`.
            let home = path_arg(&args.home, "--home")?.display().to_string();
            let file = input()?.display().to_string();
            let mut argv = vec!["init", "--home", &home, "--genesis", &file];
            if let Some(release) = &args.release {
                argv.extend(["--release", release.as_str()]);
            }
            crate::commands::init::run(chain, InitOnly::parse_from(argv).init)?;
            m.insert("bytes".into(), json!(file_len(input()?)));
        }
        "halt" => {
            let home = home()?;
            let genesis_release = chain.resolve_release(Some(v1))?;
            let mut app = chain.open_app(&home, &genesis_release, &NodeSettings::default())?;
            let height = app.last_commit().map_or(0, |c| c.height) + 1;
            let plan = Plan {
                name: v2.into(),
                height: height + 1,
                info: "bench".into(),
            };
            let msg = software_upgrade_msg(&chain.authority(), &plan);
            let (_, outcomes) = app.execute_block(&[Tx {
                signer: chain.authority(),
                msgs: vec![msg],
            }])?;
            if let Some(rejected) = outcomes.iter().find(|o| o.code != 0) {
                bail!("scheduling {v2} was rejected: {}", rejected.log);
            }
            match app.begin_block() {
                Err(AppError::UpgradeNeeded { .. }) => {}
                Err(e) => return Err(e.into()),
                Ok(_) => bail!("{v1} did not halt at the {v2} height"),
            }
        }
        "export" | "export-in-memory" => {
            let app = chain.open_for_reading(&home()?)?;
            let options = ExportOptions::default();
            let t = Instant::now();
            write_document(Some(output()?), |w| {
                if phase == "export" {
                    app.export_genesis_to(&mut *w, &options)?;
                } else {
                    let doc = app.export_genesis_with(&options)?;
                    serde_json::to_writer_pretty(&mut *w, &doc)?;
                }
                Ok(())
            })?;
            m.insert("seconds".into(), json!(t.elapsed().as_secs_f64()));
            m.insert("bytes".into(), json!(file_len(output()?)));
        }
        "scan" => {
            // What any full read costs: the storage engine caches the pages
            // it reads, so this peak is the floor under an export's.
            let app = chain.open_for_reading(&home()?)?;
            let snapshot = app.snapshot()?;
            let t = Instant::now();
            let (mut keys, mut bytes) = (0u64, 0u64);
            for store in app.manager().store_names() {
                for item in snapshot.prefix(store, b"")? {
                    let (k, v) = item?;
                    keys += 1;
                    bytes += (k.len() + v.len()) as u64;
                }
            }
            m.insert("seconds".into(), json!(t.elapsed().as_secs_f64()));
            m.insert("keys".into(), json!(keys));
            m.insert("key_value_bytes".into(), json!(bytes));
        }
        "migrate" => {
            let target = args.release.as_deref().unwrap_or(v2);
            migrate_file(chain, target, input()?, Some(output()?), None, false)?;
            m.insert("bytes".into(), json!(file_len(input()?)));
        }
        "upgrade" => {
            let release = chain.resolve_release(args.release.as_deref())?;
            let mut app = chain.open_app(&home()?, &release, &NodeSettings::default())?;
            let t = Instant::now();
            let mut block = app.begin_block()?;
            if block.applied_upgrade().is_none() {
                bail!("release {} applied no upgrade", release.name);
            }
            app.end_block(&mut block)?;
            let info = app.commit(block)?;
            let stats = app.storage().last_session_stats();
            m.insert("seconds".into(), json!(t.elapsed().as_secs_f64()));
            m.insert("app_hash".into(), json!(info.app_hash.to_hex()));
            m.insert("writes".into(), json!(stats.writes));
            m.insert("batches".into(), json!(stats.batches));
            m.insert(
                "lattice_seconds".into(),
                json!(stats.lattice_time.as_secs_f64()),
            );
            m.insert(
                "lattice_wait_seconds".into(),
                json!(stats.lattice_wait.as_secs_f64()),
            );
            m.insert(
                "write_seconds".into(),
                json!(stats.write_time.as_secs_f64()),
            );
        }
        "init-accounts" => {
            // Exactly `init --accounts N --home H`.
            let home = path_arg(&args.home, "--home")?.display().to_string();
            let accounts = args.accounts.to_string();
            let seed = args.seed.to_string();
            let mut argv = vec![
                "init",
                "--home",
                &home,
                "--accounts",
                &accounts,
                "--seed",
                &seed,
            ];
            if let Some(release) = &args.release {
                argv.extend(["--release", release.as_str()]);
            }
            crate::commands::init::run(chain, InitOnly::parse_from(argv).init)?;
        }
        "diff" => {
            // --input: the state file before; --home: the node after.
            let after = path_arg(&args.home, "--home")?
                .join("data")
                .join("state.redb");
            let counts = bench_raw::diff(input()?, &after, output()?)?;
            m.insert("rows_set".into(), json!(counts.set));
            m.insert("rows_removed".into(), json!(counts.removed));
        }
        "raw-rewrite" => {
            // --input: the change file; --output-file: a copy of the state before.
            let seconds = bench_raw::rewrite(output()?, input()?)?;
            m.insert("seconds".into(), json!(seconds));
        }
        "compare" => {
            let in_place = AppGenesis::read(input()?)?;
            let migrated = AppGenesis::read(output()?)?;
            let strip = |doc: &AppGenesis| {
                let mut state = doc.app_state.clone();
                if let Some(Value::Object(section)) = state.get_mut(UPGRADE_SECTION) {
                    section.remove("ledger");
                }
                state
            };
            let (a, b) = (strip(&in_place), strip(&migrated));
            let differing: std::collections::BTreeSet<&String> = a
                .keys()
                .chain(b.keys())
                .filter(|k| a.get(*k) != b.get(*k))
                .collect();
            m.insert("equal".into(), json!(differing.is_empty()));
            m.insert("differing_sections".into(), json!(differing));
        }
        other => bail!("unknown bench phase {other:?}"),
    }
    m.entry("seconds")
        .or_insert_with(|| json!(t.elapsed().as_secs_f64()));
    Ok(m)
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// This process's peak resident set, from `/proc/self/status` (`VmHWM`);
/// `None` where there is no procfs.
pub(crate) fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The genesis release and the first upgrade: what the benchmark measures.
pub(crate) fn first_upgrade(chain: &Chain) -> anyhow::Result<(&'static str, &'static str)> {
    match chain.releases().names()[..] {
        [first, second, ..] => Ok((first, second)),
        _ => bail!("the benchmark needs a chain with at least two releases"),
    }
}
