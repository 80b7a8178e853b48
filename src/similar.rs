//! Precedent search: "have we been here before, and what did we decide?"
//!
//! An item's text is read the way the search index reads it (words, their stems, the parts of
//! identifiers such as `AbstractSTestS3AHugeFiles` and dotted names such as
//! `fs.s3a.delegation.token` whole), leaving out what tells items apart badly: stack-trace frames,
//! quoted log and build-output lines, link syntax, stop words, numbers. Each word is weighed
//! BM25-style: its count in the title (weighed [`Tuning::title`]) plus its count in the rest,
//! saturated, times `ln(1 + (N − df + ½) / (df + ½))`, where `df` is how many of the `N` items the
//! index holds it in. The best [`Tuning::terms`] words are searched for together, each in the title
//! (boosted) and in the text, and the scores add up (see `index::like`). The index already holds a
//! friction together with its resolution's text. Each item found says which of the words it
//! shares with the one asked about.
//!
//! The hits are ranked in two groups: first *precedents* — resolved frictions, each with the
//! resolutions that resolved it (a resolution hit counts for the frictions it resolves) — then the
//! other related items; within a group by score.
//!
//! Measured on two bug trackers' own duplicate pairs with `bench/run precedents` (see
//! docs/BENCHMARKS.md); the weights below were tuned on one of them (Hadoop) only.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::Result;
use crate::index::{LikeWord, On};
use crate::links;
use crate::model::{Item, Kind, Rel};
use crate::search::{self, FormsCache};

/// How the words of an item are picked and weighed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    /// How many words the search is made of, at most.
    pub terms: usize,
    /// How much a word of the title counts against one of the body.
    pub title: f32,
    /// How much a title hit weighs in the found item against a text hit.
    pub title_boost: f32,
    /// How much the part of an identifier counts against a whole word.
    pub part: f32,
    /// BM25's k1 for the body's counts: how soon repeating a word stops adding to it.
    pub k1: f32,
    /// The exponent of the word's rarity in the search weight (the index weighs rarity again).
    pub idf_power: f32,
    /// How much sharing more of the searched words counts: a hit's score is multiplied by the
    /// share of the words it holds to this power.
    pub coord: f32,
    /// How much a word's lemma (`=skriva` for `skrev`) counts beside its stem; 0 leaves it out.
    pub lemma: f32,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning { terms: 25, title: 3.0, title_boost: 2.0, part: 0.5, k1: 1.2, idf_power: 1.0, coord: 0.5, lemma: 0.0 }
    }
}

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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PastResolution {
    pub id: String,
    pub title: String,
    pub decision: Option<String>,
    pub decided_on: Option<String>,
}

