//! Calendar import: iCalendar files (Outlook, Google, Apple) become `meeting` items, so the lens can
//! measure how many meeting hours trace to a goal.
//!
//! - Every event becomes one meeting per occurrence: a recurring event is expanded (RRULE, RDATE,
//!   EXDATE, and moved or cancelled occurrences via RECURRENCE-ID) over a window, by default from a
//!   year before today to 90 days after. One item per occurrence keeps each meeting's hours its own
//!   and lets a single occurrence be linked, moved or deleted.
//! - Times are stored in UTC. `TZID` is an IANA name (`Europe/Stockholm`) or a Windows name as
//!   Outlook writes it (`W. Europe Standard Time`); local times follow the zone's daylight-saving
//!   rules, so a weekly 09:00 meeting stays at 09:00 local time across a DST change. Floating times
//!   use the calendar's `X-WR-TIMEZONE`, else UTC.
//! - An all-day event (`VALUE=DATE`) runs from midnight to midnight (UTC) and is tagged `all-day`;
//!   the lens counts it as a workday of hours per day.
//! - The importer owns a meeting's title, start, end, attendees (CN of ATTENDEE and ORGANIZER, not
//!   those who declined) and location. The body is written once, from DESCRIPTION, and then belongs
//!   to the team: write `advances:: [[Goal]]` there (or in the event's description). A new occurrence
//!   of a series takes the typed links of the series' latest meeting, so a series keeps its goal.
//! - Importing again matches meetings on the event's UID and occurrence: unchanged meetings get no
//!   new revision; changed ones are updated; occurrences inside the window that no longer exist
//!   (cancelled, excluded) are deleted. A meeting someone deleted stays deleted.
//!
//! The whole import is one transaction: a broken file changes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use icalendar::parser::{Component, Property};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::links;
use crate::model::{self, Fields, Item, Kind};
use crate::workspace::{new_id, save, settle, SaveReport, Workspace};

/// The tag that marks an all-day meeting.
pub const ALL_DAY_TAG: &str = "all-day";

/// One meeting as the calendar says it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub uid: String,
    /// The original start of this occurrence (UTC, RFC 3339) for a recurring event; '' otherwise.
    pub recurrence_id: String,
    pub title: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub all_day: bool,
    pub attendees: Vec<String>,
    pub location: Option<String>,
    pub description: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CalendarReport {
    pub file: String,
    pub from: String,
    pub to: String,
    /// Events (UIDs) in the file.
    pub events: usize,
    /// Occurrences inside the window.
    pub occurrences: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Meetings whose occurrence is gone (cancelled or excluded).
    pub deleted: usize,
    /// Occurrences whose meeting was deleted by someone, left deleted.
    pub kept_deleted: usize,
    /// Cancelled events and occurrences that were not imported.
    pub cancelled: usize,
}

/// Where `when` is read: the event's `TZID`, the calendar's `X-WR-TIMEZONE`, UTC.
fn zone(name: &str) -> Option<chrono_tz::Tz> {
    let n = name.trim().trim_matches('"');
    let n = n.strip_prefix("/mozilla.org/20050126_1/").unwrap_or(n).trim_start_matches('/');
    if let Ok(tz) = n.parse::<chrono_tz::Tz>() {
        return Some(tz);
    }
    // Windows zone names as Outlook and Exchange write them (the common ones).
    let iana = match n {
        "W. Europe Standard Time" => "Europe/Berlin",
        "Central Europe Standard Time" => "Europe/Budapest",
        "Romance Standard Time" => "Europe/Paris",
        "Central European Standard Time" => "Europe/Warsaw",
        "GMT Standard Time" => "Europe/London",
        "Greenwich Standard Time" => "Atlantic/Reykjavik",
        "FLE Standard Time" => "Europe/Helsinki",
        "E. Europe Standard Time" => "Europe/Chisinau",
        "GTB Standard Time" => "Europe/Bucharest",
        "Russian Standard Time" => "Europe/Moscow",
        "Eastern Standard Time" => "America/New_York",
        "Central Standard Time" => "America/Chicago",
        "Mountain Standard Time" => "America/Denver",
        "Pacific Standard Time" => "America/Los_Angeles",
        "India Standard Time" => "Asia/Kolkata",
        "China Standard Time" => "Asia/Shanghai",
        "Tokyo Standard Time" => "Asia/Tokyo",
        "AUS Eastern Standard Time" => "Australia/Sydney",
        "UTC" | "Coordinated Universal Time" => "UTC",
        _ => return None,
    };
    iana.parse().ok()
}

