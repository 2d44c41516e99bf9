//! The fast path of the event parser: a byte scanner for the common line. It walks the text
//! once, skips unselected values without building them and builds selected scalars directly.
//! It is stricter than the serde path, never looser: on anything it does not handle itself
//! (escaped keys, `{}` in keys, long integers, invalid or deeply nested JSON) it gives up and
//! the caller parses the line with serde, which also words any error.

use super::{Keep, NestedSeed, ObjectSeed, Selection, ValueSeed};
use crate::eval::event::{integer_value, name_tag, same_name, Fields};
use crate::eval::value::{short_decimal, Text, Value};
use serde::de::DeserializeSeed;

/// Nesting deeper than this is left to serde (and its recursion limit).
const MAX_DEPTH: usize = 64;

/// The fields of one JSON object text, which pass all of the selection's checks (`Some(None)`:
/// they fail one; when a value failed, the rest of the text was read to its end without
/// building anything), or `None` when the serde path must decide.
pub(super) fn parse(text: &str, selection: &Selection) -> Option<Option<Fields>> {
    let [recent, older] = SHAPES.take();
    let (shape, other) = if recent.selection == selection.id {
        (recent, older)
    } else if older.selection == selection.id {
        (older, recent)
    } else {
        let fresh = Shape {
            selection: selection.id,
            ..Shape::default()
        };
        (fresh, recent)
    };
    let mut scan = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        dropped: false,
        checked: 0,
        shape,
    };
    // The room of the last line's fields when it was not kept (most dropped lines'), else new.
    let mut out = SPARE.take();
    out.reserve(selection.capacity());
    scan.ws();
    let read = scan.peek() == Some(b'{')
        && scan
            .object(&mut String::new(), selection, &mut out, 0)
            .is_some()
        && {
            scan.ws();
            scan.pos == scan.bytes.len()
        };
    SHAPES.set([std::mem::take(&mut scan.shape), other]);
    // The checks of fields the text lacks, on the whole record: their fields' values (none)
    // are final too.
    if read && !scan.dropped && selection.passes_unchecked(scan.checked, &mut out) {
        return Some(Some(out));
    }
    out.clear();
    SPARE.set(out);
    read.then_some(None)
}

thread_local! {
    /// [`parse`]'s fields of a line it did not keep, emptied, for the next line to fill.
    static SPARE: std::cell::Cell<Fields> = std::cell::Cell::new(Fields::default());
    /// [`Scanner::string`]'s buffer for a string with escapes.
    static UNESCAPED: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
    /// The top-level keys of the last line read with each of the last two selections (the
    /// most recent first): a gate's and the full parse's take turns (`super::super::gate`).
    static SHAPES: std::cell::Cell<[Shape; 2]> = std::cell::Cell::new(Default::default());
}

/// The top-level keys of the last object read, in order, each with what the selection does
/// with it. Lines of one log share their keys in one order, so the scanner first compares the
/// text at a key's place with the key the last line had there: when it is the same, its end
/// need not be searched for nor the key looked up in the selection.
#[derive(Default)]
struct Shape {
    /// The [`Selection::id`] the keys were looked up in.
    selection: u64,
    /// The keys as they were spelled, quotes included (plain keys: no escapes), one after
    /// another (a line that changes them writes no new allocation).
    spelled: Vec<u8>,
    keys: Vec<ShapeKey>,
}

struct ShapeKey {
    /// Where the key's spelling lies in [`Shape::spelled`].
    start: usize,
    end: usize,
    keep: Keep,
    tag: u64,
}

impl Shape {
    /// The `nth` key, spelled, and what to do with it.
    fn get(&self, nth: usize) -> Option<(&[u8], &ShapeKey)> {
        let key = self.keys.get(nth)?;
        Some((self.spelled.get(key.start..key.end)?, key))
    }

    /// Makes `spelled` the `nth` key, in place of the `nth` and those after it.
    fn learn(&mut self, nth: usize, spelled: &[u8], keep: Keep, tag: u64) {
        self.keys.truncate(nth);
        self.spelled.truncate(self.keys.last().map_or(0, |k| k.end));
        let start = self.spelled.len();
        self.spelled.extend_from_slice(spelled);
        let end = self.spelled.len();
        self.keys.push(ShapeKey {
            start,
            end,
            keep,
            tag,
        });
    }
}

