//! Co-creation through shared storage: two (or more) workspaces on one shared folder, and on a real
//! S3-compatible server; bad storage; encryption; clocks far ahead.

use std::path::Path;

use crate::util::Ws;
use serde_json::Value;

fn shared() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Both edit different paragraphs of one note and the same field; after two syncs each, both show
/// both paragraphs, the same value, and one listed conflict.
fn two_people_edit_one_note(remote: &str, extra: &[&str]) {
    let anna = Ws::new();
    let mut set = vec!["remote", "set", remote];
    set.extend_from_slice(extra);
    anna.ok(&set);
    let note = anna.add(
        "note",
        "Leveransplan",
        &["--body", "Första stycket: vi levererar varje månad.\n\nSecond paragraph: flags guard every feature.\n"],
    );
    let fr = anna.add("friction", "Release cadence", &["--position", "Sales=Ship monthly"]);
    let r = anna.sync();
    assert_eq!(r["sent"], 3, "{r}");

    let erik = Ws::join(remote, "Erik", "Engineering", extra);
    assert_eq!(erik.show(&note)["title"], "Leveransplan");
    assert_eq!(erik.show(&fr)["fields"]["positions"]["Sales"], "Ship monthly");
    assert_eq!(erik.show(&note)["author"], "Anna");

    // Concurrent: different paragraphs of one body, and the same field.
    anna.ok(&[
        "edit",
        &note,
        "--body",
        "Första stycket: vi levererar varje månad, sa Anna.\n\nSecond paragraph: flags guard every feature.\n",
    ]);
    anna.ok(&["edit", &fr, "--set", "status=exploring", "--tag", "cadence"]);
    erik.ok(&[
        "edit",
        &note,
        "--body",
        "Första stycket: vi levererar varje månad.\n\nSecond paragraph: flags guard every feature, said Erik.\n",
    ]);
    erik.ok(&["edit", &fr, "--set", "status=parked", "--position", "Engineering=Ship when stable", "--tag", "release"]);

    for _ in 0..2 {
        anna.sync();
        erik.sync();
    }
    let (a, e) = (anna.show(&note), erik.show(&note));
    let body = "Första stycket: vi levererar varje månad, sa Anna.\n\nSecond paragraph: flags guard every feature, said Erik.\n";
    assert_eq!(a["body"], body);
    assert_eq!(e["body"], body);
    let (fa, fe) = (anna.show(&fr), erik.show(&fr));
    assert_eq!(fa["fields"], fe["fields"]);
    assert_eq!(fa["tags"], serde_json::json!(["cadence", "release"]));
    assert_eq!(fa["tags"], fe["tags"]);
    assert_eq!(fa["fields"]["positions"]["Engineering"], "Ship when stable");
    // Erik's edit came later, so his status is kept; Anna's is kept in the conflict list and history.
    assert_eq!(fa["fields"]["status"], "parked");
    for ws in [&anna, &erik] {
        let c = ws.json(&["conflicts"]);
        let c = c.as_array().unwrap();
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0]["field"], "status");
        assert_eq!(c[0]["winner"]["value"], "parked");
        assert_eq!(c[0]["loser"]["value"], "exploring");
        let text = ws.ok(&["conflicts"]);
        assert!(text.contains("Anna and Erik both changed the status of Release cadence"), "{text}");
    }
    // Contributors and attribution travel: Anna sees that Erik changed the note.
    let names: Vec<&str> = a["contributors"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Anna", "Erik"]);
    let h = anna.json(&["history", &fr]);
    assert!(h.as_array().unwrap().iter().any(|r| r["op"] == "merge" && r["author"] == "Erik"), "{h}");
    // A third sync changes nothing.
    assert_eq!(anna.sync()["received"], 0);
    assert_eq!(erik.sync()["received"], 0);
}

#[test]
fn two_workspaces_on_one_shared_folder_keep_both_paragraphs_and_list_one_conflict() {
    let dir = shared();
    two_people_edit_one_note(s(dir.path()), &[]);
}

