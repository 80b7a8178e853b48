//! Consent rounds on resolutions: from friction to agreement.
//!
//! Proposing a resolution for a friction can open a round ([`Workspace::round_open`]): every
//! perspective that holds a position in the frictions it resolves, and any person added, answers
//! *consent*, *concern* or *objection* (a reason required for the last two) and may change it
//! until the round closes. While the round is open its frictions are held at `exploring`; they
//! become `resolved` when it closes with no standing objection, or when the team overrides one,
//! recorded with who and why. An objection can be turned into a child friction in one step
//! (`derived-from` the friction), after which it no longer blocks: the disagreement goes on there.
//! Closing fills `agreed_by` from those who consented (a concern is consent with a reservation,
//! kept visible on the round).
//!
//! The round is a set of registers of the resolution ([`Round`] in [`crate::model::Fields::round`]),
//! each person's answer its own, written through the one write path like any other field: answers
//! from several devices merge without conflicts, and the history keeps every answer changed.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::links;
use crate::model::{self, Answer, Fields, Item, Kind, Override, Person, Rel, Round, ANSWERS};
use crate::store::Tx;
use crate::workspace::{new_id, resolve_ref, save, settle, today, Ctx, SaveReport, Workspace};

/// A round as front ends show it (`round show --json`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RoundView {
    /// The resolution's id and title.
    pub resolution: String,
    pub title: String,
    /// `open` or `closed`.
    #[cfg_attr(feature = "ts", ts(type = "\"open\" | \"closed\""))]
    pub state: String,
    pub opened: String,
    pub closed: Option<String>,
    /// The frictions the resolution resolves.
    pub frictions: Vec<String>,
    /// The perspectives asked and the persons added (names).
    pub asked: Vec<String>,
    pub with: Vec<String>,
    pub answers: Vec<AnswerView>,
    /// The perspectives and persons that have not answered yet.
    pub waiting: Vec<String>,
    /// Once closed: `agreed`, `agreed with concerns` or `overridden`.
    pub outcome: Option<String>,
    #[serde(rename = "override")]
    pub overridden: Option<OverrideView>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RoundAnswerView"))]
pub struct AnswerView {
    pub person: String,
    pub perspective: String,
    /// One of `model::ANSWERS`.
    #[cfg_attr(feature = "ts", ts(type = "RoundAnswer"))]
    pub answer: String,
    pub reason: Option<String>,
    /// The child friction an objection became (its title).
    pub friction: Option<String>,
    /// Whether this objection blocks the close.
    pub standing: bool,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OverrideView {
    pub by: String,
    pub reason: String,
}

/// What answering did: the round after it, and the child friction made of an objection.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Answered {
    pub round: RoundView,
    pub friction: Option<String>,
    /// Frictions whose status followed (title, status).
    pub frictions: Vec<(String, String)>,
}

impl Workspace {
    /// Opens a consent round on a resolution, asking every perspective with a position in the
    /// frictions it resolves plus the persons named in `with`.
    pub fn round_open(&mut self, resolution: &str, with: &[String]) -> Result<(RoundView, SaveReport)> {
        let ctx = self.ctx()?;
        self.store.write(|tx| {
            let res = resolution_item(tx, resolution)?;
            if let Some(r) = Round::of(&res.fields) {
                return Err(if r.is_open() {
                    Error::RoundOpenAlready { title: res.title.clone() }
                } else {
                    Error::RoundClosed { title: res.title.clone(), closed: r.closed.clone().unwrap_or_default() }
                });
            }
            let mut asked: Vec<String> = Vec::new();
            for f in frictions_of(tx, &res.id)? {
                for p in f.fields.positions.keys() {
                    if !asked.iter().any(|a| a.to_lowercase() == p.to_lowercase()) {
                        asked.push(p.clone());
                    }
                }
            }
            let mut with_ids: Vec<String> = Vec::new();
            for name in with {
                let p = person_named(tx, name)?;
                if !with_ids.contains(&p.id) {
                    with_ids.push(p.id);
                }
            }
            if asked.is_empty() && with_ids.is_empty() {
                return Err(Error::NothingToAsk { title: res.title.clone() });
            }
            let round = Round {
                state: "open".into(),
                opened: ctx.now.clone(),
                asked,
                with: with_ids,
                closed: None,
                overridden: None,
                answers: Default::default(),
            };
            let report = write_round(tx, &ctx, &res, &round, |_| {})?;
            Ok((view(tx, &res.id)?, report))
        })
    }

