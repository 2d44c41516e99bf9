//! The optimiser passes change speed, never results: every SPL case file and every corpus
//! detection case gives the same rows with field projection, the literal prefilter, the
//! pushdown checks and the gate on as off.

use serde::Deserialize;
use spelunk::eval::event::{parse_event, EventOptions};
use spelunk::io::read_events;
use spelunk::optimize::{projection, pushdown, Passes};
use spelunk::output::row_json;
use std::path::Path;

#[derive(Deserialize)]
struct Case {
    name: String,
    spl: String,
    #[serde(default)]
    events: Vec<serde_json::Value>,
    #[serde(default)]
    lookups: std::collections::BTreeMap<String, String>,
}

/// The rows of `spl` over `lines`, read as the CLI reads NDJSON, with or without the passes.
fn rows(spl: &str, lines: &[String], optimise: bool) -> Option<Vec<serde_json::Value>> {
    let ir = spelunk::spl_to_ir(spl).ok()?;
    if ir.has_subsearch() {
        return None;
    }
    let mut opts = EventOptions::default();
    // The CLI's passes, as `run` sets them.
    let pushed = if optimise {
        Passes::default().apply(&ir, false, &mut opts)
    } else {
        Vec::new()
    };
    // The CLI's plan: its first search leaves out the parts the parser checked, whose fields
    // the parser then need not keep when nothing else reads them.
    // A `spath` without a path extracts only what later stages read, with projection on.
    let options = spelunk::eval::compile::Options {
        projection: optimise,
        ..Default::default()
    };
    let mut plan = spelunk::eval::compile::compile_with(&ir, &options).ok()?;
    if plan.trust_pushdown(&ir, &pushed) {
        opts.forget_checked_only(&pushdown::check_only(&ir, &pushed));
    }
    // The CLI's reader: lines the passes skip never become records; bad lines are left out.
    let mut records = Vec::new();
    read_events(
        lines.join("\n").as_bytes(),
        "events",
        &opts,
        &mut |r| records.push(r),
        &mut |_| {},
    )
    .ok()?;
    let results = plan.run(records);
    Some(
        results
            .rows
            .iter()
            .map(|r| row_json(&results.columns, r))
            .collect(),
    )
}

#[test]
fn case_files_give_the_same_rows_with_and_without_the_optimiser() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/cases")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let (mut compared, mut differ) = (0, Vec::new());
    for file in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
    {
        let text = std::fs::read_to_string(file).expect("case file");
        let cases: Vec<Case> = serde_yaml::from_str(&text).expect("cases");
        for case in cases
            .iter()
            .filter(|c| !c.events.is_empty() && c.lookups.is_empty())
        {
            let lines: Vec<String> = case.events.iter().map(|e| e.to_string()).collect();
            let (Some(plain), Some(fast)) = (
                rows(&case.spl, &lines, false),
                rows(&case.spl, &lines, true),
            ) else {
                continue;
            };
            compared += 1;
            if plain != fast {
                differ.push(format!(
                    "{} / {}:\n  off: {plain:?}\n  on:  {fast:?}",
                    file.display(),
                    case.name
                ));
            }
        }
    }
    println!(
        "optimiser on/off: {compared} cases compared, {} differ",
        differ.len()
    );
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    assert!(compared > 100, "only {compared} cases compared");
}

#[test]
fn the_seed_gives_the_same_rows_with_and_without_the_optimiser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spl =
        std::fs::read_to_string(root.join("rules/spl/t1071_003_mail_protocols.spl")).expect("seed");
    let events =
        std::fs::read_to_string(root.join("rules/tests/t1071_003_mail_protocols/events.ndjson"))
            .expect("events");
    let lines: Vec<String> = events
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    let plain = rows(&spl, &lines, false).expect("seed runs");
    assert_eq!(plain.len(), 9);
    assert_eq!(
        rows(&spl, &lines, true).expect("seed runs optimised"),
        plain
    );
}