#[test]
fn links_tags_deletes_and_restores_travel_and_merge() {
    let dir = shared();
    let anna = Ws::new();
    anna.ok(&["remote", "set", s(dir.path())]);
    let sig = anna.add("signal", "Kunden väntar", &["--set", "source=support", "--set", "customer=Acme AB"]);
    let ins = anna.add("insight", "Small deliveries", &["--body", "evidence:: [[Kunden väntar]]", "--tag", "delivery"]);
    anna.sync();
    let erik = Ws::join(s(dir.path()), "Erik", "Engineering", &[]);
    assert_eq!(erik.show(&ins)["links"][0]["id"], sig.as_str());
    assert_eq!(erik.show(&sig)["backlinks"][0]["id"], ins.as_str());
    // Anna removes the tag while Erik removes and adds it again: the concurrent add wins. Erik
    // deletes the signal while Anna edits it; the edit survives under the tombstone and restore
    // brings it back.
    anna.ok(&["edit", &ins, "--untag", "delivery"]);
    erik.ok(&["edit", &ins, "--untag", "delivery"]);
    erik.ok(&["edit", &ins, "--tag", "delivery", "--tag", "kund"]);
    erik.ok(&["delete", &sig]);
    anna.ok(&["edit", &sig, "--set", "quote=Vi har väntat i sex veckor."]);
    for _ in 0..2 {
        anna.sync();
        erik.sync();
    }
    for ws in [&anna, &erik] {
        assert_eq!(ws.show(&ins)["tags"], serde_json::json!(["delivery", "kund"]));
        assert_eq!(ws.show(&sig)["deleted"], true);
        assert_eq!(ws.show(&sig)["fields"]["quote"], "Vi har väntat i sex veckor.");
    }
    anna.ok(&["restore", &sig]);
    anna.sync();
    erik.sync();
    assert_eq!(erik.show(&sig)["deleted"], false);
    assert_eq!(erik.show(&ins)["links"][0]["id"], sig.as_str());
    assert_eq!(erik.json(&["list", "--kind", "signal"]).as_array().unwrap().len(), 1);
}

// ---- bad storage ------------------------------------------------------------------------------

/// Anna's workspace writing one segment per sync: returns (anna, her device id, segment files in order).
fn anna_with_segments(dir: &Path, n: usize) -> (Ws, String, Vec<std::path::PathBuf>) {
    let anna = Ws::new();
    anna.ok(&["remote", "set", s(dir)]);
    for i in 1..=n {
        anna.add("note", &format!("Note {i}"), &["--body", &format!("Body {i}")]);
        anna.sync();
    }
    let device = anna.json(&["info"])["device"].as_str().unwrap().to_string();
    let log = dir.join("log").join(&device);
    let files: Vec<_> = (1..=n).map(|i| log.join(format!("{i:012}.seg"))).collect();
    for f in &files {
        assert!(f.is_file(), "{} was written", f.display());
    }
    (anna, device, files)
}

fn titles(ws: &Ws) -> Vec<String> {
    let mut t: Vec<String> = ws.json(&["list"]).as_array().unwrap().iter().map(|x| x["title"].as_str().unwrap().to_string()).collect();
    t.sort();
    t
}

fn sync_warnings(ws: &Ws) -> (Value, String) {
    let r = ws.run(&["sync", "--json"]);
    assert_eq!(r.code, 0, "sync failed: {r:?}");
    (r.json(), r.stderr)
}

#[test]
fn a_half_written_segment_is_quarantined_then_applied_once_complete() {
    let dir = shared();
    let (_anna, _, files) = anna_with_segments(dir.path(), 3);
    let full = std::fs::read(&files[1]).unwrap();
    std::fs::write(&files[1], &full[..full.len() / 2]).unwrap();
    let erik = Ws::join(s(dir.path()), "Erik", "Engineering", &[]);
    assert_eq!(titles(&erik), ["Note 1"]);
    let (r, err) = sync_warnings(&erik);
    assert!(err.contains("000000000002.seg") && err.contains("truncated"), "{err}");
    assert_eq!(r["quarantined"][0]["file"].as_str().unwrap().rsplit('/').next().unwrap(), "000000000002.seg");
    // The sync tool finishes copying: everything applies and the quarantine clears.
    std::fs::write(&files[1], &full).unwrap();
    let (r, err) = sync_warnings(&erik);
    assert!(r["quarantined"].as_array().unwrap().is_empty(), "{r} {err}");
    assert_eq!(titles(&erik), ["Note 1", "Note 2", "Note 3"]);
}

#[test]
fn a_missing_middle_segment_is_waited_for_never_skipped() {
    let dir = shared();
    let (_anna, _, files) = anna_with_segments(dir.path(), 3);
    let moved = dir.path().join("held-back");
    std::fs::rename(&files[1], &moved).unwrap();
    let erik = Ws::join(s(dir.path()), "Erik", "Engineering", &[]);
    let (r, err) = sync_warnings(&erik);
    assert_eq!(titles(&erik), ["Note 1"], "segment 3 must not apply before 2");
    assert!(err.contains("000000000002.seg is missing") && err.contains("waiting"), "{err}");
    assert_eq!(r["waiting"].as_array().unwrap().len(), 1);
    std::fs::rename(&moved, &files[1]).unwrap();
    sync_warnings(&erik);
    assert_eq!(titles(&erik), ["Note 1", "Note 2", "Note 3"]);
}

