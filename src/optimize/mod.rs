//! Optimiser passes: named, pure functions over the IR, each switchable so tests can check that
//! results are the same with and without it.

pub mod index;
pub mod literal;
pub mod prefilter;
pub mod projection;
pub mod pushdown;
pub mod regex_literal;

pub use index::{needs, Needs, ValueNeed};
pub use prefilter::{prefilter, Prefilter};
pub use projection::{projection, Projection};
pub use pushdown::pushdown;

/// Which passes run (all by default; `--no-opt` and the equivalence tests turn them off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passes {
    /// Parse only the fields the pipeline reads (`projection`).
    pub projection: bool,
    /// Skip events whose raw text cannot match the first search (`prefilter`).
    pub prefilter: bool,
    /// Drop events as they are parsed, once a field's value fails the first search
    /// (`pushdown`).
    pub pushdown: bool,
    /// Run each of many rules only on events that have what its first search needs (`needs`;
    /// `hunt`).
    pub rule_index: bool,
}

impl Default for Passes {
    fn default() -> Self {
        Passes {
            projection: true,
            prefilter: true,
            pushdown: true,
            rule_index: true,
        }
    }
}

/// The passes' names, as `--no-optimize` takes them.
pub const PASS_NAMES: [&str; 4] = ["projection", "prefilter", "pushdown", "rule-index"];

impl Passes {
    /// The default passes without those named (`--no-optimize a,b`); none named turns every pass
    /// off (`--no-optimize`). Unknown names are refused by the command line before this.
    pub fn without(names: &[String]) -> Passes {
        if names.is_empty() {
            return Passes::none();
        }
        let off = |name: &str| names.iter().any(|n| n == name);
        Passes {
            projection: !off("projection"),
            prefilter: !off("prefilter"),
            pushdown: !off("pushdown"),
            rule_index: !off("rule-index"),
        }
    }

    /// Every pass off: the reference behaviour.
    pub fn none() -> Passes {
        Passes {
            projection: false,
            prefilter: false,
            pushdown: false,
            rule_index: false,
        }
    }
}
