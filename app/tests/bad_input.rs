//! Bad input to the real binary: malformed or invalid genesis files, homes
//! that are not node homes, state files that are not ours, truncated or
//! corrupt, unknown releases and malformed flags. Every case fails with exit
//! code 1 (2 for clap's own errors), a message that names the file and what
//! is wrong, no panic, and nothing written.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{appd, init, s, state_file, status, tree};
use serde_json::{Value, json};
use upgrade_runtime::store::{Backend, RedbBackend};

/// A small generated genesis (3 accounts) to break in various ways.
fn base_genesis() -> &'static str {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("base");
        init(&home, 3, 1);
        std::fs::read_to_string(home.join("config/genesis.json")).unwrap()
    })
}

/// The base genesis as JSON, changed by `edit`.
fn edited(edit: impl FnOnce(&mut Value)) -> String {
    let mut genesis: Value = serde_json::from_str(base_genesis()).unwrap();
    edit(&mut genesis);
    serde_json::to_string_pretty(&genesis).unwrap()
}

/// Replaces the temporary directory in a message with `[TMP]`.
fn scrub(message: &str, tmp: &Path) -> String {
    message.replace(s(tmp), "[TMP]")
}

/// Writes `contents` as `<name>.json`, runs `appd init --genesis` with it on
/// a home that does not exist and on an existing empty home, checks both
/// refuse without leaving anything behind, and returns the message (with
/// the temporary directory as `[TMP]`).
fn init_refuses(name: &str, contents: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join(format!("{name}.json"));
    std::fs::write(&file, contents).unwrap();

    let absent = tmp.path().join("absent-home");
    let out = appd(&common::init_genesis_args(&absent, &file)).failed();
    assert!(
        !absent.exists(),
        "{name}: init created the home {} although it failed",
        absent.display()
    );
    assert!(
        out.error().contains(s(&file)),
        "{name}: the message does not name the file: {}",
        out.error()
    );
    assert!(
        out.stdout.is_empty(),
        "{name}: unexpected output {}",
        out.stdout
    );

    let empty = tmp.path().join("empty-home");
    std::fs::create_dir(&empty).unwrap();
    let again = appd(&common::init_genesis_args(&empty, &file)).failed();
    assert!(
        tree(&empty).is_empty(),
        "{name}: init left {:?} in an existing empty home",
        tree(&empty)
    );
    assert_eq!(
        scrub(&again.error(), tmp.path()).replace("empty-home", "absent-home"),
        scrub(&out.error(), tmp.path()),
        "{name}: the message depends on whether the home existed"
    );
    // The file itself is untouched.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), contents);
    scrub(&out.error(), tmp.path())
}

#[test]
fn genesis_truncated_json() {
    let base = base_genesis();
    let msg = init_refuses("truncated", &base[..base.len() / 2]);
    insta::assert_snapshot!(msg, @"genesis file [TMP]/truncated.json is malformed at app_state.bank.balances[5].address (line 368, column 44): EOF while parsing a string at line 368 column 44");
}

#[test]
fn genesis_not_json_at_all() {
    let msg = init_refuses("garbage", "this is not JSON\n");
    insta::assert_snapshot!(msg, @"genesis file [TMP]/garbage.json is malformed at . (line 1, column 2): expected ident at line 1 column 2");
}

