//! JSON events: NDJSON, a JSON array, or JSON objects spread over lines or back to back.
//! A bad line is reported with file:line and skipped; the good events around it still count.

use super::{io_reason, BadEvent};
use crate::diagnostic::{codes, Diagnostic};
use crate::eval::event::{parse_event, record_from_json, EventOptions, Record};
use std::io::{BufRead, BufReader, Read};

/// Reads events from any reader; the format is detected from the first non-blank byte.
pub fn read_events(
    reader: impl Read,
    name: &str,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) -> Result<(), Diagnostic> {
    let mut reader = BufReader::new(reader);
    let first = first_byte(&mut reader).map_err(|e| read_error(name, &e))?;
    if first == Some(b'[') {
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .map_err(|e| read_error(name, &e))?;
        return read_array(&text, name, opts, on_event, on_bad);
    }
    read_lines(reader, name, opts, on_event, on_bad)
}

pub(super) fn read_error(name: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(codes::IO, format!("cannot read `{name}`: {}", io_reason(e)))
}

pub(super) fn first_byte(reader: &mut impl BufRead) -> std::io::Result<Option<u8>> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => return Ok(Some(buf[i])),
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

/// NDJSON, one object per line; a line that does not parse alone may start a multi-line object.
fn read_lines(
    mut reader: impl BufRead,
    name: &str,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) -> Result<(), Diagnostic> {
    let mut buf = Vec::new();
    let mut line_no = 0;
    let mut pending = String::new();
    let mut pending_start = 0;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| read_error(name, &e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let Ok(line) = std::str::from_utf8(&buf) else {
            on_bad(BadEvent {
                source: name.to_string(),
                line: line_no,
                message: "invalid UTF-8".to_string(),
            });
            continue;
        };
        let line = line.trim_end_matches(['\n', '\r']);
        if pending.is_empty() {
            if line.trim().is_empty() {
                continue;
            }
            if opts.prefilter.as_ref().is_some_and(|p| !p.may_match(line)) {
                continue;
            }
            match parse_event(line, opts) {
                Ok(record) => on_event(record),
                Err(e) if e.is_eof() && line.trim_start().starts_with('{') => {
                    pending.push_str(line);
                    pending.push('\n');
                    pending_start = line_no;
                }
                Err(e) => on_bad(BadEvent {
                    source: name.to_string(),
                    line: line_no,
                    message: format!("invalid JSON: {e}"),
                }),
            }
        } else {
            pending.push_str(line);
            pending.push('\n');
            match serde_json::from_str(&pending) {
                Ok(json) => {
                    let text = std::mem::take(&mut pending);
                    deliver(
                        json,
                        text.trim_end(),
                        name,
                        pending_start,
                        opts,
                        on_event,
                        on_bad,
                    );
                }
                Err(e) if e.is_eof() => {}
                Err(_) => {
                    // Not one object spread over lines after all: keep the objects it holds.
                    let text = std::mem::take(&mut pending);
                    read_concatenated(&text, name, pending_start, opts, on_event, on_bad);
                }
            }
        }
    }
    if !pending.is_empty() {
        on_bad(BadEvent {
            source: name.to_string(),
            line: pending_start,
            message: "unterminated JSON object".to_string(),
        });
    }
    Ok(())
}

/// Several JSON values back to back; stops at the first that does not parse.
fn read_concatenated(
    text: &str,
    name: &str,
    first_line: usize,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
    let mut start = 0;
    while let Some(item) = stream.next() {
        let end = stream.byte_offset();
        let line = first_line + text[..start].matches('\n').count();
        match item {
            Ok(json) => deliver(
                json,
                text[start..end].trim(),
                name,
                line,
                opts,
                on_event,
                on_bad,
            ),
            Err(e) => {
                on_bad(BadEvent {
                    source: name.to_string(),
                    line,
                    message: format!("invalid JSON: {e}"),
                });
                return;
            }
        }
        start = end;
    }
}

fn read_array(
    text: &str,
    name: &str,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) -> Result<(), Diagnostic> {
    let items: Vec<serde_json::Value> = match serde_json::from_str(text) {
        Ok(serde_json::Value::Array(items)) => items,
        Ok(_) => Vec::new(),
        Err(e) => {
            return Err(Diagnostic::error(
                codes::EVENT,
                format!(
                    "{name}:{}:{}: invalid JSON array: {e}",
                    e.line(),
                    e.column()
                ),
            ));
        }
    };
    for (i, json) in items.into_iter().enumerate() {
        let raw = json.to_string();
        deliver(json, &raw, name, i + 1, opts, on_event, on_bad);
    }
    Ok(())
}

pub(super) fn deliver(
    json: serde_json::Value,
    raw: &str,
    name: &str,
    line: usize,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) {
    match record_from_json(json, raw, opts) {
        Ok(record) => on_event(record),
        Err(message) => on_bad(BadEvent {
            source: name.to_string(),
            line,
            message,
        }),
    }
}
