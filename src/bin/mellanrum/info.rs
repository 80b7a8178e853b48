//! `info`: the workspace's name, people, item counts and the size of its record.

use anyhow::Result;
use mellanrum::model::Kind;
use serde_json::json;

use super::{open, out, out_json, Cli};

pub fn run(cli: &Cli) -> Result<()> {
    let mut ws = open(cli)?;
    let name = ws.name()?;
    let counts = ws.counts()?;
    let people = ws.people()?;
    let me = ws.current_person().ok();
    let record = ws.record_stats()?;
    if cli.json {
        let counts: serde_json::Map<_, _> = Kind::ALL.iter().map(|k| (k.to_string(), json!(counts.get(k).copied().unwrap_or(0)))).collect();
        return out_json(&json!({"name": name, "path": ws.root(), "device": ws.device(), "counts": counts,
            "people": people.len(), "current_person": me.map(|p| p.name), "record": record}));
    }
    let mut s = format!("{name}  ({})\n", ws.root().display());
    for k in Kind::ALL {
        s += &format!("  {:<11} {}\n", format!("{k}s"), counts.get(&k).copied().unwrap_or(0));
    }
    s += &format!("  people      {}\n", people.len());
    let kib = |b: u64| (b as f64 / 1024.0).round();
    s += &format!(
        "  record      {} revisions: bodies {} KiB, history {} KiB, change log {} KiB, text documents {} KiB; database {} KiB\n",
        record.revisions,
        kib(record.body_bytes),
        kib(record.history_bytes),
        kib(record.log_bytes),
        kib(record.document_bytes),
        kib(record.database_bytes)
    );
    s += &format!(
        "You are {}",
        me.map(|p| format!("{} ({})", p.name, p.perspective))
            .unwrap_or_else(|| "nobody yet (mellanrum person add NAME --perspective P)".into())
    );
    out(&s)
}
