//! Import and export throughput at scale (the figures in docs/BENCHMARKS.md, "Knowledge in and out").
//!
//! `cargo run --release --example io_bench -- [--items N] [--dir DIR] [--json]`
//!
//! Generates a Markdown vault of N notes (default 100 000: notes, signals, insights, frictions and
//! resolutions with front matter, tags, ~120 words and three to four [[links]] each) and a CSV of N
//! signals, then measures, each phase in its own process so its peak memory is its own:
//! importing the vault, importing the CSV, and exporting the workspace to every format.
//! Nothing here is asserted; it prints what it measured.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use mellanrum::export::{self, Format, Options};
use mellanrum::import;
use mellanrum::workspace::Workspace;

const WORDS: &[&str] = &[
    "customer",
    "kund",
    "release",
    "leverans",
    "pricing",
    "pris",
    "onboarding",
    "support",
    "latency",
    "export",
    "search",
    "sync",
    "team",
    "sales",
    "engineering",
    "design",
    "roadmap",
    "friction",
    "decision",
    "quality",
    "feedback",
    "invoice",
    "contract",
    "mobile",
    "desktop",
    "offline",
    "meeting",
    "goal",
    "strategy",
    "signal",
    "insight",
    "workflow",
    "dashboard",
    "report",
    "integration",
    "security",
    "privacy",
    "performance",
    "beslut",
    "möte",
    "mål",
    "kvalitet",
    "återkoppling",
    "avtal",
    "faktura",
    "säkerhet",
    "prestanda",
    "arbetsflöde",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn kind_of(i: usize) -> &'static str {
    match i % 20 {
        0..=11 => "note",
        12..=15 => "signal",
        16 | 17 => "insight",
        18 => "friction",
        _ => "resolution",
    }
}

fn title(i: usize) -> String {
    format!("{} {i:06} {}", kind_of(i), WORDS[i % WORDS.len()])
}

/// The nearest item before `i` of `kind` (links only point backwards, so every one resolves).
fn earlier(i: usize, kind: &str, rng: &mut Rng) -> Option<usize> {
    let back = 1 + rng.below(2000.min(i.max(1)));
    let mut j = i.checked_sub(back)?;
    loop {
        if kind_of(j) == kind {
            return Some(j);
        }
        j = j.checked_sub(1)?;
    }
}