/// A DATE or DATE-TIME value, before it is placed in time.
#[derive(Debug, Clone, Copy, PartialEq)]
enum When {
    Date(NaiveDate),
    Utc(NaiveDateTime),
    Local(NaiveDateTime, chrono_tz::Tz),
}

impl When {
    fn is_date(&self) -> bool {
        matches!(self, When::Date(_))
    }

    /// The instant, in the zone it was written in (for recurrence rules).
    fn placed(&self) -> DateTime<rrule::Tz> {
        match *self {
            When::Date(d) => rrule::Tz::UTC.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)),
            When::Utc(t) => rrule::Tz::UTC.from_utc_datetime(&t),
            When::Local(t, tz) => {
                let z: rrule::Tz = tz.into();
                // A time in the spring-forward gap moves forward by the gap; an ambiguous one takes the first.
                z.from_local_datetime(&t)
                    .earliest()
                    .or_else(|| z.from_local_datetime(&(t + Duration::hours(1))).earliest())
                    .unwrap_or_else(|| rrule::Tz::UTC.from_utc_datetime(&t))
            }
        }
    }

    fn utc(&self) -> DateTime<Utc> {
        self.placed().with_timezone(&Utc)
    }
}

fn param<'a>(p: &'a Property, key: &str) -> Option<&'a str> {
    p.params.iter().find(|x| x.key.as_str().eq_ignore_ascii_case(key)).and_then(|x| x.val.as_ref()).map(|v| v.as_str())
}

fn prop<'a, 'b>(c: &'a Component<'b>, name: &str) -> Option<&'a Property<'b>> {
    c.properties.iter().find(|p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn text(c: &Component, name: &str) -> Option<String> {
    prop(c, name).map(|p| p.val.clone().unescape_text().as_str().trim().to_string()).filter(|s| !s.is_empty())
}

/// Parses one DATE or DATE-TIME value of property `p`.
fn when_of(raw: &str, p: &Property, default_tz: Option<chrono_tz::Tz>, at: &str) -> Result<When> {
    let v = raw.trim();
    let bad = || Error::invalid(format!("{at}: '{v}' is not an iCalendar date or date-time"));
    let is_date = param(p, "VALUE").is_some_and(|x| x.eq_ignore_ascii_case("DATE")) || (v.len() == 8 && !v.contains('T'));
    if is_date {
        return NaiveDate::parse_from_str(v, "%Y%m%d").map(When::Date).map_err(|_| bad());
    }
    if let Some(u) = v.strip_suffix('Z').or_else(|| v.strip_suffix('z')) {
        return NaiveDateTime::parse_from_str(u, "%Y%m%dT%H%M%S").map(When::Utc).map_err(|_| bad());
    }
    let t = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
    match param(p, "TZID") {
        Some(name) => {
            let tz = zone(name)
                .ok_or_else(|| Error::invalid(format!("{at}: unknown time zone '{name}' (use an IANA name such as Europe/Stockholm)")))?;
            Ok(When::Local(t, tz))
        }
        None => Ok(match default_tz {
            Some(tz) => When::Local(t, tz),
            None => When::Utc(t),
        }),
    }
}

fn whens(p: &Property, default_tz: Option<chrono_tz::Tz>, at: &str) -> Result<Vec<When>> {
    p.val.as_str().split(',').filter(|s| !s.trim().is_empty()).map(|v| when_of(v, p, default_tz, at)).collect()
}

/// Parses an RFC 5545 DURATION such as `PT1H30M`, `P1D` or `-PT15M`.
fn duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let s = s.strip_prefix('P')?;
    let mut total = Duration::zero();
    let mut num = String::new();
    let mut in_time = false;
    for c in s.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' => num.push(c),
            _ => {
                let n: i64 = num.parse().ok()?;
                num.clear();
                total += match (c, in_time) {
                    ('W', false) => Duration::weeks(n),
                    ('D', false) => Duration::days(n),
                    ('H', true) => Duration::hours(n),
                    ('M', true) => Duration::minutes(n),
                    ('S', true) => Duration::seconds(n),
                    _ => return None,
                };
            }
        }
    }
    if !num.is_empty() {
        return None;
    }
    Some(if neg { -total } else { total })
}