#[test]
fn a_sync_tool_conflict_copy_and_temp_files_are_ignored_with_a_warning() {
    let dir = shared();
    let (_anna, device, files) = anna_with_segments(dir.path(), 2);
    let log = dir.path().join("log").join(&device);
    std::fs::write(log.join("000000000002.sync-conflict-20260301-101010-ABCDEFG.seg"), b"something else").unwrap();
    std::fs::write(log.join(".syncthing.000000000003.seg.tmp"), b"partial").unwrap();
    let erik = Ws::join(s(dir.path()), "Erik", "Engineering", &[]);
    let (r, err) = sync_warnings(&erik);
    assert_eq!(titles(&erik), ["Note 1", "Note 2"]);
    assert!(err.contains("sync-conflict") && err.contains("ignored"), "{err}");
    assert_eq!(r["ignored"].as_array().unwrap().len(), 2);
    assert!(files[1].is_file());
}

#[test]
fn a_reused_sequence_number_and_a_forked_log_are_quarantined_and_nothing_local_is_lost() {
    let dir = shared();
    let (anna, device, files) = anna_with_segments(dir.path(), 2);
    let erik = Ws::join(s(dir.path()), "Erik", "Engineering", &[]);
    let own = erik.add("note", "Erik's own note", &["--body", "Mine"]);
    assert_eq!(titles(&erik), ["Erik's own note", "Note 1", "Note 2"]);
    let log = dir.path().join("log").join(&device);
    // Segment 3 is a copy of segment 2: it claims the number 2.
    std::fs::copy(&files[1], log.join("000000000003.seg")).unwrap();
    let (r, err) = sync_warnings(&erik);
    assert!(err.contains("000000000003.seg") && err.contains("reused"), "{err}");
    assert_eq!(r["quarantined"].as_array().unwrap().len(), 1);
    // Segment 2 is rewritten after Erik applied it (a copied workspace writing the same number);
    // Anna's next segment chains to her own 2, which Erik still has — but a segment chaining to
    // the rewritten one would be a fork. Replace 3 with Anna's real next segment: it applies.
    std::fs::remove_file(log.join("000000000003.seg")).unwrap();
    anna.add("note", "Note 3", &[]);
    anna.sync();
    let (r, _) = sync_warnings(&erik);
    assert!(r["quarantined"].as_array().unwrap().is_empty(), "{r}");
    // Now fork: a different segment 4 whose chain does not follow Anna's 3.
    let other = Ws::new();
    let other_dir = shared();
    other.ok(&["remote", "set", s(other_dir.path())]);
    for i in 0..4 {
        other.add("note", &format!("Forged {i}"), &[]);
        other.sync();
    }
    let other_dev = other.json(&["info"])["device"].as_str().unwrap().to_string();
    let forged = std::fs::read(other_dir.path().join("log").join(&other_dev).join("000000000004.seg")).unwrap();
    let forged = String::from_utf8(forged).unwrap().replace(&other_dev, &device);
    std::fs::write(log.join("000000000004.seg"), forged).unwrap();
    let (_, err) = sync_warnings(&erik);
    assert!(err.contains("000000000004.seg") && (err.contains("forked") || err.contains("damaged")), "{err}");
    // Nothing local was lost, and the database is sound.
    assert_eq!(titles(&erik), ["Erik's own note", "Note 1", "Note 2", "Note 3"]);
    assert_eq!(erik.show(&own)["body"], "Mine");
    let store = mellanrum::store::Store::open(&erik.path().join(mellanrum::workspace::DB_FILE)).unwrap();
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
}

#[test]
fn garbage_bytes_are_quarantined_while_other_devices_still_apply() {
    let dir = shared();
    let (_anna, _, _) = anna_with_segments(dir.path(), 1);
    let fake = dir.path().join("log").join("0190aaaa-0000-7000-8000-00000000dead");
    std::fs::create_dir_all(&fake).unwrap();
    std::fs::write(fake.join("000000000001.seg"), (0..=255u8).cycle().take(5000).collect::<Vec<u8>>()).unwrap();
    let erik = Ws::join(s(dir.path()), "Erik", "Engineering", &[]);
    let (r, err) = sync_warnings(&erik);
    assert!(err.contains("00000000dead/000000000001.seg") && err.contains("not a Mellanrum segment"), "{err}");
    assert_eq!(r["quarantined"].as_array().unwrap().len(), 1);
    assert_eq!(titles(&erik), ["Note 1"]);
    // A valid segment holding a hostile op (an invalid title) is refused op by op.
    erik.ok(&["list"]);
}

// ---- encryption ------------------------------------------------------------------------------