/// One similar item.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimilarItem", optional_fields))]
pub struct Similar {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub status: Option<String>,
    pub score: f32,
    /// `precedent` (a resolved friction with its resolutions) or `related`.
    pub group: String,
    pub snippet: String,
    /// Why it matched: the searched words it shares with the item asked about, most distinctive
    /// first, as the item asked about writes them.
    pub shared: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<PastResolution>>", optional))]
    pub resolutions: Vec<PastResolution>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SimilarResults {
    pub id: String,
    pub title: String,
    /// The words the search was made of, most distinctive first.
    pub terms: Vec<String>,
    pub items: Vec<Similar>,
}

/// The text of an item that tells what it is about, apart from its title: the body with link
/// syntax reduced to the link text and without stack traces and logs, and a friction's positions,
/// a resolution's decision and rationale, a signal's quote.
fn body_of(item: &crate::model::Item) -> String {
    let mut t = String::new();
    for line in item.body.lines() {
        let line = meaning(line);
        if line.is_empty() {
            continue;
        }
        let line = if links::typed_prefix(line).is_some() { line.split_once("::").map_or(line, |x| x.1) } else { line };
        t.push_str(&without_wiki_markers(line).replace("[[", " ").replace("]]", " ").replace('|', " "));
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

/// What of a line tells what an item is about: nothing for a stack-trace frame
/// (`at org.apache.Foo.bar(Foo.java:12)`, `... 12 more`) or a line of build output (`[INFO] …`);
/// for a log line, its message without the time stamp, thread and level
/// (`2021-09-30 17:20:01,123 INFO ipc.Client: Retrying …` → `ipc.Client: Retrying …`); otherwise
/// the line.
pub fn meaning(line: &str) -> &str {
    let t = line.trim_start().trim_start_matches(['>', '|', ' ', '\t']);
    // A Markdown fence (an imported ticket's text is kept inside one) is not what the item says.
    if t.starts_with("```") || t.starts_with("~~~") {
        return "";
    }
    if let Some(rest) = t.strip_prefix("at ") {
        let frame = rest.trim();
        if (frame.contains('(') && frame.ends_with(')') && !frame.contains(' ')) || frame.contains("(Native Method)") {
            return "";
        }
    }
    if t.starts_with("...") && t.ends_with("more") {
        return "";
    }
    if let Some(rest) = t.strip_prefix('[') {
        let tag = rest.split(']').next().unwrap_or("");
        if LEVELS.contains(&tag) || tag == "WARNING" {
            return "";
        }
    }
    if starts_with_time(t) {
        // The message follows the level: `… INFO org.Foo: message`.
        let mut at = 0;
        for (i, w) in t.split_inclusive(' ').enumerate() {
            at += w.len();
            if LEVELS.contains(&w.trim()) {
                return t[at..].trim_start();
            }
            if i > 6 {
                break;
            }
        }
    }
    line
}

/// A line without Jira's and Confluence's block markers (`{code:java}`, `{noformat}`, `{quote}`,
/// `{panel:title=…}`, `{color:red}`): they say how a ticket is shown, not what it is about.
fn without_wiki_markers(line: &str) -> std::borrow::Cow<'_, str> {
    const MARKERS: [&str; 5] = ["code", "noformat", "quote", "panel", "color"];
    if !line.contains('{') {
        return line.into();
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}');
        let name = close.map(|c| after[..c].split(':').next().unwrap_or(""));
        match (close, name) {
            (Some(c), Some(n)) if MARKERS.contains(&n) => {
                out.push(' ');
                rest = &after[c + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.into()
}

const LEVELS: [&str; 6] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

/// Whether a line starts with a time stamp: `2021-09-30 17:20:01`, `21/09/30 17:20:01`, `17:20:01`.
fn starts_with_time(t: &str) -> bool {
    let head: Vec<char> = t.chars().take(20).collect();
    let digits = |r: std::ops::Range<usize>| r.clone().all(|i| head.get(i).is_some_and(char::is_ascii_digit));
    let at = |i: usize, c: char| head.get(i) == Some(&c);
    (digits(0..4) && at(4, '-') && digits(5..7) && at(7, '-') && digits(8..10) && (at(10, ' ') || at(10, 'T')) && digits(11..13))
        || (digits(0..2) && at(2, '/') && digits(3..5) && at(5, '/') && digits(6..8) && at(8, ' ') && digits(9..11))
        || (digits(0..2) && at(2, ':') && digits(3..5) && at(5, ':') && digits(6..8))
}

/// A word worth searching for: not a stop word nor shorter than three characters; a number only
/// when it is a version (`3.8.2`) or has four digits or more (`17796`, a ticket's number).
fn worth(word: &str) -> bool {
    if word.chars().count() < 3 || STOPWORDS.contains(&word) {
        return false;
    }
    if word.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '_' || c == '-') {
        return word.contains('.') || (word.len() >= 4 && !word.contains(['-', '_']));
    }
    true
}

/// The words of an item as the index reads them: per index form, its counts in the title and in
/// the rest, and the word as the item writes it.
fn words_of(item: &crate::model::Item, tuning: &Tuning) -> (Vec<LikeWord>, Vec<String>) {
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut words: Vec<LikeWord> = Vec::new();
    let mut shown: Vec<String> = Vec::new();
    let mut cache = FormsCache::default();
    let mut count = |form: &str, word: &str, title: bool, n: f32| {
        let i = *at.entry(form.to_string()).or_insert_with(|| {
            words.push(LikeWord { form: form.to_string(), title_tf: 0.0, body_tf: 0.0 });
            shown.push(word.to_string());
            words.len() - 1
        });
        if title {
            words[i].title_tf += n;
        } else {
            words[i].body_tf += n;
        }
    };
    for (text, title) in [(item.title.as_str(), true), (body_of(item).as_str(), false)] {
        let mut ident_end = 0;
        for (s, e) in search::word_spans(text) {
            let typed = &text[s..e];
            let lower = typed.to_lowercase();
            if worth(&lower) {
                let forms: Vec<String> = cache.get(&lower).split('\0').map(str::to_string).collect();
                count(&forms[0], &lower, title, 1.0);
                if tuning.lemma > 0.0 {
                    for f in forms.iter().skip(1).filter(|f| f.starts_with(search::LEMMA_MARK)) {
                        count(f, &lower, title, tuning.lemma);
                    }
                }
            }
            for part in search::identifier_parts(typed) {
                if worth(&part) {
                    let form = cache.get(&part).split('\0').next().unwrap_or("").to_string();
                    count(&form, &part, title, tuning.part);
                }
            }
            if s >= ident_end {
                if let Some(end) = search::identifier_end(text, s) {
                    ident_end = end;
                    let whole = text[s..end].to_lowercase();
                    if worth(&whole) {
                        count(&whole, &whole, title, 1.0);
                    }
                }
            }
        }
    }
    (words, shown)
}

/// The words to search for, best first, each with its weight relative to the best: BM25-style
/// over the item's title and body and the index's document frequencies (`dfs`, of `docs`).
fn weigh(words: &[LikeWord], t: &Tuning, docs: u64, dfs: &[u64]) -> Vec<(usize, f32)> {
    let n = docs as f32;
    let mut weighed: Vec<(usize, f32)> = Vec::new();
    for (i, (w, &df)) in words.iter().zip(dfs).enumerate() {
        if df <= 1 {
            continue; // only this item has it: it cannot find another
        }
        let df = df as f32;
        let idf = (1.0 + (n - df + 0.5).max(0.0) / (df + 0.5)).ln();
        let body = w.body_tf * (t.k1 + 1.0) / (w.body_tf + t.k1);
        let tf = t.title * w.title_tf.min(2.0) + body;
        weighed.push((i, tf * idf.powf(t.idf_power)));
    }
    weighed.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    weighed.truncate(t.terms);
    let top = weighed.first().map_or(1.0, |x| x.1).max(f32::MIN_POSITIVE);
    weighed.into_iter().map(|(i, w)| (i, w / top)).collect()
}

/// The items most like `item`, precedents (resolved frictions with their resolutions) first, from
/// the search index and the store `on` lends.
pub(crate) fn similar(on: &mut On<'_>, item: &Item, limit: usize, tuning: &Tuning) -> Result<SimilarResults> {
    let (words, shown) = words_of(item, tuning);
    let t = *tuning;
    let mut choose = |docs: u64, dfs: &[u64]| weigh(&words, &t, docs, dfs);
    let (chosen, mut hits) = crate::index::like(on, &words, t.title_boost, &mut choose, limit.saturating_mul(3).max(30))?;
    // Sharing more of the words counts: the score times the share of them held.
    for h in &mut hits {
        let share = h.matched.len() as f32 / chosen.len().max(1) as f32;
        h.score *= share.powf(t.coord);
    }
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    let word_of: HashMap<&str, &str> = words.iter().zip(&shown).map(|(w, s)| (w.form.as_str(), s.as_str())).collect();
    let rank: HashMap<&str, usize> = chosen.iter().enumerate().map(|(i, (f, _))| (f.as_str(), i)).collect();
    let terms: Vec<String> = chosen.iter().map(|(f, _)| word_of.get(f.as_str()).map_or(f.clone(), |w| w.to_string())).collect();
    let mut out = SimilarResults { id: item.id.clone(), title: item.title.clone(), terms, items: Vec::new() };
    if chosen.is_empty() {
        return Ok(out);
    }
    let shared_of = |matched: &[String]| -> Vec<String> {
        let mut m: Vec<&String> = matched.iter().filter(|f| rank.contains_key(f.as_str())).collect();
        m.sort_by_key(|f| rank[f.as_str()]);
        m.into_iter().map(|f| word_of.get(f.as_str()).map_or(f.clone(), |w| w.to_string())).collect()
    };

    // Fold resolutions into the frictions they resolve.
    let mut entries: Vec<Similar> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    let info = on.store.read(|tx| {
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
                for w in shared_of(&h.matched) {
                    if !entries[i].shared.contains(&w) {
                        entries[i].shared.push(w);
                    }
                }
                continue;
            }
            let (node, snippet) =
                if t == h.id { (node.clone(), h.snippet.clone()) } else { (on.store.read(|tx| tx.node(&t))?, String::new()) };
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
                shared: shared_of(&h.matched),
                resolutions: Vec::new(),
            });
        }
    }
    for e in &mut entries {
        if e.kind == Kind::Friction && e.status.as_deref() == Some("resolved") {
            e.group = "precedent".into();
            e.resolutions = on.store.read(|tx| {
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
    entries.sort_by(|a, b| (a.group != "precedent").cmp(&(b.group != "precedent")).then(b.score.total_cmp(&a.score)).then(a.id.cmp(&b.id)));
    entries.truncate(limit);
    out.items = entries;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_build_output_say_nothing_and_a_log_line_says_its_message() {
        assert_eq!(meaning("\tat org.apache.hadoop.ipc.Client.call(Client.java:1476)"), "");
        assert_eq!(meaning("    at java.lang.Thread.run(Native Method)"), "");
        assert_eq!(meaning("\t... 12 more"), "");
        assert_eq!(meaning("[ERROR] Failed to execute goal"), "");
        assert_eq!(meaning("2021-09-30 17:20:01,123 INFO ipc.Client: Retrying connect"), "ipc.Client: Retrying connect");
        assert_eq!(meaning("21/09/30 17:20:01 WARN hdfs.DFSClient: Slow ReadProcessor"), "hdfs.DFSClient: Slow ReadProcessor");
        // Prose that looks a little like them stays.
        assert_eq!(meaning("at the office (Stockholm)"), "at the office (Stockholm)");
        assert_eq!(meaning("[Draft] the plan"), "[Draft] the plan");
    }

    #[test]
    fn fences_and_wiki_markers_say_nothing() {
        assert_eq!(meaning("```text"), "");
        assert_eq!(meaning("  ~~~"), "");
        assert_eq!(without_wiki_markers("{code:java}S3AFileSystem fs = …{code}"), " S3AFileSystem fs = … ");
        assert_eq!(without_wiki_markers("{noformat}mvn install{noformat}"), " mvn install ");
        assert_eq!(without_wiki_markers("{panel:title=Heads up}careful{panel}"), " careful ");
        // Braces that are not markup stay: a map literal, a template, an unclosed brace.
        assert_eq!(without_wiki_markers("{a: 1} ${HADOOP_HOME} {code"), "{a: 1} ${HADOOP_HOME} {code");
    }

    #[test]
    fn versions_and_ticket_numbers_count_other_numbers_do_not() {
        assert!(worth("3.8.2") && worth("17796") && worth("s3a") && worth("kunden"));
        assert!(!worth("12") && !worth("2021-09") && !worth("och") && !worth("the") && !worth("ab"));
    }
}