/// At most this many top-level keys are remembered.
const SHAPE_KEYS: usize = 64;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A word with the high bit set in each byte of `word` that is a quote, a backslash or a
/// control byte (below 0x20), and possibly in higher bytes after the first such byte; the
/// lowest set bit marks the first one exactly.
fn special_bytes(word: u64) -> u64 {
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS;
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    zero(quote) | zero(backslash) | control
}

/// Whether a byte ends the plain run of a string: the quote, a backslash or a control byte.
fn special(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// [`special_bytes`] for a key, which also stops at `{`: keys with `{}` are renamed, which
/// the serde path does.
fn special_key_bytes(word: u64) -> u64 {
    let brace = word ^ (ONES * u64::from(b'{'));
    special_bytes(word) | (brace.wrapping_sub(ONES) & !brace & HIGHS)
}

struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    /// Whether a value failed a check (the rest of the object is then only read through).
    dropped: bool,
    /// The checks run, as bits by number.
    checked: u64,
    /// The keys of the last line (see [`Shape`]).
    shape: Shape,
}

impl<'t> Scanner<'t> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn expect(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// Moves past the `:` after a key, and the blanks around it.
    #[inline(always)]
    fn colon(&mut self) -> Option<()> {
        self.ws();
        self.expect(b':')?;
        self.ws();
        Some(())
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The members of the object at the cursor (`{`), kept as `selection` says under `path`.
    fn object(
        &mut self,
        path: &mut String,
        selection: &Selection,
        out: &mut Fields,
        depth: usize,
    ) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.expect(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(());
        }
        let mut nth = 0;
        loop {
            self.ws();
            // At the top the key is the path: no copy. (One match for both cases, choosing the
            // path at run time, measured 2-3% slower on the scan.)
            if path.is_empty() {
                let (key, keep, tag) = self.top_key(nth, selection)?;
                nth += 1;
                self.colon()?;
                match keep {
                    Keep::Skip => self.skip_value(depth)?,
                    Keep::Take => self.take(key, tag, out, depth)?,
                    Keep::Check(check) => {
                        self.checked |= 1 << check;
                        let pass = match self.scalar()? {
                            // A scalar is checked as it is, and kept only if read later.
                            Some(value) => selection.check_value(check, key, tag, value, out),
                            None => {
                                self.take(key, tag, out, depth)?;
                                selection.passes(check, out)
                            }
                        };
                        if !pass {
                            self.dropped = true;
                            if selection.skips_rest(check, self.bytes.get(self.pos..)?) {
                                self.pos = self.bytes.len();
                                return Some(());
                            }
                            return self.read_through(key, depth);
                        }
                    }
                    Keep::Descend => {
                        path.push_str(key);
                        self.descend(path, selection, out, depth)?;
                        path.clear();
                    }
                }
            } else {
                let key = self.plain_string()?;
                self.colon()?;
                let mark = path.len();
                path.push('.');
                path.push_str(key);
                match selection.keep(path) {
                    Keep::Skip => self.skip_value(depth)?,
                    Keep::Descend => self.descend(path, selection, out, depth)?,
                    Keep::Take | Keep::Check(_) => {
                        self.take(path, name_tag(path.as_bytes()), out, depth)?
                    }
                }
                path.truncate(mark);
            }
            self.ws();
            match self.next()? {
                b',' => continue,
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }

    /// The `nth` key of the top-level object, what `selection` does with it and its tag: the
    /// key the last line had there when the text holds it, else read and looked up (and
    /// remembered for the next line).
    fn top_key(&mut self, nth: usize, selection: &Selection) -> Option<(&'t str, Keep, u64)> {
        if let Some((spelled, known)) = self.shape.get(nth) {
            let end = self.pos + spelled.len();
            if self
                .bytes
                .get(self.pos..end)
                .is_some_and(|here| same_name(here, spelled))
            {
                let key = self.text.get(self.pos + 1..end - 1)?;
                self.pos = end;
                return Some((key, known.keep, known.tag));
            }
        }
        let start = self.pos;
        let key = self.plain_string()?;
        let (keep, tag) = selection.keep_tagged(key);
        if nth < SHAPE_KEYS {
            let spelled = self.bytes.get(start..self.pos)?;
            self.shape.learn(nth, spelled, keep, tag);
        }
        Some((key, keep, tag))
    }

    /// The rest of the top-level object after the value of `failed`, which failed its check:
    /// read through to its end (so a bad line is still found bad), nothing built. `None` when
    /// `failed` comes again (its last value is the field's: the serde path decides).
    fn read_through(&mut self, failed: &str, depth: usize) -> Option<()> {
        loop {
            self.ws();
            match self.next()? {
                b',' => {}
                b'}' => return Some(()),
                _ => return None,
            }
            self.ws();
            let key = self.plain_string()?;
            if same_name(key.as_bytes(), failed.as_bytes()) {
                return None;
            }
            self.colon()?;
            self.skip_value(depth)?;
        }
    }

    /// A value on the way to kept fields: objects are searched, arrays go to the serde seed
    /// (kept fields below them become multivalue), scalars are skipped.
    fn descend(
        &mut self,
        path: &mut String,
        selection: &Selection,
        out: &mut Fields,
        depth: usize,
    ) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(path, selection, out, depth + 1),
            b'[' => {
                let span = self.skip_span(depth)?;
                let seed = NestedSeed(ObjectSeed {
                    path: path.clone(),
                    selection,
                    out,
                });
                with_serde(span, |de| seed.deserialize(de))
            }
            _ => self.skip_value(depth),
        }
    }

    /// A kept value: scalars are built here, objects and arrays by the serde seed. `tag` is
    /// the path's [`name_tag`].
    fn take(&mut self, path: &str, tag: u64, out: &mut Fields, depth: usize) -> Option<()> {
        if let Some(value) = self.scalar()? {
            out.insert_tagged(tag, path.into(), value);
            return Some(());
        }
        match self.peek()? {
            b'n' => self.literal(b"null"),
            b'{' | b'[' => {
                let span = self.skip_span(depth)?;
                let mut value = Value::Null;
                let mut nested = Fields::default();
                let seed = ValueSeed {
                    path,
                    value: &mut value,
                    nested: &mut nested,
                };
                with_serde(span, |de| seed.deserialize(de))?;
                if !value.is_null() {
                    out.insert(path.into(), value);
                }
                out.extend(nested);
                Some(())
            }
            _ => None,
        }
    }

    /// The string, number or boolean at the cursor, built; `Some(None)`, the cursor unmoved,
    /// for anything else (`null`, an object, an array, or what is not JSON).
    fn scalar(&mut self) -> Option<Option<Value>> {
        Some(Some(match self.peek()? {
            b'"' => Value::Str(self.string()?),
            b'-' | b'0'..=b'9' => self.number()?,
            b't' => {
                self.literal(b"true")?;
                Value::str("true")
            }
            b'f' => {
                self.literal(b"false")?;
                Value::str("false")
            }
            _ => return Some(None),
        }))
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.pos + word.len();
        (self.bytes.get(self.pos..end)? == word).then(|| self.pos = end)
    }

    /// Skips the value at the cursor, checking it is valid JSON.
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'-' | b'0'..=b'9' => {
                // serde rejects numbers out of a double's range even when skipping them.
                let (text, integer) = self.number_span()?;
                let short = integer && text.len() <= 18;
                (short || text.parse::<f64>().is_ok_and(f64::is_finite)).then_some(())
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'{' => self.skip_container(b'}', depth, true),
            b'[' => self.skip_container(b']', depth, false),
            _ => None,
        }
    }

    /// Skips the value at the cursor and returns its text.
    fn skip_span(&mut self, depth: usize) -> Option<&'t str> {
        let start = self.pos;
        self.skip_value(depth)?;
        self.text.get(start..self.pos)
    }

    fn skip_container(&mut self, close: u8, depth: usize, object: bool) -> Option<()> {
        if depth + 1 >= MAX_DEPTH {
            return None;
        }
        self.pos += 1;
        self.ws();
        if self.peek()? == close {
            self.pos += 1;
            return Some(());
        }
        loop {
            self.ws();
            if object {
                self.skip_string()?;
                self.colon()?;
            }
            self.skip_value(depth + 1)?;
            self.ws();
            match self.next()? {
                b',' => continue,
                b if b == close => return Some(()),
                _ => return None,
            }
        }
    }

    /// Moves past the plain run of a string body, to the next quote, backslash or control byte;
    /// eight bytes at a time while no such byte is among them.
    fn plain_run(&mut self) -> Option<u8> {
        self.run_until(special_bytes, special)
    }

    /// Moves past the bytes that `stops_in` (a word at a time) and `stops` (one byte) do not
    /// stop at; returns the byte stopped at.
    fn run_until(&mut self, stops_in: fn(u64) -> u64, stops: fn(u8) -> bool) -> Option<u8> {
        while let Some(chunk) = self.bytes.get(self.pos..self.pos + 8) {
            let word = u64::from_le_bytes(chunk.try_into().ok()?);
            let found = stops_in(word);
            if found != 0 {
                self.pos += (found.trailing_zeros() / 8) as usize;
                return self.peek();
            }
            self.pos += 8;
        }
        while let Some(&b) = self.bytes.get(self.pos) {
            if stops(b) {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// A key without escapes or `{`, borrowed from the text.
    #[inline(always)]
    fn plain_string(&mut self) -> Option<&'t str> {
        self.expect(b'"')?;
        let start = self.pos;
        if self.run_until(special_key_bytes, |b| special(b) || b == b'{')? != b'"' {
            return None;
        }
        let s = self.text.get(start..self.pos)?;
        self.pos += 1;
        Some(s)
    }

    fn skip_string(&mut self) -> Option<()> {
        self.expect(b'"')?;
        loop {
            match self.plain_run()? {
                b'"' => {
                    self.pos += 1;
                    return Some(());
                }
                b'\\' => {
                    self.pos += 1;
                    match self.next()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            self.unicode_escape()?;
                        }
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
    }

    /// A string value, unescaped.
    fn string(&mut self) -> Option<Text> {
        self.expect(b'"')?;
        let start = self.pos;
        if self.plain_run()? == b'"' {
            let s = self.text.get(start..self.pos)?;
            self.pos += 1;
            return Some(Text::new(s));
        }
        // Unescaped into a buffer the thread keeps (Windows paths escape every backslash: a
        // new string grew three or four times per value), then copied once into the value.
        let mut s = UNESCAPED.take();
        s.clear();
        s.push_str(self.text.get(start..self.pos)?);
        let text = self.unescape_rest(&mut s).map(|()| Text::new(&s));
        UNESCAPED.set(s);
        text
    }

    /// The rest of a string with escapes, from the first escape, unescaped onto `s`.
    fn unescape_rest(&mut self, s: &mut String) -> Option<()> {
        loop {
            let run = self.pos;
            let stop = self.plain_run()?;
            s.push_str(self.text.get(run..self.pos)?);
            match stop {
                b'"' => {
                    self.pos += 1;
                    return Some(());
                }
                b'\\' => {
                    self.pos += 1;
                    let c = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    s.push(c);
                }
                _ => return None,
            }
        }
    }

    /// The character of a `\u` escape (after `\u`), joining a surrogate pair; lone
    /// surrogates are left to serde.
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if !(0xD800..0xDC00).contains(&first) {
            return char::from_u32(first);
        }
        self.literal(b"\\u")?;
        let second = self.hex4()?;
        if !(0xDC00..0xE000).contains(&second) {
            return None;
        }
        char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// A number as serde reads it: integers exact (or their text when past 2^53), others f64.
    fn number(&mut self) -> Option<Value> {
        let (text, integer) = self.number_span()?;
        if integer {
            // Long integers and negative zero take serde's path, which has their exact rules.
            if text.len() > 18 || text == "-0" {
                return None;
            }
            // At most 18 digits (checked by the scan): no overflow.
            let (negative, digits) = match text.strip_prefix('-') {
                Some(digits) => (true, digits),
                None => (false, text),
            };
            let n = digits
                .bytes()
                .fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
            return Some(integer_value(i128::from(if negative { -n } else { n })));
        }
        let n: f64 = match short_decimal(text) {
            Some(n) => n,
            None => text.parse().ok()?,
        };
        n.is_finite().then_some(Value::Num(n))
    }

    /// The text of the number at the cursor (JSON grammar) and whether it is an integer.
    fn number_span(&mut self) -> Option<(&'t str, bool)> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.some_digits()?;
            integer = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.some_digits()?;
            integer = false;
        }
        // `01`, `1.` and the like are invalid: serde words the error.
        if self.peek().is_some_and(|b| b.is_ascii_digit()) {
            return None;
        }
        Some((self.text.get(start..self.pos)?, integer))
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.pos;
        self.digits();
        (self.pos > start).then_some(())
    }
}

/// Runs a serde seed over one value's text; `None` when serde rejects it.
fn with_serde(
    span: &str,
    run: impl FnOnce(&mut serde_json::Deserializer<serde_json::de::StrRead>) -> serde_json::Result<()>,
) -> Option<()> {
    let mut de = serde_json::Deserializer::from_str(span);
    run(&mut de).ok()?;
    de.end().ok()
}

#[cfg(test)]
mod tests {
    use super::super::{parse_fields_serde, Selection};
    use super::parse;
    use crate::eval::compile::{compile_expr, CExpr};
    use crate::eval::event::Record;
    use crate::eval::expr::is_true;
    use crate::ir::{BinOp, Stage};
    use crate::optimize::Projection;
    use proptest::prelude::*;

    fn selections() -> Vec<Selection> {
        let fields =
            |names: &[&str]| Projection::Fields(names.iter().map(|s| s.to_string()).collect());
        vec![
            Selection::new(&Projection::All, &[], &[], true),
            Selection::new(
                &fields(&["a", "b.c", "d{}.e", "n"]),
                &["ts".to_string()],
                &[],
                true,
            ),
            Selection::new(&fields(&["b", "x", "_raw"]), &[], &[], true),
            Selection::new(&fields(&["a.b.c", "arr", "s"]), &[], &[], true),
        ]
    }

    /// Selections checking every part of a search as the parser reads the field (reading the
    /// rest of a dropped line or not), each with the whole search compiled.
    fn checked() -> Vec<(Selection, CExpr, bool)> {
        let mut out = Vec::new();
        for spl in ["a=1 s=*", "NOT a=x* s!=2"] {
            let ir = crate::spl_to_ir(spl).expect("parses");
            let Some(Stage::Filter(search)) = ir.stages.first() else {
                panic!("{spl} starts with a search");
            };
            let parts = crate::optimize::pushdown(&ir, &[]);
            // Every part is pushed down: the parser decides the whole search.
            assert_eq!(parts.len(), search.operands(BinOp::And).len(), "{spl}");
            let checks: Vec<(String, CExpr)> = parts
                .iter()
                .map(|(f, e)| (f.clone(), compile_expr(e).expect("compiles")))
                .collect();
            let search = compile_expr(search).expect("compiles");
            for validate in [true, false] {
                let selection = Selection::new(&Projection::All, &[], &checks, validate);
                out.push((selection, search.clone(), validate));
            }
        }
        out
    }

    /// The fast path either gives up or agrees with serde exactly; with checks, it keeps a line
    /// exactly when the search keeps its event (and, reading the rest, drops only a good line).
    fn agrees(text: &str) -> Result<(), TestCaseError> {
        for selection in selections() {
            if let Some(fast) = parse(text, &selection) {
                prop_assert!(fast.is_some(), "dropped without a check: {text}");
                let fast = fast.unwrap_or_default();
                let slow = parse_fields_serde(text, &selection);
                prop_assert!(slow.is_ok(), "fast accepted what serde rejects: {text}");
                let slow = slow.unwrap_or_default();
                prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{}", text);
            }
        }
        for (selection, search, validate) in checked() {
            let Some(fast) = parse(text, &selection) else {
                continue;
            };
            let slow = parse_fields_serde(text, &selection);
            prop_assert!(slow.is_ok() || (fast.is_none() && !validate), "{text}");
            let Ok(slow) = slow else {
                continue;
            };
            // A line kept is read as serde reads it, and its event passes the search (whose
            // parts the parser checks, those of fields the line lacks too).
            let slow = Record::from(slow);
            match fast {
                Some(fast) => {
                    prop_assert_eq!(format!("{fast:?}"), format!("{:?}", slow.fields));
                    prop_assert!(
                        is_true(&search, &slow),
                        "kept what the search drops: {}",
                        text
                    );
                }
                None => prop_assert!(
                    !is_true(&search, &slow),
                    "dropped what the search keeps: {}",
                    text
                ),
            }
        }
        Ok(())
    }

    #[test]
    fn tricky_lines_agree_with_serde() {
        let lines = [
            r#"{"a":1,"b":{"c":"x","d":[1,2]},"n":null,"ts":"2024-01-01"}"#,
            r#"  {"a" : -0 , "b":{"c":-0.0}}  "#,
            r#"{"a":12345678901234567890,"n":9007199254740993,"s":-9223372036854775808}"#,
            r#"{"a":1e400}"#,
            r#"{"a":0,"b":-1,"c":7,"d":-12345678901234567,"e":123456789012345678,"n":-99}"#,
            r#"{"a":999999999999999999,"b":-999999999999999999,"c":1000000000000000000}"#,
            r#"{"a":1.5e-3,"b":{"c":2E+2},"x":0.1}"#,
            r#"{"a":"tab\there \"q\" \\ \/ \u00e9 \ud83d\ude00"}"#,
            r#"{"a":"lone \ud83d"}"#,
            r#"{"a":"bad \x"}"#,
            "{\"a\":\"raw\u{1}control\"}",
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":[1,[2,[3]],{"b":4}],"arr":[{"x":1},{"x":2}]}"#,
            r#"{"d{}":[{"e":1},{"e":2}],"d":[{"e":3}]}"#,
            r#"{"a{b":1,"longer_key_with{brace}":2,"c{}":3,"c":4}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"a":2,"s":1,"a":1}"#,
            r#"{"a":2,"s":1,"\u0061":1}"#,
            r#"{"a":2,"s":1,"a{}":1}"#,
            r#"{"a":"xy","s":3,"{}a":5}"#,
            r#"{"a":1,}"#,
            r#"{"a":1} x"#,
            r#"{"a":1"#,
            r#"[1,2]"#,
            r#""text""#,
            r#"{"k\u0041":1,"b":{"c":true,"x":false}}"#,
            r#"{}"#,
            r#"{"b":{}}"#,
            r#"{"a":"é ünïcödé","b":{"c":"日本"}}"#,
            r#"{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
        ];
        for line in lines {
            if let Err(e) = agrees(line) {
                panic!("{e}");
            }
        }
        // The common line takes the fast path.
        assert!(parse(lines[0], &selections()[1]).is_some());
    }

    fn json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(|n| n.into()),
            any::<u64>().prop_map(|n| n.into()),
            (-1e20f64..1e20).prop_map(|f| f.into()),
            "[a-z\\\\\"/é\\t\\u{1F600} ]{0,8}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                prop::collection::vec(("[abcdenstx]{1,2}|arr|d\\{\\}", inner), 0..5)
                    .prop_map(|members| serde_json::Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn generated_objects_agree_with_serde(
            members in prop::collection::vec(("[abcdenstx]{1,2}|arr|d\\{\\}", json()), 0..8),
            pretty in any::<bool>(),
        ) {
            let object = serde_json::Value::Object(members.into_iter().collect());
            let text = if pretty {
                serde_json::to_string_pretty(&object)
            } else {
                serde_json::to_string(&object)
            };
            agrees(&text.unwrap_or_default())?;
        }

        #[test]
        fn damaged_objects_agree_with_serde(
            members in prop::collection::vec(("[abcdenstx]{1,2}", json()), 1..6),
            at in any::<prop::sample::Index>(),
            junk in "[\\[\\]{}\",:\\\\0-9a-z \\u{1}]{1,3}",
        ) {
            let object = serde_json::Value::Object(members.into_iter().collect());
            let mut text = serde_json::to_string(&object).unwrap_or_default();
            let mut cut = at.index(text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.insert_str(cut, &junk);
            agrees(&text)?;
        }
    }
}
