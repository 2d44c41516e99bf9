//! CSV events: a header line names the fields, each later row is one event with text values.
//! Quoted fields may hold commas, `""` and line breaks; empty cells are absent fields; `_raw` is
//! the row's text. A row with more cells than the header, or invalid UTF-8, is reported and skipped.

use super::{json::deliver, json::read_error, BadEvent};
use crate::diagnostic::Diagnostic;
use crate::eval::event::{EventOptions, Record};
use serde_json::{Map, Value as Json};
use std::io::BufRead;

pub(super) fn read(
    mut reader: impl BufRead,
    name: &str,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) -> Result<(), Diagnostic> {
    let mut header: Option<Vec<String>> = None;
    let mut line_no = 0;
    let bad = |line: usize, message: String| BadEvent {
        source: name.to_string(),
        line,
        message,
    };
    while let Some((start, text)) = next_record(&mut reader, &mut line_no, name, on_bad)? {
        let text = if start == 1 {
            text.trim_start_matches('\u{feff}').to_string()
        } else {
            text
        };
        if text.trim().is_empty() {
            continue;
        }
        let cells = split(&text);
        let Some(names) = &header else {
            header = Some(cells);
            continue;
        };
        if cells.len() > names.len() {
            let message = format!(
                "CSV row has {} cells, the header names {}",
                cells.len(),
                names.len()
            );
            on_bad(bad(start, message));
            continue;
        }
        let mut object = Map::new();
        for (field, cell) in names.iter().zip(cells) {
            if !cell.is_empty() {
                object.insert(field.clone(), Json::String(cell));
            }
        }
        deliver(
            Json::Object(object),
            &text,
            name,
            start,
            opts,
            on_event,
            on_bad,
        );
    }
    Ok(())
}

/// The next record's first line number and text (without its line end); quoted line breaks join
/// lines. `None` at the end of the input.
fn next_record(
    reader: &mut impl BufRead,
    line_no: &mut usize,
    name: &str,
    on_bad: &mut dyn FnMut(BadEvent),
) -> Result<Option<(usize, String)>, Diagnostic> {
    let mut record = String::new();
    let mut start = 0;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| read_error(name, &e))?;
        if n == 0 {
            return Ok((!record.is_empty()).then_some((start, record)));
        }
        *line_no += 1;
        let Ok(line) = std::str::from_utf8(&buf) else {
            on_bad(BadEvent {
                source: name.to_string(),
                line: *line_no,
                message: "invalid UTF-8".to_string(),
            });
            continue;
        };
        if record.is_empty() {
            start = *line_no;
        } else {
            record.push('\n');
        }
        record.push_str(line.trim_end_matches(['\n', '\r']));
        if record.matches('"').count() % 2 == 0 {
            return Ok(Some((start, record)));
        }
    }
}

/// The cells of one record.
fn split(text: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => cells.push(std::mem::take(&mut cell)),
            (_, c) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}
