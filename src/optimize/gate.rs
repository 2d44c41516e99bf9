//! Gate: the part of the first search that the parser tests on a narrow record (only the fields
//! it reads) before it builds the whole event. A detection keeps few of the events it reads,
//! and where the pipeline keeps many more fields than the search reads (a search whose output
//! is whole events keeps every field), building them all for each event the search then drops
//! costs most of the run: a Sigma rule's condition reads a field under several names, so it is
//! seldom pushed down ([`super::pushdown()`]) and each event was built in full to be tested.
//!
//! Exact: the gate is some of the first search's conjuncts (those not pushed down, which the
//! parser checks anyway, and only pure ones), so an event it fails fails the search; an event
//! it passes is parsed in full and the search runs on it as before. The narrow record is built
//! by the same parser from the same text, with the same defaults, so the gate reads each of
//! its fields as the search would.

use super::projection::{expr_fields, Projection};
use super::pushdown::{and_of, pure, unpushed};
use crate::ir::{Expr, Pipeline, Stage};
use std::collections::BTreeSet;

/// A gate is worth its narrow pass only when the pipeline keeps at least this many fields
/// more than it reads.
const MORE_KEPT: usize = 4;

/// The gate of `pipeline` and the fields it reads, given the parts pushed down (`parts`) and
/// the fields the pipeline keeps (`kept`); `None` when there is no search left to test first,
/// or the pipeline keeps hardly more than it reads. (Conjuncts that read fields by a wildcard
/// with no dotted path before it are left to the search.)
pub fn gate(
    pipeline: &Pipeline,
    parts: &[(String, Expr)],
    kept: &Projection,
) -> Option<(Expr, BTreeSet<String>)> {
    let Some(Stage::Filter(search)) = pipeline.stages.first() else {
        return None;
    };
    let test = and_of(
        unpushed(search, parts)
            .filter(|e| pure(e) && expr_fields(e).iter().all(|f| kept_name(f).is_some()))
            .cloned(),
    )?;
    let read: BTreeSet<String> = expr_fields(&test)
        .iter()
        .filter_map(|name| kept_name(name))
        .collect();
    let worth = match kept {
        Projection::All => true,
        Projection::Fields(kept) => kept.len() >= read.len() + MORE_KEPT,
    };
    worth.then_some((test, read))
}

/// What the narrow record keeps to have the field `name`: the name without `{}`; for a name
/// with a wildcard, the object above it (`Event.UserData` for `Event.UserData.*.Image`: taken
/// whole, it gives every field the wildcard covers). `None` for a wildcard at the top
/// (`src*`), which would need every field.
fn kept_name(name: &str) -> Option<String> {
    let name = name.replace("{}", "");
    match name.find('*') {
        None => Some(name),
        Some(star) => {
            let dot = name.get(..star)?.rfind('.')?;
            name.get(..dot).map(str::to_string)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate_of(spl: &str, pushed: bool) -> Option<(String, Vec<String>)> {
        let ir = crate::spl_to_ir(spl).expect("parses");
        let parts = if pushed {
            crate::optimize::pushdown(&ir, &[])
        } else {
            Vec::new()
        };
        let kept = crate::optimize::projection(&ir);
        gate(&ir, &parts, &kept).map(|(e, read)| (e.to_string(), read.into_iter().collect()))
    }

    #[test]
    fn the_search_not_pushed_down_is_the_gate() {
        // Whole events out: the search across two fields is tested first.
        let (test, read) = gate_of("src=a OR dest=a", true).expect("a gate");
        assert_eq!(read, ["dest", "src"]);
        assert!(test.contains("src") && test.contains("dest"), "{test}");
        // Parts pushed down are checked as parsed already; the rest is the gate.
        let (test, read) = gate_of("action=allowed (src=a OR dest=a)", true).expect("a gate");
        assert_eq!(read, ["dest", "src"]);
        assert!(!test.contains("action"), "{test}");
        // With pushdown off the whole search is.
        let (test, _) = gate_of("action=allowed (src=a OR dest=a)", false).expect("a gate");
        assert!(test.contains("action"), "{test}");
        // A bare term reads `_raw`; a wildcard below an object, the object.
        assert_eq!(gate_of("needle", true).expect("a gate").1, ["_raw"]);
        let nested = "Image=a OR Event.UserData.*.Image=a";
        assert_eq!(
            gate_of(nested, true).expect("a gate").1,
            ["Event.UserData", "Image"]
        );
    }

    #[test]
    fn no_gate_where_it_would_not_pay() {
        // Everything pushed down: nothing left to test first.
        assert!(gate_of("action=allowed dest_port=25", true).is_none());
        // The pipeline keeps little more than the search reads.
        assert!(gate_of("src=a OR dest=a | stats count by src, dest", true).is_none());
        // A field by a wildcard at the top, or a clock, is not tested early.
        assert!(gate_of("src*=a OR dest=a", true).is_none());
        assert!(gate_of("| where _time > now() - 60", true).is_none());
        // Keeping many more fields than it reads, it pays.
        let wide = "src=a OR dest=a | table src, dest, a, b, c, d";
        assert!(gate_of(wide, true).is_some());
    }
}
