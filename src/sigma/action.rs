//! Sigma 1.0 rule collections: `action: global` documents merged into the documents after them,
//! `action: reset` to forget them, and `action: repeat` to rerun the previous document with changes.

use serde_yaml::{Mapping, Value as Yaml};

/// Applies the collection actions to a file's documents (YAML values with their index); the
/// result keeps each emitted document's index. `action:` documents themselves are not emitted.
/// A wrong action is `(document index, message)`.
pub fn apply(docs: Vec<(usize, Yaml)>) -> Result<Vec<(usize, Yaml)>, (usize, String)> {
    let mut global = Mapping::new();
    let mut previous: Option<Mapping> = None;
    let mut out = Vec::new();
    for (n, value) in docs {
        let Yaml::Mapping(mut map) = value else {
            out.push((n, value));
            continue;
        };
        let action = map.remove("action");
        match action.as_ref().and_then(Yaml::as_str) {
            None if action.is_some() => return Err((n, error("`action` must be a string"))),
            Some("global") => global = map,
            Some("reset") => global = Mapping::new(),
            Some("repeat") => {
                let Some(base) = previous.clone() else {
                    return Err((n, error("`action: repeat` needs a document before it")));
                };
                let merged = merge(base, map);
                previous = Some(merged.clone());
                out.push((n, Yaml::Mapping(merged)));
            }
            Some(other) => {
                return Err((
                    n,
                    error(format!("unknown `action: {other}` (global, reset, repeat)")),
                ))
            }
            None => {
                let merged = merge(global.clone(), map);
                previous = Some(merged.clone());
                out.push((n, Yaml::Mapping(merged)));
            }
        }
    }
    Ok(out)
}

fn error(message: impl Into<String>) -> String {
    message.into()
}

/// `base` with `over` written on top; maps merge key by key, anything else is replaced.
pub fn merge(mut base: Mapping, over: Mapping) -> Mapping {
    for (key, value) in over {
        let merged = match (base.remove(&key), value) {
            (Some(Yaml::Mapping(b)), Yaml::Mapping(o)) => Yaml::Mapping(merge(b, o)),
            (_, v) => v,
        };
        base.insert(key, merged);
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Yaml {
        serde_yaml::from_str(text).expect("valid YAML")
    }

    #[test]
    fn global_merges_into_each_document() {
        let docs = vec![
            (
                0,
                yaml("action: global\ntitle: t\ndetection: {condition: sel}"),
            ),
            (1, yaml("logsource: {product: a}\ndetection: {sel: {x: 1}}")),
            (2, yaml("action: repeat\nlogsource: {product: b}")),
            (3, yaml("action: reset")),
            (4, yaml("title: u")),
        ];
        let out = apply(docs).expect("valid actions");
        let idx: Vec<usize> = out.iter().map(|(n, _)| *n).collect();
        assert_eq!(idx, vec![1, 2, 4]);
        assert_eq!(
            out[0].1,
            yaml("title: t\ndetection: {condition: sel, sel: {x: 1}}\nlogsource: {product: a}")
        );
        assert_eq!(out[1].1["logsource"]["product"], yaml("b"));
        assert_eq!(out[1].1["detection"]["sel"]["x"], yaml("1"));
        assert_eq!(out[2].1, yaml("title: u"));
    }
}
