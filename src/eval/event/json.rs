//! The event parser: one JSON object straight into a record, keeping only the projected fields.
//! Skipped values are scanned, never built; kept ones are flattened as `event.rs` describes.

mod fast;

use super::{append, normalize_key, Fields, Record};
use crate::eval::compile::{CExpr, Lookup, Matcher};
use crate::eval::expr::{is_true, matches_value};
use crate::eval::value::Value;
use crate::optimize::Projection;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// What to do with the value at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// The path is a field to keep: take the value (and all below it).
    Take,
    /// A kept field lies below this path: read the object, look at its keys.
    Descend,
    /// Nothing below is needed.
    Skip,
    /// A top-level key the first search checks (`optimize::pushdown`): take the value, then
    /// check it with the selection's check of this number.
    Check(u32),
}

/// A pushdown check of one top-level field.
#[derive(Debug, Clone)]
struct Check {
    field: String,
    /// The part of the first search that reads only this field.
    expr: CExpr,
    /// `expr` as a test of the field's one value, when it is one ([`ValueTest::of`]).
    test: Option<ValueTest>,
    /// Whether a value the test passes is kept in the record: not when nothing after the
    /// check reads the field ([`Selection::forgetting`]).
    kept: bool,
    /// Finds `"` and the field's name: where the field's key may come again in a line.
    key: memchr::memmem::Finder<'static>,
}

/// A check that reads nothing but its field's value: matches of that field (`index=network`,
/// `port IN (25, 465)`) under NOT, AND and OR. On a record whose field holds one value, each
/// match is true or false, never null, so the search's three-valued logic is two-valued here
/// and the test gives the check's answer without looking the field up in a record.
#[derive(Debug, Clone)]
enum ValueTest {
    Match(Matcher),
    Not(Box<ValueTest>),
    All(Vec<ValueTest>),
    Any(Vec<ValueTest>),
}

impl ValueTest {
    /// `check` (reading only `field`) as a test of its value; `None` when it is not only
    /// matches (a comparison with another field, a function, a wildcard or `{}` name).
    fn of(check: &CExpr, field: &str) -> Option<ValueTest> {
        let each = |items: &[CExpr]| {
            items
                .iter()
                .map(|item| ValueTest::of(item, field))
                .collect::<Option<Vec<_>>>()
        };
        Some(match check {
            CExpr::Match {
                field: name,
                lookup: Lookup::Plain { .. },
                matcher,
            } if name == field && !matches!(matcher, Matcher::FieldRef { .. }) => {
                ValueTest::Match(matcher.clone())
            }
            CExpr::Not(inner) => ValueTest::Not(Box::new(ValueTest::of(inner, field)?)),
            CExpr::All(items) => ValueTest::All(each(items)?),
            CExpr::Any(items) => ValueTest::Any(each(items)?),
            _ => return None,
        })
    }

    /// Whether the field's value, one scalar, passes.
    fn passes(&self, value: &Value) -> bool {
        match self {
            ValueTest::Match(matcher) => matches_value(value, matcher),
            ValueTest::Not(inner) => !inner.passes(value),
            ValueTest::All(items) => items.iter().all(|t| t.passes(value)),
            ValueTest::Any(items) => items.iter().any(|t| t.passes(value)),
        }
    }
}

impl Keep {
    /// Whether the value is taken (and kept).
    fn takes(self) -> bool {
        matches!(self, Keep::Take | Keep::Check(_))
    }
}

/// The kept field names, the extra ones (time fields), and every dotted prefix of them; built
/// once per input, consulted for every key of every event.
#[derive(Debug, Clone)]
pub struct Selection {
    /// `None`: keep everything, check nothing; else what to do with each named path.
    paths: Option<PathTable>,
    /// The pushdown checks, by the number [`Keep::Check`] holds.
    checks: Vec<Check>,
    /// Whether the rest of a line whose value failed a check is read to its end, so that a bad
    /// line is still reported (else it is skipped when it cannot hold the key again).
    validate_rest: bool,
    /// How many fields are taken (a record's likely size).
    takes: usize,
    keeps_raw: bool,
    /// Tells selections apart (each made gets its own; a clone keeps it), for what the fast
    /// scanner learns of the lines a selection reads.
    id: u64,
}

