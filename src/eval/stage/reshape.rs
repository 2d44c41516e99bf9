//! Run time of `fillnull`, `convert`, `mvexpand`, `makemv`, `mvcombine`, `bin` and `replace`.

use crate::diagnostic::Diagnostic;
use crate::eval::compile::regex;
use crate::eval::event::Record;
use crate::eval::stage::{field_matches, wildcard_capture};
use crate::eval::time::{civil_from_days, days_from_civil, strftime, strptime};
use crate::eval::value::{format_number, parse_number, Value};
use crate::ir::{BinSpan, Conversion, Convert, ConvertFunc, MakeMv, MvSplit};
use indexmap::IndexMap;
use regex::Regex;

/// `fillnull value=v a b`: each listed field that is missing gets `v`.
pub fn fillnull(record: &mut Record, value: &str, fields: &[String]) {
    for f in fields {
        if record.get(f).is_none() {
            record.set(f, Value::from_text(value));
        }
    }
}

/// `fillnull` without fields: every field any result has (except internal `_` fields).
pub fn fillnull_all(mut records: Vec<Record>, value: &str) -> Vec<Record> {
    let mut names: indexmap::IndexSet<String> = indexmap::IndexSet::new();
    for r in &records {
        names.extend(
            r.fields
                .keys()
                .filter(|k| !k.starts_with('_'))
                .map(|k| k.to_string()),
        );
    }
    let names: Vec<String> = names.into_iter().collect();
    for r in records.iter_mut() {
        fillnull(r, value, &names);
    }
    records
}

/// `convert`: each conversion over the fields its pattern names (minus `none(...)` ones).
pub fn convert(c: &Convert, record: &mut Record) {
    let excluded: Vec<&str> = c
        .conversions
        .iter()
        .filter(|x| x.func == ConvertFunc::None)
        .map(|x| x.field.as_str())
        .collect();
    for conv in c.conversions.iter().filter(|x| x.func != ConvertFunc::None) {
        let targets: Vec<String> = if conv.field.contains('*') {
            record
                .fields
                .keys()
                .filter(|k| field_matches(&conv.field, k))
                .filter(|k| !excluded.iter().any(|e| field_matches(e, k)))
                .map(|k| k.to_string())
                .collect()
        } else {
            vec![conv.field.clone()]
        };
        for name in targets {
            convert_field(conv, &c.timeformat, &name, record);
        }
    }
}

fn convert_field(conv: &Conversion, timeformat: &str, name: &str, record: &mut Record) {
    let Some(value) = record.get(name) else {
        return;
    };
    let values = value.values();
    let converted: Vec<Option<Value>> = values
        .iter()
        .map(|v| convert_value(conv.func, timeformat, v))
        .collect();
    let out = match conv.func {
        ConvertFunc::Num => Value::from_values(converted.into_iter().flatten().collect()),
        ConvertFunc::Auto if converted.iter().any(Option::is_none) => value.clone(),
        _ => Value::from_values(
            converted
                .into_iter()
                .zip(values)
                .map(|(c, v)| c.unwrap_or_else(|| v.clone()))
                .collect(),
        ),
    };
    record.set(conv.output.as_deref().unwrap_or(name), out);
}

/// One value converted; `None` when it cannot be.
fn convert_value(func: ConvertFunc, timeformat: &str, v: &Value) -> Option<Value> {
    let text = v.to_text();
    let text = text.trim();
    Some(match func {
        ConvertFunc::Ctime => Value::str(strftime(v.as_num()?, timeformat)),
        ConvertFunc::Mktime => Value::Num(strptime(text, timeformat)?),
        ConvertFunc::Dur2Sec => Value::Num(dur2sec(text)?),
        ConvertFunc::Mstime => Value::Num(mstime(text)?),
        ConvertFunc::Memk => Value::Num(memk(text)?),
        ConvertFunc::Rmcomma => Value::from_text(&text.replace(',', "")),
        ConvertFunc::Rmunit => Value::Num(leading_number(text)?),
        ConvertFunc::Auto | ConvertFunc::Num => Value::Num(
            parse_number(text)
                .or_else(|| parse_number(&text.replace(',', "")))
                .or_else(|| {
                    memk(text).filter(|_| text.ends_with(['k', 'K', 'm', 'M', 'g', 'G']))
                })?,
        ),
        ConvertFunc::None => return None,
    })
}

