//! `mellanrum retired`: the register of retired practices, their reviews and where they come back.

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::{open, out, out_json, tell, Cli};

#[derive(Args)]
pub struct RetiredArgs {
    #[command(subcommand)]
    command: Option<RetiredCommand>,
    /// Count reviews due as of this day (default: today).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
}

#[derive(Subcommand)]
pub enum RetiredCommand {
    /// Answer a retired practice's next review (at 30, then 90 days): is it still retired?
    Review {
        /// The resolution that retired it.
        resolution: String,
        /// `still` (still retired) or `back` (it came back).
        answer: String,
        /// A note kept with the answer.
        #[arg(long)]
        note: Option<String>,
    },
}

pub fn run(cli: &Cli, a: &RetiredArgs) -> Result<()> {
    let ws = &mut open(cli)?;
    let (cmd, as_of, json) = (a.command.as_ref(), a.as_of.as_deref(), cli.json);
    if let Some(RetiredCommand::Review { resolution, answer, note }) = cmd {
        let still = match answer.trim().to_lowercase().as_str() {
            "still" | "yes" | "still-retired" => true,
            "back" | "no" | "came-back" => false,
            other => anyhow::bail!("'{other}' is not an answer to 'still retired?' (use still or back)"),
        };
        let report = ws.retired_review(resolution, still, note.as_deref())?;
        out(&format!("Recorded: {}", if still { "still retired" } else { "came back" }))?;
        return tell(ws, &report);
    }
    let today = crate::as_of(as_of)?;
    let reg = ws.retired(today)?;
    if json {
        return out_json(&reg);
    }
    if reg.practices.is_empty() {
        return out("No practice is retired yet (a resolution's field retires=PRACTICE retires one).");
    }
    let mut s = format!("{} practice(s) retired, {} hours per month freed\n", reg.practices.len(), reg.hours_freed);
    for p in &reg.practices {
        s += &format!("\n{}  {} — by '{}'", p.decided_on, p.practice, p.resolution.title);
        if let Some(o) = &p.owner {
            s += &format!(", owner {o}");
        }
        if let Some(h) = p.hours_freed {
            s += &format!(", {h} h/month freed");
        }
        s += "\n";
        if !p.aliases.is_empty() {
            s += &format!("  also called: {}\n", p.aliases.join(", "));
        }
        for r in &p.reviews {
            let state = match (&r.answer, r.due_now) {
                (Some(a), _) => a.clone(),
                (None, true) => "DUE: still retired? (mellanrum retired review RES still|back)".into(),
                (None, false) => "not yet".into(),
            };
            s += &format!("  review at {} days ({}): {state}\n", r.days, r.due);
        }
        for m in &p.mentions {
            s += &format!(
                "  MENTIONED in {} '{}' ({}) — is the old way coming back?\n",
                m.item.kind,
                m.item.title,
                &m.created[..10.min(m.created.len())]
            );
        }
    }
    out(&s)
}
