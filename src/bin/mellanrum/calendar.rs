//! `import calendar`: meetings from an iCalendar file.

use std::path::Path;

use anyhow::{anyhow, Result};
use chrono::NaiveDate;
use mellanrum::workspace::Workspace;

use super::{out, out_json};

fn day(what: &str, s: Option<&str>) -> Result<Option<NaiveDate>> {
    s.map(|s| mellanrum::model::parse_date(s).ok_or_else(|| anyhow!("{what}: '{s}' is not a date (use YYYY-MM-DD)"))).transpose()
}

pub fn import(ws: &mut Workspace, file: &Path, from: Option<&str>, to: Option<&str>, json: bool) -> Result<()> {
    // The core's window when a bound is not given: a year back, 90 days ahead.
    let r = ws.import_calendar(file, day("--from", from)?, day("--to", to)?)?;
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