/// `[D+]HH:MM:SS` → seconds.
fn dur2sec(text: &str) -> Option<f64> {
    let (days, rest) = match text.split_once('+') {
        Some((d, r)) => (d.trim().parse::<f64>().ok()?, r),
        None => (0.0, text),
    };
    let mut secs = 0.0;
    for part in rest.split(':') {
        secs = secs * 60.0 + parse_number(part.trim())?;
    }
    Some(days * 86_400.0 + secs)
}

/// `[MM:]SS.SSS` → seconds.
fn mstime(text: &str) -> Option<f64> {
    match text.split_once(':') {
        Some((m, s)) => Some(parse_number(m)? * 60.0 + parse_number(s)?),
        None => parse_number(text),
    }
}

/// `12`, `12k`, `3.5m`, `1g` → kilobytes.
fn memk(text: &str) -> Option<f64> {
    let (num, factor) = match text.chars().last()?.to_ascii_lowercase() {
        'k' => (&text[..text.len() - 1], 1.0),
        'm' => (&text[..text.len() - 1], 1024.0),
        'g' => (&text[..text.len() - 1], 1024.0 * 1024.0),
        _ => (text, 1.0),
    };
    let n = parse_number(num.trim())?;
    (n >= 0.0).then_some(n * factor)
}

/// The number at the start of the text (`10kb` → 10).
fn leading_number(text: &str) -> Option<f64> {
    let end = text
        .char_indices()
        .take_while(|(i, c)| {
            c.is_ascii_digit() || *c == '.' || (*i == 0 && (*c == '-' || *c == '+'))
        })
        .count();
    parse_number(&text[..end])
}

/// `mvexpand field limit=n`: one copy of the record per value (at most `limit`).
pub fn mvexpand(field: &str, limit: Option<u64>, record: Record, out: &mut Vec<Record>) {
    let Some(value) = record.get(field) else {
        return out.push(record);
    };
    let values = value.values().to_vec();
    let n = limit.map_or(values.len(), |l| values.len().min(l as usize));
    for v in values.into_iter().take(n) {
        let mut copy = record.clone();
        copy.set(field, v);
        out.push(copy);
    }
}

/// `makemv` with its tokenizer built.
#[derive(Debug)]
pub struct MakeMvPlan {
    pub m: MakeMv,
    pub tokenizer: Option<Regex>,
}

impl MakeMvPlan {
    pub fn compile(m: &MakeMv) -> Result<MakeMvPlan, Diagnostic> {
        let tokenizer = match &m.split {
            MvSplit::Tokenizer(t) => Some(regex(t)?),
            MvSplit::Delim(_) => None,
        };
        Ok(MakeMvPlan {
            m: m.clone(),
            tokenizer,
        })
    }

    /// Splits the field's text into values.
    pub fn apply(&self, record: &mut Record) {
        let Some(text) = record.get(&self.m.field).map(Value::to_text) else {
            return;
        };
        let parts: Vec<String> = match (&self.tokenizer, &self.m.split) {
            (Some(re), _) => re
                .captures_iter(&text)
                .filter_map(|c| {
                    c.get(1)
                        .or_else(|| c.get(0))
                        .map(|m| m.as_str().to_string())
                })
                .collect(),
            (None, MvSplit::Delim(d)) if !d.is_empty() => {
                text.split(d.as_str()).map(str::to_string).collect()
            }
            (None, _) => vec![text.clone()],
        };
        let values: Vec<Value> = parts
            .into_iter()
            .filter(|p| self.m.allowempty || !p.is_empty())
            .map(|p| Value::from_text(&p))
            .collect();
        let joined = values
            .iter()
            .map(Value::to_text)
            .collect::<Vec<_>>()
            .join(" ");
        if self.m.setsv {
            record.set(&self.m.field, Value::from_text(&joined));
        } else {
            record.set(&self.m.field, Value::from_values(values));
        }
    }
}

