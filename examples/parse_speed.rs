//! Times the event parser alone on a file held in memory: serde_json `Value` (the baseline),
//! then spelunk's parser with every field and with the projection of a rule.
//! usage: cargo run --release --example parse_speed -- EVENTS.ndjson RULE.spl

use spelunk::eval::event::{parse_event, EventOptions};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (events, rule, only) = match args.as_slice() {
        [events, rule] => (events, rule, None),
        [events, rule, only] => (events, rule, Some(only.as_str())),
        _ => return Err("usage: parse_speed EVENTS.ndjson RULE.spl [serde|all|projected]".into()),
    };
    let text = std::fs::read_to_string(events)?;
    let lines: Vec<&str> = text.lines().collect();
    let ir = spelunk::spl_to_ir(&std::fs::read_to_string(rule)?).map_err(|e| format!("{e:?}"))?;
    let mut projected = EventOptions::default();
    projected.set_projection(spelunk::optimize::projection(&ir));
    let all = EventOptions::default();
    let time = |label: &str, f: &dyn Fn(&str) -> bool| {
        if only.is_some_and(|o| !label.contains(o)) {
            return;
        }
        let start = Instant::now();
        let ok = lines.iter().filter(|l| f(l)).count();
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{label:<28} {:>8.0}k lines/s  ({ok} parsed)",
            lines.len() as f64 / secs / 1000.0
        );
    };
    time("serde_json Value (serde)", &|l| {
        serde_json::from_str::<serde_json::Value>(l).is_ok()
    });
    time("spelunk, all fields", &|l| parse_event(l, &all).is_ok());
    time("spelunk, projected", &|l| {
        parse_event(l, &projected).is_ok()
    });
    Ok(())
}
