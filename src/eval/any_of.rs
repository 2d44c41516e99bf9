//! `a OR b OR ...` compiled with the matches of each field grouped: the field is looked up, and
//! its value lower-cased, once per group; equalities are one hash lookup and `contains` needles
//! one scan. Sigma rules are long ORs over one field (`CommandLine|contains: [...]`), each value
//! tried in several fields.

use crate::diagnostic::Diagnostic;
use crate::eval::compile::{compile_expr, matcher, Affix, CExpr, Matcher};
use crate::eval::expr::matches_value;
use crate::eval::value::Value;
use crate::ir::{BinOp, Expr, Pattern};
use aho_corasick::AhoCorasick;
use indexmap::IndexMap;
use std::borrow::Cow;
use std::collections::HashSet;

/// Matchers of one field, any of which may match a value.
#[derive(Debug, Clone)]
pub struct AnyOf {
    /// Texts the lower-cased value may equal.
    exact: HashSet<String, foldhash::fast::FixedState>,
    /// Texts the lower-cased value may start with.
    starts: Vec<String>,
    /// Texts the lower-cased value may end with.
    ends: Vec<String>,
    /// Texts the lower-cased value may contain, in one automaton.
    contains: Option<AhoCorasick>,
    /// The other matchers, tried on the value as it is.
    rest: Vec<Matcher>,
}

/// Compiles `a OR b OR ...` (OR is commutative in three-valued logic, so the terms are
/// regrouped; each group stands where its field first appears, and terms compile in order).
pub fn compile_or(e: &Expr) -> Result<CExpr, Diagnostic> {
    let mut terms = Vec::new();
    or_terms(e, &mut terms);
    let mut by_field: IndexMap<&str, Vec<Matcher>> = IndexMap::new();
    let mut order: Vec<Result<&str, CExpr>> = Vec::new();
    for term in terms {
        match term {
            Expr::Match { field, pattern } if !matches!(pattern, Pattern::FieldRef { .. }) => {
                let group = by_field.entry(field).or_default();
                if group.is_empty() {
                    order.push(Ok(field));
                }
                group.push(matcher(pattern)?);
            }
            other => order.push(Err(compile_expr(other)?)),
        }
    }
    let compiled = order.into_iter().map(|slot| match slot {
        Ok(field) => {
            let mut group = by_field.swap_remove(field).unwrap_or_default();
            let matcher = match group.len() {
                1 => group.remove(0),
                _ => Matcher::Any(Box::new(AnyOf::new(group)?)),
            };
            Ok(CExpr::Match {
                field: field.to_string(),
                matcher,
            })
        }
        Err(other) => Ok(other),
    });
    Ok(balanced_or(compiled.collect::<Result<_, Diagnostic>>()?))
}

/// The terms of an OR, in order.
fn or_terms<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::Binary(BinOp::Or, l, r) => {
            or_terms(l, out);
            or_terms(r, out);
        }
        other => out.push(other),
    }
}

/// `a OR b OR ...` as a balanced tree, so the recursive evaluator stays shallow.
fn balanced_or(mut items: Vec<CExpr>) -> CExpr {
    if items.len() == 1 {
        return items.remove(0);
    }
    let right = items.split_off(items.len() / 2);
    CExpr::Binary(
        BinOp::Or,
        Box::new(balanced_or(items)),
        Box::new(balanced_or(right)),
    )
}

impl AnyOf {
    fn new(matchers: Vec<Matcher>) -> Result<AnyOf, Diagnostic> {
        let mut any = AnyOf {
            exact: HashSet::default(),
            starts: Vec::new(),
            ends: Vec::new(),
            contains: None,
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
        if !needles.is_empty() {
            let automaton = AhoCorasick::new(&needles).map_err(|e| {
                Diagnostic::error(crate::diagnostic::codes::SPL_REGEX, e.to_string())
            })?;
            any.contains = Some(automaton);
        }
        Ok(any)
    }

    /// Whether one of the matchers matches the single value `v`.
    pub fn matches(&self, v: &Value) -> bool {
        let folded = !self.exact.is_empty()
            || !self.starts.is_empty()
            || !self.ends.is_empty()
            || self.contains.is_some();
        if folded {
            let text = v.text();
            let lower = lower_case(&text);
            if self.exact.contains(lower.as_ref())
                || self.starts.iter().any(|s| lower.starts_with(s.as_str()))
                || self.ends.iter().any(|s| lower.ends_with(s.as_str()))
                || self
                    .contains
                    .as_ref()
                    .is_some_and(|a| a.is_match(lower.as_ref()))
            {
                return true;
            }
        }
        self.rest.iter().any(|m| matches_value(v, m))
    }
}

/// The text lower-cased as the matchers fold it, borrowed when it already is.
fn lower_case(text: &str) -> Cow<'_, str> {
    if text.is_ascii() && !text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}
