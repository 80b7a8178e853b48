//! Customer signals from CSV or JSON, with a column mapping.
//!
//! CSV: a header row, `,` `;` or tab separated (guessed from the header), quoted fields with line
//! breaks, CRLF or LF. JSON: an array of records, JSON Lines, a single record, or records nested
//! in a larger document, found with a path such as `hits.hits[]._source` (`[]` walks an array).
//!
//! The mapping names, for each signal field, the column (for JSON: the key, or a dotted path)
//! holding it: `title`, `body`, `quote`, `customer`, `source`, `date`, `ref`, `tags`, and
//! `attachment` for files that came with a signal (see [`FILE_FIELD`]). A field not
//! mapped is read from a column of the same name if there is one. Columns left over are kept as
//! properties of the signal. The body is kept as text (`import::plain_body`): a ticket's
//! `[[ -n "$X" ]]` or `<b>` is shown as written, never read as a link or markup; a title keeps its
//! characters (a `#` too). A row that cannot be imported is reported with its row number and
//! why; the other rows still import. Importing again updates the signals with the same `ref`.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde_json::Value;

use super::{clean_tags, safe_title, Batcher, ImportReport, Incoming, Match, Problem};
use crate::error::{Error, Result};
use crate::model::{self, Fields, Kind};
use crate::workspace::Workspace;

mod records;

pub use records::*;

/// The fields a mapping can fill.
pub const FIELDS: [&str; 8] = ["title", "body", "quote", "customer", "source", "date", "ref", "tags"];

/// The mapping's name for a column holding files that came with a signal (a screenshot, a
/// recording): paths relative to the signals file's folder, several separated by `;`.
pub const FILE_FIELD: &str = "attachment";

/// CSV or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Format> {
        match s.trim().to_lowercase().as_str() {
            "csv" | "tsv" => Ok(Format::Csv),
            "json" | "jsonl" | "ndjson" => Ok(Format::Json),
            _ => Err(Error::invalid(format!("unknown signals format '{s}' (expected csv or json)"))),
        }
    }
}

/// How to read a signals file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Guessed from the file's extension (and content) when `None`.
    pub format: Option<Format>,
    /// `(field, column)` pairs.
    pub map: Vec<(String, String)>,
    /// Where the records are in a JSON document, e.g. `hits.hits[]._source`.
    pub records: Option<String>,
}

/// One record of the source, with its place.
struct Record {
    row: usize,
    line: Option<usize>,
    values: Vec<(String, Value)>,
}

impl Record {
    fn get(&self, column: &str) -> Option<&Value> {
        if let Some((_, v)) = self.values.iter().find(|(k, _)| k == column) {
            return Some(v);
        }
        // A dotted path into nested JSON.
        let mut parts = column.split('.');
        let first = parts.next()?;
        let mut v = self.values.iter().find(|(k, _)| k == first).map(|(_, v)| v)?;
        for p in parts {
            v = v.get(p)?;
        }
        Some(v)
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(text_of).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// Parses the date a signal was observed: ISO 8601 (with or without an offset, `T` or a space),
/// Jira's `30/Sep/21 17:20`, `2021-09-30`, `30.09.2021`, `09/30/2021`, `Sep 30, 2021` and more.
/// A date with an offset is taken in its own offset (the day the customer saw).
pub fn parse_when(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%a, %d %b %Y %H:%M:%S %z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, f) {
            return Some(d.date_naive());
        }
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.date_naive());
    }
    if let Some(stripped) = s.strip_suffix('Z') {
        if let Some(d) = parse_when(stripped) {
            return Some(d);
        }
    }
    for f in [
        "%d/%b/%y %H:%M",
        "%d/%b/%Y %H:%M",
        "%d/%b/%y %I:%M %p",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%m/%d/%Y %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
            return Some(d.date());
        }
    }
    for f in
        ["%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%m/%d/%Y", "%d/%b/%y", "%d/%b/%Y", "%d %b %Y", "%b %d, %Y", "%B %d, %Y", "%d %B %Y", "%Y%m%d"]
    {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(d);
        }
    }
    model::parse_date(s)
}

/// The columns of a signals file (CSV header, or the keys of the JSON records), so a column
/// mapping can be chosen before importing.
pub fn columns(file: &Path, opts: &Options) -> Result<Vec<String>> {
    let name = file_name(file);
    let (columns, _) = read_records(file, &name, opts.format.unwrap_or_else(|| format_of(&name)), opts)?;
    Ok(columns)
}

