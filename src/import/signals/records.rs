//! The records of a signals file: CSV rows, and JSON records found as an array, JSON Lines, a
//! single record, or nested in a larger document at a path such as `hits.hits[]._source`.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::import::Problem;

use super::*;

pub(super) type Records = (Vec<String>, Box<dyn Iterator<Item = Result<Record, Problem>>>);

pub(super) fn csv_records(file: &Path, name: &str) -> Result<Records> {
    let mut f = std::fs::File::open(file).map_err(|e| Error::io(file, e))?;
    let mut head = vec![0u8; 64 * 1024];
    let n = f.read(&mut head).map_err(|e| Error::io(file, e))?;
    head.truncate(n);
    if head.contains(&0) {
        return Err(Error::invalid(format!("{name}: not a CSV file (binary content)")));
    }
    let first_line = head.split(|&c| c == b'\n').next().unwrap_or(&[]);
    let count = |c: u8| first_line.iter().filter(|&&x| x == c).count();
    let delim = [b',', b';', b'\t'].into_iter().max_by_key(|&c| (count(c), c == b',')).unwrap_or(b',');
    let f = std::fs::File::open(file).map_err(|e| Error::io(file, e))?;
    let mut rdr = csv::ReaderBuilder::new().delimiter(delim).flexible(true).has_headers(true).from_reader(std::io::BufReader::new(f));
    let headers = rdr.byte_headers().map_err(|e| Error::invalid(format!("{name}: cannot read the header row: {e}")))?.clone();
    let mut columns = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let h = std::str::from_utf8(h)
            .map_err(|_| Error::invalid(format!("{name} line 1: column {} of the header is not UTF-8 text", i + 1)))?;
        columns.push(h.trim_start_matches('\u{feff}').trim().to_string());
    }
    if columns.iter().all(|c| c.is_empty()) {
        return Err(Error::invalid(format!("{name}: the file is empty (expected a header row)")));
    }
    let cols = columns.clone();
    let name = name.to_string();
    let mut row = 0;
    let iter = rdr.into_byte_records().map(move |r| {
        row += 1;
        let rec = r.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize);
            Problem::row(&name, row, line, format!("cannot read this row: {e}"))
        })?;
        let line = rec.position().map(|p| p.line() as usize);
        if rec.len() != cols.len() {
            return Err(Problem::row(&name, row, line, format!("has {} fields; the header has {}; row skipped", rec.len(), cols.len())));
        }
        let mut values = Vec::with_capacity(cols.len());
        for (c, v) in cols.iter().zip(rec.iter()) {
            let v = std::str::from_utf8(v)
                .map_err(|_| Problem::row(&name, row, line, format!("column '{c}' is not UTF-8 text; row skipped")))?;
            values.push((c.clone(), Value::String(v.to_string())));
        }
        Ok(Record { row, line, values })
    });
    Ok((columns, Box::new(iter)))
}

/// Walks `path` (`a.b[].c`) from `v`, collecting the records it reaches.
pub(super) fn walk_path(v: Value, parts: &[&str], out: &mut Vec<Value>) -> std::result::Result<(), String> {
    let Some((first, rest)) = parts.split_first() else {
        out.push(v);
        return Ok(());
    };
    let (key, each) = match first.strip_suffix("[]") {
        Some(k) => (k, true),
        None => (*first, false),
    };
    let inner = if key.is_empty() {
        v
    } else {
        match v {
            Value::Object(mut o) => o.remove(key).ok_or_else(|| format!("no key '{key}'"))?,
            other => return Err(format!("'{key}' is looked up in a {}", kind_of(&other))),
        }
    };
    if each {
        match inner {
            Value::Array(a) => {
                for x in a {
                    walk_path(x, rest, out)?;
                }
                Ok(())
            }
            other => Err(format!("'{first}' expects a list, found a {}", kind_of(&other))),
        }
    } else {
        walk_path(inner, rest, out)
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// A place in a JSON document where the records may be, as `--records` takes it (empty: the
/// document itself is the list of records, or each line is one).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecordPath {
    pub path: String,
    /// How many records are there (in the first document, for JSON Lines).
    pub records: usize,
    /// How many distinct keys those records have.
    pub columns: usize,
}

/// Where the records of a JSON signals file may be, best first: every list of objects in the
/// first document, and every object each of their entries holds under one key (the
/// `hits.hits[]._source` of a search engine's answer). Records with more text fields rank first,
/// then more records; the path "" (the document itself, or each line of JSON Lines) is among them.
/// Empty for CSV, for a list at the top level, and when no list of objects is nested inside.
pub fn record_paths(file: &Path) -> Result<Vec<RecordPath>> {
    let name = file_name(file);
    if !matches!(format_of(&name), Format::Json) {
        return Ok(Vec::new());
    }
    let (docs, _) = json_documents(file, &name)?;
    let Some((_, first)) = docs.first() else { return Ok(Vec::new()) };
    if !first.is_object() {
        return Ok(Vec::new());
    }
    let mut found: Vec<(RecordPath, usize)> = Vec::new();
    find_record_paths(first, "", 0, &mut found);
    if found.is_empty() {
        return Ok(Vec::new());
    }
    found.sort_by(|(a, at), (b, bt)| bt.cmp(at).then(b.records.cmp(&a.records)).then(a.path.cmp(&b.path)));
    found.truncate(11);
    // The document itself as the record (each line, for JSON Lines): first when there are several
    // lines, else ranked like the rest.
    let objects: Vec<&serde_json::Map<String, Value>> = docs.iter().filter_map(|(_, d)| d.as_object()).take(1000).collect();
    let (mut whole, text) = describe_records("", &objects);
    whole.records = docs.len();
    let at = if docs.len() > 1 { 0 } else { found.iter().position(|(_, t)| *t < text).unwrap_or(found.len()) };
    found.insert(at, (whole, text));
    Ok(found.into_iter().map(|(p, _)| p).collect())
}

/// Collects `(path, text keys)` for every list of objects below `v`, and for the objects the
/// entries of such a list hold under one key.
fn find_record_paths(v: &Value, prefix: &str, depth: usize, out: &mut Vec<(RecordPath, usize)>) {
    if depth > 8 {
        return;
    }
    let join = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                if !k.contains('.') && !k.ends_with("[]") {
                    find_record_paths(child, &join(k), depth + 1, out);
                }
            }
        }
        Value::Array(a) if !prefix.is_empty() => {
            let objects: Vec<&serde_json::Map<String, Value>> = a.iter().filter_map(Value::as_object).collect();
            if objects.is_empty() || objects.len() * 2 < a.len() {
                return;
            }
            let here = format!("{prefix}[]");
            out.push(describe_records(&here, &objects));
            // Keys under which every entry holds an object: the record may be that object.
            let mut keys: Vec<&String> = objects[0].iter().filter(|(_, v)| v.is_object()).map(|(k, _)| k).collect();
            keys.retain(|k| !k.contains('.') && objects.iter().all(|o| o.get(*k).is_some_and(Value::is_object)));
            for k in keys {
                let inner: Vec<&serde_json::Map<String, Value>> =
                    objects.iter().filter_map(|o| o.get(k).and_then(Value::as_object)).collect();
                out.push(describe_records(&format!("{here}.{k}"), &inner));
            }
        }
        _ => {}
    }
}

