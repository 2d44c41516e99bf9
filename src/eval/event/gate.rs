//! The parser's side of the gate ([`crate::optimize::gate`]): a line is first read into a narrow
//! record of the fields the gate reads, and built in full only when the gate's test holds.
//!
//! The narrow pass costs a scan of the line, which an event the test passes pays on top of its
//! full parse. So each thread keeps a tally of how many lines passed: where most do (a search
//! that keeps most events), it stops gating for a while, then tries again. Either way the
//! records are the same; only the time differs.

use super::json::Selection;
use super::{finish_record, EventOptions};
use crate::eval::compile::CExpr;
use crate::eval::expr::is_true;
use std::cell::Cell;
use std::collections::BTreeSet;

/// A test on a narrow record, and how to read that record.
#[derive(Debug)]
pub struct Gate {
    test: CExpr,
    /// The gate's fields (and the pushdown checks, which drop a line as in the full parse).
    selection: Selection,
    /// Whether the test reads `_time` (the time fields are then read too).
    reads_time: bool,
    /// Tells gates apart, for the threads' tallies.
    id: u64,
}

/// How many lines a thread gates before it looks at how many passed.
const PROBE: u32 = 256;
/// How many lines a thread reads without the gate once most of those it gated passed.
const REST: u32 = 8192;

/// One thread's count of the lines it gated lately.
#[derive(Clone, Copy, Default)]
struct Tally {
    gate: u64,
    tried: u32,
    passed: u32,
    /// Lines still to read without the gate.
    resting: u32,
}

thread_local! {
    static TALLY: Cell<Tally> = const {
        Cell::new(Tally { gate: 0, tried: 0, passed: 0, resting: 0 })
    };
}

/// The next [`Gate::id`].
static GATES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Gate {
    /// The gate testing `test`, which reads the fields `read`, for lines read with `opts`
    /// (its pushdown checks run in the narrow pass too).
    pub(super) fn new(test: CExpr, read: &BTreeSet<String>, opts: &EventOptions) -> Gate {
        let reads_time = read.contains("_time");
        let projection = crate::optimize::Projection::Fields(read.clone());
        let extra: &[String] = if reads_time { &opts.time_fields } else { &[] };
        Gate {
            test,
            selection: Selection::new(&projection, extra, &opts.checks, opts.validate_rest),
            reads_time,
            id: GATES.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Whether the line's event is dropped at the gate: it fails a pushdown check or the
    /// gate's test. `false` too while this thread is not gating.
    pub(super) fn drops(&self, text: &str, opts: &EventOptions) -> Result<bool, serde_json::Error> {
        let mut tally = TALLY.get();
        if tally.gate != self.id {
            tally = Tally {
                gate: self.id,
                ..Tally::default()
            };
        }
        if tally.resting > 0 {
            tally.resting -= 1;
            TALLY.set(tally);
            return Ok(false);
        }
        // A line a pushdown check drops costs the same to drop in the full parse: it does not
        // count for or against the gate.
        let Some((fields, _)) = super::json::parse_fields(text, &self.selection)? else {
            return Ok(true);
        };
        let record = finish_record(fields, text, &self.selection, opts, self.reads_time);
        let pass = is_true(&self.test, &record);
        tally.tried += 1;
        tally.passed += u32::from(pass);
        if tally.tried == PROBE {
            if tally.passed * 2 > tally.tried {
                tally.resting = REST;
            }
            tally.tried = 0;
            tally.passed = 0;
        }
        TALLY.set(tally);
        Ok(!pass)
    }
}
