//! Hostile and broken input never panics: property tests for every parser that reads outside
//! data, seeded from the real files in tests/fixtures and from arbitrary bytes. Each property: the
//! parser returns (with warnings) or fails with one clear line; the workspace stays sound.
//! Case counts are bounded so a run stays short; failures are kept in tests/fuzz.proptest-regressions.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};

use mellanrum::workspace::Workspace;

use crate::util::fixtures;

/// A runner with a bounded number of cases whose failures are kept in the repository.
fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        max_shrink_iters: 200,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("tests/fuzz.proptest-regressions"))),
        ..Config::default()
    })
}

/// One mutation of a byte string: flip a bit, overwrite, insert, delete a range, duplicate a range
/// or truncate; positions are taken modulo the length.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Duplicate(usize, usize),
    Truncate(usize),
    /// Inserts a token that parsers care about.
    Token(usize, usize),
}

const TOKENS: &[&str] = &[
    "\n",
    "\r\n",
    "---\n",
    "\"",
    ",",
    "[[",
    "]]",
    "|",
    "#",
    "^",
    "::",
    ":",
    "{",
    "}",
    "[",
    "]",
    "\\",
    "\0",
    "\u{feff}",
    "é",
    "𝄞",
    "```\n",
    "`",
    "BEGIN:VEVENT\n",
    "END:VEVENT\n",
    "RRULE:FREQ=SECONDLY;COUNT=99999999\n",
    "DTSTART;TZID=Nowhere/City:20240101T100000\n",
    "EXDATE:garbage\n",
    "null",
    "[]",
    "{}",
    "1e999",
    "-",
    "OR",
    "kind:",
    "tag:#",
    "\"unclosed",
    "tags: [a, [b]]\n",
    "title: \n",
    "aliases:\n  - \n",
    "- ",
    "> ",
    "\t",
    "%%",
    "](../../etc/passwd)",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(p, b)| Mutation::Flip(p, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(p, v)| Mutation::Set(p, v)),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..12)).prop_map(|(p, v)| Mutation::Insert(p, v)),
        (any::<usize>(), 1usize..200).prop_map(|(p, n)| Mutation::Delete(p, n)),
        (any::<usize>(), 1usize..200).prop_map(|(p, n)| Mutation::Duplicate(p, n)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(p, t)| Mutation::Token(p, t)),
    ]
}

fn mutate(mut b: Vec<u8>, ms: &[Mutation]) -> Vec<u8> {
    for m in ms {
        let len = b.len();
        let at = |p: usize| if len == 0 { 0 } else { p % (len + 1) };
        match m {
            Mutation::Flip(p, bit) if len > 0 => b[p % len] ^= 1 << bit,
            Mutation::Set(p, v) if len > 0 => b[p % len] = *v,
            Mutation::Insert(p, v) => {
                let i = at(*p);
                b.splice(i..i, v.iter().copied());
            }
            Mutation::Delete(p, n) => {
                let i = at(*p);
                let end = (i + n).min(len);
                b.drain(i..end);
            }
            Mutation::Duplicate(p, n) => {
                let i = at(*p);
                let end = (i + n).min(len);
                let part = b[i..end].to_vec();
                b.splice(i..i, part);
            }
            Mutation::Truncate(p) => b.truncate(at(*p)),
            Mutation::Token(p, t) => {
                let i = at(*p);
                b.splice(i..i, TOKENS[*t].bytes());
            }
            _ => {}
        }
    }
    b
}

/// An input: a mutated seed, or arbitrary bytes.
fn input(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let n = seeds.len();
    prop_oneof![
        4 => (0..n, proptest::collection::vec(mutation(), 0..10)).prop_map(move |(i, ms)| mutate(seeds[i].clone(), &ms)),
        1 => proptest::collection::vec(any::<u8>(), 0..600),
    ]
}

