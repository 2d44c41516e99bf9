//! `a OR b OR ...` compiled with the matches of each field grouped: the field is looked up, and
//! its value lower-cased, once per group; equalities are one hash lookup and `contains` needles
//! one scan. Sigma rules are long ORs over one field (`CommandLine|contains: [...]`), each value
//! tried in several fields.

use crate::diagnostic::Diagnostic;
use crate::eval::compile::{compile_expr, matcher, Affix, CExpr, Lookup, Matcher};
use crate::eval::expr::matches_value;
use crate::eval::value::Value;
use crate::eval::wild::{ascii_affix, with_folded, with_lower, with_text};
use crate::ir::{BinOp, Expr, Pattern};
use aho_corasick::AhoCorasick;
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

/// Matchers of one field, any of which may match a value.
#[derive(Debug, Clone)]
pub struct AnyOf {
    /// Texts the lower-cased value may equal.
    exact: HashSet<String, foldhash::fast::FixedState>,
    /// Texts the lower-cased value may start with.
    starts: Vec<String>,
    /// Texts the lower-cased value may end with.
    ends: Vec<String>,
    /// Texts the lower-cased value may contain.
    contains: Arc<Needles>,
    /// The other matchers, tried on the value as it is.
    rest: Vec<Matcher>,
}

/// Texts to find in a value, in one automaton built when first needed (most rules of a hunt
/// never see an event their index lets through).
#[derive(Debug, Default)]
struct Needles {
    texts: Vec<String>,
    automaton: OnceLock<Option<AhoCorasick>>,
}

impl Needles {
    /// Whether one of the texts is in `text` (as [`with_folded`] gives it), ignoring ASCII
    /// case.
    fn found_in(&self, text: &str) -> bool {
        let automaton = self.automaton.get_or_init(|| {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&self.texts)
                .ok()
        });
        match automaton {
            Some(automaton) => automaton.is_match(text),
            // Past the automaton's size limits: one by one.
            None => self
                .texts
                .iter()
                .any(|n| ascii_affix(text.as_bytes(), Affix::Contains, n.as_bytes())),
        }
    }
}

/// Compiles `a OR b OR ...` (OR is commutative in three-valued logic, so the terms are
/// regrouped; each group stands where its field first appears, and terms compile in order).
/// Fields given the very same matches (Sigma tries each field under the name of every event
/// format it may come in: `Image`, `Event.EventData.Image`, ...) share one match over all of
/// them: one matcher built and one node walked instead of one per name.
pub fn compile_or(e: &Expr) -> Result<CExpr, Diagnostic> {
    let terms = e.operands(BinOp::Or);
    let mut by_field: IndexMap<&str, Vec<&Pattern>> = IndexMap::new();
    let mut order: Vec<Result<&str, CExpr>> = Vec::new();
    for term in terms {
        match term {
            Expr::Match { field, pattern } if !matches!(pattern, Pattern::FieldRef { .. }) => {
                let group = by_field.entry(field).or_default();
                if group.is_empty() {
                    order.push(Ok(field));
                }
                group.push(pattern);
            }
            other => order.push(Err(compile_expr(other)?)),
        }
    }
    // Fields with the same patterns, in order: the first one's place stands for them all.
    let mut sharing: Vec<(&[&Pattern], Vec<&str>)> = Vec::new();
    for (field, patterns) in &by_field {
        match sharing.iter_mut().find(|(p, _)| *p == patterns.as_slice()) {
            Some((_, fields)) => fields.push(field),
            None => sharing.push((patterns, vec![field])),
        }
    }
    let mut built = Vec::new();
    // Sigma tries one regex in several fields: it is built once.
    let mut regexes: HashMap<&str, Matcher> = HashMap::new();
    let mut compiled = Vec::new();
    for slot in order {
        let field = match slot {
            Ok(field) => field,
            Err(other) => {
                compiled.push(other);
                continue;
            }
        };
        let Some(at) = sharing
            .iter()
            .position(|(_, fields)| fields.first() == Some(&field))
        else {
            continue; // a later field of a shared match
        };
        let (patterns, fields) = sharing.swap_remove(at);
        let mut group = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            group.push(match pattern {
                Pattern::Regex(re) => match regexes.get(re.as_str()) {
                    Some(m) => m.clone(),
                    None => {
                        let m = matcher(pattern)?;
                        regexes.insert(re, m.clone());
                        m
                    }
                },
                _ => matcher(pattern)?,
            });
        }
        let matcher = match group.len() {
            1 => group.remove(0),
            _ => Matcher::Any(Box::new(AnyOf::new(group, &mut built))),
        };
        compiled.push(match fields.as_slice() {
            [one] => CExpr::Match {
                field: one.to_string(),
                lookup: Lookup::of(one),
                matcher,
            },
            many => CExpr::MatchAny {
                fields: many
                    .iter()
                    .map(|f| (f.to_string(), Lookup::of(f)))
                    .collect(),
                matcher,
            },
        });
    }
    Ok(or_of(compiled))
}

/// `a OR b OR ...` of the compiled terms.
fn or_of(mut items: Vec<CExpr>) -> CExpr {
    match items.len() {
        1 => items.remove(0),
        _ => CExpr::Any(items),
    }
}

