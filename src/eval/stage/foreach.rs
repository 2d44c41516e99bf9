//! Run time of `foreach`: the eval template compiled per matching field, on first use.

use crate::diagnostic::Diagnostic;
use crate::eval::compile::{compile_expr, CExpr};
use crate::eval::event::Record;
use crate::eval::expr::eval;
use crate::eval::stage::wildcard_capture;
use crate::eval::value::Value;
use crate::ir::{Expr, Foreach, FOREACH_FIELD, FOREACH_MATCHSTR};
use std::collections::HashMap;
use std::sync::Mutex;

/// `foreach` with each field's body compiled on first use.
#[derive(Debug)]
pub struct ForeachPlan {
    pub f: Foreach,
    compiled: Mutex<HashMap<String, Vec<(String, CExpr)>>>,
}

impl ForeachPlan {
    pub fn compile(f: &Foreach) -> Result<ForeachPlan, Diagnostic> {
        for (_, e) in &f.body {
            compile_expr(e)?;
        }
        Ok(ForeachPlan {
            f: f.clone(),
            compiled: Mutex::new(HashMap::new()),
        })
    }

    pub fn apply(&self, record: &mut Record) {
        let mut targets: Vec<(String, String)> = Vec::new();
        for pattern in &self.f.fields {
            if pattern.contains('*') {
                let internal_ok = pattern.starts_with('_');
                for name in record.fields.keys() {
                    if name.starts_with('_') && !internal_ok {
                        continue;
                    }
                    if let Some(caps) = wildcard_capture(pattern, name) {
                        if !targets.iter().any(|(n, _)| n == name) {
                            targets.push((name.to_string(), caps.concat()));
                        }
                    }
                }
            } else if !targets.iter().any(|(n, _)| n == pattern) {
                targets.push((pattern.clone(), pattern.clone()));
            }
        }
        for (name, matched) in targets {
            let body = self.body_for(&name, &matched);
            for (target, e) in &body {
                let value = match eval(e, record) {
                    Value::Bool(b) => Value::str(b.to_string()),
                    v => v,
                };
                record.set(target, value);
            }
        }
    }

    fn body_for(&self, name: &str, matched: &str) -> Vec<(String, CExpr)> {
        let key = format!("{name}\u{1f}{matched}");
        if let Ok(cache) = self.compiled.lock() {
            if let Some(body) = cache.get(&key) {
                return body.clone();
            }
        }
        let sub = |s: &str| {
            s.replace(FOREACH_FIELD, name)
                .replace(FOREACH_MATCHSTR, matched)
        };
        let body: Vec<(String, CExpr)> = self
            .f
            .body
            .iter()
            .filter_map(|(t, e)| Some((sub(t), compile_expr(&substitute(e, &sub)).ok()?)))
            .collect();
        if let Ok(mut cache) = self.compiled.lock() {
            cache.insert(key, body.clone());
        }
        body
    }
}

/// The expression with `<<FIELD>>` / `<<MATCHSTR>>` replaced in field names and strings.
fn substitute(e: &Expr, sub: &dyn Fn(&str) -> String) -> Expr {
    let s = |x: &Expr| Box::new(substitute(x, sub));
    match e {
        Expr::Lit(crate::ir::Lit::Str(t)) => Expr::Lit(crate::ir::Lit::Str(sub(t))),
        Expr::Lit(l) => Expr::Lit(l.clone()),
        Expr::Field(f) => Expr::Field(sub(f)),
        Expr::Not(x) => Expr::Not(s(x)),
        Expr::Neg(x) => Expr::Neg(s(x)),
        Expr::Binary(op, l, r) => Expr::Binary(*op, s(l), s(r)),
        Expr::In(x, list) => Expr::In(s(x), list.iter().map(|i| substitute(i, sub)).collect()),
        Expr::Call(f, args) => Expr::Call(*f, args.iter().map(|a| substitute(a, sub)).collect()),
        Expr::Match { field, pattern } => Expr::Match {
            field: sub(field),
            pattern: pattern.clone(),
        },
        Expr::Subsearch(p) => Expr::Subsearch(p.clone()),
    }
}
