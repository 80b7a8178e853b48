//! The domain: kinds of items, their own fields, link relations and the rules between them.
//!
//! Nothing here touches storage; every type is plain data with validation.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Note,
    Signal,
    Insight,
    Friction,
    Resolution,
    Goal,
    Meeting,
}

impl Kind {
    pub const ALL: [Kind; 7] = [Kind::Note, Kind::Signal, Kind::Insight, Kind::Friction, Kind::Resolution, Kind::Goal, Kind::Meeting];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Note => "note",
            Kind::Signal => "signal",
            Kind::Insight => "insight",
            Kind::Friction => "friction",
            Kind::Resolution => "resolution",
            Kind::Goal => "goal",
            Kind::Meeting => "meeting",
        }
    }

    /// The names of this kind's own fields, in display order.
    pub fn field_names(self) -> &'static [&'static str] {
        match self {
            Kind::Note => &[],
            Kind::Signal => &["source", "customer", "date", "ref", "quote"],
            Kind::Insight => &["status"],
            Kind::Friction => &["status", "severity"],
            Kind::Resolution => {
                &["decision", "rationale", "agreed_by", "decided_on", "retires", "practice_owner", "hours_freed", "review_30", "review_90"]
            }
            Kind::Goal => &["horizon", "owner"],
            Kind::Meeting => &["start", "end", "attendees", "location"],
        }
    }

    /// This kind's own fields as a form shows them, in display order: the names of
    /// [`Kind::field_names`], each with how its value is written (what [`normalize_field`] takes).
    pub fn fields(self) -> &'static [FieldSpec] {
        const fn f(name: &'static str, input: Input) -> FieldSpec {
            FieldSpec { name, input, options: &[], by_rule: &[] }
        }
        const fn choice(name: &'static str, options: &'static [&'static str]) -> FieldSpec {
            FieldSpec { name, input: Input::Choice, options, by_rule: &[] }
        }
        use Input::*;
        const SIGNAL: &[FieldSpec] =
            &[choice("source", SIGNAL_SOURCES), f("customer", Text), f("date", Date), f("ref", Text), f("quote", Long)];
        const INSIGHT: &[FieldSpec] = &[choice("status", INSIGHT_STATUSES)];
        const FRICTION: &[FieldSpec] =
            &[FieldSpec { by_rule: FRICTION_STATUSES_BY_RULE, ..choice("status", FRICTION_STATUSES) }, choice("severity", SEVERITIES)];
        const RESOLUTION: &[FieldSpec] = &[
            f("decision", Long),
            f("rationale", Long),
            f("agreed_by", People),
            f("decided_on", Date),
            f("retires", Text),
            f("practice_owner", Text),
            f("hours_freed", Hours),
            f("review_30", Text),
            f("review_90", Text),
        ];
        const GOAL: &[FieldSpec] = &[f("horizon", Text), f("owner", Text)];
        const MEETING: &[FieldSpec] = &[f("start", DateTime), f("end", DateTime), f("attendees", People), f("location", Text)];
        match self {
            Kind::Note => &[],
            Kind::Signal => SIGNAL,
            Kind::Insight => INSIGHT,
            Kind::Friction => FRICTION,
            Kind::Resolution => RESOLUTION,
            Kind::Goal => GOAL,
            Kind::Meeting => MEETING,
        }
    }
}

/// How a field's value is written: what a form offers for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// One line of text.
    Text,
    /// A few lines of text.
    Long,
    /// One of the field's `options`.
    Choice,
    /// A day (YYYY-MM-DD).
    Date,
    /// A day and a time (kept in UTC).
    DateTime,
    /// A number of hours per month.
    Hours,
    /// Names, separated by commas.
    People,
}

