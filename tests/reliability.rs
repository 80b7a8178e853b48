//! Nothing lost: SIGKILL at random points of edits, imports and syncs (after each: doctor, the
//! search index against the store, every reported change), two writers at once, backups while
//! writing, doctor's checks and repairs, and inputs at the limits. docs/RELIABILITY.md lists the
//! figures of the last run.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{bin, Ws};

/// A small deterministic random source (no clock), so a failing run can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

/// A writer process group: a shell loop of real `mellanrum` commands that prints a line for every
/// change after the command reported success.
fn writer(ws: &Ws, round: usize) -> std::process::Child {
    let script = format!(
        r#"i=0; prev=""
        while true; do
          i=$((i+1)); t="crash-{round}-$i"
          id=$("$M" add note --title "$t" --tag round{round} --body "Follows [[$prev]] and evidence:: text" ) || exit 3
          echo "saved $id $t"
          "$M" edit "$id" --tag "step$i" >/dev/null || exit 4
          echo "tagged $id step$i"
          if [ -n "$prev" ]; then "$M" link "$t" "$prev" --rel supports >/dev/null || exit 5; echo "linked $id"; fi
          if [ $((i % 3)) = 0 ]; then "$M" search "\"$t\"" >/dev/null || exit 6; fi
          prev="$t"
        done"#
    );
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("M", bin())
        .env("MELLANRUM_WORKSPACE", ws.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("start the writer")
}

/// Kills of the writer loop per run; with the kills mid-import and mid-sync the module makes at
/// least 50 per run.
const WRITER_KILLS: usize = 50;
/// Imports killed per run (vault and CSV alternately), and syncs killed per run (half pushing, half pulling).
const IMPORT_KILLS: usize = 8;
const SYNC_ROUNDS: usize = 4;

/// After a kill: `doctor` finds the database, links, history and sync log sound. The search index
/// must hold what the store holds too — or, when the kill fell inside a rebuild, be rebuilt by the
/// next search, after which `doctor` finds everything sound. Returns 1 when such a rebuild happened.
fn sound_after_kill(ws: &Ws, kills: usize) -> usize {
    let r = ws.run(&["doctor", "--json"]);
    let report = r.json();
    if r.code == 0 && report["ok"] == true {
        return 0;
    }
    let bad: Vec<&serde_json::Value> = report["checks"].as_array().unwrap().iter().filter(|c| c["status"] != "ok").collect();
    assert!(bad.len() == 1 && bad[0]["name"] == "index", "after kill {kills}: {report}");
    let s = ws.run(&["search", "anything"]);
    assert_eq!(s.code, 0, "after kill {kills}: {}", s.stderr);
    assert!(s.stderr.contains("rebuilt it from the database"), "after kill {kills}: the search did not repair the index: {}", s.stderr);
    let again = ws.json(&["doctor"]);
    assert_eq!(again["ok"], true, "after kill {kills} and a rebuild: {again}");
    1
}

/// Runs `mellanrum ARGS` in `ws` and kills it with SIGKILL after `after` unless it ends first.
/// Returns true when it ended by itself (successfully).
fn run_until_killed(ws: &Ws, args: &[&str], after: Duration) -> bool {
    let mut child = Command::new(bin())
        .args(args)
        .env("MELLANRUM_WORKSPACE", ws.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("start mellanrum");
    let until = Instant::now() + after;
    loop {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "mellanrum {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
            return true;
        }
        if Instant::now() >= until {
            kill_group(&mut child);
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn kill_group(child: &mut std::process::Child) {
    let pgid = child.id();
    let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{pgid}")]).status();
    let _ = child.wait();
}

#[test]
fn sigkill_at_random_points_loses_no_reported_change() {
    let ws = Ws::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut saved: Vec<(String, String)> = Vec::new();
    let mut tagged: Vec<(String, String)> = Vec::new();
    let started = Instant::now();
    let mut kills = 0;
    let mut index_repairs = 0;
    for round in 0..WRITER_KILLS {
        let mut child = writer(&ws, round);
        let stdout = child.stdout.take().unwrap();
        let lines = std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<String>>());
        std::thread::sleep(Duration::from_millis(rng.range(5, 400)));
        kill_group(&mut child);
        kills += 1;
        for line in lines.join().unwrap() {
            let parts: Vec<&str> = line.split(' ').collect();
            match parts[..] {
                ["saved", id, title] => saved.push((id.to_string(), title.to_string())),
                ["tagged", id, tag] => tagged.push((id.to_string(), tag.to_string())),
                _ => {}
            }
        }
        // After every kill: the file is sound, nothing half-written, the index holds what the
        // store holds (or is rebuilt by the next search), every reported change is there.
        index_repairs += sound_after_kill(&ws, kills);
        if let Some((_, title)) = saved.last() {
            let hits = ws.json(&["search", &format!("\"{title}\"")]);
            assert!(
                hits["hits"].as_array().unwrap().iter().any(|h| h["title"] == title.as_str()),
                "after kill {kills}: {title} not found: {hits}"
            );
        }
        let titles: BTreeSet<String> =
            ws.json(&["list", "--kind", "note"]).as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect();
        for (id, title) in &saved {
            assert!(titles.contains(title), "after kill {kills}: reported save of {title} ({id}) is lost");
        }
    }
    assert_eq!(kills, WRITER_KILLS);
    assert!(saved.len() > 20, "the writers made progress: {} saves", saved.len());
    for (id, tag) in &tagged {
        let tags = ws.show(id)["tags"].clone();
        assert!(tags.as_array().unwrap().iter().any(|t| t == tag.as_str()), "reported tag {tag} on {id} is lost: {tags}");
    }
    eprintln!(
        "writer: {kills} kills, {} saves and {} edits reported and kept, {index_repairs} index rebuilds after a kill, in {:?}",
        saved.len(),
        tagged.len(),
        started.elapsed()
    );
}

#[test]
fn two_writers_at_once_never_see_a_lock_error() {
    let ws = Ws::new();
    let spawn = |who: &str| {
        let script =
            format!(r#"for i in $(seq 1 60); do "$M" add note --title "{who}-$i" --body "[[{who}-$((i-1))]]" >/dev/null || exit 1; done"#);
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .env("M", bin())
            .env("MELLANRUM_WORKSPACE", ws.path())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = spawn("a");
    let b = spawn("b");
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a writer failed: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "a writer complained: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(ws.json(&["list"]).as_array().unwrap().len(), 120);
    assert_eq!(ws.json(&["unresolved"]).as_array().unwrap().len(), 2, "only [[a-0]] and [[b-0]] dangle");
}

#[test]
fn backup_while_writing_and_restore() {
    let ws = Ws::new();
    for i in 0..20 {
        ws.add("note", &format!("Before {i}"), &[]);
    }
    let mut child = writer(&ws, 0);
    std::thread::sleep(Duration::from_millis(150));
    let out = ws.path().join("backup.db");
    let b = ws.json(&["backup", out.to_str().unwrap()]);
    kill_group(&mut child);
    assert!(b["items"].as_i64().unwrap() >= 20, "{b}");
    assert!(ws.fails(&["backup", out.to_str().unwrap()]).contains("exists already"));

    // Damage: delete everything, then restore.
    let ids: Vec<String> = ws.json(&["list"]).as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect();
    for id in &ids {
        ws.ok(&["delete", id]);
    }
    assert_eq!(ws.json(&["list"]).as_array().unwrap().len(), 0);
    // As if a process was killed while it swapped a rebuilt index in: the restore rebuilds it.
    let _ = std::fs::remove_dir_all(ws.path().join("index"));
    let r = ws.json(&["restore", "--from", out.to_str().unwrap()]);
    assert_eq!(r["items"], b["items"]);
    assert!(std::path::Path::new(r["previous"].as_str().unwrap()).is_file());
    assert_eq!(ws.json(&["list"]).as_array().unwrap().len() as i64, b["items"].as_i64().unwrap());
    assert_eq!(ws.json(&["doctor"])["ok"], true);
    // The workspace still works after a restore.
    ws.add("note", "After restore", &[]);

    // A file that is not a backup is refused, and nothing changes.
    let junk = ws.path().join("junk.db");
    std::fs::write(&junk, b"this is not a database at all, just bytes").unwrap();
    let err = ws.fails(&["restore", "--from", junk.to_str().unwrap()]);
    assert!(err.contains("junk.db"), "{err}");
    assert!(ws.fails(&["restore", "--from", "/nonexistent.db"]).contains("no such backup file"));
    assert_eq!(ws.json(&["list"]).as_array().unwrap().len() as i64, b["items"].as_i64().unwrap() + 1);
}

#[test]
fn doctor_finds_and_repairs_derived_damage() {
    let ws = Ws::new();
    ws.add("signal", "Slow", &[]);
    let i = ws.add("insight", "Speed", &["--body", "evidence:: [[Slow]] and [[Nowhere]]"]);
    let f = ws.add("friction", "Cadence", &[]);
    ws.add("resolution", "Monthly", &["--body", "resolves:: [[Cadence]]"]);
    assert_eq!(ws.json(&["doctor"])["ok"], true);

    // Damage the derived tables behind the program's back.
    {
        let conn = rusqlite::Connection::open(ws.path().join("mellanrum.db")).unwrap();
        conn.execute("DELETE FROM links WHERE source_id = ?1", [&i]).unwrap();
        conn.execute("UPDATE friction_fields SET status = 'open' WHERE item_id = ?1", [&f]).unwrap();
    }
    let r = ws.run(&["doctor", "--json"]);
    assert_eq!(r.code, 2, "problems found: {}", r.stdout);
    let report = r.json();
    let status = |name: &str| report["checks"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()["status"].clone();
    assert_eq!(status("links"), "problem");
    assert_eq!(status("frictions"), "problem");
    assert_eq!(status("database"), "ok");

    let repaired = ws.json(&["doctor", "--repair"]);
    assert_eq!(repaired["ok"], true, "{repaired}");
    assert_eq!(ws.json(&["doctor"])["ok"], true);
    assert_eq!(ws.show(&i)["links"].as_array().unwrap().len(), 2);
    assert_eq!(ws.show(&f)["fields"]["status"], "resolved");
    let human = ws.ok(&["doctor"]);
    assert!(human.contains("ok       links"), "{human}");
}

#[test]
fn inputs_at_the_limits_are_handled() {
    let ws = Ws::new();
    let dir = ws.path();
    // A 10 MB body with a 1 MB line.
    let mut big = "Stycke med text om kunder och leveranser. ".repeat(25_000); // ~1 MB on one line
    big.push('\n');
    while big.len() < 10 * 1024 * 1024 {
        big.push_str("A line of ordinary prose about customers, frictions and goals.\n");
    }
    std::fs::write(dir.join("big.md"), &big).unwrap();
    let id = ws.add("note", "Big", &["--body-file", dir.join("big.md").to_str().unwrap()]);
    assert_eq!(ws.show(&id)["body"].as_str().unwrap().len(), big.len());

    // 100k links in one note.
    let many: String = (0..100_000).map(|i| format!("[[T{i}]] ")).collect();
    std::fs::write(dir.join("many.md"), &many).unwrap();
    let id = ws.add("note", "Many links", &["--body-file", dir.join("many.md").to_str().unwrap()]);
    assert_eq!(ws.show(&id)["links"].as_array().unwrap().len(), 100_000);

    // A 10k-level nested list and a 10k-level nested quote (each level opens inside the last).
    let nested = format!("{}deepest [[Big]]\n\n{}quoted [[Many links]]\n", "- ".repeat(10_000), "> ".repeat(10_000));
    std::fs::write(dir.join("nested.md"), &nested).unwrap();
    let id = ws.add("note", "Nested", &["--body-file", dir.join("nested.md").to_str().unwrap()]);
    assert_eq!(ws.show(&id)["links"].as_array().unwrap().len(), 2);
    let hits = ws.json(&["search", "deepest"]);
    assert_eq!(hits["hits"][0]["title"], "Nested", "{hits}");

    // Over the limit: a clear error, nothing written.
    let huge = "x".repeat(17 * 1024 * 1024);
    std::fs::write(dir.join("huge.md"), &huge).unwrap();
    let err = ws.fails(&["add", "note", "--title", "Huge", "--body-file", dir.join("huge.md").to_str().unwrap()]);
    assert!(err.contains("the limit is"), "{err}");
    assert!(ws.fails(&["show", "Huge"]).contains("no item matches"));
}

fn check_of(report: &serde_json::Value, name: &str) -> serde_json::Value {
    report["checks"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no check {name}: {report}")).clone()
}

#[test]
fn doctor_checks_the_index_against_the_store_and_rebuilds_it() {
    let ws = Ws::new();
    let a = ws.add("note", "Leveranser i tid", &["--body", "kunder väntar"]);
    ws.add("note", "Prissättning", &[]);
    // Never searched: no index yet, nothing to check.
    assert_eq!(check_of(&ws.json(&["doctor"]), "index")["status"], "ok");
    ws.json(&["search", "leveranser"]);
    ws.ok(&["reindex"]);
    let report = ws.json(&["doctor"]);
    assert_eq!(check_of(&report, "index")["status"], "ok", "{report}");

    // A title changed behind the program's back: the index no longer says what the store says.
    {
        let conn = rusqlite::Connection::open(ws.path().join("mellanrum.db")).unwrap();
        conn.execute("UPDATE items SET title = 'Renamed behind its back' WHERE id = ?1", [&a]).unwrap();
    }
    let r = ws.run(&["doctor", "--json"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let index = check_of(&r.json(), "index");
    assert_eq!(index["status"], "problem");
    assert!(index["details"][0].as_str().unwrap().contains("another title"), "{index}");
    assert!(index["details"][0].as_str().unwrap().contains(&a), "{index}");
    let repaired = ws.json(&["doctor", "--repair"]);
    assert_eq!(check_of(&repaired, "index")["status"], "repaired", "{repaired}");
    assert_eq!(ws.json(&["doctor"])["ok"], true);
    assert_eq!(ws.json(&["search", "behind"])["hits"][0]["id"], a.as_str());

    // The index folder removed: reported, and rebuilt by --repair.
    std::fs::remove_dir_all(ws.path().join("index")).unwrap();
    let r = ws.run(&["doctor", "--json"]);
    assert_eq!(r.code, 2);
    assert!(check_of(&r.json(), "index")["details"][0].as_str().unwrap().contains("missing"), "{}", r.stdout);
    assert_eq!(check_of(&ws.json(&["doctor", "--repair"]), "index")["status"], "repaired");
    assert_eq!(ws.json(&["doctor"])["ok"], true);

    // Saves not yet committed to the index are not a problem: searches read them from the queue.
    ws.add("note", "Queued after the commit", &[]);
    assert_eq!(ws.json(&["doctor"])["ok"], true);
}

#[test]
fn doctor_checks_the_sync_log_against_the_shared_folder() {
    let shared = tempfile::tempdir().unwrap();
    let anna = Ws::new();
    anna.ok(&["remote", "set", shared.path().to_str().unwrap()]);
    anna.add("note", "Shared one", &[]);
    anna.sync();
    let erik = Ws::join(shared.path().to_str().unwrap(), "Erik", "Engineering", &[]);
    erik.add("note", "From Erik", &[]);
    erik.sync();
    anna.add("note", "Shared two", &[]);
    anna.sync();
    anna.sync();
    for ws in [&anna, &erik] {
        let report = ws.json(&["doctor"]);
        assert_eq!(check_of(&report, "sync")["status"], "ok", "{report}");
    }
    // Anna's first segment damaged on the storage after Erik read it: Erik's doctor names the file.
    let segs: Vec<std::path::PathBuf> = walk(shared.path()).into_iter().filter(|p| p.extension().is_some_and(|e| e == "seg")).collect();
    let first = segs.iter().find(|p| p.ends_with("000000000001.seg") && !erik_wrote(&erik, p)).unwrap().clone();
    let mut bytes = std::fs::read(&first).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    std::fs::write(&first, &bytes).unwrap();
    for ws in [&anna, &erik] {
        let r = ws.run(&["doctor", "--json"]);
        assert_eq!(r.code, 2, "{}", r.stdout);
        let sync = check_of(&r.json(), "sync");
        assert_eq!(sync["status"], "problem");
        assert!(sync["details"][0].as_str().unwrap().contains("000000000001.seg"), "{sync}");
    }
    // Removed altogether: "missing".
    std::fs::remove_file(&first).unwrap();
    let sync = check_of(&erik.run(&["doctor", "--json"]).json(), "sync");
    assert!(sync["details"][0].as_str().unwrap().contains("is missing"), "{sync}");
    // Nothing local was touched: the items are all there.
    assert_eq!(erik.json(&["list"]).as_array().unwrap().len(), 2);
}

fn erik_wrote(erik: &Ws, p: &std::path::Path) -> bool {
    let conn = rusqlite::Connection::open(erik.path().join("mellanrum.db")).unwrap();
    let id: String = conn.query_row("SELECT value FROM meta WHERE key = 'device'", [], |r| r.get(0)).unwrap();
    p.to_string_lossy().contains(&id)
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
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

/// Titles and bodies of the live items whose title starts with `prefix`, read straight from the file.
fn stored(ws: &Ws, prefix: &str) -> std::collections::BTreeMap<String, String> {
    let conn = rusqlite::Connection::open(ws.path().join("mellanrum.db")).unwrap();
    let mut st = conn.prepare("SELECT title, body FROM items WHERE deleted = 0 AND title LIKE ?1 || '%'").unwrap();
    let rows = st.query_map([prefix], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

/// A source of `n` items whose titles start with `prefix`: a vault folder (each note links the
/// next) or a CSV file of signals. Returns the path and the expected title -> body.
fn source(dir: &std::path::Path, prefix: &str, n: usize, csv: bool) -> (std::path::PathBuf, std::collections::BTreeMap<String, String>) {
    let mut want = std::collections::BTreeMap::new();
    if csv {
        let path = dir.join(format!("{prefix}.csv"));
        let mut text = String::from("title,body,ref\n");
        for i in 0..n {
            let (t, b) = (format!("{prefix}-{i:05}"), format!("Customer {i} says the \"{prefix}\" export, row {i}, is slow"));
            text.push_str(&format!("{t},\"{}\",{prefix}-ref-{i}\n", b.replace('"', "\"\"")));
            want.insert(t, b);
        }
        std::fs::write(&path, text).unwrap();
        (path, want)
    } else {
        let path = dir.join(prefix);
        std::fs::create_dir_all(&path).unwrap();
        for i in 0..n {
            let t = format!("{prefix}-{i:05}");
            let b = format!("Note {i} of {prefix}, followed by [[{prefix}-{:05}]].\n", i + 1);
            std::fs::write(path.join(format!("{t}.md")), &b).unwrap();
            want.insert(t, b);
        }
        (path, want)
    }
}

fn import_args(path: &std::path::Path, csv: bool) -> Vec<String> {
    let p = path.to_str().unwrap().to_string();
    if csv {
        ["import", "signals", &p, "--map", "title=title", "--map", "body=body", "--map", "ref=ref"].map(String::from).to_vec()
    } else {
        ["import", "vault", &p].map(String::from).to_vec()
    }
}

/// Every stored item of `prefix` is whole: its title is one of the source's and its body exactly
/// the source's (signals' bodies may carry more than the column, so those must start with it).
fn whole_items(ws: &Ws, prefix: &str, want: &std::collections::BTreeMap<String, String>, kills: usize) -> usize {
    let have = stored(ws, prefix);
    for (t, b) in &have {
        let w = want.get(t).unwrap_or_else(|| panic!("after kill {kills}: an item {t} the source does not hold"));
        assert!(b.trim_end() == w.trim_end() || b.contains(w.trim_end()), "after kill {kills}: half item {t}: {b:?} vs {w:?}");
    }
    have.len()
}

#[test]
fn sigkill_mid_import_keeps_whole_batches_and_a_second_import_completes() {
    let ws = Ws::new();
    let tmp = tempfile::tempdir().unwrap();
    let n = 2 * mellanrum::import::BATCH + 300;
    // How long a whole import takes here: kills fall anywhere inside it.
    let (path, want) = source(tmp.path(), "calib", n, false);
    let started = Instant::now();
    assert!(run_until_killed(&ws, &import_args(&path, false).iter().map(String::as_str).collect::<Vec<_>>(), Duration::from_secs(600)));
    let full = started.elapsed();
    assert_eq!(whole_items(&ws, "calib-", &want, 0), n);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (mut kills, mut partial) = (0, 0);
    for round in 0..IMPORT_KILLS {
        let csv = round % 2 == 1;
        let prefix = format!("imp{round}");
        let (path, want) = source(tmp.path(), &prefix, n, csv);
        let args = import_args(&path, csv);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // Between 5 % and 50 % of a whole import: most land inside it even when this one runs faster.
        let at = Duration::from_micros(rng.range(full.as_micros() as u64 / 20, full.as_micros() as u64 / 2));
        if run_until_killed(&ws, &args, at) {
            continue;
        }
        kills += 1;
        sound_after_kill(&ws, kills);
        let kept = whole_items(&ws, &format!("{prefix}-"), &want, kills);
        // Whole batches only: each batch is one transaction.
        assert_eq!(kept % mellanrum::import::BATCH, 0, "after kill {kills}: {kept} items kept is not whole batches");
        if kept > 0 && kept < n {
            partial += 1;
        }
        // Importing again completes, updating what was kept instead of duplicating it.
        let r = ws.json(&args);
        assert_eq!(r["items"], n, "{r}");
        assert_eq!(r["created"].as_u64().unwrap() as usize, n - kept, "{r}");
        assert_eq!(whole_items(&ws, &format!("{prefix}-"), &want, kills), n);
        let have = stored(&ws, &format!("{prefix}-"));
        for (t, b) in &want {
            assert!(have.get(t).is_some_and(|h| h.contains(b.trim_end())), "{t} missing or different after the second import");
        }
        assert_eq!(ws.json(&["doctor"])["ok"], true);
    }
    assert!(kills >= 1, "no import was killed: each one finished before its kill time");
    eprintln!(
        "import: {kills} kills of {IMPORT_KILLS} imports of {n} items ({partial} with some batches kept); a whole import took {full:?}"
    );
}

#[test]
fn sigkill_mid_sync_leaves_a_sound_workspace_and_a_second_sync_converges() {
    let shared = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let anna = Ws::new();
    anna.ok(&["remote", "set", shared.path().to_str().unwrap()]);
    let erik = Ws::join(shared.path().to_str().unwrap(), "Erik", "Engineering", &[]);
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let n = mellanrum::sync::SEGMENT_OPS + 300;
    // How long pushing and pulling that many changes takes here.
    let (path, _) = source(tmp.path(), "calib", n, false);
    anna.json(&import_args(&path, false).iter().map(String::as_str).collect::<Vec<_>>());
    let started = Instant::now();
    anna.sync();
    let push = started.elapsed();
    let started = Instant::now();
    erik.sync();
    let pull = started.elapsed();
    let mut kills = 0;
    for round in 0..SYNC_ROUNDS {
        let prefix = format!("sync{round}");
        let (path, want) = source(tmp.path(), &prefix, n, false);
        anna.json(&import_args(&path, false).iter().map(String::as_str).collect::<Vec<_>>());
        erik.add("note", &format!("Erik's note {round}"), &[]);
        // Killed while pushing, then while pulling.
        for (ws, took) in [(&anna, push), (&erik, pull)] {
            // Early in the calibrated time: a loaded machine makes a sync slower, rarely faster.
            let at = Duration::from_micros(rng.range(took.as_micros() as u64 / 50, took.as_micros() as u64 / 3 + 1));
            if !run_until_killed(ws, &["sync"], at) {
                kills += 1;
                sound_after_kill(ws, kills);
            }
        }
        // Syncing again converges: both see the same items, none lost, none twice.
        anna.sync();
        erik.sync();
        anna.sync();
        let titles = |ws: &Ws| {
            let mut t: Vec<String> =
                ws.json(&["list"]).as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect();
            t.sort();
            t
        };
        let (a, e) = (titles(&anna), titles(&erik));
        assert_eq!(a, e, "round {round}: the two workspaces differ after a second sync");
        assert_eq!(whole_items(&erik, &format!("{prefix}-"), &want, kills), n, "round {round}");
        assert!(a.contains(&format!("Erik's note {round}")));
        for ws in [&anna, &erik] {
            let report = ws.json(&["doctor"]);
            assert_eq!(report["ok"], true, "round {round}: {report}");
        }
    }
    assert!(kills >= 1, "no sync was killed: each one finished before its kill time");
    eprintln!("sync: {kills} kills of {} syncs (pushing {push:?}, pulling {pull:?} for {n} changes)", 2 * SYNC_ROUNDS);
}

#[test]
fn doctor_checks_the_lens_rows_against_the_tables_and_encodes_them_again() {
    let ws = Ws::new();
    ws.ok(&["person", "add", "Erik", "--perspective", "Engineering"]);
    let signal = ws.add("signal", "Acme waits for the export", &["--set", "customer=Acme AB"]);
    ws.add("insight", "Exports are slow", &["--body", "evidence:: [[Acme waits for the export]]"]);
    ws.ok(&["--as", "Erik", "add", "friction", "--title", "Export cadence", "--position", "Engineering=Monthly"]);
    ws.json(&["lens"]);
    assert_eq!(check_of(&ws.json(&["doctor"]), "lens")["status"], "ok");

    // A row removed behind the program's back (no trigger marks it): the lens from the rows no
    // longer counts the signal.
    {
        let conn = rusqlite::Connection::open(ws.path().join("mellanrum.db")).unwrap();
        assert_eq!(conn.execute("DELETE FROM lens_rows WHERE item_id = ?1", [&signal]).unwrap(), 1);
    }
    let r = ws.run(&["doctor", "--json"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let lens = check_of(&r.json(), "lens");
    assert_eq!(lens["status"], "problem", "{lens}");
    assert!(lens["details"].as_array().unwrap().iter().any(|d| d.as_str().unwrap().contains("'items'")), "{lens}");
    assert_eq!(check_of(&ws.json(&["doctor", "--repair"]), "lens")["status"], "repaired");
    assert_eq!(ws.json(&["doctor"])["ok"], true);

    // A row that does not decode: the lens reads the tables and encodes every row again.
    {
        let conn = rusqlite::Connection::open(ws.path().join("mellanrum.db")).unwrap();
        conn.execute("UPDATE lens_rows SET data = x'07' WHERE item_id = ?1", [&signal]).unwrap();
    }
    assert_eq!(ws.json(&["lens"])["items"], 3);
    let conn = rusqlite::Connection::open(ws.path().join("mellanrum.db")).unwrap();
    let stale: i64 = conn.query_row("SELECT count(*) FROM lens_stale", [], |r| r.get(0)).unwrap();
    assert_eq!(stale, 3, "every item waits to be encoded again");
    assert_eq!(ws.json(&["doctor"])["ok"], true);
}
