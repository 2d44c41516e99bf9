//! Events: the only place JSON is parsed. A JSON object becomes a flat record of Splunk fields.
//!
//! Nested objects are reachable by dotted path (`a.b.c`), arrays are multivalue fields (also
//! reachable as `a{}`, as Splunk's JSON extraction names them), JSON `null` is an absent field,
//! booleans are the text `true`/`false`, `_raw` is the original text and `_time` epoch seconds.

/// The visitor methods of a value that must be an object (the parser's top level, and the
/// check of a line that is not parsed): every other kind of value is the same error.
macro_rules! not_an_object {
    () => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
            Err(E::custom("expected a JSON object, found a string"))
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
            Err(E::custom("expected a JSON object, found a number"))
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
            Err(E::custom("expected a JSON object, found a number"))
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
            Err(E::custom("expected a JSON object, found a number"))
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
            Err(E::custom("expected a JSON object, found a boolean"))
        }

        fn visit_unit<E: de::Error>(self) -> Result<(), E> {
            Err(E::custom("expected a JSON object, found null"))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
            Err(de::Error::custom("expected a JSON object, found an array"))
        }
    };
}

/// The visitor methods of a value whose scalars are read (so a bad number or escape still fails)
/// and dropped: a nested value on the way to kept fields, and any value of a checked line.
macro_rules! scalars_pass {
    () => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
            Ok(())
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
            Ok(())
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
            Ok(())
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
            Ok(())
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
            Ok(())
        }

        fn visit_unit<E: de::Error>(self) -> Result<(), E> {
            Ok(())
        }
    };
}

mod check;
mod fields;
mod gate;
mod json;

pub use fields::{name_tag, same_name, Fields};

#[doc(hidden)]
pub use json::check_fast_path;

use crate::eval::value::{parse_number, Value};
use crate::optimize::Projection;
use serde_json::Value as Json;
use std::sync::Arc;

/// A field name: short ones (most) are held inline, without an allocation.
pub type Name = compact_str::CompactString;

/// One event or result row: field name → value, in first-seen order.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub fields: Fields,
    /// The [`crate::optimize::pushdown::fingerprint`] of the pushdown checks the parser found
    /// this event passes, all of them (0: none known). Not part of the record's content: the
    /// first search uses it and clears it ([`crate::eval::Plan::trust_pushdown`]).
    pub(crate) checked: u64,
}

impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        self.fields == other.fields
    }
}

impl From<Fields> for Record {
    fn from(fields: Fields) -> Record {
        Record { fields, checked: 0 }
    }
}

impl Record {
    /// The field's value; `name{}` and `name` are the same field.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self.fields.get(name) {
            Some(v) => Some(v),
            None if has_braces(name) => self.fields.get(name.replace("{}", "").as_str()),
            None => None,
        }
    }

    /// Gives back the room its fields do not use: a stage holding the record until the input
    /// ends calls it (the parser leaves room for the fields it may take, and most records of a
    /// projected search take fewer).
    pub fn hold(mut self) -> Record {
        self.fields.shrink_to_fit();
        self
    }

    /// The value, or null when absent.
    pub fn value(&self, name: &str) -> Value {
        self.get(name).cloned().unwrap_or(Value::Null)
    }

    /// Takes the field out of the record; `name{}` and `name` are the same field (as [`Record::get`]).
    pub fn take(&mut self, name: &str) -> Option<Value> {
        match self.fields.shift_remove(name) {
            Some(v) => Some(v),
            None if has_braces(name) => self.fields.shift_remove(name.replace("{}", "").as_str()),
            None => None,
        }
    }

    /// Sets a field; setting null removes it.
    pub fn set(&mut self, name: &str, value: Value) {
        let key = if has_braces(name) {
            Name::from(name.replace("{}", ""))
        } else {
            Name::from(name)
        };
        if value.is_null() {
            self.fields.shift_remove(key.as_str());
        } else {
            self.fields.insert(key, value);
        }
    }

    pub fn time(&self) -> Option<f64> {
        self.get("_time").and_then(Value::as_num)
    }
}