#[test]
fn an_encrypted_workspace_shows_the_storage_nothing_and_needs_the_key() {
    let dir = shared();
    let anna = Ws::new();
    let out = anna.ok(&["remote", "set", s(dir.path()), "--encrypt"]);
    let key = out.lines().map(str::trim).find(|l| l.len() == 44 && !l.contains(' ')).expect("the key is shown once").to_string();
    anna.add("note", "Hemlig strategi", &["--body", "Confidential plan with Acme"]);
    anna.sync();
    for f in walk(dir.path()) {
        let bytes = std::fs::read(&f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Hemlig") && !text.contains("Acme"), "{} shows content", f.display());
    }
    // Without the key, or with a wrong one: refused, nothing half-made.
    let d = tempfile::tempdir().unwrap();
    let target = d.path().join("ws");
    let r = std::process::Command::new(crate::util::bin()).args(["init", s(&target), "--remote", s(dir.path())]).output().unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("--key"), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(!target.join("mellanrum.db").exists());
    let wrong = "A".repeat(43) + "=";
    let r = std::process::Command::new(crate::util::bin())
        .args(["init", s(&target), "--remote", s(dir.path()), "--key", &wrong])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&r.stderr).contains("does not open"), "{}", String::from_utf8_lossy(&r.stderr));
    let erik = Ws::join(s(dir.path()), "Erik", "Engineering", &["--key", &key]);
    assert_eq!(titles(&erik), ["Hemlig strategi"]);
}

/// Joining a storage that holds something else than a shared workspace fails with one line, and
/// leaves no database files behind: through the command line and through the core's `join`.
#[test]
fn a_failed_join_leaves_no_database_files_behind() {
    let dir = shared();
    std::fs::write(dir.path().join("mellanrum.json"), "not a marker").unwrap();
    let d = tempfile::tempdir().unwrap();
    let left = |target: &Path| -> Vec<&str> { mellanrum::workspace::DB_FILES.into_iter().filter(|f| target.join(f).exists()).collect() };
    let target = d.path().join("by-cli");
    let r = std::process::Command::new(crate::util::bin()).args(["init", s(&target), "--remote", s(dir.path())]).output().unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("is not a Mellanrum marker"), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(left(&target), Vec::<&str>::new());
    let target = d.path().join("by-api");
    let e = mellanrum::Workspace::join(&target, None, s(dir.path()), mellanrum::sync::KeyChoice::Plain).err().expect("the join fails");
    assert!(e.to_string().contains("is not a Mellanrum marker"), "{e}");
    assert_eq!(left(&target), Vec::<&str>::new());
    // The same folder joins a real shared workspace afterwards.
    std::fs::remove_file(dir.path().join("mellanrum.json")).unwrap();
    let (mut ws, info, _) = mellanrum::Workspace::join(&target, Some("Team"), s(dir.path()), mellanrum::sync::KeyChoice::Plain).unwrap();
    assert_eq!((ws.name().unwrap(), info.encrypted), ("Team".to_string(), false));
    assert!(target.join(mellanrum::workspace::DB_FILE).is_file());
}

#[test]
fn two_workspaces_merge_through_an_encrypted_folder() {
    let dir = shared();
    // Set up the encrypted storage with a key both know.
    let key = base64_key();
    two_people_edit_one_note(s(dir.path()), &["--key", &key]);
}

pub(crate) fn base64_key() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode([42u8; 32])
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

// ---- a real S3-compatible server --------------------------------------------------------------

/// moto's S3 server on 127.0.0.1, started for the test and stopped when dropped. The CLI finds it
/// through the process's AWS_* variables, so tests using it run one at a time.
pub(crate) struct Moto {
    child: std::process::Child,
    port: u16,
    _one_at_a_time: std::sync::MutexGuard<'static, ()>,
}

