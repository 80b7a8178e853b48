//! `doctor` and `backup`: checking and mending the workspace, and a consistent copy of it.

use std::path::Path;

use anyhow::Result;
use mellanrum::doctor::Status;

use super::{open, out, out_json, Cli};

pub fn doctor(cli: &Cli, repair: bool) -> Result<()> {
    let mut ws = open(cli)?;
    let report = ws.doctor(repair)?;
    if cli.json {
        out_json(&report)?;
    } else {
        let mut s = String::new();
        for c in &report.checks {
            let mark = match c.status {
                Status::Ok => "ok      ",
                Status::Problem => "PROBLEM ",
                Status::Repaired => "repaired",
            };
            s += &format!("{mark} {}\n", c.name);
            for d in &c.details {
                s += &format!("         {d}\n");
            }
        }
        if !report.ok {
            s += "Problems remain; `mellanrum doctor --repair` mends what can be derived again.\n";
        }
        out(&s)?;
    }
    if report.ok {
        Ok(())
    } else {
        std::process::exit(2)
    }
}

pub fn backup(cli: &Cli, path: &Path) -> Result<()> {
    let mut ws = open(cli)?;
    let b = ws.backup(path)?;
    if cli.json {
        out_json(&b)
    } else {
        out(&format!("Backed up {} items ({} bytes) to {}", b.items, b.bytes, b.path.display()))
    }
}