/// One of a kind's own fields: its name, how its value is written and, for a choice, the values it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldSpec {
    pub name: &'static str,
    pub input: Input,
    /// The values of a choice; empty for the other inputs.
    pub options: &'static [&'static str],
    /// The values of a choice that only a rule sets, never a hand: a form offers them only while
    /// the field holds them (a friction becomes `resolved` when a resolution resolves it).
    pub by_rule: &'static [&'static str],
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Kind> {
        let lower = s.trim().to_lowercase();
        let plural = lower.strip_suffix('s').unwrap_or(&lower);
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == lower || k.as_str() == plural)
            .ok_or_else(|| Error::invalid(format!("unknown kind '{s}' (expected one of: {})", list(Kind::ALL.iter().map(|k| k.as_str())))))
    }
}

/// The relation of a typed, directed link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Rel {
    References,
    Evidence,
    Resolves,
    Advances,
    Supports,
    Contradicts,
    DerivedFrom,
}

impl Rel {
    pub const ALL: [Rel; 7] =
        [Rel::References, Rel::Evidence, Rel::Resolves, Rel::Advances, Rel::Supports, Rel::Contradicts, Rel::DerivedFrom];

    pub fn as_str(self) -> &'static str {
        match self {
            Rel::References => "references",
            Rel::Evidence => "evidence",
            Rel::Resolves => "resolves",
            Rel::Advances => "advances",
            Rel::Supports => "supports",
            Rel::Contradicts => "contradicts",
            Rel::DerivedFrom => "derived-from",
        }
    }

    /// Checks the kind rules of a relation: `evidence` goes insight → signal,
    /// `resolves` goes resolution → friction, `advances` goes to a goal.
    pub fn check(self, from: Kind, to: Kind) -> std::result::Result<(), String> {
        let ok = match self {
            Rel::Evidence => from == Kind::Insight && to == Kind::Signal,
            Rel::Resolves => from == Kind::Resolution && to == Kind::Friction,
            Rel::Advances => to == Kind::Goal,
            _ => true,
        };
        if ok {
            Ok(())
        } else {
            Err(match self {
                Rel::Evidence => format!("'evidence' goes from an insight to a signal, not from a {from} to a {to}"),
                Rel::Resolves => format!("'resolves' goes from a resolution to a friction, not from a {from} to a {to}"),
                _ => format!("'advances' points to a goal, not to a {to}"),
            })
        }
    }
}

impl fmt::Display for Rel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Rel {
    type Err = Error;
    fn from_str(s: &str) -> Result<Rel> {
        let norm = s.trim().to_lowercase().replace(['_', ' '], "-");
        Rel::ALL.into_iter().find(|r| r.as_str() == norm).ok_or_else(|| {
            Error::invalid(format!("unknown relation '{s}' (expected one of: {})", list(Rel::ALL.iter().map(|r| r.as_str()))))
        })
    }
}

pub const SIGNAL_SOURCES: &[&str] = &["interview", "support", "survey", "sales", "review", "usage", "market", "other"];
pub const INSIGHT_STATUSES: &[&str] = &["hypothesis", "validated", "invalidated"];
pub const FRICTION_STATUSES: &[&str] = &["open", "exploring", "resolved", "parked"];
/// The friction statuses reached only by a rule: `resolved`, through a resolution that `resolves` it.
pub const FRICTION_STATUSES_BY_RULE: &[&str] = &["resolved"];
pub const SEVERITIES: &[&str] = &["low", "medium", "high", "critical"];

/// The friction lifecycle: open → exploring → resolved/parked. `resolved` is reached only
/// through a resolution that `resolves` the friction; a parked or resolved friction can be reopened.
pub fn friction_transition_allowed(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("open", "exploring")
            | ("open", "parked")
            | ("exploring", "parked")
            | ("exploring", "open")
            | ("parked", "open")
            | ("parked", "exploring")
            | ("resolved", "exploring")
            | ("resolved", "open")
    ) || from == to
}

