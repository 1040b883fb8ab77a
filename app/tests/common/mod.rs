//! Helpers shared by the end-to-end tests of the `appd` binary: running it,
//! reading its output, node homes in temporary directories, insta settings.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The binary under test.
pub const APPD: &str = env!("CARGO_BIN_EXE_appd");

/// Insta settings writing named snapshots under `snapshots/<file>/` at the
/// workspace root, without module prefixes.
pub fn insta_settings(file: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!(
        "{}/../snapshots/{file}",
        env!("CARGO_MANIFEST_DIR")
    ));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_sort_maps(true);
    settings
}

/// A command prepared the way every test runs `appd`: no `APPD_HOME` from the
/// environment, logs at `warn` unless `RUST_LOG` is given.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(APPD);
    cmd.args(args)
        .env_remove("APPD_HOME")
        .env("RUST_LOG", "warn")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null());
    cmd
}

/// What one run of `appd` did.
#[derive(Debug)]
pub struct Output {
    /// The command line, for failure messages.
    pub args: Vec<String>,
    /// Exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Output {
    /// Panics unless the run succeeded.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code,
            Some(0),
            "appd {:?} failed\nstdout:\n{}\nstderr:\n{}",
            self.args,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Panics unless the run failed the way a handled error fails: exit
    /// code 1, no panic, an `Error:` line on stderr.
    #[track_caller]
    pub fn failed(self) -> Self {
        assert!(
            !self.stderr.contains("panicked"),
            "appd {:?} panicked:\n{}",
            self.args,
            self.stderr
        );
        assert_eq!(
            self.code,
            Some(1),
            "appd {:?} should fail with exit code 1\nstdout:\n{}\nstderr:\n{}",
            self.args,
            self.stdout,
            self.stderr
        );
        assert!(
            self.stderr.contains("Error: "),
            "appd {:?}: no error message on stderr:\n{}",
            self.args,
            self.stderr
        );
        self
    }

    /// The `Error: ...` line(s) the binary printed, without the prefix.
    pub fn error(&self) -> String {
        let start = self.stderr.find("Error: ").unwrap_or_else(|| {
            panic!(
                "no `Error:` in stderr of appd {:?}:\n{}",
                self.args, self.stderr
            )
        });
        self.stderr[start + "Error: ".len()..].trim_end().to_owned()
    }

    /// Standard output parsed as one JSON document.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "appd {:?}: stdout is not JSON ({e}):\n{}",
                self.args, self.stdout
            )
        })
    }
}

/// Runs `appd args...` to completion.
pub fn appd(args: &[&str]) -> Output {
    run(command(args), args)
}

/// Runs a prepared command to completion.
pub fn run(mut cmd: Command, args: &[&str]) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {APPD}: {e}"));
    Output {
        args: args.iter().map(|s| (*s).to_owned()).collect(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A path as a `&str` (temporary paths are UTF-8 on the test machines).
pub fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// `<home>/data/state.redb`.
pub fn state_file(home: &Path) -> PathBuf {
    home.join("data").join("state.redb")
}

/// The private key (hex) of the test chains' upgrade authority, the key
/// `authority` of every home [`init`] creates.
pub const AUTHORITY_KEY_HEX: &str =
    "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";

/// The arguments of `init --home HOME --release v1.0.0 --genesis FILE`,
/// for a test to run or extend with more flags.
pub fn init_genesis_args<'a>(home: &'a Path, file: &'a Path) -> Vec<&'a str> {
    vec![
        "init",
        "--home",
        s(home),
        "--release",
        "v1.0.0",
        "--genesis",
        s(file),
    ]
}

/// `appd keys add authority --private-key ...` then `appd init --home HOME
/// --release v1.0.0 --accounts N --seed S --authority authority --fund
/// authority=1000000stake`: a generated chain whose upgrade authority is a
/// key of the home's keyring.
pub fn init(home: &Path, accounts: u64, seed: u64) -> Output {
    appd(&[
        "keys",
        "add",
        "authority",
        "--private-key",
        AUTHORITY_KEY_HEX,
        "--home",
        s(home),
    ])
    .ok();
    appd(&[
        "init",
        "--home",
        s(home),
        "--release",
        "v1.0.0",
        "--accounts",
        &accounts.to_string(),
        "--seed",
        &seed.to_string(),
        "--authority",
        "authority",
        "--fund",
        "authority=1000000stake",
    ])
    .ok()
}

/// `appd status --home HOME --output json`, parsed.
pub fn status(home: &Path) -> Value {
    appd(&["status", "--home", s(home), "--output", "json"])
        .ok()
        .json()
}

/// `appd export --home HOME --output-document <home>/../<name>`, parsed.
pub fn export(home: &Path) -> Value {
    let out = home.with_extension("export.json");
    appd(&["export", "--home", s(home), "--output-document", s(&out)]).ok();
    let text = std::fs::read_to_string(&out).expect("export written");
    serde_json::from_str(&text).expect("export is JSON")
}

/// Initialises a fresh home beside `exported` from it (as `release`) and
/// exports that home: the two documents must be byte for byte the same.
#[track_caller]
pub fn assert_reimport_exports_the_same(exported: &Path, release: &str) {
    let home = exported.with_extension("reimported");
    appd(&[
        "init",
        "--home",
        s(&home),
        "--release",
        release,
        "--genesis",
        s(exported),
    ])
    .ok();
    export(&home);
    let again = std::fs::read(home.with_extension("export.json")).expect("export written");
    assert!(
        std::fs::read(exported).expect("the first export") == again,
        "export -> init -> export changed {}",
        exported.display()
    );
}

/// Every file under `dir` with its bytes, sorted by path (to show that a
/// command left a directory exactly as it was).
pub fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                out.push((path.clone(), Vec::new()));
                walk(&path, out);
            } else {
                let bytes = std::fs::read(&path).expect("readable file");
                out.push((path, bytes));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}
