//! Back ends: IR → SPL text, IR → Sigma YAML, IR → SQL (DuckDB, Spark). Each returns the text and
//! the notes (diagnostics) about what changed or could not be carried over.

pub mod sigma;
pub mod spl;
pub mod sql;

use crate::diagnostic::{codes, Diagnostic};

/// A conversion's result: the text, and warnings about stages dropped or changed on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    pub text: String,
    pub notes: Vec<Diagnostic>,
}

/// A "not supported yet in <target>" error naming what could not be converted.
pub fn unsupported(target: &str, what: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        codes::CONVERT_UNSUPPORTED,
        format!("not supported yet in {target}: {what}"),
    )
}

/// A warning that a stage was dropped or changed by a conversion.
pub fn dropped(target: &str, what: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::warning(
        codes::CONVERT_DROPPED,
        format!("dropped in {target}: {what}"),
    )
}