/// The kind-specific fields of an item, as validated strings keyed by field name.
/// Friction positions live in `positions`, keyed by perspective.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fields {
    pub values: BTreeMap<String, String>,
    pub positions: BTreeMap<String, String>,
    /// Properties beyond the kind's own fields (e.g. front matter of an imported note), as JSON values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub props: BTreeMap<String, serde_json::Value>,
    /// A resolution's consent round as registers (`state`, `opened`, `asked`, `with`, `closed`,
    /// `override`, and `answer.<person id>`): read it as a [`Round`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub round: BTreeMap<String, String>,
}

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Defaults a new item of `kind` starts with.
    pub fn defaults(kind: Kind) -> Fields {
        let mut f = Fields::default();
        match kind {
            Kind::Insight => {
                f.values.insert("status".into(), "hypothesis".into());
            }
            Kind::Friction => {
                f.values.insert("status".into(), "open".into());
                f.values.insert("severity".into(), "medium".into());
            }
            _ => {}
        }
        f
    }
}

/// The answers of a consent round: consent, concern (consent with a reservation that stays
/// visible), objection (blocks the round's close unless turned into a child friction or overridden).
pub const ANSWERS: &[&str] = &["consent", "concern", "objection"];

/// One person's answer in a consent round: their own register, so answers from several devices
/// never conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub answer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The person's perspective when they answered.
    pub perspective: String,
    /// The child friction an objection was turned into (its id): the objection no longer blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friction: Option<String>,
    pub at: String,
}

impl Answer {
    /// An objection that blocks the round's close.
    pub fn stands(&self) -> bool {
        self.answer == "objection" && self.friction.is_none()
    }
}

/// Who overrode a standing objection to close a round, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    /// The person id.
    pub by: String,
    pub reason: String,
}

/// A consent round on a resolution: every perspective with a position in the frictions it
/// resolves (`asked`) and the persons added (`with`, ids) answer; it closes when no objection
/// stands, or by an override recorded with who and why. Stored as registers in
/// [`Fields::round`], so each part merges on its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    /// `open` or `closed`.
    pub state: String,
    pub opened: String,
    pub asked: Vec<String>,
    pub with: Vec<String>,
    /// The date it closed (YYYY-MM-DD).
    pub closed: Option<String>,
    pub overridden: Option<Override>,
    /// By person id.
    pub answers: BTreeMap<String, Answer>,
}

impl Round {
    /// The round held in `fields`, if one was opened.
    pub fn of(fields: &Fields) -> Option<Round> {
        let r = &fields.round;
        let state = r.get("state")?.clone();
        let list = |k: &str| r.get(k).and_then(|v| serde_json::from_str::<Vec<String>>(v).ok()).unwrap_or_default();
        let answers = r
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("answer.")?.to_string(), serde_json::from_str::<Answer>(v).ok()?)))
            .filter(|(_, a)| ANSWERS.contains(&a.answer.as_str()))
            .collect();
        Some(Round {
            state,
            opened: r.get("opened").cloned().unwrap_or_default(),
            asked: list("asked"),
            with: list("with"),
            closed: r.get("closed").cloned(),
            overridden: r.get("override").and_then(|v| serde_json::from_str(v).ok()),
            answers,
        })
    }

    /// Writes the round into `fields` as registers.
    pub fn store(&self, fields: &mut Fields) {
        let r = &mut fields.round;
        r.clear();
        r.insert("state".into(), self.state.clone());
        r.insert("opened".into(), self.opened.clone());
        r.insert("asked".into(), serde_json::to_string(&self.asked).unwrap_or_default());
        r.insert("with".into(), serde_json::to_string(&self.with).unwrap_or_default());
        if let Some(c) = &self.closed {
            r.insert("closed".into(), c.clone());
        }
        if let Some(o) = &self.overridden {
            r.insert("override".into(), serde_json::to_string(o).unwrap_or_default());
        }
        for (pid, a) in &self.answers {
            r.insert(format!("answer.{pid}"), serde_json::to_string(a).unwrap_or_default());
        }
    }

    pub fn is_open(&self) -> bool {
        self.state == "open"
    }

    /// The objections that block the close, by person id.
    pub fn standing(&self) -> impl Iterator<Item = (&String, &Answer)> {
        self.answers.iter().filter(|(_, a)| a.stands())
    }
}

