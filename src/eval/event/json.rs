//! The event parser: one JSON object straight into a record, keeping only the projected fields.
//! Skipped values are scanned, never built; kept ones are flattened as `event.rs` describes.

mod fast;

use super::{append, normalize_key, Fields};
use crate::eval::value::Value;
use crate::optimize::Projection;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// What to do with the value at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// The path is a field to keep: take the value (and all below it).
    Take,
    /// A kept field lies below this path: read the object, look at its keys.
    Descend,
    /// Nothing below is needed.
    Skip,
}

/// The kept field names, the extra ones (time fields), and every dotted prefix of them; built
/// once per input, consulted for every key of every event.
#[derive(Debug, Clone)]
pub struct Selection {
    /// `None`: keep everything; else what to do with each named path (absent: skip).
    paths: Option<HashMap<String, Keep, foldhash::fast::FixedState>>,
    /// A bit per [`signature`] of the named paths: most unnamed keys are told apart without
    /// hashing them.
    signatures: [u64; 4],
    /// How many fields are taken (a record's likely size).
    takes: usize,
    keeps_raw: bool,
}

/// A cheap fingerprint of a path: its length and first and last bytes.
fn signature(path: &str) -> usize {
    let b = path.as_bytes();
    let first = b.first().copied().unwrap_or(0) as usize;
    let last = b.last().copied().unwrap_or(0) as usize;
    (b.len() + 31 * first + 131 * last) & 255
}

impl Selection {
    pub fn new(projection: &Projection, extra: &[String]) -> Selection {
        let Projection::Fields(fields) = projection else {
            return Selection {
                paths: None,
                signatures: [u64::MAX; 4],
                takes: 16,
                keeps_raw: true,
            };
        };
        let mut paths: HashMap<String, Keep, _> = HashMap::default();
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
        let mut signatures = [0u64; 4];
        for path in paths.keys() {
            let sig = signature(path);
            if let Some(word) = signatures.get_mut(sig / 64) {
                *word |= 1 << (sig % 64);
            }
        }
        let takes = paths.values().filter(|k| **k == Keep::Take).count();
        Selection {
            paths: Some(paths),
            signatures,
            takes,
            keeps_raw: fields.contains("_raw"),
        }
    }

    /// Whether `_raw` is kept.
    pub fn keeps_raw(&self) -> bool {
        self.keeps_raw
    }

    fn keep(&self, path: &str) -> Keep {
        let Some(paths) = &self.paths else {
            return Keep::Take;
        };
        let sig = signature(path);
        let named = self
            .signatures
            .get(sig / 64)
            .is_some_and(|word| word & (1 << (sig % 64)) != 0);
        if !named {
            return Keep::Skip;
        }
        paths.get(path).copied().unwrap_or(Keep::Skip)
    }

    /// The fields a record is likely to get: room to reserve up front.
    fn capacity(&self) -> usize {
        self.takes
    }
}

/// Parses one JSON object text into the fields `selection` keeps (all, for `Projection::All`).
/// The fast scanner reads the common line; serde reads what it leaves (and words the errors).
pub fn parse_fields(text: &str, selection: &Selection) -> Result<Fields, serde_json::Error> {
    if let Some(fields) = fast::parse(text, selection) {
        return Ok(fields);
    }
    parse_fields_serde(text, selection)
}

/// For fuzzing and tests: `Err` when the fast scanner accepts `text` but reads it differently
/// from serde (or accepts what serde rejects).
#[doc(hidden)]
pub fn check_fast_path(text: &str, projection: &Projection) -> Result<(), String> {
    let selection = Selection::new(projection, &[]);
    let Some(fast) = fast::parse(text, &selection) else {
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
            let key: Cow<str> = if key.contains("{}") {
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
                Keep::Take => {
                    let mut value = Value::Null;
                    let mut nested = Fields::default();
                    map.next_value_seed(ValueSeed {
                        path: &path,
                        value: &mut value,
                        nested: &mut nested,
                    })?;
                    if !value.is_null() {
                        self.out.insert(path.into_owned(), value);
                    }
                    self.out.extend(nested);
                }
            }
        }
        Ok(())
    }

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
            if selection.keep(&name) == Keep::Take {
                append(out.entry(name).or_insert(Value::Null), v);
            }
        }
        Ok(())
    }

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
        append(self.value, Value::Str(Arc::from(s)));
        Ok(())
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<(), E> {
        append(self.value, Value::Str(Arc::from(s)));
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
                append(self.nested.entry(name).or_insert(Value::Null), v);
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
                append(self.nested.entry(path).or_insert(Value::Null), value);
            }
            for (name, v) in nested {
                append(self.nested.entry(name).or_insert(Value::Null), v);
            }
        }
        Ok(())
    }
}
