//! Prefilter: the literals an event's raw text must contain for the first search to match, so a
//! line can be skipped before it is parsed. Conservative: when in doubt, a clause is left out.

use super::literal::{literal, searchable};
use crate::ir::{BinOp, Expr, Lit, Pipeline, Stage};
use aho_corasick::AhoCorasick;

/// Literals of which every clause must find at least one (ASCII case-insensitive) in the raw text.
#[derive(Debug, Clone)]
pub struct Prefilter {
    /// Every literal of every clause, in one automaton: a line is scanned once.
    automaton: AhoCorasick,
    /// The clause of each pattern of the automaton.
    clause_of: Vec<usize>,
    /// The clauses as text, for `explain` and tests.
    pub literals: Vec<Vec<String>>,
}

impl Prefilter {
    /// Whether the raw JSON text may match. Text with `\u` escapes always may (the literal could be
    /// spelled with escapes), as may text with letters that fold to ASCII ones.
    pub fn may_match(&self, raw: &str) -> bool {
        if !searchable(raw) {
            return true;
        }
        let clauses = self.literals.len();
        let mut seen = vec![false; clauses];
        let mut missing = clauses;
        for hit in self.automaton.find_overlapping_iter(raw) {
            let clause = self.clause_of[hit.pattern().as_usize()];
            if !seen[clause] {
                seen[clause] = true;
                missing -= 1;
                if missing == 0 {
                    return true;
                }
            }
        }
        false
    }
}

/// The prefilter of a pipeline whose first stage is a search; `None` when nothing is required.
/// Fields in `defaulted` (given default values from the command line) may be absent from the text.
pub fn prefilter(pipeline: &Pipeline, defaulted: &[String]) -> Option<Prefilter> {
    let Some(Stage::Filter(e)) = pipeline.stages.first() else {
        return None;
    };
    let literals = required(e, defaulted)?;
    let clause_of: Vec<usize> = literals
        .iter()
        .enumerate()
        .flat_map(|(n, alts)| alts.iter().map(move |_| n))
        .collect();
    let automaton = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(aho_corasick::MatchKind::Standard)
        .build(literals.iter().flatten())
        .ok()?;
    Some(Prefilter {
        automaton,
        clause_of,
        literals,
    })
}

/// A conjunction of disjunctions of literals that `e` being true implies in the raw text.
fn required(e: &Expr, defaulted: &[String]) -> Option<Vec<Vec<String>>> {
    match e {
        Expr::Binary(BinOp::And, l, r) => match (required(l, defaulted), required(r, defaulted)) {
            (Some(mut a), Some(b)) => {
                a.extend(b);
                Some(a)
            }
            (a, b) => a.or(b),
        },
        // (A1 and A2) or (B1 and B2) implies (A1 or B1).
        Expr::Binary(BinOp::Or, l, r) => {
            let (a, b) = (required(l, defaulted)?, required(r, defaulted)?);
            let mut clause = a.into_iter().next()?;
            clause.extend(b.into_iter().next()?);
            Some(vec![clause])
        }
        Expr::Match { field, pattern } => literal(field, pattern, defaulted).map(|l| vec![l]),
        Expr::Lit(Lit::Bool(true)) => None,
        _ => None,
    }
}
