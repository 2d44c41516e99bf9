//! CSV lookup tables: `lookup` enrichment, `inputlookup` rows and `outputlookup` writes, all
//! confined to the `--lookups` folder (no absolute paths, no `..`, no symlink escape).

use crate::diagnostic::{codes, Diagnostic};
use crate::eval::event::Record;
use crate::eval::value::Value;
use crate::ir::Lookup;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A loaded lookup table.
#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A `lookup` stage ready to run: the table indexed by its input columns.
#[derive(Debug)]
pub struct LookupPlan {
    lookup: Lookup,
    table: Table,
    /// (table column index, event field) for each output.
    outputs: Vec<(usize, String)>,
    index: HashMap<Vec<String>, Vec<usize>>,
}

/// The file for table `name` under `dir`: `name` or `name.csv`, never outside `dir`.
pub fn table_path(dir: Option<&Path>, name: &str, for_write: bool) -> Result<PathBuf, Diagnostic> {
    let Some(dir) = dir else {
        return Err(Diagnostic::error(
            codes::IO,
            format!("lookup table `{name}` needs a lookups folder"),
        )
        .help("pass --lookups DIR, the folder that holds the CSV files"));
    };
    let unsafe_name = name.is_empty()
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control)
        || name.contains("..")
        || Path::new(name).is_absolute();
    if unsafe_name {
        return Err(Diagnostic::error(
            codes::IO,
            format!(
                "lookup table name {name:?} must be a plain file name inside the lookups folder"
            ),
        ));
    }
    let candidates = [dir.join(name), dir.join(format!("{name}.csv"))];
    let found = candidates.iter().find(|p| p.is_file());
    let path = match (found, for_write) {
        (Some(p), _) => p.clone(),
        (None, true) if name.ends_with(".csv") => dir.join(name),
        (None, true) => dir.join(format!("{name}.csv")),
        (None, false) => {
            return Err(Diagnostic::error(
                codes::IO,
                format!("lookup table `{name}` not found in `{}`", dir.display()),
            )
            .help(format!("expected `{name}` or `{name}.csv` there")));
        }
    };
    let real_dir = dir.canonicalize().map_err(|e| io_error(dir, &e))?;
    let real_parent = path
        .parent()
        .unwrap_or(dir)
        .canonicalize()
        .map_err(|e| io_error(dir, &e))?;
    let is_link = path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink());
    let escapes = real_parent != real_dir
        || (is_link
            && path
                .canonicalize()
                .map_or(true, |p| !p.starts_with(&real_dir)));
    if escapes {
        return Err(Diagnostic::error(
            codes::IO,
            format!("lookup table `{name}` resolves outside the lookups folder"),
        ));
    }
    Ok(path)
}

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        codes::IO,
        format!(
            "cannot use lookups folder `{}`: {}",
            path.display(),
            crate::io::io_reason(e)
        ),
    )
}

/// Reads a lookup table.
pub fn load(dir: Option<&Path>, name: &str) -> Result<Table, Diagnostic> {
    let path = table_path(dir, name, false)?;
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Diagnostic::error(
            codes::IO,
            format!(
                "cannot read lookup `{}`: {}",
                path.display(),
                crate::io::io_reason(&e)
            ),
        )
    })?;
    let (columns, rows) = crate::csv::parse(&text)
        .map_err(|e| Diagnostic::error(codes::IO, format!("{}: {e}", path.display())))?;
    Ok(Table { columns, rows })
}

impl Table {
    fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The rows as records (empty cells are absent fields).
    pub fn records(&self) -> Vec<Record> {
        self.rows
            .iter()
            .map(|row| {
                let mut r = Record::default();
                for (name, cell) in self.columns.iter().zip(row) {
                    if !cell.is_empty() {
                        r.set(name, Value::from_text(cell));
                    }
                }
                r
            })
            .collect()
    }
}

/// The text of a row's `column`th cell (empty past the row's end).
fn cell(row: &[String], column: usize) -> &str {
    row.get(column).map_or("", String::as_str)
}