/// Defaults for events that lack `index`, `sourcetype`, `source` or `host`, where `_time` comes
/// from, and which fields to keep.
#[derive(Debug, Clone)]
pub struct EventOptions {
    pub defaults: Vec<(String, String)>,
    pub time_fields: Vec<String>,
    /// The fields the pipeline reads (`optimize::projection`); others are not parsed. Set it with
    /// `set_projection`, which also prepares the parser's selection.
    pub projection: Projection,
    selection: std::sync::Arc<json::Selection>,
    /// The parts of the first search the parser checks (`optimize::pushdown`), compiled, and
    /// whether a line that fails one is still read to its end; set them with `set_pushdown`.
    checks: Vec<(String, crate::eval::compile::CExpr)>,
    validate_rest: bool,
    /// Checked fields that nothing after the checks reads (`forget_checked_only`).
    check_only: Vec<String>,
    /// What a record the parser found passes every check is marked with (`Record::checked`):
    /// the checks' fingerprint, 0 when some part was left out.
    checked_mark: u64,
    /// The part of the first search tested on a narrow record before the event is built
    /// (`optimize::gate`), compiled, with the fields it reads; set it with `set_gate`.
    gate_test: Option<(
        crate::eval::compile::CExpr,
        std::collections::BTreeSet<String>,
    )>,
    gate: Option<Arc<gate::Gate>>,
    /// Literals a line must contain to be worth parsing (`optimize::prefilter`).
    pub prefilter: Option<crate::optimize::Prefilter>,
    /// A look at each line before it is parsed (`hunt`'s rule index).
    pub line_filter: Option<Arc<dyn LineFilter>>,
    /// The longest event line (or multi-line object, or JSON array document) read, in bytes;
    /// a longer one is reported and skipped.
    pub max_line: usize,
    /// How many events read one at a time were skipped unparsed (`prefilter`) or dropped as
    /// they were parsed (pushdown): never passed on, but read all the same (clones share the
    /// count; the parallel reader counts its own as it passes events on).
    pub skipped: Arc<std::sync::atomic::AtomicUsize>,
}

/// The default [`EventOptions::max_line`]: 64 MiB.
pub const DEFAULT_MAX_LINE: usize = 64 << 20;

impl Default for EventOptions {
    fn default() -> Self {
        EventOptions {
            defaults: Vec::new(),
            time_fields: DEFAULT_TIME_FIELDS.iter().map(|s| s.to_string()).collect(),
            projection: Projection::All,
            selection: std::sync::Arc::new(json::Selection::new(&Projection::All, &[], &[], true)),
            checks: Vec::new(),
            validate_rest: true,
            check_only: Vec::new(),
            checked_mark: 0,
            gate_test: None,
            gate: None,
            prefilter: None,
            line_filter: None,
            max_line: DEFAULT_MAX_LINE,
            skipped: Arc::default(),
        }
    }
}

impl EventOptions {
    /// Keep only the fields of `projection` (plus the time fields, to find `_time`).
    pub fn set_projection(&mut self, projection: Projection) {
        self.projection = projection;
        self.select();
    }

    /// Drop events as they are parsed when a field's value fails one of `parts` (each an
    /// expression reading only that field, as `optimize::pushdown` gives them: the event is
    /// dropped only if the search would drop it). Parts that do not compile, or past
    /// [`crate::optimize::pushdown::MAX_PARTS`], are left out. A record the parser finds passes
    /// them all is marked so (`Record::checked`), for a plan told the same parts
    /// (`Plan::trust_pushdown`) to check only the rest of its search.
    /// `validate_rest`: the rest of such a line is still read to its end, so that a bad line is
    /// reported (`--strict`); else, like the prefilter, it is skipped unread where it can be.
    pub fn set_pushdown(&mut self, parts: &[(String, crate::ir::Expr)], validate_rest: bool) {
        use crate::optimize::pushdown::{fingerprint, MAX_PARTS};
        self.validate_rest = validate_rest;
        self.checks = parts
            .iter()
            .take(MAX_PARTS)
            .filter_map(|(field, e)| {
                let check = crate::eval::compile::compile_expr(e).ok()?;
                Some((field.clone(), check))
            })
            .collect();
        let all = self.checks.len() == parts.len();
        self.checked_mark = if all && !parts.is_empty() {
            fingerprint(parts)
        } else {
            0
        };
        self.select();
    }

