//! The library's release machinery over the example releases: lookups,
//! the handlers a binary acting as a release holds, and the static check.

use app_upgrades::releases;
use serde_json::{Value, json};
use upgrade_runtime::upgrade::Upgrade;
use upgrade_runtime::{Context, Module, ModuleError, Release, ReleaseChain, ValidationError};

fn names(found: Option<&[Release]>) -> Option<Vec<&'static str>> {
    found.map(|r| r.iter().map(|r| r.name).collect())
}

#[test]
fn between_is_every_release_after_from_up_to_to() {
    let chain = releases();
    assert_eq!(
        names(chain.between("v1.0.0", "v3.0.0")),
        Some(vec!["v2.0.0", "v3.0.0"])
    );
    assert_eq!(
        names(chain.between("v2.0.0", "v3.0.0")),
        Some(vec!["v3.0.0"])
    );
    assert_eq!(names(chain.between("v2.0.0", "v2.0.0")), Some(vec![]));
    assert_eq!(names(chain.between("v3.0.0", "v1.0.0")), None);
    assert_eq!(names(chain.between("v0.9.0", "v1.0.0")), None);
    assert_eq!(chain.previous("v3.0.0").map(|r| r.name), Some("v2.0.0"));
    assert_eq!(chain.previous("v1.0.0").map(|r| r.name), None);
    assert_eq!(chain.newest().map(|r| r.name), Some("v3.0.0"));
}

#[test]
fn every_release_is_found_by_its_versions() {
    let chain = releases();
    for r in chain.all() {
        let versions = r.manager().expect("manager").version_map();
        assert_eq!(chain.with_versions(&versions).map(|f| f.name), Some(r.name));
    }
}

#[test]
fn a_binary_holds_its_own_and_earlier_handlers_only() {
    let chain = releases();
    let held = |name: &str| -> Vec<String> {
        let registry = chain.registry_up_to(name).expect("registry");
        registry.names().into_iter().map(str::to_owned).collect()
    };
    assert!(held("v1.0.0").is_empty());
    assert_eq!(held("v2.0.0"), ["v2.0.0"]);
    assert_eq!(held("v3.0.0"), ["v2.0.0", "v3.0.0"]);
    let binary = chain.binary("v2.0.0").expect("known").expect("builds");
    assert_eq!(binary.manager.names(), ["auth", "bank", "feegrant"]);
    assert!(chain.binary("v9.9.9").is_none());
}

#[test]
fn the_shipped_releases_pass_the_check() {
    assert_eq!(releases().check(), Vec::new());
}

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

fn unchanged() -> Upgrade {
    Upgrade {
        name: "v2.0.0".into(),
        store_upgrades: Default::default(),
        handler: |ctx, _, from| ctx.run_migrations(from),
    }
}

#[test]
fn a_missing_migration_is_named_by_release_module_and_step() {
    let chain = ReleaseChain::new(vec![
        Release::genesis("v1.0.0", || vec![Box::new(Forgetful(1))]),
        Release::upgrade("v2.0.0", || vec![Box::new(Forgetful(3))], unchanged),
    ]);
    let problems: Vec<String> = chain.check().iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "release v2.0.0: module \"bank\" goes from version 1 to 3 but no migration from version 1 to 2 is registered",
            "release v2.0.0: module \"bank\" goes from version 1 to 3 but no genesis JSON migration from version 1 to 2 is registered",
        ]
    );
}

#[test]
fn a_release_without_store_upgrades_for_its_module_changes_fails() {
    let all = releases();
    let mut list = all.all().to_vec();
    // v2.0.0 with an upgrade that adds and deletes nothing, although
    // feegrant is new and crisis removed.
    list[1].upgrade = Some(|| Upgrade {
        name: "v2.0.0".into(),
        store_upgrades: Default::default(),
        handler: |ctx, _, from| ctx.run_migrations(from),
    });
    let problems: Vec<String> = ReleaseChain::new(list)
        .check()
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
