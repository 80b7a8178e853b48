//! `attach`, `attachments`, `save-as`, `open`, `detach`: the files that come with the knowledge.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use mellanrum::attach::{human_size, parse_size};
use serde_json::json;

use super::{open, out, out_json, Cli};

#[derive(Args)]
pub struct AttachArgs {
    /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
    #[arg(value_name = "REF")]
    reference: String,
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The name to give the file (default: its own name); with one file.
    #[arg(long)]
    name: Option<String>,
}

#[derive(Args)]
pub struct AttachmentsArgs {
    /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
    #[arg(value_name = "REF")]
    reference: Option<String>,
    /// Set the largest file this workspace takes (e.g. 250MB; the default is 100MB).
    #[arg(long, value_name = "SIZE", conflicts_with = "reference")]
    max_size: Option<String>,
}

pub fn attach(cli: &Cli, a: &AttachArgs) -> Result<()> {
    let mut ws = open(cli)?;
    let r = ws.attach(&a.reference, &a.files, a.name.as_deref())?;
    if cli.json {
        return out_json(&r);
    }
    let mut s = String::new();
    for f in &r.files {
        s += &format!("Attached {} ({}, {}) to '{}'\n", f.path, f.media_type, human_size(f.size), r.title);
    }
    out(&s)
}

pub fn list(cli: &Cli, a: &AttachmentsArgs) -> Result<()> {
    let (reference, max_size) = (a.reference.as_deref(), a.max_size.as_deref());
    let mut ws = open(cli)?;
    if let Some(m) = max_size {
        let bytes = parse_size(m)?;
        ws.set_max_attachment_size(bytes)?;
        return if cli.json {
            out_json(&json!({"max_size": bytes}))
        } else {
            out(&format!("Files up to {} can be added to this workspace", human_size(bytes)))
        };
    }
    match reference {
        Some(r) => {
            let links = ws.attachments_of(r)?;
            if cli.json {
                return out_json(&links);
            }
            let mut s = String::new();
            for l in &links {
                match &l.file {
                    Some(f) => s += &format!("{}  {}  {}  line {}\n", f.path, f.media_type, human_size(f.size), l.line),
                    None => s += &format!("{}  (missing: no such file in the workspace)  line {}\n", l.target, l.line),
                }
            }
            out(&s)
        }
        None => {
            let all = ws.attachments()?;
            if cli.json {
                return out_json(&all);
            }
            let mut s = String::new();
            for f in &all {
                s += &format!("{}  {}  {}  added by {} {}\n", f.path, f.media_type, human_size(f.size), f.added_by, f.added_at);
            }
            out(&s)
        }
    }
}

pub fn save_as(cli: &Cli, name: &str, dest: &Path) -> Result<()> {
    let mut ws = open(cli)?;
    let path = ws.save_attachment_as(name, dest)?;
    if cli.json {
        out_json(&json!({"path": path}))
    } else {
        out(&format!("Wrote {}", path.display()))
    }
}

/// Opens a copy of the file (in a folder of the system's temporary files) with the system's
/// default application, or the program `MELLANRUM_OPENER` names.
pub fn open_file(cli: &Cli, name: &str) -> Result<()> {
    let mut ws = open(cli)?;
    let path = ws.attachment_copy(name)?;
    let opener = std::env::var("MELLANRUM_OPENER").ok().filter(|s| !s.trim().is_empty());
    let mut cmd = match opener {
        Some(o) => std::process::Command::new(o),
        None if cfg!(target_os = "macos") => std::process::Command::new("open"),
        None if cfg!(windows) => {
            let mut c = std::process::Command::new("cmd");
            c.args(["/C", "start", ""]);
            c
        }
        None => std::process::Command::new("xdg-open"),
    };
    let status = cmd.arg(&path).status().context("cannot start the program that opens files")?;
    if !status.success() {
        anyhow::bail!("{}: the program that opens files failed ({status})", path.display());
    }
    if cli.json {
        out_json(&json!({"path": path}))
    } else {
        out(&format!("Opened {}", path.display()))
    }
}

pub fn detach(cli: &Cli, reference: &str, name: &str) -> Result<()> {
    let mut ws = open(cli)?;
    let n = ws.detach(reference, name)?;
    if cli.json {
        out_json(&json!({"removed": n}))
    } else {
        out(&format!("Removed {n} link{} to {name}; the file stays in the workspace's history", if n == 1 { "" } else { "s" }))
    }
}