    /// Do not keep the values of these checked fields in records the parser marks as passing
    /// every check: for a plan that trusts the marks (`Plan::trust_pushdown`) and reads these
    /// fields nowhere but in the checks (`optimize::pushdown::check_only`). Time fields are
    /// always kept (`_time` is read from them).
    pub fn forget_checked_only(&mut self, fields: &[String]) {
        self.check_only = fields
            .iter()
            .filter(|f| !self.time_fields.contains(f))
            .cloned()
            .collect();
        self.select();
    }

    /// The checked fields whose values the parser does not keep: those given to
    /// `forget_checked_only` that it can test on the value alone, and whose field has one check.
    pub fn unkept(&self) -> Vec<String> {
        self.selection.unkept().map(str::to_string).collect()
    }

    /// Counts one line in [`EventOptions::skipped`].
    pub fn count_skipped(&self) {
        self.skipped
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The fields an event may get from defaults rather than from its text: those given
    /// defaults, and `source`, which reading a file defaults to the file's path. The optimiser
    /// passes cannot tell from a line's text what such a field holds.
    pub fn defaulted(&self) -> Vec<String> {
        let mut out: Vec<String> = self.defaults.iter().map(|(k, _)| k.clone()).collect();
        if !out.iter().any(|k| k == "source") {
            out.push("source".to_string());
        }
        out
    }

    /// Test `test` (some of the first search's conjuncts, reading the fields `read`) on a
    /// narrow record of those fields before building the whole event (`optimize::gate`); a
    /// test that does not compile is left to the search.
    pub fn set_gate(
        &mut self,
        gate: Option<(crate::ir::Expr, std::collections::BTreeSet<String>)>,
    ) {
        self.gate_test = gate.and_then(|(test, read)| {
            let test = crate::eval::compile::compile_expr(&test).ok()?;
            Some((test, read))
        });
        self.select();
    }

    /// Whether a gate is set (and compiled).
    pub fn gated(&self) -> bool {
        self.gate.is_some()
    }

    /// The parser's selection afresh, from the projection and the checks; and the gate's.
    fn select(&mut self) {
        let selection = json::Selection::new(
            &self.projection,
            &self.time_fields,
            &self.checks,
            self.validate_rest,
        )
        .forgetting(&self.check_only);
        self.selection = std::sync::Arc::new(selection);
        self.gate = self
            .gate_test
            .as_ref()
            .map(|(test, read)| Arc::new(gate::Gate::new(test.clone(), read, self)));
    }
}

/// Looks at each raw line before it is parsed, for what may match it (`hunt`'s rule index).
pub trait LineFilter: Send + Sync + std::fmt::Debug {
    fn check(&self, line: &str) -> LineCheck;
}

/// What a [`LineFilter`] found in a line; the record carries `tag` in the field [`LINE_TAG`].
#[derive(Debug, Clone, PartialEq)]
pub enum LineCheck {
    /// Parse the line.
    Parse(Value),
    /// Nothing can match: only check that the line is a JSON object (so it counts as an event,
    /// or is reported as bad, as if parsed); its record holds only the tag.
    Skip(Value),
}

/// The field a [`LineFilter`]'s tag is carried in, for whoever set the filter to take out. No
/// event field has this name: parsing takes `{}` out of keys.
pub const LINE_TAG: &str = "{}line";

/// Parses one JSON object text into a record (the parser for line-oriented input): only the
/// projected fields are built; `_raw` is kept when the projection needs it. `None`: the first
/// search drops the event, as a field's value showed (`EventOptions::set_pushdown`).
pub fn parse_event(text: &str, opts: &EventOptions) -> Result<Option<Record>, serde_json::Error> {
    let Some(filter) = &opts.line_filter else {
        return parse_line(text, opts);
    };
    let (mut record, tag) = match filter.check(text) {
        LineCheck::Parse(tag) => match parse_line(text, opts)? {
            Some(record) => (record, tag),
            None => return Ok(None),
        },
        LineCheck::Skip(tag) => {
            check::check_object(text)?;
            (Record::default(), tag)
        }
    };
    record.fields.insert(LINE_TAG.into(), tag);
    Ok(Some(record))
}

fn parse_line(text: &str, opts: &EventOptions) -> Result<Option<Record>, serde_json::Error> {
    if let Some(gate) = &opts.gate {
        if gate.drops(text, opts)? {
            return Ok(None);
        }
    }
    let Some((fields, checked)) = json::parse_fields(text, &opts.selection)? else {
        return Ok(None);
    };
    let mut record = finish_record(fields, text, &opts.selection, opts, true);
    if checked {
        record.checked = opts.checked_mark;
    }
    Ok(Some(record))
}

/// The record of the fields `selection` read from `text`: with `_raw` if it keeps it, the
/// defaults of fields it lacks and, if `timed`, its `_time`.
fn finish_record(
    fields: Fields,
    text: &str,
    selection: &json::Selection,
    opts: &EventOptions,
    timed: bool,
) -> Record {
    let mut record = Record::from(fields);
    if selection.keeps_raw() {
        record.fields.insert("_raw".into(), Value::str(text));
    }
    for (name, default) in &opts.defaults {
        if record.get(name).is_none() {
            record
                .fields
                .insert(name.as_str().into(), Value::str(default.as_str()));
        }
    }
    if timed {
        set_time(&mut record, &opts.time_fields);
    }
    record
}

/// A JSON integer: a number when exact in a double, else its text (so large ids print exactly).
fn integer_value(n: i128) -> Value {
    if n.unsigned_abs() <= 1 << 53 {
        Value::Num(n as f64)
    } else {
        Value::str(n.to_string())
    }
}

/// Where `_time` is read from when the event has no `_time`, first present wins.
pub const DEFAULT_TIME_FIELDS: &[&str] = &[
    "@timestamp",
    "timestamp",
    "UtcTime",
    "TimeCreated",
    "Event.System.TimeCreated.#attributes.SystemTime",
    "Event.System.TimeCreated.SystemTime",
    "EventTime",
    "ts",
];

/// Builds a record from one parsed JSON value. Fails unless it is an object.
pub fn record_from_json(json: Json, raw: &str, opts: &EventOptions) -> Result<Record, String> {
    let Json::Object(map) = json else {
        return Err(format!(
            "expected a JSON object, found {}",
            json_kind(&json)
        ));
    };
    let mut fields = Fields::with_capacity(map.len() + 2);
    for (key, value) in map {
        flatten(&normalize_key(&key), value, &mut fields);
    }
    let mut record = Record::from(fields);
    record.fields.insert("_raw".into(), Value::str(raw));
    for (name, default) in &opts.defaults {
        if record.get(name).is_none() {
            record
                .fields
                .insert(name.as_str().into(), Value::str(default.as_str()));
        }
    }
    set_time(&mut record, &opts.time_fields);
    Ok(record)
}

fn json_kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Whether a field name has `{}` (`a{}.b`: the same field as `a.b`). A loop over the bytes: names
/// are short, and this is asked at every lookup of a name a record lacks.
pub(crate) fn has_braces(name: &str) -> bool {
    name.as_bytes().windows(2).any(|pair| pair == b"{}")
}

pub(crate) fn normalize_key(key: &str) -> String {
    if has_braces(key) {
        key.replace("{}", "")
    } else {
        key.to_string()
    }
}

fn flatten(path: &str, value: Json, out: &mut Fields) {
    match value {
        Json::Null => {}
        Json::Object(map) => {
            for (key, inner) in map {
                flatten(&format!("{path}.{}", normalize_key(&key)), inner, out);
            }
        }
        Json::Array(items) => {
            let mut parts = Fields::default();
            for item in items {
                let mut one = Fields::default();
                flatten(path, item, &mut one);
                for (key, v) in one {
                    append(parts.get_or_insert_with(key, || Value::Null), v);
                }
            }
            out.extend(parts);
        }
        scalar => {
            if let Some(v) = scalar_value(scalar) {
                out.insert(path.into(), v);
            }
        }
    }
}

pub(crate) fn append(slot: &mut Value, v: Value) {
    let mut items = match std::mem::replace(slot, Value::Null) {
        Value::Null => Vec::new(),
        Value::Multi(items) => items,
        single => vec![single],
    };
    match v {
        Value::Multi(more) => items.extend(more),
        single => items.push(single),
    }
    *slot = if items.len() == 1 {
        items.swap_remove(0)
    } else {
        Value::Multi(items)
    };
}

fn scalar_value(json: Json) -> Option<Value> {
    Some(match json {
        Json::Bool(b) => Value::str(if b { "true" } else { "false" }),
        Json::String(s) => Value::str(s),
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) if i.unsigned_abs() <= 1 << 53 => Value::Num(i as f64),
            (None, None, Some(f)) => Value::Num(f),
            _ => Value::str(n.to_string()),
        },
        Json::Null | Json::Array(_) | Json::Object(_) => return None,
    })
}

