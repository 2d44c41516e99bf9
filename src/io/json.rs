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
    read_buffered(BufReader::new(reader), name, opts, on_event, on_bad)
}

/// [`read_events`] from a reader with a buffer.
pub(super) fn read_buffered(
    mut reader: impl BufRead,
    name: &str,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) -> Result<(), Diagnostic> {
    let first = first_byte(&mut reader).map_err(|e| read_error(name, &e))?;
    if first == Some(b'[') {
        return super::json_array::read_array(reader, name, opts, on_event, on_bad);
    }
    read_lines(reader, name, 0, opts, on_event, on_bad)
}

/// What one line read alone (outside a multi-line object) holds.
pub(super) enum Line {
    /// Blank.
    Nothing,
    /// An event skipped unparsed by the prefilter, or dropped by a pushdown check as it was
    /// parsed: read (and counted in [`EventOptions::skipped`]), never passed on.
    Skipped,
    Event(Record),
    /// The start of an object spread over lines.
    Opens,
    Bad(String),
}

/// Reads one line alone: `text` is the line with its end of line, `whole` whether it was read
/// to its end within `max_line`.
pub(super) fn read_one(text: &[u8], whole: bool, opts: &EventOptions) -> Line {
    if !whole {
        return Line::Bad(format!("line longer than {} bytes", opts.max_line));
    }
    let Ok(line) = std::str::from_utf8(text) else {
        return Line::Bad("invalid UTF-8".to_string());
    };
    let line = line.trim_end_matches(['\n', '\r']);
    if line.trim().is_empty() {
        return Line::Nothing;
    }
    if prefiltered_out(line, opts) && whole_object(line) {
        return Line::Skipped;
    }
    match parse_event(line, opts) {
        Ok(Some(record)) => Line::Event(record),
        Ok(None) => Line::Skipped,
        Err(e) if e.is_eof() && line.trim_start().starts_with('{') => Line::Opens,
        Err(e) => Line::Bad(format!("invalid JSON: {e}")),
    }
}

/// Whether the line holds one whole object: it starts with `{` and the object closes at its
/// end. Only such a line may be skipped unparsed: a line that opens an object spread over lines
/// (`{` alone, `{"a": 1,`, or `{"a": {"b": 1}`, which ends with a `}` that closes an inner
/// object) must be parsed to be found to open one, whatever literals it lacks. (An invalid line
/// may be taken for whole: skipped, it is not reported, as documented for `--strict`.)
fn whole_object(line: &str) -> bool {
    let line = line.trim_ascii().as_bytes();
    let Some((b'{', inner)) = line.split_first() else {
        return false;
    };
    if line.last() != Some(&b'}') {
        return false;
    }
    // No `{` or `[` after the first byte (most lines): the object's last `}` closes it (a
    // string does not run over lines, so the line's last `}` is outside one). Else the object
    // is followed to its end.
    memchr::memchr2(b'{', b'[', inner).is_none() || closes_at_end(line)
}

/// Whether the JSON value starting at the text's first byte ends at its last byte (strings
/// and nesting followed, nothing else checked).
fn closes_at_end(text: &[u8]) -> bool {
    let mut depth = 0usize;
    for (i, b) in structure(text) {
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1 == text.len();
                }
            }
            _ => {}
        }
    }
    false
}

/// The bytes of JSON text outside its strings, with their positions: what a look at its
/// structure (nesting, separators) reads. A string is passed over by a vectorised search for
/// its closing quote (most of an event's text is strings: Sysmon's braced GUIDs sent every line
/// the prefilter skipped through a byte-at-a-time walk).
pub(super) fn structure(text: &[u8]) -> Structure<'_> {
    Structure { text, at: 0 }
}

pub(super) struct Structure<'t> {
    text: &'t [u8],
    at: usize,
}

impl Iterator for Structure<'_> {
    type Item = (usize, u8);

    fn next(&mut self) -> Option<(usize, u8)> {
        loop {
            let i = self.at;
            let b = *self.text.get(i)?;
            self.at += 1;
            if b != b'"' {
                return Some((i, b));
            }
            // To the string's closing quote: the next quote after an even run of backslashes
            // (an unclosed string runs to the end).
            let start = self.at;
            loop {
                let quote = self.at + memchr::memchr(b'"', self.text.get(self.at..)?)?;
                self.at = quote + 1;
                let before = self.text.get(start..quote).unwrap_or_default();
                let backslashes = before.iter().rev().take_while(|&&b| b == b'\\').count();
                if backslashes % 2 == 0 {
                    break;
                }
            }
        }
    }
}

