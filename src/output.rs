//! Result writers: an aligned text table, NDJSON (one object per row), and RFC 4180 CSV.

use crate::eval::{Record, Results, Value};
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// Writes `results` in `format`.
pub fn write(results: &Results, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Table => write_table(results, out),
        Format::Json => write_json(results, out),
        Format::Csv => write_csv(results, out),
    }
}

/// One JSON object per row, fields in column order, absent fields left out, multivalues as arrays.
pub fn write_json(results: &Results, out: &mut dyn Write) -> io::Result<()> {
    JsonRows::new(Some(&results.columns)).write(&results.rows, out)
}

/// NDJSON written a few rows at a time, as a run gives them, with the text [`write_json`] gives
/// all the rows at once. Rows are written as read, without a `serde_json::Value` built first
/// (the text is `row_json`'s; a test checks it); repeated columns are written once, as a JSON
/// object built by `row_json` keeps them.
pub struct JsonRows {
    /// The columns in order, each once.
    columns: Vec<String>,
    /// Every field seen so far, when the columns are those ([`crate::eval::union_columns`]), not
    /// fixed by the pipeline.
    union: Option<crate::eval::FieldUnion>,
    /// A row's text, reused: its many small pieces go out in one write.
    line: Vec<u8>,
}

impl JsonRows {
    /// Rows in these columns, or (`None`) in every field seen so far: a row's fields then come
    /// in the order of the columns of all the rows, which only rows before it decide.
    pub fn new(columns: Option<&[String]>) -> JsonRows {
        let mut once: Vec<String> = Vec::new();
        for column in columns.into_iter().flatten() {
            if !once.contains(column) {
                once.push(column.clone());
            }
        }
        JsonRows {
            columns: once,
            union: columns.is_none().then(crate::eval::FieldUnion::default),
            line: Vec::new(),
        }
    }

    /// Adds the row's new fields to the columns, when they are every field seen.
    fn see(&mut self, row: &Record) {
        if let Some(union) = &mut self.union {
            if union.add(row) {
                self.columns = union.columns();
            }
        }
    }
}

/// Rows written a few at a time, as a run gives them, with the text their format gives all the
/// rows at once.
pub trait RowWriter {
    fn write(&mut self, rows: &[Record], out: &mut dyn Write) -> io::Result<()>;

    /// Ends the rows (what a format writes even when no row came).
    fn finish(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

impl RowWriter for JsonRows {
    fn write(&mut self, rows: &[Record], out: &mut dyn Write) -> io::Result<()> {
        for row in rows {
            self.see(row);
            self.line.clear();
            serde_json::to_writer(
                &mut self.line,
                &JsonRow {
                    columns: &self.columns,
                    row,
                },
            )?;
            self.line.push(b'\n');
            out.write_all(&self.line)?;
        }
        Ok(())
    }
}

/// A row as a JSON object: [`row_json`]'s text, serialized straight from the record.
struct JsonRow<'a> {
    columns: &'a [String],
    row: &'a Record,
}

impl serde::Serialize for JsonRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        for column in self.columns {
            if let Some(v) = self.row.get(column).filter(|v| !v.is_null()) {
                map.serialize_entry(column, v)?;
            }
        }
        map.end()
    }
}

pub fn row_json(columns: &[String], row: &Record) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for column in columns {
        if let Some(v) = row.get(column).filter(|v| !v.is_null()) {
            object.insert(column.clone(), v.to_json());
        }
    }
    serde_json::Value::Object(object)
}

/// RFC 4180: a header line, CRLF line ends, fields quoted when they hold `,`, `"` or line breaks.
pub fn write_csv(results: &Results, out: &mut dyn Write) -> io::Result<()> {
    let mut rows = CsvRows::new(&results.columns);
    rows.write(&results.rows, out)?;
    rows.finish(out)
}

/// CSV in fixed columns written a few rows at a time, as a run gives them, with the text
/// [`write_csv`] gives all the rows at once: the header before the first rows (or alone).
pub struct CsvRows {
    columns: Vec<String>,
    header_written: bool,
}

impl CsvRows {
    pub fn new(columns: &[String]) -> CsvRows {
        CsvRows {
            columns: columns.to_vec(),
            header_written: false,
        }
    }

    fn header(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if !self.header_written {
            self.header_written = true;
            let header: Vec<String> = self.columns.iter().map(|c| crate::csv::field(c)).collect();
            write!(out, "{}\r\n", header.join(","))?;
        }
        Ok(())
    }
}

impl RowWriter for CsvRows {
    fn write(&mut self, rows: &[Record], out: &mut dyn Write) -> io::Result<()> {
        for row in rows {
            self.header(out)?;
            let cells: Vec<String> = self
                .columns
                .iter()
                .map(|c| crate::csv::field(&cell(row, c)))
                .collect();
            write!(out, "{}\r\n", cells.join(","))?;
        }
        Ok(())
    }

    /// The header, if no row came.
    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.header(out)
    }
}

