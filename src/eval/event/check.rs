//! Checking a line without building its event: accepts and rejects exactly what the event
//! parser does (a JSON object; strings, numbers and escapes read, never stored), so a line that
//! no rule can match still counts as an event, or as a bad line, as it would if parsed.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Checks that `text` is one JSON object, with the parser's errors.
pub fn check_object(text: &str) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    (&mut de).deserialize_any(Object)?;
    de.end()
}

/// The top level: an object, or the parser's "expected a JSON object" error.
struct Object;

impl<'de> Visitor<'de> for Object {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        Any.visit_map(map)
    }

    not_an_object!();
}

/// Any value, read through: numbers are converted and strings unescaped, so a number out of
/// range or a lone surrogate fails as when parsed (`IgnoredAny` would let them pass).
struct Any;

impl<'de> de::DeserializeSeed<'de> for Any {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Any {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key::<std::borrow::Cow<'de, str>>()?.is_some() {
            map.next_value_seed(Any)?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Any)?.is_some() {}
        Ok(())
    }

    scalars_pass!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::event::{parse_event, EventOptions};

    /// Lines the parser accepts or rejects, with the checker agreeing, error for error.
    #[test]
    fn the_check_agrees_with_the_parser() {
        let lines = [
            r#"{"a":1,"b":{"c":[1,"x",{"d":null}]},"e":true}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"\ud800":1}"#,
            r#"{"a":1e400}"#,
            r#"{"a":-1e400,"b":2}"#,
            r#"{"a":01}"#,
            r#"{"a":"b"} x"#,
            r#"{"a":"b""#,
            "{",
            "[1,2]",
            "\"text\"",
            "42",
            "null",
            "true",
            r#"{"a":"tab	here"}"#,
            r#"{"a":"\q"}"#,
            r#"{"a":[1,2,}"#,
            r#"{"a":{"b":1e400}}"#,
            "{}",
        ];
        for line in lines {
            let parsed = parse_event(line, &EventOptions::default()).map(|_| ());
            let checked = check_object(line);
            assert_eq!(
                parsed.as_ref().map_err(|e| (e.to_string(), e.is_eof())),
                checked.as_ref().map_err(|e| (e.to_string(), e.is_eof())),
                "{line}"
            );
        }
    }
}