/// Column names that common exports give each field (Jira, Zendesk, Intercom, Productboard,
/// Bugzilla, GitHub issues, and plain names), compared without case, spaces, `_` or `-`. The first
/// name found among the columns wins.
const COLUMN_NAMES: [(&str, &str); 8] = [
    ("title", "title summary subject name issuetitle conversationsubject featurename notetitle shortdescription headline"),
    ("body", "body description text content details conversationbody notetext comment commentbody issuebody message"),
    ("quote", "quote verbatim customerquote firstmessage feedback"),
    ("customer", "customer company organization organisation companyname account accountname requester reporter user author customername segment"),
    ("source", "source channel via origin sourcetype"),
    ("date", "date created createdat createddate created_at creationdate opened opendate reported submitted timestamp dateobserved observed updated"),
    ("ref", "ref key issuekey issueid id ticketid ticket bugid number url externalid conversationid noteid reference"),
    ("tags", "tags labels label components component keywords tag"),
];

/// A column mapping guessed from the columns' names (see [`COLUMN_NAMES`]): `(field, column)`,
/// each column used once, in field order.
pub fn guess_mapping(columns: &[String]) -> Vec<(String, String)> {
    let norm = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    let keys: Vec<String> = columns.iter().map(|c| norm(c.as_str())).collect();
    let mut used = vec![false; columns.len()];
    let mut out = Vec::new();
    for (field, names) in COLUMN_NAMES {
        let found = names.split_whitespace().find_map(|n| {
            let n = norm(n);
            (0..keys.len()).find(|&i| !used[i] && keys[i] == n)
        });
        if let Some(i) = found {
            used[i] = true;
            out.push((field.to_string(), columns[i].clone()));
        }
    }
    out
}

/// One row as it will be imported: what the signal gets, or why the row is skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PreviewRow {
    pub row: usize,
    pub title: String,
    /// The day observed (YYYY-MM-DD).
    pub date: String,
    pub customer: String,
    pub source: String,
    #[serde(rename = "ref")]
    pub reference: String,
    /// The first line of the body as it will be kept.
    pub body: String,
    /// Why the row would be skipped or a field left empty, if so.
    pub problem: String,
}

/// The first `n` rows of `file` as `opts` would import them (the mapping checked the same way).
pub fn preview(file: &Path, opts: &Options, n: usize) -> Result<Vec<PreviewRow>> {
    let name = file_name(file);
    let format = opts.format.unwrap_or_else(|| format_of(&name));
    let (columns, records) = read_records(file, &name, format, opts)?;
    let mut map: BTreeMap<String, String> = opts.map.iter().map(|(f, c)| (f.trim().to_lowercase(), c.trim().to_string())).collect();
    for f in FIELDS {
        if !map.contains_key(f) {
            if let Some(c) = columns.iter().find(|c| c.to_lowercase() == f) {
                map.insert(f.to_string(), c.clone());
            }
        }
    }
    let mut out = Vec::new();
    for rec in records.take(n) {
        let rec = match rec {
            Ok(r) => r,
            Err(p) => {
                out.push(PreviewRow { row: p.row.unwrap_or(0), problem: p.message.clone(), ..Default::default() });
                continue;
            }
        };
        let get = |f: &str| map.get(f).and_then(|c| rec.get(c)).map(text_of).unwrap_or_default();
        let mut row = PreviewRow { row: rec.row, ..Default::default() };
        match safe_title(&get("title")) {
            Some(t) => row.title = t,
            None => row.problem = "no title".into(),
        }
        let date = get("date");
        if !date.trim().is_empty() {
            match parse_when(&date) {
                Some(d) => row.date = d.format("%Y-%m-%d").to_string(),
                None => row.problem = format!("'{}' is not a date", date.trim()),
            }
        }
        row.customer = get("customer").trim().to_string();
        let source = get("source");
        if !source.trim().is_empty() {
            // A source that is none of the known ones is left empty, as the import leaves it.
            row.source = model::normalize_field(Kind::Signal, "source", &source).ok().flatten().unwrap_or_default();
        }
        row.reference = get("ref").trim().to_string();
        row.body = super::plain_body(&get("body"))
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("```"))
            .map(|l| l.chars().take(160).collect())
            .unwrap_or_default();
        out.push(row);
    }
    Ok(out)
}

