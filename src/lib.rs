//! spelunk runs Splunk SPL searches and Sigma rules offline over JSON events.
//!
//! ```text
//!  SPL text ──(macros)──► spl::parse ──► spl::ast ──► spl::lower ─┐
//!                                                               ├─► ir::Pipeline ──► eval::compile ──► Plan ──► rows
//!  Sigma YAML (+ pipeline) ──► sigma::rule ───────► sigma::lower ─┘
//! ```
//!
//! One public function per arrow: [`spl_to_ast`], [`ast_to_ir`] (and [`spl_to_ir`] for both),
//! [`sigma_to_ir`], [`compile`]. Front ends and back ends meet only at [`ir`]. The CLI is a thin shell over these.

#![forbid(unsafe_code)]
// Input must never panic the library: no unwrap/expect/panic and no indexing that may panic
// (`.get()`, slice patterns and iterators instead) outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod check;
pub mod cli;
pub mod convert;
pub mod csv;
pub mod diagnostic;
pub mod eval;
pub mod explain;
pub mod hunt;
pub mod io;
pub mod ir;
pub mod optimize;
pub mod output;
pub mod par;
pub mod rules;
pub mod sigma;
pub mod spl;
pub mod testing;
pub mod yaml;

use diagnostic::Diagnostic;

/// SPL text with macros → SPL text without (`--macros` definitions plus the standard ones).
pub fn expand_macros(text: &str, macros: &spl::macros::Macros) -> Result<String, Vec<Diagnostic>> {
    macros.expand(text).map_err(|d| vec![d])
}

/// SPL text → syntax tree.
pub fn spl_to_ast(text: &str) -> Result<spl::ast::Query, Vec<Diagnostic>> {
    spl::parse(text)
}

/// Syntax tree → IR.
pub fn ast_to_ir(query: &spl::ast::Query) -> Result<ir::Pipeline, Vec<Diagnostic>> {
    spl::lower::lower(query)
}

/// SPL text → IR, expanding the standard macros.
pub fn spl_to_ir(text: &str) -> Result<ir::Pipeline, Vec<Diagnostic>> {
    let expanded = expand_macros(text, spl::macros::Macros::builtin())?;
    ast_to_ir(&spl_to_ast(&expanded)?)
}

/// Sigma YAML (one or more documents) → one IR pipeline per rule, with its title, id and level.
pub fn sigma_to_ir(text: &str) -> Result<Vec<sigma::SigmaIr>, Vec<Diagnostic>> {
    sigma::to_ir(text)
}

/// IR → an executable plan.
pub fn compile(pipeline: &ir::Pipeline) -> Result<eval::Plan, Vec<Diagnostic>> {
    eval::compile(pipeline)
}

/// IR → SPL text that spelunk's parser reads back to the same IR (Sigma patterns and
/// correlations rewritten into SPL's terms first).
pub fn ir_to_spl(pipeline: &ir::Pipeline) -> Result<convert::Converted, Vec<Diagnostic>> {
    convert::spl::to_spl(pipeline)
}

/// IR (from SPL) → Sigma YAML: a rule, and a correlation for `stats ... | where count > N`;
/// the notes name every stage Sigma cannot express.
pub fn ir_to_sigma(
    pipeline: &ir::Pipeline,
    names: &convert::sigma::Names,
) -> Result<convert::Converted, Vec<Diagnostic>> {
    convert::sigma::to_sigma(pipeline, names)
}

/// IR → one SQL query over the table of events `table`, for DuckDB or Spark.
pub fn ir_to_sql(
    pipeline: &ir::Pipeline,
    dialect: convert::sql::Dialect,
    table: &str,
) -> Result<convert::Converted, Vec<Diagnostic>> {
    convert::sql::to_sql(pipeline, dialect, table)
}

/// Runs SPL text over records: parse, lower, compile and run in one call.
pub fn run_spl(
    text: &str,
    records: impl IntoIterator<Item = eval::Record>,
) -> Result<eval::Results, Vec<Diagnostic>> {
    run_pipeline(
        &spl_to_ir(text)?,
        &eval::compile::Options::default(),
        records,
    )
}

/// Runs a pipeline over records. A pipeline with subsearches holds the records in memory, runs
/// the subsearches over them first, then the pipeline; any other pipeline streams.
pub fn run_pipeline(
    pipeline: &ir::Pipeline,
    options: &eval::compile::Options,
    records: impl IntoIterator<Item = eval::Record>,
) -> Result<eval::Results, Vec<Diagnostic>> {
    if pipeline.has_subsearch() {
        let events: Vec<eval::Record> = records.into_iter().collect();
        let resolved = eval::subsearch::resolve(pipeline, options, &events)?;
        return Ok(eval::compile::compile_with(&resolved, options)?.run(events));
    }
    Ok(eval::compile::compile_with(pipeline, options)?.run(records))
}

/// Runs Sigma YAML (every rule of the file) over records: each match is the event plus `rule`,
/// `rule_id` and `level`.
pub fn run_sigma(
    text: &str,
    records: impl IntoIterator<Item = eval::Record>,
) -> Result<eval::Results, Vec<Diagnostic>> {
    sigma::run::run_text(text, records)
}
