//! Precedent search: "have we been here before, and what did we decide?"
//!
//! For an item, the most distinctive words of its text (title, body without link syntax, a
//! friction's positions, a resolution's decision and rationale) are picked by tf·idf — how often
//! the item uses a word (counted per stem, the title twice) times `ln(N / df)`, where `df` is how
//! many items the search index finds for the word — and the best [`TERMS`] of them go to the search
//! index as one OR query. The index already holds a friction together with its resolution's text.
//!
//! The hits are ranked in two groups: first *precedents* — resolved frictions, each with the
//! resolutions that resolved it (a resolution hit counts for the frictions it resolves) — then the
//! other related items; within a group by search score.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::links;
use crate::model::{Kind, Rel};
use crate::search;
use crate::workspace::Workspace;

/// How many words the query is made of.
pub const TERMS: usize = 12;

/// Words too common to tell items apart, in English and Swedish.
const STOPWORDS: &[&str] = &[
    "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was", "one", "our", "out", "has", "have", "his",
    "how", "its", "may", "new", "now", "see", "way", "who", "did", "get", "let", "say", "she", "too", "use", "that", "with", "this",
    "from", "they", "will", "would", "there", "their", "what", "about", "which", "when", "make", "like", "than", "then", "them", "been",
    "into", "more", "some", "could", "other", "also", "only", "over", "such", "were", "should", "because", "does", "just", "very", "och",
    "att", "det", "som", "för", "med", "den", "har", "inte", "till", "var", "ett", "men", "man", "kan", "jag", "vill", "ska", "alla",
    "där", "här", "när", "hur", "vad", "vid", "mot", "efter", "utan", "eller", "också", "sina", "sitt", "sin", "dem", "denna", "detta",
    "dessa", "från", "över", "under", "inom", "mellan", "bara", "redan", "vara", "varit", "blir", "blev", "skulle", "många", "mycket",
    "samma", "själv", "både", "deras", "vårt", "våra", "vår", "era", "ert", "dig", "mig", "oss", "honom", "hon", "han",
];

/// A resolution of a precedent.
#[derive(Debug, Clone, Serialize)]
pub struct PastResolution {
    pub id: String,
    pub title: String,
    pub decision: Option<String>,
    pub decided_on: Option<String>,
}