fn cell(row: &Record, column: &str) -> String {
    row.get(column).map(Value::to_text).unwrap_or_default()
}

/// An aligned table; multivalue cells take one line per value.
pub fn write_table(results: &Results, out: &mut dyn Write) -> io::Result<()> {
    write_table_fit(results, out, None)
}

/// Writes `results`; a table is fitted to `width` columns when given (a terminal's width).
pub fn write_fit(
    results: &Results,
    format: Format,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Standard output flushes at every line end: one system call a row, unless buffered here.
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    match format {
        Format::Table => write_table_fit(results, &mut out, width),
        other => write(results, other, &mut out),
    }?;
    out.flush()
}

/// The terminal's width: `COLUMNS`, else what `stty size` says of the terminal, else 120.
pub fn terminal_width() -> usize {
    if let Some(n) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return n;
    }
    let tty = std::fs::File::open("/dev/tty");
    let size = tty.ok().and_then(|tty| {
        std::process::Command::new("stty")
            .arg("size")
            .stdin(tty)
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
    });
    size.and_then(|o| {
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        text.split_whitespace().nth(1).and_then(|c| c.parse().ok())
    })
    .filter(|w: &usize| *w > 20)
    .unwrap_or(120)
}

/// Narrows the widest columns (to no less than 8 characters) until the row fits in `max`.
fn fit(widths: &mut [usize], max: usize) {
    let total = |w: &[usize]| w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1);
    while total(widths) > max {
        let Some(widest) = widths.iter_mut().max_by_key(|w| **w) else {
            return;
        };
        if *widest <= 8 {
            return;
        }
        *widest -= 1;
    }
}

/// The text cut to `width` characters, with `…` where it was cut.
fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// An aligned table, fitted to `max` characters a line when given (cells cut with `…`).
pub fn write_table_fit(
    results: &Results,
    out: &mut dyn Write,
    max: Option<usize>,
) -> io::Result<()> {
    if results.rows.is_empty() {
        return writeln!(out, "(no results)");
    }
    let cells: Vec<Vec<Vec<String>>> = results
        .rows
        .iter()
        .map(|row| {
            results
                .columns
                .iter()
                .map(|c| cell(row, c).split('\n').map(String::from).collect())
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = results
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let data = cells
                .iter()
                .filter_map(|row| row.get(i))
                .flatten()
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(0);
            data.max(c.chars().count())
        })
        .collect();
    if let Some(max) = max {
        fit(&mut widths, max);
    }
    let line = |parts: Vec<&str>| -> String {
        let padded: Vec<String> = parts
            .iter()
            .zip(&widths)
            .map(|(p, w)| format!("{:<w$}", clip(p, *w)))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    writeln!(
        out,
        "{}",
        line(results.columns.iter().map(String::as_str).collect())
    )?;
    writeln!(
        out,
        "{}",
        line(
            widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect()
        )
    )?;
    for row in &cells {
        let height = row.iter().map(Vec::len).max().unwrap_or(1);
        for k in 0..height {
            writeln!(
                out,
                "{}",
                line(
                    row.iter()
                        .map(|c| c.get(k).map_or("", String::as_str))
                        .collect()
                )
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed rows are `row_json`'s text, for every kind of value and a repeated column.
    #[test]
    fn json_rows_are_row_json_text() {
        let mut row = Record::default();
        row.set("s", Value::str("a \"quoted\" \\ line\nbreak é"));
        row.set("i", Value::Num(42.0));
        row.set("neg_zero", Value::Num(-0.0));
        row.set("f", Value::Num(0.1 + 0.2));
        row.set("big", Value::Num(1e300));
        row.set("inf", Value::Num(f64::INFINITY));
        row.set("nan", Value::Num(f64::NAN));
        row.set("b", Value::Bool(true));
        row.set(
            "m",
            Value::Multi(vec![Value::str("x"), Value::Num(2.5), Value::Bool(false)]),
        );
        let columns: Vec<String> = [
            "s", "i", "neg_zero", "f", "big", "inf", "nan", "b", "m", "absent", "s",
        ]
        .iter()
        .map(|c| c.to_string())
        .collect();
        let results = Results {
            columns: columns.clone(),
            rows: vec![row.clone(), Record::default()],
            events: false,
            warnings: Vec::new(),
        };
        let mut out = Vec::new();
        write_json(&results, &mut out).unwrap_or_else(|e| panic!("{e}"));
        let expected = format!(
            "{}\n{}\n",
            row_json(&columns, &row),
            row_json(&columns, &Record::default())
        );
        assert_eq!(String::from_utf8_lossy(&out), expected);
        // The mapping itself (`Value`'s `Serialize`), as `to_json` gave it before it was one.
        let first = r#"{"s":"a \"quoted\" \\ line\nbreak é","i":42,"neg_zero":0,"f":0.30000000000000004,"big":1e+300,"inf":"inf","nan":"nan","b":"true","m":["x",2.5,"false"]}"#;
        assert_eq!(String::from_utf8_lossy(&out).lines().next(), Some(first));
    }
}
