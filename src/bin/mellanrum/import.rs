//! `mellanrum import`: Markdown vaults and customer signals.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use mellanrum::import::{self, ImportReport};

use super::{open, out, out_json, Cli};

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import an Obsidian or Logseq vault: notes, front matter, tags, aliases and [[links]].
    /// Importing the same vault again updates its notes instead of duplicating them.
    Vault {
        dir: PathBuf,
        /// obsidian or logseq (default: guessed from the folder).
        #[arg(long)]
        format: Option<String>,
    },
    /// Import customer signals from CSV or JSON, with a column mapping.
    /// Importing again updates the signals with the same external reference.
    Signals {
        file: PathBuf,
        /// csv or json (default: from the file's extension).
        #[arg(long)]
        format: Option<String>,
        /// Which column holds a field: title, body, quote, customer, source, date, ref or tags
        /// (repeatable), e.g. --map title=Summary --map ref="Issue id".
        #[arg(long = "map", value_name = "FIELD=COLUMN")]
        map: Vec<String>,
        /// Where the records are in a JSON document, e.g. hits.hits[]._source.
        #[arg(long, value_name = "PATH")]
        records: Option<String>,
    },
    /// Meetings from an iCalendar (.ics) file: recurring events expanded over a window, time zones
    /// honoured; importing again updates the same meetings (matched on the event UID).
    Calendar {
        file: PathBuf,
        /// The first day of the window (default: a year ago).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// The day after the window (default: 90 days from today).
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
    },
}

/// A progress bar on a terminal; nothing otherwise.
fn bar(what: &'static str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = ProgressBar::new(0);
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos}/{len} [{bar:30}] {per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(what);
    Some(pb)
}

pub fn run(cli: &Cli, cmd: &ImportCommand) -> Result<()> {
    let mut ws = open(cli)?;
    if let ImportCommand::Calendar { file, from, to } = cmd {
        return super::calendar::import(&mut ws, file, from.as_deref(), to.as_deref(), cli.json);
    }
    let pb = bar(match cmd {
        ImportCommand::Vault { .. } => "notes",
        ImportCommand::Signals { .. } => "signals",
        ImportCommand::Calendar { .. } => "meetings",
    });
    let mut progress = |done: usize, total: usize| {
        if let Some(pb) = &pb {
            if total > 0 {
                pb.set_length(total as u64);
            } else {
                pb.set_length(done as u64);
            }
            pb.set_position(done as u64);
        }
    };
    let report = match cmd {
        ImportCommand::Vault { dir, format } => {
            let format = format.as_deref().map(str::parse).transpose()?;
            import::vault::import(&mut ws, dir, format, Some(&mut progress))?
        }
        ImportCommand::Signals { file, format, map, records } => {
            let mut pairs = Vec::new();
            for m in map {
                match m.split_once('=') {
                    Some((f, c)) if !f.trim().is_empty() && !c.trim().is_empty() => pairs.push((f.to_string(), c.to_string())),
                    _ => bail!("--map {m}: give FIELD=COLUMN, e.g. --map title=Summary"),
                }
            }
            let opts =
                import::signals::Options { format: format.as_deref().map(str::parse).transpose()?, map: pairs, records: records.clone() };
            import::signals::import(&mut ws, file, &opts, Some(&mut progress))?
        }
        // Imported and reported above.
        ImportCommand::Calendar { .. } => return Ok(()),
    };
    if let Some(pb) = &pb {
        pb.finish_and_clear();
    }
    print_report(cli, &report)
}

/// How many lines of one sort (warnings, rows not imported, frictions that changed status) a
/// terminal gets before the rest is summed up; `--json` lists them all.
const SHOWN: usize = 20;

fn print_report(cli: &Cli, r: &ImportReport) -> Result<()> {
    if cli.json {
        return out_json(r);
    }
    let lines = |what: &str, all: Vec<String>| {
        for l in all.iter().take(SHOWN) {
            eprintln!("{l}");
        }
        if all.len() > SHOWN {
            eprintln!("… and {} more {what} (--json lists them all)", all.len() - SHOWN);
        }
    };
    lines("warnings", r.warnings.iter().map(|w| format!("warning: {w}")).collect());
    lines("rows not imported", r.errors.iter().map(|e| format!("not imported: {e}")).collect());
    lines(
        "frictions whose status changed",
        r.frictions.iter().map(|(title, status)| format!("friction '{title}' is now {status}")).collect(),
    );
    let mut s = format!(
        "Imported {} items ({} new, {} updated, {} unchanged); {} links: {} resolved, {} unresolved",
        r.items, r.created, r.updated, r.unchanged, r.links, r.resolved, r.unresolved
    );
    if r.attachments > 0 {
        s += &format!(", {} to attachments", r.attachments);
    }
    if r.files > 0 {
        s += &format!("; {} files ({} new)", r.files, r.files_new);
    }
    if !r.warnings.is_empty() || !r.errors.is_empty() {
        s += &format!("; {} warnings, {} not imported", r.warnings.len(), r.errors.len());
    }
    out(&s)
}