#[test]
fn genesis_wrong_type_of_initial_height() {
    let msg = init_refuses("wrong_type", &edited(|g| g["initial_height"] = json!("x")));
    insta::assert_snapshot!(msg, @r#"genesis file [TMP]/wrong_type.json is malformed at initial_height (line 6, column 24): expected a height (a non-negative integer, as a number or a decimal string), found "x" at line 6 column 24"#);
}

#[test]
fn genesis_unknown_top_level_field() {
    // `validators` and `consensus_params` belong to CometBFT's envelope;
    // a field of neither is refused.
    let msg = init_refuses("unknown_field", &edited(|g| g["validator_set"] = json!([])));
    insta::assert_snapshot!(msg, @"genesis file [TMP]/unknown_field.json is malformed at validator_set (line 832, column 18): unknown field `validator_set`, expected one of `app_name`, `app_version`, `genesis_time`, `chain_id`, `initial_height`, `app_hash`, `app_state`, `consensus`, `consensus_params`, `validators` at line 832 column 18");
}

#[test]
fn genesis_amount_as_a_number() {
    let msg = init_refuses(
        "number_amount",
        &edited(|g| g["app_state"]["bank"]["balances"][1]["coins"][0]["amount"] = json!(5)),
    );
    insta::assert_snapshot!(msg, @"[TMP]/number_amount.json is not a valid genesis for release v1.0.0: invalid genesis: app_state.bank.balances[1].coins[0].amount: invalid type: integer `5`, expected an amount as a decimal string");
}

#[test]
fn genesis_negative_amount() {
    let msg = init_refuses(
        "negative",
        &edited(|g| g["app_state"]["bank"]["balances"][1]["coins"][0]["amount"] = json!("-5")),
    );
    insta::assert_snapshot!(msg, @r#"[TMP]/negative.json is not a valid genesis for release v1.0.0: invalid genesis: app_state.bank.balances[1].coins[0].amount: invalid amount: "-5" is negative"#);
}

#[test]
fn genesis_unsorted_denoms() {
    let msg = init_refuses(
        "unsorted",
        &edited(|g| {
            let coins = g["app_state"]["bank"]["balances"][1]["coins"]
                .as_array_mut()
                .unwrap();
            assert!(
                coins.len() >= 2,
                "the base genesis must have an account with two denoms"
            );
            coins.reverse();
        }),
    );
    insta::assert_snapshot!(msg, @r#"[TMP]/unsorted.json is not a valid genesis for release v1.0.0: invalid genesis: app_state.bank.balances[1].coins[1].denom: coins are not sorted by denom: "stake" comes after "uatom""#);
}

#[test]
fn genesis_supply_mismatch() {
    let msg = init_refuses(
        "supply",
        &edited(|g| g["app_state"]["bank"]["supply"][1]["amount"] = json!("1")),
    );
    insta::assert_snapshot!(msg, @"[TMP]/supply.json is not a valid genesis for release v1.0.0: invalid genesis: app_state.bank.supply[1].amount: supply of stake is 1 but the balances sum to 32010703747348");
}

#[test]
fn a_missing_section_starts_its_module_from_the_default_genesis() {
    // As the SDK's module manager does: no `crisis` section, crisis' default.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("no_crisis.json");
    std::fs::write(
        &file,
        edited(|g| {
            g["app_state"]
                .as_object_mut()
                .unwrap()
                .remove("crisis")
                .unwrap();
        }),
    )
    .unwrap();
    let home = tmp.path().join("node");
    let args = common::init_genesis_args(&home, &file);
    // The notice is logged at info, which the tests' default level hides.
    let mut cmd = common::command(&args);
    cmd.env("RUST_LOG", "info");
    let out = common::run(cmd, &args).ok();
    assert!(
        out.stderr.contains("module=\"crisis\"")
            && out
                .stderr
                .contains("no genesis section: the module starts from its default genesis"),
        "{}",
        out.stderr
    );
    let exported = appd(&["export", "--home", s(&home)]).ok().json();
    assert_eq!(
        exported["app_state"]["crisis"],
        json!({"constant_fee": {"denom": "stake", "amount": "1000"}})
    );
}

#[test]
fn unknown_sections_are_named_together_and_dropped_only_when_asked() {
    let contents = edited(|g| {
        g["app_state"]["staking"] = json!({});
        g["app_state"]["gov"] = json!({});
        g["app_state"]["distribution"] = json!({});
    });
    let msg = init_refuses("unknown_sections", &contents);
    insta::assert_snapshot!(msg, @"[TMP]/unknown_sections.json has 3 section(s) of modules this binary does not have: staking, gov, distribution; pass --drop-unknown-sections to drop them (they are listed as they are dropped)");
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("unknown.json");
    std::fs::write(&file, &contents).unwrap();
    let home = tmp.path().join("node");
    let out = appd(&[
        "init",
        "--home",
        s(&home),
        "--release",
        "v1.0.0",
        "--genesis",
        s(&file),
        "--drop-unknown-sections",
    ])
    .ok();
    assert!(
        out.stderr
            .contains("dropped 3 unknown section(s): staking, gov, distribution"),
        "{}",
        out.stderr
    );
    // The home's genesis is the file without them, everything else kept
    // (written as a stream, like the import).
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(home.join("config/genesis.json")).unwrap()).unwrap();
    let mut expected: serde_json::Value = serde_json::from_str(&contents).unwrap();
    for name in ["staking", "gov", "distribution"] {
        expected["app_state"]
            .as_object_mut()
            .unwrap()
            .shift_remove(name);
    }
    assert_eq!(written, expected);
    let validated = appd(&["genesis", "validate", s(&file), "--drop-unknown-sections"]).ok();
    assert!(
        validated.stdout.contains("is a valid genesis file"),
        "{}",
        validated.stdout
    );
}

/// Fails only after the home's directories were created: they must be removed.
#[test]
fn genesis_recorded_for_other_module_versions() {
    let msg = init_refuses(
        "other_versions",
        &edited(|g| {
            g["app_state"]["upgrade"] = json!({"module_versions": [
                {"name": "auth", "version": "2"},
                {"name": "bank", "version": "2"},
                {"name": "feegrant", "version": "1"},
            ]});
        }),
    );
    insta::assert_snapshot!(msg, @r#"cannot initialise [TMP]/absent-home: [TMP]/other_versions.json was exported by release v2.0.0 (module versions auth 2, bank 2, feegrant 1), newer than release v1.0.0 (auth 1, bank 1, crisis 1); genesis files cannot be migrated back: act as release v2.0.0 or later (--release v2.0.0)"#);
}

/// Fails only after InitChain computed the state: the state file must go too.
#[test]
fn genesis_app_hash_mismatch() {
    let msg = init_refuses(
        "app_hash",
        &edited(|g| g["app_hash"] = json!("00".repeat(32))),
    );
    assert!(msg.contains(&"0".repeat(64)), "{msg}");
    let mut settings = insta::Settings::clone_current();
    settings.add_filter("[0-9a-f]{64}", "[HASH]");
    settings.bind(|| {
        insta::assert_snapshot!(msg, @"cannot initialise [TMP]/absent-home from [TMP]/app_hash.json: genesis app_hash [HASH] does not match the initialised state's app hash [HASH]; the file's app_state is not the state its app_hash describes: use the file as exported, or clear app_hash");
    });
}

fn init_with_missing_genesis_file() -> String {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let missing = tmp.path().join("nowhere.json");
    let out = appd(&["init", "--home", s(&home), "--genesis", s(&missing)]).failed();
    assert!(!home.exists());
    scrub(&out.error(), tmp.path())
}

#[test]
fn genesis_file_that_does_not_exist() {
    let msg = init_with_missing_genesis_file();
    assert!(
        msg.starts_with("cannot read genesis file [TMP]/nowhere.json: No such file or directory"),
        "{msg}"
    );
}

/// anyhow's `{:#}` prints the source chain; a source also interpolated into
/// its parent's message is printed twice.
#[test]
fn genesis_file_that_does_not_exist_is_reported_once() {
    insta::assert_snapshot!(init_with_missing_genesis_file(), @"cannot read genesis file [TMP]/nowhere.json: No such file or directory (os error 2)");
}

/// The error for a genesis recorded by other module versions tells the
/// operator to run `appd genesis migrate`; that command must exist.
#[test]
fn the_command_the_version_error_suggests_exists() {
    let out = appd(&["genesis", "migrate", "--help"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

// ---------------------------------------------------------------------------
// Homes and state files.

/// Runs the commands that open a home (`status`, `start`, `export`,
/// `upgrade show`, `query`) and checks each refuses, without panicking, with
/// a message naming `names`; returns the messages in that order (temp dir
/// scrubbed).
fn every_command_refuses(home: &Path, names: &Path, tmp: &Path) -> Vec<String> {
    let h = s(home);
    let commands: [&[&str]; 5] = [
        &["status", "--home", h],
        &[
            "start",
            "--home",
            h,
            "--release",
            "v1.0.0",
            "--blocks",
            "2",
            "--txs-per-block",
            "1",
        ],
        &["export", "--home", h],
        &["upgrade", "show", "--home", h],
        &[
            "query",
            "bank",
            "balance",
            "cosmos1jv65s3grqf6v6jl3dp4t6c9t9rk99cd88lyufl",
            "--home",
            h,
        ],
    ];
    let mut messages = Vec::new();
    for args in commands {
        let out = appd(args).failed();
        let msg = out.error();
        assert!(
            msg.contains(s(names)),
            "appd {args:?}: the message does not name {}: {msg}",
            names.display()
        );
        assert!(
            out.stdout.is_empty(),
            "appd {args:?} printed {}",
            out.stdout
        );
        messages.push(scrub(&msg, tmp));
    }
    messages
}

#[test]
fn home_that_does_not_exist() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("nope");
    let msg = every_command_refuses(&home, &home, tmp.path()).remove(0);
    assert!(!home.exists(), "a command created the missing home");
    insta::assert_snapshot!(msg, @"no node home at [TMP]/nope: the directory does not exist; run `appd init --home [TMP]/nope` first");
}

#[test]
fn home_that_is_not_a_node_home() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("documents");
    std::fs::create_dir(&home).unwrap();
    std::fs::write(home.join("notes.txt"), "not a node").unwrap();
    let before = tree(&home);
    let msg = every_command_refuses(&home, &home, tmp.path()).remove(0);
    assert_eq!(
        tree(&home),
        before,
        "a command wrote into a directory that is not a node home"
    );
    insta::assert_snapshot!(msg, @"[TMP]/documents is not a node home: [TMP]/documents/data/state.redb is missing; run `appd init --home [TMP]/documents` to create one, or pass the right --home");
}

/// A home whose `data/state.redb` holds `bytes`: every command refuses, and
/// the file is byte-identical afterwards. Returns the messages of
/// [`every_command_refuses`].
fn state_file_refused(name: &str, bytes: &[u8]) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join(name);
    std::fs::create_dir_all(home.join("data")).unwrap();
    let file = state_file(&home);
    std::fs::write(&file, bytes).unwrap();
    let msg = every_command_refuses(&home, &file, tmp.path());
    assert!(
        std::fs::read(&file).unwrap() == bytes,
        "{name}: a command wrote to the refused state file"
    );
    msg
}

/// Deterministic noise.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 56) as u8
        })
        .collect()
}