    /// Records the current person's answer. `new_friction`: turn an objection into a child friction
    /// with this title, `derived-from` the friction the resolution resolves.
    pub fn round_answer(&mut self, resolution: &str, answer: &str, reason: Option<&str>, new_friction: Option<&str>) -> Result<Answered> {
        let ctx = self.ctx()?;
        let answer = answer.trim().to_lowercase();
        if !ANSWERS.contains(&answer.as_str()) {
            return Err(Error::NotAnAnswer { answer: answer.to_string() });
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
        if answer != "consent" && reason.is_none() {
            return Err(Error::ReasonNeeded { answer: answer.to_string() });
        }
        if new_friction.is_some() && answer != "objection" {
            return Err(Error::OnlyObjectionBecomesFriction);
        }
        self.store.write(|tx| {
            let res = resolution_item(tx, resolution)?;
            let mut round = open_round(&res)?;
            let me = &ctx.actor;
            let mut report = SaveReport { id: res.id.clone(), ..Default::default() };
            let mut child = None;
            if let Some(title) = new_friction {
                let title = model::check_title(title)?;
                let parent = frictions_of(tx, &res.id)?.into_iter().next();
                let mut body = format!(
                    "An objection by {} ({}) in the consent round on [[{}]]: {}\n",
                    me.name,
                    me.perspective,
                    res.title,
                    reason.as_deref().unwrap_or_default()
                );
                body = links::append_link(&body, Rel::DerivedFrom, parent.as_ref().map_or(&res.title, |p| &p.title));
                let mut fields = Fields::defaults(Kind::Friction);
                fields.positions.insert(me.perspective.clone(), reason.clone().unwrap_or_default());
                if let Some(sev) = parent.as_ref().and_then(|p| p.fields.get("severity")) {
                    fields.values.insert("severity".into(), sev.to_string());
                }
                let item = Item {
                    id: new_id(),
                    kind: Kind::Friction,
                    title: title.clone(),
                    body,
                    tags: parent.as_ref().map(|p| p.tags.clone()).unwrap_or_default(),
                    aliases: Vec::new(),
                    fields,
                    author: me.id.clone(),
                    created: ctx.now.clone(),
                    updated: ctx.now.clone(),
                    deleted: false,
                };
                child = Some((item.id.clone(), title));
                save(tx, &ctx, None, item, "create", &mut report)?;
            }
            round.answers.insert(
                me.id.clone(),
                Answer {
                    answer: answer.clone(),
                    reason: reason.clone(),
                    perspective: me.perspective.clone(),
                    friction: child.as_ref().map(|c| c.0.clone()),
                    at: ctx.now.clone(),
                },
            );
            let res = tx.item(&res.id)?.unwrap_or(res);
            let mut fields_report = write_round_into(tx, &ctx, &res, &round, |_| {}, report)?;
            let frictions = std::mem::take(&mut fields_report.frictions);
            Ok(Answered { round: view(tx, &res.id)?, friction: child.map(|c| c.1), frictions })
        })
    }

    /// Closes a round: refused while an objection stands, unless `override_reason` is given (an
    /// override, recorded with who and why). Fills `agreed_by` and, when empty, `decided_on`.
    pub fn round_close(&mut self, resolution: &str, override_reason: Option<&str>) -> Result<(RoundView, SaveReport)> {
        let ctx = self.ctx()?;
        self.store.write(|tx| {
            let res = resolution_item(tx, resolution)?;
            let mut round = match Round::of(&res.fields) {
                Some(r) if !r.is_open() => {
                    return Err(Error::RoundClosed { title: res.title.clone(), closed: r.closed.clone().unwrap_or_default() })
                }
                Some(r) => r,
                None => return Err(Error::NoRound { title: res.title.clone() }),
            };
            if let Some(reason) = override_reason {
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(Error::OverrideNeedsReason);
                }
                round.overridden = Some(Override { by: ctx.actor.id.clone(), reason: reason.to_string() });
            } else {
                let standing: Vec<String> = round
                    .standing()
                    .map(|(pid, a)| {
                        let name = tx.person(pid).ok().flatten().map_or_else(|| pid.clone(), |p| p.name);
                        format!("{name} ({}) objects: {}", a.perspective, a.reason.as_deref().unwrap_or_default())
                    })
                    .collect();
                if !standing.is_empty() {
                    return Err(Error::ObjectionStands { title: res.title.clone(), objections: standing.join("; ") });
                }
            }
            let day = today().format("%Y-%m-%d").to_string();
            round.state = "closed".into();
            round.closed = Some(day.clone());
            let mut agreed: Vec<String> = Vec::new();
            for (pid, a) in &round.answers {
                if a.answer != "objection" {
                    if let Some(p) = tx.person(pid)? {
                        agreed.push(p.name);
                    }
                }
            }
            let report = write_round(tx, &ctx, &res, &round, |f| {
                match model::normalize_field(Kind::Resolution, "agreed_by", &agreed.join(", ")) {
                    Ok(Some(v)) => f.values.insert("agreed_by".into(), v),
                    _ => f.values.remove("agreed_by"),
                };
                f.values.entry("decided_on".into()).or_insert(day.clone());
            })?;
            Ok((view(tx, &res.id)?, report))
        })
    }