/// Whether the prefilter finds that the line's event cannot match.
fn prefiltered_out(line: &str, opts: &EventOptions) -> bool {
    opts.prefilter.as_ref().is_some_and(|p| !p.may_match(line))
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
/// `line_no` is the number of lines before the reader's first.
pub(super) fn read_lines(
    mut reader: impl BufRead,
    name: &str,
    mut line_no: usize,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) -> Result<(), Diagnostic> {
    let mut buf = Vec::new();
    let mut pending = String::new();
    let mut pending_start = 0;
    let bad = |line: usize, message: String| BadEvent {
        source: name.to_string(),
        line,
        message,
    };
    loop {
        buf.clear();
        let whole =
            read_line(&mut reader, &mut buf, opts.max_line).map_err(|e| read_error(name, &e))?;
        if buf.is_empty() && whole {
            break;
        }
        line_no += 1;
        if pending.is_empty() {
            match read_one(&buf, whole, opts) {
                Line::Nothing => {}
                Line::Skipped => opts.count_skipped(),
                Line::Event(record) => on_event(record),
                Line::Bad(message) => on_bad(bad(line_no, message)),
                Line::Opens => {
                    let line = String::from_utf8_lossy(&buf);
                    pending.push_str(line.trim_end_matches(['\n', '\r']));
                    pending.push('\n');
                    pending_start = line_no;
                }
            }
            continue;
        }
        if !whole || pending.len() + buf.len() > opts.max_line {
            let message = if whole {
                format!("multi-line object longer than {} bytes", opts.max_line)
            } else {
                format!("line longer than {} bytes", opts.max_line)
            };
            on_bad(bad(if whole { pending_start } else { line_no }, message));
            pending.clear();
            continue;
        }
        let Ok(line) = std::str::from_utf8(&buf) else {
            on_bad(bad(line_no, "invalid UTF-8".to_string()));
            continue;
        };
        pending.push_str(line.trim_end_matches(['\n', '\r']));
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
    if !pending.is_empty() {
        on_bad(bad(pending_start, "unterminated JSON object".to_string()));
    }
    Ok(())
}

/// Reads one line (with its `\n`) into `buf`, at most `max` bytes of it; a longer line is read
/// to its end and dropped. Returns whether the line was whole (an empty `buf` then means the end).
pub(super) fn read_line(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<bool> {
    // `read_until` would do, but its newline search goes a word at a time; `memchr`'s is
    // vectorised (the search was a twentieth of a run that parses nothing).
    let limit = max.saturating_add(1);
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(true);
        }
        let room = limit.saturating_sub(buf.len());
        let window = available.get(..room).unwrap_or(available);
        if let Some(i) = memchr::memchr(b'\n', window) {
            buf.extend_from_slice(window.get(..=i).unwrap_or(window));
            reader.consume(i + 1);
            return Ok(true);
        }
        let n = window.len();
        buf.extend_from_slice(window);
        reader.consume(n);
        if buf.len() >= limit {
            break;
        }
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

    /// The bytes outside strings, byte by byte: what [`structure`] must give.
    fn structure_walked(text: &[u8]) -> Vec<(usize, u8)> {
        let (mut in_string, mut escaped) = (false, false);
        let mut out = Vec::new();
        for (i, &b) in text.iter().enumerate() {
            if in_string {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
            } else if b == b'"' {
                in_string = true;
            } else {
                out.push((i, b));
            }
        }
        out
    }

    /// Every text of up to six bytes over quotes, backslashes, brackets and a letter.
    #[test]
    fn structure_skips_strings_as_a_byte_walk_does() {
        let alphabet = b"\"\\{}[a";
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for len in 0..=6u32 {
            for mut n in 0..alphabet.len().pow(len) {
                let text = (0..len).map(|_| {
                    let b = alphabet[n % alphabet.len()];
                    n /= alphabet.len();
                    b
                });
                texts.push(text.collect());
            }
        }
        for text in &texts {
            let fast: Vec<(usize, u8)> = structure(text).collect();
            assert_eq!(
                fast,
                structure_walked(text),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

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
