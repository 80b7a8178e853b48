//! `mellanrum round`: consent rounds on resolutions.

use anyhow::{bail, Result};
use clap::Subcommand;
use mellanrum::round::RoundView;

use crate::{open, out, out_json, tell, Cli};

#[derive(Subcommand)]
pub enum RoundCommand {
    /// Open a consent round on a resolution: every perspective with a position in the frictions it
    /// resolves is asked, plus the persons named.
    Open {
        resolution: String,
        /// Ask this person too (repeat for more).
        #[arg(long = "with", value_name = "PERSON")]
        with: Vec<String>,
    },
    /// Answer a round as the current person (or --as): consent, concern or objection.
    Answer {
        resolution: String,
        /// consent, concern or objection.
        answer: String,
        /// Why (required for a concern or an objection).
        #[arg(long)]
        reason: Option<String>,
        /// Turn the objection into a child friction with this title (derived-from the friction).
        #[arg(long, value_name = "TITLE")]
        new_friction: Option<String>,
    },
    /// Show a round: answers, who has not answered yet, the outcome.
    Show { resolution: String },
    /// Close a round (refused while an objection stands, unless overridden with a reason).
    Close {
        resolution: String,
        /// Close over a standing objection; recorded with who and why.
        #[arg(long = "override")]
        override_: bool,
        /// Why the team overrides.
        #[arg(long)]
        reason: Option<String>,
    },
    /// The open rounds waiting for the current person's answer.
    Waiting,
}

pub fn run(cli: &Cli, cmd: &RoundCommand) -> Result<()> {
    let (ws, json) = (&mut open(cli)?, cli.json);
    match cmd {
        RoundCommand::Open { resolution, with } => {
            let (v, report) = ws.round_open(resolution, with)?;
            show(&v, json)?;
            tell(ws, &report)
        }
        RoundCommand::Answer { resolution, answer, reason, new_friction } => {
            let a = ws.round_answer(resolution, answer, reason.as_deref(), new_friction.as_deref())?;
            if let Some(f) = &a.friction {
                eprintln!("the objection is now the friction '{f}'");
            }
            for (title, status) in &a.frictions {
                eprintln!("friction '{title}' is now {status}");
            }
            show(&a.round, json)
        }
        RoundCommand::Show { resolution } => show(&ws.round_show(resolution)?, json),
        RoundCommand::Close { resolution, override_, reason } => {
            if !override_ && reason.is_some() {
                bail!("--reason on close goes with --override (closing needs no reason otherwise)");
            }
            if *override_ && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                bail!("an override needs its reason: --override --reason TEXT");
            }
            let why = if *override_ { reason.as_deref() } else { None };
            let (v, report) = ws.round_close(resolution, why)?;
            show(&v, json)?;
            tell(ws, &report)
        }
        RoundCommand::Waiting => {
            let list = ws.round_waiting()?;
            if json {
                return out_json(&list);
            }
            if list.is_empty() {
                return out("No round is waiting for your answer.");
            }
            let mut s = String::new();
            for v in &list {
                s += &format!("{}  (opened {}, waiting for {})\n", v.title, &v.opened[..10.min(v.opened.len())], v.waiting.join(", "));
            }
            out(&s)
        }
    }
}

fn show(v: &RoundView, json: bool) -> Result<()> {
    if json {
        return out_json(v);
    }
    let mut s = format!("Consent round on '{}': {}", v.title, v.state);
    if let Some(o) = &v.outcome {
        s += &format!(" — {o}");
    }
    if let Some(c) = &v.closed {
        s += &format!(" on {c}");
    }
    s += "\n";
    if !v.frictions.is_empty() {
        s += &format!("  resolves: {}\n", v.frictions.join(", "));
    }
    for a in &v.answers {
        s += &format!("  {:<10} {} ({})", a.answer, a.person, a.perspective);
        if let Some(r) = &a.reason {
            s += &format!(": {r}");
        }
        if let Some(f) = &a.friction {
            s += &format!(" → friction '{f}'");
        } else if a.standing {
            s += "  ← stands";
        }
        s += "\n";
    }
    if !v.waiting.is_empty() {
        s += &format!("  waiting for: {}\n", v.waiting.join(", "));
    }
    if let Some(o) = &v.overridden {
        s += &format!("  overridden by {}: {}\n", o.by, o.reason);
    }
    out(&s)
}
