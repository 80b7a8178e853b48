//! `mellanrum sync` and `conflicts`: merging with the others through the shared storage.

use anyhow::Result;
use clap::Args;
use mellanrum::sync::SyncReport;

use super::{open, out, out_json, Cli};

#[derive(Args)]
pub struct SyncArgs {
    /// Keep syncing until stopped.
    #[arg(long)]
    watch: bool,
    /// Seconds between syncs with --watch.
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    interval: u64,
    /// Also write a snapshot of the merged state and remove the segments every active device
    /// has read (new members start from the snapshot).
    #[arg(long, conflicts_with = "watch")]
    compact: bool,
}

/// Prints a sync report: a summary on stdout, warnings on stderr (or everything as JSON).
pub fn print_report(r: &SyncReport, json: bool, quiet_if_nothing: bool) -> Result<()> {
    for q in &r.quarantined {
        eprintln!("warning: quarantined {}: {}", q.file, q.reason);
    }
    for w in r.waiting.iter().chain(&r.warnings) {
        eprintln!("warning: {w}");
    }
    if !r.files_waiting.is_empty() {
        eprintln!("warning: waiting for {} file(s) not on the shared storage yet: {}", r.files_waiting.len(), r.files_waiting.join(", "));
    }
    if !r.ignored.is_empty() {
        eprintln!(
            "warning: ignored {} file(s) in the shared log that are not segments (sync-tool conflict copies, temp files): {}",
            r.ignored.len(),
            r.ignored.join(", ")
        );
    }
    if r.held > 0 {
        eprintln!("warning: {} change(s) from a device whose clock is far ahead are held until the clock catches up", r.held);
    }
    if json {
        return out_json(r);
    }
    let nothing = r.sent == 0 && r.received == 0 && r.conflicts.is_empty() && r.files_sent == 0 && r.files_received == 0;
    if nothing && quiet_if_nothing {
        return Ok(());
    }
    let mut s = format!("Synced with {}: sent {} change(s), received {}, {} item(s) merged", r.remote, r.sent, r.received, r.merged.len());
    if r.files_sent > 0 || r.files_received > 0 {
        s += &format!("; files: sent {}, received {}", r.files_sent, r.files_received);
    }
    if let Some(snap) = &r.snapshot {
        s += &format!("\nstarted from the snapshot {snap}");
    }
    for c in &r.conflicts {
        s += &format!("\nconflict: {}", c.text);
    }
    if let Some(c) = &r.compacted {
        s += &format!(
            "\nwrote the snapshot {} ({} records); removed {} segment(s) every active device had read",
            c.snapshot,
            c.records,
            c.removed.len()
        );
        for k in &c.kept {
            s += &format!("\n{k}");
        }
    }
    out(&s)
}

pub fn sync(cli: &Cli, a: &SyncArgs) -> Result<()> {
    let SyncArgs { watch, interval, compact } = *a;
    let mut ws = open(cli)?;
    if !watch {
        let r = if compact { ws.compact()? } else { ws.sync()? };
        return print_report(&r, cli.json, false);
    }
    let every = std::time::Duration::from_secs(interval.max(1));
    loop {
        match ws.sync() {
            Ok(r) => print_report(&r, cli.json, true)?,
            // The storage may be away for a while (a network drive, the network): keep trying.
            Err(e) => eprintln!("warning: sync failed, trying again in {}s: {e}", every.as_secs()),
        }
        std::thread::sleep(every);
    }
}

pub fn conflicts(cli: &Cli) -> Result<()> {
    let mut ws = open(cli)?;
    let c = ws.conflicts()?;
    if cli.json {
        return out_json(&c);
    }
    if c.is_empty() {
        return out("No conflicts: no two people changed the same field at the same time.");
    }
    out(&c.iter().map(|c| format!("{}\n", c.text)).collect::<String>())
}
