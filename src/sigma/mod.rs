//! The Sigma front end: YAML documents → rule model → IR (`Filter`), with Windows field lookup.

pub mod action;
pub mod aliases;
pub mod condition;
pub mod correlation;
pub mod filter;
pub mod lint;
pub mod lower;
pub mod modifier;
pub mod pipeline;
pub mod pipeline_read;
pub mod rule;
pub mod run;
pub mod set;
pub mod string;
pub mod transform;
pub mod walk;
pub mod windows;

use crate::diagnostic::Diagnostic;
use crate::ir::Pipeline;
use rule::Document;
use serde::Serialize;

/// One lowered Sigma rule: what it is called and its pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SigmaIr {
    pub title: String,
    pub id: Option<String>,
    /// `name:`, by which correlations may name the rule.
    pub name: Option<String>,
    pub level: Option<String>,
    /// `tags:` as written (`attack.t1059.001`).
    pub tags: Vec<String>,
    pub pipeline: Pipeline,
}

/// Loads every document of a Sigma file and lowers each rule and correlation; all errors of the
/// file are returned. Rules a correlation names are not run alone unless it says `generate: true`.
pub fn to_ir(text: &str) -> Result<Vec<SigmaIr>, Vec<Diagnostic>> {
    to_ir_with(text, &Options::default())
}

/// What else a file is lowered with: other files' documents (rules and correlations it may name,
/// filters) and processing pipelines.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub others: Vec<Document>,
    pub pipelines: Vec<pipeline::Pipeline>,
}

/// [`to_ir`] with other files' documents and processing pipelines.
pub fn to_ir_with(text: &str, options: &Options) -> Result<Vec<SigmaIr>, Vec<Diagnostic>> {
    let docs = rule::load(text)?;
    set::Set::new(&docs, &options.others, &options.pipelines)?.lower()
}
