//! `add` and `edit`: an item made or changed from the command line's flags.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use mellanrum::model::Kind;
use mellanrum::workspace::{Edit, NewItem};
use serde_json::json;

use super::{open, out, out_json, tell, Cli};

#[derive(Args)]
pub struct AddArgs {
    kind: String,
    #[arg(long)]
    title: String,
    #[command(flatten)]
    body: BodyArgs,
    /// A tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Another name [[links]] may use (repeatable).
    #[arg(long = "alias", value_name = "ALIAS")]
    aliases: Vec<String>,
    /// A field of the kind, e.g. --set source=interview (repeatable).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    set: Vec<String>,
    /// A friction's position for one perspective, e.g. --position Sales="Ship in March" (repeatable).
    #[arg(long = "position", value_name = "PERSPECTIVE=TEXT")]
    positions: Vec<String>,
}

#[derive(Args)]
pub struct EditArgs {
    /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
    #[arg(value_name = "REF")]
    reference: String,
    #[arg(long)]
    title: Option<String>,
    #[command(flatten)]
    body: BodyArgs,
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    set: Vec<String>,
    /// Set (or with an empty TEXT remove) a friction's position.
    #[arg(long = "position", value_name = "PERSPECTIVE=TEXT")]
    positions: Vec<String>,
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    #[arg(long = "untag", value_name = "TAG")]
    untags: Vec<String>,
    #[arg(long = "alias", value_name = "ALIAS")]
    aliases: Vec<String>,
    #[arg(long = "unalias", value_name = "ALIAS")]
    unaliases: Vec<String>,
}

#[derive(Args)]
struct BodyArgs {
    /// The Markdown body.
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    /// Read the Markdown body from a file (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
}

impl BodyArgs {
    fn read(&self) -> Result<Option<String>> {
        if let Some(b) = &self.body {
            return Ok(Some(b.clone()));
        }
        let Some(path) = &self.body_file else { return Ok(None) };
        let mut bytes = Vec::new();
        if path == Path::new("-") {
            std::io::stdin().read_to_end(&mut bytes).context("reading the body from standard input")?;
        } else {
            bytes = std::fs::read(path).with_context(|| format!("{}: cannot read the body", path.display()))?;
        }
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|e| anyhow!("{}: the body is not UTF-8 text (byte {})", path.display(), e.utf8_error().valid_up_to()))
    }
}

fn pairs(values: &[String], what: &str) -> Result<Vec<(String, String)>> {
    values
        .iter()
        .map(|v| match v.split_once('=') {
            Some((k, val)) if !k.trim().is_empty() => Ok((k.trim().to_string(), val.to_string())),
            _ => bail!("'{v}' is not {what}"),
        })
        .collect()
}

pub fn add(cli: &Cli, a: &AddArgs) -> Result<()> {
    let kind: Kind = a.kind.parse()?;
    let body = a.body.read()?.unwrap_or_default();
    let mut ws = open(cli)?;
    let new = NewItem {
        kind: Some(kind),
        title: a.title.clone(),
        body,
        tags: a.tags.clone(),
        aliases: a.aliases.clone(),
        set: pairs(&a.set, "FIELD=VALUE")?,
        positions: pairs(&a.positions, "PERSPECTIVE=TEXT")?,
    };
    let report = ws.create(new)?;
    if cli.json {
        out_json(&json!({"id": report.id}))?;
    } else {
        out(&report.id)?;
    }
    // The item is saved: a failing look for retired practices is not the save's error.
    for (practice, by, on) in ws.mentions_retired(&report.id).unwrap_or_default() {
        eprintln!("note: this mentions '{practice}', a practice retired by '{by}' on {on} — is the old way coming back?");
    }
    tell(&mut ws, &report)
}

pub fn edit(cli: &Cli, a: &EditArgs) -> Result<()> {
    let body = a.body.read()?;
    let mut ws = open(cli)?;
    let id = ws.resolve_ref(&a.reference)?;
    let edit = Edit {
        title: a.title.clone(),
        body,
        set: pairs(&a.set, "FIELD=VALUE")?,
        positions: pairs(&a.positions, "PERSPECTIVE=TEXT")?,
        add_tags: a.tags.clone(),
        remove_tags: a.untags.clone(),
        add_aliases: a.aliases.clone(),
        remove_aliases: a.unaliases.clone(),
    };
    if edit.is_empty() {
        bail!("nothing to change: give --title, --body, --set, --position, --tag, --untag, --alias or --unalias");
    }
    let report = ws.update(&id, edit)?;
    if cli.json {
        out_json(&json!({"id": report.id}))?;
    }
    tell(&mut ws, &report)
}
