//! IR → SPL text. The printer writes what spelunk's own parser reads back to the same IR
//! (SPL → IR → SPL → IR is stable); Sigma patterns are first rewritten into SPL's terms
//! (`sigma.rs`) and correlations become `bin`/`stats`/`where` (`correlate.rs`).

mod correlate;
mod expr;
mod sigma;
mod stage;

pub use expr::{is_search, quote};
pub use sigma::prepare;

use super::Converted;
use crate::diagnostic::Diagnostic;
use crate::ir::{Pipeline, Stage};

/// Prints a pipeline as SPL; errors name what has no SPL form.
pub fn to_spl(pipeline: &Pipeline) -> Result<Converted, Vec<Diagnostic>> {
    let prepared = prepare(pipeline);
    let mut printer = Printer::default();
    let text = printer.pipeline(&prepared);
    if printer.errors.is_empty() {
        Ok(Converted {
            text,
            notes: printer.notes,
        })
    } else {
        Err(printer.errors)
    }
}

/// Collects problems while printing.
#[derive(Default)]
pub struct Printer {
    errors: Vec<Diagnostic>,
    notes: Vec<Diagnostic>,
}

impl Printer {
    fn error(&mut self, what: String) {
        self.errors.push(super::unsupported("SPL", what));
    }

    /// The whole query: a leading search, then `| command` per stage.
    fn pipeline(&mut self, p: &Pipeline) -> String {
        let mut parts = Vec::new();
        let mut stages = p.stages.iter().peekable();
        let leading_search = matches!(stages.peek(), Some(Stage::Filter(e)) if is_search(e));
        if let (true, Some(Stage::Filter(e))) = (leading_search, stages.next_if(|_| leading_search))
        {
            parts.push(self.search(e));
        }
        for stage in stages {
            parts.push(self.stage(stage));
        }
        let joined = parts.join("\n| ");
        if leading_search {
            joined
        } else {
            format!("| {joined}")
        }
    }

    /// One stage as its SPL command text.
    pub fn stage_text(&mut self, stage: &Stage) -> String {
        self.stage(stage)
    }

    /// A subsearch's pipeline on one line, for `[ ... ]`.
    fn subpipeline(&mut self, p: &Pipeline) -> String {
        let text = self.pipeline(p).replace("\n| ", " | ");
        match text.strip_prefix("| ") {
            Some(rest) => rest.to_string(),
            None => format!("search {text}"),
        }
    }
}