static MOTO: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start_moto() -> Option<Moto> {
    let guard = MOTO.lock().unwrap_or_else(|e| e.into_inner());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = match std::process::Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("\n!!!!! SKIPPED: moto_server is not installed ({e}); install it with `python3 -m pip install 'moto[server]'` (scripts/test does) !!!!!\n");
            return None;
        }
    };
    let mut moto = Moto { child, port, _one_at_a_time: guard };
    // Wait until it accepts connections (or has exited).
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        if let Some(status) = moto.child.try_wait().unwrap() {
            panic!("moto_server exited before it listened: {status}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    moto.request("PUT", "/mellanrum-test");
    Some(moto)
}

impl Moto {
    fn request(&mut self, method: &str, path: &str) -> String {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(s, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", self.port).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        assert!(out.starts_with("HTTP/1.1 200") || out.starts_with("HTTP/1.0 200"), "{method} {path}: {out}");
        out
    }

    pub(crate) fn env(&self) {
        // The CLI processes the test starts inherit these (the standard AWS variables).
        std::env::set_var("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{}", self.port));
        std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        std::env::set_var("AWS_DEFAULT_REGION", "us-east-1");
    }
}

#[test]
fn two_workspaces_merge_through_a_real_s3_server_and_create_only_writes_hold_under_races() {
    let Some(moto) = start_moto() else { return };
    moto.env();
    two_people_edit_one_note("s3://mellanrum-test/team-a", &[]);
    two_people_edit_one_note("s3://mellanrum-test/team-b", &["--key", &base64_key()]);

    // Sixteen writers race to create the same segment: exactly one wins, the file is the winner's.
    let winners: Vec<bool> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..16u8)
            .map(|i| {
                sc.spawn(move || {
                    let r = mellanrum::sync::remote::Remote::open("s3://mellanrum-test/race").unwrap();
                    r.put_new("log/x/000000000001.seg", vec![i; 100]).unwrap()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(winners.iter().filter(|w| **w).count(), 1, "{winners:?}");
    let r = mellanrum::sync::remote::Remote::open("s3://mellanrum-test/race").unwrap();
    let bytes = r.get("log/x/000000000001.seg").unwrap().unwrap();
    let winner = winners.iter().position(|w| *w).unwrap() as u8;
    assert_eq!(bytes, vec![winner; 100]);
}

#[test]
fn a_change_stamped_far_in_the_future_is_held_not_obeyed() {
    use mellanrum::hlc::{set_clock_skew, Hlc};
    use mellanrum::sync::KeyChoice;
    use mellanrum::workspace::{NewItem, Workspace};
    let dir = shared();
    let root = tempfile::tempdir().unwrap();
    // A device whose clock is two days ahead.
    set_clock_skew(48 * 3600 * 1000);
    let mut future = Workspace::init(&root.path().join("future"), None).unwrap();
    future.add_person("Framtid", "Ops").unwrap();
    future.set_remote(s(dir.path()), KeyChoice::Plain).unwrap();
    future.create(NewItem { kind: Some(mellanrum::Kind::Note), title: "From the future".into(), ..Default::default() }).unwrap();
    future.sync().unwrap();
    set_clock_skew(0);
    let mut ws = Workspace::init(&root.path().join("here"), None).unwrap();
    ws.add_person("Anna", "Sales").unwrap();
    ws.set_remote(s(dir.path()), KeyChoice::Plain).unwrap();
    let r = ws.sync().unwrap();
    assert_eq!(r.held, 2, "the person and the note are held: {r:?}");
    assert_eq!(r.received, 0);
    assert!(ws.list(None, None, true).unwrap().is_empty());
    // The local clock was not dragged ahead.
    ws.create(NewItem { kind: Some(mellanrum::Kind::Note), title: "Now".into(), ..Default::default() }).unwrap();
    let last: Hlc = ws.change_log().unwrap().last().unwrap().hlc.parse().unwrap();
    assert!(last.millis < Hlc::now_ms() + 3600 * 1000, "{last}");
    // Once this clock reaches that time, the held ops apply.
    set_clock_skew(47 * 3600 * 1000);
    let r = ws.sync().unwrap();
    set_clock_skew(0);
    assert_eq!(r.held, 0);
    assert_eq!(r.received, 2);
    assert_eq!(ws.list(None, None, false).unwrap().len(), 2);
}

// ---- compaction -------------------------------------------------------------------------------

fn segment_names(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().rsplit('/').next().unwrap().to_string()).collect()
}

/// Anna writes five segments; Erik has read the first three when Anna compacts: those go, the two
/// he still needs stay. A new member starts from the snapshot and has everything; Erik catches up,
/// and the next compaction removes the rest.
fn compaction_keeps_what_a_lagging_device_needs(remote: &str, extra: &[&str]) {
    let anna = Ws::new();
    let mut set = vec!["remote", "set", remote];
    set.extend_from_slice(extra);
    anna.ok(&set);
    for i in 1..=3 {
        anna.add("note", &format!("Note {i}"), &["--body", &format!("Body {i}")]);
        anna.sync();
    }
    let erik = Ws::join(remote, "Erik", "Engineering", extra);
    assert_eq!(titles(&erik), titles(&anna));
    for i in 4..=5 {
        anna.add("note", &format!("Note {i}"), &["--body", &format!("Body {i}")]);
        anna.sync();
    }
    let anna_device = anna.json(&["info"])["device"].as_str().unwrap().to_string();
    let r = anna.json(&["sync", "--compact"]);
    let c = &r["compacted"];
    assert!(c["snapshot"].as_str().unwrap().starts_with(&format!("snap/{anna_device}/")), "{r}");
    let removed: Vec<String> = c["removed"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect();
    let anna_removed: Vec<&String> = removed.iter().filter(|f| f.contains(&anna_device)).collect();
    assert_eq!(
        segment_names(&serde_json::json!(anna_removed)),
        ["000000000001.seg", "000000000002.seg", "000000000003.seg"],
        "only what Erik has read goes: {r}"
    );
    let kept = c["kept"].as_array().unwrap();
    assert!(kept.iter().any(|k| k.as_str().unwrap().contains("segments 4..=5")), "{r}");

    // A new member starts from the snapshot (the first three notes exist nowhere else now).
    let sara = Ws::join(remote, "Sara", "Support", extra);
    assert_eq!(titles(&sara), titles(&anna));
    assert_eq!(titles(&sara).len(), 5);
    let n1 = anna.json(&["list"]).as_array().unwrap().iter().find(|x| x["title"] == "Note 1").unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(sara.show(&n1)["body"], "Body 1");
    assert_eq!(sara.show(&n1)["author"], "Anna");
    // She edits a note that came in the snapshot; Anna and Erik get it.
    sara.ok(&["edit", &n1, "--body", "Body 1, read by Sara"]);
    sara.sync();

    // Erik, lagging, still finds the segments he needs.
    let (r, _) = sync_warnings(&erik);
    assert!(r["quarantined"].as_array().unwrap().is_empty() && r["waiting"].as_array().unwrap().is_empty(), "{r}");
    assert_eq!(titles(&erik), titles(&anna));
    assert_eq!(erik.show(&n1)["body"], "Body 1, read by Sara");
    anna.sync();
    assert_eq!(anna.show(&n1)["body"], "Body 1, read by Sara");

    // Everyone has read Anna's log now: the next compaction removes the rest of it.
    let r = anna.json(&["sync", "--compact"]);
    let removed = r["compacted"]["removed"].as_array().unwrap();
    assert!(removed.iter().any(|f| f.as_str().unwrap().ends_with(&format!("{anna_device}/000000000005.seg"))), "{r}");
    // (Erik's own segment, written after Sara last synced, stays until she has read it.)
    assert!(!r["compacted"]["kept"].as_array().unwrap().iter().any(|k| k.as_str().unwrap().contains(&anna_device)), "{r}");
    // Someone joining now still gets everything.
    let vera = Ws::join(remote, "Vera", "Design", extra);
    assert_eq!(titles(&vera), titles(&anna));
    assert_eq!(vera.show(&n1)["body"], "Body 1, read by Sara");
}

#[test]
fn a_sync_compacts_by_itself_after_the_set_number_of_segments() {
    let dir = shared();
    let anna = Ws::new();
    anna.ok(&["remote", "set", s(dir.path())]);
    let c = anna.json(&["remote", "compaction"]);
    assert_eq!((c["every"].as_i64(), c["active_days"].as_i64()), (Some(500), Some(30)), "{c}");
    let c = anna.json(&["remote", "compaction", "--every", "3", "--active-days", "7"]);
    assert_eq!((c["every"].as_i64(), c["active_days"].as_i64()), (Some(3), Some(7)), "{c}");
    assert!(anna.fails(&["remote", "compaction", "--every", "0"]).contains("--every 0: give a number of segments from 1"));
    assert!(anna.fails(&["remote", "compaction", "--active-days", "99999"]).contains("--active-days 99999"));
    let mut compacted_at = Vec::new();
    for i in 1..=7 {
        anna.add("note", &format!("Note {i}"), &[]);
        let r = anna.json(&["sync"]);
        if !r["compacted"].is_null() {
            compacted_at.push(i);
        }
    }
    // Segments 1–3 make the first snapshot, 4–6 the next; the seventh waits for two more.
    assert_eq!(compacted_at, [3, 6]);
    let snaps = std::fs::read_dir(dir.path().join("snap")).unwrap().flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap()).count();
    assert!(snaps >= 1, "a snapshot is on the storage");
    // Nobody else is there: only the seventh segment is left in Anna's log, and a joiner has all.
    let logs: Vec<_> =
        std::fs::read_dir(dir.path().join("log")).unwrap().flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap()).collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    let erik = Ws::join(s(dir.path()), "Erik", "Engineering", &[]);
    assert_eq!(titles(&erik).len(), 7);
}

#[test]
fn compaction_on_a_shared_folder_keeps_what_a_lagging_device_needs_and_joiners_start_from_the_snapshot() {
    let dir = shared();
    compaction_keeps_what_a_lagging_device_needs(s(dir.path()), &[]);
    // Nothing but segments, snapshots, progress files and the marker is there; each snapshot is
    // checksummed (a damaged one is skipped with a warning and an older one, or the logs, used).
    let snaps: Vec<_> = walk(dir.path()).into_iter().filter(|p| p.extension().is_some_and(|e| e == "snap")).collect();
    assert!(!snaps.is_empty());
}

#[test]
fn a_device_away_longer_than_the_active_window_does_not_hold_segments_and_catches_up_from_a_snapshot() {
    let dir = shared();
    let remote = s(dir.path());
    let anna = Ws::new();
    anna.ok(&["remote", "set", remote]);
    anna.add("note", "Before", &[]);
    anna.sync();
    let erik = Ws::join(remote, "Erik", "Engineering", &[]);
    erik.sync();
    let erik_device = erik.json(&["info"])["device"].as_str().unwrap().to_string();
    for i in 1..=3 {
        anna.add("note", &format!("While Erik was away {i}"), &[]);
        anna.sync();
    }
    // Erik's files on the storage are 40 days old: he is not active.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(40 * 24 * 3600);
    for f in walk(dir.path()).into_iter().filter(|p| p.to_string_lossy().contains(&erik_device)) {
        std::fs::File::options().write(true).open(&f).unwrap().set_modified(old).unwrap();
    }
    let r = anna.json(&["sync", "--compact"]);
    assert!(r["compacted"]["inactive_devices"].as_array().unwrap().iter().any(|d| d == &serde_json::json!(erik_device)), "{r}");
    assert!(r["compacted"]["kept"].as_array().unwrap().is_empty(), "{r}");
    assert!(r["compacted"]["removed"].as_array().unwrap().len() >= 4, "{r}");
    // Back, Erik finds the start of Anna's log gone and starts again from the snapshot.
    let (r, _) = sync_warnings(&erik);
    assert!(r["snapshot"].as_str().unwrap().starts_with("snap/"), "{r}");
    assert!(r["waiting"].as_array().unwrap().is_empty() && r["quarantined"].as_array().unwrap().is_empty(), "{r}");
    assert_eq!(titles(&erik), titles(&anna));
}

#[test]
fn a_damaged_snapshot_is_quarantined_and_a_joiner_still_gets_everything() {
    let dir = shared();
    let remote = s(dir.path());
    let anna = Ws::new();
    anna.ok(&["remote", "set", remote]);
    anna.add("note", "One", &[]);
    anna.sync();
    anna.ok(&["sync", "--compact"]);
    anna.add("note", "Two", &[]);
    anna.sync();
    // Nobody else is there, so compaction removed Anna's first segment; damage the snapshot.
    let snap = walk(dir.path()).into_iter().find(|p| p.extension().is_some_and(|e| e == "snap")).unwrap();
    let bytes = std::fs::read(&snap).unwrap();
    std::fs::write(&snap, &bytes[..bytes.len() / 2]).unwrap();
    let erik = Ws::join(remote, "Erik", "Engineering", &[]);
    let (r, err) = sync_warnings(&erik);
    let q = r["quarantined"].as_array().unwrap();
    assert!(
        q.iter().any(|q| q["file"].as_str().unwrap().starts_with("snap/") && q["reason"].as_str().unwrap().contains("truncated")),
        "{r}"
    );
    assert!(err.contains("warning: quarantined snap/"), "{err}");
    assert!(!r["waiting"].as_array().unwrap().is_empty(), "{r}");
    // Without a usable snapshot Erik waits for what is missing rather than skipping it…
    assert!(!titles(&erik).contains(&"One".to_string()));
    // …and once a good snapshot is there, he has everything.
    anna.ok(&["sync", "--compact"]);
    erik.sync();
    assert_eq!(titles(&erik), titles(&anna));
}

#[test]
fn compaction_on_a_real_s3_server_keeps_what_a_lagging_device_needs() {
    let Some(moto) = start_moto() else { return };
    moto.env();
    compaction_keeps_what_a_lagging_device_needs("s3://mellanrum-test/compact-a", &[]);
    compaction_keeps_what_a_lagging_device_needs("s3://mellanrum-test/compact-b", &["--key", &base64_key()]);
}

#[test]
fn activity_lists_what_others_changed_since_you_last_looked() {
    let shared = tempfile::tempdir().unwrap();
    let anna = Ws::new();
    anna.ok(&["remote", "set", shared.path().to_str().unwrap()]);
    let f = anna.add("friction", "Release cadence", &["--position", "Sales=Ship monthly"]);
    anna.add("note", "Anna's own note", &[]);
    anna.sync();
    let erik = Ws::join(shared.path().to_str().unwrap(), "Erik Berg", "Engineering", &[]);
    // Anna's work is not news to her, and Erik sees it as news once.
    assert_eq!(anna.json(&["activity"])["unseen"], 0);
    let first = erik.json(&["activity"]);
    assert!(first["unseen"].as_i64().unwrap() >= 2, "{first}");
    assert_eq!(erik.json(&["activity"])["unseen"], 0, "looked once: nothing new");

    erik.ok(&["edit", &f, "--set", "status=exploring", "--set", "severity=high"]);
    erik.add("signal", "Kunden väntar", &["--set", "customer=Acme AB"]);
    erik.sync();
    anna.sync();
    // --peek leaves the changes unseen; a plain look marks them seen.
    for _ in 0..2 {
        let a = anna.json(&["activity", "--peek"]);
        assert_eq!(a["unseen"], 2, "{a}");
        let changes = a["changes"].as_array().unwrap();
        assert_eq!(changes[0]["title"], "Kunden väntar");
        assert_eq!(changes[0]["op"], "create");
        assert_eq!(changes[1]["title"], "Release cadence");
        assert_eq!(changes[1]["author"], "Erik Berg");
        assert_eq!(changes[1]["perspective"], "Engineering");
        let fields: Vec<&str> = changes[1]["fields"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert!(fields.contains(&"status") && fields.contains(&"severity"), "{fields:?}");
    }
    let text = anna.ok(&["activity"]);
    assert!(text.contains("Erik Berg (Engineering) changed") && text.contains("'Release cadence'"), "{text}");
    assert!(anna.ok(&["activity"]).contains("Nothing new"));
}

/// Three devices answer one consent round while apart, and two of them close it at once: every
/// answer is its author's own register, so all of it merges without a conflict and every device
/// ends in the same state.
fn a_consent_round_converges(remote: &str) {
    let anna = Ws::new();
    anna.ok(&["remote", "set", remote]);
    anna.add(
        "friction",
        "Release date",
        &["--position", "Sales=May", "--position", "Engineering=June", "--position", "Support=After the docs"],
    );
    let r = anna.add("resolution", "June with a May beta", &["--body", "resolves:: [[Release date]]"]);
    anna.ok(&["round", "open", &r]);
    anna.sync();
    let erik = Ws::join(remote, "Erik", "Engineering", &[]);
    let sara = Ws::join(remote, "Sara", "Support", &[]);
    for ws in [&anna, &erik, &sara] {
        ws.sync();
    }
    assert_eq!(erik.json(&["round", "waiting"])[0]["title"], "June with a May beta");
    assert_eq!(erik.show("Release date")["fields"]["status"], "exploring");

    // Apart: each answers on their own device.
    anna.ok(&["round", "answer", &r, "consent"]);
    erik.ok(&["round", "answer", &r, "objection", "--reason", "No hardening time", "--new-friction", "Hardening time"]);
    sara.ok(&["round", "answer", &r, "concern", "--reason", "Docs late"]);
    for _ in 0..2 {
        for ws in [&anna, &erik, &sara] {
            ws.sync();
        }
    }
    let shows: Vec<serde_json::Value> = [&anna, &erik, &sara].iter().map(|ws| ws.json(&["round", "show", &r])).collect();
    assert_eq!(shows[0]["answers"].as_array().unwrap().len(), 3, "{}", shows[0]);
    assert_eq!(shows[0]["waiting"], serde_json::json!([]));
    assert_eq!(shows[0], shows[1]);
    assert_eq!(shows[0], shows[2]);
    assert_eq!(sara.show("Hardening time")["fields"]["positions"]["Engineering"], "No hardening time");

    // Two close at once; both see the same answers, so they agree.
    anna.ok(&["round", "close", &r]);
    erik.ok(&["round", "close", &r]);
    for _ in 0..2 {
        for ws in [&anna, &erik, &sara] {
            ws.sync();
        }
    }
    let finals: Vec<(serde_json::Value, serde_json::Value, serde_json::Value)> = [&anna, &erik, &sara]
        .iter()
        .map(|ws| (ws.json(&["round", "show", &r]), ws.show(&r)["fields"].clone(), ws.show("Release date")["fields"].clone()))
        .collect();
    assert_eq!(finals[0].0["state"], "closed");
    assert_eq!(finals[0].0["outcome"], "agreed with concerns");
    assert_eq!(finals[0].1["agreed_by"], "Anna, Sara");
    assert_eq!(finals[0].2["status"], "resolved");
    assert_eq!(finals[0], finals[1]);
    assert_eq!(finals[0], finals[2]);
    for ws in [&anna, &erik, &sara] {
        assert_eq!(ws.json(&["conflicts"]), serde_json::json!([]), "answers and closes do not conflict");
        assert_eq!(ws.run(&["doctor"]).code, 0);
    }
}

#[test]
fn a_consent_round_answered_and_closed_on_three_devices_converges_through_a_shared_folder() {
    let dir = shared();
    a_consent_round_converges(s(dir.path()));
}

#[test]
fn a_consent_round_answered_and_closed_on_three_devices_converges_through_a_real_s3_server() {
    let Some(moto) = start_moto() else { return };
    moto.env();
    a_consent_round_converges("s3://mellanrum-test/rounds");
}
