//! Knowledge in: real Obsidian and Logseq vaults, real signal exports, and broken input.
//!
//! The expected counts are independent of the importer: file counts come from walking the folders
//! here, link totals from the fixtures' manifests (a separate parser), and per-note numbers were
//! counted by hand from the files named in each test.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{fixtures, Ws};
use serde_json::Value;

fn kepano() -> PathBuf {
    fixtures().join("vaults/kepano-obsidian/vault")
}

fn logseq() -> PathBuf {
    fixtures().join("vaults/logseq-docs/graph")
}

fn sig(p: &str) -> String {
    fixtures().join("signals").join(p).to_str().unwrap().to_string()
}

/// Files under `dir` (not in dot folders) whose name ends with `ext`, counted here, not by the importer.
fn count_files(dir: &Path, ext: &str) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            n += count_files(&e.path(), ext);
        } else if name.ends_with(ext) {
            n += 1;
        }
    }
    n
}

fn link_to<'a>(item: &'a Value, title: &str) -> &'a Value {
    item["links"].as_array().unwrap().iter().find(|l| l["title"] == title).unwrap_or_else(|| panic!("no link to {title}: {item}"))
}

#[test]
fn an_obsidian_vault_imports_with_its_front_matter_tags_and_links() {
    let ws = Ws::new();
    let r = ws.json(&["import", "vault", kepano().to_str().unwrap()]);
    assert_eq!(r["items"], count_files(&kepano(), ".md") as u64);
    assert_eq!(r["items"], 103);
    // The manifest's separate parser: 209 [[…]] (134 in front matter, 75 in bodies); 62 point at no
    // note (51 in front matter, 11 in bodies); 62 embed files that are not notes (.base views, a jpg).
    assert_eq!(r["links"], 209);
    assert_eq!(r["unresolved"], 62);
    assert_eq!(r["attachments"], 62);
    assert_eq!(r["resolved"], 209 - 62 - 62);
    assert_eq!(r["errors"].as_array().unwrap().len(), 0);

    // 28 templates hold `{{date}}` placeholders: not YAML, imported as text with a warning naming the line.
    let warnings = r["warnings"].as_array().unwrap();
    let yaml: Vec<&Value> = warnings.iter().filter(|w| w["message"].as_str().unwrap().contains("not valid YAML")).collect();
    assert_eq!(yaml.len(), 28, "{warnings:?}");
    let book = yaml.iter().find(|w| w["file"] == "Templates/Book Template.md").unwrap();
    assert_eq!(book["line"], 13, "`created: {{{{date}}}}` is line 13 of the file");
    let tpl = ws.show("Book Template");
    assert!(tpl["body"].as_str().unwrap().starts_with("---\ncategories:"), "kept as text");
    assert_eq!(tpl["links"].as_array().unwrap().len(), 1, "the [[Books]] in the unparsed front matter is still a link");

    // Counted by hand: Notes/Evergreen notes turn ideas….md has 5 front-matter links (Posts, Clippings,
    // Steph Ango, Evergreen resolve; Published does not) and 10 body links, of which only
    // [[evergreen]] resolves (case-insensitively, to Categories/Evergreen.md).
    let ev = ws.show("Evergreen notes turn ideas into objects that you can manipulate");
    let links = ev["links"].as_array().unwrap();
    assert_eq!(links.len(), 15);
    assert_eq!(links.iter().filter(|l| !l["id"].is_null()).count(), 5);
    assert_eq!(link_to(&ev, "Evergreen")["kind"], "note");
    assert!(link_to(&ev, "Everything is a remix")["id"].is_null());
    assert_eq!(ev["tags"], serde_json::json!(["0🌲"]));
    assert_eq!(ev["fields"]["properties"]["url"], "https://stephango.com/evergreen-notes");
    assert_eq!(ev["fields"]["properties"]["published"], "2022-09-16");
    let body = ev["body"].as_str().unwrap();
    assert!(body.starts_with("Using [[evergreen]] notes"), "front matter is not part of the body");
    assert!(body.contains("\ncategories:: [[Posts]], [[Clippings]]\n"), "link properties become inline fields: {body}");

    // Notes/2023 Japan Trip.md: an empty body, 3 front-matter links (Trips and Kyoto are notes, Japan is not).
    let trip = ws.show("2023 Japan Trip");
    assert_eq!(trip["links"].as_array().unwrap().len(), 3);
    assert!(link_to(&trip, "Japan")["id"].is_null());
    assert_eq!(link_to(&trip, "Kyoto")["kind"], "note");
    assert_eq!(trip["fields"]["properties"]["start"], "2023-09-12");
    let kyoto_back = ws.json(&["backlinks", "Kyoto"]);
    assert!(kyoto_back.as_array().unwrap().iter().any(|b| b["title"] == "2023 Japan Trip"));

    // Attributed and logged like any other change.
    let h = ws.json(&["history", "2023 Japan Trip"]);
    assert_eq!(h[0]["op"], "create");
    assert_eq!(h[0]["author"], "Anna");
}