/// Validates and normalises the value of field `name` on an item of `kind`.
/// An empty value clears an optional field. Returns the stored form.
pub fn normalize_field(kind: Kind, name: &str, value: &str) -> Result<Option<String>> {
    let name = name.trim();
    if !kind.field_names().contains(&name) {
        let known = kind.field_names();
        return Err(Error::UnknownField { kind, field: name.to_string(), fields: list(known.iter().copied()) });
    }
    let v = value.trim();
    let one_of = |allowed: &[&str]| -> Result<Option<String>> {
        let lower = v.to_lowercase();
        if allowed.contains(&lower.as_str()) {
            Ok(Some(lower))
        } else {
            Err(Error::NotOneOf { kind, field: name.to_string(), value: v.to_string(), allowed: list(allowed.iter().copied()) })
        }
    };
    match (kind, name) {
        (Kind::Insight, "status") => one_of(INSIGHT_STATUSES),
        (Kind::Friction, "status") => one_of(FRICTION_STATUSES),
        (Kind::Friction, "severity") => one_of(SEVERITIES),
        (Kind::Signal, "source") if !v.is_empty() => one_of(SIGNAL_SOURCES),
        (Kind::Signal, "date") | (Kind::Resolution, "decided_on") if !v.is_empty() => parse_date(v)
            .map(|d| Some(d.format("%Y-%m-%d").to_string()))
            .ok_or_else(|| Error::NotADate { kind, field: name.to_string(), value: v.to_string() }),
        (Kind::Meeting, "start") | (Kind::Meeting, "end") if !v.is_empty() => parse_datetime(v)
            .map(|d| Some(d.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
            .ok_or_else(|| Error::NotADateTime { kind, field: name.to_string(), value: v.to_string() }),
        (Kind::Resolution, "hours_freed") if !v.is_empty() => match v.replace(',', ".").parse::<f64>() {
            Ok(h) if h.is_finite() && h >= 0.0 => Ok(Some(format!("{}", (h * 100.0).round() / 100.0))),
            _ => Err(Error::NotHours { kind, field: name.to_string(), value: v.to_string() }),
        },
        (Kind::Resolution, "agreed_by") | (Kind::Meeting, "attendees") => {
            let people: Vec<&str> = v.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()).collect();
            Ok((!people.is_empty()).then(|| people.join(", ")))
        }
        _ => Ok((!v.is_empty()).then(|| v.to_string())),
    }
}

/// Checks rules that span several fields of one item (e.g. a meeting ends after it starts).
pub fn check_fields(kind: Kind, fields: &Fields) -> Result<()> {
    if kind == Kind::Meeting {
        if let (Some(s), Some(e)) = (fields.get("start"), fields.get("end")) {
            if e < s {
                return Err(Error::EndBeforeStart { start: s.to_string(), end: e.to_string() });
            }
        }
    }
    if kind != Kind::Friction && !fields.positions.is_empty() {
        return Err(Error::invalid(format!("only a friction has positions, not a {kind}")));
    }
    if kind != Kind::Resolution && !fields.round.is_empty() {
        return Err(Error::invalid(format!("only a resolution has a consent round, not a {kind}")));
    }
    Ok(())
}

/// Parses a calendar date in one of the common forms.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(d);
        }
    }
    parse_datetime(s).map(|dt| dt.date_naive())
}

/// Parses a date and time: RFC 3339 (any offset), or a naive `YYYY-MM-DD HH:MM[:SS]` taken as UTC.
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
            return Some(d.and_utc());
        }
    }
    None
}

/// The key titles, aliases and link targets are matched by: case-insensitive, trimmed,
/// inner whitespace collapsed — the way Obsidian users expect `[[links]]` to resolve.
pub fn title_key(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Normalises a tag: no leading `#`, trimmed, lower case.
pub fn normalize_tag(s: &str) -> Result<String> {
    let t = s.trim().trim_start_matches('#').trim().to_lowercase();
    if t.is_empty() || t.chars().any(|c| c.is_whitespace() || c == ',') {
        return Err(Error::invalid(format!("'{s}' is not a tag (tags are single words, e.g. pricing or team/sales)")));
    }
    Ok(t)
}

/// Checks an item title: not empty, no line breaks, no characters that break `[[links]]`. A `#`
/// is kept (`Bug #4`): a link naming the title whole goes to it (see `links::LinkRef::whole`).
pub fn check_title(s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Error::EmptyTitle);
    }
    if t.contains(['\n', '\r']) {
        return Err(Error::TitleNotOneLine);
    }
    if let Some(bad) = ["[[", "]]", "|"].iter().find(|b| t.contains(**b)) {
        return Err(Error::TitleBreaksLinks { title: t.to_string(), bad: bad.to_string() });
    }
    if t.chars().count() > 500 {
        return Err(Error::TitleTooLong { max: 500 });
    }
    Ok(t.to_string())
}

