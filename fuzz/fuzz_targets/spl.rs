//! SPL text (with macros) → expand → parse → lower → compile → run over two fixed events.
//! Input: the search, or `macros.conf text` NUL `search` to fuzz macro definitions too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spelunk::eval::event::{record_from_json, EventOptions};
use spelunk::spl::macros::Macros;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut macros = Macros::standard();
    let search = match text.split_once('\0') {
        Some((conf, search)) => {
            if macros.load_conf(conf, "fuzz").is_err() {
                return;
            }
            search
        }
        None => text,
    };
    let Ok(expanded) = spelunk::expand_macros(search, &macros) else {
        return;
    };
    let Ok(ast) = spelunk::spl_to_ast(&expanded) else {
        return;
    };
    let Ok(pipeline) = spelunk::ast_to_ir(&ast) else {
        return;
    };
    let _ = pipeline.to_string();
    let opts = EventOptions::default();
    let events = [
        r#"{"host":"web1","user":"Alice","bytes":"1024","dest_port":25,"_time":1700000000}"#,
        r#"{"host":"WEB2","user":["bob","eve"],"bytes":7.5,"a":{"b":null},"msg":"x=1 y=two"}"#,
    ]
    .iter()
    .filter_map(|e| {
        let json = serde_json::from_str(e).ok()?;
        record_from_json(json, e, &opts).ok()
    })
    .collect::<Vec<_>>();
    let _ = spelunk::run_pipeline(&pipeline, &Default::default(), events);
});