fn generate(dir: &Path, n: usize) -> std::io::Result<()> {
    let vault = dir.join("vault");
    if vault.join(".complete").exists() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(&vault);
    let mut rng = Rng(0x9e3779b97f4a7c15);
    for i in 0..n {
        let sub = vault.join(format!("{:03}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&sub)?;
        }
        let kind = kind_of(i);
        let mut s = format!("---\nkind: {kind}\ntags: [{}, area/{}]\n", WORDS[rng.below(WORDS.len())], WORDS[rng.below(WORDS.len())]);
        match kind {
            "signal" => {
                s += &format!(
                    "source: interview\ncustomer: Customer {}\ndate: 2026-0{}-1{}\n",
                    rng.below(500),
                    1 + rng.below(9),
                    rng.below(10)
                )
            }
            "insight" => s += "status: hypothesis\n",
            "friction" => s += "severity: high\npositions:\n  Sales: ship now\n  Engineering: ship later\n",
            "resolution" => s += "decision: ship in two steps\nagreed_by: Anna, Erik\n",
            _ => {}
        }
        s += &format!("rating: {}\n---\n", rng.below(5));
        for w in 0..120 {
            s += WORDS[rng.below(WORDS.len())];
            s.push(if w % 15 == 14 { '\n' } else { ' ' });
        }
        for _ in 0..3 {
            if i > 0 {
                s += &format!("\nSee [[{}]].", title(rng.below(i)));
            }
        }
        let typed = match kind {
            "insight" => earlier(i, "signal", &mut rng).map(|j| ("evidence", j)),
            "resolution" => earlier(i, "friction", &mut rng).map(|j| ("resolves", j)),
            _ => None,
        };
        if let Some((rel, j)) = typed {
            s += &format!("\n{rel}:: [[{}]]\n", title(j));
        }
        std::fs::write(sub.join(format!("{}.md", title(i))), s)?;
    }
    let mut csv = std::io::BufWriter::new(std::fs::File::create(dir.join("signals.csv"))?);
    writeln!(csv, "Id,Summary,Customer,Created,Text")?;
    for i in 0..n {
        let text: Vec<&str> = (0..60).map(|_| WORDS[rng.below(WORDS.len())]).collect();
        writeln!(
            csv,
            "S{i},\"Ticket {i}: {} {}\",Customer {},30/Sep/21 17:20,\"{}\"",
            WORDS[i % WORDS.len()],
            WORDS[rng.below(WORDS.len())],
            rng.below(500),
            text.join(" ")
        )?;
    }
    csv.flush()?;
    std::fs::write(vault.join(".complete"), "")?;
    Ok(())
}

/// Peak resident memory of this process, in MiB.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

fn phase(args: &[String]) -> mellanrum::Result<serde_json::Value> {
    let dir = PathBuf::from(&args[1]);
    let ws_dir = dir.join("ws");
    match args[0].as_str() {
        "import-vault" => {
            let _ = std::fs::remove_dir_all(&ws_dir);
            let mut ws = Workspace::init(&ws_dir, Some("Bench"))?;
            ws.add_person("Anna", "Sales")?;
            ws.add_person("Erik", "Engineering")?;
            let t = Instant::now();
            let r = import::vault::import(&mut ws, &dir.join("vault"), None, None)?;
            let s = t.elapsed().as_secs_f64();
            Ok(serde_json::json!({"phase": "import vault", "items": r.items, "links": r.links, "resolved": r.resolved,
                "seconds": s, "items_per_s": r.items as f64 / s, "peak_mib": peak_mib()}))
        }
        "reimport-vault" => {
            let mut ws = Workspace::open(&ws_dir)?;
            let t = Instant::now();
            let r = import::vault::import(&mut ws, &dir.join("vault"), None, None)?;
            let s = t.elapsed().as_secs_f64();
            Ok(serde_json::json!({"phase": "import vault again (unchanged)", "items": r.items, "unchanged": r.unchanged,
                "seconds": s, "items_per_s": r.items as f64 / s, "peak_mib": peak_mib()}))
        }
        "import-csv" => {
            let sig = dir.join("ws-signals");
            let _ = std::fs::remove_dir_all(&sig);
            let mut ws = Workspace::init(&sig, Some("Bench"))?;
            ws.add_person("Anna", "Sales")?;
            let map = [("title", "Summary"), ("ref", "Id"), ("customer", "Customer"), ("date", "Created"), ("body", "Text")];
            let opts =
                import::signals::Options { map: map.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(), ..Default::default() };
            let t = Instant::now();
            let r = import::signals::import(&mut ws, &dir.join("signals.csv"), &opts, None)?;
            let s = t.elapsed().as_secs_f64();
            Ok(
                serde_json::json!({"phase": "import signals CSV", "items": r.items, "seconds": s, "items_per_s": r.items as f64 / s, "peak_mib": peak_mib()}),
            )
        }
        f => {
            let format: Format = f.parse()?;
            let mut ws = Workspace::open(&ws_dir)?;
            let out = dir.join(format!("export.{f}"));
            if out.is_dir() {
                let _ = std::fs::remove_dir_all(&out);
            }
            let t = Instant::now();
            let r = export::export(&mut ws, &Options { format, out, only: None, redact_people: false })?;
            let s = t.elapsed().as_secs_f64();
            Ok(serde_json::json!({"phase": format!("export {f}"), "nodes": r.nodes, "edges": r.edges, "files": r.files,
                "mib": r.bytes as f64 / 1048576.0, "seconds": s, "peak_mib": peak_mib()}))
        }
    }
}

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
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--items" => items = it.next().and_then(|v| v.parse().ok()).expect("--items N"),
            "--dir" => dir = PathBuf::from(it.next().expect("--dir DIR")),
            "--json" => json = true,
            other => panic!("unknown argument {other}"),
        }
    }
    let dir = dir.join(items.to_string());
    std::fs::create_dir_all(&dir).expect("bench folder");
    let t = Instant::now();
    generate(&dir, items).expect("generate the corpus");
    eprintln!("corpus of {items} notes and signals in {} ({:.1} s)", dir.display(), t.elapsed().as_secs_f64());
    let exe = std::env::current_exe().expect("own path");
    let mut results = Vec::new();
    for p in ["import-vault", "reimport-vault", "import-csv", "graphml", "cytoscape", "dot", "mermaid", "html", "vault"] {
        let o = Command::new(&exe).args(["--phase", p, dir.to_str().unwrap()]).output().expect("run a phase");
        if !o.status.success() {
            eprintln!("{p} failed: {}", String::from_utf8_lossy(&o.stderr));
            std::process::exit(1);
        }
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("phase output");
        if !json {
            eprintln!("{v}");
        }
        results.push(v);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&results).unwrap());
    }
}
