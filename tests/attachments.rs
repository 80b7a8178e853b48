//! Files that come with the knowledge: attached from the command line, linked the way Obsidian
//! links them, listed, copied out, detached, checked by `doctor`, and refused with one clear line
//! when too large or badly named.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::util::Ws;

/// A small picture's bytes (a PNG signature and some content of its own).
fn picture(seed: u8, len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    b
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Every file under the workspace's file store, temporary ones included.
fn stored(ws: &Ws) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let root = ws.path().join("files");
    let Ok(dirs) = std::fs::read_dir(&root) else { return out };
    for d in dirs {
        for f in std::fs::read_dir(d.unwrap().path()).unwrap() {
            out.push(f.unwrap().path());
        }
    }
    out.sort();
    out
}

#[test]
fn a_file_is_attached_linked_listed_copied_out_and_detached() {
    let ws = Ws::new();
    let src = tempfile::tempdir().unwrap();
    let png = picture(1, 5000);
    let chart = write(src.path(), "chart.png", &png);
    let note = ws.add("note", "Pricing call", &["--body", "What Lisa said.\n"]);

    let r = ws.json(&["attach", "Pricing call", chart.to_str().unwrap()]);
    assert_eq!(r["stored"], 1);
    assert_eq!(r["files"][0]["name"], "chart.png");
    assert_eq!(r["files"][0]["media_type"], "image/png");
    assert_eq!(r["files"][0]["size"], png.len() as u64);
    assert_eq!(r["files"][0]["sha256"], sha(&png));
    assert_eq!(r["files"][0]["added_by"], "Anna");
    // Stored once, by its hash, byte for byte; linked from the body as an embed.
    let blob = ws.path().join("files").join(&sha(&png)[..2]).join(sha(&png));
    assert_eq!(std::fs::read(&blob).unwrap(), png);
    assert_eq!(ws.show(&note)["body"], "What Lisa said.\n\n![[chart.png]]\n");
    // The link reaches the file: nothing is unresolved.
    assert_eq!(ws.json(&["unresolved"]), serde_json::json!([]));
    let linked = ws.json(&["attachments", "Pricing call"]);
    assert_eq!(linked.as_array().unwrap().len(), 1);
    assert_eq!(linked[0]["file"]["sha256"], sha(&png));
    assert_eq!(linked[0]["embed"], true);

    // The same content again (another item, another copy of the file) is linked, not stored twice.
    let copy = write(&src.path().join("elsewhere"), "chart.png", &png);
    ws.add("note", "Follow-up", &[]);
    let r = ws.json(&["attach", "Follow-up", copy.to_str().unwrap()]);
    assert_eq!(r["stored"], 0);
    assert_eq!(stored(&ws), vec![blob.clone()]);
    assert_eq!(ws.json(&["attachments"]).as_array().unwrap().len(), 1);

    // A PDF is linked, not embedded; Markdown links to files count as well as wikilinks.
    let pdf = write(src.path(), "Q3 report.pdf", b"%PDF-1.4 a report");
    ws.ok(&["attach", "Follow-up", pdf.to_str().unwrap()]);
    let body = ws.show("Follow-up")["body"].as_str().unwrap().to_string();
    assert!(body.ends_with("![[chart.png]]\n\n[[Q3 report.pdf]]\n"), "{body}");
    ws.ok(&["edit", "Follow-up", "--body", &format!("{body}See ![the chart](chart.png) and ![[gone.png]]\n")]);
    let linked = ws.json(&["attachments", "Follow-up"]);
    let targets: Vec<(&str, bool)> =
        linked.as_array().unwrap().iter().map(|l| (l["target"].as_str().unwrap(), l["file"].is_object())).collect();
    assert_eq!(targets, vec![("chart.png", true), ("Q3 report.pdf", true), ("chart.png", true), ("gone.png", false)]);
    // Only the link whose file is really missing is unresolved.
    let u = ws.json(&["unresolved"]);
    assert_eq!(u.as_array().unwrap().len(), 1, "{u}");
    assert_eq!(u[0]["target"], "gone.png");

    // A file's name finds the notes that link it.
    let hits = ws.json(&["search", "Q3 report"]);
    assert!(hits["hits"].as_array().unwrap().iter().any(|h| h["title"] == "Follow-up"), "{hits}");

    // save-as writes a copy; it never overwrites.
    let out = src.path().join("copy.png");
    ws.ok(&["save-as", "chart.png", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out).unwrap(), png);
    let e = ws.fails(&["save-as", "chart.png", out.to_str().unwrap()]);
    assert!(e.contains("already exists"), "{e}");
    let into = tempfile::tempdir().unwrap();
    ws.ok(&["save-as", "q3 REPORT.pdf", into.path().to_str().unwrap()]);
    assert_eq!(std::fs::read(into.path().join("Q3 report.pdf")).unwrap(), b"%PDF-1.4 a report");
    let e = ws.fails(&["save-as", "nothing.png", out.to_str().unwrap()]);
    assert!(e.contains("no attachment named 'nothing.png'"), "{e}");

    // detach removes the links, keeps the file (the history still shows it linked).
    let r = ws.json(&["detach", "Pricing call", "chart.png"]);
    assert_eq!(r["removed"], 1);
    assert_eq!(ws.show(&note)["body"], "What Lisa said.\n\n");
    assert_eq!(ws.json(&["attachments", "Pricing call"]), serde_json::json!([]));
    assert_eq!(ws.json(&["history", "Pricing call"]).as_array().unwrap().len(), 3);
    assert!(blob.is_file());
    let e = ws.fails(&["detach", "Pricing call", "chart.png"]);
    assert!(e.contains("has no link to 'chart.png'"), "{e}");
    ws.ok(&["doctor"]);
}