impl AnyOf {
    /// `built`: the needles already built for other fields of the same OR (Sigma tries each
    /// value in several fields), shared rather than built again.
    fn new(matchers: Vec<Matcher>, built: &mut Vec<Arc<Needles>>) -> AnyOf {
        let mut any = AnyOf {
            exact: HashSet::default(),
            starts: Vec::new(),
            ends: Vec::new(),
            contains: Arc::default(),
            rest: Vec::new(),
        };
        let mut needles = Vec::new();
        for matcher in matchers {
            match matcher {
                Matcher::Exact(text) => {
                    any.exact.insert(text);
                }
                Matcher::Affix {
                    kind,
                    needle,
                    cased: false,
                } => match kind {
                    Affix::Contains => needles.push(needle),
                    Affix::StartsWith => any.starts.push(needle),
                    Affix::EndsWith => any.ends.push(needle),
                },
                other => any.rest.push(other),
            }
        }
        any.contains = match built.iter().find(|b| b.texts == needles) {
            Some(same) => same.clone(),
            None => {
                let new = Arc::new(Needles {
                    texts: needles,
                    automaton: OnceLock::new(),
                });
                built.push(new.clone());
                new
            }
        };
        any
    }

    /// Whether one of the matchers matches the single value `v`.
    pub fn matches(&self, v: &Value) -> bool {
        let folded = !self.exact.is_empty()
            || !self.starts.is_empty()
            || !self.ends.is_empty()
            || !self.contains.texts.is_empty();
        let found = folded
            && with_text(v, |text| {
                with_folded(text, |text, lowered| self.matches_folded(text, lowered))
            });
        found || self.rest.iter().any(|m| matches_value(v, m))
    }

    /// The folded matchers on a value as [`with_folded`] gives it, compared in place ignoring
    /// ASCII case (a lower-cased copy only to look an ASCII value up among many exact texts).
    fn matches_folded(&self, text: &str, lowered: bool) -> bool {
        let bytes = text.as_bytes();
        let exact = match self.exact.len() {
            0 => false,
            1..=FEW_EXACT => self
                .exact
                .iter()
                .any(|e| e.as_bytes().eq_ignore_ascii_case(bytes)),
            _ if lowered => self.exact.contains(text),
            _ => with_lower(text, |lower| self.exact.contains(lower)),
        };
        exact
            || self
                .starts
                .iter()
                .any(|s| ascii_affix(bytes, Affix::StartsWith, s.as_bytes()))
            || self
                .ends
                .iter()
                .any(|s| ascii_affix(bytes, Affix::EndsWith, s.as_bytes()))
            || (!self.contains.texts.is_empty() && self.contains.found_in(text))
    }
}

/// Up to this many exact texts are compared one by one rather than looked up.
const FEW_EXACT: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::event::Record;
    use crate::eval::expr::is_true;
    use crate::ir::WildPart;

    fn term(parts: Vec<WildPart>) -> Expr {
        Expr::Match {
            field: "f".into(),
            pattern: Pattern::Wild {
                parts,
                case_sensitive: false,
            },
        }
    }

    #[test]
    fn a_grouped_or_matches_as_its_terms_one_by_one() {
        use WildPart::{AnyRun, Text};
        let text = |t: &str| Text(t.to_string());
        let mut terms = Vec::new();
        // Few and many exact texts, prefixes, suffixes and needles, some not ASCII.
        for t in ["cmd.exe", "Ä", "k", "x1", "x2", "x3", "x4", "x5"] {
            terms.push(term(vec![text(t)]));
        }
        for t in ["c:\\", "İ"] {
            terms.push(term(vec![text(t), AnyRun]));
        }
        for t in ["\\rundll32.exe", ".PS1"] {
            terms.push(term(vec![AnyRun, text(t)]));
        }
        for t in ["-enc", "é", "\u{212a}ey"] {
            terms.push(term(vec![AnyRun, text(t), AnyRun]));
        }
        let or = |terms: &[Expr]| {
            (terms.iter().cloned())
                .reduce(|a, b| Expr::Binary(BinOp::Or, Box::new(a), Box::new(b)))
                .unwrap_or(Expr::Lit(crate::ir::Lit::Bool(false)))
        };
        let few = terms.len() - 5;
        for terms in [&terms[..], &terms[..few], &terms[8..]] {
            let grouped = compile_or(&or(terms)).unwrap();
            let single: Vec<CExpr> = terms.iter().map(|t| compile_expr(t).unwrap()).collect();
            for value in [
                "CMD.EXE",
                "ä",
                "K",
                "\u{212a}",
                "X3",
                "x6",
                "C:\\Temp",
                "i̇x",
                "İX",
                "a\\RunDll32.EXE",
                "s.ps1",
                "powershell -ENC x",
                "École",
                "\u{212a}EY",
                "KEY",
                "",
                "c:",
            ] {
                let mut record = Record::default();
                record.set("f", Value::str(value));
                let want = single.iter().any(|e| is_true(e, &record));
                assert_eq!(is_true(&grouped, &record), want, "{value:?}");
            }
        }
    }
}