/// A title a meeting can carry: one line, without the characters that break `[[links]]`.
fn clean_title(s: Option<String>) -> String {
    let t: String =
        s.unwrap_or_default().replace("[[", "[").replace("]]", "]").replace('|', "/").replace('#', "").replace(['\r', '\n'], " ");
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    let t: String = t.chars().take(480).collect();
    if t.is_empty() {
        "Untitled meeting".into()
    } else {
        t
    }
}

fn people_of(c: &Component) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in c
        .properties
        .iter()
        .filter(|p| p.name.as_str().eq_ignore_ascii_case("ATTENDEE") || p.name.as_str().eq_ignore_ascii_case("ORGANIZER"))
    {
        if param(p, "PARTSTAT").is_some_and(|s| s.eq_ignore_ascii_case("DECLINED")) {
            continue;
        }
        let name = match param(p, "CN") {
            Some(cn) => cn.trim().trim_matches('"').to_string(),
            None => {
                let v = p.val.as_str().trim();
                let addr = v.strip_prefix("mailto:").or_else(|| v.strip_prefix("MAILTO:")).unwrap_or(v);
                addr.split('@').next().unwrap_or_default().to_string()
            }
        };
        let name: String = name.replace([',', ';', '\n', '\r'], " ").split_whitespace().collect::<Vec<_>>().join(" ");
        if !name.is_empty() && !out.iter().any(|x| x.eq_ignore_ascii_case(&name)) {
            out.push(name);
        }
    }
    out
}