#[test]
fn too_large_empty_and_badly_named_files_are_refused_with_one_line() {
    let ws = Ws::new();
    ws.add("note", "Call", &[]);
    let src = tempfile::tempdir().unwrap();
    let r = ws.json(&["attachments", "--max-size", "2KB"]);
    assert_eq!(r["max_size"], 2000);
    let big = write(src.path(), "big.png", &picture(2, 3000));
    let e = ws.fails(&["attach", "Call", big.to_str().unwrap()]);
    assert!(e.contains("big.png: 3 KB, over the limit of 2 KB a file"), "{e}");
    let empty = write(src.path(), "empty.txt", b"");
    let e = ws.fails(&["attach", "Call", empty.to_str().unwrap()]);
    assert!(e.contains("empty.txt: the file is empty"), "{e}");
    let ok = write(src.path(), "fine.png", &picture(3, 100));
    for (name, why) in [
        ("../evil.png", "path separator"),
        ("a/b.png", "path separator"),
        ("..", "start with a dot"),
        (".bashrc", "start with a dot"),
        ("CON.png", "reserved"),
        ("bell\u{7}.png", "control characters"),
        ("x[1].png", "cannot hold any of"),
        ("", "cannot be empty"),
    ] {
        let e = ws.fails(&["attach", "Call", ok.to_str().unwrap(), "--name", name]);
        assert!(e.contains(why), "{name:?}: {e}");
    }
    let e = ws.fails(&["attach", "Call", src.path().join("nope.png").to_str().unwrap()]);
    assert!(e.contains("nope.png: no such file"), "{e}");
    std::fs::create_dir(src.path().join("pics")).unwrap();
    let e = ws.fails(&["attach", "Call", src.path().join("pics").to_str().unwrap()]);
    assert!(e.contains("not a file"), "{e}");
    let twin = write(&src.path().join("b"), "fine.png", &picture(4, 100));
    let e = ws.fails(&["attach", "Call", ok.to_str().unwrap(), twin.to_str().unwrap()]);
    assert!(e.contains("two of the files are named 'fine.png'"), "{e}");
    let e = ws.fails(&["attach", "Nobody", ok.to_str().unwrap()]);
    assert!(e.contains("no item matches 'Nobody'"), "{e}");
    // Nothing of any of these was kept: no stored file, no half-written one, no change to the item.
    assert_eq!(stored(&ws), Vec::<PathBuf>::new());
    assert_eq!(ws.json(&["history", "Call"]).as_array().unwrap().len(), 1);

    // A second file under a name the workspace has for other content is refused; the first stays.
    ws.ok(&["attach", "Call", ok.to_str().unwrap()]);
    let e = ws.fails(&["attach", "Call", twin.to_str().unwrap()]);
    assert!(e.contains("an attachment named 'fine.png' is in the workspace already"), "{e}");
    ws.ok(&["attach", "Call", twin.to_str().unwrap(), "--name", "fine (2).png"]);
    assert_eq!(ws.json(&["attachments"]).as_array().unwrap().len(), 2);
    let e = ws.fails(&["attachments", "--max-size", "lots"]);
    assert!(e.contains("'lots' is not a size"), "{e}");
}