pub(crate) fn list<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_with_plural_and_case() {
        assert_eq!("Signals".parse::<Kind>().unwrap(), Kind::Signal);
        assert!("blog".parse::<Kind>().is_err());
    }

    #[test]
    fn rules() {
        assert!(Rel::Evidence.check(Kind::Insight, Kind::Signal).is_ok());
        assert!(Rel::Evidence.check(Kind::Note, Kind::Signal).is_err());
        assert!(Rel::Resolves.check(Kind::Resolution, Kind::Note).is_err());
        assert!(Rel::Advances.check(Kind::Meeting, Kind::Goal).is_ok());
        assert!(Rel::Advances.check(Kind::Meeting, Kind::Note).is_err());
        assert_eq!("derived_from".parse::<Rel>().unwrap(), Rel::DerivedFrom);
    }

    #[test]
    fn field_validation() {
        assert_eq!(normalize_field(Kind::Signal, "date", "2026-03-01").unwrap().as_deref(), Some("2026-03-01"));
        assert!(normalize_field(Kind::Signal, "date", "yesterday").is_err());
        assert!(normalize_field(Kind::Insight, "status", "maybe").is_err());
        assert!(normalize_field(Kind::Note, "status", "x").is_err());
        assert_eq!(normalize_field(Kind::Meeting, "start", "2026-03-01 09:30").unwrap().as_deref(), Some("2026-03-01T09:30:00Z"));
        assert_eq!(normalize_field(Kind::Resolution, "agreed_by", "Anna,  Erik ;").unwrap().as_deref(), Some("Anna, Erik"));
    }

    /// The schema a form is built from says what `normalize_field` takes: every name of
    /// `field_names`, a choice takes exactly its options, a date field refuses a word.
    #[test]
    fn the_field_schema_agrees_with_the_validation() {
        for kind in Kind::ALL {
            let names: Vec<&str> = kind.fields().iter().map(|f| f.name).collect();
            assert_eq!(names, kind.field_names(), "{kind}");
            for spec in kind.fields() {
                let takes = |v: &str| normalize_field(kind, spec.name, v).is_ok();
                match spec.input {
                    Input::Choice => {
                        assert!(spec.options.iter().all(|o| takes(o)), "{kind}.{}", spec.name);
                        assert!(!takes("nope"), "{kind}.{}", spec.name);
                    }
                    Input::Date | Input::DateTime | Input::Hours => {
                        assert!(!takes("yesterday"), "{kind}.{}", spec.name);
                        assert!(spec.options.is_empty());
                    }
                    Input::Text | Input::Long | Input::People => {
                        assert!(takes("yesterday") && spec.options.is_empty(), "{kind}.{}", spec.name);
                    }
                }
            }
        }
    }
}

/// A person: a name and a perspective (discipline or department).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Person {
    pub id: String,
    pub name: String,
    pub perspective: String,
    pub created: String,
}

/// The stored state of an item — what a revision snapshots and the change log carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    pub fields: Fields,
    /// The person id of the item's creator.
    pub author: String,
    pub created: String,
    pub updated: String,
    pub deleted: bool,
}

/// A link as stored: derived from the source's body, resolved to a target item when one matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub source_id: String,
    pub rel: Rel,
    /// The target as written in the body.
    pub target: String,
    pub target_id: Option<String>,
    pub heading: Option<String>,
    pub alias: Option<String>,
    pub embed: bool,
    pub line: usize,
    /// Why a matching item was not linked (a broken kind rule), if so.
    pub problem: Option<String>,
}
