//! One IR stage as one CTE: filter, eval, stats, eventstats (window functions), bin, table,
//! fields, sort, head, dedup, rename, rex (regexp_extract), lookup (join) and Sigma correlations.

use super::expr::{as_num, as_text, column, ident};
use super::{regex_text, string, Dialect, Sql};
use crate::ir::{
    Agg, AggFunc, BinSpan, Correlate, CorrelationKind, Expr, Head, NumOp, RexKind, Stage, Stats,
};

impl Sql {
    pub(super) fn stage(&mut self, s: &Stage) {
        let d = self.dialect;
        match s {
            Stage::Filter(e) => {
                let c = self.cond(e);
                self.push(format!("SELECT * FROM {{prev}} WHERE {c}"));
            }
            Stage::Eval(assigns) => {
                for (name, e) in assigns {
                    let value = self.expr(e);
                    self.assign(name, &value);
                }
            }
            Stage::Stats(st) => self.stats(st),
            Stage::EventStats(st) => self.eventstats(st),
            Stage::Bin(b) => match b.span {
                BinSpan::Fixed(w) => {
                    let src = self.field_value(&b.field);
                    let value = format!("floor({} / {w}) * {w}", as_num(&src));
                    self.assign(&b.output, &value);
                }
                _ => {
                    self.fail("bin with a span other than a fixed width");
                }
            },
            Stage::Table(fields)
            | Stage::Fields {
                remove: false,
                fields,
            } => {
                if fields.iter().any(|f| f.contains('*')) {
                    self.fail("table/fields with wildcards");
                    return;
                }
                let cols: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{} AS {}", column(d, f), ident(d, f)))
                    .collect();
                self.push(format!("SELECT {} FROM {{prev}}", cols.join(", ")));
                self.columns = Some(fields.clone());
            }
            Stage::Sort(sort) => {
                let keys: Vec<String> = sort
                    .keys
                    .iter()
                    .map(|k| {
                        let dir = if k.descending {
                            "DESC NULLS LAST"
                        } else {
                            "ASC NULLS FIRST"
                        };
                        format!("{} {dir}", column(d, &k.field))
                    })
                    .collect();
                let limit = sort.limit.map_or(String::new(), |n| format!(" LIMIT {n}"));
                self.push(format!(
                    "SELECT * FROM {{prev}} ORDER BY {}{limit}",
                    keys.join(", ")
                ));
            }
            Stage::Head(Head::Count(n)) => self.push(format!("SELECT * FROM {{prev}} LIMIT {n}")),
            Stage::Dedup(dd)
                if dd.count == 1 && !dd.keepempty && !dd.consecutive && dd.sortby.is_empty() =>
            {
                let cols: Vec<String> = dd
                    .fields
                    .iter()
                    .map(|f| as_text(d, &column(d, f)))
                    .collect();
                let present: Vec<String> =
                    cols.iter().map(|c| format!("{c} IS NOT NULL")).collect();
                let rn = ident(d, "__rn");
                self.push(format!(
                    "SELECT *, row_number() OVER (PARTITION BY {} ORDER BY {} DESC) AS {rn} FROM {{prev}} WHERE {}",
                    cols.join(", "),
                    ident(d, "_time"),
                    present.join(" AND ")
                ));
                let keep = match d {
                    Dialect::DuckDb => format!("* EXCLUDE ({rn})"),
                    Dialect::Spark => "*".to_string(),
                };
                self.push(format!("SELECT {keep} FROM {{prev}} WHERE {rn} = 1"));
            }
            Stage::Rename(pairs)
                if d == Dialect::DuckDb
                    && pairs
                        .iter()
                        .all(|(a, b)| !a.contains('*') && !b.contains('*')) =>
            {
                let parts: Vec<String> = pairs
                    .iter()
                    .map(|(a, b)| format!("{} AS {}", ident(d, a), ident(d, b)))
                    .collect();
                self.push(format!(
                    "SELECT * RENAME ({}) FROM {{prev}}",
                    parts.join(", ")
                ));
            }
            Stage::Rex(r) => match &r.kind {
                RexKind::Extract {
                    pattern,
                    max_match: 1,
                } => {
                    let src = as_text(d, &column(d, &r.field));
                    for (index, name) in named_groups(pattern) {
                        let re = string(d, &regex_text(d, pattern));
                        let value = format!("NULLIF(regexp_extract({src}, {re}, {index}), '')");
                        self.assign(&name, &value);
                    }
                }
                _ => {
                    self.fail("rex other than one extraction (max_match=1)");
                }
            },
            Stage::Lookup(l) => self.lookup(l),
            Stage::Correlate(c) => self.correlate(c),
            other => {
                let name = crate::convert::spl::Printer::default().stage_text(other);
                let word = name.split_whitespace().next().unwrap_or("?").to_string();
                self.fail(&format!("`{word}`"));
            }
        }
    }

