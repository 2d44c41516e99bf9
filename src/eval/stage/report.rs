//! Run time of `top`/`rare`, `chart`/`timechart` and `addtotals`.

use crate::diagnostic::Diagnostic;
use crate::eval::event::Record;
use crate::eval::stage::field_matches;
use crate::eval::stage::reshape::{auto_span, bin_value};
use crate::eval::stats::{Accs, StatsPlan};
use crate::eval::value::{compare_auto, Value};
use crate::ir::{AddTotals, BinSpan, Chart, Stats, Top};
use indexmap::IndexMap;
use std::cmp::Ordering;

/// What `top` / `rare` holds: how often each value combination was seen per BY group, each in
/// first-seen order (ties in count keep it). Events are counted as they come, never held.
#[derive(Debug, Default)]
pub struct TopCounts {
    groups: IndexMap<Vec<String>, IndexMap<Vec<String>, u64>>,
    /// How many value combinations are counted, over all BY groups.
    held: usize,
    /// Whether an event brought one past the budget (it was not counted).
    overflowed: bool,
}

impl TopCounts {
    /// Counts one event (not when it lacks a field, nor a new value combination once
    /// `max_groups` are counted).
    pub fn add(&mut self, t: &Top, r: &Record, max_groups: usize) {
        let (Some(by), Some(values)) = (texts(&t.by, r), texts(&t.fields, r)) else {
            return;
        };
        let full = self.held >= max_groups;
        if full && !self.groups.contains_key(&by) {
            self.overflowed = true;
            return;
        }
        let counts = self.groups.entry(by).or_default();
        match counts.get_mut(&values) {
            Some(n) => *n += 1,
            None if full => self.overflowed = true,
            None => {
                counts.insert(values, 1);
                self.held += 1;
            }
        }
    }

    /// The error to report when the budget was exceeded.
    pub fn overflow(&self, max_groups: usize) -> Option<Diagnostic> {
        self.overflowed.then(|| {
            Diagnostic::error(
                crate::diagnostic::codes::RUNTIME,
                format!("`top` has more than {max_groups} value combinations; stopping"),
            )
            .help("count fewer or coarser fields, or raise --max-groups")
        })
    }
}

/// `top` / `rare`'s rows: each BY group's value combinations, most (least) common first.
pub fn top(t: &Top, counts: TopCounts) -> Vec<Record> {
    let groups = counts.groups;
    let mut keys: Vec<_> = groups.iter().collect();
    keys.sort_by(|a, b| compare_keys(a.0, b.0));
    let mut out = Vec::new();
    for (key, counts) in keys {
        let total: u64 = counts.values().sum();
        let mut ranked: Vec<(&Vec<String>, u64)> = counts.iter().map(|(k, n)| (k, *n)).collect();
        ranked.sort_by(|a, b| if t.rare { a.1.cmp(&b.1) } else { b.1.cmp(&a.1) });
        let limit = if t.limit == 0 {
            ranked.len()
        } else {
            t.limit as usize
        };
        let (shown, others) = ranked.split_at(limit.min(ranked.len()));
        for (values, n) in shown {
            out.push(top_row(t, key, values, *n, total));
        }
        let rest: u64 = others.iter().map(|(_, n)| n).sum();
        if t.useother && rest > 0 {
            let other = vec![t.otherstr.clone(); t.fields.len()];
            out.push(top_row(t, key, &other, rest, total));
        }
    }
    out
}

fn top_row(t: &Top, by: &[String], values: &[String], n: u64, total: u64) -> Record {
    let mut row = Record::default();
    for (f, v) in t.by.iter().zip(by).chain(t.fields.iter().zip(values)) {
        row.set(f, Value::from_text(v));
    }
    if t.showcount {
        row.set(&t.countfield, Value::Num(n as f64));
    }
    if t.showperc {
        let perc = (n as f64 * 100.0 / total as f64 * 1e6).round() / 1e6;
        row.set(&t.percentfield, Value::Num(perc));
    }
    row
}

