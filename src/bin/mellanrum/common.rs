//! What every command shares: opening the workspace, printing text or JSON, telling what a save did.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{anyhow, Context, Result};
use mellanrum::workspace::{SaveReport, Workspace};

use crate::Cli;

pub(crate) fn out(text: &str) -> Result<()> {
    let mut o = std::io::stdout().lock();
    o.write_all(text.as_bytes())?;
    if !text.is_empty() && !text.ends_with('\n') {
        o.write_all(b"\n")?;
    }
    o.flush()?;
    Ok(())
}

pub(crate) fn out_json(v: &impl serde::Serialize) -> Result<()> {
    out(&serde_json::to_string_pretty(v)?)
}

fn workspace_dir(cli: &Cli) -> Result<PathBuf> {
    match &cli.workspace {
        Some(d) => Ok(d.clone()),
        None => {
            let cwd = std::env::current_dir().context("cannot read the current folder")?;
            Workspace::discover(&cwd).map_err(|_| {
                anyhow!("no workspace here: pass --workspace DIR, set MELLANRUM_WORKSPACE, or create one with `mellanrum init DIR`")
            })
        }
    }
}

pub(crate) fn open(cli: &Cli) -> Result<Workspace> {
    let dir = workspace_dir(cli)?;
    // A workspace written by an older Mellanrum is upgraded once, as it opens.
    let mut pb: Option<indicatif::ProgressBar> = None;
    let (mut ws, upgraded) = Workspace::open_reporting(&dir, &mut |done, total| {
        let b = pb.get_or_insert_with(|| {
            let b = if std::io::stderr().is_terminal() { indicatif::ProgressBar::new(total) } else { indicatif::ProgressBar::hidden() };
            b.set_style(
                indicatif::ProgressStyle::with_template("{spinner} upgrading the history {pos}/{len} [{bar:30}] {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b
        });
        b.set_length(total);
        b.set_position(done);
    })?;
    if let Some(b) = pb {
        b.finish_and_clear();
    }
    if let Some(u) = upgraded {
        let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
        eprintln!(
            "upgraded the workspace's record: {} revisions as deltas, {} change-log entries and {} body documents compressed; the database went from {:.1} MiB to {:.1} MiB",
            u.revisions,
            u.changes,
            u.documents,
            mib(u.bytes_before),
            mib(u.bytes_after)
        );
    }
    if let Some(p) = &cli.as_person {
        ws.act_as(p)?;
    }
    Ok(ws)
}

/// Tells, on stderr, what a save did besides the item itself.
pub(crate) fn tell(ws: &mut Workspace, r: &SaveReport) -> Result<()> {
    for (title, status) in &r.frictions {
        eprintln!("friction '{title}' is now {status}");
    }
    if !r.same_title.is_empty() {
        let title = ws.item(&r.id)?.title;
        eprintln!("note: {} other item(s) are also titled '{title}'; [[{title}]] links reach the oldest", r.same_title.len());
    }
    Ok(())
}

/// Parses `--as-of`, defaulting to today.
pub(crate) fn as_of(s: Option<&str>) -> Result<chrono::NaiveDate> {
    match s {
        None => Ok(mellanrum::workspace::today()),
        Some(s) => mellanrum::model::parse_date(s).ok_or_else(|| anyhow!("--as-of: '{s}' is not a date (use YYYY-MM-DD)")),
    }
}
