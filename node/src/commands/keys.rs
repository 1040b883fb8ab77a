//! `keys add|show|list --keyring-backend test`.

use serde_json::json;

use crate::chain::Chain;
use crate::cli::{KeysCommand, OutputFormat};
use crate::keys::{Key, Keyring};

fn print(key: &Key, output: OutputFormat) -> anyhow::Result<()> {
    match output {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({"name": key.name, "address": key.address, "pubkey": key.pubkey})
            )?
        ),
        OutputFormat::Text => println!(
            "- name: {}\n  address: {}\n  pubkey: {}",
            key.name, key.address, key.pubkey
        ),
    }
    Ok(())
}

/// Runs the command.
pub fn run(chain: &Chain, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Add {
            name,
            private_key,
            keyring: args,
        } => {
            let keyring = keyring_of(chain, &args.home);
            let key = keyring.add(&name, private_key.as_deref())?;
            print(&key, args.output)?;
            eprintln!("(keyring-backend test: the key is stored unencrypted under the home)");
            Ok(())
        }
        KeysCommand::Show {
            name,
            address,
            keyring: args,
        } => {
            let key = keyring_of(chain, &args.home).get(&name)?;
            if address {
                println!("{}", key.address);
                Ok(())
            } else {
                print(&key, args.output)
            }
        }
        KeysCommand::List { keyring: args } => {
            let (keys, output) = (keyring_of(chain, &args.home).list()?, args.output);
            match output {
                OutputFormat::Json => {
                    let list: Vec<_> = keys
                        .iter()
                        .map(|k| json!({"name": k.name, "address": k.address, "pubkey": k.pubkey}))
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&list)?);
                    Ok(())
                }
                OutputFormat::Text => keys.iter().try_for_each(|k| print(k, output)),
            }
        }
    }
}

/// The home's test keyring, its addresses spelt under the prefix of the
/// chain in the home.
pub(crate) fn keyring_of(chain: &Chain, home: &crate::cli::HomeArg) -> Keyring {
    let home = chain.home(home);
    home.apply_address_prefix();
    Keyring::test(home.root())
}
