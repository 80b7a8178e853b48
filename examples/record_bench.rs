//! The record over time (docs/BENCHMARKS.md, "The record"): what a save adds to the database, the
//! database against its Markdown, and a workspace after years of edits.
//!
//! `cargo run --release --example record_bench -- [--items N] [--edits E] [--dir DIR] [--json]`
//!
//! 1. `edit`: one note of 11 KB, fifty one-word edits, each saved as the app saves (its own
//!    fsynced transaction): bytes added to the database file and to the record per save.
//! 2. For N/4 and N items (default 100 000): import the benchmark vault into a new workspace
//!    (`synchronous=FULL`, as shipped): items/s, and the database against the vault's Markdown;
//!    then E rounds (default 20) in which every note gets a one-word edit, each round written
//!    through the batch path as an import of the edited vault; then the database size, `history`
//!    of 200 items (p50, p99), `doctor` (after dropping the page cache, when allowed) and `backup`.
//!
//! Each phase runs in its own process, so its peak memory is its own. Nothing is asserted.

mod corpus;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use mellanrum::import;
use mellanrum::workspace::{Edit, NewItem, Workspace};
use serde_json::json;

fn db_bytes(ws: &mut Workspace) -> mellanrum::Result<u64> {
    ws.store().checkpoint()?;
    Ok(std::fs::metadata(ws.root().join("mellanrum.db")).map(|m| m.len()).unwrap_or(0))
}

fn record_bytes(ws: &mut Workspace) -> mellanrum::Result<u64> {
    let r = ws.record_stats()?;
    Ok(r.history_bytes + r.log_bytes + r.document_bytes + r.body_bytes)
}