#[test]
fn importing_the_same_vault_again_updates_instead_of_duplicating() {
    let ws = Ws::new();
    let src = tempfile::tempdir().unwrap();
    std::fs::create_dir(src.path().join("sub")).unwrap();
    std::fs::write(src.path().join("A.md"), "---\ntags: [x]\n---\nSee [[B]].\n").unwrap();
    std::fs::write(src.path().join("sub/B.md"), "Bee\n").unwrap();
    let dir = src.path().to_str().unwrap();
    let r = ws.json(&["import", "vault", dir]);
    assert_eq!((r["created"].as_u64(), r["resolved"].as_u64()), (Some(2), Some(1)));
    let r = ws.json(&["import", "vault", dir]);
    assert_eq!((r["created"].as_u64(), r["unchanged"].as_u64()), (Some(0), Some(2)));
    std::fs::write(src.path().join("sub/B.md"), "Bee, changed\n").unwrap();
    let r = ws.json(&["import", "vault", dir]);
    assert_eq!((r["created"].as_u64(), r["updated"].as_u64(), r["unchanged"].as_u64()), (Some(0), Some(1), Some(1)));
    assert_eq!(ws.json(&["list"]).as_array().unwrap().len(), 2);
    assert_eq!(ws.show("B")["body"], "Bee, changed\n");
    assert_eq!(ws.json(&["history", "B"]).as_array().unwrap().len(), 2);
}

#[test]
fn a_logseq_graph_imports_with_namespaces_properties_aliases_and_journals() {
    let ws = Ws::new();
    let r = ws.json(&["import", "vault", logseq().to_str().unwrap(), "--format", "logseq"]);
    let md = count_files(&logseq().join("pages"), ".md") + count_files(&logseq().join("journals"), ".md");
    assert_eq!(r["items"], md as u64);
    assert_eq!(md, 313);
    let org = count_files(&logseq(), ".org");
    let warnings = r["warnings"].as_array().unwrap();
    assert_eq!(warnings.iter().filter(|w| w["message"].as_str().unwrap().contains("org-mode")).count(), org);
    // 1831 `[[…]]` outside code in the Markdown pages (counted with a separate regex over the files).
    assert_eq!(r["links"], 1831);

    // Counted by hand: pages/Whiteboard___Action Bar___Arrow head toggle.md is the namespace page
    // "Whiteboard/Action Bar/Arrow head toggle", alias "Arrow head toggle", with 3 links, all resolving:
    // [[Tool]] through an alias of Whiteboard/Tool, [[All Platforms]], [[Publish Web]].
    let p = ws.show("Whiteboard/Action Bar/Arrow head toggle");
    assert_eq!(p["aliases"], serde_json::json!(["Arrow head toggle"]));
    assert_eq!(p["fields"]["properties"]["description"], "Allows toggling the arrow heads of connectors");
    let links = p["links"].as_array().unwrap();
    assert_eq!(links.len(), 3);
    assert!(links.iter().all(|l| !l["id"].is_null()), "{links:?}");
    assert_eq!(link_to(&p, "Whiteboard/Tool")["rel"], "references");
    // The namespace page is reached by its full name from Whiteboard/Action Bar.
    let back = ws.json(&["backlinks", "Whiteboard/Action Bar/Arrow head toggle"]);
    assert!(back.as_array().unwrap().iter().any(|b| b["title"] == "Whiteboard/Action Bar"), "{back}");
    // File names: %3F is "?"; journals/2020_09_14.md is "Sep 14th, 2020", Logseq's date title.
    assert_eq!(ws.show("New to Logseq?")["kind"], "note");
    assert_eq!(ws.show("Sep 14th, 2020")["kind"], "note");
    // Block references stay as text.
    assert!(ws.show("Block Reference")["body"].as_str().unwrap().contains("(("));
}

