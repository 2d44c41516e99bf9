//! Prefilter: the literals an event's raw text must contain for the first search to match, so a
//! line can be skipped before it is parsed. Conservative: when in doubt, a clause is left out.

use crate::ir::{BinOp, Expr, Lit, Pattern, Pipeline, Stage, WildPart};
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

/// The shortest literal worth searching for.
const MIN_LITERAL: usize = 3;

impl Prefilter {
    /// Whether the raw JSON text may match. Text with `\u` escapes always may (the literal could be
    /// spelled with escapes).
    pub fn may_match(&self, raw: &str) -> bool {
        if raw.contains("\\u") {
            return true;
        }
        let clauses = self.literals.len();
        let mut seen = vec![false; clauses];
        let mut missing = clauses;
        for hit in self.automaton.find_overlapping_iter(raw) {
            let clause = self.clause_of.get(hit.pattern().as_usize());
            if let Some(seen) = clause.and_then(|c| seen.get_mut(*c)).filter(|s| !**s) {
                *seen = true;
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
        Expr::Match { field, pattern } if !defaulted.contains(field) && field != "_time" => {
            literal(pattern).map(|l| vec![vec![l]])
        }
        Expr::Lit(Lit::Bool(true)) => None,
        _ => None,
    }
}

/// The literal a matching value must contain, as JSON would write it.
fn literal(pattern: &Pattern) -> Option<String> {
    let text = match pattern {
        Pattern::Glob { glob, .. } if !glob.contains('\\') => {
            longest(glob.split('*').map(str::to_string))
        }
        Pattern::Term { text, .. } if !text.contains('\\') => {
            longest(text.split('*').map(str::to_string))
        }
        Pattern::Wild { parts, .. } => longest(parts.iter().filter_map(|p| match p {
            WildPart::Text(t) => Some(t.clone()),
            _ => None,
        })),
        _ => None,
    }?;
    let usable = text.len() >= MIN_LITERAL
        && text.is_ascii()
        && !text.contains('/')
        && !text.chars().any(|c| c.is_ascii_control())
        && crate::eval::value::parse_number(&text).is_none();
    if !usable {
        return None;
    }
    let json = serde_json::to_string(&text).ok()?;
    Some(json[1..json.len() - 1].to_string())
}

fn longest(parts: impl Iterator<Item = String>) -> Option<String> {
    parts.max_by_key(String::len)
}
