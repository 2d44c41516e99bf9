//! IR → SQL for DuckDB and Spark 4 (ANSI mode: `try_cast`): one CTE per stage over a table of
//! events (one column per field, as `read_json_auto` / `spark.read.json` produce). Stages without
//! a SQL form yet are a clear `not supported yet in SQL: <stage>` error (README lists them).

mod expr;
mod stage;

use super::{unsupported, Converted};
use crate::diagnostic::Diagnostic;
use crate::ir::Pipeline;
pub use expr::{column, ident, string};

/// The SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// DuckDB: RE2 regexes, standard string literals, `list_*` functions, `* REPLACE`.
    DuckDb,
    /// Spark 4 SQL: Java regexes, backslash escapes in literals, `exists()`/`size()`.
    Spark,
}

/// The SQL being built: CTEs, and the errors met on the way.
pub struct Sql {
    pub dialect: Dialect,
    ctes: Vec<(String, String)>,
    errors: Vec<Diagnostic>,
    /// Fields stages defined (eval outputs); `None` once a stage fixed the column list.
    defined: Vec<String>,
    /// The exact column list, once `stats` or `table` fixed it.
    columns: Option<Vec<String>>,
}

/// Converts a pipeline to one SQL query over `table`.
pub fn to_sql(p: &Pipeline, dialect: Dialect, table: &str) -> Result<Converted, Vec<Diagnostic>> {
    let prepared = super::spl::prepare(&untag(p));
    let mut sql = Sql {
        dialect,
        ctes: Vec::new(),
        errors: Vec::new(),
        defined: Vec::new(),
        columns: None,
    };
    let time = time_expr(dialect);
    sql.push(format!(
        "SELECT * REPLACE ({time} AS {t}) FROM {}",
        table_name(dialect, table),
        t = ident(dialect, "_time")
    ));
    if dialect == Dialect::Spark {
        if let Some((_, body)) = sql.ctes.first_mut() {
            *body = format!("SELECT * FROM {}", table_name(dialect, table));
        }
    }
    for s in &prepared.stages {
        sql.stage(s);
    }
    if !sql.errors.is_empty() {
        return Err(sql.errors);
    }
    let withs: Vec<String> = sql
        .ctes
        .iter()
        .map(|(name, body)| format!("{name} AS (\n  {body}\n)"))
        .collect();
    let last = &sql.ctes.last().map_or("s0".to_string(), |c| c.0.clone());
    Ok(Converted {
        text: format!("WITH {}\nSELECT * FROM {last}", withs.join(",\n")),
        notes: Vec::new(),
    })
}

/// A correlation's "tag each event with its rules" eval and the filter after it, as one filter:
/// an event takes part when any of the rules matches it.
fn untag(p: &Pipeline) -> Pipeline {
    use crate::ir::{BinOp, Expr, Func, Stage};
    let mut stages = Vec::new();
    for s in &p.stages {
        match s {
            Stage::Eval(a) if matches!(a.as_slice(), [(name, _)] if name == crate::sigma::correlation::RULES_FIELD) => {
                if let [(_, Expr::Call(Func::MvAppend, tags))] = a.as_slice() {
                    let tests = tags.iter().filter_map(|t| match t {
                        Expr::Call(Func::If, args) => args.first().cloned(),
                        _ => None,
                    });
                    let any =
                        tests.reduce(|l, r| Expr::Binary(BinOp::Or, Box::new(l), Box::new(r)));
                    stages.extend(any.map(Stage::Filter));
                }
            }
            Stage::Filter(Expr::Call(Func::IsNotNull, args)) if matches!(args.as_slice(), [Expr::Field(f)] if f == crate::sigma::correlation::RULES_FIELD) =>
                {}
            other => stages.push(other.clone()),
        }
    }
    Pipeline { stages }
}

fn table_name(d: Dialect, table: &str) -> String {
    table
        .split('.')
        .map(|p| ident(d, p))
        .collect::<Vec<_>>()
        .join(".")
}

/// `_time` as epoch seconds: a number, or an ISO-8601 timestamp.
fn time_expr(d: Dialect) -> String {
    let t = ident(d, "_time");
    match d {
        Dialect::DuckDb => {
            format!("COALESCE(try_cast({t} AS DOUBLE), epoch(try_cast({t} AS TIMESTAMPTZ)))")
        }
        Dialect::Spark => format!(
            "COALESCE(try_cast({t} AS DOUBLE), unix_micros(try_cast({t} AS TIMESTAMP)) / 1e6)"
        ),
    }
}

impl Sql {
    /// Adds a CTE reading the previous one (`{prev}` in `body`).
    fn push(&mut self, body: String) {
        let name = format!("s{}", self.ctes.len());
        let prev = self.ctes.last().map_or(String::new(), |(n, _)| n.clone());
        self.ctes.push((name, body.replace("{prev}", &prev)));
    }

    fn fail(&mut self, what: &str) -> String {
        if !self.errors.iter().any(|e| e.message.ends_with(what)) {
            self.errors.push(unsupported("SQL", what));
        }
        "NULL".to_string()
    }
}

/// Translates a Splunk/Rust regex for the dialect: DuckDB's RE2 wants `(?P<name>`; Java takes
/// `(?<name>`.
fn regex_text(d: Dialect, re: &str) -> String {
    match d {
        Dialect::DuckDb => re
            .replace("(?<", "(?P<")
            .replace("(?P<=", "(?<=")
            .replace("(?P<!", "(?<!"),
        Dialect::Spark => re.replace("(?P<", "(?<"),
    }
}

/// An unanchored regex search.
pub fn regex_match(d: Dialect, text: &str, re: &str) -> String {
    let re = string(d, &regex_text(d, re));
    match d {
        Dialect::DuckDb => format!("regexp_matches({text}, {re})"),
        Dialect::Spark => format!("({text} RLIKE {re})"),
    }
}

/// Every match replaced; `${1}` / `\1` group references per dialect.
pub fn regex_replace(d: Dialect, text: &str, re: &str, to: &str) -> String {
    let re = string(d, &regex_text(d, re));
    match d {
        Dialect::DuckDb => format!("regexp_replace({text}, {re}, {}, 'g')", string(d, to)),
        Dialect::Spark => {
            let to = to.replace('\\', "$");
            format!("regexp_replace({text}, {re}, {})", string(d, &to))
        }
    }
}