/// Imports the signals in `file`. An error is one line even where it quotes the file (a column
/// name holding a line break is shown with `\n`).
pub fn import(ws: &mut Workspace, file: &Path, opts: &Options, progress: Option<&mut dyn FnMut(usize, usize)>) -> Result<ImportReport> {
    import_file(ws, file, opts, progress).map_err(|e| match e {
        Error::Invalid(m) => Error::Invalid(m.replace('\r', "\\r").replace('\n', "\\n")),
        e => e,
    })
}

fn import_file(ws: &mut Workspace, file: &Path, opts: &Options, progress: Option<&mut dyn FnMut(usize, usize)>) -> Result<ImportReport> {
    let name = file_name(file);
    let meta = std::fs::metadata(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::invalid(format!("{}: no such file", file.display())),
        _ => Error::io(file, e),
    })?;
    if meta.is_dir() {
        return Err(Error::invalid(format!("{}: a folder, not a signals file", file.display())));
    }
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (f, c) in &opts.map {
        let f = f.trim().to_lowercase();
        if !FIELDS.contains(&f.as_str()) && f != FILE_FIELD {
            return Err(Error::invalid(format!("--map {f}={c}: '{f}' is not a signal field (map one of: {})", FIELDS.join(", "))));
        }
        map.insert(f, c.trim().to_string());
    }
    let format = opts.format.unwrap_or_else(|| format_of(&name));
    let canonical = file.canonicalize().map_err(|e| Error::io(file, e))?;
    let origin = format!("signals:{}", canonical.display());
    let (columns, records) = read_records(file, &name, format, opts)?;
    complete_map(&mut map, &columns, format, file, &name, opts)?;
    let mapped: Vec<&String> = map.values().collect();
    // The number of rows is not known before reading them: the progress shows rows done.
    let mut done = 0;
    let mut progress = progress;
    let mut tick = |n: usize| {
        done += n;
        if let Some(p) = progress.as_mut() {
            p(done, 0);
        }
    };
    // Files a row names are stored as the rows are read, and recorded after the last batch.
    let (files, max) = (ws.files(), ws.max_attachment_size()?);
    let folder = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut brought = Vec::new();
    let mut b = Batcher::new(ws, Some(&mut tick))?;
    if !map.contains_key("ref") {
        b.warn(Problem::at(
            &name,
            None,
            "no column is mapped to ref (--map ref=COLUMN): importing this file again matches rows by their number",
        ));
    }
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(p) => {
                b.error(p);
                continue;
            }
        };
        let get = |f: &str| map.get(f).and_then(|c| rec.get(c)).map(text_of).unwrap_or_default();
        let raw_title = get("title");
        let Some(title) = safe_title(&raw_title) else {
            b.error(Problem::row(&name, rec.row, rec.line, format!("no title: column '{}' is empty; row skipped", map["title"])));
            continue;
        };
        let fields = signal_fields(&map, &get, &mut |m| b.warn(Problem::row(&name, rec.row, rec.line, m)));
        let mut fields = match fields {
            Ok(f) => f,
            Err(why) => {
                b.error(Problem::row(&name, rec.row, rec.line, format!("{why}; row skipped")));
                continue;
            }
        };
        let tags = match map.get("tags").and_then(|c| rec.get(c)) {
            Some(Value::Array(a)) => a.iter().map(text_of).collect(),
            Some(v) => text_of(v).split([',', ';']).map(str::to_string).collect(),
            None => Vec::new(),
        };
        let (row, line) = (rec.row, rec.line);
        let tags = clean_tags(tags, |m| b.warn(Problem::row(&name, row, line, format!("{m}; dropped"))));
        for (k, v) in &rec.values {
            if mapped.iter().any(|m| *m == k || m.split('.').next() == Some(k)) || matches!(v, Value::Null) {
                continue;
            }
            if matches!(v, Value::String(s) if s.trim().is_empty()) {
                continue;
            }
            fields.props.insert(k.clone(), v.clone());
        }
        let signal_ref = fields.get("ref").map(str::to_string);
        // A ticket's text is text: nothing in it becomes a link or markup.
        let mut body = super::plain_body(&get("body"));
        if let Some(c) = map.get(FILE_FIELD) {
            let cell = rec.get(c).map(text_of).unwrap_or_default();
            let mut warn = |m: String| b.warn(Problem::row(&name, rec.row, rec.line, m));
            super::files::bring_listed(&files, &folder, &cell, max, &mut body, &mut brought, &mut warn);
        }
        let body_lines = body.lines().count();
        b.push(Incoming {
            kind: Kind::Signal,
            title,
            body,
            tags,
            aliases: Vec::new(),
            fields,
            origin: origin.clone(),
            path: match &signal_ref {
                Some(r) => format!("ref {r}"),
                None => format!("row {}", rec.row),
            },
            matching: Match { id: None, signal_ref },
            file: name.clone(),
            body_line: rec.line.unwrap_or(1),
            body_lines,
            extra_lines: Vec::new(),
        })?;
    }
    let mut report = b.finish()?;
    super::files::record(ws, &brought, &mut report)?;
    Ok(report)
}

