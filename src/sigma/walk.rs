//! Finding Sigma files: a path is a file, or a folder searched recursively for `.yml`/`.yaml`
//! files (sorted, so runs are repeatable).

use crate::diagnostic::{codes, Diagnostic};
use std::path::{Path, PathBuf};

/// Every Sigma file under the paths, in order.
pub fn sigma_files(paths: &[String]) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = Vec::new();
    for path in paths {
        let p = Path::new(path);
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found);
            found.sort();
            out.extend(found);
        } else if p.exists() {
            out.push(p.to_path_buf());
        } else {
            return Err(Diagnostic::error(
                codes::IO,
                format!("cannot read `{path}`: no such file or folder"),
            ));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(path);
        }
    }
}
