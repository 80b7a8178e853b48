//! The record: history kept as deltas reads exactly as the whole copies it replaced, workspaces
//! written by the earlier layout upgrade in place, and one write path writes it all.
//!
//! `fixtures/history-v1/` holds Anna's and Erik's workspaces and their shared folder as the
//! release with the earlier layout (whole item in every revision, migration 08) wrote them, after
//! the edits `make.py` makes, with every item's `history --json` as that release printed it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{fixtures, Ws};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), &dst).unwrap();
        }
    }
}

fn v1() -> PathBuf {
    fixtures().join("history-v1")
}

/// A copy of a fixture workspace of the earlier layout.
fn old_workspace(name: &str) -> Ws {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&v1().join(name), dir.path());
    Ws { dir }
}

fn expected(name: &str) -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(v1().join(format!("{name}.history.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn db_size(ws: &Ws) -> u64 {
    std::fs::metadata(ws.path().join("mellanrum.db")).unwrap().len()
}

#[test]
fn an_old_workspace_upgrades_in_place_and_every_revision_reads_the_same() {
    for name in ["anna", "erik"] {
        let ws = old_workspace(name);
        let before = db_size(&ws);
        // The first command opens the workspace, which upgrades it once and says so.
        let r = ws.run(&["list", "--deleted", "--json"]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stderr.contains("upgraded the workspace's record"), "{}", r.stderr);
        let after = db_size(&ws);
        assert!(after < before, "{name}: the database went from {before} to {after} bytes");
        let db = rusqlite::Connection::open(ws.path().join("mellanrum.db")).unwrap();
        let most: i64 = db
            .query_row(
                "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) n FROM sync_fields WHERE field = '@updated' GROUP BY entity_id)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(most, 1, "{name}: an item keeps one write of when it last changed");
        let want = expected(name);
        assert_eq!(r.json().as_array().unwrap().len(), want.len());
        for (id, history) in &want {
            assert_eq!(&ws.json(&["history", id]), history, "{name}: the history of {id}");
        }
        // Opened again, there is nothing more to do.
        let again = ws.run(&["info"]);
        assert_eq!(again.code, 0);
        assert!(!again.stderr.contains("upgraded"), "{}", again.stderr);
        // Its shared folder, as the earlier release left it, checks out against the upgraded log.
        let shared = tempfile::tempdir().unwrap();
        copy_dir(&v1().join("shared"), shared.path());
        ws.ok(&["remote", "set", shared.path().to_str().unwrap()]);
        let doctor = ws.run(&["doctor", "--json"]).json();
        assert_eq!(doctor["ok"], true, "{doctor}");
    }
}

#[test]
fn an_upgraded_workspace_keeps_syncing_with_segments_and_snapshots_written_before() {
    let shared = tempfile::tempdir().unwrap();
    copy_dir(&v1().join("shared"), shared.path());
    let remote = shared.path().to_str().unwrap();
    let anna = old_workspace("anna");
    anna.ok(&["remote", "set", remote]);
    anna.json(&["sync"]);
    // A new member starts from the snapshot and the segments the earlier release wrote.
    let new = Ws::join(remote, "Maja", "Support", &[]);
    let want = anna.json(&["list", "--deleted"]);
    let got = new.json(&["list", "--deleted"]);
    assert_eq!(want.as_array().unwrap().len(), got.as_array().unwrap().len());
    for item in want.as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let (a, b) = (anna.show(id), new.show(id));
        for f in ["title", "body", "tags", "fields", "deleted"] {
            assert_eq!(a[f], b[f], "{id} {f}");
        }
    }
    // And a change after the upgrade travels back.
    let note = want.as_array().unwrap().iter().find(|i| i["title"] == "Release notes").unwrap()["id"].as_str().unwrap().to_string();
    new.ok(&["edit", &note, "--title", "Release notes 2026"]);
    new.json(&["sync"]);
    anna.json(&["sync"]);
    assert_eq!(anna.show(&note)["title"], "Release notes 2026");
}

// ---- the same edits made today --------------------------------------------------------------

const WORDS: &[&str] = &[
    "customer",
    "release",
    "pricing",
    "support",
    "delivery",
    "onboarding",
    "roadmap",
    "feedback",
    "quality",
    "team",
    "backlog",
    "insight",
    "friction",
    "signal",
    "meeting",
    "goal",
    "decision",
];

/// What a revision says without what differs between two runs: ids, times and clocks.
fn normalised(history: &Value) -> Value {
    let mut out = Vec::new();
    for r in history.as_array().unwrap() {
        let mut r = r.clone();
        let o = r.as_object_mut().unwrap();
        o.remove("at");
        if let Some(Value::Object(c)) = o.get_mut("changes") {
            for f in ["updated", "created", "author"] {
                c.remove(f);
            }
        }
        out.push(r);
    }
    Value::Array(out)
}

/// `make.py`'s edits, made with today's Mellanrum; returns Anna's and Erik's workspaces.
fn make_the_same_edits() -> (Ws, Ws, tempfile::TempDir) {
    let shared = tempfile::tempdir().unwrap();
    let r = shared.path().to_str().unwrap().to_string();
    let a = Ws::empty();
    a.ok(&["person", "add", "Anna", "--perspective", "Sales"]);
    a.ok(&["remote", "set", &r]);
    let paras: Vec<String> =
        (0..10).map(|i| (0..180).map(|j| WORDS[(i * 7 + j * 3) % WORDS.len()]).collect::<Vec<_>>().join(" ") + ".").collect();
    let long_body = paras.join("\n\n");
    let note = a.add("note", "Release notes", &["--body", &long_body, "--tag", "release"]);
    let mut body = long_body.clone();
    for i in 0..12 {
        let mut words: Vec<String> = body.split(' ').map(str::to_string).collect();
        let k = (i * 997 + 13) % words.len();
        words[k] = WORDS[i % WORDS.len()].to_uppercase();
        body = words.join(" ");
        a.ok(&["edit", &note, "--body", &body]);
    }
    let cut: Vec<&str> = body.split("\n\n").collect();
    let without: Vec<&str> = cut[..3].iter().chain(&cut[4..]).copied().collect();
    a.ok(&["edit", &note, "--body", &without.join("\n\n")]);
    a.ok(&["edit", &note, "--body", &body]);
    let first = "Vi träffade kunden på måndagen. Leveransproblemen är större än väntat;\nföräldrar och skolor väntar på svar.";
    let sv = a.add("note", "Kundmöte i Göteborg", &["--body", first]);
    a.ok(&["edit", &sv, "--body", &format!("{first}\n\nNästa steg: prissättningsbeslut före veckans slut. ✓ 🙂")]);
    a.ok(&["edit", &sv, "--body", "Helt ny text: kunderna vill ha månadsvisa leveranser."]);
    a.ok(&["edit", &sv, "--title", "Kundmöte i Malmö", "--alias", "Göteborgsmötet", "--tag", "kund"]);
    let sig = a.add("signal", "Kunden väntar", &["--set", "source=support", "--set", "customer=Acme AB", "--body", "Väntar på leverans."]);
    a.ok(&["edit", &sig, "--set", "quote=Vi har väntat i sex veckor.", "--set", "date=2026-11-03"]);
    a.ok(&["edit", &sig, "--set", "customer=Acme Nordic AB", "--tag", "acme"]);
    let fr = a.add(
        "friction",
        "Release cadence",
        &["--position", "Sales=Ship monthly", "--position", "Engineering=Ship when ready", "--set", "severity=high"],
    );
    a.ok(&["edit", &fr, "--position", "Sales=Ship every six weeks", "--position", "Support=Tell us first"]);
    a.ok(&["edit", &fr, "--position", "Support="]);
    a.add(
        "resolution",
        "Six-week trains",
        &[
            "--body",
            "resolves:: [[Release cadence]]\nevidence of waiting: [[Kunden väntar]]",
            "--set",
            "decision=Ship every six weeks",
            "--set",
            "agreed_by=Anna, Erik",
        ],
    );
    let empty = a.add("note", "Empty at first", &[]);
    a.ok(&["edit", &empty, "--body", "Now with words."]);
    a.ok(&["edit", &empty, "--body", ""]);
    a.ok(&["delete", &note]);
    a.ok(&["restore", &note]);
    a.ok(&["rename", &sig, "Kunden väntar länge"]);
    a.json(&["sync"]);
    a.json(&["sync", "--compact"]);

    let b = Ws::join(&r, "Erik", "Engineering", &[]);
    let mut pa: Vec<String> = body.split("\n\n").map(str::to_string).collect();
    pa[0] = "Anna's first paragraph, rewritten.".into();
    a.ok(&["edit", &note, "--body", &pa.join("\n\n")]);
    let mut pb: Vec<String> = body.split("\n\n").map(str::to_string).collect();
    let last = pb.len() - 1;
    pb[last] = format!("{} Erik adds a sentence at the end.", pb[last]);
    b.ok(&["edit", &note, "--body", &pb.join("\n\n")]);
    b.ok(&["edit", &sv, "--body", "Eriks version: kunderna vill ha leveranser varje vecka."]);
    b.ok(&["delete", &empty]);
    for _ in 0..2 {
        a.json(&["sync"]);
        b.json(&["sync"]);
    }
    (a, b, shared)
}

#[test]
fn the_same_edits_made_today_have_the_same_history_as_in_the_earlier_layout() {
    let (anna, erik, _shared) = make_the_same_edits();
    for (name, ws) in [("anna", &anna), ("erik", &erik)] {
        let want = expected(name);
        // Items by title: ids differ between the runs.
        let titles = |list: &Value| -> BTreeMap<String, String> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|i| (i["title"].as_str().unwrap().to_string(), i["id"].as_str().unwrap().to_string()))
                .collect()
        };
        let old = old_workspace(name);
        let old_titles = titles(&old.json(&["list", "--deleted"]));
        let new_titles = titles(&ws.json(&["list", "--deleted"]));
        assert_eq!(old_titles.keys().collect::<Vec<_>>(), new_titles.keys().collect::<Vec<_>>(), "{name}");
        for (title, old_id) in &old_titles {
            let got = normalised(&ws.json(&["history", &new_titles[title]]));
            let want = normalised(&want[old_id]);
            assert_eq!(got, want, "{name}: the history of '{title}'");
        }
    }
}