    /// A field's value; Spark's `_time` is converted where it is read.
    fn field_value(&self, f: &str) -> String {
        match (self.dialect, f) {
            (Dialect::Spark, "_time") => super::time_expr(Dialect::Spark),
            (d, f) => column(d, f),
        }
    }

    /// `f := value`: a new column, or (DuckDB) a replaced one.
    fn assign(&mut self, name: &str, value: &str) {
        let d = self.dialect;
        let exists = self.defined.iter().any(|f| f == name)
            || self
                .columns
                .as_ref()
                .is_some_and(|c| c.iter().any(|f| f == name))
            || name == "_time";
        let body = match (exists, d) {
            (true, Dialect::DuckDb) => format!(
                "SELECT * REPLACE ({value} AS {}) FROM {{prev}}",
                ident(d, name)
            ),
            (true, Dialect::Spark) => {
                self.fail(&format!("overwriting the field `{name}` in Spark SQL"));
                return;
            }
            (false, _) => format!("SELECT *, {value} AS {} FROM {{prev}}", ident(d, name)),
        };
        self.push(body);
        self.defined.push(name.to_string());
        if let Some(c) = self.columns.as_mut() {
            c.push(name.to_string());
        }
    }

    fn agg(&mut self, a: &Agg) -> String {
        let d = self.dialect;
        let arg = match &a.arg {
            None => return "count(*)".to_string(),
            Some(Expr::Field(f)) => self.field_value(f),
            Some(e) => self.expr(e),
        };
        let time = self.field_value("_time");
        match a.func {
            AggFunc::Count => format!("count({arg})"),
            AggFunc::DistinctCount => format!("count(DISTINCT {arg})"),
            AggFunc::Sum => format!("sum({})", as_num(&arg)),
            AggFunc::Avg => format!("avg({})", as_num(&arg)),
            AggFunc::Min => format!("min({})", as_num(&arg)),
            AggFunc::Max => format!("max({})", as_num(&arg)),
            AggFunc::Range => format!("(max({n}) - min({n}))", n = as_num(&arg)),
            AggFunc::Earliest => format!("min_by({arg}, {time})"),
            AggFunc::Latest => format!("max_by({arg}, {time})"),
            AggFunc::Values => match d {
                Dialect::DuckDb => format!("list_sort(list_distinct(list({})))", as_text(d, &arg)),
                Dialect::Spark => format!("array_sort(collect_set({}))", as_text(d, &arg)),
            },
            AggFunc::Stdev => format!("stddev_samp({})", as_num(&arg)),
            AggFunc::Stdevp => format!("stddev_pop({})", as_num(&arg)),
            AggFunc::Var => format!("var_samp({})", as_num(&arg)),
            AggFunc::Varp => format!("var_pop({})", as_num(&arg)),
            AggFunc::Median => format!("median({})", as_num(&arg)),
            AggFunc::List | AggFunc::First | AggFunc::Last | AggFunc::Mode | AggFunc::Perc(_) => {
                self.fail(&format!("the stats function {}()", a.func.name()))
            }
        }
    }

    fn stats(&mut self, st: &Stats) {
        let d = self.dialect;
        let aggs: Vec<String> = st
            .aggs
            .iter()
            .map(|a| format!("{} AS {}", self.agg(a), ident(d, &a.name)))
            .collect();
        // Group on the values as text, as Splunk does (`110` and `"110"` are one group), and
        // order the groups numbers first, numerically, then text.
        let by: Vec<String> = st.by.iter().map(|f| as_text(d, &column(d, f))).collect();
        let mut select: Vec<String> = st
            .by
            .iter()
            .zip(&by)
            .map(|(f, text)| format!("{text} AS {}", ident(d, f)))
            .collect();
        select.extend(aggs);
        let body = if by.is_empty() {
            format!("SELECT {} FROM {{prev}}", select.join(", "))
        } else {
            let present: Vec<String> = by.iter().map(|c| format!("{c} IS NOT NULL")).collect();
            let order: Vec<String> = by
                .iter()
                .map(|c| format!("try_cast({c} AS DOUBLE) NULLS LAST, {c}"))
                .collect();
            format!(
                "SELECT {} FROM {{prev}} WHERE {} GROUP BY {} ORDER BY {}",
                select.join(", "),
                present.join(" AND "),
                by.join(", "),
                order.join(", ")
            )
        };
        self.push(body);
        self.columns = Some(
            st.by
                .iter()
                .chain(st.aggs.iter().map(|a| &a.name))
                .cloned()
                .collect(),
        );
    }