/// `mvcombine field`: records equal in every other field (but `_raw`) become one, the field's
/// values gathered in order.
pub fn mvcombine(field: &str, records: Vec<Record>) -> Vec<Record> {
    let mut groups: IndexMap<String, (Record, Vec<Value>)> = IndexMap::new();
    for record in records {
        let Some(value) = record.get(field).cloned() else {
            groups.insert(format!("\u{0}{}", groups.len()), (record, Vec::new()));
            continue;
        };
        let key: String = record
            .fields
            .iter()
            .filter(|(k, _)| k.as_str() != field && k.as_str() != "_raw")
            .map(|(k, v)| format!("{k}\u{1f}{}\u{1e}", v.to_text()))
            .collect();
        let entry = groups.entry(key).or_insert_with(|| (record, Vec::new()));
        entry.1.extend(value.values().iter().cloned());
    }
    groups
        .into_values()
        .map(|(mut record, values)| {
            if !values.is_empty() {
                record.set(field, Value::from_values(values));
            }
            record
        })
        .collect()
}

/// `bin` for a span known in advance.
pub fn bin_value(span: BinSpan, time: bool, v: f64) -> Option<Value> {
    if !v.is_finite() || v.abs() > crate::eval::time::MAX_EPOCH {
        return None;
    }
    match span {
        BinSpan::Fixed(width) => {
            let lo = (v / width).floor() * width;
            Some(range_or_start(time, lo, lo + width))
        }
        BinSpan::Months(n) => {
            let days = (v / 86_400.0).floor() as i64;
            let (year, month, _) = civil_from_days(days);
            let index = year * 12 + (month - 1);
            let start = index - index.rem_euclid(i64::from(n.max(1)));
            let (y, m) = (start.div_euclid(12), start.rem_euclid(12) + 1);
            Some(Value::Num(days_from_civil(y, m, 1) as f64 * 86_400.0))
        }
        BinSpan::Log { coefficient, base } => {
            if v <= 0.0 {
                return None;
            }
            let k = (v / coefficient).log(base).floor();
            let lo = coefficient * base.powf(k);
            Some(range_or_start(time, lo, lo * base))
        }
        BinSpan::Auto { .. } => None,
    }
}

/// `_time` bins are their start; other numeric bins print as `lo-hi`.
fn range_or_start(time: bool, lo: f64, hi: f64) -> Value {
    if time {
        Value::Num(lo)
    } else {
        Value::str(format!("{}-{}", format_number(lo), format_number(hi)))
    }
}

/// The span `bins=n` chooses: for `_time` the smallest of Splunk's time spans that needs at most n
/// bins, for other numbers the smallest power of ten. `minspan` (seconds; 0 for none) raises a
/// time span to at least the smallest of [`minspan_thresholds`] that is not below it, a number's
/// to at least `minspan`.
pub fn auto_span(time: bool, bins: u64, minspan: f64, lo: f64, hi: f64) -> f64 {
    let span = data_span(time, bins, lo, hi);
    if minspan <= 0.0 {
        return span;
    }
    if time {
        let least = minspan_thresholds()
            .find(|&t| t >= minspan)
            // Past the last, whole days (a day divides every span a streamed chart merges
            // its rows into).
            .unwrap_or_else(|| (minspan / 86_400.0).ceil() * 86_400.0);
        return span.max(least);
    }
    let mut span = span;
    while span < minspan {
        span *= 10.0;
    }
    span
}

/// The spans of `_time` an automatic span is chosen from: Splunk's (1s ... 30d, a year past
/// them), and a week.
const TIME_SPANS: [f64; 12] = [
    1.0,
    5.0,
    10.0,
    30.0,
    60.0,
    300.0,
    600.0,
    1800.0,
    3600.0,
    86_400.0,
    604_800.0,
    2_592_000.0,
];

/// The spans a time `minspan=` rounds up to: [`TIME_SPANS`] but the week, as the Search Reference
/// lists them ("Spans used when minspan is specified": `minspan=15m` gives at least 30 minutes).
fn minspan_thresholds() -> impl Iterator<Item = f64> {
    TIME_SPANS.into_iter().filter(|&s| s != 604_800.0)
}

