//! The order in which `run_migrations` visits modules.

use std::collections::BTreeSet;

use super::{ManagerError, ModuleManager};

/// Cosmos' default: every name sorted byte-wise, except `auth`, which goes
/// last (other modules' migrations may read auth state in its old format).
pub fn default_migration_order(names: &[&str]) -> Vec<String> {
    let mut sorted: Vec<String> = names
        .iter()
        .filter(|n| **n != "auth")
        .map(|n| (*n).to_owned())
        .collect();
    sorted.sort();
    if names.contains(&"auth") {
        sorted.push("auth".to_owned());
    }
    sorted
}

impl ModuleManager {
    /// Replaces the migration order. Every registered module must be named
    /// exactly once.
    ///
    /// # Errors
    ///
    /// [`ManagerError::OrderMigrations`] listing the missing, duplicated and
    /// unknown names.
    pub fn set_order_migrations(&mut self, names: &[&str]) -> Result<(), ManagerError> {
        let registered: BTreeSet<&str> = self.names().into_iter().collect();
        let mut seen = BTreeSet::new();
        let mut duplicated = BTreeSet::new();
        let mut unknown = BTreeSet::new();
        for name in names {
            if !seen.insert(*name) {
                duplicated.insert(name.to_string());
            }
            if !registered.contains(name) {
                unknown.insert(name.to_string());
            }
        }
        let missing: Vec<String> = registered
            .difference(&seen)
            .map(|s| s.to_string())
            .collect();
        if !missing.is_empty() || !duplicated.is_empty() || !unknown.is_empty() {
            return Err(ManagerError::OrderMigrations {
                missing,
                duplicated: duplicated.into_iter().collect(),
                unknown: unknown.into_iter().collect(),
            });
        }
        self.order_migrations = Some(names.iter().map(|n| (*n).to_owned()).collect());
        Ok(())
    }

    /// The order `run_migrations` uses.
    pub fn migration_order(&self) -> Vec<String> {
        match &self.order_migrations {
            Some(order) => order.clone(),
            None => default_migration_order(&self.names()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_goes_last_and_the_rest_sort_bytewise() {
        assert_eq!(
            default_migration_order(&["bank", "auth", "Zeta", "crisis"]),
            ["Zeta", "bank", "crisis", "auth"]
        );
        assert_eq!(default_migration_order(&["b", "a"]), ["a", "b"]);
    }
}