/// The name a signals file is called by in messages: its file name.
fn file_name(file: &Path) -> String {
    file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| file.display().to_string())
}

/// The columns and the records of a signals file read as `format`.
fn read_records(file: &Path, name: &str, format: Format, opts: &Options) -> Result<records::Records> {
    match format {
        Format::Csv => csv_records(file, name),
        Format::Json => json_records(file, name, opts.records.as_deref()),
    }
}

/// The format a file's name says: JSON for `.json`, `.jsonl` and `.ndjson`, else CSV.
fn format_of(name: &str) -> Format {
    let lower = name.to_lowercase();
    if lower.ends_with(".json") || lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        Format::Json
    } else {
        Format::Csv
    }
}

/// Checks that every mapped column exists, maps each field not mapped to a column of the same
/// name, and asks for the title's column when none is known.
fn complete_map(
    map: &mut BTreeMap<String, String>,
    columns: &[String],
    format: Format,
    file: &Path,
    name: &str,
    opts: &Options,
) -> Result<()> {
    // Every mapped column must exist; unmapped fields default to a column of the same name.
    for (f, c) in map.iter() {
        let known = columns.iter().any(|x| x == c) || (format == Format::Json && columns.iter().any(|x| c.split('.').next() == Some(x)));
        if !known {
            return Err(Error::invalid(format!(
                "{name}: --map {f}={c}: there is no column '{c}' (columns: {})",
                columns.iter().take(30).cloned().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    for f in FIELDS {
        if !map.contains_key(f) {
            if let Some(c) = columns.iter().find(|c| c.to_lowercase() == f) {
                map.insert(f.to_string(), c.clone());
            }
        }
    }
    if !map.contains_key("title") {
        // Records nested in a larger document: say where they seem to be.
        if format == Format::Json && opts.records.is_none() {
            if let Some(best) = record_paths(file)?.into_iter().next().filter(|p| !p.path.is_empty()) {
                return Err(Error::invalid(format!(
                    "{name}: the records seem to be nested: give --records {} ({} record{} there), then --map title=COLUMN",
                    best.path,
                    best.records,
                    if best.records == 1 { "" } else { "s" }
                )));
            }
        }
        return Err(Error::invalid(format!(
            "{name}: which column is the title? Give --map title=COLUMN (columns: {})",
            columns.iter().take(30).cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(())
}

/// A row's signal fields (quote, customer, source, date, ref), each checked; the reason when the
/// row cannot be imported. A source that is not one of the known ones is left empty with a warning.
fn signal_fields(
    map: &BTreeMap<String, String>,
    get: &dyn Fn(&str) -> String,
    warn: &mut dyn FnMut(String),
) -> std::result::Result<Fields, String> {
    let mut fields = Fields::default();
    let mut bad = None;
    for f in ["quote", "customer", "source", "date", "ref"] {
        let v = get(f);
        if v.trim().is_empty() {
            continue;
        }
        let v = if f == "date" {
            match parse_when(&v) {
                Some(d) => d.format("%Y-%m-%d").to_string(),
                None => {
                    bad = Some(format!("column '{}' (date): '{}' is not a date", map["date"], v.trim()));
                    break;
                }
            }
        } else {
            v
        };
        match model::normalize_field(Kind::Signal, f, &v) {
            Ok(Some(v)) => {
                fields.values.insert(f.to_string(), v);
            }
            Ok(None) => {}
            Err(e) if f == "source" => {
                warn(format!("column '{}': {e}; left empty", map[f]));
            }
            Err(e) => {
                bad = Some(format!("column '{}': {e}", map[f]));
                break;
            }
        }
    }
    match bad {
        Some(why) => Err(why),
        None => Ok(fields),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_many_forms() {
        let d = |s| parse_when(s).map(|d| d.to_string());
        assert_eq!(d("2020-01-02 17:14:21+00:00").as_deref(), Some("2020-01-02"));
        assert_eq!(d("30/Sep/21 17:20").as_deref(), Some("2021-09-30"));
        assert_eq!(d("2021-11-26T12:00:00-05:00").as_deref(), Some("2021-11-26"));
        assert_eq!(d("2021-11-26T23:30:00-05:00").as_deref(), Some("2021-11-26"));
        assert_eq!(d("2021-11-26T12:00:00Z").as_deref(), Some("2021-11-26"));
        assert_eq!(d("30.09.2021").as_deref(), Some("2021-09-30"));
        assert_eq!(d("Sep 30, 2021").as_deref(), Some("2021-09-30"));
        assert_eq!(d("yesterday"), None);
    }

    #[test]
    fn nested_paths() {
        let v: Value = serde_json::json!({"hits": {"hits": [{"_source": {"a": 1}}, {"_source": {"a": 2}}]}});
        let mut out = Vec::new();
        walk_path(v.clone(), &["hits", "hits[]", "_source"], &mut out).unwrap();
        assert_eq!(out.len(), 2);
        assert!(walk_path(v, &["hits[]"], &mut Vec::new()).unwrap_err().contains("expects a list"));
    }

    #[test]
    fn where_the_records_are() {
        let dir = tempfile::tempdir().unwrap();
        let paths = |name: &str, text: &str| {
            let f = dir.path().join(name);
            std::fs::write(&f, text).unwrap();
            record_paths(&f).unwrap().into_iter().map(|p| (p.path, p.records)).collect::<Vec<_>>()
        };
        // A search engine's answer: the sources beat the hits around them and the buckets.
        let answer = r#"{"took": 3, "hits": {"total": 2, "hits": [
            {"_id": "1", "_source": {"issue": "Slow", "company": "Acme", "state": "PA"}},
            {"_id": "2", "_source": {"issue": "Late", "company": "Bolt", "state": "NY"}}]},
          "aggregations": {"product": {"buckets": [{"key": "a", "doc_count": 1}, {"key": "b", "doc_count": 1}, {"key": "c", "doc_count": 1}]}}}"#;
        let found = paths("answer.json", answer);
        assert_eq!(found[0], ("hits.hits[]._source".to_string(), 2), "{found:?}");
        assert!(
            found.contains(&("hits.hits[]".to_string(), 2)) && found.contains(&("aggregations.product.buckets[]".to_string(), 3)),
            "{found:?}"
        );
        assert!(found.contains(&(String::new(), 1)), "{found:?}");
        // JSON Lines: each line is a record, even when a line holds a list of objects.
        let lines = "{\"title\": \"A\", \"comments\": [{\"by\": \"x\"}]}\n{\"title\": \"B\", \"comments\": []}\n";
        assert_eq!(paths("s.jsonl", lines)[0], (String::new(), 2));
        // Records at the top level, or nothing nested: nothing to choose.
        assert!(paths("list.json", r#"[{"a": "x"}]"#).is_empty());
        assert!(paths("one.json", r#"{"a": "x", "b": [1, 2]}"#).is_empty());
        assert!(paths("s.csv", "a,b\n1,2\n").is_empty());
    }

    #[test]
    fn columns_of_csv_and_json() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("s.csv");
        std::fs::write(&csv, "Summary,Customer,When\nSlow export,Acme,2024-01-02\n").unwrap();
        assert_eq!(columns(&csv, &Options::default()).unwrap(), ["Summary", "Customer", "When"]);
        let json = dir.path().join("s.json");
        std::fs::write(&json, r#"[{"text": "Slow", "who": "Acme"}]"#).unwrap();
        let cols = columns(&json, &Options::default()).unwrap();
        assert!(cols.contains(&"text".to_string()) && cols.contains(&"who".to_string()), "{cols:?}");
    }
}