#[test]
fn state_file_of_random_bytes() {
    let msgs = state_file_refused("random", &noise(64 * 1024, 7));
    // Read-only commands and `start` give the same diagnosis.
    assert!(msgs.iter().all(|m| *m == msgs[0]), "{msgs:#?}");
    let msg = &msgs[0];
    insta::assert_snapshot!(msg, @"state file [TMP]/random/data/state.redb cannot be opened: I/O error: Not a redb database: magic number mismatch");
}

#[test]
fn state_file_that_is_a_text_file() {
    let msgs = state_file_refused("text", b"height = 12\napp_hash = \"abc\"\n");
    // Read-only commands and `start` give the same diagnosis.
    assert!(msgs.iter().all(|m| *m == msgs[0]), "{msgs:#?}");
    let msg = &msgs[0];
    insta::assert_snapshot!(msg, @"state file [TMP]/text/data/state.redb cannot be opened: I/O error: Not a redb database: magic number mismatch");
}

#[test]
fn state_file_that_is_empty() {
    let msgs = state_file_refused("empty", b"");
    // Read-only commands and `start` give the same diagnosis.
    assert!(msgs.iter().all(|m| *m == msgs[0]), "{msgs:#?}");
    let msg = &msgs[0];
    insta::assert_snapshot!(msg, @"state file [TMP]/empty/data/state.redb cannot be opened: I/O error: Database file is empty and creating a new database was not requested");
}

