//! `eval` and `where`: commands whose arguments are eval expressions.

use crate::spl::ast::{Assignment, CommandKind};
use crate::spl::expr::expr;
use crate::spl::lex::{describe, fail, quoted, word, ws0, In, PResult};
use nom::Input;

/// where_command = ws0 expr
pub fn where_command(i: In) -> PResult<CommandKind> {
    let (i, _) = ws0(i)?;
    if i.fragment().is_empty() {
        return fail(
            i,
            "`where` expects an expression, such as `where count > 5`",
        );
    }
    let (i, e) = expr(i)?;
    Ok((i, CommandKind::Where(e)))
}

/// eval_command = ws0 assignment { ws0 "," ws0 assignment }
pub fn eval_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut assignments = Vec::new();
    loop {
        let (rest, a) = assignment(i)?;
        assignments.push(a);
        let (rest, _) = ws0(rest)?;
        if rest.fragment().starts_with(',') {
            i = ws0(rest.take_from(1))?.0;
        } else {
            return Ok((rest, CommandKind::Eval(assignments)));
        }
    }
}

/// assignment = ( target | quoted ) ws0 "=" ws0 expr
/// target = name characters plus `: - / # $`; `{field}` in it is replaced by that field's value
fn assignment(i: In) -> PResult<Assignment> {
    let (rest, field) = if i.fragment().starts_with('"') || i.fragment().starts_with('\'') {
        quoted(i)?
    } else {
        let len = i
            .fragment()
            .find(|c: char| !(c.is_alphanumeric() || "_.{}@:-/#$".contains(c)))
            .unwrap_or(i.fragment().len());
        if len == 0 || i.fragment().starts_with(|c: char| c.is_ascii_digit()) {
            return fail(
                i,
                format!("`eval` expects `field=expression`, found {}", describe(i)),
            );
        }
        let (rest, taken) = i.take_split(len);
        (rest, word(taken, false, taken.fragment().to_string()))
    };
    let (rest, _) = ws0(rest)?;
    if !rest.fragment().starts_with('=') || rest.fragment().starts_with("==") {
        return fail(
            rest,
            format!(
                "expected `=` after `{}` in eval, found {}",
                field.text,
                describe(rest)
            ),
        );
    }
    let (rest, _) = ws0(rest.take_from(1))?;
    let (rest, value) = expr(rest)?;
    Ok((rest, Assignment { field, value }))
}