#[test]
fn a_one_word_edit_of_a_long_note_adds_little_to_the_record() {
    let ws = Ws::new();
    let body: String = (0..1500).map(|i| WORDS[i % WORDS.len()]).collect::<Vec<_>>().join(" ");
    assert!(body.len() > 11_000);
    let id = ws.add("note", "Long", &["--body", &body]);
    let stats = |ws: &Ws| -> Value { ws.json(&["info"])["record"].clone() };
    let before = stats(&ws);
    let mut b = body.clone();
    for i in 0..20 {
        let at = b.find(WORDS[i % WORDS.len()]).unwrap();
        b.replace_range(at..at + 1, "X");
        ws.ok(&["edit", &id, "--body", &b]);
    }
    let after = stats(&ws);
    // What the history and the change log hold grew by less than 1 KB per save.
    let grew = after["history_bytes"].as_u64().unwrap() + after["log_bytes"].as_u64().unwrap()
        - before["history_bytes"].as_u64().unwrap()
        - before["log_bytes"].as_u64().unwrap();
    assert!(grew < 20 * 1024, "20 one-word saves added {grew} bytes of record");
    // When it last changed is one row of the merge state, not one per save.
    let db = rusqlite::Connection::open(ws.path().join("mellanrum.db")).unwrap();
    let count = |field: &str| -> i64 {
        db.query_row("SELECT COUNT(*) FROM sync_fields WHERE entity_id = ?1 AND field = ?2", [id.as_str(), field], |r| r.get(0)).unwrap()
    };
    assert_eq!(count("@updated"), 1);
    assert_eq!(count("title"), 1);
    // And every past body is still there.
    let h = ws.json(&["history", &id]);
    assert_eq!(h.as_array().unwrap().len(), 21);
    assert_eq!(h[0]["changes"]["body"]["new"], body.as_str());
    assert_eq!(h[20]["changes"]["body"]["new"], b.as_str());
}