impl LookupPlan {
    pub fn new(lookup: &Lookup, table: Table) -> Result<LookupPlan, Diagnostic> {
        let missing = |c: &str| {
            Diagnostic::error(
                codes::SPL_SEMANTIC,
                format!("lookup `{}` has no column `{c}`", lookup.table),
            )
        };
        let inputs: Vec<usize> = lookup
            .inputs
            .iter()
            .map(|(c, _)| table.column(c).ok_or_else(|| missing(c)))
            .collect::<Result<_, _>>()?;
        let outputs = match &lookup.outputs {
            Some(list) => list
                .iter()
                .map(|(c, f)| Ok((table.column(c).ok_or_else(|| missing(c))?, f.clone())))
                .collect::<Result<_, Diagnostic>>()?,
            None => table
                .columns
                .iter()
                .enumerate()
                .filter(|(i, _)| !inputs.contains(i))
                .map(|(i, name)| (i, name.clone()))
                .collect(),
        };
        let mut index: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
        for (n, row) in table.rows.iter().enumerate() {
            index
                .entry(inputs.iter().map(|&c| cell(row, c).to_string()).collect())
                .or_default()
                .push(n);
        }
        Ok(LookupPlan {
            lookup: lookup.clone(),
            table,
            outputs,
            index,
        })
    }

    /// Enriches one record: OUTPUT overwrites (and clears on no match); OUTPUTNEW fills only absent fields.
    pub fn apply(&self, record: &mut Record) {
        let rows = self.matching_rows(record);
        for (column, field) in &self.outputs {
            if self.lookup.output_new && record.get(field).is_some() {
                continue;
            }
            let mut values: Vec<Value> = Vec::new();
            for &row in &rows {
                let cell = self.table.rows.get(row).map_or("", |r| cell(r, *column));
                if !cell.is_empty() && !values.iter().any(|v| v.to_text() == cell) {
                    values.push(Value::from_text(cell));
                }
            }
            if values.is_empty() && self.lookup.output_new {
                continue;
            }
            record.set(field, Value::from_values(values));
        }
    }

    /// Table rows whose input columns equal the event's fields (each value of a multivalue field tried).
    fn matching_rows(&self, record: &Record) -> Vec<usize> {
        let mut keys: Vec<Vec<String>> = vec![Vec::new()];
        for (_, field) in &self.lookup.inputs {
            let Some(value) = record.get(field) else {
                return Vec::new();
            };
            let texts: Vec<String> = value.values().iter().map(Value::to_text).collect();
            keys = keys
                .into_iter()
                .flat_map(|k| {
                    texts
                        .iter()
                        .map(move |t| [k.clone(), vec![t.clone()]].concat())
                })
                .collect();
        }
        let mut rows: Vec<usize> = keys
            .iter()
            .filter_map(|k| self.index.get(k))
            .flatten()
            .copied()
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }
}

/// Writes rows to a lookup table (replacing it, or appending with `append`).
pub fn write(
    dir: Option<&Path>,
    name: &str,
    rows: &[Record],
    append: bool,
) -> Result<(), Diagnostic> {
    let path = table_path(dir, name, true)?;
    let mut columns: Vec<String> = Vec::new();
    let mut existing = Vec::new();
    if append && path.is_file() {
        let table = load(dir, name)?;
        existing = table.records();
        columns = table.columns;
    }
    for row in rows {
        for name in row
            .fields
            .keys()
            .filter(|n| !n.starts_with('_') || *n == "_time")
        {
            if !columns.iter().any(|c| c == name) {
                columns.push(name.to_string());
            }
        }
    }
    let mut text = columns
        .iter()
        .map(|c| crate::csv::field(c))
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    for row in existing.iter().chain(rows) {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| crate::csv::field(&row.get(c).map(Value::to_text).unwrap_or_default()))
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    std::fs::write(&path, text).map_err(|e| {
        Diagnostic::error(
            codes::IO,
            format!(
                "cannot write lookup `{}`: {}",
                path.display(),
                crate::io::io_reason(&e)
            ),
        )
    })
}