/// A real state file after a few blocks (50 accounts), as bytes.
fn real_state_file() -> Vec<u8> {
    static REAL: OnceLock<Vec<u8>> = OnceLock::new();
    REAL.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("real");
        init(&home, 50, 3);
        appd(&[
            "start",
            "--home",
            s(&home),
            "--release",
            "v1.0.0",
            "--blocks",
            "5",
            "--txs-per-block",
            "5",
        ])
        .ok();
        std::fs::read(state_file(&home)).unwrap()
    })
    .clone()
}

fn truncated_state_file_messages() -> Vec<String> {
    let real = real_state_file();
    state_file_refused("truncated", &real[..real.len() / 2])
}

#[test]
fn state_file_truncated_to_half() {
    let msgs = truncated_state_file_messages();
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        r"file_len=\d+, layout_len=\d+",
        "file_len=[N], layout_len=[N]",
    );
    // `start` (the read-write open) says what is wrong.
    settings.bind(|| insta::assert_snapshot!(msgs[1], @"state file [TMP]/truncated/data/state.redb cannot be opened: it is corrupt or truncated (File truncated below stored layout: file_len=[N], layout_len=[N]); restore it from a backup or re-run `appd init` on a new home"));
}

/// The read-only commands tell the operator to run `appd start` to recover
/// a file that was closed cleanly and then truncated; `start` then reports
/// the truncation. They should say it is corrupt or truncated right away.
#[test]
fn state_file_truncated_to_half_is_diagnosed_by_read_only_commands() {
    let msgs = truncated_state_file_messages();
    for (command, msg) in ["status", "export", "upgrade show", "query"]
        .into_iter()
        .zip([&msgs[0], &msgs[2], &msgs[3], &msgs[4]])
    {
        assert!(msg.contains("corrupt or truncated"), "{command}: {msg}");
    }
}

