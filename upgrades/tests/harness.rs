//! The releases' upgrade snapshots, written with the
//! `upgrade_runtime::testing` harness the way an application developer
//! writes them (see "Testing your upgrades" in the README): a generated
//! genesis, a release to start as, the upgrade to apply, and a snapshot of
//! what the state is afterwards and what ran. Every run also cross-checks
//! the in-place upgrade against `genesis migrate` of the export.

use serde_json::Value;
use upgrade_runtime::testing::{Binary, BuildError, UpgradeTest, insta_settings};

/// The application as one release: its modules and upgrade handlers.
fn app(name: &str) -> Result<Binary, BuildError> {
    let binary = app_upgrades::releases().binary(name);
    Ok(binary.ok_or_else(|| format!("unknown release {name}"))??)
}

fn settings() -> insta::Settings {
    insta_settings(concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/harness"))
}

#[test]
fn v2_0_0_from_a_generated_v1_0_0_chain() {
    let outcome = UpgradeTest::new(app)
        .app_state(Value::Object(app_modules::genesis::generate(3, 5)))
        .start_as("v1.0.0")
        .upgrade_to("v2.0.0")
        .cross_check()
        .run()
        .expect("upgrade test");
    settings().bind(|| {
        insta::assert_json_snapshot!("v2_0_0_migrations", outcome.applied.migrations);
        insta::assert_json_snapshot!("v2_0_0_app_state", outcome.app_state());
    });
}

#[test]
fn v3_0_0_from_a_generated_v2_0_0_chain() {
    let outcome = UpgradeTest::new(app)
        .app_state(Value::Object(app_modules::genesis::generate(3, 5)))
        .start_as("v2.0.0")
        .upgrade_to("v3.0.0")
        .cross_check()
        .run()
        .expect("upgrade test");
    // Bank's v3 index is derived state: the JSON is the same before and
    // after, which the cross-check's equal app hashes back up.
    assert_eq!(
        outcome.before.app_state["bank"],
        outcome.after.app_state["bank"]
    );
    settings().bind(|| {
        insta::assert_json_snapshot!("v3_0_0_migrations", outcome.applied.migrations);
        insta::assert_json_snapshot!("v3_0_0_upgrade_section", outcome.section("upgrade"));
    });
}
