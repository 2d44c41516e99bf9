//! Criterion benchmarks of the stages of one run: parse SPL, lower and compile, parse events,
//! and evaluate the seed detection over events already in memory.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use spelunk::eval::event::{parse_event, EventOptions};
use std::hint::black_box;

const SEED: &str = include_str!("../rules/spl/t1071_003_mail_protocols.spl");
const EVENTS: &str = include_str!("../rules/tests/t1071_003_mail_protocols/events.ndjson");

fn parse_and_compile(c: &mut Criterion) {
    c.bench_function("spl parse+lower (seed)", |b| {
        b.iter(|| spelunk::spl_to_ir(black_box(SEED)))
    });
    let ir = spelunk::spl_to_ir(SEED).expect("seed lowers");
    c.bench_function("compile (seed)", |b| {
        b.iter(|| spelunk::compile(black_box(&ir)))
    });
}

fn events(c: &mut Criterion) {
    let lines: Vec<&str> = EVENTS.lines().filter(|l| !l.trim().is_empty()).collect();
    let ir = spelunk::spl_to_ir(SEED).expect("seed lowers");
    let mut projected = EventOptions::default();
    projected.set_projection(spelunk::optimize::projection(&ir));
    let all = EventOptions::default();
    let mut group = c.benchmark_group("events");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("parse (all fields)", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter_map(|l| parse_event(l, &all).ok().flatten())
                .count()
        })
    });
    group.bench_function("parse (projected)", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter_map(|l| parse_event(l, &projected).ok().flatten())
                .count()
        })
    });
    let records: Vec<_> = lines
        .iter()
        .filter_map(|l| parse_event(l, &projected).ok().flatten())
        .collect();
    let plan = spelunk::compile(&ir).expect("seed compiles");
    group.bench_function("evaluate seed", |b| {
        b.iter(|| plan.run(records.iter().cloned()).rows.len())
    });
    group.finish();
}

/// Sigma matchers over Sysmon-like command lines: a regex with a bounded repetition of a Unicode
/// class (a lazy DFA that needs room: `compile::regex`), a pattern with `*` inside `contains`,
/// and `contains|all` pairs in a list.
const MATCHERS: &str = r#"
title: matcher kinds
logsource: {category: process_creation, product: windows}
detection:
    regex:
        CommandLine|re: '-k\s\w{1,64}(?:\s?(?:-p|-s))?'
    inner_star:
        CommandLine|contains:
            - 'ipconfig*|*find'
            - 'tasklist*|*find'
            - 'whoami*|*find'
    pairs:
        - CommandLine|contains|all: ['url.dll', 'OpenURL']
        - CommandLine|contains|all: ['zipfldr.dll', 'RouteTheCall']
        - CommandLine|contains|all: ['shell32.dll', 'Control_RunDLL']
    condition: 1 of them
"#;

fn sigma_matchers(c: &mut Criterion) {
    let commands = [
        r#""C:\Windows\System32\svchost.exe" -k netsvcs -p"#,
        r#""C:\Windows\System32\cmd.exe" /c tasklist /v | findstr /i lsass"#,
        r#""C:\Windows\System32\rundll32.exe" shell32.dll,Control_RunDLL x.cpl"#,
        r#""C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer"#,
    ];
    let lines: Vec<String> = (0..1000)
        .map(|i| {
            let command = commands[i % commands.len()];
            format!(r#"{{"EventID":1,"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":{command:?}}}"#)
        })
        .collect();
    let options = EventOptions::default();
    let records: Vec<_> = lines
        .iter()
        .filter_map(|l| parse_event(l, &options).ok().flatten())
        .collect();
    let rules = spelunk::sigma_to_ir(MATCHERS).expect("the rule reads");
    let plan = spelunk::compile(&rules[0].pipeline).expect("the rule compiles");
    let mut group = c.benchmark_group("sigma");
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("evaluate matcher kinds", |b| {
        b.iter(|| plan.run(records.iter().cloned()).rows.len())
    });
    group.finish();
}

criterion_group!(benches, parse_and_compile, events, sigma_matchers);
criterion_main!(benches);