/// Sets `_time` to epoch seconds from `_time` itself or the first present time field.
fn set_time(record: &mut Record, time_fields: &[String]) {
    let candidates = std::iter::once("_time").chain(time_fields.iter().map(String::as_str));
    for name in candidates {
        if let Some(t) = record
            .get(name)
            .and_then(|v| parse_time(crate::eval::value::first(v)))
        {
            record.fields.insert("_time".into(), Value::Num(t));
            return;
        }
    }
}

/// Epoch seconds from a number, numeric text, or ISO-8601 / `YYYY-MM-DD HH:MM:SS[.fff][zone]` text.
pub fn parse_time(v: &Value) -> Option<f64> {
    match v {
        Value::Num(n) => Some(*n),
        Value::Str(s) => parse_number(s).or_else(|| parse_iso8601(s)),
        Value::Null | Value::Bool(_) | Value::Multi(_) => None,
    }
}

/// `2024-05-14T09:12:33.418Z`, `2024-05-14 09:12:33.418+02:00`, `...+0200`; no zone means UTC.
pub fn parse_iso8601(s: &str) -> Option<f64> {
    let s = s.trim();
    let [_, _, _, _, b'-', _, _, b'-', _, _, b'T' | b't' | b' ', _, _, b':', _, _, b':', _, _, ..] =
        s.as_bytes()
    else {
        return None;
    };
    let num = |r: std::ops::Range<usize>| {
        s.get(r)
            .filter(|t| t.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|t| t.parse::<i64>().ok())
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = s.get(19..)?;
    let mut fraction = "";
    if let Some(after) = rest.strip_prefix(['.', ',']) {
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        fraction = &after[..digits];
        rest = &after[digits..];
    }
    let offset = parse_zone(rest)?;
    let secs =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    if fraction.is_empty() {
        Some(secs as f64)
    } else {
        format!("{secs}.{fraction}").parse().ok()
    }
}

/// Seconds east of UTC: `Z`, `+02:00`, `-0530`, or nothing (UTC).
fn parse_zone(zone: &str) -> Option<i64> {
    let zone = zone.trim();
    if zone.is_empty() || zone.eq_ignore_ascii_case("z") || zone == "UTC" {
        return Some(0);
    }
    let (sign, digits) = match zone.split_at_checked(1)? {
        ("+", digits) => (1, digits),
        ("-", digits) => (-1, digits),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = digits[2..].parse().ok()?;
    Some(sign * (hours * 3600 + minutes * 60))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Reads the fields of JSON object texts as an event's are read, only those a projection keeps
/// (`spath` without a path, when later stages read few of the fields it would extract).
#[derive(Debug, Clone)]
pub struct JsonExtract(json::Selection);

impl JsonExtract {
    pub fn new(projection: &Projection) -> JsonExtract {
        JsonExtract(json::Selection::new(projection, &[], &[], true))
    }

    /// The kept fields of `text`; `None` when it is not one JSON object.
    pub fn fields(&self, text: &str) -> Option<Fields> {
        json::parse_fields(text, &self.0)
            .ok()
            .flatten()
            .map(|(fields, _)| fields)
    }
}

/// The fields of a JSON object, flattened as an event's are (`a.b`, arrays multivalue).
pub fn json_fields(map: serde_json::Map<String, Json>) -> Fields {
    let mut out = Fields::default();
    for (key, value) in map {
        flatten(&normalize_key(&key), value, &mut out);
    }
    out
}

/// A JSON scalar as a field value (`true`/`false` as text, numbers as numbers).
pub fn json_scalar(json: Json) -> Option<Value> {
    scalar_value(json)
}
