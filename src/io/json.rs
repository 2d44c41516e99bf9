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
        return super::json_array::read_array(reader, name, opts, on_event, on_bad);
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
        match buf.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(&b) => return Ok(Some(b)),
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
        let whole =
            read_line(&mut reader, &mut buf, opts.max_line).map_err(|e| read_error(name, &e))?;
        if buf.is_empty() && whole {
            break;
        }
        line_no += 1;
        if !whole || !pending.is_empty() && pending.len() + buf.len() > opts.max_line {
            let what = if whole { "multi-line object" } else { "line" };
            on_bad(BadEvent {
                source: name.to_string(),
                line: if whole { pending_start } else { line_no },
                message: format!("{what} longer than {} bytes", opts.max_line),
            });
            pending.clear();
            continue;
        }
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

/// Reads one line (with its `\n`) into `buf`, at most `max` bytes of it; a longer line is read
/// to its end and dropped. Returns whether the line was whole (an empty `buf` then means the end).
fn read_line(reader: &mut impl BufRead, buf: &mut Vec<u8>, max: usize) -> std::io::Result<bool> {
    let limit = (max as u64).saturating_add(1);
    reader.by_ref().take(limit).read_until(b'\n', buf)?;
    if buf.len() <= max || buf.last() == Some(&b'\n') {
        return Ok(true);
    }
    buf.clear();
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(false);
        }
        match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(false);
            }
            None => {
                let n = chunk.len();
                reader.consume(n);
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8], max_line: usize) -> (Vec<String>, Vec<BadEvent>) {
        let mut opts = EventOptions::default();
        opts.max_line = max_line;
        let (mut good, mut bad) = (Vec::new(), Vec::new());
        let result = read_events(
            input,
            "t",
            &opts,
            &mut |r| good.push(r.value("k").to_string()),
            &mut |b| bad.push(b),
        );
        assert!(result.is_ok(), "{result:?}");
        (good, bad)
    }

    #[test]
    fn a_line_longer_than_the_limit_is_skipped_with_its_number() {
        let at_limit = "{\"k\":\"b\"}";
        let input = format!(
            "{{\"k\":\"a\"}}\n{at_limit}\n{{\"k\":\"{}\"}}\n{{\"k\":\"c\"}}",
            "x".repeat(100)
        );
        let (good, bad) = read(input.as_bytes(), at_limit.len());
        assert_eq!(good, ["a", "b", "c"]);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].line, 3);
        assert!(
            bad[0].message.contains("line longer than 9 bytes"),
            "{:?}",
            bad[0]
        );
    }

    #[test]
    fn a_multi_line_object_longer_than_the_limit_is_skipped() {
        let input = "{\"k\":\"a\"}\n{\n\"k\":\n\"long value\"\n}\n{\"k\":\"c\"}\n";
        let (good, bad) = read(input.as_bytes(), 12);
        assert_eq!(good, ["a", "c"]);
        // The rest of the dropped object (`}` on line 5) is reported as a bad line too.
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert_eq!(bad[0].line, 2);
        assert!(
            bad[0].message.contains("multi-line object longer"),
            "{bad:?}"
        );
    }

    #[test]
    fn an_array_longer_than_the_limit_is_an_error() {
        let mut opts = EventOptions::default();
        opts.max_line = 8;
        let err = read_events(
            &b"[{\"k\":\"a\"}]"[..],
            "t",
            &opts,
            &mut |_| {},
            &mut |_| {},
        )
        .expect_err("too long");
        assert!(
            err.message.contains("longer than 8 bytes"),
            "{}",
            err.message
        );
    }
}
