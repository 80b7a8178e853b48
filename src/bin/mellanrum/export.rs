//! `mellanrum export`: the knowledge map as GraphML, Cytoscape JSON, DOT, Mermaid, a Markdown
//! vault or one offline HTML file — the whole workspace or the part around a search or an item.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use mellanrum::export::{self, Format, Options};

use super::{open, out, out_json, Cli};

#[derive(Args)]
pub struct ExportArgs {
    /// graphml, cytoscape, dot, mermaid, vault (a folder of Markdown files) or html (one offline file).
    format: String,
    /// The file to write (for vault: a new or empty folder).
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    /// Only the items this search matches (the search syntax: words, "phrases", kind:…, tag:…).
    #[arg(long, value_name = "QUERY")]
    query: Option<String>,
    /// Only this item (a title, alias or id) and, with --hops, what is around it.
    #[arg(long, value_name = "ITEM")]
    around: Option<String>,
    /// With --query or --around: also the items up to N links away.
    #[arg(long, value_name = "N", default_value_t = 0)]
    hops: usize,
    /// Replace people's names by their perspectives.
    #[arg(long)]
    redact_people: bool,
    /// html: put the pictures notes embed into the file (not with --redact-people).
    #[arg(long)]
    attachments: bool,
}

pub fn run(cli: &Cli, a: &ExportArgs) -> Result<()> {
    let format: Format = a.format.parse()?;
    let mut ws = open(cli)?;
    if a.query.is_none() && a.around.is_none() && a.hops > 0 {
        bail!("--hops {} needs --query or --around: the hops are counted from the items they name", a.hops);
    }
    let only = export::selection(&mut ws, a.query.as_deref(), a.around.as_deref(), a.hops)?;
    let report =
        export::export(&mut ws, &Options { format, out: a.out.clone(), only, redact_people: a.redact_people, attachments: a.attachments })?;
    if cli.json {
        out_json(&report)
    } else {
        out(&format!(
            "Exported {} items and {} links as {} to {} ({} file{}, {} bytes)",
            report.nodes,
            report.edges,
            report.format,
            report.path.display(),
            report.files,
            if report.files == 1 { "" } else { "s" },
            report.bytes
        ))
    }
}