/// Files under `dir` ending in `ext`, sorted, at most `max`, each cut to `cap` bytes (at a line end).
fn seeds(dir: &Path, ext: &str, max: usize, cap: usize) -> Vec<Vec<u8>> {
    fn walk(d: &Path, ext: &str, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, ext, out);
            } else if p.to_string_lossy().ends_with(ext) {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, ext, &mut files);
    let step = (files.len() / max).max(1);
    files
        .iter()
        .step_by(step)
        .take(max)
        .map(|p| {
            let mut b = std::fs::read(p).unwrap();
            if b.len() > cap {
                let cut = b[..cap].iter().rposition(|&c| c == b'\n').map_or(cap, |i| i + 1);
                b.truncate(cut);
            }
            b
        })
        .collect()
}

fn one_clear_line(e: &impl std::fmt::Display) -> String {
    let s = e.to_string();
    assert!(!s.trim().is_empty(), "an empty error");
    assert!(!s.contains('\n'), "an error of more than one line: {s:?}");
    s
}

/// A fresh workspace with one person, through the library.
fn workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(dir.path(), Some("Fuzz")).unwrap();
    ws.add_person("Anna", "Sales").unwrap();
    ws.use_person("Anna").unwrap();
    (dir, ws)
}

/// After a run of hostile imports the workspace is sound: no half item, links, index and history whole.
fn assert_sound(ws: &mut Workspace) {
    let report = ws.doctor(false).unwrap();
    assert!(report.ok, "{report:?}");
}

#[test]
fn wikilinks_and_typed_links_from_real_notes_never_panic() {
    let seeds = seeds(&fixtures().join("vaults"), ".md", 40, 8_000);
    let cases = Cell::new(0);
    runner(256)
        .run(&input(seeds), |b| {
            let text = String::from_utf8_lossy(&b);
            for l in mellanrum::links::parse(&text) {
                // Every link points inside the text it came from.
                prop_assert!(!l.target.contains('\n'));
            }
            let _ = mellanrum::import::vault::inline_tags(&text);
            cases.set(cases.get() + 1);
            Ok(())
        })
        .unwrap();
    eprintln!("fuzz wikilinks: {} cases", cases.get());
}