/// The next [`Selection::id`].
static SELECTIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn selection_id() -> u64 {
    SELECTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The named paths in an open-addressed table a quarter full, hashed from a path's length and
/// its first and last eight bytes: an unnamed key (most keys) costs two loads, a multiply and,
/// rarely, a length compare. Measured on the seed's events, a `HashMap<String, _>` lookup behind
/// a fingerprint filter cost 11% of a parse.
#[derive(Debug, Clone)]
struct PathTable {
    slots: Vec<Option<(Box<str>, Keep)>>,
    shift: u32,
    /// What to do with a path the table does not name.
    absent: Keep,
}

impl PathTable {
    fn new(paths: Vec<(String, Keep)>, absent: Keep) -> PathTable {
        let size = (paths.len() * 4).next_power_of_two().max(16);
        let mut table = PathTable {
            slots: vec![None; size],
            shift: 64 - size.trailing_zeros(),
            absent,
        };
        for (path, keep) in paths {
            let mut at = table.home(path.as_bytes());
            loop {
                match table.slots.get_mut(at) {
                    Some(slot @ None) => {
                        *slot = Some((path.into_boxed_str(), keep));
                        break;
                    }
                    Some(Some((named, old))) if **named == *path => {
                        *old = keep;
                        break;
                    }
                    _ => at = (at + 1) & (size - 1),
                }
            }
        }
        table
    }

    fn home(&self, path: &[u8]) -> usize {
        self.home_of(super::name_tag(path))
    }

    fn home_of(&self, tag: u64) -> usize {
        (tag >> self.shift) as usize
    }

    fn get(&self, path: &str) -> Keep {
        self.get_tagged(path, super::name_tag(path.as_bytes()))
    }

    /// [`PathTable::get`] of a path whose [`super::name_tag`] is `tag`.
    fn get_tagged(&self, path: &str, tag: u64) -> Keep {
        let mask = self.slots.len() - 1;
        let mut at = self.home_of(tag);
        while let Some(Some((named, keep))) = self.slots.get(at) {
            if super::same_name(named.as_bytes(), path.as_bytes()) {
                return *keep;
            }
            at = (at + 1) & mask;
        }
        self.absent
    }
}

impl Selection {
    /// The selection of `projection`'s fields and the `extra` ones, checking each top-level
    /// field of `checks` as soon as its value is read (`validate_rest`: see [`Selection`]).
    pub fn new(
        projection: &Projection,
        extra: &[String],
        checks: &[(String, CExpr)],
        validate_rest: bool,
    ) -> Selection {
        // A scan keeps the checks it ran as bits of a word.
        let checks = checks
            .get(..crate::optimize::pushdown::MAX_PARTS)
            .unwrap_or(checks);
        let check_keeps = checks
            .iter()
            .enumerate()
            .map(|(i, (field, _))| (field.clone(), Keep::Check(i as u32)));
        let checks_only = checks
            .iter()
            .map(|(field, expr)| Check {
                field: field.clone(),
                expr: expr.clone(),
                test: ValueTest::of(expr, field),
                kept: true,
                key: memchr::memmem::Finder::new(format!("\"{field}").as_bytes()).into_owned(),
            })
            .collect();
        let Projection::Fields(fields) = projection else {
            let paths =
                (!checks.is_empty()).then(|| PathTable::new(check_keeps.collect(), Keep::Take));
            return Selection {
                paths,
                checks: checks_only,
                validate_rest,
                takes: 16,
                keeps_raw: true,
                id: selection_id(),
            };
        };
        let mut paths: indexmap::IndexMap<String, Keep> = indexmap::IndexMap::new();
        for name in fields.iter().chain(extra) {
            let mut at = 0;
            while let Some(dot) = name[at..].find('.') {
                paths
                    .entry(name[..at + dot].to_string())
                    .or_insert(Keep::Descend);
                at += dot + 1;
            }
        }
        for name in fields.iter().chain(extra) {
            paths.insert(name.clone(), Keep::Take);
        }
        paths.extend(check_keeps);
        let takes = paths.values().filter(|k| k.takes()).count();
        Selection {
            paths: Some(PathTable::new(paths.into_iter().collect(), Keep::Skip)),
            checks: checks_only,
            validate_rest,
            takes,
            keeps_raw: fields.contains("_raw"),
            id: selection_id(),
        }
    }

    /// The selection with the values of `fields` not kept where their checks' tests pass
    /// them: for a plan that trusts the checks, which reads them nowhere else
    /// ([`crate::optimize::pushdown::check_only`]). The serde path, which runs no checks,
    /// still keeps them.
    /// A field with several checks is kept: only one runs as its value is read, the others on
    /// the record once the line is read.
    pub fn forgetting(mut self, fields: &[String]) -> Selection {
        for field in fields {
            let mut checks = self.checks.iter_mut().filter(|c| c.field == *field);
            if let (Some(check), None) = (checks.next(), checks.next()) {
                check.kept = check.test.is_none();
                self.takes = self.takes.saturating_sub(usize::from(!check.kept));
            }
        }
        self
    }

    /// The checked fields whose values are not kept ([`Selection::forgetting`]).
    pub fn unkept(&self) -> impl Iterator<Item = &str> {
        self.checks
            .iter()
            .filter(|c| !c.kept)
            .map(|c| c.field.as_str())
    }

    /// Whether the field `name` (tagged `tag`), whose value is the scalar `value`, passes
    /// check `check`; the value goes into `out` unless it is not kept
    /// ([`Selection::forgetting`]; a failed line is dropped whole anyway).
    fn check_value(
        &self,
        check: u32,
        name: &str,
        tag: u64,
        value: Value,
        out: &mut Fields,
    ) -> bool {
        let Some(Check {
            test: Some(test),
            kept,
            ..
        }) = self.checks.get(check as usize)
        else {
            out.insert_tagged(tag, name.into(), value);
            return self.passes(check, out);
        };
        let pass = test.passes(&value);
        if *kept {
            out.insert_tagged(tag, name.into(), value);
        }
        pass
    }

    /// Whether the record read so far passes check `check` ([`Keep::Check`]): the check reads
    /// only the field just read, so its answer on these fields is its answer on the event.
    fn passes(&self, check: u32, out: &mut Fields) -> bool {
        let Some(check) = self.checks.get(check as usize) else {
            return true;
        };
        let record = Record::from(std::mem::take(out));
        let pass = is_true(&check.expr, &record);
        *out = record.fields;
        pass
    }

    /// Whether the record passes the checks not among `checked` (bits by check number): those
    /// of fields its text lacks, checked once the whole text is read.
    fn passes_unchecked(&self, checked: u64, out: &mut Fields) -> bool {
        (0..self.checks.len() as u32)
            .filter(|&i| checked & 1 << i == 0)
            .all(|i| self.passes(i, out))
    }

    /// Whether `rest`, the text after the value of a field that failed check `check`, need not
    /// be read: the rest is not validated; it cannot hold the field's key again (no `"` and the
    /// name, no escape, no `{}` that a key may lose); and it closes the object (it ends with `}`
    /// and opens none), so the line is not the first of an object spread over lines.
    fn skips_rest(&self, check: u32, rest: &[u8]) -> bool {
        let Some(check) = self.checks.get(check as usize) else {
            return false;
        };
        !self.validate_rest
            && rest.trim_ascii_end().ends_with(b"}")
            && memchr::memchr2(b'\\', b'{', rest).is_none()
            && check.key.find(rest).is_none()
    }

    /// Whether `_raw` is kept.
    pub fn keeps_raw(&self) -> bool {
        self.keeps_raw
    }

    fn keep(&self, path: &str) -> Keep {
        match &self.paths {
            None => Keep::Take,
            Some(paths) => paths.get(path),
        }
    }

    /// [`Selection::keep`], with the path's [`super::name_tag`] (which a record files it by).
    fn keep_tagged(&self, path: &str) -> (Keep, u64) {
        let tag = super::name_tag(path.as_bytes());
        match &self.paths {
            None => (Keep::Take, tag),
            Some(paths) => (paths.get_tagged(path, tag), tag),
        }
    }

    /// The fields a record is likely to get: room to reserve up front.
    fn capacity(&self) -> usize {
        self.takes
    }
}

/// Parses one JSON object text into the fields `selection` keeps (all, for `Projection::All`),
/// and whether they are known to pass all of the selection's checks. The fast scanner reads the
/// common line and runs every check; serde reads what it leaves (and words the errors) and runs
/// none. `None`: a value failed one of the checks.
pub fn parse_fields(
    text: &str,
    selection: &Selection,
) -> Result<Option<(Fields, bool)>, serde_json::Error> {
    if let Some(parsed) = fast::parse(text, selection) {
        return Ok(parsed.map(|fields| (fields, true)));
    }
    parse_fields_serde(text, selection).map(|fields| Some((fields, false)))
}

/// For fuzzing and tests: `Err` when the fast scanner accepts `text` but reads it differently
/// from serde (or accepts what serde rejects).
#[doc(hidden)]
pub fn check_fast_path(text: &str, projection: &Projection) -> Result<(), String> {
    let selection = Selection::new(projection, &[], &[], true);
    let Some(Some(fast)) = fast::parse(text, &selection) else {
        return Ok(());
    };
    match parse_fields_serde(text, &selection) {
        Ok(slow) if format!("{slow:?}") == format!("{fast:?}") => Ok(()),
        Ok(slow) => Err(format!("fast {fast:?} but serde {slow:?}")),
        Err(e) => Err(format!("fast accepted what serde rejects: {e}")),
    }
}

/// The reference parser: serde_json with the visitors below.
pub fn parse_fields_serde(text: &str, selection: &Selection) -> Result<Fields, serde_json::Error> {
    let mut fields = Fields::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = ObjectSeed {
        path: String::new(),
        selection,
        out: &mut fields,
    };
    seed.deserialize(&mut de)?;
    de.end()?;
    Ok(fields)
}

/// Visits an object at `path` (empty at the top), keeping what the selection asks for.
struct ObjectSeed<'a, 's> {
    path: String,
    selection: &'s Selection,
    out: &'a mut Fields,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let key: Cow<str> = if super::has_braces(&key) {
                Cow::Owned(normalize_key(&key))
            } else {
                key
            };
            let path: Cow<str> = if self.path.is_empty() {
                key
            } else {
                Cow::Owned(format!("{}.{key}", self.path))
            };
            match self.selection.keep(&path) {
                Keep::Skip => {
                    map.next_value::<IgnoredAny>()?;
                }
                Keep::Descend => {
                    let seed = ObjectSeed {
                        path: path.into_owned(),
                        selection: self.selection,
                        out: &mut *self.out,
                    };
                    map.next_value_seed(NestedSeed(seed))?;
                }
                Keep::Take | Keep::Check(_) => {
                    let mut value = Value::Null;
                    let mut nested = Fields::default();
                    map.next_value_seed(ValueSeed {
                        path: &path,
                        value: &mut value,
                        nested: &mut nested,
                    })?;
                    if !value.is_null() {
                        self.out.insert(path.as_ref().into(), value);
                    }
                    self.out.extend(nested);
                }
            }
        }
        Ok(())
    }

    not_an_object!();
}