/// The text of each field, or `None` when one is missing.
fn texts(fields: &[String], r: &Record) -> Option<Vec<String>> {
    fields
        .iter()
        .map(|f| r.get(f).map(|v| crate::eval::value::first(v).to_text()))
        .collect()
}

fn compare_keys(a: &[String], b: &[String]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| compare_auto(&Value::from_text(x), &Value::from_text(y)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// What a chart that [`ChartPlan::streams`] holds: each cell's accumulators, by row and series,
/// and the series in first-seen order.
#[derive(Debug, Default)]
pub struct ChartCells {
    table: IndexMap<String, IndexMap<String, Accs>>,
    names: Vec<String>,
    /// An automatic span's: the least and greatest time seen, and the width the rows have now
    /// (`None` before the first time). Rows are as narrow as the times so far call for, and
    /// merged into wider ones as the range grows.
    times: Option<(f64, f64)>,
    width: Option<f64>,
    /// How many cells (row and series) are held.
    held: usize,
    /// Whether an event would have made a cell past the budget (it was not counted).
    overflowed: bool,
}

impl ChartCells {
    /// Adds the event to the cell of `row` and the series named `name`; past `max_cells`
    /// cells, an event for a new one is left out (and the overflow noted).
    fn fill(&mut self, stats: &StatsPlan, row: String, name: String, r: &Record, max_cells: usize) {
        let cells = self.table.entry(row).or_default();
        let accs = match cells.get_mut(&name) {
            Some(accs) => accs,
            None if self.held >= max_cells => {
                self.overflowed = true;
                return;
            }
            None => {
                self.held += 1;
                if !self.names.contains(&name) {
                    self.names.push(name.clone());
                }
                cells.entry(name).or_insert_with(|| stats.new_accs())
            }
        };
        stats.update(accs, r);
    }

    /// Takes in the time of an event of a chart with an automatic span: when the range of the
    /// times seen calls for wider rows, merges the rows into them. They are never wider than a
    /// day, which divides every wider span [`auto_span`] may choose in the end (a week, 30 days,
    /// a year), as each narrower one divides the next; so rows of any width so far merge
    /// whole into the final rows.
    fn see_time(&mut self, stats: &StatsPlan, auto: (u64, f64), t: f64) {
        if self.times.is_some_and(|(lo, hi)| lo <= t && t <= hi) {
            return; // the range, and so the width, stay
        }
        self.times = Some(take_in(self.times, t));
        let width = auto_width(auto, self.times).min(86_400.0);
        if self.width.is_none_or(|w| width > w) {
            self.widen(stats, width);
        }
    }

    /// Merges the rows into rows `width` wide (a multiple of the width they have).
    fn widen(&mut self, stats: &StatsPlan, width: f64) {
        self.width = Some(width);
        self.held = 0;
        for (row, series) in std::mem::take(&mut self.table) {
            // Rows are bucket starts written by `bin_value`: numbers.
            let Some(wider) = row
                .parse::<f64>()
                .ok()
                .and_then(|start| bin_value(BinSpan::Fixed(width), true, start))
            else {
                continue;
            };
            let cells = self.table.entry(wider.to_text()).or_default();
            for (name, accs) in series {
                if merge_cell(stats, cells, name, accs) {
                    self.held += 1;
                }
            }
        }
    }

    /// Keeps the `limit` series with the largest totals of the first aggregation (as
    /// [`ChartPlan::kept_series`] ranks them) and merges the others of each row into its
    /// `other` cell, as the held chart fills them; returns the kept series.
    fn limit_series(&mut self, stats: &StatsPlan, limit: u64, other: &str) -> Vec<String> {
        let totals = self.names.iter().map(|name| {
            let mut total = stats.new_accs();
            for accs in self.table.values().filter_map(|row| row.get(name)) {
                stats.merge(&mut total, accs.clone());
            }
            (name.clone(), total)
        });
        let keep = largest_series(stats, totals, limit);
        let kept_or_other = |name: String| {
            if keep.contains(&name) {
                name
            } else {
                other.to_string()
            }
        };
        for row in self.table.values_mut() {
            for (name, accs) in std::mem::take(row) {
                merge_cell(stats, row, kept_or_other(name), accs);
            }
        }
        // The series in the order they were first filled, a left-out one as `other`.
        let mut names = Vec::new();
        for name in std::mem::take(&mut self.names)
            .into_iter()
            .map(kept_or_other)
        {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        self.names = names;
        keep
    }
}

/// Merges the accumulators of the series `name` into its cell of `row`, or makes them the cell;
/// whether they made a new one.
fn merge_cell(
    stats: &StatsPlan,
    row: &mut IndexMap<String, Accs>,
    name: String,
    accs: Accs,
) -> bool {
    match row.get_mut(&name) {
        Some(held) => {
            stats.merge(held, accs);
            false
        }
        None => {
            row.insert(name, accs);
            true
        }
    }
}

/// The range of times `range` with `t` taken in.
fn take_in(range: Option<(f64, f64)>, t: f64) -> (f64, f64) {
    range.map_or((t, t), |(lo, hi)| (lo.min(t), hi.max(t)))
}

/// An automatic span's width over a range of times (one second when there is none).
fn auto_width((bins, minspan): (u64, f64), times: Option<(f64, f64)>) -> f64 {
    let (lo, hi) = times.unwrap_or((0.0, 0.0));
    auto_span(true, bins, minspan, lo, hi)
}

/// `chart` / `timechart` with their aggregations compiled.
#[derive(Debug)]
pub struct ChartPlan {
    pub chart: Chart,
    stats: StatsPlan,
    /// The most cells (row and series) a chart filled as events come holds (`--max-groups`).
    max_cells: usize,
}

impl ChartPlan {
    /// `max_cells`: the most cells (row and series) a chart that [`ChartPlan::streams`] holds.
    pub fn compile(c: &Chart, max_cells: usize) -> Result<ChartPlan, Diagnostic> {
        Ok(ChartPlan {
            max_cells,
            chart: c.clone(),
            stats: StatsPlan::compile(&Stats {
                aggs: c.aggs.clone(),
                by: Vec::new(),
            })?,
        })
    }

    /// Whether the cells can be filled as events come, none held: an event's row is known from
    /// it alone (no span worked out from every event's time), and no cell gathers the series a
    /// limit leaves out (there are no series, or `limit=0` keeps them all).
    /// Also when the aggregations' cells merge exactly ([`StatsPlan::merges_exactly`]: `count`,
    /// `dc`, `values`, `min`, `max`, ...): rows as narrow as the times so far call for are merged
    /// into wider ones as the range grows, and the left-out series into `OTHER` at the end.
    pub fn streams(&self) -> bool {
        let merges = self.stats.merges_exactly();
        (merges || !matches!(self.chart.span, Some(BinSpan::Auto { .. })))
            && (merges || self.chart.by.is_none() || self.chart.limit == 0)
    }

    /// Adds an event to its cell (a chart that [`ChartPlan::streams`]).
    pub fn add(&self, cells: &mut ChartCells, r: &Record) {
        let span = match self.chart.span {
            // The held chart's span comes from the time of every event, with a cell or not.
            Some(BinSpan::Auto { bins, minspan }) => {
                if let Some(t) = r.time() {
                    cells.see_time(&self.stats, (bins, minspan), t);
                }
                match cells.width {
                    Some(width) => Some(BinSpan::Fixed(width)),
                    None => return, // no time yet: no row either
                }
            }
            span => span,
        };
        if let Some((row, series)) = self.cell(r, span) {
            cells.fill(
                &self.stats,
                row,
                series.unwrap_or_default(),
                r,
                self.max_cells,
            );
        }
    }

    /// The error to report when the cells went past the budget.
    pub fn overflow(&self, cells: &ChartCells) -> Option<Diagnostic> {
        let command = match self.chart.span {
            Some(_) => "timechart",
            None => "chart",
        };
        cells.overflowed.then(|| {
            Diagnostic::error(
                crate::diagnostic::codes::RUNTIME,
                format!(
                    "`{command}` has more than {} cells (rows times series); stopping",
                    self.max_cells
                ),
            )
            .help("chart fewer or coarser values, set a span or a series limit, or raise --max-groups")
        })
    }

    /// The rows of a chart that [`ChartPlan::streams`], from its cells.
    pub fn finish_cells(&self, mut cells: ChartCells) -> Vec<Record> {
        let span = match self.chart.span {
            Some(BinSpan::Auto { bins, minspan }) => {
                let width = auto_width((bins, minspan), cells.times);
                if cells.width.is_some_and(|w| w != width) {
                    cells.widen(&self.stats, width);
                }
                Some(BinSpan::Fixed(width))
            }
            span => span,
        };
        let keep = match self.chart.by {
            None => Vec::new(),
            Some(_) if self.chart.limit == 0 => cells.names.clone(),
            Some(_) => cells.limit_series(&self.stats, self.chart.limit, &self.chart.otherstr),
        };
        self.rows(cells, &keep, span)
    }

    /// Rows by the `over` value (or `_time` bucket), one column per aggregation and series.
    pub fn finish(&self, records: Vec<Record>) -> Vec<Record> {
        let c = &self.chart;
        let span = self.span(&records);
        let cells: Vec<(String, Option<String>, &Record)> = records
            .iter()
            .filter_map(|r| self.cell(r, span).map(|(row, series)| (row, series, r)))
            .collect();
        let keep = self.kept_series(&cells);
        let mut filled = ChartCells::default();
        for (row, series, r) in cells {
            let name = match series {
                None => String::new(),
                Some(s) if keep.contains(&s) => s,
                Some(_) => c.otherstr.clone(),
            };
            filled.fill(&self.stats, row, name, r, usize::MAX);
        }
        self.rows(filled, &keep, span)
    }

    /// The event's row and series (`None`: the chart has none); `None` when it has no cell.
    fn cell(&self, r: &Record, span: Option<BinSpan>) -> Option<(String, Option<String>)> {
        let c = &self.chart;
        let row = self.row_key(r, span)?;
        let series = match &c.by {
            None => None,
            Some(by) => match r.get(by) {
                Some(v) => Some(crate::eval::value::first(v).to_text()),
                None if c.usenull => Some(c.nullstr.clone()),
                None => return None,
            },
        };
        Some((row, series))
    }

    /// The rows, in order, of the filled cells.
    fn rows(&self, cells: ChartCells, keep: &[String], span: Option<BinSpan>) -> Vec<Record> {
        let ChartCells {
            table,
            names: mut series_names,
            ..
        } = cells;
        self.order_series(&mut series_names, keep);
        let mut rows: Vec<String> = table.keys().cloned().collect();
        if let (Some(BinSpan::Fixed(width)), Some(_), true) =
            (span, &self.chart.span, self.chart.cont)
        {
            rows = fill_time_rows(&rows, width);
        }
        rows.sort_by(|a, b| compare_auto(&Value::from_text(a), &Value::from_text(b)));
        rows.into_iter()
            .map(|row| self.row(&row, table.get(&row), &series_names))
            .collect()
    }

    fn row(&self, row: &str, cells: Option<&IndexMap<String, Accs>>, series: &[String]) -> Record {
        let mut out = Record::default();
        if let Some(over) = &self.chart.over {
            out.set(over, Value::from_text(row));
        }
        let empty = self.stats.new_accs();
        let many = self.chart.aggs.len() > 1;
        for s in series {
            let accs = cells.and_then(|c| c.get(s)).unwrap_or(&empty);
            for (name, value) in self.stats.results(accs) {
                let column = match (self.chart.by.is_some(), many) {
                    (false, _) => name,
                    (true, false) => s.clone(),
                    (true, true) => format!("{name}: {s}"),
                };
                out.set(&column, value);
            }
        }
        out
    }

    fn row_key(&self, r: &Record, span: Option<BinSpan>) -> Option<String> {
        match (&self.chart.over, span) {
            (None, _) => Some(String::new()),
            (Some(over), Some(span)) => {
                let t = r.get(over).and_then(Value::as_num)?;
                bin_value(span, true, t).map(|v| v.to_text())
            }
            (Some(over), None) => r.get(over).map(|v| crate::eval::value::first(v).to_text()),
        }
    }

    /// timechart's bucket width; `bins=n` picks it from the `_time` range.
    fn span(&self, records: &[Record]) -> Option<BinSpan> {
        match self.chart.span? {
            BinSpan::Auto { bins, minspan } => {
                let times = records
                    .iter()
                    .filter_map(Record::time)
                    .fold(None, |range, t| Some(take_in(range, t)));
                Some(BinSpan::Fixed(auto_width((bins, minspan), times)))
            }
            fixed => Some(fixed),
        }
    }

    /// The series kept by `limit`: the largest totals of the first aggregation.
    fn kept_series(&self, cells: &[(String, Option<String>, &Record)]) -> Vec<String> {
        let mut totals: IndexMap<String, Accs> = IndexMap::new();
        for (_, series, r) in cells {
            if let Some(s) = series {
                let accs = totals
                    .entry(s.clone())
                    .or_insert_with(|| self.stats.new_accs());
                self.stats.update(accs, r);
            }
        }
        largest_series(&self.stats, totals, self.chart.limit)
    }

    /// Series in ascending order, then `NULL`, then `OTHER`; dropped series are removed without `useother`.
    fn order_series(&self, names: &mut Vec<String>, keep: &[String]) {
        let c = &self.chart;
        if c.by.is_some() && !c.useother {
            names.retain(|n| keep.contains(n));
        }
        let rank = |n: &String| {
            if *n == c.otherstr && !keep.contains(n) {
                2
            } else if c.by.is_some() && *n == c.nullstr && c.usenull {
                1
            } else {
                0
            }
        };
        names.sort_by(|a, b| {
            rank(a)
                .cmp(&rank(b))
                .then_with(|| compare_auto(&Value::from_text(a), &Value::from_text(b)))
        });
        if c.by.is_none() {
            names.truncate(1);
        }
        if names.is_empty() && c.by.is_none() {
            names.push(String::new());
        }
    }
}

/// The series with the largest totals of the first aggregation, largest first (ties in the
/// order given), at most `limit` of them (0: all).
fn largest_series(
    stats: &StatsPlan,
    totals: impl IntoIterator<Item = (String, Accs)>,
    limit: u64,
) -> Vec<String> {
    let mut ranked: Vec<(String, f64)> = totals
        .into_iter()
        .map(|(series, accs)| {
            let score = stats
                .results(&accs)
                .first()
                .and_then(|(_, v)| v.as_num())
                .unwrap_or(0.0);
            (series, score)
        })
        .collect();
    ranked.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(Ordering::Equal));
    if limit > 0 {
        ranked.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    ranked.into_iter().map(|(series, _)| series).collect()
}

/// Every bucket start from the first row to the last (timechart shows empty buckets).
fn fill_time_rows(rows: &[String], width: f64) -> Vec<String> {
    let nums: Vec<f64> = rows.iter().filter_map(|r| r.parse().ok()).collect();
    let (Some(lo), Some(hi)) = (
        nums.iter().copied().reduce(f64::min),
        nums.iter().copied().reduce(f64::max),
    ) else {
        return rows.to_vec();
    };
    if (hi - lo) / width > 100_000.0 {
        return rows.to_vec();
    }
    let mut out = Vec::new();
    let mut t = lo;
    while t <= hi {
        out.push(Value::Num(t).to_text());
        t += width;
    }
    out
}

/// `addtotals row=t`: the sum of the record's numeric fields (those listed, else all but `_` ones).
pub fn add_row_total(a: &AddTotals, record: &mut Record) {
    let mut sum = None;
    for (name, v) in &record.fields {
        if *name == a.fieldname || !sums(a, name) {
            continue;
        }
        if let Some(n) = v.as_num() {
            sum = Some(sum.unwrap_or(0.0) + n);
        }
    }
    if let Some(s) = sum {
        record.set(&a.fieldname, Value::Num(s));
    }
}

fn sums(a: &AddTotals, name: &str) -> bool {
    if a.fields.is_empty() {
        !name.starts_with('_')
    } else {
        a.fields.iter().any(|p| field_matches(p, name))
    }
}

/// `addtotals col=t`: a last row with the sum of each numeric column.
pub fn add_column_totals(a: &AddTotals, mut records: Vec<Record>) -> Vec<Record> {
    let mut totals: IndexMap<String, f64> = IndexMap::new();
    for r in &records {
        for (name, v) in &r.fields {
            if !sums(a, name) && *name != a.fieldname {
                continue;
            }
            if let Some(n) = v.as_num() {
                *totals.entry(name.to_string()).or_insert(0.0) += n;
            }
        }
    }
    let mut row = Record::default();
    if let Some(label) = &a.labelfield {
        row.set(label, Value::str(a.label.as_str()));
    }
    for (name, total) in totals {
        row.set(&name, Value::Num(total));
    }
    records.push(row);
    records
}

#[cfg(test)]
mod tests {
    use super::{ChartCells, ChartPlan};
    use crate::eval::event::{Fields, Record};
    use crate::eval::value::Value;
    use crate::ir::Stage;

    /// 400 events `step` seconds apart (in a shuffled order).
    fn events(step: f64) -> Vec<Record> {
        (0..400)
            .map(|i| {
                let mut fields = Fields::new();
                // Some events lack the series field, some the over field; times in any order.
                fields.insert(
                    "_time".into(),
                    Value::Num(1_700_000_000.0 + f64::from(i * 7919 % 400) * step),
                );
                if i % 5 != 0 {
                    fields.insert("y".into(), Value::str(format!("s{}", i % 13)));
                }
                if i % 7 != 0 {
                    fields.insert("x".into(), Value::Num(f64::from(i % 6)));
                }
                fields.insert("n".into(), Value::Num(f64::from(i) / 3.0));
                Record::from(fields)
            })
            .collect()
    }

    /// A chart filled as events come gives the rows the chart over all the events held gives;
    /// charts that need every event first (an automatic span or a series limit, with
    /// aggregations whose cells do not merge exactly) do not stream.
    #[test]
    fn streamed_cells_give_the_held_events_rows() {
        let streaming = [
            "| chart count over x",
            "| chart count by x",
            "| chart count, sum(n), dc(y) over x",
            "| chart count over x by y limit=0",
            "| chart avg(n) over x by y limit=0 usenull=f",
            "| chart first(n) last(y) list(y) over x",
            "| timechart span=1h count",
            "| timechart span=30m sum(n) by y limit=0",
            "| timechart span=2h count by y limit=0 usenull=t nullstr=none",
        ];
        let merged = [
            "| timechart count",
            "| timechart bins=7 dc(y), min(n), max(y), range(n)",
            "| timechart bins=500 count by y",
            "| timechart earliest(n) latest(n) values(x) by y limit=3",
            "| timechart count by y limit=4 useother=f",
            "| timechart minspan=10m count by y cont=f",
            "| timechart bins=50 minspan=40d dc(x)",
            "| chart count over x by y",
            "| chart count over x by y limit=2 otherstr=rest",
            "| timechart span=1h count by y",
        ];
        let held = [
            "| timechart avg(n)",
            "| timechart count, first(n)",
            "| chart sum(n) over x by y",
            "| timechart span=1h values(*) by y",
        ];
        for (spl, streams) in streaming
            .iter()
            .chain(&merged)
            .map(|s| (s, true))
            .chain(held.iter().map(|s| (s, false)))
        {
            let ir = crate::spl_to_ir(spl).expect("parses");
            let Some(Stage::Chart(chart)) = ir.stages.first() else {
                panic!("{spl}: not a chart");
            };
            let plan = ChartPlan::compile(chart, usize::MAX).expect("compiles");
            assert_eq!(plan.streams(), streams, "{spl}");
            if !streams {
                continue;
            }
            // Over hours, and over more than a year (rows wider than a day in the end).
            for step in [97.0, 97_000.0] {
                let mut cells = ChartCells::default();
                for r in &events(step) {
                    plan.add(&mut cells, r);
                }
                let streamed = plan.finish_cells(cells);
                let whole = plan.finish(events(step));
                assert!(!whole.is_empty(), "{spl}");
                assert!(streamed == whole, "{spl}, {step} s apart");
            }
        }
    }
}
