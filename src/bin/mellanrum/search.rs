//! `mellanrum search` and `mellanrum reindex`.

use std::io::IsTerminal;
use std::time::Instant;

use anyhow::Result;
use clap::Args;
use mellanrum::search::SearchResults;
use mellanrum::workspace::Workspace;

use crate::{open, out, out_json, Cli};

#[derive(Args)]
pub struct SearchArgs {
    /// What to find, as one argument: words (all must match), "a phrase", -excluded, a OR b, and filters:
    /// kind:friction status:resolved tag:pricing author:anna perspective:sales after:2026-01-01 before:2026-02-01.
    #[arg(allow_hyphen_values = true, value_name = "QUERY")]
    pub query: String,
    /// How many hits to show.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

/// Opens the workspace's index, saying on stderr what it had to repair.
fn open_index(ws: &mut Workspace) -> Result<()> {
    if let Some(repair) = ws.open_index()? {
        eprintln!("note: {repair}");
    }
    Ok(())
}

pub fn search(cli: &Cli, args: &SearchArgs) -> Result<()> {
    // A bad query fails before anything is opened.
    mellanrum::search::parse(&args.query)?;
    let mut ws = open(cli)?;
    open_index(&mut ws)?;
    let results = ws.search(&args.query, args.limit)?;
    if cli.json {
        out_json(&results)?;
    } else {
        let styled = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        out(&render(&results, styled))?;
    }
    // Commit what was queued, so the next process starts from an up-to-date index.
    if let Err(e) = ws.flush_index() {
        eprintln!("warning: the search index could not be brought up to date now ({e}); the next search retries");
    }
    Ok(())
}

pub fn reindex(cli: &Cli) -> Result<()> {
    let mut ws = open(cli)?;
    let started = Instant::now();
    let bar = if std::io::stderr().is_terminal() && !cli.json {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} indexing {bar:40} {pos}/{len} items ({per_sec}, {eta} left)")
                .expect("a valid template"),
        );
        Some(b)
    } else {
        None
    };
    let n = ws.reindex(|done, total| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let secs = started.elapsed().as_secs_f64();
    if cli.json {
        out_json(&serde_json::json!({"items": n, "seconds": secs}))
    } else {
        out(&format!("Indexed {n} items in {secs:.1} s"))
    }
}

/// The results as text; `styled` makes titles and matched words bold.
fn render(r: &SearchResults, styled: bool) -> String {
    let mut s = format!("{} result{} ({:.1} ms)\n", r.total, if r.total == 1 { "" } else { "s" }, r.took_ms);
    for h in &r.hits {
        let title = if styled { format!("\x1b[1m{}\x1b[0m", h.title) } else { h.title.clone() };
        s += &format!("\n{:<10} {title}  {}\n", h.kind.as_str(), &h.id[..13.min(h.id.len())]);
        if !h.snippet.is_empty() {
            s += &format!("           {}\n", snippet_text(&h.snippet, styled));
        }
    }
    s
}

/// Turns a snippet's HTML (escaped text, `<b>` marks) into terminal text.
fn snippet_text(html: &str, styled: bool) -> String {
    let (on, off) = if styled { ("\x1b[1m", "\x1b[0m") } else { ("", "") };
    html.replace("<b>", on)
        .replace("</b>", off)
        .replace('\n', " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}
