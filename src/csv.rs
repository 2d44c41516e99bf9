//! RFC 4180 CSV: reading lookup tables and quoting fields for output.

/// Parses CSV text into a header and rows. Quoted fields may hold commas, quotes (`""`) and line
/// breaks; CRLF and LF line ends are both accepted; short rows are padded with empty fields.
pub fn parse(text: &str) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .chars()
        .peekable();
    let mut line = 1;
    let mut in_quotes = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        match (in_quotes, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => in_quotes = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() => in_quotes = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                line += 1;
                any = false;
            }
            (false, c) => field.push(c),
        }
    }
    if in_quotes {
        return Err(format!("line {line}: unterminated quoted field"));
    }
    if any {
        record.push(field);
        records.push(record);
    }
    records.retain(|r| !matches!(r.as_slice(), [only] if only.is_empty()));
    let mut iter = records.into_iter();
    let header = iter
        .next()
        .ok_or("the file is empty: a CSV lookup needs a header line")?;
    let rows = iter
        .map(|mut r| {
            r.resize(header.len(), String::new());
            r
        })
        .collect();
    Ok((header, rows))
}

/// Quotes a field when it holds a comma, a quote or a line break.
pub fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
