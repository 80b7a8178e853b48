//! `mellanrum remote`: the shared storage this workspace syncs through, a folder or S3.

use anyhow::{bail, Result};
use clap::Subcommand;
use mellanrum::sync::KeyChoice;
use mellanrum::workspace::Workspace;

use super::{open, out, out_json, Cli};

#[derive(Subcommand)]
pub enum RemoteCommand {
    /// Share this workspace through a folder (kept in sync by Syncthing, Dropbox, a network drive…)
    /// or S3-compatible storage (s3://bucket/prefix; endpoint and credentials from the AWS_* variables).
    Set {
        remote: String,
        /// Encrypt everything written to a new shared storage with a fresh workspace key (shown once).
        #[arg(long, conflicts_with = "key")]
        encrypt: bool,
        /// Join an encrypted shared storage with its workspace key.
        #[arg(long, env = "MELLANRUM_KEY", hide_env_values = true)]
        key: Option<String>,
    },
    /// Show the shared storage.
    Show,
    /// Show or change when this device compacts the shared log (a snapshot, and the segments every
    /// active device has read removed) and how long a silent device is still waited for.
    Compaction {
        /// Compact by itself after this many of this device's segments since its last snapshot (default 500).
        #[arg(long, value_name = "SEGMENTS")]
        every: Option<i64>,
        /// A device with no file on the storage newer than this many days is not waited for (default 30).
        #[arg(long, value_name = "DAYS")]
        active_days: Option<i64>,
    },
}

pub fn key_choice(encrypt: bool, key: Option<&str>) -> KeyChoice {
    match (encrypt, key) {
        (_, Some(k)) => KeyChoice::Key(k.to_string()),
        (true, None) => KeyChoice::Encrypt,
        (false, None) => KeyChoice::Plain,
    }
}

/// Sets the remote and tells about a new key.
pub fn set_remote(ws: &mut Workspace, remote: &str, choice: KeyChoice, json: bool) -> Result<()> {
    let info = ws.set_remote(remote, choice)?;
    if json {
        return out_json(&info);
    }
    let mut s = format!("Sharing through {}{}", info.remote, if info.encrypted { " (end-to-end encrypted)" } else { "" });
    if let Some(k) = &info.new_key {
        s += &format!(
            "\n\nWorkspace key (shown only now — keep it safe and give it to each member):\n  {k}\nMembers join with: mellanrum init DIR --remote {} --key {k}",
            info.remote
        );
    }
    out(&s)
}

pub fn remote(cli: &Cli, cmd: &RemoteCommand) -> Result<()> {
    let mut ws = open(cli)?;
    match cmd {
        RemoteCommand::Set { remote, encrypt, key } => set_remote(&mut ws, remote, key_choice(*encrypt, key.as_deref()), cli.json),
        RemoteCommand::Show => match ws.remote()? {
            Some(i) if cli.json => out_json(&i),
            Some(i) => out(&format!("{}{}", i.remote, if i.encrypted { " (encrypted)" } else { "" })),
            None => bail!("no shared storage set: `mellanrum remote set FOLDER` or `mellanrum remote set s3://bucket/prefix`"),
        },
        RemoteCommand::Compaction { every, active_days } => {
            let s = if every.is_some() || active_days.is_some() { ws.set_compaction(*every, *active_days)? } else { ws.compaction()? };
            if cli.json {
                return out_json(&s);
            }
            out(&format!(
                "Compacts after {} of this device's segments since its last snapshot; waits for devices heard from in the last {} days",
                s.every, s.active_days
            ))
        }
    }
}
