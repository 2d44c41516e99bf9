//! spelunk runs Splunk SPL searches and Sigma rules offline over JSON events.
//!
//! ```text
//!  SPL text ──► spl::parse ──► spl::ast ──► spl::lower ─┐
//!                                                      ├─► ir::Pipeline ──► eval::compile ──► Plan ──► rows
//!  Sigma YAML ──► sigma::rule ──────────► sigma::lower ─┘
//! ```
//!
//! One public function per arrow: [`spl_to_ast`], [`ast_to_ir`] (and [`spl_to_ir`] for both),
//! [`sigma_to_ir`], [`compile`]. Front ends and back ends meet only at [`ir`]. The CLI is a thin shell over these.

#![forbid(unsafe_code)]

pub mod cli;
pub mod diagnostic;
pub mod eval;
pub mod io;
pub mod ir;
pub mod output;
pub mod sigma;
pub mod spl;

use diagnostic::Diagnostic;

/// SPL text → syntax tree.
pub fn spl_to_ast(text: &str) -> Result<spl::ast::Query, Vec<Diagnostic>> {
    spl::parse(text)
}

/// Syntax tree → IR.
pub fn ast_to_ir(query: &spl::ast::Query) -> Result<ir::Pipeline, Vec<Diagnostic>> {
    spl::lower::lower(query)
}

/// SPL text → IR.
pub fn spl_to_ir(text: &str) -> Result<ir::Pipeline, Vec<Diagnostic>> {
    ast_to_ir(&spl_to_ast(text)?)
}

/// Sigma YAML (one or more documents) → one IR pipeline per rule, with its title, id and level.
pub fn sigma_to_ir(text: &str) -> Result<Vec<sigma::SigmaIr>, Vec<Diagnostic>> {
    sigma::to_ir(text)
}

/// IR → an executable plan.
pub fn compile(pipeline: &ir::Pipeline) -> Result<eval::Plan, Vec<Diagnostic>> {
    eval::compile(pipeline)
}

/// Runs SPL text over records: parse, lower, compile and run in one call.
pub fn run_spl(
    text: &str,
    records: impl IntoIterator<Item = eval::Record>,
) -> Result<eval::Results, Vec<Diagnostic>> {
    let plan = compile(&spl_to_ir(text)?)?;
    Ok(plan.run(records))
}

/// Runs Sigma YAML (every rule of the file) over records: each match is the event plus `rule`,
/// `rule_id` and `level`.
pub fn run_sigma(
    text: &str,
    records: impl IntoIterator<Item = eval::Record>,
) -> Result<eval::Results, Vec<Diagnostic>> {
    sigma::run::run_text(text, records)
}