/// Drops the page cache, so what follows reads from the disk; false when not allowed here.
fn drop_caches() -> bool {
    let _ = Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

/// One word of every note changed: the `round`-th word of each body, for a word of the round.
fn edit_vault(vault: &Path, n: usize, round: usize) -> std::io::Result<()> {
    for i in 0..n {
        let p = corpus::note_path(vault, i);
        let text = std::fs::read_to_string(&p)?;
        let body_at = text.find("\n---\n").map_or(0, |k| k + 5);
        let (head, body) = text.split_at(body_at);
        let mut words: Vec<&str> = body.split(' ').collect();
        let k = (round * 7 + i) % words.len().saturating_sub(1).max(1);
        let w = format!("edit{round}");
        words[k] = &w;
        std::fs::write(&p, format!("{head}{}", words.join(" ")))?;
    }
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn phase(args: &[String]) -> mellanrum::Result<serde_json::Value> {
    let dir = PathBuf::from(&args[1]);
    let ws_dir = dir.join("ws");
    match args[0].as_str() {
        "edit" => {
            let _ = std::fs::remove_dir_all(&ws_dir);
            let mut ws = Workspace::init(&ws_dir, Some("Bench"))?;
            ws.add_person("Anna", "Sales")?;
            let mut body: String = (0..1600).map(|i| corpus::WORDS[(i * 7) % corpus::WORDS.len()]).collect::<Vec<_>>().join(" ");
            body.truncate(11 * 1024);
            let id = ws
                .create(NewItem {
                    kind: Some(mellanrum::model::Kind::Note),
                    title: "Long".into(),
                    body: body.clone(),
                    ..Default::default()
                })?
                .id;
            let (db0, rec0) = (db_bytes(&mut ws)?, record_bytes(&mut ws)?);
            let saves = 50;
            let t = Instant::now();
            for round in 0..saves {
                let mut words: Vec<String> = body.split(' ').map(str::to_string).collect();
                let k = (round * 37 + 11) % words.len();
                words[k] = format!("w{round}");
                body = words.join(" ");
                ws.update(&id, Edit { body: Some(body.clone()), ..Default::default() })?;
            }
            let s = t.elapsed().as_secs_f64();
            let (db1, rec1) = (db_bytes(&mut ws)?, record_bytes(&mut ws)?);
            Ok(json!({"phase": "one-word edits of an 11 KB note", "saves": saves, "body_bytes": body.len(),
                "database_bytes_per_save": (db1 - db0) as f64 / saves as f64, "record_bytes_per_save": (rec1 - rec0) as f64 / saves as f64,
                "ms_per_save": s * 1000.0 / saves as f64}))
        }
        "import" => {
            let n: usize = args[2].parse().unwrap();
            let _ = std::fs::remove_dir_all(&ws_dir);
            let mut ws = Workspace::init(&ws_dir, Some("Bench"))?;
            ws.add_person("Anna", "Sales")?;
            let t = Instant::now();
            let r = import::vault::import(&mut ws, &dir.join("vault"), None, None)?;
            let s = t.elapsed().as_secs_f64();
            let md = corpus::dir_bytes(&dir.join("vault"));
            let db = db_bytes(&mut ws)?;
            Ok(json!({"phase": "import vault", "n": n, "items": r.items, "seconds": s, "items_per_s": r.items as f64 / s,
                "markdown_mib": md as f64 / 1048576.0, "database_mib": db as f64 / 1048576.0, "database_per_markdown": db as f64 / md as f64,
                "record": ws.record_stats()?, "peak_mib": corpus::peak_mib()}))
        }
        "edits" => {
            let n: usize = args[2].parse().unwrap();
            let rounds: usize = args[3].parse().unwrap();
            let mut ws = Workspace::open(&ws_dir)?;
            let mut times = Vec::new();
            for round in 0..rounds {
                edit_vault(&dir.join("vault"), n, round).map_err(|e| mellanrum::Error::io(&dir, e))?;
                let t = Instant::now();
                let r = import::vault::import(&mut ws, &dir.join("vault"), None, None)?;
                times.push(t.elapsed().as_secs_f64());
                assert_eq!(r.updated, n, "round {round}: every note changed");
            }
            let md = corpus::dir_bytes(&dir.join("vault"));
            let db = db_bytes(&mut ws)?;
            let total: f64 = times.iter().sum();
            Ok(json!({"phase": "one-word edit of every note, rounds through the batch path", "n": n, "rounds": rounds,
                "seconds": total, "edits_per_s": (n * rounds) as f64 / total,
                "markdown_mib": md as f64 / 1048576.0, "database_mib": db as f64 / 1048576.0, "database_per_markdown": db as f64 / md as f64,
                "record": ws.record_stats()?, "peak_mib": corpus::peak_mib()}))
        }
        "history" => {
            let n: usize = args[2].parse().unwrap();
            let mut ws = Workspace::open(&ws_dir)?;
            let mut ms = Vec::new();
            let mut revisions = 0;
            for k in 0..200 {
                let title = corpus::title(k * n / 200);
                let t = Instant::now();
                let id = ws.resolve_ref(&title)?;
                revisions += ws.history(&id)?.len();
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            ms.sort_by(f64::total_cmp);
            Ok(json!({"phase": "history of one item", "n": n, "items": 200, "revisions": revisions,
                "p50_ms": percentile(&ms, 0.5), "p99_ms": percentile(&ms, 0.99), "max_ms": ms[ms.len() - 1]}))
        }
        "doctor" => {
            let n: usize = args[2].parse().unwrap();
            let cold = drop_caches();
            let mut ws = Workspace::open(&ws_dir)?;
            let t = Instant::now();
            let r = ws.doctor(false)?;
            Ok(
                json!({"phase": "doctor", "n": n, "page_cache_dropped": cold, "ok": r.ok, "seconds": t.elapsed().as_secs_f64(), "peak_mib": corpus::peak_mib()}),
            )
        }
        "backup" => {
            let n: usize = args[2].parse().unwrap();
            let out = dir.join("backup.db");
            let _ = std::fs::remove_file(&out);
            let mut ws = Workspace::open(&ws_dir)?;
            let t = Instant::now();
            ws.backup(&out)?;
            let s = t.elapsed().as_secs_f64();
            let bytes = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
            let _ = std::fs::remove_file(&out);
            Ok(json!({"phase": "backup", "n": n, "seconds": s, "mib": bytes as f64 / 1048576.0}))
        }
        other => panic!("unknown phase {other}"),
    }
}

/// The allocator of the `mellanrum` binary and the desktop app, so the figures are theirs.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--phase") {
        match phase(&args[1..]) {
            Ok(v) => println!("{v}"),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    let (mut items, mut edits, mut dir, mut json_out) = (100_000usize, 20usize, PathBuf::from("bench/out/record"), false);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--items" => items = it.next().and_then(|v| v.parse().ok()).expect("--items N"),
            "--edits" => edits = it.next().and_then(|v| v.parse().ok()).expect("--edits E"),
            "--dir" => dir = PathBuf::from(it.next().expect("--dir DIR")),
            "--json" => json_out = true,
            other => panic!("unknown argument {other}"),
        }
    }
    let exe = std::env::current_exe().expect("own path");
    let run = |args: &[String]| -> serde_json::Value {
        let o = Command::new(&exe).arg("--phase").args(args).output().expect("run a phase");
        if !o.status.success() {
            eprintln!("{args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
            std::process::exit(1);
        }
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("phase output");
        if !json_out {
            eprintln!("{v}");
        }
        v
    };
    let mut results = vec![];
    std::fs::create_dir_all(&dir).expect("bench folder");
    results.push(run(&["edit".into(), dir.join("edit").to_string_lossy().into_owned()]));
    for n in [items / 4, items] {
        let d = dir.join(n.to_string());
        std::fs::create_dir_all(&d).expect("bench folder");
        // A fresh vault each run: the edit rounds change it.
        let _ = std::fs::remove_dir_all(d.join("vault"));
        let t = Instant::now();
        corpus::generate(&d, n).expect("generate the corpus");
        eprintln!("vault of {n} notes in {} ({:.1} s)", d.display(), t.elapsed().as_secs_f64());
        let ds = d.to_string_lossy().into_owned();
        let ns = n.to_string();
        results.push(run(&["import".into(), ds.clone(), ns.clone()]));
        results.push(run(&["edits".into(), ds.clone(), ns.clone(), edits.to_string()]));
        for p in ["history", "doctor", "backup"] {
            results.push(run(&[p.into(), ds.clone(), ns.clone()]));
        }
    }
    if json_out {
        println!("{}", serde_json::to_string_pretty(&results).unwrap());
    }
}