#[test]
fn search_queries_never_panic_and_fail_in_one_line() {
    let seeds: Vec<Vec<u8>> = [
        r#"pricing "customer churn" -discount kind:friction status:resolved tag:#Pricing a OR b"#,
        "author:Anna perspective:Sales after:2024-01-01 before:2025-02-30",
        "leveranser OR kunder -\"sen leverans\" kind:insight",
        "\"",
        "-",
        "OR",
        "kind:",
        "tag:",
        "a OR OR b",
        "((x))",
        "date:>2024",
        "é𝄞\u{0}",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let (ok, bad) = (Cell::new(0), Cell::new(0));
    let (_dir, ws) = workspace();
    let ws = RefCell::new(ws);
    ws.borrow_mut()
        .create(mellanrum::workspace::NewItem {
            kind: Some(mellanrum::model::Kind::Note),
            title: "Kunder och leveranser".into(),
            body: "prissättning och kunder".into(),
            ..Default::default()
        })
        .unwrap();
    runner(256)
        .run(&input(seeds), |b| {
            let q = String::from_utf8_lossy(&b).into_owned();
            match mellanrum::search::parse(&q) {
                Ok(_) => {
                    ok.set(ok.get() + 1);
                    // A query that parses also runs against a real index.
                    if let Err(e) = ws.borrow_mut().search(&q, 5) {
                        one_clear_line(&e);
                    }
                }
                Err(e) => {
                    bad.set(bad.get() + 1);
                    one_clear_line(&e);
                }
            }
            Ok(())
        })
        .unwrap();
    eprintln!("fuzz search queries: {} cases ({} parsed, {} refused)", ok.get() + bad.get(), ok.get(), bad.get());
}

fn ops() -> Vec<mellanrum::store::ChangeRow> {
    (0..4)
        .map(|i| mellanrum::store::ChangeRow {
            seq: i + 1,
            hlc: format!("2026-01-01T00:00:0{i}.000Z-0000-0190a1b2c3d4"),
            device: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into(),
            author: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c".into(),
            entity: "item".into(),
            entity_id: format!("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a6{i}"),
            op: "update".into(),
            payload: serde_json::json!({"fields": {"title": format!("Note {i} [[x]] \"q\""), "body": "text\nmore"}}).to_string(),
        })
        .collect()
}

#[test]
fn sync_segments_truncated_flipped_or_garbage_are_refused_never_obeyed() {
    use mellanrum::sync::segment::{decode, encode, Header};
    let device = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    let key = [7u8; 32];
    let header = Header {
        device: device.into(),
        seq: 1,
        prev: String::new(),
        count: 0,
        nonce: None,
        seen: Default::default(),
        at: "2026-01-01T00:00:00Z".into(),
    };
    let (plain, _) = encode(&header, &ops(), None).unwrap();
    let (sealed, _) = encode(&header, &ops(), Some(&key)).unwrap();
    assert!(decode(&plain, device, 1, "", None).is_ok());
    assert!(decode(&sealed, device, 1, "", Some(&key)).is_ok());
    let (refused, same) = (Cell::new(0), Cell::new(0));
    runner(512)
        .run(&(input(vec![plain.clone(), sealed.clone()]), any::<bool>()), |(b, with_key)| {
            let k = with_key.then_some(&key);
            match decode(&b, device, 1, "", k) {
                Ok(s) => {
                    // Only an unchanged file verifies.
                    prop_assert!(b == plain || b == sealed, "a changed segment verified");
                    prop_assert_eq!(s.ops.len(), 4);
                    same.set(same.get() + 1);
                }
                Err(reason) => {
                    prop_assert!(!reason.is_empty() && !reason.contains('\n'), "{:?}", reason);
                    refused.set(refused.get() + 1);
                }
            }
            Ok(())
        })
        .unwrap();
    eprintln!("fuzz segments: {} cases ({} refused, {} unchanged and verified)", refused.get() + same.get(), refused.get(), same.get());
}

#[test]
fn calendar_files_mutated_never_panic_and_stay_bounded() {
    use chrono::{TimeZone, Utc};
    let seeds = seeds(&fixtures().join("calendar"), ".ics", 4, 64_000);
    let from = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2027, 6, 1, 0, 0, 0).unwrap();
    let (ok, bad, most) = (Cell::new(0), Cell::new(0), Cell::new(0));
    runner(192)
        .run(&input(seeds), |b| {
            let text = String::from_utf8_lossy(&b);
            match mellanrum::calendar::expand(&text, "team.ics", from, to) {
                Ok((occ, _, _)) => {
                    ok.set(ok.get() + 1);
                    most.set(most.get().max(occ.len()));
                    // Two years of even a per-minute event is bounded.
                    prop_assert!(occ.len() <= 2 * 366 * 24 * 60);
                }
                Err(e) => {
                    bad.set(bad.get() + 1);
                    prop_assert!(one_clear_line(&e).contains("team.ics"));
                }
            }
            Ok(())
        })
        .unwrap();
    eprintln!(
        "fuzz calendar: {} cases ({} read, {} refused, at most {} occurrences)",
        ok.get() + bad.get(),
        ok.get(),
        bad.get(),
        most.get()
    );
}