/// A workspace with a note "Whiteboard" and a picture `name` attached to it: the workspace, the
/// folder the picture came from, and its bytes.
fn whiteboard(name: &str, seed: u8, len: usize) -> (Ws, tempfile::TempDir, Vec<u8>) {
    let ws = Ws::new();
    ws.add("note", "Whiteboard", &[]);
    let src = tempfile::tempdir().unwrap();
    let png = picture(seed, len);
    ws.ok(&["attach", "Whiteboard", write(src.path(), name, &png).to_str().unwrap()]);
    (ws, src, png)
}

#[test]
fn doctor_checks_every_file_and_repair_removes_only_what_nothing_holds() {
    let (ws, src, png) = whiteboard("whiteboard.png", 5, 2000);
    // Detached: no body links to it now, but a past revision does.
    ws.ok(&["detach", "Whiteboard", "whiteboard.png"]);
    let blob = ws.path().join("files").join(&sha(&png)[..2]).join(sha(&png));
    // A file no attachment holds (an add killed before its transaction) and a leftover temp file.
    let stray = write(&ws.path().join("files/ab"), &format!("ab{}", "0".repeat(62)), b"stray");
    let part = write(&ws.path().join("files/tmp"), "x.part", b"half");

    let r = ws.run(&["doctor", "--json"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let check = r.json()["checks"].as_array().unwrap().iter().find(|c| c["name"] == "attachments").unwrap().clone();
    assert_eq!(check["status"], "problem");
    assert_eq!(check["details"].as_array().unwrap().len(), 2, "{check}");

    let r = ws.json(&["doctor", "--repair"]);
    let check = r["checks"].as_array().unwrap().iter().find(|c| c["name"] == "attachments").unwrap().clone();
    assert_eq!(check["status"], "repaired", "{check}");
    assert!(!stray.exists() && !part.exists());
    assert_eq!(std::fs::read(&blob).unwrap(), png, "a file a revision links to is never removed");
    ws.ok(&["doctor"]);

    // A damaged or missing file is reported (by name and hash), never "repaired" away.
    std::fs::write(&blob, b"not the picture").unwrap();
    let r = ws.run(&["doctor"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("whiteboard.png (sha256 ") && r.stdout.contains("does not match its hash"), "{}", r.stdout);
    assert_eq!(ws.run(&["doctor", "--repair"]).code, 2);
    assert!(blob.is_file());
    let e = ws.fails(&["save-as", "whiteboard.png", src.path().join("out.png").to_str().unwrap()]);
    assert!(e.contains("is damaged"), "{e}");
    assert!(!src.path().join("out.png").exists());
    std::fs::remove_file(&blob).unwrap();
    let r = ws.run(&["doctor"]);
    assert!(r.stdout.contains("the file is missing"), "{}", r.stdout);
}

/// An import report's warnings as `file: message` lines.
fn warnings(report: &serde_json::Value) -> Vec<String> {
    report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| format!("{}: {}", w["file"].as_str().unwrap(), w["message"].as_str().unwrap()))
        .collect()
}

fn kepano() -> PathBuf {
    crate::util::fixtures().join("vaults/kepano-obsidian/vault")
}

/// Every file under `dir` (dot folders left out), as paths from `dir`.
fn walk(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            walk(&e.path(), base, out);
        } else {
            out.push(e.path().strip_prefix(base).unwrap().to_path_buf());
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    let mut files = Vec::new();
    walk(from, from, &mut files);
    for f in files {
        std::fs::create_dir_all(to.join(&f).parent().unwrap()).unwrap();
        std::fs::copy(from.join(&f), to.join(&f)).unwrap();
    }
}

#[test]
fn an_obsidian_vault_brings_the_files_its_notes_link_to_once() {
    // The files the notes name, found here by a plain scan of `[[…]]` (not the importer's parser):
    // the cover picture in Attachments/ and the Obsidian bases the notes embed.
    let mut all = Vec::new();
    walk(&kepano(), &kepano(), &mut all);
    let others: Vec<&PathBuf> = all.iter().filter(|p| p.extension().is_none_or(|x| x != "md")).collect();
    let mut named = std::collections::BTreeSet::new();
    for p in all.iter().filter(|p| p.extension().is_some_and(|x| x == "md")) {
        let text = std::fs::read_to_string(kepano().join(p)).unwrap();
        for part in text.split("[[").skip(1) {
            let inner = part.split("]]").next().unwrap();
            let target = inner.split(['#', '|']).next().unwrap().to_lowercase();
            if others.iter().any(|o| o.file_name().unwrap().to_string_lossy().to_lowercase() == target) {
                named.insert(target);
            }
        }
    }
    assert_eq!(named.len(), 25, "the cover picture and 24 bases: {named:?}");

    let ws = Ws::new();
    let r = ws.json(&["import", "vault", kepano().to_str().unwrap()]);
    assert_eq!(r["files"], named.len() as u64);
    assert_eq!(r["files_new"], named.len() as u64);
    assert_eq!(r["attachments"], 62, "61 embeds of bases and the cover, as the manifest counts them");
    let warnings = warnings(&r);
    let skipped: Vec<&String> = warnings.iter().filter(|w| w.contains("not imported")).collect();
    assert_eq!(skipped.len(), others.len() - named.len(), "every file left out is named: {skipped:?}");
    assert!(skipped.iter().any(|w| w.starts_with("LICENSE: linked from no note")), "{skipped:?}");

    // No unresolved link names a file the vault has.
    let u = ws.json(&["unresolved"]);
    for t in u.as_array().unwrap() {
        let target = t["target"].as_str().unwrap().to_lowercase();
        assert!(!others.iter().any(|o| o.file_name().unwrap().to_string_lossy().to_lowercase() == target), "{target} is in the vault");
    }
    // The cover is the vault's file, byte for byte.
    let cover = std::fs::read(kepano().join("Attachments/out-of-control.jpg")).unwrap();
    let linked = ws.json(&["attachments", "Out of Control"]);
    assert_eq!(linked[0]["target"], "out-of-control.jpg");
    assert_eq!(linked[0]["file"]["path"], "Attachments/out-of-control.jpg");
    assert_eq!(linked[0]["file"]["media_type"], "image/jpeg");
    assert_eq!(linked[0]["file"]["sha256"], sha(&cover));
    let blobs = stored(&ws);

    // Importing again stores nothing new.
    let r = ws.json(&["import", "vault", kepano().to_str().unwrap()]);
    assert_eq!((r["files"].as_u64(), r["files_new"].as_u64(), r["unchanged"].as_u64()), (Some(25), Some(0), Some(103)));
    assert_eq!(ws.json(&["attachments"]).as_array().unwrap().len(), 25);
    assert_eq!(stored(&ws), blobs);
    ws.ok(&["doctor"]);
}

#[test]
fn a_changed_file_is_a_new_version_and_one_over_the_limit_is_reported_missing() {
    let src = tempfile::tempdir().unwrap();
    copy_tree(&kepano(), src.path());
    let vault = src.path().to_str().unwrap();
    let ws = Ws::new();
    ws.ok(&["import", "vault", vault]);
    let old = std::fs::read(src.path().join("Attachments/out-of-control.jpg")).unwrap();
    let new = picture(9, 300);
    std::fs::write(src.path().join("Attachments/out-of-control.jpg"), &new).unwrap();
    let r = ws.json(&["import", "vault", vault]);
    assert_eq!((r["files"].as_u64(), r["files_new"].as_u64()), (Some(25), Some(1)));
    // Links reach the newest file; the older one keeps its bytes.
    assert_eq!(ws.json(&["attachments", "Out of Control"])[0]["file"]["sha256"], sha(&new));
    assert!(ws.path().join("files").join(&sha(&old)[..2]).join(sha(&old)).is_file());
    ws.ok(&["doctor", "--repair"]);
    assert!(ws.path().join("files").join(&sha(&old)[..2]).join(sha(&old)).is_file());

    // In a workspace that takes files up to 100 KB, the 107 KB cover is left out with a warning,
    // and its link is what `unresolved` lists.
    let small = Ws::new();
    small.ok(&["attachments", "--max-size", "100KB"]);
    let r = small.json(&["import", "vault", kepano().to_str().unwrap()]);
    assert_eq!(r["files"], 24);
    let w = r["warnings"].as_array().unwrap().iter().find(|w| w["file"] == "Attachments/out-of-control.jpg").unwrap().clone();
    assert_eq!(w["message"], "107 KB, over the limit of 100 KB a file (`mellanrum attachments --max-size SIZE` changes it); not imported");
    let u = small.json(&["unresolved"]);
    assert!(u.as_array().unwrap().iter().any(|t| t["target"] == "out-of-control.jpg"), "{u}");
}

#[test]
fn a_logseq_graph_brings_its_assets_and_names_the_missing_ones() {
    let graph = crate::util::fixtures().join("vaults/logseq-assets/graph");
    let ws = Ws::new();
    let r = ws.json(&["import", "vault", graph.to_str().unwrap()]);
    assert_eq!((r["items"].as_u64(), r["files"].as_u64()), (Some(2), Some(2)));
    let warnings = warnings(&r);
    assert_eq!(
        warnings,
        vec![
            "pages/Cloze.md: links to the file '../assets/2021-07-22_21.53.38_1626962063719_0.gif', which is not in the vault",
            "pages/How to filter linked references.md: links to the file '../assets/filter-options_1641572394299_0.png', which is not in the vault",
            "assets/sidebar-make-a-flashcard.png: linked from no note; not imported",
        ]
    );
    let linked = ws.json(&["attachments", "How to filter linked references"]);
    let got: Vec<(&str, Option<&str>)> =
        linked.as_array().unwrap().iter().map(|l| (l["target"].as_str().unwrap(), l["file"]["path"].as_str())).collect();
    assert_eq!(
        got,
        vec![
            ("../assets/filter-options_1641572394299_0.png", None),
            ("../assets/filter-include_1641572468269_0.png", Some("assets/filter-include_1641572468269_0.png")),
            ("../assets/filter-exclude_1641572484236_0.png", Some("assets/filter-exclude_1641572484236_0.png")),
        ]
    );
    let bytes = std::fs::read(graph.join("assets/filter-include_1641572468269_0.png")).unwrap();
    assert_eq!(linked[1]["file"]["sha256"], sha(&bytes));
}

/// Every file under `dir` with its bytes.
fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.into_iter().map(|f| (f.clone(), std::fs::read(dir.join(&f)).unwrap())).collect()
}

#[test]
fn the_vault_export_writes_the_files_and_a_round_trip_keeps_every_byte() {
    let ws = Ws::new();
    ws.ok(&["import", "vault", kepano().to_str().unwrap()]);
    let src = tempfile::tempdir().unwrap();
    let pdf = write(src.path(), "Q3 report.pdf", b"%PDF-1.4 the report");
    ws.add("note", "Quarterly", &["--body", "The numbers.\n"]);
    ws.ok(&["attach", "Quarterly", pdf.to_str().unwrap()]);

    let out1 = tempfile::tempdir().unwrap();
    let e1 = out1.path().join("vault");
    ws.ok(&["export", "vault", "--out", e1.to_str().unwrap()]);
    let first = tree(&e1);
    // Each file is where the vault had it, byte for byte.
    for (path, bytes) in first.iter().filter(|(p, _)| p.extension().is_none_or(|x| x != "md")) {
        if path != Path::new("Q3 report.pdf") {
            assert_eq!(&std::fs::read(kepano().join(path)).unwrap(), bytes, "{path:?}");
        }
    }
    assert_eq!(
        first[&PathBuf::from("Attachments/out-of-control.jpg")],
        std::fs::read(kepano().join("Attachments/out-of-control.jpg")).unwrap()
    );
    assert_eq!(first[&PathBuf::from("Q3 report.pdf")], b"%PDF-1.4 the report");
    let exported_files = first.keys().filter(|p| p.extension().is_none_or(|x| x != "md")).count();
    assert_eq!(exported_files, 26, "25 files of the vault and the report");

    // Into a new workspace and out again: the same files, the same bytes; no link to a file unresolved.
    let ws2 = Ws::new();
    let r = ws2.json(&["import", "vault", e1.to_str().unwrap()]);
    assert_eq!((r["files"].as_u64(), r["attachments"].as_u64()), (Some(26), Some(63)));
    for t in ws2.json(&["unresolved"]).as_array().unwrap() {
        assert!(!crate_file_like(t["target"].as_str().unwrap()), "{t}");
    }
    let out2 = tempfile::tempdir().unwrap();
    let e2 = out2.path().join("vault");
    ws2.ok(&["export", "vault", "--out", e2.to_str().unwrap()]);
    let second = tree(&e2);
    assert_eq!(first.keys().collect::<Vec<_>>(), second.keys().collect::<Vec<_>>());
    for (path, bytes) in &first {
        assert_eq!(&second[path], bytes, "{path:?} differs after the round trip");
    }

    // A part of the workspace takes only the files its notes link to.
    let out3 = tempfile::tempdir().unwrap();
    let e3 = out3.path().join("vault");
    ws.ok(&["export", "vault", "--out", e3.to_str().unwrap(), "--query", "Quarterly", "--hops", "0"]);
    let part: Vec<PathBuf> = tree(&e3).into_keys().filter(|p| p.extension().is_none_or(|x| x != "md")).collect();
    assert_eq!(part, vec![PathBuf::from("Q3 report.pdf")]);
}

/// True when a link target names a file by its extension (a .base, .jpg, .pdf…).
fn crate_file_like(target: &str) -> bool {
    mellanrum::links::has_file_extension(target)
}

/// Anna attaches a picture; Erik, joining through `remote`, gets the row and the bytes; a file
/// Erik attaches reaches Anna; nothing is sent twice.
fn a_file_travels_between_two_workspaces(remote: &str, extra: &[&str]) {
    let anna = Ws::join(remote, "Anna", "Sales", extra);
    anna.add("note", "Whiteboard", &[]);
    let src = tempfile::tempdir().unwrap();
    let png = picture(11, 40_000);
    let photo = write(src.path(), "whiteboard.png", &png);
    anna.ok(&["attach", "Whiteboard", photo.to_str().unwrap()]);
    let r = anna.sync();
    assert_eq!(r["files_sent"], 1, "{r}");

    let erik = Ws::join(remote, "Erik", "Engineering", extra);
    let r = erik.sync();
    assert_eq!((r["files_received"].as_u64(), r["files_sent"].as_u64()), (Some(0), Some(0)), "the join synced already: {r}");
    let linked = erik.json(&["attachments", "Whiteboard"]);
    assert_eq!(linked[0]["file"]["sha256"], sha(&png), "{linked}");
    assert_eq!(linked[0]["file"]["added_by"], "Anna");
    let out = src.path().join("erik.png");
    erik.ok(&["save-as", "whiteboard.png", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out).unwrap(), png);
    assert_eq!(erik.json(&["unresolved"]), serde_json::json!([]));
    erik.ok(&["doctor"]);

    // Erik's file reaches Anna; the picture both hold is not sent again.
    let pdf = write(src.path(), "notes.pdf", b"%PDF-1.4 Erik's notes");
    erik.ok(&["attach", "Whiteboard", pdf.to_str().unwrap()]);
    let r = erik.sync();
    assert_eq!(r["files_sent"], 1, "{r}");
    let r = anna.sync();
    assert_eq!((r["files_received"].as_u64(), r["files_rows"].as_u64(), r["files_sent"].as_u64()), (Some(1), Some(1), Some(0)), "{r}");
    assert_eq!(anna.json(&["attachments"]).as_array().unwrap().len(), 2);
    let r = anna.sync();
    assert_eq!((r["files_received"].as_u64(), r["files_sent"].as_u64()), (Some(0), Some(0)), "{r}");
}

#[test]
fn a_file_travels_through_a_folder_plain_and_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    a_file_travels_between_two_workspaces(plain.to_str().unwrap(), &[]);
    // Plain storage keeps the bytes as they are, under their hash.
    let png = picture(11, 40_000);
    assert_eq!(std::fs::read(plain.join("files").join(&sha(&png)[..2]).join(sha(&png))).unwrap(), png);

    let sealed = dir.path().join("sealed");
    a_file_travels_between_two_workspaces(sealed.to_str().unwrap(), &["--key", &crate::sync::base64_key()]);
    let on_storage = std::fs::read(sealed.join("files").join(&sha(&png)[..2]).join(sha(&png))).unwrap();
    assert!(!on_storage.windows(64).any(|w| png.windows(64).next() == Some(w)), "the storage holds ciphertext");
    let mut rows = Vec::new();
    walk(&sealed.join("attachments"), &sealed, &mut rows);
    for r in rows {
        let text = String::from_utf8_lossy(&std::fs::read(sealed.join(r)).unwrap()).into_owned();
        assert!(!text.contains("whiteboard.png"), "rows are encrypted too");
    }
}

