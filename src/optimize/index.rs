//! Rule indexing (for `hunt`): what an event must have for a rule's first search to match, in
//! forms that many rules can share one test of: a literal of the raw line, and a value of a field
//! such as `EventID`. A rule is run only on events that have what it needs. Conservative: a need
//! is only stated when the search being true implies it.

use super::literal::value_literals;
use crate::ir::{BinOp, Expr, Pattern, Pipeline, Stage, WildPart};
use std::collections::BTreeSet;

/// What an event needs for a rule's first search to be true.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// Clauses that all hold: in each, one of the literals occurs in a value of its field (ASCII
    /// case aside), and so in the event's raw line as `literal::line_spelling` spells it. At
    /// most [`MAX_CLAUSES`], the most selective.
    pub literals: Vec<Vec<Literal>>,
    /// Each is needed, on different fields.
    pub values: Vec<ValueNeed>,
}

/// A text that a value of `field` holds (as the value reads, not escaped), ASCII case aside.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Literal {
    pub text: String,
    /// As the search names it: `*` in it stands for any run of characters.
    pub field: String,
    /// Whether the raw line holds the text too (`literal::ValueText::in_line`); else only the
    /// field's value does, and only a search in values can use it.
    pub in_line: bool,
}

/// The most literal clauses kept of one rule.
pub const MAX_CLAUSES: usize = 4;

/// Some field of `fields` (names with `*` cover many) holds one of `values` (compared as
/// `field=value` compares: the text, case-insensitively) or, when `values` is `None`, any value;
/// or, when `or_absent`, none of `fields` is present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueNeed {
    /// Sorted, without duplicates.
    pub fields: Vec<String>,
    /// Lower-cased.
    pub values: Option<BTreeSet<String>>,
    pub or_absent: bool,
}

/// The needs of a pipeline whose first stage is a search (none otherwise). Literals are not
/// needed of fields in `defaulted` (given default values), which the line may lack.
pub fn needs(pipeline: &Pipeline, defaulted: &[String]) -> Needs {
    let Some(Stage::Filter(e)) = pipeline.stages.first() else {
        return Needs::default();
    };
    Needs {
        literals: clauses(e, defaulted),
        values: value_needs(e),
    }
}

/// Clauses of literals that all hold whenever `e` is true: a conjunction's from both sides; of
/// a disjunction one clause, joining the most selective clause of each side.
///
/// A chain of one operator (`a OR b OR c ...`, as Sigma's value lists lower) is taken as one
/// node: joined two at a time, a list of a thousand hashes was merged a thousand times.
fn clauses(e: &Expr, defaulted: &[String]) -> Vec<Vec<Literal>> {
    match e {
        Expr::Binary(BinOp::And, ..) => {
            let mut all = Vec::new();
            for side in e.operands(BinOp::And) {
                all.extend(clauses(side, defaulted));
            }
            most_selective(all)
        }
        Expr::Binary(BinOp::Or, ..) => {
            let mut joined = Vec::new();
            for side in e.operands(BinOp::Or) {
                match clauses(side, defaulted).into_iter().next() {
                    Some(first) => joined.extend(first),
                    None => return Vec::new(),
                }
            }
            joined.sort();
            joined.dedup();
            vec![joined]
        }
        Expr::Match { field, pattern } => value_literals(field, pattern, defaulted)
            .map(|texts| {
                let mut clause: Vec<Literal> = texts
                    .into_iter()
                    .map(|t| Literal {
                        text: t.text,
                        field: field.clone(),
                        in_line: t.in_line,
                    })
                    .collect();
                clause.sort();
                clause
            })
            .into_iter()
            .collect(),
        Expr::Binary(..)
        | Expr::Lit(_)
        | Expr::Field(_)
        | Expr::Not(_)
        | Expr::Neg(_)
        | Expr::In(..)
        | Expr::Call(..)
        | Expr::Subsearch(_) => Vec::new(),
    }
}

/// The [`MAX_CLAUSES`] most selective clauses, most selective first.
fn most_selective(mut all: Vec<Vec<Literal>>) -> Vec<Vec<Literal>> {
    all.sort_by_cached_key(|c| std::cmp::Reverse(selectivity(c)));
    all.dedup();
    all.truncate(MAX_CLAUSES);
    all
}

