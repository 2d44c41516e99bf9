//! Optimiser passes: named, pure functions over the IR, each switchable so tests can check that
//! results are the same with and without it.

pub mod index;
pub mod literal;
pub mod prefilter;
pub mod projection;
pub mod regex_literal;

pub use index::{needs, Needs, ValueNeed};
pub use prefilter::{prefilter, Prefilter};
pub use projection::{projection, Projection};

/// Which passes run (all by default; `--no-opt` and the equivalence tests turn them off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passes {
    /// Parse only the fields the pipeline reads (`projection`).
    pub projection: bool,
    /// Skip events whose raw text cannot match the first search (`prefilter`).
    pub prefilter: bool,
    /// Run each of many rules only on events that have what its first search needs (`needs`;
    /// `hunt`).
    pub rule_index: bool,
}

impl Default for Passes {
    fn default() -> Self {
        Passes {
            projection: true,
            prefilter: true,
            rule_index: true,
        }
    }
}

impl Passes {
    /// Every pass off: the reference behaviour.
    pub fn none() -> Passes {
        Passes {
            projection: false,
            prefilter: false,
            rule_index: false,
        }
    }
}