/// A nested value on the way to a kept field: objects are searched, anything else skipped.
struct NestedSeed<'a, 's>(ObjectSeed<'a, 's>);

impl<'de> DeserializeSeed<'de> for NestedSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NestedSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.0.visit_map(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        // Arrays of objects: the kept fields below become multivalue (`a{}.b`).
        let ObjectSeed {
            path,
            selection,
            out,
        } = self.0;
        let mut value = Value::Null;
        let mut nested = Fields::default();
        ValueSeed {
            path: &path,
            value: &mut value,
            nested: &mut nested,
        }
        .visit_seq(seq)?;
        for (name, v) in nested {
            if selection.keep(&name).takes() {
                append(out.get_or_insert_with(name, || Value::Null), v);
            }
        }
        Ok(())
    }

    scalars_pass!();
}

/// A kept value: scalars become the value; objects flatten into `nested` under `path.`;
/// arrays collect every leaf (multivalue).
struct ValueSeed<'a> {
    path: &'a str,
    value: &'a mut Value,
    nested: &'a mut Fields,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<(), E> {
        append(self.value, Value::str(if b { "true" } else { "false" }));
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<(), E> {
        append(self.value, super::integer_value(n as i128));
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<(), E> {
        append(self.value, super::integer_value(n as i128));
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<(), E> {
        append(self.value, Value::Num(n));
        Ok(())
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        append(self.value, Value::str(s));
        Ok(())
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<(), E> {
        append(self.value, Value::str(s));
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let mut item = Value::Null;
            let mut item_nested = Fields::default();
            let seed = ValueSeed {
                path: self.path,
                value: &mut item,
                nested: &mut item_nested,
            };
            if seq.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            if !item.is_null() {
                append(self.value, item);
            }
            for (name, v) in item_nested {
                append(self.nested.get_or_insert_with(name, || Value::Null), v);
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let path = format!("{}.{}", self.path, normalize_key(&key));
            let mut value = Value::Null;
            let mut nested = Fields::default();
            map.next_value_seed(ValueSeed {
                path: &path,
                value: &mut value,
                nested: &mut nested,
            })?;
            if !value.is_null() {
                append(
                    self.nested.get_or_insert_with(path.into(), || Value::Null),
                    value,
                );
            }
            for (name, v) in nested {
                append(self.nested.get_or_insert_with(name, || Value::Null), v);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{fast, parse_fields_serde, Keep, PathTable, Selection};
    use crate::optimize::Projection;

    /// The fast scanner compares each top-level key with the one the last line had at its
    /// place: lines that change their keys, their order, their number, or differ from the
    /// last key in one byte, its length or its quotes, read as serde reads them, and so does
    /// a line read with another selection in between.
    #[test]
    fn keys_at_the_last_lines_places_are_checked_not_trusted() {
        let lines = [
            r#"{"a":1,"bb":"x","c":2,"dd":"y"}"#,
            r#"{"a":3,"bb":"x2","c":4,"dd":"y2"}"#,
            r#"{"a":3,"bc":"x3","c":4,"dd":"y3"}"#,
            r#"{"bb":"z","a":5,"dd":"w"}"#,
            r#"{"a":6}"#,
            r#"{"a":7,"bb":"x","c":2,"dd":"y","e":{"a":1,"bb":2}}"#,
            r#"{"ab":8,"bb":"x","c":2,"dd":"y"}"#,
            r#"{"a" :9, "bb" : "x","c":2,"dd":"y"}"#,
            r#"{"ab":10,"bb":"x"}"#,
            r#"{"a":11,"b":"short","c":2,"ddd":"long"}"#,
            r#"{"a":12,"bb":"x","c":2,"dd":"y"}"#,
        ];
        let some =
            |names: &[&str]| Projection::Fields(names.iter().map(|n| n.to_string()).collect());
        let selections = [
            Selection::new(&Projection::All, &[], &[], true),
            Selection::new(&some(&["a", "dd", "e.bb"]), &[], &[], true),
            Selection::new(&some(&["bb", "c", "ddd"]), &[], &[], true),
        ];
        let same = |line: &str, selection: &Selection| {
            if let Some(Some(fast)) = fast::parse(line, selection) {
                let slow = parse_fields_serde(line, selection).unwrap_or_default();
                assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{line}");
            }
        };
        // Each selection over all the lines in turn, then the selections in turn on each line.
        for selection in &selections {
            lines.iter().for_each(|line| same(line, selection));
        }
        for line in lines {
            selections
                .iter()
                .for_each(|selection| same(line, selection));
        }
    }

    #[test]
    fn path_table_finds_every_name_and_nothing_else() {
        // Names of every length class the hash loads differently (0, 1-3, 4-7, 8 and longer),
        // sharing heads and tails so that homes collide.
        let names: Vec<String> = (0..40)
            .map(|i| "abcdefghijklmnopq"[..i % 17].to_string() + &"x".repeat(i / 17))
            .collect();
        let entries = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    n.clone(),
                    if i % 2 == 0 {
                        Keep::Take
                    } else {
                        Keep::Descend
                    },
                )
            })
            .collect();
        let table = PathTable::new(entries, Keep::Skip);
        for (i, name) in names.iter().enumerate() {
            let want = if i % 2 == 0 {
                Keep::Take
            } else {
                Keep::Descend
            };
            assert_eq!(table.get(name), want, "{name:?}");
        }
        for absent in ["abz", "abcdefgz", "zbcdefghijk", "abcdefghijklmnopqr", "é"] {
            assert_eq!(table.get(absent), Keep::Skip, "{absent:?}");
        }
    }
}

#[cfg(test)]
mod value_tests {
    use super::ValueTest;
    use crate::eval::compile::compile_expr;
    use crate::eval::event::{Fields, Record};
    use crate::eval::expr::is_true;
    use crate::eval::value::Value;
    use crate::optimize::pushdown::pushdown;

    /// A pushed-down part's test of one value answers as the part does on a record holding
    /// that value; parts that read more than the value (a function, another field) get none.
    #[test]
    fn value_tests_answer_as_their_checks() {
        let values = [
            Value::str("abc"),
            Value::str("ABC"),
            Value::str("ab"),
            Value::str("x1"),
            Value::str("10.1.2.3"),
            Value::str("25"),
            Value::str(""),
            Value::Num(25.0),
            Value::Num(465.0),
            Value::Num(2.0),
            Value::Num(12.5),
            Value::Bool(true),
        ];
        let parts = [
            "f=abc",
            "f IN (25, 465, \"AB\")",
            "NOT f=x*",
            "f=a* f!=ab",
            "f>10",
            "(f=1 OR f=2) NOT f=2",
            "f=*b* OR f=true",
            "f=10.0.0.0/8",
            "f=\"\"",
        ];
        for spl in parts {
            let ir = crate::spl_to_ir(spl).expect("parses");
            let pushed = pushdown(&ir, &[]);
            assert!(!pushed.is_empty(), "{spl}");
            for (field, part) in pushed {
                let check = compile_expr(&part).expect("compiles");
                let test = ValueTest::of(&check, &field).unwrap_or_else(|| panic!("{spl}"));
                for value in &values {
                    let mut fields = Fields::new();
                    fields.insert(field.as_str().into(), value.clone());
                    let record = Record::from(fields);
                    assert_eq!(
                        test.passes(value),
                        is_true(&check, &record),
                        "{spl} on {value:?}"
                    );
                }
            }
        }
        for spl in ["len(f) > 3", "f=g"] {
            let ir = crate::spl_to_ir(&format!("| where {spl}")).expect("parses");
            let Some(crate::ir::Stage::Filter(e)) = ir.stages.first() else {
                panic!("{spl}");
            };
            let check = compile_expr(e).expect("compiles");
            assert!(ValueTest::of(&check, "f").is_none(), "{spl}");
        }
    }
}
