//! Pushdown: the parts of the first search that each read one field, for the event parser to
//! check as soon as it has read that field's value. A line whose value fails one is dropped
//! there: its other values are skipped rather than built, and the search never sees the event.
//!
//! Exact: the first search is a conjunction, so it holds for an event only if each part does,
//! and a part that reads one field gives the same answer on the event's first fields as on the
//! whole event, once that field's value is final. The parser makes sure it is (a later key of
//! the same name makes it parse the line in full) and still reads the rest of the line to its
//! end, so a bad line is reported as before.

use super::projection::expr_fields;
use crate::ir::{BinOp, Expr, Func, Pipeline, Stage};

/// The parts of `pipeline`'s first search (when it starts with one) that the parser can check:
/// each with the one field it reads. `defaulted` fields (given values when absent) are left
/// out: an event that lacks one is not decided by its text.
pub fn pushdown(pipeline: &Pipeline, defaulted: &[String]) -> Vec<(String, Expr)> {
    let Some(Stage::Filter(e)) = pipeline.stages.first() else {
        return Vec::new();
    };
    e.operands(BinOp::And)
        .into_iter()
        .filter(|part| pure(part))
        .filter_map(|part| {
            let field = only_field(part)?;
            let checkable = !defaulted.contains(&field) && checkable_name(&field);
            checkable.then(|| (field, part.clone()))
        })
        .take(MAX_PARTS)
        .collect()
}

/// The most parts pushed down (the parser keeps those it ran as bits of a word).
pub const MAX_PARTS: usize = 64;
const _: () = assert!(MAX_PARTS <= u64::BITS as usize);

/// A fingerprint of pushed-down parts (never 0). The parser marks a record with it when it
/// found that the record passes every part (`EventOptions::set_pushdown`); the plan, told the
/// same parts, then checks only the rest of its first search ([`residual`]).
pub fn fingerprint(parts: &[(String, Expr)]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    format!("{parts:?}").hash(&mut hasher);
    hasher.finish() | 1
}

/// What of `search` is left to check on an event known to pass `parts` (some of its
/// conjuncts): the other conjuncts, `None` when there are none.
pub fn residual(search: &Expr, parts: &[(String, Expr)]) -> Option<Expr> {
    and_of(unpushed(search, parts).cloned())
}

/// The conjuncts of `search` that are not among `parts`, in order.
pub(crate) fn unpushed<'a>(
    search: &'a Expr,
    parts: &'a [(String, Expr)],
) -> impl Iterator<Item = &'a Expr> {
    search
        .operands(BinOp::And)
        .into_iter()
        .filter(|e| !parts.iter().any(|(_, part)| part == *e))
}

/// `a AND b AND ...` of the items; `None` when there are none.
pub(crate) fn and_of(items: impl IntoIterator<Item = Expr>) -> Option<Expr> {
    items
        .into_iter()
        .reduce(|l, r| Expr::Binary(BinOp::And, Box::new(l), Box::new(r)))
}

/// The pushed-down fields that nothing reads but their parts: once a record is known to pass
/// every part, the plan checks only the rest of its first search ([`residual`]) and runs the
/// stages after it, and none of those reads these fields. (With nothing after, the output
/// shows whole events: every field is read.) Which of them the parser then does not keep, it
/// decides (`EventOptions::forget_checked_only`).
pub fn check_only(pipeline: &Pipeline, parts: &[(String, Expr)]) -> Vec<String> {
    let Some(Stage::Filter(search)) = pipeline.stages.first() else {
        return Vec::new();
    };
    let mut rest = Pipeline {
        stages: pipeline.stages.get(1..).unwrap_or_default().to_vec(),
    };
    if let Some(e) = residual(search, parts) {
        rest.stages.insert(0, Stage::Filter(e));
    }
    let read = super::projection::projection(&rest);
    let mut fields: Vec<String> = Vec::new();
    for (field, _) in parts {
        if !read.keeps(field) && !fields.contains(field) {
            fields.push(field.clone());
        }
    }
    fields
}

/// The one field `e` reads, if it reads exactly one.
fn only_field(e: &Expr) -> Option<String> {
    let mut fields = expr_fields(e).into_iter();
    let first = fields.next()?;
    fields.all(|f| f == first).then_some(first)
}

/// A name the parser reads from one top-level key and nothing else: no dotted path (a nested
/// object gives it too), no `{}` or wildcard, and not a field an event gets otherwise (`_raw`,
/// `_time`).
fn checkable_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['.', '{', '}', '*']) && !matches!(name, "_raw" | "_time")
}

/// Whether `e` gives the same answer each time it is evaluated on the same event (no clock, no
/// random numbers, no subsearch).
pub(crate) fn pure(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) | Expr::Field(_) | Expr::Match { .. } => true,
        Expr::Subsearch(_) => false,
        Expr::Not(inner) | Expr::Neg(inner) => pure(inner),
        Expr::Binary(_, l, r) => pure(l) && pure(r),
        Expr::In(inner, list) => pure(inner) && list.iter().all(pure),
        Expr::Call(func, args) => {
            !matches!(
                func,
                Func::Now | Func::Time | Func::Random | Func::RelativeTime
            ) && args.iter().all(pure)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pushdown;

    fn fields(spl: &str, defaulted: &[&str]) -> Vec<String> {
        let ir = crate::spl_to_ir(spl).expect("parses");
        let defaulted: Vec<String> = defaulted.iter().map(|s| s.to_string()).collect();
        pushdown(&ir, &defaulted)
            .into_iter()
            .map(|(f, _)| f)
            .collect()
    }

    #[test]
    fn parts_reading_one_plain_field_are_pushed_down() {
        let seed = "index=network OR index=firewall sourcetype IN (a, b) \
                    (dest_port IN (25, 465)) action=allowed | stats count";
        assert_eq!(
            fields(seed, &[]),
            ["index", "sourcetype", "dest_port", "action"]
        );
        // A part over two fields, a bare term (`_raw`), a dotted path, a defaulted field, a
        // wildcard name and a clock are not.
        let mixed = "a=1 OR b=2 needle c.d=3 host=h src*=4 user=u | where x=1";
        assert_eq!(fields(mixed, &["host"]), ["user"]);
        assert!(fields("| where t < now()", &[]).is_empty());
        assert_eq!(fields("| where len(user) > 3", &[]), ["user"]);
        // Only the first stage, and only when it is a search.
        assert!(fields("| eval a=1 | search a=1", &[]).is_empty());
    }

    fn check_only(spl: &str) -> Vec<String> {
        let ir = crate::spl_to_ir(spl).expect("parses");
        super::check_only(&ir, &pushdown(&ir, &[]))
    }

    #[test]
    fn fields_read_after_the_checks_are_not_check_only() {
        let seed = "index=network OR index=firewall sourcetype IN (a, b) \
                    (dest_port IN (25, 465)) action=allowed | eval p=dest_port | stats count by p";
        assert_eq!(check_only(seed), ["index", "sourcetype", "action"]);
        // Read by a later stage, by the rest of the search, or shown in whole events.
        assert!(check_only("index=a | stats count by index").is_empty());
        assert_eq!(
            check_only("index=a x=1 (y=1 OR index=b) | stats count"),
            ["x"]
        );
        assert!(check_only("index=a x=1").is_empty());
        assert!(check_only("index=a | fields *").is_empty());
        assert!(check_only("index=a | table _time").contains(&"index".to_string()));
    }
}
