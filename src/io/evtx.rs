//! Windows event log files (`.evtx`), read with the `evtx` crate into the JSON shape `evtx_dump`
//! prints (`Event.System.EventID`, `Event.EventData.Image`, `...#attributes.SystemTime`).
//! String values are trimmed and GUIDs printed upper-case without braces, as the `evtx_dump`
//! JSON copies of SigmaHQ's regression events show them, so both give the same matches.
//! A record that cannot be decoded is reported by its number and skipped.

use super::{json::deliver, BadEvent};
use crate::diagnostic::{codes, Diagnostic};
use crate::eval::event::{EventOptions, Record};
use evtx::{EvtxParser, ParserSettings};
use serde_json::Value as Json;
use std::io::Cursor;

pub(super) fn read(
    bytes: Vec<u8>,
    name: &str,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) -> Result<(), Diagnostic> {
    let parser = EvtxParser::from_read_seek(Cursor::new(bytes)).map_err(|e| {
        Diagnostic::error(
            codes::EVENT,
            format!("{name}: not a readable EVTX file: {e}"),
        )
    })?;
    let settings = ParserSettings::default().num_threads(1);
    let mut parser = parser.with_configuration(settings);
    for (i, record) in parser.records_json_value().enumerate() {
        match record {
            Ok(mut record) => {
                normalize("", &mut record.data);
                let raw = record.data.to_string();
                deliver(record.data, &raw, name, i + 1, opts, on_event, on_bad);
            }
            Err(e) => on_bad(BadEvent {
                source: name.to_string(),
                line: i + 1,
                message: format!("EVTX record {}: {e}", i + 1),
            }),
        }
    }
    Ok(())
}

/// Trims string values and writes GUID-typed values (`{0197231e-...}`, which the crate prints in
/// lower case) as `0197231E-...`, recursively. A braced upper-case GUID is text in the log and
/// stays; one of digits only is taken as GUID-typed when its field's name ends in `Guid`.
fn normalize(key: &str, json: &mut Json) {
    match json {
        Json::String(s) => {
            if let Some(guid) = bare_guid(key, s) {
                *s = guid;
            } else if s.trim() != s.as_str() {
                *s = s.trim().to_string();
            }
        }
        Json::Array(items) => items.iter_mut().for_each(|v| normalize(key, v)),
        Json::Object(map) => map.iter_mut().for_each(|(k, v)| normalize(k, v)),
        Json::Null | Json::Bool(_) | Json::Number(_) => {}
    }
}

fn bare_guid(key: &str, s: &str) -> Option<String> {
    let inner = s.strip_prefix('{')?.strip_suffix('}')?;
    let groups: Vec<&str> = inner.split('-').collect();
    let shape = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]);
    let hex = inner
        .bytes()
        .all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let lower = inner.bytes().any(|b| b.is_ascii_lowercase());
    let guid_field = key.to_ascii_lowercase().ends_with("guid");
    (shape && hex && (lower || guid_field)).then(|| inner.to_ascii_uppercase())
}
