//! `init` and `demo`: a new workspace, alone, joined to a shared one, or filled with a demo.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use mellanrum::workspace::Workspace;
use serde_json::json;

use super::{out, out_json, remote, sync, Cli};

#[derive(Args)]
pub struct InitArgs {
    dir: PathBuf,
    /// The workspace's name (default: the folder's name).
    #[arg(long)]
    name: Option<String>,
    /// Join a shared workspace: a folder or s3://bucket/prefix; pulls what is there.
    #[arg(long)]
    remote: Option<String>,
    /// The workspace key of an encrypted shared workspace.
    #[arg(long, requires = "remote", env = "MELLANRUM_KEY", hide_env_values = true)]
    key: Option<String>,
    /// Encrypt a new shared storage with a fresh key (shown once).
    #[arg(long, requires = "remote", conflicts_with = "key")]
    encrypt: bool,
}

pub fn init(cli: &Cli, a: &InitArgs) -> Result<()> {
    let InitArgs { dir, name, remote, key, encrypt } = a;
    if let Some(r) = remote {
        // A failed join leaves no workspace behind (the core removes what it made).
        let (mut ws, info, report) = Workspace::join(dir, name.as_deref(), r, remote::key_choice(*encrypt, key.as_deref()))?;
        let name = ws.name()?;
        if cli.json {
            return out_json(&json!({"path": dir, "name": name, "remote": info, "sync": report}));
        }
        if let Some(k) = &info.new_key {
            out(&format!("Workspace key (shown only now — give it to each member):\n  {k}"))?;
        }
        out(&format!("Created workspace '{name}' in {}, shared through {}", dir.display(), info.remote))?;
        return sync::print_report(&report, false, false);
    }
    let mut ws = Workspace::init(dir, name.as_deref())?;
    let name = ws.name()?;
    if cli.json {
        out_json(&json!({"path": dir, "name": name}))
    } else {
        out(&format!(
            "Created workspace '{name}' in {}\nNext: mellanrum --workspace {} person add YOUR_NAME --perspective YOUR_PERSPECTIVE",
            dir.display(),
            dir.display()
        ))
    }
}

pub fn demo(dir: &std::path::Path) -> Result<()> {
    let mut ws = mellanrum::demo::create(dir)?;
    let n: i64 = ws.counts()?.values().sum();
    out(&format!("Created the demo workspace in {} with {n} items", dir.display()))
}
