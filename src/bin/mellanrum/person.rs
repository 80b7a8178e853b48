//! `person`: people and their perspectives.

use anyhow::Result;
use clap::Subcommand;

use super::{open, out, out_json, Cli};

#[derive(Subcommand)]
pub enum PersonCommand {
    /// Add a person; the first one becomes the current person.
    Add {
        name: String,
        #[arg(long)]
        perspective: String,
    },
    /// List people.
    List,
    /// Make a person the current one in this workspace.
    Use { name: String },
    /// Change a person's perspective.
    Set {
        name: String,
        #[arg(long)]
        perspective: String,
    },
}

pub fn run(cli: &Cli, pc: &PersonCommand) -> Result<()> {
    let mut ws = open(cli)?;
    match pc {
        PersonCommand::Add { name, perspective } => {
            let p = ws.add_person(name, perspective)?;
            if cli.json {
                out_json(&p)
            } else {
                out(&format!("Added {} ({})", p.name, p.perspective))
            }
        }
        PersonCommand::List => {
            let people = ws.people()?;
            let me = ws.current_person().ok().map(|p| p.id);
            if cli.json {
                return out_json(&people);
            }
            let mut s = String::new();
            for p in people {
                let star = if Some(&p.id) == me.as_ref() { "*" } else { " " };
                s += &format!("{star} {:<24} {}\n", p.name, p.perspective);
            }
            out(&s)
        }
        PersonCommand::Use { name } => {
            let p = ws.use_person(name)?;
            out(&format!("You are now {} ({})", p.name, p.perspective))
        }
        PersonCommand::Set { name, perspective } => {
            let p = ws.set_perspective(name, perspective)?;
            out(&format!("{} is now {}", p.name, p.perspective))
        }
    }
}