#[test]
fn front_matter_kinds_fields_and_typed_links_are_kept() {
    let ws = Ws::new();
    let src = tempfile::tempdir().unwrap();
    let w = |p: &str, s: &str| {
        let path = src.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, s).unwrap();
    };
    w("Slow exports.md", "---\nkind: signal\nsource: interview\ncustomer: Acme\ndate: 2026-03-01\n---\nExports take minutes.\n");
    w("Exports matter.md", "---\ntype: insight\nstatus: validated\nrating: 4\n---\nevidence:: [[Slow exports]]\n");
    w("Release date.md", "---\nkind: friction\nseverity: high\npositions:\n  Sales: March\n  Engineering: May\n---\n");
    w("Ship in May.md", "---\nkind: resolution\ndecision: May\n---\nresolves:: [[Release date]]\n");
    w("Bad rule.md", "evidence:: [[Slow exports]]\n");
    w("a/Meeting.md", "In folder a\n");
    w("b/Meeting.md", "In folder b\n");
    w("Index.md", "[[b/Meeting]] and [[a/Meeting|the first]]\n");
    let r = ws.json(&["import", "vault", src.path().to_str().unwrap()]);
    assert_eq!(r["items"], 8);
    let s = ws.show("Slow exports");
    assert_eq!(
        (s["kind"].as_str(), s["fields"]["source"].as_str(), s["fields"]["customer"].as_str()),
        (Some("signal"), Some("interview"), Some("Acme"))
    );
    let i = ws.show("Exports matter");
    assert_eq!((i["kind"].as_str(), i["fields"]["status"].as_str()), (Some("insight"), Some("validated")));
    assert_eq!(i["fields"]["properties"]["rating"], 4);
    assert_eq!(link_to(&i, "Slow exports")["rel"], "evidence");
    let f = ws.show("Release date");
    assert_eq!(f["fields"]["status"], "resolved", "the imported resolution resolves it");
    assert_eq!(f["fields"]["positions"]["Engineering"], "May");
    // A typed link that breaks a rule is a warning naming the file and line, not a failure.
    let warn = r["warnings"].as_array().unwrap().iter().find(|w| w["file"] == "Bad rule.md").expect("a warning for Bad rule.md");
    assert_eq!(warn["line"], 1);
    assert!(warn["message"].as_str().unwrap().contains("insight"), "{warn}");
    // Two notes named Meeting: the path tells them apart.
    let idx = ws.show("Index");
    let targets: Vec<String> = idx["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| ws.show(l["id"].as_str().expect("resolved"))["body"].as_str().unwrap().trim().to_string())
        .collect();
    assert_eq!(targets, ["In folder b", "In folder a"]);
}

#[test]
fn broken_vault_content_is_reported_by_file_and_the_rest_imports() {
    let ws = Ws::new();
    let missing = ws.fails(&["import", "vault", "/no/such/vault"]);
    assert!(missing.contains("/no/such/vault") && missing.contains("no such folder"), "{missing}");

    let src = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), "outside the vault").unwrap();
    std::fs::write(src.path().join("Good.md"), "fine [[Other]]\n").unwrap();
    std::fs::write(src.path().join("Binary.md"), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").unwrap();
    std::fs::write(src.path().join("Latin1.md"), b"line one\nline two\nbad \xe9 byte\n").unwrap();
    std::fs::write(src.path().join("Open.md"), "---\ntitle: never closed\nbody text [[Good]]\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.md"), src.path().join("Escape.md")).unwrap();
    let r = ws.json(&["import", "vault", src.path().to_str().unwrap()]);
    assert_eq!(r["items"], 2, "Good and Open import: {r}");
    let warnings = r["warnings"].as_array().unwrap();
    let find = |file: &str| warnings.iter().find(|w| w["file"] == file).unwrap_or_else(|| panic!("no warning for {file}: {warnings:?}"));
    assert!(find("Binary.md")["message"].as_str().unwrap().contains("not a text file"));
    assert_eq!(find("Latin1.md")["line"], 3);
    assert!(find("Escape.md")["message"].as_str().unwrap().contains("outside the vault"));
    assert!(find("Open.md")["message"].as_str().unwrap().contains("not closed"));
    assert!(ws.run(&["show", "secret"]).code != 0, "nothing from outside the vault");
    // Without --json the warnings go to stderr, one per line, naming the file.
    let plain = ws.run(&["import", "vault", src.path().to_str().unwrap()]);
    assert_eq!(plain.code, 0);
    assert!(plain.stderr.lines().any(|l| l.starts_with("warning: Latin1.md line 3: not UTF-8")), "{}", plain.stderr);
    assert!(plain.stdout.contains("Imported 2 items (0 new, 0 updated, 2 unchanged)"), "{}", plain.stdout);
}