    /// The round on a resolution.
    pub fn round_show(&mut self, resolution: &str) -> Result<RoundView> {
        self.store.read(|tx| {
            let res = resolution_item(tx, resolution)?;
            if Round::of(&res.fields).is_none() {
                return Err(Error::NoRound { title: res.title.clone() });
            }
            view(tx, &res.id)
        })
    }

    /// The round on a resolution, or `None` when it has none (a front end asks for every
    /// resolution it shows).
    pub fn round_find(&mut self, resolution: &str) -> Result<Option<RoundView>> {
        self.store.read(|tx| {
            let res = resolution_item(tx, resolution)?;
            if Round::of(&res.fields).is_none() {
                return Ok(None);
            }
            view(tx, &res.id).map(Some)
        })
    }

    /// The open rounds waiting for the current person: their perspective has not answered, or
    /// they were added by name and have not.
    pub fn round_waiting(&mut self) -> Result<Vec<RoundView>> {
        let me = self.current_person()?;
        self.store.read(|tx| waiting_for(tx, &me))
    }
}

/// The open rounds waiting for `me`.
pub(crate) fn waiting_for(tx: &Tx, me: &Person) -> Result<Vec<RoundView>> {
    let mut out = Vec::new();
    for id in tx.open_rounds()? {
        let Some(item) = tx.item(&id)? else { continue };
        if item.deleted {
            continue;
        }
        let Some(r) = Round::of(&item.fields) else { continue };
        if r.answers.contains_key(&me.id) {
            continue;
        }
        let (persp, people) = waiting(tx, &r)?;
        let mine = people.iter().any(|p| p.id == me.id) || persp.iter().any(|p| p.to_lowercase() == me.perspective.to_lowercase());
        if mine {
            out.push(view(tx, &id)?);
        }
    }
    Ok(out)
}

/// Who a round waits for: the perspectives asked that no answer covers, and the persons added who
/// have not answered.
fn waiting(tx: &Tx, r: &Round) -> Result<(Vec<String>, Vec<Person>)> {
    let answered: Vec<String> = r.answers.values().map(|a| a.perspective.to_lowercase()).collect();
    let persp = r.asked.iter().filter(|p| !answered.contains(&p.to_lowercase())).cloned().collect();
    let mut people = Vec::new();
    for pid in r.with.iter().filter(|p| !r.answers.contains_key(*p)) {
        if let Some(p) = tx.person(pid)? {
            people.push(p);
        }
    }
    Ok((persp, people))
}

