//! Practices that stay retired: the register of what resolutions retired, and where the old way
//! comes back.
//!
//! A resolution's `retires` names the practice (`;` separates other names it goes by), with an
//! owner (`practice_owner`), the hours per month it freed (`hours_freed`, the team's estimate)
//! and reviews 30 and 90 days after the decision, each asking "still retired?"
//! ([`Workspace::retired_review`] records the answer in `review_30` / `review_90`). Notes,
//! meetings and signals made after the decision that mention the practice — any of its names, as
//! a phrase through the search index, so other forms of the words match too — are listed as
//! mentions: the old way may be coming back.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{Item, Kind};
use crate::trace::ItemRef;
use crate::workspace::{resolve_ref, save, settle, today, SaveReport, Workspace};

/// Days after the decision at which a retired practice is reviewed.
pub const REVIEWS: [(i64, &str); 2] = [(30, "review_30"), (90, "review_90")];

#[derive(Debug, Clone, Serialize)]
pub struct Register {
    pub practices: Vec<Practice>,
    /// The sum of the hours per month the practices freed.
    pub hours_freed: f64,
    /// Reviews due and not answered.
    pub reviews_due: usize,
    /// Items that mention a retired practice after its decision.
    pub mentions: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Practice {
    pub practice: String,
    /// Other names it goes by.
    pub aliases: Vec<String>,
    pub resolution: ItemRef,
    pub decided_on: String,
    pub owner: Option<String>,
    pub hours_freed: Option<f64>,
    pub reviews: Vec<Review>,
    pub mentions: Vec<Mention>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub days: i64,
    pub due: String,
    /// Due and not answered.
    pub due_now: bool,
    pub answer: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mention {
    pub item: ItemRef,
    pub created: String,
    /// The name of the practice it matched.
    pub name: String,
}

/// A practice's names: the first is its name, the rest aliases.
fn names(retires: &str) -> Vec<String> {
    retires.split(';').map(|s| s.trim().replace('"', "")).filter(|s| !s.is_empty()).collect()
}

fn decided(r: &Item) -> String {
    r.fields.get("decided_on").map_or_else(|| r.created.chars().take(10).collect(), str::to_string)
}

impl Workspace {
    /// The register of retired practices as of `today`, with their mentions.
    pub fn retired(&mut self, today: NaiveDate) -> Result<Register> {
        let resolutions: Vec<Item> = self.store.read(|tx| {
            let mut out = Vec::new();
            for id in tx.retiring_resolutions()? {
                if let Some(i) = tx.item(&id)? {
                    if i.fields.get("retires").is_some_and(|r| !names(r).is_empty()) {
                        out.push(i);
                    }
                }
            }
            Ok(out)
        })?;
        let mut practices = Vec::new();
        for r in resolutions {
            let all = names(r.fields.get("retires").unwrap_or_default());
            let decided_on = decided(&r);
            let day = NaiveDate::parse_from_str(&decided_on, "%Y-%m-%d").unwrap_or(today);
            let reviews = REVIEWS
                .iter()
                .map(|(days, field)| {
                    let due = day + Duration::days(*days);
                    let answer = r.fields.get(field).map(str::to_string);
                    Review { days: *days, due: due.format("%Y-%m-%d").to_string(), due_now: due <= today && answer.is_none(), answer }
                })
                .collect();
            let mentions = self.mentions(&r, &all, &decided_on)?;
            practices.push(Practice {
                practice: all[0].clone(),
                aliases: all[1..].to_vec(),
                resolution: ItemRef { id: r.id.clone(), kind: r.kind, title: r.title.clone() },
                decided_on,
                owner: r.fields.get("practice_owner").map(str::to_string),
                hours_freed: r.fields.get("hours_freed").and_then(|h| h.parse().ok()),
                reviews,
                mentions,
            });
        }
        practices.sort_by(|a, b| a.decided_on.cmp(&b.decided_on).then(a.practice.cmp(&b.practice)));
        Ok(Register {
            // `+ 0.0`: an empty sum is -0.0.
            hours_freed: (practices.iter().filter_map(|p| p.hours_freed).sum::<f64>() * 100.0).round() / 100.0 + 0.0,
            reviews_due: practices.iter().flat_map(|p| &p.reviews).filter(|r| r.due_now).count(),
            mentions: practices.iter().map(|p| p.mentions.len()).sum(),
            practices,
        })
    }

    /// Notes, meetings and signals made after resolution `r` and dated on or after its decision
    /// that mention one of the practice's `names`.
    fn mentions(&mut self, r: &Item, names: &[String], decided_on: &str) -> Result<Vec<Mention>> {
        let mut out: Vec<Mention> = Vec::new();
        // A name without a letter or digit holds no word to search for (it would match everything).
        for name in names.iter().filter(|n| n.chars().any(char::is_alphanumeric)) {
            let q = format!("\"{name}\" kind:note,meeting,signal after:{decided_on}");
            for id in self.search_ids(&q, crate::search::Lang::En)? {
                if out.iter().any(|m| m.item.id == id) {
                    continue;
                }
                let Some(item) = self.store.read(|tx| tx.item(&id))? else { continue };
                if item.deleted || item.created <= r.created {
                    continue;
                }
                out.push(Mention {
                    item: ItemRef { id: item.id, kind: item.kind, title: item.title },
                    created: item.created,
                    name: name.clone(),
                });
            }
        }
        out.sort_by(|a, b| b.created.cmp(&a.created));
        Ok(out)
    }

    /// The retired practices item `id` mentions (a note, meeting or signal made after their
    /// decision): `(practice, resolution title, decided on)`. What the CLI tells after a save.
    pub fn mentions_retired(&mut self, id: &str) -> Result<Vec<(String, String, String)>> {
        let kind = self.store.read(|tx| Ok(tx.item(id)?.map(|i| i.kind)))?;
        if !matches!(kind, Some(Kind::Note | Kind::Meeting | Kind::Signal)) {
            return Ok(Vec::new());
        }
        let reg = self.retired(today())?;
        Ok(reg
            .practices
            .into_iter()
            .filter(|p| p.mentions.iter().any(|m| m.item.id == id))
            .map(|p| (p.practice, p.resolution.title, p.decided_on))
            .collect())
    }

    /// Records the answer to a retired practice's next review ("still retired?"): the first of
    /// the 30- and 90-day reviews not answered yet.
    pub fn retired_review(&mut self, resolution: &str, still_retired: bool, note: Option<&str>) -> Result<SaveReport> {
        let ctx = self.ctx()?;
        self.store.write(|tx| {
            let id = resolve_ref(tx, resolution)?;
            let r = tx.item(&id)?.ok_or_else(|| Error::NotFound(resolution.to_string()))?;
            if r.kind != Kind::Resolution || r.deleted {
                return Err(Error::invalid(format!("'{}' is a {}, not a resolution", r.title, r.kind)));
            }
            if r.fields.get("retires").is_none_or(|x| names(x).is_empty()) {
                return Err(Error::invalid(format!("'{}' retires no practice (set retires=PRACTICE first)", r.title)));
            }
            let Some((_, field)) = REVIEWS.iter().find(|(_, f)| r.fields.get(f).is_none()) else {
                return Err(Error::invalid(format!("both reviews of '{}' are answered already", r.title)));
            };
            let mut answer = format!(
                "{} ({}, {})",
                if still_retired { "still retired" } else { "came back" },
                today().format("%Y-%m-%d"),
                ctx.actor.name
            );
            if let Some(n) = note.map(str::trim).filter(|n| !n.is_empty()) {
                answer += &format!(": {}", n.replace(['\n', '\r'], " "));
            }
            let mut new = r.clone();
            new.fields.values.insert((*field).to_string(), answer);
            new.updated = ctx.now.clone();
            let mut report = SaveReport { id: r.id.clone(), ..Default::default() };
            save(tx, &ctx, Some(&r), new, "update", &mut report)?;
            settle(tx, &ctx, &mut report)?;
            Ok(report)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_practice_has_its_name_and_aliases() {
        assert_eq!(names(" Weekly status meeting ; veckomöte;; \"status\" "), ["Weekly status meeting", "veckomöte", "status"]);
        assert!(names(" ; ").is_empty());
    }
}