#[test]
fn state_file_with_a_corrupt_header() {
    let mut bytes = real_state_file();
    for b in &mut bytes[..512] {
        *b ^= 0x5a;
    }
    let msgs = state_file_refused("bad_header", &bytes);
    assert!(
        msgs.iter().all(
            |m| m.starts_with("state file [TMP]/bad_header/data/state.redb cannot be opened: ")
        ),
        "{msgs:#?}"
    );
}

/// A valid redb file that this runtime did not write.
fn foreign_redb_file() -> Vec<u8> {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("other.redb");
    {
        let backend = RedbBackend::create(&path).unwrap();
        let mut txn = backend.begin_write().unwrap();
        txn.write_batch("settings", &[(b"colour".to_vec(), Some(b"blue".to_vec()))])
            .unwrap();
        txn.commit().unwrap();
    }
    std::fs::read(&path).unwrap()
}

#[test]
fn state_file_written_by_another_program_is_refused_and_left_byte_identical() {
    let msgs = state_file_refused("foreign", &foreign_redb_file());
    insta::assert_snapshot!(msgs[0], @"state file [TMP]/foreign/data/state.redb cannot be opened: corrupt format marker: missing; this is not a state file of this runtime");
    insta::assert_snapshot!(msgs[1], @"state file [TMP]/foreign/data/state.redb cannot be opened: corrupt format marker: missing; this is not a state file of this runtime; the node refuses to start rather than guess");
}

