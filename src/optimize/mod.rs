//! Optimiser passes: named, pure functions over the IR, each switchable so tests can check that
//! results are the same with and without it.

pub mod gate;
pub mod index;
pub mod literal;
pub mod prefilter;
pub mod projection;
pub mod pushdown;
pub mod regex_literal;

pub use index::{needs, Literal, Needs, ValueNeed};
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
    /// Test the rest of the first search on a narrow record before building the whole event
    /// (`gate`).
    pub gate: bool,
    /// Run each of many rules only on events that have what its first search needs (`needs`;
    /// `hunt`).
    pub rule_index: bool,
    /// The rule index looks for each literal in the values of the fields it comes from, once
    /// the line is parsed, when every line is parsed anyway (else in the raw line, before).
    pub field_literals: bool,
}

impl Default for Passes {
    fn default() -> Self {
        Passes {
            projection: true,
            prefilter: true,
            pushdown: true,
            gate: true,
            rule_index: true,
            field_literals: true,
        }
    }
}

/// The passes' names, as `--no-optimize` takes them.
pub const PASS_NAMES: [&str; 6] = [
    "projection",
    "prefilter",
    "pushdown",
    "gate",
    "rule-index",
    "field-literals",
];

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
            gate: !off("gate"),
            rule_index: !off("rule-index"),
            field_literals: !off("field-literals"),
        }
    }

    /// Sets what these passes make of `pipeline`'s first search on how events are read (`run`
    /// optimises an SPL search, or the one rule of a Sigma file): the fields parsed, the
    /// literals a line must hold (not when `strict`: every line is then read and checked) and
    /// the parts checked as the line is parsed (a dropped line read to its end when `strict`),
    /// and the rest of the search tested before the whole event is built.
    /// Nothing for a pipeline with subsearches (they read the events too). Returns the parts
    /// pushed down, for the plan to trust ([`crate::eval::Plan::trust_pushdown`]).
    pub fn apply(
        self,
        pipeline: &crate::ir::Pipeline,
        strict: bool,
        opts: &mut crate::eval::EventOptions,
    ) -> Vec<(String, crate::ir::Expr)> {
        if pipeline.has_subsearch() {
            return Vec::new();
        }
        if self.projection {
            opts.set_projection(projection(pipeline));
        }
        let defaulted = opts.defaulted();
        if self.prefilter && !strict {
            opts.prefilter = prefilter(pipeline, &defaulted);
        }
        let pushed = if self.pushdown {
            pushdown(pipeline, &defaulted)
        } else {
            Vec::new()
        };
        if self.pushdown {
            opts.set_pushdown(&pushed, strict);
        }
        if self.gate {
            opts.set_gate(gate::gate(pipeline, &pushed, &opts.projection));
        }
        pushed
    }

    /// Every pass off: the reference behaviour.
    pub fn none() -> Passes {
        Passes {
            projection: false,
            prefilter: false,
            pushdown: false,
            gate: false,
            rule_index: false,
            field_literals: false,
        }
    }
}