    fn eventstats(&mut self, st: &Stats) {
        let d = self.dialect;
        let by: Vec<String> = st.by.iter().map(|f| as_text(d, &column(d, f))).collect();
        let over = if by.is_empty() {
            "OVER ()".to_string()
        } else {
            format!("OVER (PARTITION BY {})", by.join(", "))
        };
        let present = if by.is_empty() {
            "TRUE".to_string()
        } else {
            by.iter()
                .map(|c| format!("{c} IS NOT NULL"))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        for a in &st.aggs {
            let value = format!("CASE WHEN {present} THEN {} {over} END", self.agg(a));
            self.assign(&a.name, &value);
        }
    }

    fn lookup(&mut self, l: &crate::ir::Lookup) {
        let d = self.dialect;
        let Some(outputs) = &l.outputs else {
            self.fail("lookup without an explicit OUTPUT list");
            return;
        };
        let table = ident(d, l.table.trim_end_matches(".csv"));
        let on: Vec<String> = l
            .inputs
            .iter()
            .map(|(c, f)| format!("e.{} = l.{}", column(d, f), ident(d, c)))
            .collect();
        let outs: Vec<String> = outputs
            .iter()
            .map(|(c, f)| format!("l.{} AS {}", ident(d, c), ident(d, f)))
            .collect();
        self.push(format!(
            "SELECT e.*, {} FROM {{prev}} e LEFT JOIN {table} l ON {}",
            outs.join(", "),
            on.join(" AND ")
        ));
        for (_, f) in outputs {
            self.defined.push(f.clone());
        }
    }

    /// Fixed windows of `timespan` seconds, grouped, filtered by the condition.
    fn correlate(&mut self, c: &Correlate) {
        let d = self.dialect;
        let column_name = c.kind.column();
        let agg = match &c.kind {
            CorrelationKind::EventCount => "count(*)".to_string(),
            CorrelationKind::ValueCount(f) => format!("count(DISTINCT {})", column(d, f)),
            CorrelationKind::ValueSum(f) => format!("sum({})", as_num(&column(d, f))),
            CorrelationKind::ValueAvg(f) => format!("avg({})", as_num(&column(d, f))),
            _ => {
                self.fail("temporal and percentile correlations");
                return;
            }
        };
        let time = self.field_value("_time");
        let w = c.timespan;
        let bucket = ident(d, "window_start");
        let mut select = vec![format!("floor({} / {w}) * {w} AS {bucket}", as_num(&time))];
        let mut group = vec![format!("floor({} / {w}) * {w}", as_num(&time))];
        for g in &c.group_by {
            select.push(format!("{} AS {}", column(d, g), ident(d, g)));
            group.push(column(d, g));
        }
        select.push(format!("{agg} AS {}", ident(d, column_name)));
        select.push(format!(
            "min({}) AS {}",
            as_num(&time),
            ident(d, "first_seen")
        ));
        select.push(format!(
            "max({}) AS {}",
            as_num(&time),
            ident(d, "last_seen")
        ));
        let having: Vec<String> = c
            .condition
            .iter()
            .map(|(op, v)| format!("{agg} {} {v}", numop(*op)))
            .collect();
        self.push(format!(
            "SELECT {} FROM {{prev}} GROUP BY {} HAVING {}",
            select.join(", "),
            group.join(", "),
            having.join(" AND ")
        ));
    }
}

fn numop(op: NumOp) -> &'static str {
    match op {
        NumOp::Eq => "=",
        NumOp::Lt => "<",
        NumOp::Le => "<=",
        NumOp::Gt => ">",
        NumOp::Ge => ">=",
        NumOp::Ne => "<>",
    }
}

/// The named groups of a regex with their group numbers.
fn named_groups(re: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let (mut n, mut chars) = (0, re.char_indices().peekable());
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '(' => {
                let rest = &re[at + 1..];
                if !rest.starts_with('?') {
                    n += 1;
                } else if let Some(name) =
                    rest.strip_prefix("?<").or_else(|| rest.strip_prefix("?P<"))
                {
                    if !name.starts_with(['=', '!']) {
                        n += 1;
                        out.push((n, name.split('>').next().unwrap_or("").to_string()));
                    }
                }
            }
            _ => {}
        }
    }
    out
}
