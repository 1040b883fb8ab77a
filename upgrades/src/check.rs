//! The static check over every release this binary knows.

use upgrade_runtime::ModuleManager;
use upgrade_runtime::upgrade::{CheckError, ReleaseSpec, StoreUpgrades, check_releases};

use crate::Release;

/// Checks that each release can be reached from the one before it: every
/// version step has a migration, every added and removed module has its
/// store upgrade. Returns every problem found.
pub fn check_release_chain(releases: &[Release]) -> Vec<CheckError> {
    let mut managers: Vec<ModuleManager> = Vec::new();
    let mut problems = Vec::new();
    for release in releases {
        match release.manager() {
            Ok(m) => managers.push(m),
            Err(e) => {
                problems.push(CheckError::Registration {
                    release: release.name.to_owned(),
                    reason: e.to_string(),
                });
                return problems;
            }
        }
    }
    let store_upgrades: Vec<Option<StoreUpgrades>> = releases
        .iter()
        .map(|r| r.upgrade.map(|u| u().store_upgrades))
        .collect();
    let specs: Vec<ReleaseSpec<'_>> = releases
        .iter()
        .zip(&managers)
        .zip(&store_upgrades)
        .map(|((r, manager), su)| ReleaseSpec {
            name: r.name,
            manager,
            store_upgrades: su.as_ref(),
        })
        .collect();
    problems.extend(check_releases(&specs));
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::releases;
    use serde_json::{Value, json};
    use upgrade_runtime::{Context, Module, ModuleError, ValidationError};

    /// A module at `version` that registers no migrations at all.
    struct Forgetful(u64);

    impl Module for Forgetful {
        fn name(&self) -> &'static str {
            "bank"
        }
        fn consensus_version(&self) -> u64 {
            self.0
        }
        fn default_genesis(&self) -> Value {
            json!({})
        }
        fn validate_genesis(&self, _: &Value) -> Result<(), ValidationError> {
            Ok(())
        }
        fn init_genesis(&self, _: &mut Context<'_>, _: &Value) -> Result<(), ModuleError> {
            Ok(())
        }
        fn export_genesis(&self, _: &Context<'_>) -> Result<Value, ModuleError> {
            Ok(json!({}))
        }
    }

    #[test]
    fn a_binary_missing_a_migration_is_named_by_release_module_and_step() {
        let all = vec![
            Release {
                name: "v1.0.0",
                modules: || vec![Box::new(Forgetful(1))],
                upgrade: None,
            },
            Release {
                name: "v2.0.0",
                modules: || vec![Box::new(Forgetful(3))],
                upgrade: None,
            },
        ];
        let problems: Vec<String> = check_release_chain(&all)
            .iter()
            .map(ToString::to_string)
            .collect();
        insta::assert_snapshot!(problems.join("\n"), @r#"
        release v2.0.0: module "bank" goes from version 1 to 3 but no migration from version 1 to 2 is registered
        release v2.0.0: module "bank" goes from version 1 to 3 but no genesis JSON migration from version 1 to 2 is registered
        "#);
    }

    #[test]
    fn the_shipped_releases_pass() {
        assert_eq!(check_release_chain(&releases()), Vec::new());
    }

    #[test]
    fn a_release_without_a_store_upgrade_for_its_new_module_fails() {
        let mut all = releases();
        // v2.0.0 without its upgrade: feegrant is new, crisis removed, and
        // no store upgrade says so.
        all[1].upgrade = None;
        let problems: Vec<String> = check_release_chain(&all)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            [
                "release v2.0.0: module \"feegrant\" is new but its store \"feegrant\" is not in the release's added stores",
                "release v2.0.0: module \"crisis\" is removed but its store \"crisis\" is neither deleted nor renamed",
            ]
        );
    }
}
