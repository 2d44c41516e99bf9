//! A JSON array of events, read element by element: an element that is not valid JSON is
//! reported with file:line and skipped, and the good elements around it still come through, as
//! for a bad NDJSON line.

use super::json::{deliver, read_error};
use super::BadEvent;
use crate::diagnostic::{codes, Diagnostic};
use crate::eval::event::{EventOptions, Record};
use std::io::Read;

/// Reads a file that starts with `[`: one array, or several back to back. The whole text is
/// held, so it may be at most `--max-line` bytes.
pub(super) fn read_array(
    reader: impl Read,
    name: &str,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) -> Result<(), Diagnostic> {
    let mut bytes = Vec::new();
    let limit = opts.max_line as u64;
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| read_error(name, &e))?;
    if bytes.len() as u64 > limit {
        return Err(Diagnostic::error(
            codes::EVENT,
            format!(
                "{name}: the JSON array is longer than {} bytes",
                opts.max_line
            ),
        )
        .help("split it into NDJSON (one object per line) or raise --max-line"));
    }
    let bad = |line: usize, message: &str| BadEvent {
        source: name.to_string(),
        line,
        message: message.to_string(),
    };
    let mut scan = Scan {
        rest: &bytes,
        line: 1,
    };
    let mut open = false;
    loop {
        if !scan.skip_space() {
            if open {
                on_bad(bad(scan.line, "the JSON array is not closed with `]`"));
            }
            return Ok(());
        }
        if !open {
            open = scan.eat(b'[');
            if !open {
                // A stray `]` closed the array early, or junk follows it: skip to the next
                // comma and read on.
                let (line, _, end) = scan.element(false);
                on_bad(bad(line, "text after the `]` that closes the JSON array"));
                open = end == End::Comma;
            }
            continue;
        }
        if scan.eat(b']') {
            open = false;
            continue;
        }
        let (line, element, end) = scan.element(true);
        match parse(element) {
            Ok(json) => {
                let raw = json.to_string();
                deliver(json, &raw, name, line, opts, on_event, on_bad);
            }
            Err(message) => on_bad(bad(line, &message)),
        }
        match end {
            End::Comma => {}
            End::Close => open = false,
            End::Text => return Ok(()),
        }
    }
}

/// One element's JSON, or why it is not JSON.
fn parse(element: &[u8]) -> Result<serde_json::Value, String> {
    let text = std::str::from_utf8(element).map_err(|_| "invalid UTF-8".to_string())?;
    if text.trim().is_empty() {
        return Err("an empty array element".to_string());
    }
    serde_json::from_str(text).map_err(|e| {
        let at = format!(" at line {} column {}", e.line(), e.column());
        let full = e.to_string();
        format!("invalid JSON: {}", full.strip_suffix(&at).unwrap_or(&full))
    })
}

/// What ended an element.
#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    /// `,`: another element follows.
    Comma,
    /// `]`: the array is closed.
    Close,
    /// The end of the text: the array was never closed.
    Text,
}

/// The unread rest of the text and the line it starts on.
struct Scan<'a> {
    rest: &'a [u8],
    line: usize,
}

impl<'a> Scan<'a> {
    /// Skips whitespace; whether any text is left.
    fn skip_space(&mut self) -> bool {
        let blank = self
            .rest
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        self.advance(blank);
        !self.rest.is_empty()
    }

    /// Consumes `byte` if the rest starts with it.
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.rest.first() == Some(&byte);
        if found {
            self.advance(1);
        }
        found
    }

    /// The next element (its line and bytes) up to a `,` (or a `]` when `close_ends`) outside
    /// strings and brackets, and what ended it; the separator is consumed.
    fn element(&mut self, close_ends: bool) -> (usize, &'a [u8], End) {
        let line = self.line;
        let (len, end) = element_len(self.rest, close_ends);
        let (element, _) = self.rest.split_at(len.min(self.rest.len()));
        self.advance(len);
        if end != End::Text {
            self.advance(1);
        }
        (line, element, end)
    }

    fn advance(&mut self, n: usize) {
        let (gone, rest) = self.rest.split_at(n.min(self.rest.len()));
        self.line += gone.iter().filter(|b| **b == b'\n').count();
        self.rest = rest;
    }
}