/// One similar item.
#[derive(Debug, Clone, Serialize)]
pub struct Similar {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    pub score: f32,
    /// `precedent` (a resolved friction with its resolutions) or `related`.
    pub group: String,
    pub snippet: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resolutions: Vec<PastResolution>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimilarResults {
    pub id: String,
    pub title: String,
    /// The words the search was made of, most distinctive first.
    pub terms: Vec<String>,
    pub items: Vec<Similar>,
}

/// The text of an item that tells what it is about, with link syntax reduced to the link text.
fn text_of(item: &crate::model::Item) -> String {
    let mut t = format!("{0}\n{0}\n", item.title);
    for line in item.body.lines() {
        let line = if links::typed_prefix(line).is_some() { line.split_once("::").map_or(line, |x| x.1) } else { line };
        t.push_str(&line.replace("[[", " ").replace("]]", " ").replace('|', " "));
        t.push('\n');
    }
    for v in item.fields.positions.values() {
        t.push_str(v);
        t.push('\n');
    }
    for f in ["decision", "rationale", "quote", "retires"] {
        if let Some(v) = item.fields.get(f) {
            t.push_str(v);
            t.push('\n');
        }
    }
    t
}

impl Workspace {
    /// The items most like `id`, precedents (resolved frictions with their resolutions) first.
    pub fn similar(&mut self, id: &str, limit: usize) -> Result<SimilarResults> {
        if limit == 0 {
            return Err(Error::invalid("--limit must be at least 1"));
        }
        let item = self.item(id)?;
        let total: usize = self.counts()?.values().map(|&n| n as usize).sum();

        // Term frequency per stem, with the word that stands for it.
        let mut tf: BTreeMap<String, (String, usize)> = BTreeMap::new();
        for w in search::words(&text_of(&item)) {
            if w.chars().count() < 3 || w.chars().all(|c| c.is_ascii_digit()) || STOPWORDS.contains(&w.as_str()) {
                continue;
            }
            let stem = search::word_forms(&w).into_iter().next().unwrap_or_else(|| w.clone());
            tf.entry(stem).or_insert((w, 0)).1 += 1;
        }
        // The most used stems first; at most 40 are weighed against the index.
        let mut cands: Vec<(String, usize)> = tf.into_values().collect();
        cands.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        cands.truncate(40);
        let mut weighed: Vec<(f64, String)> = Vec::new();
        for (w, n) in cands {
            let df = self.search(&w, 1)?.total;
            if df <= 1 {
                continue; // only this item has it: it cannot find another
            }
            weighed.push((n as f64 * (total.max(df) as f64 / df as f64).ln(), w));
        }
        weighed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let terms: Vec<String> = weighed.into_iter().take(TERMS).map(|x| x.1).collect();
        let mut out = SimilarResults { id: item.id.clone(), title: item.title.clone(), terms: terms.clone(), items: Vec::new() };
        if terms.is_empty() {
            return Ok(out);
        }
        let hits = self.search(&terms.join(" OR "), limit.saturating_mul(3).max(30))?.hits;

        // Fold resolutions into the frictions they resolve.
        let mut entries: Vec<Similar> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        let info = self.store.read(|tx| {
            let mut v = Vec::new();
            for h in &hits {
                let n = tx.node(&h.id)?;
                let resolved: Vec<String> = if h.kind == Kind::Resolution {
                    tx.links_from(&h.id)?.into_iter().filter(|l| l.rel == Rel::Resolves).filter_map(|l| l.target_id).collect()
                } else {
                    Vec::new()
                };
                v.push((n, resolved));
            }
            Ok(v)
        })?;
        for (h, (node, resolved)) in hits.iter().zip(info) {
            if h.id == item.id || node.is_none() {
                continue;
            }
            let targets: Vec<String> = if resolved.is_empty() { vec![h.id.clone()] } else { resolved };
            for t in targets {
                if t == item.id {
                    continue;
                }
                if let Some(&i) = at.get(&t) {
                    entries[i].score = entries[i].score.max(h.score);
                    continue;
                }
                let (node, snippet) =
                    if t == h.id { (node.clone(), h.snippet.clone()) } else { (self.store.read(|tx| tx.node(&t))?, String::new()) };
                let Some(n) = node else { continue };
                at.insert(t.clone(), entries.len());
                entries.push(Similar {
                    id: n.id.clone(),
                    kind: n.kind,
                    title: n.title.clone(),
                    status: n.status.clone(),
                    score: h.score,
                    group: String::new(),
                    snippet,
                    resolutions: Vec::new(),
                });
            }
        }
        for e in &mut entries {
            if e.kind == Kind::Friction && e.status.as_deref() == Some("resolved") {
                e.group = "precedent".into();
                e.resolutions = self.store.read(|tx| {
                    let mut rs = Vec::new();
                    for l in tx.links_to(&e.id)?.into_iter().filter(|l| l.rel == Rel::Resolves) {
                        if let Some(r) = tx.item(&l.source_id)?.filter(|r| !r.deleted) {
                            rs.push(PastResolution {
                                id: r.id.clone(),
                                title: r.title.clone(),
                                decision: r.fields.get("decision").map(str::to_string),
                                decided_on: r.fields.get("decided_on").map(str::to_string),
                            });
                        }
                    }
                    Ok(rs)
                })?;
            } else {
                e.group = "related".into();
            }
        }
        entries.sort_by(|a, b| {
            (a.group != "precedent").cmp(&(b.group != "precedent")).then(b.score.total_cmp(&a.score)).then(a.id.cmp(&b.id))
        });
        entries.truncate(limit);
        out.items = entries;
        Ok(out)
    }
}