#[test]
fn a_file_travels_through_s3_encrypted() {
    let Some(moto) = crate::sync::start_moto() else { return };
    moto.env();
    a_file_travels_between_two_workspaces("s3://mellanrum-test/files", &["--key", &crate::sync::base64_key()]);
}

#[test]
fn a_missing_or_damaged_file_on_the_storage_is_waited_for_or_quarantined_and_tried_again() {
    let dir = tempfile::tempdir().unwrap();
    let remote = dir.path().to_str().unwrap();
    let anna = Ws::join(remote, "Anna", "Sales", &[]);
    anna.add("note", "Call", &[]);
    let src = tempfile::tempdir().unwrap();
    let png = picture(12, 3000);
    anna.ok(&["attach", "Call", write(src.path(), "call.png", &png).to_str().unwrap()]);
    anna.sync();
    let stored = dir.path().join("files").join(&sha(&png)[..2]).join(sha(&png));

    // Damaged on the storage: quarantined, not kept; doctor says so.
    std::fs::write(&stored, b"not the picture").unwrap();
    let erik = Ws::join(remote, "Erik", "Engineering", &[]);
    let r = erik.sync();
    let q = r["quarantined"].as_array().unwrap();
    assert!(
        q.iter().any(|q| q["file"].as_str().unwrap().ends_with(&sha(&png)) && q["reason"].as_str().unwrap().contains("does not hash")),
        "{r}"
    );
    assert!(!erik.path().join("files").join(&sha(&png)[..2]).join(sha(&png)).exists());
    assert_eq!(erik.run(&["doctor"]).code, 2);

    // Gone: waited for.
    std::fs::remove_file(&stored).unwrap();
    let r = erik.sync();
    assert_eq!(r["files_waiting"].as_array().unwrap().len(), 1, "{r}");

    // Put back whole (a sync tool caught up): the next sync takes it and lifts the quarantine.
    std::fs::write(&stored, &png).unwrap();
    let r = erik.sync();
    assert_eq!(r["files_received"], 1, "{r}");
    let out = src.path().join("back.png");
    erik.ok(&["save-as", "call.png", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out).unwrap(), png);
    erik.ok(&["doctor"]);

    // A forged row (a path leading out of the workspace) is quarantined, never obeyed.
    let forged_dir = dir.path().join("attachments/01900000-0000-7000-8000-00000000000f");
    std::fs::create_dir_all(&forged_dir).unwrap();
    let id = "01900000-0000-7000-8000-0000000000ff";
    std::fs::write(
        forged_dir.join(format!("{id}.json")),
        format!(
            r#"{{"id":"{id}","path":"../../escape.png","hash":"{}","size":3,"media_type":"image/png","added_by":"x","added_at":"t"}}"#,
            sha(&png)
        ),
    )
    .unwrap();
    let r = erik.sync();
    assert!(r["quarantined"].as_array().unwrap().iter().any(|q| q["reason"].as_str().unwrap().contains("not a safe path")), "{r}");
    assert_eq!(erik.json(&["attachments"]).as_array().unwrap().len(), 1);
}

