//! The cost of durability: saves per second through the real save path (`Workspace::create`, one
//! transaction per save with its revision, change-log and index-queue rows) with SQLite in WAL
//! mode at `synchronous=FULL` (the default: an fsync per commit) and at `synchronous=NORMAL`.
//! The figures in docs/RELIABILITY.md, "Durability".
//!
//! `cargo run --release --example durability_bench -- [--saves N] [--dir DIR]`
//!
//! DIR should be on the disk workspaces live on (default: a folder under the current directory,
//! not /tmp, which may be memory). Nothing here is asserted; it prints what it measured.

use std::time::Instant;

use mellanrum::model::Kind;
use mellanrum::store::Durability;
use mellanrum::workspace::{NewItem, Workspace};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let saves: usize = arg("--saves").map(|s| s.parse()).transpose()?.unwrap_or(2000);
    let base = std::path::PathBuf::from(arg("--dir").unwrap_or_else(|| "durability-bench".into()));
    std::fs::create_dir_all(&base)?;
    println!("{saves} saves per run, in {}", base.display());
    for round in 0..3 {
        for (name, d) in [("NORMAL", Durability::Normal), ("FULL", Durability::Full)] {
            let dir = tempfile::tempdir_in(&base)?;
            let mut ws = Workspace::init(dir.path(), Some("Bench"))?;
            ws.add_person("Anna", "Sales")?;
            ws.use_person("Anna")?;
            ws.store().set_durability(d)?; // FULL is the default; NORMAL is what it would save
            let started = Instant::now();
            let mut worst = 0f64;
            for i in 0..saves {
                let t = Instant::now();
                ws.create(NewItem {
                    kind: Some(Kind::Note),
                    title: format!("Note {i}"),
                    body: format!("A note about customers and deliveries, number {i}, linking [[Note {}]].", i / 2),
                    ..Default::default()
                })?;
                worst = worst.max(t.elapsed().as_secs_f64());
            }
            let secs = started.elapsed().as_secs_f64();
            println!(
                "round {round} synchronous={name:<6} {:>8.0} saves/s  mean {:.2} ms  worst {:.1} ms",
                saves as f64 / secs,
                secs * 1000.0 / saves as f64,
                worst * 1000.0
            );
        }
    }
    Ok(())
}
