//! Prefilter: the literals an event's raw text must contain for the first search to match, so a
//! line can be skipped before it is parsed. Conservative: when in doubt, a clause is left out.

use super::literal::{literal, searchable, with_ascii_lowercase};
use crate::ir::{BinOp, Expr, Lit, Pipeline, Stage};
use aho_corasick::AhoCorasick;

/// Literals of which every clause must find at least one (ASCII case-insensitive) in the raw text.
#[derive(Debug, Clone)]
pub struct Prefilter {
    /// Each clause over its lower-cased literals, searched in the line as it is and then, if
    /// need be, in the lower-cased line, stopping at the first found. Measured on the seed: one
    /// ASCII-case-insensitive automaton with an overlapping search over the line cost 14
    /// instructions a byte, as much as parsing it; an automaton for a clause of five literals
    /// (its rare-byte prefilter fired on every `:` of the JSON) cost twice five `memmem` searches;
    /// one Teddy pass for a clause of a few literals beat a `memmem` search per literal (seed
    /// 1.57 s -> 1.52 s).
    clauses: Vec<Clause>,
    /// The clauses as text, for `explain` and tests.
    pub literals: Vec<Vec<String>>,
}

/// The literals of one clause.
#[derive(Debug, Clone)]
enum Clause {
    /// One: vectorised substring search.
    One(memchr::memmem::Finder<'static>),
    /// A few: one pass of vectorised multi-substring search (Teddy), which finds any of them.
    Few(aho_corasick::packed::Searcher),
    /// More (or where Teddy is not available): one automaton.
    Many(AhoCorasick),
}

/// Clauses with at most this many literals are searched with Teddy.
const FEW: usize = 8;

impl Clause {
    fn new(literals: &[String]) -> Option<Clause> {
        let lowered: Vec<String> = literals.iter().map(|l| l.to_ascii_lowercase()).collect();
        if let [one] = lowered.as_slice() {
            let finder = memchr::memmem::Finder::new(one.as_bytes()).into_owned();
            return Some(Clause::One(finder));
        }
        if lowered.len() <= FEW {
            if let Some(searcher) = aho_corasick::packed::Searcher::new(&lowered) {
                return Some(Clause::Few(searcher));
            }
        }
        AhoCorasick::new(lowered).ok().map(Clause::Many)
    }

    fn is_match(&self, lowered: &[u8]) -> bool {
        match self {
            Clause::One(finder) => finder.find(lowered).is_some(),
            Clause::Few(searcher) => searcher.find(lowered).is_some(),
            Clause::Many(automaton) => automaton.is_match(lowered),
        }
    }
}

impl Prefilter {
    /// Whether the raw JSON text may match. Text with `\u` escapes always may (the literal could be
    /// spelled with escapes), as may text with letters that fold to ASCII ones.
    pub fn may_match(&self, raw: &str) -> bool {
        // Most lines spell the literals as the rule does (lower case): found as it is, a clause
        // needs no lower-cased copy of the line.
        let mut missed = self.clauses.iter().filter(|c| !c.is_match(raw.as_bytes()));
        let Some(first) = missed.next() else {
            return true;
        };
        if !searchable(raw) {
            return true;
        }
        with_ascii_lowercase(raw, |lowered| {
            first.is_match(lowered) && missed.all(|clause| clause.is_match(lowered))
        })
    }
}

/// The prefilter of a pipeline whose first stage is a search; `None` when nothing is required.
/// Fields in `defaulted` (given default values from the command line) may be absent from the text.
pub fn prefilter(pipeline: &Pipeline, defaulted: &[String]) -> Option<Prefilter> {
    let Some(Stage::Filter(e)) = pipeline.stages.first() else {
        return None;
    };
    let literals = required(e, defaulted)?;
    let clauses = literals
        .iter()
        .map(|alts| Clause::new(alts))
        .collect::<Option<Vec<_>>>()?;
    Some(Prefilter { clauses, literals })
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

#[cfg(test)]
mod tests {
    use super::prefilter;

    fn filter(spl: &str) -> super::Prefilter {
        let ir = crate::spl_to_ir(spl).expect("parses");
        prefilter(&ir, &[]).expect("has literals")
    }

    /// Search is case-insensitive: a clause found only in another case still passes, whether it
    /// is searched as it is first or not; a clause found in no case rejects the line.
    #[test]
    fn clauses_match_in_any_case() {
        let few = filter("action=allowed (index=network OR index=firewall)");
        let many = filter("action=allowed sourcetype IN (a1, b2, c3, d4, e5, f6, g7, h8, i9, j10)");
        for (f, hit) in [
            (&few, r#"{"index":"network"}"#),
            (&many, r#"{"sourcetype":"g7"}"#),
        ] {
            let line = |action: &str| format!(r#"{{"action":"{action}",{}"#, &hit[1..]);
            assert!(f.may_match(&line("allowed")));
            assert!(f.may_match(&line("ALLOWED")));
            assert!(f.may_match(&line("Allowed").to_uppercase()));
            assert!(!f.may_match(&line("blocked")));
            assert!(!f.may_match(r#"{"action":"allowed","index":"main","sourcetype":"x"}"#));
        }
        // A literal that may be spelled with escapes: the line may match.
        assert!(few.may_match(r#"{"action":"\u0061llowed","index":"main"}"#));
    }
}
