//! Differential test: the DuckDB SQL `spelunk convert --to sql` writes, run by DuckDB (the `duckdb`
//! Python package, through `python3`), returns the same rows as spelunk for the seed rule and a
//! set of SPL cases. Skips with a reason when python3 or duckdb is unavailable.

use spelunk::convert::sql::Dialect;
use std::path::Path;
use std::process::Command;

fn duckdb_available() -> bool {
    Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A value as comparable text: numbers without a trailing `.0`, lists sorted, a one-element list
/// as its element, nulls dropped from lists.
fn norm(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(items) => {
            let mut parts: Vec<String> = items.iter().filter(|i| !i.is_null()).map(norm).collect();
            if parts.is_empty() {
                return String::new();
            }
            parts.sort();
            if parts.len() == 1 {
                parts.remove(0)
            } else {
                format!("[{}]", parts.join(","))
            }
        }
        serde_json::Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            format!("{}", (f * 1000.0).round() / 1000.0)
        }
        serde_json::Value::String(s) => match s.parse::<f64>() {
            Ok(f) => format!("{}", (f * 1000.0).round() / 1000.0),
            Err(_) => s.clone(),
        },
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn rows(values: Vec<serde_json::Value>, columns: &[String]) -> Vec<String> {
    let mut out: Vec<String> = values
        .iter()
        .map(|r| {
            columns
                .iter()
                .map(|c| format!("{c}={}", norm(&r[c])))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    out.sort();
    out
}

fn duckdb(sql: &str, events: &Path) -> Result<Vec<serde_json::Value>, String> {
    let script = r#"
import duckdb, json, sys
con = duckdb.connect()
con.execute("CREATE VIEW events AS SELECT * FROM read_json_auto('%s')" % sys.argv[1].replace("'", "''"))
cur = con.execute(sys.stdin.read())
names = [d[0] for d in cur.description]
for row in cur.fetchall():
    print(json.dumps(dict(zip(names, row)), default=str))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script, &events.to_string_lossy()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    use std::io::Write;
    child
        .stdin
        .take()
        .ok_or("stdin")?
        .write_all(sql.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

fn spelunk_rows(spl: &str, events: &Path) -> (Vec<serde_json::Value>, Vec<String>) {
    let mut records = Vec::new();
    let file = std::fs::File::open(events).expect("events");
    spelunk::io::read_events(
        file,
        "events",
        &spelunk::eval::event::EventOptions::default(),
        &mut |r| records.push(r),
        &mut |_| {},
    )
    .expect("read");
    let results = spelunk::run_spl(spl, records).expect("spelunk runs");
    let rows = results
        .rows
        .iter()
        .map(|r| spelunk::output::row_json(&results.columns, r))
        .collect();
    (rows, results.columns)
}

/// SPL cases over the seed events (each ends in a fixed column list).
const CASES: &[&str] = &[
    "index=network action=allowed | stats count by src_ip, dest_port",
    "NOT process_name=outlook.exe dest_port>500 | stats dc(dest_ip) as n, sum(bytes_out) as b by src_ip",
    "sourcetype=stream:* | eval kb=bytes_out/1024 | where kb > 10 | table src_ip, dest_ip, kb",
    "process_name=*.exe | rename src_ip as source | stats count by source",
    "| where match(process_name, \"^(?i)out\") | eventstats count as per_src by src_ip | table src_ip, per_src, process_name",
    "src_user=* | bin span=3600 _time | stats count by _time, src_user",
    "action=allowed | rex field=process_name \"(?<stem>[^.]+)\\.exe\" | stats count by stem",
    "dest_port IN (25, 587) | dedup src_ip | table src_ip",
];

#[test]
fn duckdb_sql_returns_spelunks_rows() {
    if !duckdb_available() {
        println!("skipped: python3 with the duckdb package is not available (pip install duckdb)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let events = root.join("rules/tests/t1071_003_mail_protocols/events.ndjson");
    let seed =
        std::fs::read_to_string(root.join("rules/spl/t1071_003_mail_protocols.spl")).expect("seed");
    let mut queries = vec![seed];
    queries.extend(CASES.iter().map(|s| s.to_string()));
    let (mut agree, mut failures) = (0, Vec::new());
    for spl in &queries {
        let ir = spelunk::spl_to_ir(spl).expect("lowers");
        let sql = spelunk::ir_to_sql(&ir, Dialect::DuckDb, "events").expect("converts");
        let (expected, columns) = spelunk_rows(spl, &events);
        match duckdb(&sql.text, &events) {
            Ok(got) if rows(got.clone(), &columns) == rows(expected.clone(), &columns) => {
                agree += 1
            }
            Ok(got) => failures.push(format!(
                "{spl}\n  spelunk: {:?}\n  duckdb:  {:?}",
                rows(expected, &columns),
                rows(got, &columns)
            )),
            Err(e) => failures.push(format!("{spl}\n{}\n  {e}", sql.text)),
        }
    }
    println!(
        "DuckDB agrees with spelunk on {agree} of {} queries",
        queries.len()
    );
    for f in &failures {
        println!("  DIFF {f}");
    }
    assert!(failures.is_empty(), "{} queries disagree", failures.len());
}