/// Bytes in the middle of a real state file overwritten: every command
/// either refuses cleanly (exit 1, message naming the file, file untouched)
/// or, if only free pages were hit, serves exactly the original state. It
/// never panics and never serves different data.
#[test]
fn state_file_corrupted_in_the_middle() {
    let real = real_state_file();
    let tmp = tempfile::tempdir().unwrap();
    let start: [&str; 9] = [
        "start",
        "--release",
        "v1.0.0",
        "--blocks",
        "1",
        "--txs-per-block",
        "5",
        "--output",
        "json",
    ];
    let commands: [&[&str]; 3] = [&["status", "--output", "json"], &["export"], &start];
    // What each command prints on the intact file.
    let pristine = tmp.path().join("pristine");
    std::fs::create_dir_all(pristine.join("data")).unwrap();
    let expected: Vec<Value> = commands
        .iter()
        .map(|args| {
            std::fs::write(state_file(&pristine), &real).unwrap();
            let mut full = args.to_vec();
            full.extend(["--home", s(&pristine)]);
            let mut v = appd(&full).ok().json();
            v.as_object_mut().unwrap().remove("seconds");
            v
        })
        .collect();

    let n = real.len();
    // One page in the middle, a few bytes in the middle, the middle third.
    let spans: [(usize, usize); 3] = [
        (n / 2 - 2048, n / 2 + 2048),
        (n / 2, n / 2 + 16),
        (n / 3, 2 * n / 3),
    ];
    let mut problems = Vec::new();
    for (k, (from, to)) in spans.into_iter().enumerate() {
        let mut bytes = real.clone();
        for b in &mut bytes[from..to] {
            *b ^= 0xa5;
        }
        let home = tmp.path().join(format!("corrupt{k}"));
        std::fs::create_dir_all(home.join("data")).unwrap();
        let file = state_file(&home);
        for (args, expected) in commands.iter().zip(&expected) {
            std::fs::write(&file, &bytes).unwrap();
            let mut full = args.to_vec();
            full.extend(["--home", s(&home)]);
            let out = appd(&full);
            let what = format!("bytes {from}..{to} of {n}, appd {}", args[0]);
            if out.stderr.contains("panicked") || out.code != Some(0) && out.code != Some(1) {
                let line = out
                    .stderr
                    .lines()
                    .find(|l| l.contains("panicked") || l.contains("rror"))
                    .unwrap_or("");
                let next = out
                    .stderr
                    .lines()
                    .skip_while(|l| !l.contains("panicked"))
                    .nth(1)
                    .unwrap_or("");
                problems.push(format!("{what}: exit {:?}, {line} {next}", out.code));
            } else if out.code == Some(0) {
                // Only acceptable if the corruption hit unused space.
                let mut v: Value = serde_json::from_str(&out.stdout).unwrap();
                v.as_object_mut().unwrap().remove("seconds");
                if v != *expected {
                    problems.push(format!("{what}: succeeded with different output"));
                }
            } else {
                if !out.error().contains(s(&file)) {
                    problems.push(format!(
                        "{what}: message does not name the file: {}",
                        out.error()
                    ));
                }
                if std::fs::read(&file).unwrap() != bytes {
                    problems.push(format!(
                        "{what}: refused, but wrote to the corrupt state file"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------
// Initialised homes.

fn initialised(tmp: &Path) -> PathBuf {
    let home = tmp.join("node");
    init(&home, 20, 4);
    home
}

#[test]
fn init_on_an_initialised_home_refuses_and_leaves_it_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let home = initialised(tmp.path());
    let before = tree(&home);
    let out = appd(&[
        "init",
        "--home",
        s(&home),
        "--release",
        "v1.0.0",
        "--accounts",
        "5",
        "--seed",
        "1",
    ])
    .failed();
    insta::assert_snapshot!(scrub(&out.error(), tmp.path()), @"[TMP]/node already holds a chain ([TMP]/node/data/state.redb exists); use another --home or remove it");
    // With a genesis file too (its own genesis, valid).
    let genesis = tmp.path().join("genesis.json");
    std::fs::copy(home.join("config/genesis.json"), &genesis).unwrap();
    let again = appd(&["init", "--home", s(&home), "--genesis", s(&genesis)]).failed();
    assert_eq!(again.error(), out.error());
    assert!(tree(&home) == before, "init changed an initialised home");
    assert_eq!(status(&home)["height"], 0);
}

#[test]
fn start_with_an_unknown_release_lists_the_known_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let home = initialised(tmp.path());
    let before = tree(&home);
    let out = appd(&[
        "start",
        "--home",
        s(&home),
        "--release",
        "v9.9.9",
        "--blocks",
        "1",
    ])
    .failed();
    insta::assert_snapshot!(out.error(), @r#"unknown release "v9.9.9": this binary knows v1.0.0, v2.0.0, v3.0.0"#);
    assert!(
        tree(&home) == before,
        "start with an unknown release changed the home"
    );
    // init and genesis validate name the same releases.
    let init_out = appd(&[
        "init",
        "--home",
        s(&tmp.path().join("other")),
        "--release",
        "v9.9.9",
    ])
    .failed();
    assert_eq!(init_out.error(), out.error());
    assert!(!tmp.path().join("other").exists());
}

#[test]
fn start_with_a_malformed_migration_batch_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let home = initialised(tmp.path());
    let before = tree(&home);
    let out = appd(&["start", "--home", s(&home), "--migration-batch", "abc"]);
    assert_eq!(
        out.code,
        Some(2),
        "clap's usage errors exit with 2: {}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"));
    assert!(out.stdout.is_empty());
    insta::assert_snapshot!(out.stderr, @r"
    error: invalid value 'abc' for '--migration-batch <MIGRATION_BATCH>': invalid digit found in string

    For more information, try '--help'.
    ");
    assert!(tree(&home) == before);
}

/// `appd status --output json | head -c 0`: the reader went away.
#[test]
fn status_into_a_closed_pipe_does_not_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let home = initialised(tmp.path());
    let mut child = common::command(&["status", "--home", s(&home), "--output", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
}
