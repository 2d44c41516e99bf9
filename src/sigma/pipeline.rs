//! pySigma processing pipelines (YAML): field mappings and other rule transformations applied
//! before lowering.

use crate::diagnostic::Diagnostic;
use crate::sigma::rule::Rule;

/// A processing pipeline.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pipeline {
    pub name: String,
}

/// The rule after every pipeline (in priority order).
pub fn apply_all(_pipelines: &[Pipeline], rule: &Rule) -> Result<Rule, Diagnostic> {
    Ok(rule.clone())
}