#[test]
fn csv_and_json_signal_files_mutated_never_panic_or_half_write() {
    use mellanrum::import::signals::{import, Format, Options};
    let mut seeds_csv = seeds(&fixtures().join("signals/gitbugs"), ".csv", 2, 6_000);
    seeds_csv.push(b"Summary,Description,Issue id\nSlow,\"quoted \"\"body\"\"\nover lines\",R1\n".to_vec());
    // Whole JSON documents (a cut one is only a truncation): the real search-API responses.
    let seeds_json = seeds(&fixtures().join("signals/cfpb-complaints"), ".json", 10, 1_000_000);
    let (_dir, ws) = workspace();
    let ws = RefCell::new(ws);
    let tmp = tempfile::tempdir().unwrap();
    let (ok, bad) = (Cell::new(0), Cell::new(0));
    let bad_lines = RefCell::new(Vec::new());
    let strategy = prop_oneof![input(seeds_csv).prop_map(|b| (b, true)), input(seeds_json).prop_map(|b| (b, false))];
    runner(64)
        .run(&strategy, |(b, csv)| {
            let file = tmp.path().join(if csv { "signals.csv" } else { "signals.json" });
            std::fs::write(&file, &b).unwrap();
            let map = if csv {
                vec![("title".into(), "Summary".into()), ("body".into(), "Description".into()), ("ref".into(), "Issue id".into())]
            } else {
                vec![("title".to_string(), "issue".to_string()), ("body".to_string(), "complaint_what_happened".to_string())]
            };
            let records = (!csv).then(|| "hits.hits[]._source".to_string());
            let opts = Options { format: Some(if csv { Format::Csv } else { Format::Json }), map, records };
            match import(&mut ws.borrow_mut(), &file, &opts, None) {
                Ok(report) => {
                    ok.set(ok.get() + 1);
                    for w in report.warnings.iter().chain(report.errors.iter()) {
                        prop_assert!(!w.message.is_empty() && !w.message.contains('\n'), "{:?}", w);
                    }
                }
                Err(e) => {
                    bad.set(bad.get() + 1);
                    let line = one_clear_line(&e);
                    prop_assert!(line.contains("signals."), "the error names the file: {}", line);
                    bad_lines.borrow_mut().push(line);
                }
            }
            Ok(())
        })
        .unwrap();
    assert_sound(&mut ws.borrow_mut());
    eprintln!("refusals, for example: {:?}", bad_lines.borrow().iter().take(4).collect::<Vec<_>>());
    eprintln!("fuzz signal files: {} cases ({} imported, {} refused)", ok.get() + bad.get(), ok.get(), bad.get());
}

#[test]
fn vault_notes_with_mutated_front_matter_never_panic_or_half_write() {
    let seeds = seeds(&fixtures().join("vaults"), ".md", 24, 6_000);
    let (_dir, ws) = workspace();
    let ws = RefCell::new(ws);
    let tmp = tempfile::tempdir().unwrap();
    let cases = Cell::new(0);
    runner(48)
        .run(&(proptest::collection::vec(input(seeds), 1..4), any::<bool>()), |(files, logseq)| {
            let vault = tmp.path().join(format!("v{}", cases.get()));
            std::fs::create_dir_all(vault.join("pages")).unwrap();
            for (i, b) in files.iter().enumerate() {
                std::fs::write(vault.join("pages").join(format!("note {i}.md")), b).unwrap();
            }
            let format = Some(if logseq { mellanrum::import::vault::Format::Logseq } else { mellanrum::import::vault::Format::Obsidian });
            match mellanrum::import::vault::import(&mut ws.borrow_mut(), &vault, format, None) {
                Ok(report) => {
                    for w in report.warnings.iter().chain(report.errors.iter()) {
                        prop_assert!(w.file.starts_with("pages/note ") && !w.message.contains('\n'), "{:?}", w);
                    }
                }
                Err(e) => {
                    one_clear_line(&e);
                }
            }
            cases.set(cases.get() + 1);
            Ok(())
        })
        .unwrap();
    assert_sound(&mut ws.borrow_mut());
    eprintln!("fuzz vault notes and front matter: {} cases", cases.get());
}

/// File names a vault can hold on Linux: anything but '/' and NUL, with the awkward ones often.
fn file_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^/\u{0}]{1,40}",
        Just("..md".to_string()),
        Just("...md".to_string()),
        Just(".hidden.md".to_string()),
        Just("CON.md".to_string()),
        Just("nul.txt.md".to_string()),
        Just(" .md".to_string()),
        Just("a\nb.md".to_string()),
        Just("\u{202e}dm.exe.md".to_string()),
        "[a-z]{1,8}\\.md",
    ]
}