fn describe_records(path: &str, records: &[&serde_json::Map<String, Value>]) -> (RecordPath, usize) {
    let mut keys: Vec<&String> = Vec::new();
    let mut text: Vec<&String> = Vec::new();
    for o in records {
        for (k, v) in o.iter() {
            if !keys.contains(&k) {
                keys.push(k);
            }
            if v.is_string() && !text.contains(&k) {
                text.push(k);
            }
        }
    }
    (RecordPath { path: path.to_string(), records: records.len(), columns: keys.len() }, text.len())
}

/// JSON documents with the line each starts on.
type Documents = Vec<(usize, Value)>;

/// The JSON documents of a file: one, or one per line (JSON Lines), with their line numbers, and
/// the lines that are not JSON.
fn json_documents(file: &Path, name: &str) -> Result<(Documents, Vec<Problem>)> {
    let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&c| c == b'\n').count() + 1;
        Error::invalid(format!("{name} line {line}: not UTF-8 text"))
    })?;
    let text = text.trim_start_matches('\u{feff}');
    // The documents: one (a JSON value), or one per line (JSON Lines).
    let mut docs: Documents = Vec::new();
    let mut problems = Vec::new();
    match serde_json::from_str::<Value>(text) {
        Ok(v) => docs.push((1, v)),
        Err(e) if e.is_eof() || !text.trim_start().starts_with('{') => {
            return Err(Error::invalid(format!("{name} line {} column {}: not valid JSON: {e}", e.line(), e.column())));
        }
        Err(_) => {
            for (i, l) in text.lines().enumerate() {
                if l.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Value>(l) {
                    Ok(v) => docs.push((i + 1, v)),
                    Err(e) => problems.push(Problem::at(name, Some(i + 1), format!("not valid JSON ({e}); line skipped"))),
                }
            }
        }
    }
    Ok((docs, problems))
}

pub(super) fn json_records(file: &Path, name: &str, path: Option<&str>) -> Result<Records> {
    let (docs, mut problems) = json_documents(file, name)?;
    let parts: Vec<&str> = path.map(|p| p.split('.').filter(|s| !s.is_empty()).collect()).unwrap_or_default();
    let mut records: Vec<(usize, Value)> = Vec::new();
    let single = docs.len() == 1;
    for (line, doc) in docs {
        let mut found = Vec::new();
        let doc = match (path, doc) {
            (None, Value::Array(a)) if single => {
                records.extend(a.into_iter().map(|v| (0, v)));
                continue;
            }
            (_, d) => d,
        };
        if let Err(e) = walk_path(doc, &parts, &mut found) {
            let p = path.unwrap_or_default();
            if single {
                return Err(Error::invalid(format!("{name}: --records {p}: {e}")));
            }
            problems.push(Problem::at(name, Some(line), format!("--records {p}: {e}; line skipped")));
        }
        records.extend(found.into_iter().map(|v| (if single { 0 } else { line }, v)));
    }
    let mut columns: Vec<String> = Vec::new();
    let mut out: Vec<Result<Record, Problem>> = problems.into_iter().map(Err).collect();
    for (i, (line, v)) in records.into_iter().enumerate() {
        let row = i + 1;
        let line = (line > 0).then_some(line);
        match v {
            Value::Object(o) => {
                for k in o.keys() {
                    if !columns.contains(k) {
                        columns.push(k.clone());
                    }
                }
                out.push(Ok(Record { row, line, values: o.into_iter().collect() }));
            }
            other => out.push(Err(Problem::row(
                name,
                row,
                line,
                format!("a {} where a record (an object) was expected; skipped", kind_of(&other)),
            ))),
        }
    }
    if out.is_empty() {
        return Err(Error::invalid(format!(
            "{name}: no records found{}",
            if path.is_none() { " (nested records? give their path with --records, e.g. hits.hits[]._source)" } else { "" }
        )));
    }
    Ok((columns, Box::new(out.into_iter())))
}
