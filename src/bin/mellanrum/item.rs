//! `rename`, `link`, `unlink`, `delete` and `restore`: what is done to an item as a whole.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use serde_json::json;

use super::{open, out, out_json, tell, Cli};

#[derive(Args)]
pub struct LinkArgs {
    from: String,
    to: String,
    /// references, evidence, resolves, advances, supports, contradicts or derived-from.
    #[arg(long)]
    rel: String,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
    #[arg(value_name = "REF")]
    reference: Option<String>,
    /// A backup file written by `mellanrum backup`.
    #[arg(long, value_name = "FILE", conflicts_with = "reference")]
    from: Option<PathBuf>,
}

pub fn rename(cli: &Cli, reference: &str, new_title: &str) -> Result<()> {
    let mut ws = open(cli)?;
    let id = ws.resolve_ref(reference)?;
    let r = ws.rename(&id, new_title)?;
    if cli.json {
        out_json(&r)
    } else {
        out(&format!("Renamed '{}' to '{}'; rewrote links in {} item(s)", r.old_title, r.new_title, r.rewritten.len()))
    }
}

/// `link` (`unlink` false) or `unlink` (true).
pub fn link(cli: &Cli, a: &LinkArgs, unlink: bool) -> Result<()> {
    let rel = a.rel.parse()?;
    let mut ws = open(cli)?;
    let (f, t) = (ws.resolve_ref(&a.from)?, ws.resolve_ref(&a.to)?);
    let report = if unlink { ws.unlink(&f, &t, rel)? } else { ws.link(&f, &t, rel)? };
    if cli.json {
        out_json(&json!({"id": report.id}))?;
    }
    tell(&mut ws, &report)
}

pub fn delete(cli: &Cli, reference: &str) -> Result<()> {
    let mut ws = open(cli)?;
    let id = ws.resolve_ref(reference)?;
    let report = ws.delete(&id)?;
    if cli.json {
        out_json(&json!({"id": report.id}))?;
    } else {
        out(&format!("Deleted {} (bring it back with `mellanrum restore {}`)", report.id, report.id))?;
    }
    tell(&mut ws, &report)
}

/// `restore REF` brings back a deleted item; `restore --from FILE` the workspace from a backup.
pub fn restore(cli: &Cli, a: &RestoreArgs) -> Result<()> {
    match (&a.reference, &a.from) {
        (Some(reference), _) => {
            let mut ws = open(cli)?;
            let id = ws.resolve_ref(reference)?;
            let report = ws.restore(&id)?;
            if cli.json {
                out_json(&json!({"id": report.id}))?;
            } else {
                out(&format!("Restored {}", report.id))?;
            }
            tell(&mut ws, &report)
        }
        (None, Some(from)) => {
            let mut ws = open(cli)?;
            let r = ws.restore_backup(from)?;
            if cli.json {
                out_json(&r)
            } else {
                out(&format!(
                    "Restored {} items from {}; the workspace as it was is kept in {}",
                    r.items,
                    r.from.display(),
                    r.previous.display()
                ))
            }
        }
        (None, None) => bail!("give the item to restore (`restore REF`) or a backup (`restore --from FILE`)"),
    }
}
