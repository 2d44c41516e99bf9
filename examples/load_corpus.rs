//! Times loading and compiling every rule of a corpus: all SigmaHQ rules (`sigma_to_ir` +
//! compile) and all security_content searches (macro expansion + parse + lower + compile).
//!
//! usage: cargo run --release --example load_corpus -- [CORPUS_DIR]   (default ../shared/corpus)

use std::path::{Path, PathBuf};
use std::time::Instant;

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared/corpus".to_string()),
    );
    let mut files = Vec::new();
    for sub in [
        "rules",
        "rules-compliance",
        "rules-dfir",
        "rules-emerging-threats",
        "rules-placeholder",
        "rules-threat-hunting",
    ] {
        yaml_files(&root.join("sigmahq").join(sub), &mut files);
    }
    let texts: Vec<String> = files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    let start = Instant::now();
    let (mut ok, mut failed) = (0, 0);
    for text in &texts {
        match spelunk::sigma_to_ir(text).map(|rules| spelunk::sigma::run::compile(&rules)) {
            Ok(Ok(_)) => ok += 1,
            _ => failed += 1,
        }
    }
    println!(
        "sigma: {ok} rule files loaded and compiled ({failed} failed) in {:.3} s",
        start.elapsed().as_secs_f64()
    );

    let searches =
        std::fs::read_to_string(root.join("security_content/searches.jsonl")).unwrap_or_default();
    let mut macros = spelunk::spl::macros::Macros::standard();
    let _ = macros.load_path(&root.join("security_content/macros.jsonl"));
    let start = Instant::now();
    let (mut ok, mut failed) = (0, 0);
    for line in searches.lines() {
        let Ok(search) = serde_json::from_str::<String>(line) else {
            continue;
        };
        let compiled = spelunk::expand_macros(&search, &macros)
            .and_then(|text| spelunk::ast_to_ir(&spelunk::spl_to_ast(&text)?))
            .and_then(|ir| spelunk::compile(&ir));
        match compiled {
            Ok(_) => ok += 1,
            Err(_) => failed += 1,
        }
    }
    println!("spl: {ok} security_content searches expanded, parsed, lowered and compiled ({failed} failed) in {:.3} s", start.elapsed().as_secs_f64());
}