fn cancelled(c: &Component) -> bool {
    prop(c, "STATUS").is_some_and(|p| p.val.as_str().trim().eq_ignore_ascii_case("CANCELLED"))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Reads an iCalendar text and expands it to the occurrences that start in `[from, to)`.
/// Returns the occurrences, the UIDs seen and how many cancelled events or occurrences were skipped.
pub fn expand(source: &str, name: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(Vec<Occurrence>, BTreeSet<String>, usize)> {
    // Messages quote values from the file (a UID, a date): a line break in one stays one line.
    expand_events(source, name, from, to).map_err(|e| match e {
        Error::Invalid(m) => Error::Invalid(m.replace('\r', "\\r").replace('\n', "\\n")),
        e => e,
    })
}

/// The original starts of a repeating event's occurrences (RRULE, RDATE, EXDATE) from a year
/// before the window to a year after it: an occurrence before the window may be moved into it.
fn repeats(
    m: &Component,
    start: &When,
    default_tz: Option<chrono_tz::Tz>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    at: &dyn Fn(&str) -> String,
) -> Result<Vec<DateTime<Utc>>> {
    let dt = start.placed();
    let mut set = rrule::RRuleSet::new(dt);
    for r in m.properties.iter().filter(|p| p.name.as_str().eq_ignore_ascii_case("RRULE")) {
        // RFC 5545 writes a rule in ASCII; the rrule crate cuts some other text in the
        // middle of a character and panics (BYDAY=MÖ), so such a rule stops here.
        if let Some(c) = r.val.as_str().chars().find(|c| !c.is_ascii()) {
            return Err(Error::invalid(format!("{}: '{c}' has no place in a repeat rule (RFC 5545 writes one in ASCII)", at("RRULE"))));
        }
        let rule: rrule::RRule<rrule::Unvalidated> = r.val.as_str().parse().map_err(|e| Error::invalid(format!("{}: {e}", at("RRULE"))))?;
        let rule = rule.validate(dt).map_err(|e| Error::invalid(format!("{}: {e}", at("RRULE"))))?;
        set = set.rrule(rule);
    }
    for p in m.properties.iter().filter(|p| p.name.as_str().eq_ignore_ascii_case("RDATE")) {
        for w in whens(p, default_tz, &at("RDATE"))? {
            set = set.rdate(w.placed());
        }
    }
    for p in m.properties.iter().filter(|p| p.name.as_str().eq_ignore_ascii_case("EXDATE")) {
        for w in whens(p, default_tz, &at("EXDATE"))? {
            set = set.exdate(w.placed().with_timezone(&dt.timezone()));
        }
    }
    // Occurrences that start before the window may still be moved into it; look a year around.
    let lo = (from - Duration::days(366)).with_timezone(&dt.timezone());
    let hi = (to + Duration::days(366)).with_timezone(&dt.timezone());
    let res = set.after(lo).before(hi).all(u16::MAX);
    if res.limited && res.dates.len() >= u16::MAX as usize {
        return Err(Error::invalid(at("repeats more than 65535 times in the window; narrow it with --from and --to")));
    }
    Ok(res.dates.into_iter().map(|d| d.with_timezone(&Utc)).collect())
}

fn expand_events(source: &str, name: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(Vec<Occurrence>, BTreeSet<String>, usize)> {
    let unfolded = icalendar::parser::unfold(source);
    let cal = icalendar::parser::read_calendar(&unfolded)
        .map_err(|e| Error::invalid(format!("{name}: not a readable iCalendar file: {}", e.lines().next().unwrap_or("parse error"))))?;
    let events: Vec<&Component> = cal
        .components
        .iter()
        .flat_map(|c| if c.name.as_str().eq_ignore_ascii_case("VCALENDAR") { c.components.iter().collect::<Vec<_>>() } else { vec![c] })
        .filter(|c| c.name.as_str().eq_ignore_ascii_case("VEVENT"))
        .collect();
    if events.is_empty()
        && !cal
            .components
            .iter()
            .any(|c| c.name.as_str().eq_ignore_ascii_case("VTIMEZONE") || c.name.as_str().eq_ignore_ascii_case("VTODO"))
    {
        let has_calendar = unfolded.lines().any(|l| l.trim().eq_ignore_ascii_case("BEGIN:VCALENDAR"));
        if !has_calendar {
            return Err(Error::invalid(format!("{name}: not an iCalendar file (no BEGIN:VCALENDAR)")));
        }
    }
    let default_tz =
        cal.properties.iter().find(|p| p.name.as_str().eq_ignore_ascii_case("X-WR-TIMEZONE")).and_then(|p| zone(p.val.as_str()));

    // Masters and their overrides (RECURRENCE-ID), by UID.
    let mut masters: BTreeMap<String, &Component> = BTreeMap::new();
    let mut overrides: BTreeMap<String, Vec<&Component>> = BTreeMap::new();
    for (n, ev) in events.iter().enumerate() {
        let summary = text(ev, "SUMMARY").unwrap_or_default();
        let uid = text(ev, "UID").ok_or_else(|| Error::invalid(format!("{name}: event {} ('{summary}') has no UID", n + 1)))?;
        if prop(ev, "RECURRENCE-ID").is_some() {
            overrides.entry(uid).or_default().push(ev);
        } else if masters.insert(uid.clone(), ev).is_some() {
            return Err(Error::invalid(format!("{name}: two events share the UID '{uid}'")));
        }
    }
    let uids: BTreeSet<String> = masters.keys().chain(overrides.keys()).cloned().collect();
    let mut out = Vec::new();
    let mut skipped = 0;
    for uid in &uids {
        let at = |what: &str| format!("{name}: event '{uid}' {what}");
        let master = masters.get(uid).copied();
        let mut moved: BTreeMap<DateTime<Utc>, &Component> = BTreeMap::new();
        for o in overrides.get(uid).into_iter().flatten() {
            let p = prop(o, "RECURRENCE-ID").ok_or_else(|| Error::invalid(at("has no RECURRENCE-ID")))?;
            let w = when_of(p.val.as_str(), p, default_tz, &at("RECURRENCE-ID"))?;
            moved.insert(w.utc(), o);
        }
        // One occurrence: the component that describes it, its original start, and whether an
        // override (with its own DTSTART) describes it.
        let mut occurrences: Vec<(&Component, Option<DateTime<Utc>>, bool)> = Vec::new();
        if let Some(m) = master {
            if cancelled(m) {
                skipped += 1;
                continue;
            }
            let p = prop(m, "DTSTART").ok_or_else(|| Error::invalid(at("has no DTSTART")))?;
            let start = when_of(p.val.as_str(), p, default_tz, &at("DTSTART"))?;
            let rules: Vec<&Property> = m.properties.iter().filter(|p| p.name.as_str().eq_ignore_ascii_case("RRULE")).collect();
            let rdates: Vec<&Property> = m.properties.iter().filter(|p| p.name.as_str().eq_ignore_ascii_case("RDATE")).collect();
            if rules.is_empty() && rdates.is_empty() {
                occurrences.push((m, None, false));
            } else {
                for orig in repeats(m, &start, default_tz, from, to, &at)? {
                    match moved.remove(&orig) {
                        Some(o) => occurrences.push((o, Some(orig), true)),
                        None => occurrences.push((m, Some(orig), false)),
                    }
                }
            }
        }
        // Overrides of occurrences the master does not produce (or without a master) stand alone.
        for (orig, o) in moved {
            occurrences.push((o, Some(orig), true));
        }
        for (c, orig, own) in occurrences {
            if cancelled(c) {
                skipped += 1;
                continue;
            }
            let p = prop(c, "DTSTART").ok_or_else(|| Error::invalid(at("has no DTSTART")))?;
            let own_start = when_of(p.val.as_str(), p, default_tz, &at("DTSTART"))?;
            let length = match (prop(c, "DTEND"), prop(c, "DURATION")) {
                (Some(e), _) => when_of(e.val.as_str(), e, default_tz, &at("DTEND"))?.utc() - own_start.utc(),
                (None, Some(d)) => duration(d.val.as_str())
                    .ok_or_else(|| Error::invalid(at(&format!("DURATION: '{}' is not a duration", d.val.as_str()))))?,
                (None, None) if own_start.is_date() => Duration::days(1),
                (None, None) => Duration::zero(),
            };
            if length < Duration::zero() {
                return Err(Error::invalid(at("ends before it starts")));
            }
            // A recurring occurrence starts at its recurrence instant unless an override moved it.
            let start = match orig {
                Some(o) if !own => o,
                _ => own_start.utc(),
            };
            if start < from || start >= to {
                continue;
            }
            out.push(Occurrence {
                uid: uid.clone(),
                recurrence_id: orig.map(rfc3339).unwrap_or_default(),
                title: clean_title(text(c, "SUMMARY")),
                start,
                end: start + length,
                all_day: own_start.is_date(),
                attendees: people_of(c),
                location: text(c, "LOCATION").map(|l| l.replace(['\r', '\n'], " ")),
                description: text(c, "DESCRIPTION").unwrap_or_default(),
            });
        }
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then(a.uid.cmp(&b.uid)));
    Ok((out, uids, skipped))
}

/// The lines of `body` that are typed links (`rel:: [[…]]`).
fn typed_link_lines(body: &str) -> Vec<&str> {
    body.lines().filter(|l| links::typed_prefix(l).is_some()).collect()
}

/// A new occurrence of a series keeps the series' typed links (its goals): those of the newest
/// live occurrence, added to `body` unless it has them.
fn keep_series_links(tx: &crate::store::Tx, uid: &str, body: &mut String) -> Result<()> {
    let siblings = tx.calendar_items_of(uid)?;
    let mut latest: Option<Item> = None;
    for (id, _) in siblings.iter().rev() {
        if let Some(it) = tx.item(id)?.filter(|i| !i.deleted) {
            latest = Some(it);
            break;
        }
    }
    if let Some(l) = latest {
        for line in typed_link_lines(&l.body) {
            if !body.lines().any(|b| b.trim() == line.trim()) {
                if !body.is_empty() && !body.ends_with('\n') {
                    body.push('\n');
                }
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    Ok(())
}

/// How many days before today an import reads a calendar from, unless told.
pub const DAYS_BEFORE: i64 = 365;
/// How many days after today an import reads a calendar to, unless told.
pub const DAYS_AFTER: i64 = 90;

/// The window an import reads a calendar over: `from` and `to` when given, else from a year
/// before `today` to 90 days after it.
pub fn window(today: NaiveDate, from: Option<NaiveDate>, to: Option<NaiveDate>) -> (NaiveDate, NaiveDate) {
    (from.unwrap_or(today - Duration::days(DAYS_BEFORE)), to.unwrap_or(today + Duration::days(DAYS_AFTER)))
}

impl Workspace {
    /// Imports the events of an iCalendar file that start in `[from, to)` (days, UTC) as meetings;
    /// the window is [`window`]'s, from a year before today to 90 days after it unless given.
    pub fn import_calendar(&mut self, path: &Path, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<CalendarReport> {
        let (from, to) = window(crate::workspace::today(), from, to);
        if to <= from {
            return Err(Error::EmptyWindow { from: from.to_string(), to: to.to_string() });
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = String::from_utf8(bytes)
            .map_err(|e| Error::invalid(format!("{}: not UTF-8 text (byte {})", path.display(), e.utf8_error().valid_up_to())))?;
        let name = path.display().to_string();
        let lo = Utc.from_utc_datetime(&from.and_time(chrono::NaiveTime::MIN));
        let hi = Utc.from_utc_datetime(&to.and_time(chrono::NaiveTime::MIN));
        let (occurrences, uids, cancelled) = expand(&text, &name, lo, hi)?;
        let ctx = self.ctx()?;
        let mut report = CalendarReport {
            file: name,
            from: from.to_string(),
            to: to.to_string(),
            events: uids.len(),
            occurrences: occurrences.len(),
            cancelled,
            ..Default::default()
        };
        self.store.write(|tx| {
            let mut sr = SaveReport::default();
            let mut present: BTreeSet<(String, String)> = BTreeSet::new();
            for o in &occurrences {
                present.insert((o.uid.clone(), o.recurrence_id.clone()));
                let mut fields = Fields::default();
                for (k, v) in [
                    ("start", Some(rfc3339(o.start))),
                    ("end", Some(rfc3339(o.end))),
                    ("attendees", Some(o.attendees.join(", "))),
                    ("location", o.location.clone()),
                ] {
                    if let Some(v) = v.and_then(|v| model::normalize_field(Kind::Meeting, k, &v).transpose()).transpose()? {
                        fields.values.insert(k.to_string(), v);
                    }
                }
                let existing = tx.calendar_item(&o.uid, &o.recurrence_id)?.map(|id| tx.item(&id)).transpose()?.flatten();
                match existing {
                    Some(old) if old.deleted => report.kept_deleted += 1,
                    Some(old) => {
                        let mut new = old.clone();
                        new.title = o.title.clone();
                        new.fields.values = fields.values.clone();
                        let mut tags: BTreeSet<String> = new.tags.iter().cloned().collect();
                        if o.all_day {
                            tags.insert(ALL_DAY_TAG.into());
                        } else {
                            tags.remove(ALL_DAY_TAG);
                        }
                        new.tags = tags.into_iter().collect();
                        if new == old {
                            report.unchanged += 1;
                        } else {
                            new.updated = ctx.now.clone();
                            save(tx, &ctx, Some(&old), new, "update", &mut sr)?;
                            report.updated += 1;
                        }
                    }
                    None => {
                        let mut body = o.description.replace("\r\n", "\n");
                        if !o.recurrence_id.is_empty() {
                            keep_series_links(tx, &o.uid, &mut body)?;
                        }
                        let item = Item {
                            id: new_id(),
                            kind: Kind::Meeting,
                            title: o.title.clone(),
                            body,
                            tags: if o.all_day { vec![ALL_DAY_TAG.into()] } else { Vec::new() },
                            aliases: Vec::new(),
                            fields,
                            author: ctx.actor.id.clone(),
                            created: ctx.now.clone(),
                            updated: ctx.now.clone(),
                            deleted: false,
                        };
                        let id = item.id.clone();
                        save(tx, &ctx, None, item, "create", &mut sr)?;
                        tx.set_calendar_item(&id, &o.uid, &o.recurrence_id)?;
                        report.created += 1;
                    }
                }
            }
            // Occurrences in the window that the calendar no longer has.
            for uid in &uids {
                for (id, rid) in tx.calendar_items_of(uid)? {
                    if present.contains(&(uid.clone(), rid.clone())) {
                        continue;
                    }
                    let Some(old) = tx.item(&id)? else { continue };
                    let start = old.fields.get("start").and_then(model::parse_datetime);
                    if old.deleted || !start.is_some_and(|s| s >= lo && s < hi) {
                        continue;
                    }
                    let mut new = old.clone();
                    new.deleted = true;
                    new.updated = ctx.now.clone();
                    save(tx, &ctx, Some(&old), new, "delete", &mut sr)?;
                    report.deleted += 1;
                }
            }
            settle(tx, &ctx, &mut sr)?;
            Ok(())
        })?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_a_year_back_and_90_days_ahead_unless_given() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(window(day("2026-03-10"), None, None), (day("2025-03-10"), day("2026-06-08")));
        assert_eq!(window(day("2026-03-10"), Some(day("2026-03-01")), None), (day("2026-03-01"), day("2026-06-08")));
        assert_eq!(window(day("2026-03-10"), None, Some(day("2026-04-01"))), (day("2025-03-10"), day("2026-04-01")));
    }

    #[test]
    fn durations() {
        assert_eq!(duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(duration("P1D"), Some(Duration::days(1)));
        assert_eq!(duration("P1W"), Some(Duration::weeks(1)));
        assert_eq!(duration("-PT15M"), Some(Duration::minutes(-15)));
        assert_eq!(duration("PT"), Some(Duration::zero()));
        assert_eq!(duration("1H"), None);
        assert_eq!(duration("PT5"), None);
        assert_eq!(duration("P1H"), None);
    }

    #[test]
    fn zones() {
        assert_eq!(zone("Europe/Stockholm"), Some(chrono_tz::Tz::Europe__Stockholm));
        assert_eq!(zone("\"W. Europe Standard Time\""), Some(chrono_tz::Tz::Europe__Berlin));
        assert_eq!(zone("Mars/Olympus"), None);
    }

    #[test]
    fn titles_keep_links_working() {
        assert_eq!(clean_title(Some("Sprint #4 | [[review]]\nday".into())), "Sprint 4 / [review] day");
        assert_eq!(clean_title(None), "Untitled meeting");
    }
}

#[cfg(test)]
mod rrule_input {
    use super::*;

    fn ics(rule: &str) -> String {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:r1\r\nDTSTART:20260302T090000Z\r\nDTEND:20260302T100000Z\r\nSUMMARY:Standup\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    }

    /// Every rule with a letter outside ASCII put in or over any place of a few real rules: an
    /// error naming the rule, never a panic (the rrule crate panicked on `BYDAY=MÖ`).
    #[test]
    fn a_rule_with_letters_outside_ascii_is_an_error_not_a_panic() {
        let (from, to) = (Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(), Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap());
        for rule in ["FREQ=DAILY;COUNT=3é", "FREQ=WEEKLY;BYDAY=MÖ", "FREQ=DAILYå;COUNT=2", "FRÉQ=DAILY", "FREQ=DAILY;UNTIL=2026033ü"] {
            let r = std::panic::catch_unwind(|| expand(&ics(rule), "cal.ics", from, to));
            let r = r.unwrap_or_else(|_| panic!("{rule} panicked"));
            assert!(r.is_err(), "{rule}");
        }
        assert_eq!(expand(&ics("FREQ=DAILY;COUNT=3"), "cal.ics", from, to).unwrap().0.len(), 3);
        let bases = [
            "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260330T000000Z",
            "FREQ=MONTHLY;BYMONTHDAY=-1;INTERVAL=2",
            "FREQ=YEARLY;BYMONTH=3;BYSETPOS=1;WKST=SU",
            "FREQ=DAILY;COUNT=3;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
        ];
        let mut bad = Vec::new();
        for b in bases {
            for i in 0..=b.len() {
                for c in ["é", "Ö", "€", "😀"] {
                    let mut r = b.to_string();
                    r.insert_str(i, c);
                    let mut cut = b.to_string();
                    cut.replace_range(i.min(b.len().saturating_sub(1))..(i + 1).min(b.len()), c);
                    for rule in [r, cut] {
                        if std::panic::catch_unwind(|| expand(&ics(&rule), "cal.ics", from, to)).is_err() {
                            bad.push(rule);
                        }
                    }
                }
            }
        }
        assert!(bad.is_empty(), "{} panics, e.g. {:?}", bad.len(), &bad[..bad.len().min(5)]);
    }
}
