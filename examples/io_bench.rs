//! Import and export throughput at scale (the figures in docs/BENCHMARKS.md, "Knowledge in and out").
//!
//! `cargo run --release --example io_bench -- [--items N] [--dir DIR] [--json] [--phases P,P,…]`
//! `cargo run --release --example io_bench -- --scale N [--dir DIR] [--json]`
//!
//! Generates a Markdown vault of N notes (default 100 000: notes, signals, insights, frictions and
//! resolutions with front matter, tags, ~120 words and three to four [[links]] each) and the same N
//! signals as a CSV and as JSON (ticket ids mapped to `ref`), then measures, each phase in its own
//! process so its peak memory is its own: importing the vault, importing the CSV and the JSON
//! (each into a new workspace, then again into the same one), and exporting the workspace to every
//! format (`--phases import-csv,reimport-csv` runs only those).
//!
//! `--scale N` is the scaling check: the CSV (with `ref`) and the vault, at N and at 4N rows, in one
//! run; it prints the ratio of the times and of SQLite's work (virtual-machine steps) of 4N to N,
//! which is about 4 when the import's work per row does not grow with the workspace (16 if it
//! grows in proportion). Rerun it after any new index or migration.
//! Nothing here is asserted; it prints what it measured.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use mellanrum::export::{self, Format, Options};
use mellanrum::import;
use mellanrum::workspace::Workspace;

mod corpus;

use corpus::{generate, peak_mib};

fn phase(args: &[String]) -> mellanrum::Result<serde_json::Value> {
    let dir = PathBuf::from(&args[1]);
    let ws_dir = dir.join("ws");
    match args[0].as_str() {
        "import-vault" => {
            let _ = std::fs::remove_dir_all(&ws_dir);
            let mut ws = Workspace::init(&ws_dir, Some("Bench"))?;
            ws.add_person("Anna", "Sales")?;
            ws.add_person("Erik", "Engineering")?;
            let counted = args.get(2).map(String::as_str) == Some("--count-steps");
            ws.store().count_steps(counted)?;
            let t = Instant::now();
            let r = import::vault::import(&mut ws, &dir.join("vault"), None, None)?;
            let s = t.elapsed().as_secs_f64();
            Ok(serde_json::json!({"phase": "import vault", "items": r.items, "links": r.links, "resolved": r.resolved,
                "seconds": s, "items_per_s": r.items as f64 / s, "steps": counted.then(|| ws.store().steps()), "peak_mib": peak_mib()}))
        }
        "reimport-vault" => {
            let mut ws = Workspace::open(&ws_dir)?;
            let t = Instant::now();
            let r = import::vault::import(&mut ws, &dir.join("vault"), None, None)?;
            let s = t.elapsed().as_secs_f64();
            Ok(serde_json::json!({"phase": "import vault again (unchanged)", "items": r.items, "unchanged": r.unchanged,
                "seconds": s, "items_per_s": r.items as f64 / s, "peak_mib": peak_mib()}))
        }
        "import-csv" | "reimport-csv" | "import-json" | "reimport-json" => {
            let json = args[0].ends_with("json");
            let sig = dir.join(if json { "ws-signals-json" } else { "ws-signals" });
            let again = args[0].starts_with("re");
            let mut ws = if again {
                Workspace::open(&sig)?
            } else {
                let _ = std::fs::remove_dir_all(&sig);
                let mut ws = Workspace::init(&sig, Some("Bench"))?;
                ws.add_person("Anna", "Sales")?;
                ws
            };
            let map: &[(&str, &str)] = if json {
                &[("title", "summary"), ("ref", "id"), ("customer", "customer"), ("date", "created"), ("body", "text")]
            } else {
                &[("title", "Summary"), ("ref", "Id"), ("customer", "Customer"), ("date", "Created"), ("body", "Text")]
            };
            let opts =
                import::signals::Options { map: map.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(), ..Default::default() };
            let counted = args.get(2).map(String::as_str) == Some("--count-steps");
            ws.store().count_steps(counted)?;
            let file = dir.join(if json { "signals.json" } else { "signals.csv" });
            let t = Instant::now();
            let r = import::signals::import(&mut ws, &file, &opts, None)?;
            let s = t.elapsed().as_secs_f64();
            let phase = format!("import signals {}{} (ref mapped)", if json { "JSON" } else { "CSV" }, if again { " again" } else { "" });
            Ok(serde_json::json!({"phase": phase, "items": r.items, "created": r.created, "unchanged": r.unchanged,
                "seconds": s, "items_per_s": r.items as f64 / s, "steps": counted.then(|| ws.store().steps()), "peak_mib": peak_mib()}))
        }
        f => {
            let format: Format = f.parse()?;
            let mut ws = Workspace::open(&ws_dir)?;
            let out = dir.join(format!("export.{f}"));
            if out.is_dir() {
                let _ = std::fs::remove_dir_all(&out);
            }
            let t = Instant::now();
            let r = export::export(&mut ws, &Options { format, out, only: None, redact_people: false, attachments: false })?;
            let s = t.elapsed().as_secs_f64();
            Ok(serde_json::json!({"phase": format!("export {f}"), "nodes": r.nodes, "edges": r.edges, "files": r.files,
                "mib": r.bytes as f64 / 1048576.0, "seconds": s, "peak_mib": peak_mib()}))
        }
    }
}