/// The length of the element at the start of `text`, and what ends it. Brackets only nest:
/// a stray `}` at the top is part of the (bad) element, and so is a `]` unless `close_ends`.
fn element_len(text: &[u8], close_ends: bool) -> (usize, End) {
    let mut depth = 0usize;
    for (i, b) in super::json::structure(text) {
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth > 0 => depth -= 1,
            b',' if depth == 0 => return (i, End::Comma),
            b']' if depth == 0 && close_ends => return (i, End::Close),
            _ => {}
        }
    }
    (text.len(), End::Text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `k` of each good event and the (line, message) of each bad one.
    fn read(input: &str) -> (Vec<String>, Vec<(usize, String)>) {
        let (mut good, mut bad) = (Vec::new(), Vec::new());
        let result = read_array(
            input.as_bytes(),
            "t",
            &EventOptions::default(),
            &mut |r| good.push(r.value("k").to_string()),
            &mut |b| bad.push((b.line, b.message)),
        );
        assert!(result.is_ok(), "{result:?}");
        (good, bad)
    }

    #[test]
    fn a_bad_element_is_skipped_with_its_line_and_the_others_kept() {
        let input = "[\n  {\"k\": \"a\"},\n  {\"k\": \"b\"},\n  garbage,\n  {\"k\": \"c\"}\n]\n";
        let (good, bad) = read(input);
        assert_eq!(good, ["a", "b", "c"]);
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert_eq!(bad[0].0, 4);
        assert!(
            bad[0].1.starts_with("invalid JSON: expected value"),
            "{bad:?}"
        );
    }

    #[test]
    fn commas_and_brackets_inside_strings_and_nested_values_do_not_split_an_element() {
        let input = r#"[{"k": "x,]}\"[", "n": [1, {"m": [2, 3]}]}, {"k": "y"}]"#;
        let (good, bad) = read(input);
        assert_eq!(good, ["x,]}\"[", "y"]);
        assert!(bad.is_empty(), "{bad:?}");
    }

    #[test]
    fn broken_objects_non_objects_and_empty_elements_are_each_reported() {
        let input = "[{\"k\": \"a\"},\n{\"k\": },\n42,\n,\n{\"k\": \"b\"} }, {\"k\": \"c\"}]";
        let (good, bad) = read(input);
        assert_eq!(good, ["a", "c"]);
        let lines: Vec<usize> = bad.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [2, 3, 4, 5], "{bad:?}");
        assert!(bad[2].1.contains("empty array element"), "{bad:?}");
    }

    #[test]
    fn invalid_utf8_spoils_only_its_element() {
        let mut input = b"[{\"k\": \"a\"},\n{\"k\": \"\xff\xfe\"},\n{\"k\": \"b\"}]".to_vec();
        input.push(b'\n');
        let (mut good, mut bad) = (Vec::new(), Vec::new());
        read_array(
            &input[..],
            "t",
            &EventOptions::default(),
            &mut |r| good.push(r.value("k").to_string()),
            &mut |b| bad.push((b.line, b.message)),
        )
        .expect("read");
        assert_eq!(good, ["a", "b"]);
        assert_eq!(bad, [(2, "invalid UTF-8".to_string())]);
    }

    #[test]
    fn a_cut_short_array_keeps_what_came_before() {
        let (good, bad) = read("[{\"k\": \"a\"},\n{\"k\": \"b");
        assert_eq!(good, ["a"]);
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert_eq!(bad[0].0, 2);
        assert!(bad[0].1.contains("EOF while parsing"), "{bad:?}");
        let (good, bad) = read("[{\"k\": \"a\"},\n");
        assert_eq!(good, ["a"]);
        assert_eq!(
            bad,
            [(2, "the JSON array is not closed with `]`".to_string())]
        );
    }

    #[test]
    fn arrays_back_to_back_are_read_and_other_text_after_one_is_reported() {
        let (good, bad) = read("[{\"k\": \"a\"}]\n[{\"k\": \"b\"},]\n[]");
        assert_eq!(good, ["a", "b"]);
        assert!(bad.is_empty(), "{bad:?}");
        let (good, bad) = read("[{\"k\": \"a\"}]\ntrailing");
        assert_eq!(good, ["a"]);
        let after = "text after the `]` that closes the JSON array".to_string();
        assert_eq!(bad, [(2, after.clone())]);
        let (good, bad) = read("[{\"k\": \"a\"}, ] ]}, {\"k\": \"b\"}]");
        assert_eq!(good, ["a", "b"], "a stray `]` does not end the reading");
        assert_eq!(bad, [(1, after)]);
    }
}