#[test]
fn the_html_map_carries_the_pictures_only_when_asked_and_never_with_names_redacted() {
    let (ws, src, png) = whiteboard("board.png", 13, 900);
    ws.ok(&["attach", "Whiteboard", write(src.path(), "minutes.pdf", b"%PDF-1.4 minutes").to_str().unwrap()]);
    let encoded = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&png)
    };
    let export = |extra: &[&str]| {
        let out = src.path().join(format!("map{}.html", extra.len()));
        let mut args = vec!["export", "html", "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        ws.ok(&args);
        std::fs::read_to_string(out).unwrap()
    };
    let plain = export(&[]);
    assert!(!plain.contains("data:image") && plain.contains("img-src 'none'"));
    let with = export(&["--attachments"]);
    assert!(with.contains(&format!("\"{}\":\"data:image/png;base64,{encoded}\"", sha(&png))), "the picture is in the file");
    assert!(with.contains("img-src data:;"), "pictures from data: only");
    assert!(!with.contains("%PDF"), "only pictures are put in");
    let redacted = export(&["--attachments", "--redact-people"]);
    assert!(!redacted.contains("data:image") && redacted.contains("img-src 'none'"));
}

#[test]
fn a_signals_file_brings_the_files_a_column_names() {
    let ws = Ws::new();
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("export");
    let login = picture(21, 500);
    write(&dir, "shots/login.png", &login);
    write(&dir, "shots/export.png", &picture(22, 400));
    write(&dir, "logs/export.log", b"12:00 export took 40 s\n");
    write(top.path(), "secret.png", &picture(23, 100));
    let csv = write(
        &dir,
        "tickets.csv",
        b"Key,Summary,Description,Screenshot\n\
          T-1,Login fails,It fails on submit,shots/login.png\n\
          T-2,Slow export,Takes a minute,shots/export.png; logs/export.log\n\
          T-3,Sneaky,Look,../secret.png\n\
          T-4,Gone,Lost,shots/missing.png\n",
    );
    let args = [
        "import",
        "signals",
        csv.to_str().unwrap(),
        "--map",
        "title=Summary",
        "--map",
        "body=Description",
        "--map",
        "ref=Key",
        "--map",
        "attachment=Screenshot",
    ];
    let r = ws.json(&args);
    assert_eq!((r["items"].as_u64(), r["files"].as_u64(), r["files_new"].as_u64()), (Some(4), Some(3), Some(3)), "{r}");
    let warnings: Vec<String> =
        r["warnings"].as_array().unwrap().iter().map(|w| format!("row {}: {}", w["row"], w["message"].as_str().unwrap())).collect();
    assert_eq!(
        warnings,
        vec![
            "row 3: file '../secret.png' leads outside the signals file's folder; not attached".to_string(),
            "row 4: shots/missing.png: no such file; not attached".to_string(),
        ]
    );
    assert_eq!(ws.show("Login fails")["body"], "It fails on submit\n\n![[shots/login.png]]\n");
    let linked = ws.json(&["attachments", "Slow export"]);
    let got: Vec<(&str, &str)> =
        linked.as_array().unwrap().iter().map(|l| (l["target"].as_str().unwrap(), l["file"]["media_type"].as_str().unwrap())).collect();
    assert_eq!(got, vec![("shots/export.png", "image/png"), ("logs/export.log", "text/plain")]);
    assert_eq!(ws.json(&["attachments", "Login fails"])[0]["file"]["sha256"], sha(&login));
    assert_eq!(ws.json(&["unresolved"]), serde_json::json!([]));
    // Again: nothing new, nothing changed.
    let r = ws.json(&args);
    assert_eq!((r["unchanged"].as_u64(), r["files"].as_u64(), r["files_new"].as_u64()), (Some(4), Some(3), Some(0)), "{r}");
}