/// Runs one phase in its own process and returns what it printed.
fn run_phase(exe: &Path, phase: &str, dir: &Path, extra: &[&str]) -> serde_json::Value {
    let o = Command::new(exe).args(["--phase", phase, dir.to_str().unwrap()]).args(extra).output().expect("run a phase");
    if !o.status.success() {
        eprintln!("{phase} failed: {}", String::from_utf8_lossy(&o.stderr));
        std::process::exit(1);
    }
    serde_json::from_slice(&o.stdout).expect("phase output")
}

/// The scaling check: each import at `n` and at `4n` rows, one after the other in one run, and
/// the ratios of their times and of SQLite's steps.
fn scale(exe: &Path, root: &Path, n: usize, json: bool) {
    let dirs: Vec<PathBuf> = [n, 4 * n].iter().map(|&k| root.join(k.to_string())).collect();
    for (d, k) in dirs.iter().zip([n, 4 * n]) {
        std::fs::create_dir_all(d).expect("bench folder");
        generate(d, k).expect("generate the corpus");
    }
    let mut results = Vec::new();
    for (phase, what) in [
        ("import-csv", "signals CSV, ref mapped, new workspace"),
        ("reimport-csv", "signals CSV again (all unchanged)"),
        ("import-vault", "vault, new workspace"),
    ] {
        let small = run_phase(exe, phase, &dirs[0], &["--count-steps"]);
        let large = run_phase(exe, phase, &dirs[1], &["--count-steps"]);
        let f = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
        let time_ratio = f(&large, "seconds") / f(&small, "seconds");
        let step_ratio = f(&large, "steps") / f(&small, "steps");
        let v = serde_json::json!({"import": what, "n": n, "seconds_n": f(&small, "seconds"), "seconds_4n": f(&large, "seconds"),
            "time_ratio": time_ratio, "steps_per_row_n": f(&small, "steps") / n as f64,
            "steps_per_row_4n": f(&large, "steps") / (4 * n) as f64, "step_ratio": step_ratio});
        if !json {
            eprintln!(
                "{what}: {n} rows {:.2} s, {} rows {:.2} s: time ×{time_ratio:.2}, SQLite steps ×{step_ratio:.2} (4 = linear)",
                f(&small, "seconds"),
                4 * n,
                f(&large, "seconds")
            );
        }
        results.push(v);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&results).unwrap());
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
    let mut items = 100_000;
    let mut dir = PathBuf::from("bench/out/io");
    let mut json = false;
    let mut scale_n = None;
    let mut only: Option<Vec<String>> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--items" => items = it.next().and_then(|v| v.parse().ok()).expect("--items N"),
            "--scale" => scale_n = Some(it.next().and_then(|v| v.parse().ok()).expect("--scale N")),
            "--phases" => only = Some(it.next().expect("--phases P,P").split(',').map(str::to_string).collect()),
            "--dir" => dir = PathBuf::from(it.next().expect("--dir DIR")),
            "--json" => json = true,
            other => panic!("unknown argument {other}"),
        }
    }
    let exe = std::env::current_exe().expect("own path");
    if let Some(n) = scale_n {
        scale(&exe, &dir, n, json);
        return;
    }
    let dir = dir.join(items.to_string());
    std::fs::create_dir_all(&dir).expect("bench folder");
    let t = Instant::now();
    generate(&dir, items).expect("generate the corpus");
    eprintln!("corpus of {items} notes and signals in {} ({:.1} s)", dir.display(), t.elapsed().as_secs_f64());
    let mut results = Vec::new();
    for p in [
        "import-vault",
        "reimport-vault",
        "import-csv",
        "reimport-csv",
        "import-json",
        "reimport-json",
        "graphml",
        "cytoscape",
        "dot",
        "mermaid",
        "html",
        "vault",
    ] {
        if only.as_ref().is_some_and(|o| !o.iter().any(|x| x == p)) {
            continue;
        }
        let v = run_phase(&exe, p, &dir, &[]);
        if !json {
            eprintln!("{v}");
        }
        results.push(v);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&results).unwrap());
    }
}