/// The view of the round on resolution `id`.
pub(crate) fn view(tx: &Tx, id: &str) -> Result<RoundView> {
    let item = tx.item(id)?.ok_or_else(|| Error::NotFound(id.to_string()))?;
    let r = Round::of(&item.fields).unwrap_or_default();
    let name = |pid: &str| -> Result<String> { Ok(tx.person(pid)?.map_or_else(|| pid.to_string(), |p| p.name)) };
    let mut answers = Vec::new();
    for (pid, a) in &r.answers {
        let friction = match &a.friction {
            Some(f) => Some(tx.title_of(f)?.map_or_else(|| f.clone(), |t| t.0)),
            None => None,
        };
        answers.push(AnswerView {
            person: name(pid)?,
            perspective: a.perspective.clone(),
            answer: a.answer.clone(),
            reason: a.reason.clone(),
            friction,
            standing: a.stands(),
            at: a.at.clone(),
        });
    }
    answers.sort_by(|a, b| (&a.at, &a.person).cmp(&(&b.at, &b.person)));
    let (persp, people) = waiting(tx, &r)?;
    let mut waiting_names = persp;
    waiting_names.extend(people.into_iter().map(|p| p.name));
    let outcome = (!r.is_open() && !r.state.is_empty()).then(|| {
        if r.overridden.is_some() {
            "overridden".to_string()
        } else if r.answers.values().any(|a| a.answer == "concern") {
            "agreed with concerns".to_string()
        } else {
            "agreed".to_string()
        }
    });
    let overridden = match &r.overridden {
        Some(o) => Some(OverrideView { by: name(&o.by)?, reason: o.reason.clone() }),
        None => None,
    };
    let mut with = Vec::new();
    for pid in &r.with {
        with.push(name(pid)?);
    }
    Ok(RoundView {
        resolution: item.id.clone(),
        title: item.title.clone(),
        state: r.state.clone(),
        opened: r.opened.clone(),
        closed: r.closed.clone(),
        frictions: frictions_of(tx, &item.id)?.into_iter().map(|f| f.title).collect(),
        asked: r.asked.clone(),
        with,
        answers,
        waiting: waiting_names,
        outcome,
        overridden,
    })
}

fn resolution_item(tx: &Tx, reference: &str) -> Result<Item> {
    let id = resolve_ref(tx, reference)?;
    let item = tx.item(&id)?.ok_or_else(|| Error::NotFound(reference.to_string()))?;
    if item.deleted {
        return Err(Error::Deleted { title: item.title, id: item.id });
    }
    if item.kind != Kind::Resolution {
        return Err(Error::NotAResolution { title: item.title, kind: item.kind });
    }
    Ok(item)
}

fn open_round(res: &Item) -> Result<Round> {
    match Round::of(&res.fields) {
        Some(r) if r.is_open() => Ok(r),
        Some(r) => Err(Error::RoundClosed { title: res.title.clone(), closed: r.closed.clone().unwrap_or_default() }),
        None => Err(Error::NoRound { title: res.title.clone() }),
    }
}

/// The live frictions a resolution resolves, in the order its body names them.
fn frictions_of(tx: &Tx, resolution: &str) -> Result<Vec<Item>> {
    let mut out: Vec<Item> = Vec::new();
    for l in tx.links_from(resolution)?.into_iter().filter(|l| l.rel == Rel::Resolves) {
        if let Some(f) = l.target_id.as_deref().map(|t| tx.item(t)).transpose()?.flatten() {
            if !f.deleted && !out.iter().any(|o| o.id == f.id) {
                out.push(f);
            }
        }
    }
    Ok(out)
}

fn person_named(tx: &Tx, name: &str) -> Result<Person> {
    tx.person_by_name(name.trim())?.ok_or_else(|| Error::UnknownPerson { name: name.trim().to_string() })
}

/// Saves the resolution with `round` (and what `more` changes) through the one write path; its
/// frictions follow.
fn write_round(tx: &Tx, ctx: &Ctx, res: &Item, round: &Round, more: impl FnOnce(&mut Fields)) -> Result<SaveReport> {
    let report = SaveReport { id: res.id.clone(), ..Default::default() };
    write_round_into(tx, ctx, res, round, more, report)
}

fn write_round_into(
    tx: &Tx,
    ctx: &Ctx,
    res: &Item,
    round: &Round,
    more: impl FnOnce(&mut Fields),
    mut report: SaveReport,
) -> Result<SaveReport> {
    let mut new = res.clone();
    round.store(&mut new.fields);
    more(&mut new.fields);
    new.updated = ctx.now.clone();
    save(tx, ctx, Some(res), new, "update", &mut report)?;
    settle(tx, ctx, &mut report)?;
    Ok(report)
}