#[test]
fn a_terminal_gets_twenty_warnings_and_a_count_of_the_rest_while_json_lists_all() {
    let ws = Ws::new();
    let src = tempfile::tempdir().unwrap();
    // 25 notes whose front matter is a template placeholder: each imports, with a warning.
    for i in 0..25 {
        std::fs::write(src.path().join(format!("Template {i:02}.md")), "---\ntitle: {{title}}\ntags: [{{tags}}\n---\nBody\n").unwrap();
    }
    let plain = ws.run(&["import", "vault", src.path().to_str().unwrap()]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    let warnings: Vec<&str> = plain.stderr.lines().filter(|l| l.starts_with("warning: ")).collect();
    assert_eq!(warnings.len(), 20, "{}", plain.stderr);
    assert!(plain.stderr.contains("… and 5 more warnings (--json lists them all)"), "{}", plain.stderr);
    let r = ws.json(&["import", "vault", src.path().to_str().unwrap()]);
    assert_eq!(r["warnings"].as_array().unwrap().len(), 25, "{r}");
}

#[test]
fn jira_and_bugzilla_csv_exports_import_with_a_mapping() {
    let ws = Ws::new();
    let map = ["--map", "title=Summary", "--map", "body=Description", "--map", "ref=Issue id", "--map", "date=Created"];
    let mut args = vec!["import", "signals"];
    let hadoop = sig("gitbugs/hadoop_bugs.csv");
    args.push(&hadoop);
    args.extend_from_slice(&map);
    let r = ws.json(&args);
    // The fixture holds all 2,503 tickets (CRLF, multi-line quoted descriptions).
    assert_eq!((r["items"].as_u64(), r["created"].as_u64()), (Some(2503), Some(2503)), "{r}");
    assert_eq!(r["errors"].as_array().unwrap().len(), 0);
    // The first row, read by hand: 13404344, created "30/Sep/21 17:20".
    let s = ws.show("JAR in conflict with timestamp check causes AM errors");
    assert_eq!(s["kind"], "signal");
    assert_eq!(s["fields"]["ref"], "13404344");
    assert_eq!(s["fields"]["date"], "2021-09-30");
    assert_eq!(s["fields"]["properties"]["Priority"], "Blocker");
    // Its text holds `[1]` and `'s`: kept as text inside a fenced block.
    assert!(s["body"].as_str().unwrap().starts_with("```text\nAfter an init action pulls down a new JAR"), "{}", s["body"]);
    assert!(!s["body"].as_str().unwrap().contains('\r'));
    // Again: matched on the external reference.
    let r = ws.json(&args);
    assert_eq!((r["created"].as_u64(), r["unchanged"].as_u64()), (Some(0), Some(2503)));
    assert_eq!(ws.json(&["list", "--kind", "signal"]).as_array().unwrap().len(), 2503);

    // Bugzilla: ISO dates with an offset and a space; titles with pipes stay readable.
    let sm = sig("gitbugs/SeaMonkey_bugs.csv");
    let mut args = vec!["import", "signals", &sm];
    args.extend_from_slice(&map);
    let r = ws.json(&args);
    assert_eq!(r["created"], 200);
    let id = ws.json(&["list", "--kind", "signal"]).as_array().unwrap().len();
    assert_eq!(id, 2703);
    let port = ws.show("Port ¦Bug 752376 - Avoid calling scrollbox.ensureElementIsVisible() if the tab strip doesn't overflow to prevent layout flushes¦ to SeaMonkey");
    assert_eq!(port["fields"]["date"], "2020-01-02");
    assert_eq!(port["fields"]["ref"], "1606681");
}

#[test]
fn ticket_text_is_imported_as_text_and_titles_keep_their_hash() {
    let ws = Ws::new();
    let hadoop = sig("gitbugs/hadoop_bugs.csv");
    ws.json(&[
        "import",
        "signals",
        &hadoop,
        "--map",
        "title=Summary",
        "--map",
        "body=Description",
        "--map",
        "ref=Issue id",
        "--map",
        "date=Created",
    ]);
    // HADOOP 13327954's description is a shell script with `[[ -n "${HADOOP_HOME}" ]]`.
    let sudo = ws.show("Sudo in hadoop-functions.sh should preserve environment variables");
    let body = sudo["body"].as_str().unwrap();
    assert!(body.contains(r#"if [[ -n "${HADOOP_HOME}" ]]; then"#), "{body}");
    assert!(body.starts_with("```text\n") && body.ends_with("\n```"), "{body}");
    // Not a link: nothing is unresolved, in this signal or anywhere in the 2,503 tickets.
    assert_eq!(sudo["links"].as_array().map_or(0, Vec::len), 0, "{sudo}");
    assert_eq!(ws.json(&["unresolved"]).as_array().unwrap().len(), 0);
    // A `#` in a title is kept as written, and a link naming that title whole goes to it.
    let t = ws.show("TestZKFailoverController#testNoZK is flaky");
    assert_eq!(t["title"], "TestZKFailoverController#testNoZK is flaky");
    assert_eq!(
        ws.json(&["list", "--kind", "signal"]).as_array().unwrap().iter().filter(|s| s["title"].as_str().unwrap().contains('＃')).count(),
        0
    );
    ws.ok(&["add", "insight", "--title", "Flaky ZK tests", "--body", "evidence:: [[TestZKFailoverController#testNoZK is flaky]]"]);
    let i = ws.show("Flaky ZK tests");
    assert_eq!(i["links"][0]["id"], t["id"], "{i}");
    assert!(i["links"][0].get("heading").is_none(), "{i}");
    // Titles in brackets, or with a `/` beside a space, are linked as they are: the typed line the
    // link writes reads back as that title.
    for title in [
        "[s3a] Intermittent failure of ITestS3ADeleteCost.testDeleteSingleFileInDir",
        "Certificate doesn't match any of the subject alternative names: [*.s3.amazonaws.com, s3.amazonaws.com]",
        "s3a mkdir path/ can add 404 to S3 load balancers",
    ] {
        let s = ws.show(title);
        ws.ok(&["link", "--rel", "evidence", "Flaky ZK tests", s["id"].as_str().unwrap()]);
        let i = ws.show("Flaky ZK tests");
        let linked = i["links"].as_array().unwrap().iter().any(|l| l["id"] == s["id"]);
        assert!(linked, "{title}: {i}");
    }
    assert_eq!(ws.json(&["unresolved"]).as_array().unwrap().len(), 0);
    // Plain prose stays as it was.
    let f = std::env::temp_dir().join(format!("plain-{}.csv", std::process::id()));
    std::fs::write(&f, "title,body\nSlow export,The export takes an hour for us\nBold,Use **bold** and <b>tags</b>\n").unwrap();
    ws.json(&["import", "signals", f.to_str().unwrap()]);
    assert_eq!(ws.show("Slow export")["body"], "The export takes an hour for us");
    assert_eq!(ws.show("Bold")["body"], "```text\nUse **bold** and <b>tags</b>\n```");
    std::fs::remove_file(&f).ok();
}

#[test]
fn nested_json_without_a_records_path_says_where_the_records_seem_to_be() {
    let ws = Ws::new();
    let f = fixtures().join("signals/cfpb-complaints/document_get-detail.json");
    let e = ws.fails(&["import", "signals", f.to_str().unwrap()]);
    assert!(
        e.contains("document_get-detail.json: the records seem to be nested: give --records hits.hits[]._source (1 record there)"),
        "{e}"
    );
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    assert_eq!(ws.json(&["list", "--kind", "signal"]).as_array().unwrap().len(), 0);
}

#[test]
fn nested_json_complaints_import_and_match_across_files() {
    let ws = Ws::new();
    let dir = fixtures().join("signals/cfpb-complaints");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    files.sort();
    let mut created = 0;
    let mut seen = 0;
    for f in &files {
        let r = ws.json(&[
            "import",
            "signals",
            f.to_str().unwrap(),
            "--records",
            "hits.hits[]._source",
            "--map",
            "title=issue",
            "--map",
            "body=complaint_what_happened",
            "--map",
            "ref=complaint_id",
            "--map",
            "date=date_received",
            "--map",
            "customer=state",
            "--map",
            "tags=tags",
        ]);
        assert_eq!(r["errors"].as_array().unwrap().len(), 0, "{}: {r}", f.display());
        created += r["created"].as_u64().unwrap();
        seen += r["items"].as_u64().unwrap();
    }
    // 151 records in 10 files, 114 distinct complaint ids (the manifest; the same complaint appears in several files).
    assert_eq!(seen, 151);
    assert_eq!(created, 114);
    assert_eq!(ws.json(&["list", "--kind", "signal"]).as_array().unwrap().len(), 114);
    // document_get-detail.json, read by hand: complaint 3146099, "Trouble using your card", received
    // 2019-02-07T12:00:00-05:00 from PA about CAPITAL ONE FINANCIAL CORPORATION, tags null.
    let s = ws.show("Trouble using your card");
    assert_eq!(s["fields"]["ref"], "3146099");
    assert_eq!(s["fields"]["date"], "2019-02-07");
    assert_eq!(s["fields"]["customer"], "PA");
    assert_eq!(s["fields"]["properties"]["company"], "CAPITAL ONE FINANCIAL CORPORATION");
    assert_eq!(s["tags"], serde_json::json!([]));
}

#[test]
fn bad_signal_rows_are_reported_by_row_and_the_rest_import() {
    let ws = Ws::new();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("s.csv");
    std::fs::write(
        &csv,
        b"Title;Text;When;Id\r\n\"First; with semicolon\";\"two\r\nlines\";2026-03-01;A1\r\nSecond;x;not a date;A2\r\n;no title;2026-03-02;A3\r\nFourth;too;many;fields;here\r\nFifth;bad \xff byte;2026-03-03;A5\r\nSixth;ok;01.02.2026;A6\r\n",
    )
    .unwrap();
    let p = csv.to_str().unwrap();
    let r = ws.json(&["import", "signals", p, "--map", "title=Title", "--map", "body=Text", "--map", "date=When", "--map", "ref=Id"]);
    assert_eq!(r["items"], 2, "{r}");
    let errors = r["errors"].as_array().unwrap();
    let rows: Vec<u64> = errors.iter().map(|e| e["row"].as_u64().unwrap()).collect();
    assert_eq!(rows, [2, 3, 4, 5], "{errors:?}");
    assert!(errors[0]["message"].as_str().unwrap().contains("not a date"));
    assert!(errors[1]["message"].as_str().unwrap().contains("no title"));
    assert!(errors[2]["message"].as_str().unwrap().contains("has 5 fields"));
    assert!(errors[3]["message"].as_str().unwrap().contains("not UTF-8"));
    assert_eq!(ws.show("First; with semicolon")["body"], "two\nlines");
    assert_eq!(ws.show("Sixth")["fields"]["date"], "2026-02-01");

    // A mapped column that does not exist stops the import before anything is written.
    let err = ws.fails(&["import", "signals", p, "--map", "title=Headline"]);
    assert!(err.contains("s.csv") && err.contains("'Headline'") && err.contains("Title, Text, When, Id"), "{err}");
    assert!(ws.fails(&["import", "signals", p, "--map", "colour=Title"]).contains("not a signal field"));
    assert!(ws.fails(&["import", "signals", "/no/such.csv", "--map", "title=Title"]).contains("no such file"));

    // JSON Lines, with a broken line reported by its line number.
    let jl = dir.path().join("s.jsonl");
    std::fs::write(&jl, "{\"t\": \"One\", \"src\": \"review\"}\n{broken\n{\"t\": \"Two\", \"src\": \"gossip\"}\n").unwrap();
    let r = ws.json(&["import", "signals", jl.to_str().unwrap(), "--map", "title=t", "--map", "source=src"]);
    assert_eq!(r["items"], 2);
    assert_eq!(r["errors"][0]["line"], 2);
    assert_eq!(ws.show("One")["fields"]["source"], "review");
    let w = r["warnings"].as_array().unwrap().iter().find(|w| w["row"] == 2).expect("a warning for the unknown source");
    assert!(w["message"].as_str().unwrap().contains("gossip"));
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "[{\"t\": 1},").unwrap();
    assert!(ws.fails(&["import", "signals", bad.to_str().unwrap(), "--map", "title=t"]).contains("not valid JSON"));
}

#[test]
fn a_killed_import_keeps_whole_batches_and_a_rerun_completes_it() {
    let ws = Ws::new();
    let src = tempfile::tempdir().unwrap();
    let n = 4500;
    for i in 0..n {
        let link = if i > 0 { format!("[[Note {}]]", i - 1) } else { String::new() };
        std::fs::write(src.path().join(format!("Note {i}.md")), format!("---\ntags: [bulk]\n---\nBody {i} {link}\n")).unwrap();
    }
    // Killed at whatever point it has reached: the assertions below hold for any point.
    let mut child = Command::new(crate::util::bin())
        .args(["import", "vault", src.path().to_str().unwrap()])
        .env("MELLANRUM_WORKSPACE", ws.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(250));
    let _ = child.kill();
    let _ = child.wait();
    let db = rusqlite::Connection::open(ws.path().join(mellanrum::workspace::DB_FILE)).unwrap();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    let items = count("SELECT COUNT(*) FROM items");
    assert!(items % 1000 == 0 || items == n, "whole batches only, found {items} items");
    // Every item that landed has its revision, change-log entry, index-queue entry and its tags.
    assert_eq!(count("SELECT COUNT(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.item_id = i.id)"), 0);
    assert_eq!(count("SELECT COUNT(DISTINCT entity_id) FROM changes WHERE entity = 'item'"), items);
    assert_eq!(count("SELECT COUNT(DISTINCT item_id) FROM index_queue"), items);
    assert_eq!(count("SELECT COUNT(*) FROM tags"), items);
    drop(db);
    let r = ws.json(&["import", "vault", src.path().to_str().unwrap()]);
    assert_eq!((r["created"].as_i64(), r["unchanged"].as_i64()), (Some(n - items), Some(items)));
    assert_eq!((r["links"].as_i64(), r["resolved"].as_i64()), (Some(n - 1), Some(n - 1)));
    assert_eq!(ws.json(&["info"])["counts"]["note"], n);
}

#[test]
fn the_window_guesses_the_mapping_of_common_exports_and_previews_rows_as_imported() {
    use mellanrum::import::signals::{guess_mapping, preview, Options};
    let cols = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let map = |c: &[&str]| guess_mapping(&cols(c)).into_iter().collect::<std::collections::BTreeMap<_, _>>();
    let pairs = |p: &[(&str, &str)]| p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<std::collections::BTreeMap<_, _>>();
    // Jira (the Hadoop export), Bugzilla, Zendesk, Intercom, Productboard, GitHub issues.
    let jira = ["Summary", "Issue id", "Status", "Priority", "Resolution", "Created", "Resolved", "Affects Version/s", "Description"];
    assert_eq!(map(&jira), pairs(&[("title", "Summary"), ("body", "Description"), ("date", "Created"), ("ref", "Issue id")]));
    assert_eq!(map(&["Bug ID", "Summary", "Reporter", "Opened"])["ref"], "Bug ID");
    let zendesk = map(&["Id", "Subject", "Description", "Requester", "Organization", "Via", "Created at", "Tags"]);
    assert_eq!(
        zendesk,
        pairs(&[
            ("title", "Subject"),
            ("body", "Description"),
            ("customer", "Organization"),
            ("source", "Via"),
            ("date", "Created at"),
            ("ref", "Id"),
            ("tags", "Tags")
        ])
    );
    let intercom = map(&["Conversation ID", "Conversation subject", "First message", "Company name", "Created at"]);
    assert_eq!(
        intercom,
        pairs(&[
            ("title", "Conversation subject"),
            ("quote", "First message"),
            ("customer", "Company name"),
            ("date", "Created at"),
            ("ref", "Conversation ID")
        ])
    );
    let pb = map(&["Note title", "Note text", "Company", "Created date", "Source", "Tags", "Note ID"]);
    assert_eq!(pb["title"], "Note title");
    assert_eq!(pb["body"], "Note text");
    let gh = map(&["number", "title", "body", "user", "labels", "created_at", "html_url"]);
    assert_eq!(
        gh,
        pairs(&[("title", "title"), ("body", "body"), ("customer", "user"), ("date", "created_at"), ("ref", "number"), ("tags", "labels")])
    );
    // The first ten Hadoop rows as the import will write them.
    let f = fixtures().join("signals/gitbugs/hadoop_bugs.csv");
    let opts = Options { map: guess_mapping(&cols(&jira)), ..Default::default() };
    let rows = preview(&f, &opts, 10).unwrap();
    assert_eq!(rows.len(), 10);
    assert_eq!(
        (rows[0].title.as_str(), rows[0].date.as_str(), rows[0].reference.as_str()),
        ("JAR in conflict with timestamp check causes AM errors", "2021-09-30", "13404344")
    );
    assert!(rows[0].body.starts_with("After an init action pulls down a new JAR"), "{:?}", rows[0]);
    assert!(rows.iter().all(|r| r.problem.is_empty()), "{rows:?}");
}

#[test]
fn a_selection_is_tagged_or_linked_in_one_transaction() {
    use mellanrum::workspace::{Edit, Workspace};
    use mellanrum::Rel;
    let ws = Ws::new();
    let a = ws.add("signal", "Export is slow", &[]);
    let b = ws.add("signal", "Export times out", &[]);
    let i = ws.add("insight", "Exports hurt", &[]);
    let mut w = Workspace::open(ws.path()).unwrap();
    let tag = |t: &str| Edit { add_tags: vec![t.into()], ..Default::default() };
    assert_eq!(w.update_many(&[a.clone(), b.clone()], tag("triaged")).unwrap(), 2);
    assert_eq!(w.update_many(&[a.clone(), b.clone()], tag("triaged")).unwrap(), 0, "nothing changes twice");
    // One id that is no item: none of them changes.
    assert!(w.update_many(&[a.clone(), "no-such-item".into()], tag("export")).is_err());
    assert!(ws.show("Export is slow")["tags"].as_array().unwrap().iter().all(|t| t != "export"));
    // Links from the insight to both signals in one save of its body.
    w.link_many(&i, &[a.clone(), b.clone()], Rel::Evidence).unwrap();
    let links = ws.show("Exports hurt")["links"].clone();
    assert_eq!(links.as_array().unwrap().len(), 2, "{links}");
    assert_eq!(ws.json(&["history", "Exports hurt"]).as_array().unwrap().len(), 2, "one revision for both links");
    // A link that breaks its kind rule leaves the body as it was.
    let n = ws.add("note", "A note", &[]);
    assert!(w.link_many(&i, &[n], Rel::Evidence).is_err());
    assert_eq!(ws.show("Exports hurt")["links"].as_array().unwrap().len(), 2);
}

#[test]
fn linking_many_stops_at_an_unknown_target_and_links_none() {
    use mellanrum::workspace::Workspace;
    use mellanrum::Rel;
    let ws = Ws::new();
    let a = ws.add("signal", "Login page is slow", &[]);
    let b = ws.add("signal", "Login times out", &[]);
    ws.add("insight", "Logins hurt", &[]);
    let mut w = Workspace::open(ws.path()).unwrap();
    let i = w.resolve_ref("Logins hurt").unwrap();
    // The second of three is no item: the first is not linked either, and nothing is saved.
    let err = w.link_many(&i, &[a.clone(), "no-such-item".into(), b.clone()], Rel::Evidence).unwrap_err();
    assert!(err.to_string().contains("no-such-item"), "{err}");
    assert_eq!(ws.show("Logins hurt")["links"].as_array().unwrap().len(), 0);
    assert_eq!(ws.json(&["history", "Logins hurt"]).as_array().unwrap().len(), 1, "no revision was written");
    // The same selection without it links both in one revision.
    w.link_many(&i, &[a.clone(), b.clone(), a.clone()], Rel::Evidence).unwrap();
    assert_eq!(ws.show("Logins hurt")["links"].as_array().unwrap().len(), 2, "a signal selected twice is linked once");
    assert_eq!(ws.json(&["history", "Logins hurt"]).as_array().unwrap().len(), 2);
    // Linked already: nothing to save, no revision.
    w.link_many(&i, &[b, a], Rel::Evidence).unwrap();
    assert_eq!(ws.json(&["history", "Logins hurt"]).as_array().unwrap().len(), 2);
}