#[test]
fn an_upgrade_killed_at_any_point_goes_on_where_it_stopped_and_loses_nothing() {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let want = expected("anna");
    let ws = old_workspace("anna");
    let mut kills = 0;
    let mut delay_us = 0u64;
    loop {
        // Small batches, so that a kill can fall between any two of them.
        let mut child = Command::new(crate::util::bin())
            .args(["info"])
            .env("MELLANRUM_WORKSPACE", ws.path())
            .env("MELLANRUM_UPGRADE_BATCH", "3")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        let until = Instant::now() + Duration::from_micros(delay_us);
        let finished = loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success());
                break true;
            }
            if Instant::now() >= until {
                let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{}", child.id())]).status();
                let _ = child.wait();
                break false;
            }
            std::thread::sleep(Duration::from_micros(200));
        };
        if finished {
            break;
        }
        kills += 1;
        // What a kill left behind opens (finishing the upgrade) with every revision as it was.
        let copy = tempfile::tempdir().unwrap();
        copy_dir(ws.path(), copy.path());
        let c = Ws { dir: copy };
        for (id, history) in want.iter().take(4) {
            assert_eq!(&c.json(&["history", id]), history, "after kill {kills} at {delay_us} µs: the history of {id}");
        }
        // Sound but for the shared folder, which the copy does not have.
        let doctor = c.run(&["doctor", "--json"]).json();
        let bad: Vec<&Value> = doctor["checks"].as_array().unwrap().iter().filter(|c| c["status"] != "ok" && c["name"] != "sync").collect();
        assert!(bad.is_empty(), "after kill {kills}: {doctor}");
        delay_us += 2_000;
    }
    assert!(kills >= 3, "the upgrade finished before it could be killed often enough ({kills} kills)");
    for (id, history) in &want {
        assert_eq!(&ws.json(&["history", id]), history, "the history of {id}");
    }
}
