//! The `test` keyring backend: one JSON file per key under
//! `<home>/keyring-test/`, holding the private key in hex. Unencrypted, as
//! the Cosmos SDK's `test` backend: for testnets and development only.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use k256::ecdsa::SigningKey;
use serde::{Deserialize, Serialize};

use super::address_of;

/// A stored key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Key {
    /// Its name in the keyring.
    pub name: String,
    /// Its bech32 address.
    pub address: String,
    /// The compressed public key, hex.
    pub pubkey: String,
    /// The private key, hex (the `test` backend does not encrypt it).
    private_key: String,
}

impl Key {
    /// The signing key.
    ///
    /// # Errors
    ///
    /// The stored private key is not a valid secp256k1 scalar.
    pub fn signing_key(&self) -> anyhow::Result<SigningKey> {
        let bytes = hex::decode(&self.private_key).context("the stored private key is not hex")?;
        SigningKey::from_slice(&bytes).context("the stored private key is not a secp256k1 key")
    }
}

/// The keys under a home.
pub struct Keyring {
    dir: PathBuf,
}

impl Keyring {
    /// The `test` keyring of `home`.
    pub fn test(home: &Path) -> Self {
        Keyring {
            dir: home.join("keyring-test"),
        }
    }

    /// Adds a key named `name`: the private key given (hex), else 32 bytes
    /// from the operating system's random source.
    ///
    /// # Errors
    ///
    /// The name is taken or invalid, the key is not valid, or the file
    /// cannot be written.
    pub fn add(&self, name: &str, private_key_hex: Option<&str>) -> anyhow::Result<Key> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            bail!("key name {name:?}: use letters, digits, '-' and '_'");
        }
        let path = self.path(name);
        if path.exists() {
            bail!(
                "a key named {name:?} already exists in {}",
                self.dir.display()
            );
        }
        let secret = match private_key_hex {
            Some(text) => hex::decode(text).context("--private-key is not hex")?,
            None => {
                let mut bytes = vec![0u8; 32];
                std::fs::File::open("/dev/urandom")
                    .and_then(|mut f| f.read_exact(&mut bytes))
                    .context("cannot read /dev/urandom for a new key")?;
                bytes
            }
        };
        let signing =
            SigningKey::from_slice(&secret).context("not a valid secp256k1 private key")?;
        let key = Key {
            name: name.to_owned(),
            address: address_of(&signing),
            pubkey: hex::encode(signing.verifying_key().to_encoded_point(true).as_bytes()),
            private_key: hex::encode(&secret),
        };
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create {}", self.dir.display()))?;
        // Private keys: readable by the owner only.
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot restrict {}", self.dir.display()))?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        std::io::Write::write_all(&mut file, &serde_json::to_vec_pretty(&key)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(key)
    }

    /// The key named `name`.
    ///
    /// # Errors
    ///
    /// No such key, or its file does not decode.
    pub fn get(&self, name: &str) -> anyhow::Result<Key> {
        let path = self.path(name);
        let text = std::fs::read(&path).with_context(|| {
            format!(
                "no key named {name:?} in {} (keys add {name} creates one)",
                self.dir.display()
            )
        })?;
        serde_json::from_slice(&text)
            .with_context(|| format!("{} is not a key file", path.display()))
    }

    /// Every key, by name.
    ///
    /// # Errors
    ///
    /// A key file does not decode.
    pub fn list(&self) -> anyhow::Result<Vec<Key>> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".json")
                    .map(str::to_owned)
            })
            .collect();
        names.sort();
        names.iter().map(|n| self.get(n)).collect()
    }

    /// `KEY_OR_ADDR`: a key's address, or the argument itself when it is a
    /// bech32 address.
    ///
    /// # Errors
    ///
    /// Neither a key of this keyring nor an address (a typo must not hand
    /// the authority, or coins, to a string nobody can sign for).
    pub fn resolve(&self, key_or_address: &str) -> anyhow::Result<String> {
        if let Ok(key) = self.get(key_or_address) {
            return Ok(key.address);
        }
        let prefix = upgrade_runtime::address_prefix::get();
        match bech32::decode(key_or_address) {
            Ok((hrp, data)) if (data.len() == 20 || data.len() == 32) && hrp.as_str() == prefix => {
                Ok(key_or_address.to_owned())
            }
            Ok((hrp, _)) if hrp.as_str() != prefix => bail!(
                "{key_or_address:?} has prefix {:?}, but this chain's addresses start with {prefix:?}; pass a key name or an address of this chain",
                hrp.as_str()
            ),
            _ => bail!(
                "{key_or_address:?} is neither a key in {} nor a bech32 address",
                self.dir.display()
            ),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }
}
