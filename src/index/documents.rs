//! An item as a tantivy document.

use std::collections::BTreeSet;

use tantivy::{DateTime, TantivyDocument};

use crate::model::{self, Kind};
use crate::store::IndexDoc;

use super::*;

/// The text of an item's own fields that free text searches.
fn field_text(d: &IndexDoc) -> String {
    let g = |n: &str| d.fields.get(n).unwrap_or("");
    let parts: Vec<String> = match d.kind {
        Kind::Signal => vec![g("quote").into(), g("customer").into(), g("ref").into()],
        Kind::Friction => d.fields.positions.iter().map(|(p, pos)| format!("{p}: {pos}")).collect(),
        Kind::Resolution => vec![g("decision").into(), g("rationale").into(), g("agreed_by").into(), g("retires").into()],
        Kind::Goal => vec![g("horizon").into(), g("owner").into()],
        Kind::Meeting => vec![g("attendees").into(), g("location").into()],
        Kind::Note | Kind::Insight => Vec::new(),
    };
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect::<Vec<_>>().join("\n")
}

/// A time in seconds as tantivy keeps it (nanoseconds in an i64: years 1678–2262); one beyond that
/// range (`after:2424-01-01`, a date typed in a field) is held at its end instead of overflowing.
pub(super) fn date_secs(secs: i64) -> DateTime {
    const LIMIT: i64 = i64::MAX / 1_000_000_000;
    DateTime::from_timestamp_secs(secs.clamp(-LIMIT, LIMIT))
}

/// The date `after:` and `before:` compare: the item's own date, or when it was created.
fn item_date(d: &IndexDoc) -> Option<DateTime> {
    let own = match d.kind {
        Kind::Signal => d.fields.get("date"),
        Kind::Resolution => d.fields.get("decided_on"),
        Kind::Meeting => d.fields.get("start"),
        _ => None,
    };
    own.and_then(|s| model::parse_datetime(s).or_else(|| model::parse_date(s).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc())))
        .or_else(|| model::parse_datetime(&d.created))
        .map(|t| date_secs(t.timestamp()))
}

fn resolution_text(d: &IndexDoc) -> String {
    d.resolutions
        .iter()
        .map(|r| {
            let mut s = format!("{}:", r.title);
            for part in [&r.decision, &r.rationale].into_iter().flatten() {
                s.push(' ');
                s.push_str(part.trim());
            }
            s
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

pub(super) fn to_document(f: &Fields, d: &IndexDoc) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(f.id, &d.id);
    doc.add_text(f.kind, d.kind.as_str());
    if let Some(s) = d.fields.get("status") {
        doc.add_text(f.status, s);
    }
    let mut tags: BTreeSet<&str> = BTreeSet::new();
    for t in &d.tags {
        // `tag:team` finds `team/sales` too.
        for (i, c) in t.char_indices() {
            if c == '/' && i > 0 {
                tags.insert(&t[..i]);
            }
        }
        tags.insert(t);
    }
    for t in tags {
        doc.add_text(f.tag, t);
    }
    doc.add_text(f.tags, d.tags.join(" "));
    doc.add_text(f.author, &d.author);
    doc.add_text(f.perspective, &d.perspective);
    for p in d.fields.positions.keys() {
        doc.add_text(f.perspective, p);
    }
    if let Some(date) = item_date(d) {
        doc.add_date(f.date, date);
    }
    doc.add_text(f.title, &d.title);
    for a in &d.aliases {
        doc.add_text(f.title, a);
    }
    let own = field_text(d);
    let text = if own.is_empty() {
        d.body.clone()
    } else if d.body.is_empty() {
        own
    } else {
        format!("{own}\n\n{}", d.body)
    };
    doc.add_text(f.text, text);
    if !d.resolutions.is_empty() {
        doc.add_text(f.resolution, resolution_text(d));
    }
    doc
}
