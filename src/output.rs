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
    for row in &results.rows {
        writeln!(out, "{}", row_json(&results.columns, row))?;
    }
    Ok(())
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
    let header: Vec<String> = results
        .columns
        .iter()
        .map(|c| crate::csv::field(c))
        .collect();
    write!(out, "{}\r\n", header.join(","))?;
    for row in &results.rows {
        let cells: Vec<String> = results
            .columns
            .iter()
            .map(|c| crate::csv::field(&cell(row, c)))
            .collect();
        write!(out, "{}\r\n", cells.join(","))?;
    }
    Ok(())
}

fn cell(row: &Record, column: &str) -> String {
    row.get(column).map(Value::to_text).unwrap_or_default()
}

/// An aligned table; multivalue cells take one line per value.
pub fn write_table(results: &Results, out: &mut dyn Write) -> io::Result<()> {
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
    let widths: Vec<usize> = results
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let data = cells
                .iter()
                .flat_map(|row| row[i].iter())
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(0);
            data.max(c.chars().count())
        })
        .collect();
    let line = |parts: Vec<&str>| -> String {
        let padded: Vec<String> = parts
            .iter()
            .zip(&widths)
            .map(|(p, w)| format!("{p:<w$}"))
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