/// [`auto_span`] from the range of the data alone.
fn data_span(time: bool, bins: u64, lo: f64, hi: f64) -> f64 {
    let range = (hi - lo).max(0.0);
    if !range.is_finite() {
        return f64::MAX;
    }
    let bins = bins.max(1) as f64;
    if time {
        return TIME_SPANS
            .iter()
            .copied()
            .find(|s| (range / s).floor() < bins)
            .unwrap_or(31_536_000.0);
    }
    let mut span = 1.0f64;
    while (range / span).floor() >= bins {
        span *= 10.0;
    }
    while span > 1e-9 && range > 0.0 && (range / (span / 10.0)).floor() < bins {
        span /= 10.0;
    }
    span
}

/// `bin bins=n`: the span comes from the range of the values.
pub fn bin_auto(
    field: &str,
    output: &str,
    (bins, minspan): (u64, f64),
    mut records: Vec<Record>,
) -> Vec<Record> {
    let nums: Vec<f64> = records
        .iter()
        .filter_map(|r| r.get(field).and_then(Value::as_num))
        .collect();
    let lo = nums.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = nums.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if nums.is_empty() {
        return records;
    }
    let time = field == "_time";
    let span = BinSpan::Fixed(auto_span(time, bins, minspan, lo, hi));
    for r in records.iter_mut() {
        bin_record(span, field, output, r);
    }
    records
}

/// Replaces (or writes `output`) with the bin of the field's number; non-numbers are left alone.
pub fn bin_record(span: BinSpan, field: &str, output: &str, record: &mut Record) {
    let Some(v) = record.get(field).and_then(Value::as_num) else {
        return;
    };
    if let Some(b) = bin_value(span, field == "_time", v) {
        record.set(output, b);
    }
}

/// `replace a with b in f`: each value that matches a pattern whole (case-sensitive) becomes its
/// replacement, the text each `*` matched put in the replacement's `*`s; the first pair that
/// matches wins. Without fields every field but the internal `_` ones is looked at.
pub fn replace(pairs: &[(String, String)], fields: &[String], record: &mut Record) {
    let names: Vec<String> = record
        .fields
        .keys()
        .filter(|k| {
            if fields.is_empty() {
                !k.starts_with('_')
            } else {
                fields.iter().any(|f| field_matches(f, k))
            }
        })
        .map(|k| k.to_string())
        .collect();
    for name in names {
        let Some(value) = record.get(&name) else {
            continue;
        };
        let replaced: Vec<Value> = value
            .values()
            .iter()
            .map(|v| replace_value(pairs, v))
            .collect();
        record.set(&name, Value::from_values(replaced));
    }
}

fn replace_value(pairs: &[(String, String)], v: &Value) -> Value {
    let text = v.to_text();
    for (pattern, with) in pairs {
        if let Some(caps) = wildcard_capture(pattern, &text) {
            let mut out = String::new();
            let mut caps = caps.iter();
            for (i, part) in with.split('*').enumerate() {
                if i > 0 {
                    out.push_str(caps.next().map_or("", String::as_str));
                }
                out.push_str(part);
            }
            return Value::from_text(&out);
        }
    }
    v.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(dur2sec("01:02:03"), Some(3723.0));
        assert_eq!(dur2sec("2+00:00:01"), Some(172_801.0));
        assert_eq!(memk("2m"), Some(2048.0));
        assert_eq!(leading_number("10kb"), Some(10.0));
        assert_eq!(mstime("01:30.5"), Some(90.5));
        assert_eq!(auto_span(false, 10, 0.0, 0.0, 95.0), 10.0);
        assert_eq!(auto_span(true, 100, 0.0, 0.0, 3600.0), 60.0);
        // `minspan=15m` gives at least 30 minutes (the Search Reference's own example); a
        // minspan below the data's span changes nothing.
        assert_eq!(auto_span(true, 100, 900.0, 0.0, 3600.0), 1800.0);
        assert_eq!(auto_span(true, 100, 30.0, 0.0, 3600.0), 60.0);
        assert_eq!(
            auto_span(true, 100, 40.0 * 86_400.0, 0.0, 3600.0),
            40.0 * 86_400.0
        );
        assert_eq!(
            auto_span(true, 100, 40.5 * 86_400.0, 0.0, 3600.0),
            41.0 * 86_400.0
        );
        assert_eq!(auto_span(false, 10, 250.0, 0.0, 95.0), 1000.0);
    }
}