/// A clause the raw line can be searched for first (any clause serves a search in values);
/// then longer literals are rarer; then fewer of them (a text tried in several fields counts
/// once).
fn selectivity(literals: &[Literal]) -> (bool, usize, std::cmp::Reverse<usize>) {
    let in_line = literals.iter().all(|l| l.in_line);
    let shortest = literals.iter().map(|l| l.text.len()).min().unwrap_or(0);
    let mut texts: Vec<&str> = literals.iter().map(|l| l.text.as_str()).collect();
    texts.sort_unstable();
    texts.dedup();
    (in_line, shortest, std::cmp::Reverse(texts.len()))
}

/// The most value needs kept of one expression (an OR of ANDs multiplies them).
const MAX_NEEDS: usize = 8;

/// Value needs that `e` being true implies (all of them).
fn value_needs(e: &Expr) -> Vec<ValueNeed> {
    match e {
        Expr::Binary(BinOp::And, l, r) => {
            let mut needs = value_needs(l);
            needs.extend(value_needs(r));
            one_per_field_set(needs)
        }
        Expr::Binary(BinOp::Or, l, r) => {
            let (mut a, b) = (value_needs(l), value_needs(r));
            if let ([_], [y]) = (a.as_slice(), b.as_slice()) {
                return a.pop().and_then(|x| either(x, y)).into_iter().collect();
            }
            let merged = a
                .iter()
                .flat_map(|x| b.iter().filter_map(move |y| either(x.clone(), y)));
            one_per_field_set(merged.collect())
        }
        Expr::Match { field, pattern } => vec![equality(field, pattern).unwrap_or(ValueNeed {
            fields: vec![field.clone()],
            values: None,
            or_absent: false,
        })],
        Expr::Not(inner) => absent(inner).into_iter().collect(),
        Expr::Binary(..)
        | Expr::Lit(_)
        | Expr::Field(_)
        | Expr::Neg(_)
        | Expr::In(..)
        | Expr::Call(..)
        | Expr::Subsearch(_) => Vec::new(),
    }
}

/// `field=value` without wildcards in the value, case-insensitive.
fn equality(field: &str, pattern: &Pattern) -> Option<ValueNeed> {
    let value = match pattern {
        Pattern::Glob {
            glob,
            case_sensitive: false,
        } if !glob.contains('*') => glob,
        Pattern::Wild {
            parts,
            case_sensitive: false,
        } => match parts.as_slice() {
            [WildPart::Text(t)] => t,
            _ => return None,
        },
        _ => return None,
    };
    Some(ValueNeed {
        fields: vec![field.to_string()],
        values: Some(BTreeSet::from([value.to_lowercase()])),
        or_absent: false,
    })
}

/// `NOT (f1=* OR f2=* ...)`: none of the fields is present.
fn absent(e: &Expr) -> Option<ValueNeed> {
    let mut fields = Vec::new();
    present_fields(e, &mut fields)?;
    fields.sort();
    fields.dedup();
    Some(ValueNeed {
        fields,
        values: Some(BTreeSet::new()),
        or_absent: true,
    })
}

fn present_fields(e: &Expr, out: &mut Vec<String>) -> Option<()> {
    match e {
        Expr::Binary(BinOp::Or, l, r) => {
            present_fields(l, out)?;
            present_fields(r, out)
        }
        Expr::Match {
            field,
            pattern: Pattern::Exists,
        } => {
            out.push(field.clone());
            Some(())
        }
        _ => None,
    }
}

/// What `a OR b` needs, when one need covers both. A side that may hold when its fields are
/// absent needs the other side's fields among its own.
fn either(mut a: ValueNeed, b: &ValueNeed) -> Option<ValueNeed> {
    let within = |x: &ValueNeed, y: &ValueNeed| x.fields.iter().all(|f| y.fields.contains(f));
    if (a.or_absent && !within(b, &a)) || (b.or_absent && !within(&a, b)) {
        return None;
    }
    a.fields.extend(b.fields.iter().cloned());
    a.fields.sort();
    a.fields.dedup();
    a.values = match (a.values, &b.values) {
        (Some(mut x), Some(y)) => {
            x.extend(y.iter().cloned());
            Some(x)
        }
        _ => None,
    };
    a.or_absent |= b.or_absent;
    // Any value, or none: no need at all.
    (a.values.is_some() || !a.or_absent).then_some(a)
}

