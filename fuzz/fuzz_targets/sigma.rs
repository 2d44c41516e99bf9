//! Sigma YAML → load → condition parse → lower → compile → run over two fixed events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spelunk::eval::event::{record_from_json, EventOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = spelunk::sigma::condition::parse(text);
    let Ok(rules) = spelunk::sigma_to_ir(text) else {
        return;
    };
    for rule in &rules {
        let _ = rule.pipeline.to_string();
    }
    let Ok(compiled) = spelunk::sigma::run::compile(&rules) else {
        return;
    };
    let opts = EventOptions::default();
    let mut runner = spelunk::sigma::run::Runner::new(&compiled);
    for e in [
        r#"{"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c whoami","EventID":1}"#,
        r#"{"EventID":"4688","User":["a","b"],"Event":{"System":{"Channel":"Security"}}}"#,
    ] {
        if let Ok(json) = serde_json::from_str(e) {
            if let Ok(record) = record_from_json(json, e, &opts) {
                runner.push(record);
            }
        }
    }
    let _ = runner.finish();
});