/// Pushdown checks a field as soon as its value is read, so nothing later in the line may change
/// the answer: a repeated key (its last value is the field's, however it is spelled), a null
/// (the field is absent), an array (multivalue), a nested object with a key of the same name.
#[test]
fn pushdown_drops_only_what_the_search_drops() {
    let lines: Vec<String> = [
        r#"{"index":"main","index":"network","action":"allowed"}"#,
        r#"{"index":"network","index":"main","action":"allowed"}"#,
        r#"{"index":"main","ind\u0065x":"network","action":"allowed"}"#,
        r#"{"index":"main","index{}":"network","action":"allowed"}"#,
        r#"{"index":null,"action":"allowed"}"#,
        r#"{"index":["main","network"],"action":"allowed"}"#,
        r#"{"index":"main","x":{"index":"network"},"action":"allowed"}"#,
        r#"{"action":"blocked","index":"network"}"#,
        r#"{"index":"NETWORK","action":"Allowed","n":5}"#,
        r#"{"index":"network","action":"allowed","n":"12"}"#,
        r#"{"n":3}"#,
    ]
    .map(str::to_string)
    .to_vec();
    let searches = [
        "index=network action=allowed | stats count by index",
        "NOT index=main | stats count by index",
        "index!=main action=* | table index action",
        "index=net* n>4 | table index n",
        r#"| where index="network" OR isnull(index) | stats count"#,
        // A part over two fields stays with the search, which checks only it on the records
        // the parser found pass the rest.
        "index=network (action=allowed OR n=3) | table index action n",
        "NOT index=main (action=allowed OR n=3) | table index action n",
        // Checked fields nothing else reads are not kept; read later, or checked twice, they are.
        "index=network action=allowed | stats count",
        "index=network action=* | stats count by n",
        "index=network action=allowed | rename index as i | table i n",
        "index=network | eval x=index.action | table x n",
        "index=net* NOT index=main | stats count",
        "index=network n>4 | stats count",
    ];
    for spl in searches {
        let ir = spelunk::spl_to_ir(spl).expect("parses");
        assert!(!pushdown(&ir, &[]).is_empty(), "{spl}: nothing pushed down");
        let plain = rows(spl, &lines, false).expect("runs");
        assert!(!plain.is_empty(), "{spl}: no rows");
        assert_eq!(rows(spl, &lines, true).expect("runs"), plain, "{spl}");
    }
}

/// A line whose value fails a check is still read to its end: bad JSON after the failed value
/// is an error, as without pushdown, not a dropped event.
#[test]
fn a_bad_line_is_bad_with_pushdown_on() {
    let ir = spelunk::spl_to_ir("index=network | stats count").expect("parses");
    let mut opts = EventOptions::default();
    opts.set_projection(projection(&ir));
    opts.set_pushdown(&pushdown(&ir, &[]), true);
    assert!(matches!(
        parse_event(r#"{"index":"main","a":1}"#, &opts),
        Ok(None)
    ));
    assert!(matches!(
        parse_event(r#"{"index":"network"}"#, &opts),
        Ok(Some(_))
    ));
    for bad in [
        r#"{"index":"main","a":}"#,
        r#"{"index":"main","a":1"#,
        r#"{"index":"main","a":1}x"#,
    ] {
        assert!(parse_event(bad, &opts).is_err(), "{bad}");
    }
}

/// The gate tests the search's other parts on a narrow record before the event is built: it
/// drops the events the search drops (counted as skipped), and the events it lets through are
/// the events the search sees without it. Over more lines than a thread gates before it looks
/// at how many pass, with runs where most pass (the gate rests) and runs where few do.
#[test]
fn the_gate_drops_only_what_the_search_drops() {
    let line = |i: usize| {
        let (src, dest) = match (i / 300) % 3 {
            0 => ("a", "b"),
            1 if i % 2 == 0 => ("x", "a"),
            _ => ("x", "y"),
        };
        format!(
            r#"{{"i":{i},"src":"{src}","dest":"{dest}","user":"u{}","n":{},"Event":{{"UserData":{{"r":{{"Image":"{}"}}}}}},"extra":[1,2]}}"#,
            i % 7,
            i % 11,
            if i % 5 == 0 { "a" } else { "z" }
        )
    };
    let lines: Vec<String> = (0..2000).map(line).collect();
    let searches = [
        "src=a OR dest=a",
        "src=a OR dest=a | table i src dest user n extra",
        "n>3 (src=a OR dest=a) | stats count by src, dest, user, n, i | stats count",
        "user=u3 (src=a OR Event.UserData.*.Image=a) | table i",
        r#"| where src="a" OR match(dest, "^a$") | stats count by i, user, n, src, dest | stats count"#,
        "NOT (src=a OR dest=a) | table i user n extra Event.UserData.r.Image",
    ];
    for spl in searches {
        let ir = spelunk::spl_to_ir(spl).expect("parses");
        let mut opts = EventOptions::default();
        Passes::default().apply(&ir, false, &mut opts);
        assert!(opts.gated(), "{spl}: no gate");
        let plain = rows(spl, &lines, false).expect("runs");
        assert!(!plain.is_empty(), "{spl}: no rows");
        assert_eq!(rows(spl, &lines, true).expect("runs"), plain, "{spl}");
    }
    // The events it drops are counted as skipped, as the prefilter's and the pushdown's are.
    let ir = spelunk::spl_to_ir("src=zz OR dest=a").expect("parses");
    let mut opts = EventOptions::default();
    Passes::default().apply(&ir, false, &mut opts);
    let mut kept = 0;
    let text = lines.join("\n");
    read_events(
        text.as_bytes(),
        "events",
        &opts,
        &mut |_| kept += 1,
        &mut |_| {},
    )
    .expect("reads");
    let skipped = opts.skipped.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(kept + skipped, lines.len());
    assert!(skipped > 1500, "{skipped} skipped");
}