/// Of several needs on the same fields, the strictest: one that needs the fields present, then
/// one that needs values, then the fewest values; at most [`MAX_NEEDS`] in all.
fn one_per_field_set(needs: Vec<ValueNeed>) -> Vec<ValueNeed> {
    let mut out: Vec<ValueNeed> = Vec::new();
    for need in needs {
        let strictness = |n: &ValueNeed| {
            let values = n.values.as_ref().map_or(usize::MAX, BTreeSet::len);
            (n.or_absent, values)
        };
        let room = out.len() < MAX_NEEDS;
        match out.iter_mut().find(|n| n.fields == need.fields) {
            Some(held) if strictness(&need) < strictness(held) => *held = need,
            Some(_) => {}
            None if room => out.push(need),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs_of(sigma: &str) -> Needs {
        let ir = crate::sigma_to_ir(sigma).expect("rule");
        needs(&ir[0].pipeline, &["source".to_string()])
    }

    #[test]
    fn a_windows_rule_needs_its_literals_and_its_event_ids() {
        let n = needs_of(
            "title: t\nlogsource: {product: windows, category: process_creation}\ndetection:\n  \
             img: {Image|endswith: '\\certutil.exe'}\n  cli: {CommandLine|contains: [urlcache, verifyctl]}\n  \
             condition: img and cli\n",
        );
        assert_eq!(
            texts(&n),
            [
                vec![r"\certutil.exe".to_string()],
                vec!["urlcache".into(), "verifyctl".into()]
            ]
        );
        // Each text is looked for in the fields its match names: the image in the image's.
        let fields: Vec<&str> = n.literals[0].iter().map(|l| l.field.as_str()).collect();
        assert!(fields.contains(&"Image"), "{fields:?}");
        assert!(
            !fields.iter().any(|f| f.contains("CommandLine")),
            "{fields:?}"
        );
        let ids = n
            .values
            .iter()
            .find(|v| v.fields.contains(&"EventID".to_string()));
        let ids = ids.expect("an EventID need");
        assert!(ids.or_absent, "events without an EventID may match");
        assert_eq!(
            ids.values,
            Some(BTreeSet::from(["1".into(), "4688".into()]))
        );
    }

    #[test]
    fn a_negated_or_keyword_rule_needs_what_is_sure() {
        let n = needs_of(
            "title: t\nlogsource: {category: test}\ndetection:\n  a: {F: x}\n  b: [kiwi]\n  \
             condition: not a or b\n",
        );
        assert!(n.literals.is_empty(), "{:?}", n.literals);
        let n = needs_of(
            "title: t\nlogsource: {category: test}\ndetection:\n  a: {F: xyz}\n  b: [kiwi]\n  \
             condition: a or b\n",
        );
        assert_eq!(texts(&n), [vec!["kiwi".to_string(), "xyz".into()]]);
        assert!(n.literals[0].contains(&Literal {
            text: "kiwi".into(),
            field: "_raw".into(),
            in_line: true,
        }));
    }

    /// A chain of ORs gives one clause of every side's texts however it nests; a chain of ANDs
    /// its most selective clauses, whichever side they come from.
    #[test]
    fn chains_give_the_same_clauses_however_they_nest() {
        let spl = |q: &str| {
            let pipeline = crate::spl_to_ir(q).expect("search");
            needs(&pipeline, &[])
        };
        let all = vec!["apple".to_string(), "kiwi".into(), "melon".into()];
        for q in [
            "F=*apple* OR F=*kiwi* OR F=*melon*",
            "F=*apple* OR (F=*kiwi* OR F=*melon*)",
            "(F=*melon* OR F=*apple*) OR F=*kiwi*",
        ] {
            assert_eq!(texts(&spl(q)), std::slice::from_ref(&all), "{q}");
        }
        // A side without a literal leaves the OR none.
        assert!(spl("F=*apple* OR (F=*kiwi* OR G>3)").literals.is_empty());
        let nested = spl("F=*ab* (G=*abcdef* (H=*abc* (I=*abcdefgh* J=*abcd*)))");
        let flat = spl("F=*ab* G=*abcdef* H=*abc* I=*abcdefgh* J=*abcd*");
        assert_eq!(texts(&nested), texts(&flat));
        assert_eq!(
            texts(&flat),
            [["abcdefgh"], ["abcdef"], ["abcd"], ["abc"]].map(|t| vec![t[0].to_string()])
        );
    }

    /// The texts of each clause, once each.
    fn texts(n: &Needs) -> Vec<Vec<String>> {
        let clause = |c: &Vec<Literal>| {
            let mut t: Vec<String> = c.iter().map(|l| l.text.clone()).collect();
            t.sort();
            t.dedup();
            t
        };
        n.literals.iter().map(clause).collect()
    }
}
