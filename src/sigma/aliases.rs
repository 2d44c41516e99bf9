//! Correlation `aliases` (correlation specification v2): one group-by name for fields that the
//! named rules call differently, e.g. `ip: {failed_login: src_ip, proxy: c-ip}`.

use crate::diagnostic::{codes, Diagnostic};
use crate::ir::{Expr, Func, Lit, Pattern, WildPart};
use crate::sigma::correlation::{resolve, Input, RULES_FIELD};
use serde_yaml::Value as Yaml;

/// One alias: its name, and the field it stands for in each named rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Alias {
    pub name: String,
    pub fields: Vec<(String, String)>,
}

fn error(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(codes::SIGMA_DETECTION, message)
}

/// Reads `aliases:`; every rule it maps must be one the correlation names.
pub fn read(aliases: Option<&Yaml>, rules: &[String]) -> Result<Vec<Alias>, Diagnostic> {
    let Some(value) = aliases else {
        return Ok(Vec::new());
    };
    let Yaml::Mapping(map) = value else {
        return Err(error(
            "`aliases` must map alias names to {rule: field} maps",
        ));
    };
    let mut out = Vec::new();
    for (name, fields) in map {
        let name = name.as_str().unwrap_or_default().to_string();
        let Yaml::Mapping(fields) = fields else {
            return Err(error(format!(
                "alias `{name}` must map rule names to fields"
            )));
        };
        let mut pairs = Vec::new();
        for (rule, field) in fields {
            let (Some(rule), Some(field)) = (rule.as_str(), field.as_str()) else {
                return Err(error(format!(
                    "alias `{name}`: rule and field must be names"
                )));
            };
            if !rules.iter().any(|r| r == rule) {
                return Err(error(format!(
                    "alias `{name}` maps `{rule}`, which the correlation does not name in `rules`"
                )));
            }
            pairs.push((rule.to_string(), field.to_string()));
        }
        out.push(Alias {
            name,
            fields: pairs,
        });
    }
    Ok(out)
}

/// `alias := if(tagged rule1, field1, if(tagged rule2, field2, null()))` for each alias.
pub fn assignments(aliases: &[Alias], chosen: &[(String, Input)]) -> Vec<(String, Expr)> {
    aliases
        .iter()
        .map(|alias| {
            let expr =
                alias
                    .fields
                    .iter()
                    .rev()
                    .fold(Expr::Lit(Lit::Null), |rest, (rule, field)| {
                        Expr::Call(
                            Func::If,
                            vec![tagged(rule), field_expr(field, rule, chosen), rest],
                        )
                    });
            (alias.name.clone(), expr)
        })
        .collect()
}

/// Whether the event (or correlation row) is tagged with the rule's name.
fn tagged(rule: &str) -> Expr {
    Expr::Match {
        field: RULES_FIELD.to_string(),
        pattern: Pattern::Wild {
            parts: vec![WildPart::Text(rule.to_string())],
            case_sensitive: true,
        },
    }
}

/// The field as the rule's logsource finds it.
fn field_expr(field: &str, rule: &str, chosen: &[(String, Input)]) -> Expr {
    let logsource = chosen.iter().find_map(|(name, input)| match input {
        Input::Rule { logsource, .. } if name == rule => Some(*logsource),
        _ => None,
    });
    logsource
        .and_then(|l| resolve(field, l))
        .map(|(_, e)| e)
        .unwrap_or_else(|| Expr::Field(field.to_string()))
}
