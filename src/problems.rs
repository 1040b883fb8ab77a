//! Every problem of a genesis document in one run, not only the first.
//!
//! Fixing a real chain's file one error per run is slow; validation instead
//! collects problems (each with its JSON path) and reports the first
//! [`Problems::LIMIT`] of them, then how many more there are.

use std::fmt;

use crate::ValidationError;

/// Problems found so far, the first [`Problems::LIMIT`] kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems {
    shown: Vec<ValidationError>,
    total: usize,
}

impl Problems {
    /// How many problems a report shows.
    pub const LIMIT: usize = 20;

    /// None yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem.
    pub fn push(&mut self, problem: ValidationError) {
        self.total += 1;
        if self.shown.len() < Self::LIMIT {
            self.shown.push(problem);
        }
    }

    /// Records the error of `result`, if any, and gives back its value.
    pub fn check<T>(&mut self, result: Result<T, ValidationError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(problem) => {
                self.push(problem);
                None
            }
        }
    }

    /// Records every problem of `other`, their paths under `parent`.
    pub fn extend_within(&mut self, parent: &str, other: Problems) {
        let hidden = other.total - other.shown.len();
        for problem in other.shown {
            self.push(problem.within(parent));
        }
        // Those `other` did not keep still count.
        self.total += hidden;
    }

    /// Problems found (shown or not).
    pub fn total(&self) -> usize {
        self.total
    }

    /// Whether none was found.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The problems kept, in the order found.
    pub fn shown(&self) -> &[ValidationError] {
        &self.shown
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} problem{}:",
            self.total,
            if self.total == 1 { "" } else { "s" }
        )?;
        for problem in &self.shown {
            write!(f, "\n  {}: {}", problem.path, problem.message)?;
        }
        let more = self.total - self.shown.len();
        if more > 0 {
            write!(f, "\n  and {more} more")?;
        }
        Ok(())
    }
}
