//! `import calendar`: meetings from an iCalendar file.

use std::path::Path;

use anyhow::{anyhow, Result};
use chrono::{Duration, NaiveDate};
use mellanrum::workspace::Workspace;

use super::{out, out_json};

fn day(what: &str, s: Option<&str>, default: NaiveDate) -> Result<NaiveDate> {
    match s {
        None => Ok(default),
        Some(s) => mellanrum::model::parse_date(s).ok_or_else(|| anyhow!("{what}: '{s}' is not a date (use YYYY-MM-DD)")),
    }
}

pub fn import(ws: &mut Workspace, file: &Path, from: Option<&str>, to: Option<&str>, json: bool) -> Result<()> {
    let today = mellanrum::workspace::today();
    let from = day("--from", from, today - Duration::days(365))?;
    let to = day("--to", to, today + Duration::days(90))?;
    let r = ws.import_calendar(file, from, to)?;
    if json {
        out_json(&r)
    } else {
        out(&format!(
            "{}: {} event(s), {} meeting(s) from {} to {}: {} created, {} updated, {} unchanged, {} deleted{}{}",
            r.file,
            r.events,
            r.occurrences,
            r.from,
            r.to,
            r.created,
            r.updated,
            r.unchanged,
            r.deleted,
            if r.cancelled > 0 { format!(", {} cancelled skipped", r.cancelled) } else { String::new() },
            if r.kept_deleted > 0 { format!(", {} left deleted", r.kept_deleted) } else { String::new() },
        ))
    }
}
