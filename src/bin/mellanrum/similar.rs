//! `similar`: precedents — the items most like this one, resolved frictions with their resolutions first.

use anyhow::Result;
use clap::Args;

use super::{open, out, out_json, Cli};

#[derive(Args)]
pub struct SimilarArgs {
    /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
    #[arg(value_name = "REF")]
    reference: String,
    /// How many items to show.
    #[arg(long, default_value_t = 10)]
    limit: usize,
}

pub fn run(cli: &Cli, a: &SimilarArgs) -> Result<()> {
    let mut ws = open(cli)?;
    let id = ws.resolve_ref(&a.reference)?;
    let r = ws.similar(&id, a.limit)?;
    if cli.json {
        return out_json(&r);
    }
    let mut s = format!("Like '{}' ({}):\n", r.title, r.terms.join(", "));
    if r.items.is_empty() {
        s += "  nothing similar yet\n";
    }
    for x in &r.items {
        let status = x.status.as_ref().map(|st| format!(" [{st}]")).unwrap_or_default();
        s += &format!("  {:<10} {}{status}  ({:.2})\n", x.kind.as_str(), x.title, x.score);
        if !x.shared.is_empty() {
            s += &format!("      shares: {}\n", x.shared.join(", "));
        }
        for res in &x.resolutions {
            s += &format!(
                "      resolved by '{}'{}{}\n",
                res.title,
                res.decided_on.as_ref().map(|d| format!(" on {d}")).unwrap_or_default(),
                res.decision.as_ref().map(|d| format!(": {d}")).unwrap_or_default()
            );
        }
    }
    out(&s)
}