#[test]
fn vault_file_names_and_titles_never_leave_the_folder() {
    use mellanrum::export::vault::file_stem;
    // Titles become file names on export: never a path, never reserved, never empty.
    let titles = Cell::new(0);
    runner(512)
        .run(
            &prop_oneof!["\\PC{0,80}", Just("../../etc/passwd".to_string()), Just("/abs/olute".to_string()), Just("CON".to_string())],
            |t| {
                let s = file_stem(&t);
                prop_assert!(!s.is_empty() && !s.contains(['/', '\\', '\0']) && !s.starts_with('.'), "{:?} -> {:?}", t, s);
                prop_assert!(s != ".." && s.chars().count() <= 120, "{:?}", s);
                let base = s.split('.').next().unwrap_or("").trim().to_lowercase();
                prop_assert!(!["con", "prn", "aux", "nul", "com1", "lpt1"].contains(&base.as_str()), "{:?}", s);
                titles.set(titles.get() + 1);
                Ok(())
            },
        )
        .unwrap();
    // Names of files in a vault: imported or warned about, with the file named relative to the vault.
    let (_dir, ws) = workspace();
    let ws = RefCell::new(ws);
    let tmp = tempfile::tempdir().unwrap();
    let names = Cell::new(0);
    runner(40)
        .run(&proptest::collection::vec(file_name(), 1..6), |names_in| {
            let vault = tmp.path().join(format!("n{}", names.get()));
            std::fs::create_dir_all(&vault).unwrap();
            for n in &names_in {
                let _ = std::fs::write(vault.join(n), format!("A note called {n:?}.\n"));
            }
            let report = mellanrum::import::vault::import(&mut ws.borrow_mut(), &vault, None, None);
            match report {
                Ok(r) => {
                    for w in &r.warnings {
                        prop_assert!(!w.file.starts_with('/') && !w.file.contains("../"), "{:?}", w);
                    }
                }
                Err(e) => {
                    one_clear_line(&e);
                }
            }
            names.set(names.get() + names_in.len());
            Ok(())
        })
        .unwrap();
    assert_sound(&mut ws.borrow_mut());
    eprintln!("fuzz vault names: {} titles made file names, {} file names imported", titles.get(), names.get());
}

/// Found by the calendar property: a bare line feed inside a CRLF file put a line break into the
/// UID, and the error quoting it spanned two lines.
#[test]
fn a_line_break_inside_an_ics_value_stays_inside_one_error_line() {
    use chrono::{TimeZone, Utc};
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:cancel\nSUMMARY:Retro (cancelled)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let e = mellanrum::calendar::expand(ics, "team.ics", from, to).unwrap_err().to_string();
    assert_eq!(e, "team.ics: event 'cancel\\nSUMMARY:Retro (cancelled)' has no DTSTART");
}

/// Found by the query property: a query of backticks over two lines was refused with its line
/// break inside the message.
#[test]
fn a_line_break_inside_a_query_stays_inside_one_error_line() {
    let e = mellanrum::search::parse("```\n`").unwrap_err().to_string();
    assert_eq!(e, "query '```\\n`' has no words to search for (only punctuation)");
}

/// Found by the signal-file property: a CSV whose header holds a line break inside a quoted column
/// name was refused with that line break inside the message.
#[test]
fn a_line_break_inside_a_csv_column_name_stays_inside_one_error_line() {
    use mellanrum::import::signals::{import, Format, Options};
    let (_dir, mut ws) = workspace();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("signals.csv");
    std::fs::write(&file, "Summary,\"Two\nlines\"\nSlow,x\n").unwrap();
    let opts = Options { format: Some(Format::Csv), map: vec![("body".into(), "Description".into())], records: None };
    let e = import(&mut ws, &file, &opts, None).unwrap_err().to_string();
    assert_eq!(e, "signals.csv: --map body=Description: there is no column 'Description' (columns: Summary, Two\\nlines)");
    assert_sound(&mut ws);
}
