//! Nothing lost: crashes at random points, two writers at once, backups while writing, doctor's
//! repairs, and inputs at the limits.

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
    for round in 0..60 {
        let mut child = writer(&ws, round);
        let stdout = child.stdout.take().unwrap();
        let lines = std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<String>>());
        std::thread::sleep(Duration::from_millis(rng.range(5, 250)));
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
        // After every kill: the file is sound, nothing half-written, every reported change is there.
        let doctor = ws.run(&["doctor", "--json"]);
        assert_eq!(doctor.code, 0, "after kill {kills}: {}{}", doctor.stdout, doctor.stderr);
        let report = doctor.json();
        assert_eq!(report["ok"], true, "after kill {kills}: {report}");
        let titles: BTreeSet<String> =
            ws.json(&["list", "--kind", "note"]).as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect();
        for (id, title) in &saved {
            assert!(titles.contains(title), "after kill {kills}: reported save of {title} ({id}) is lost");
        }
    }
    assert!(kills >= 50);
    assert!(saved.len() > 20, "the writers made progress: {} saves", saved.len());
    for (id, tag) in &tagged {
        let tags = ws.show(id)["tags"].clone();
        assert!(tags.as_array().unwrap().iter().any(|t| t == tag.as_str()), "reported tag {tag} on {id} is lost: {tags}");
    }
    eprintln!("{kills} kills, {} saves and {} edits reported and kept, in {:?}", saved.len(), tagged.len(), started.elapsed());
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
