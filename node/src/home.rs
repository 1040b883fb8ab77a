//! The node home: where config and data live, and checks that it is one.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::chain::Chain;
use crate::cli::HomeArg;

/// Paths inside a node home.
#[derive(Clone, Debug)]
pub struct Home {
    root: PathBuf,
}

impl Chain {
    /// The home `--home` names, else `$<BINARY>_HOME`, else `~/.<binary>`.
    pub fn home(&self, arg: &HomeArg) -> Home {
        let variable = format!("{}_HOME", self.name.to_uppercase().replace('-', "_"));
        match (&arg.home, std::env::var(variable)) {
            (Some(given), _) => Home::new(given),
            (None, Ok(from_env)) if !from_env.is_empty() => Home::new(&from_env),
            _ => Home::new(&format!("~/.{}", self.name)),
        }
    }
}

impl Home {
    /// Resolves `--home` (expanding a leading `~`).
    pub fn new(arg: &str) -> Self {
        let root = match arg.strip_prefix("~/") {
            Some(rest) => std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(rest))
                .unwrap_or_else(|| PathBuf::from(arg)),
            None => PathBuf::from(arg),
        };
        Home { root }
    }

    /// The home directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `config/`.
    pub fn config_dir(&self) -> PathBuf {
        self.root.join("config")
    }

    /// `data/`.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// `config/genesis.json`.
    pub fn genesis_file(&self) -> PathBuf {
        self.config_dir().join("genesis.json")
    }

    /// `data/state.redb`.
    pub fn state_file(&self) -> PathBuf {
        self.data_dir().join("state.redb")
    }

    /// Makes the address prefix of the chain in this home the one in
    /// effect, for commands that spell addresses without opening the node
    /// (`keys`, `tx`): the one stored with the state, or, when another
    /// process holds the state, the prefix of `config/genesis.json`'s
    /// addresses. A home without a chain leaves it as it is.
    pub fn apply_address_prefix(&self) {
        if !self.state_file().is_file() {
            return;
        }
        let opened = upgrade_runtime::store::Storage::open_read_only(&self.state_file());
        let applied = match opened {
            Ok(storage) => {
                upgrade_runtime::address_prefix::apply_stored(&storage).map_err(|e| e.to_string())
            }
            Err(e) => match crate::commands::address_prefix::first_prefix(&self.genesis_file()) {
                Ok(Some(prefix)) => upgrade_runtime::address_prefix::set(&prefix),
                _ => Err(e.to_string()),
            },
        };
        if let Err(e) = applied {
            tracing::warn!(
                error = %e,
                prefix = upgrade_runtime::address_prefix::get(),
                "cannot read the chain's address prefix; addresses are spelt with this one"
            );
        }
    }

    /// `data/mempool.json`: transactions submitted for the next block.
    pub fn mempool_file(&self) -> PathBuf {
        self.data_dir().join("mempool.json")
    }

    /// `data/upgrade-info.json`.
    pub fn upgrade_info_file(&self) -> PathBuf {
        self.data_dir().join("upgrade-info.json")
    }

    /// Fails unless this is an initialised node home; the error tells
    /// what to run, with the binary called `binary`.
    ///
    /// # Errors
    ///
    /// The directory or its state file does not exist.
    pub fn require_initialised(&self, binary: &str) -> anyhow::Result<()> {
        if self.root.is_file() {
            bail!(
                "--home {} is a file, not a directory: pass the node's home directory (the one holding config/ and data/)",
                self.root.display()
            );
        }
        if !self.root.is_dir() {
            bail!(
                "no node home at {}: the directory does not exist; run `{binary} init --home {}` first",
                self.root.display(),
                self.root.display()
            );
        }
        let state = self.state_file();
        if !state.is_file() {
            bail!(
                "{} is not a node home: {} is missing; run `{binary} init --home {}` to create one, or pass the right --home",
                self.root.display(),
                state.display(),
                self.root.display()
            );
        }
        Ok(())
    }

    /// Fails if the home already holds a chain.
    ///
    /// # Errors
    ///
    /// The state file exists, or the home is a file.
    pub fn require_uninitialised(&self) -> anyhow::Result<()> {
        if self.state_file().exists() {
            bail!(
                "{} already holds a chain ({} exists); use another --home or remove it",
                self.root.display(),
                self.state_file().display()
            );
        }
        if self.root.is_file() {
            bail!(
                "--home {} is a file, not a directory: pass a directory (it is created if missing)",
                self.root.display()
            );
        }
        Ok(())
    }

    /// Creates `config/` and `data/`.
    ///
    /// # Errors
    ///
    /// A directory cannot be created.
    pub fn create_dirs(&self) -> anyhow::Result<()> {
        for dir in [self.config_dir(), self.data_dir()] {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        Ok(())
    }
}
