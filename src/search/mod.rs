//! Search: the query syntax, the text analysis shared by the index and the queries, and the
//! search API the workspace offers (`crate::workspace`). Pure: the tantivy side lives in [`crate::index`].
//!
//! # Query syntax
//!
//! - Words are ANDed: `pricing discount` finds items holding both.
//! - `"a phrase"` matches the words next to each other (after stemming).
//! - `-word`, `-"a phrase"` or `-kind:note` excludes.
//! - `a OR b` matches either; OR binds tighter than the implicit AND: `x a OR b` is `x AND (a OR b)`.
//! - Filters: `kind:friction` (a comma gives alternatives: `kind:friction,resolution`),
//!   `status:resolved` (friction or insight status), `tag:pricing` (also finds `pricing/eu`),
//!   `author:anna` (the creator's name, a word of it or `author:"anna berg"`),
//!   `perspective:sales` (the creator's perspective, or a perspective with a position in a friction),
//!   `after:2026-01-01` (on or after that day) and `before:2026-02-01` (strictly before).
//!   The date of an item is its own date where it has one (a signal's observed date, a resolution's
//!   decision date, a meeting's start), otherwise the day it was created.
//!
//! # Text analysis
//!
//! Text is split into words (letters and digits), lower-cased, and each word is indexed under its
//! Swedish stem and, when it differs, its English stem, at the same position. Snowball's Swedish
//! stemmer strips a final `-s` from `leverans` but not from `leveransen` (which loses `-en`
//! instead); the stem is therefore finished by removing such an `-s` as Snowball would from the
//! word itself, so `leverans`, `leveransen` and `leveranser` meet at `leveran`.
//!
//! Beside the stems, at the same position, each word is indexed under its lemmas from the lexicon
//! ([`crate::lexicon`]), marked `=`: `skrev`, `skrivit` and `skriver` all carry `=skriva`,
//! `äldre` carries `=gammal`, `children` `=child`. A compound is split into known words and each
//! part's lemma is indexed too, marked `+` (`prissättningsbeslutet` carries `+pris`, `+sättning`,
//! `+beslut` and its own lemma `=prissättningsbeslut`); no part shorter than three letters.
//!
//! A query word the lexicon knows matches by its lemmas (not by its stem, which also reaches
//! other words: `lära` and `lärare`): the exact word (same stem) ranks first, then other forms of
//! its lemma, then compounds that hold it as a part. A word the lexicon does not know matches by
//! its stems as before, by its English lemma, and, if it is a compound, by the compound's lemma.
//!
//! The one word whose lemma depends on the words after it: a form of `komma` followed by `att`
//! (or by one or two sentence adverbs and `att`: `kommer inte att`) makes the future and is not
//! the verb *to come*. There it is indexed without `=komma`, under the word as written marked
//! `%` (`%kommer`): `komma` finds `kom fram` and `kommer hem` but not `kommer att öka`, which
//! `kommer` (and a phrase) still finds.
//!
//! Diacritics matter: `får` is not `far`. A query word typed without diacritics (only a–z and
//! digits) that occurs nowhere in the workspace matches the words that differ from it only by
//! diacritics instead (`far` finds `får` when no item holds `far`; once one does, `far` finds
//! only that). A query word typed with diacritics matches only words with exactly those.

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{self, Kind};

mod analysis;

pub use analysis::*;

// ---- results --------------------------------------------------------------------------------

/// What a search found.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchResults {
    /// How many items match (all of them, not only the hits returned).
    pub total: usize,
    /// How long the search took, in milliseconds.
    pub took_ms: f64,
    /// The best matches, best first.
    pub hits: Vec<Hit>,
}

/// One matching item.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SearchHit"))]
pub struct Hit {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub score: f32,
    /// A fragment of the item's text as HTML: the text is escaped and matched words are
    /// wrapped in `<b>…</b>`. A friction's snippet ends with its resolution (decision and
    /// rationale).
    pub snippet: String,
    /// For a search by likeness: the index forms of the searched words this item holds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    pub matched: Vec<String>,
}

/// The state of the search index, for status displays and tests.
#[derive(Debug, Clone, Serialize)]
pub struct IndexStatus {
    /// Items in the committed index.
    pub docs: u64,
    /// Segments of the committed index (kept bounded by merging).
    pub segments: usize,
    /// Saves queued for the index and not yet committed to it (they are searchable anyway).
    pub pending: usize,
    /// The last queue entry the committed index contains.
    pub applied_seq: i64,
}

/// What opening the index had to repair.
#[derive(Debug, Clone, Serialize)]
pub struct Repair {
    /// Why it was rebuilt: missing, stale or corrupt, in words.
    pub reason: String,
    pub items: u64,
    pub seconds: f64,
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "search index {}; rebuilt it from the database ({} items in {:.1} s)", self.reason, self.items, self.seconds)
    }
}

// ---- the query language -----------------------------------------------------------------------

/// A parsed query: every clause must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub clauses: Vec<Clause>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// At least one of these holds (one atom, or atoms joined by OR).
    Any(Vec<Atom>),
    /// This must not hold.
    Not(Atom),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    /// A word as typed (it may analyse into several words, e.g. `e-mail`; then it acts as a phrase).
    Word(String),
    /// The text between quotes.
    Phrase(String),
    Filter(Filter),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Kind(Kind),
    /// A friction or insight status.
    Status(String),
    /// A normalised tag.
    Tag(String),
    /// Words of the creator's name, lower-cased.
    Author(String),
    /// Words of a perspective, lower-cased.
    Perspective(String),
    /// On or after this day.
    After(NaiveDate),
    /// Strictly before this day.
    Before(NaiveDate),
}

/// The filters the query language knows, for messages.
pub const FILTERS: &[&str] = &["kind", "status", "tag", "author", "perspective", "after", "before"];

/// The same filters in Swedish (accepted in any query; listed in Swedish messages).
pub const FILTERS_SV: &[&str] = &["typ", "status", "tagg", "författare", "perspektiv", "efter", "före"];

/// The language of a query's error messages. Swedish filter names and values (`typ:friktion`,
/// `status:löst`) are accepted whatever the language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Sv,
}

impl Lang {
    /// An invalid-query error in this language.
    fn err(self, en: impl Into<String>, sv: impl Into<String>) -> Error {
        Error::invalid(match self {
            Lang::En => en.into(),
            Lang::Sv => sv.into(),
        })
    }
}

/// A filter's English name for its Swedish one.
fn filter_name_en(name: &str) -> Option<&'static str> {
    let i = FILTERS_SV.iter().position(|f| *f == name).or_else(|| FILTERS.iter().position(|f| *f == name))?;
    Some(FILTERS[i])
}

/// A kind by its English or Swedish name (singular or plural).
fn kind_named(v: &str) -> Option<Kind> {
    let v = v.to_lowercase();
    let sv = match v.as_str() {
        "anteckning" | "anteckningar" => Some(Kind::Note),
        "signaler" => Some(Kind::Signal),
        "insikt" | "insikter" => Some(Kind::Insight),
        "friktion" | "friktioner" => Some(Kind::Friction),
        "beslut" | "lösning" | "lösningar" => Some(Kind::Resolution),
        "mål" => Some(Kind::Goal),
        "möte" | "möten" => Some(Kind::Meeting),
        _ => None,
    };
    sv.or_else(|| v.parse().ok())
}

/// A status by its English or Swedish name.
fn status_named(v: &str) -> Option<String> {
    let v = v.to_lowercase();
    let en = match v.as_str() {
        "öppen" | "öppna" => "open",
        "utforskas" => "exploring",
        "löst" | "lösta" => "resolved",
        "parkerad" | "parkerade" => "parked",
        "hypotes" => "hypothesis",
        "bekräftad" | "bekräftade" => "validated",
        "motbevisad" | "motbevisade" => "invalidated",
        other => other,
    };
    (model::FRICTION_STATUSES.contains(&en) || model::INSIGHT_STATUSES.contains(&en)).then(|| en.to_string())
}

impl Query {
    /// True when the query has no positive text or filter (only exclusions).
    pub fn only_exclusions(&self) -> bool {
        self.clauses.iter().all(|c| matches!(c, Clause::Not(_)))
    }
}

/// One lexical piece of a query.
#[derive(Debug)]
enum Piece {
    Or,
    Atom { negated: bool, atoms: Vec<Atom> },
}

/// Parses a query string. Errors name the problem and how to fix it, in one line (a line break
/// in the quoted query is shown as `\n`).
pub fn parse(input: &str) -> Result<Query> {
    parse_in(input, Lang::En)
}

/// [`parse`], with errors in `lang`.
pub fn parse_in(input: &str, lang: Lang) -> Result<Query> {
    parse_query(input, lang).map_err(|e| match e {
        Error::Invalid(m) => Error::Invalid(m.replace('\r', "\\r").replace('\n', "\\n")),
        e => e,
    })
}

fn parse_query(input: &str, lang: Lang) -> Result<Query> {
    if input.trim().is_empty() {
        return Err(lang.err(
            "empty query: type words to search for, or a filter such as kind:friction",
            "tom sökning: skriv ord att söka efter, eller ett filter som typ:friktion",
        ));
    }
    let pieces = lex(input, lang)?;
    let mut clauses: Vec<Clause> = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        match &pieces[i] {
            Piece::Or => {
                return Err(if i == 0 {
                    lang.err(
                        "query: OR needs a word on its left (write `a OR b`)",
                        "sökning: OR behöver ett ord till vänster (skriv `a OR b`)",
                    )
                } else {
                    lang.err(
                        "query: OR needs a word on each side (write `a OR b`)",
                        "sökning: OR behöver ett ord på var sida (skriv `a OR b`)",
                    )
                });
            }
            Piece::Atom { negated, atoms } => {
                // Collect `x OR y OR z`.
                let mut group: Vec<(bool, &Vec<Atom>)> = vec![(*negated, atoms)];
                let mut j = i + 1;
                while j < pieces.len() && matches!(pieces[j], Piece::Or) {
                    match pieces.get(j + 1) {
                        Some(Piece::Atom { negated, atoms }) => group.push((*negated, atoms)),
                        _ => {
                            return Err(lang.err(
                                "query: OR needs a word on its right (write `a OR b`)",
                                "sökning: OR behöver ett ord till höger (skriv `a OR b`)",
                            ))
                        }
                    }
                    j += 2;
                }
                if group.len() > 1 && group.iter().any(|(neg, _)| *neg) {
                    return Err(lang.err(
                        "query: an excluded term (-x) cannot be part of an OR; write the exclusion on its own",
                        "sökning: ett uteslutet ord (-x) kan inte ingå i ett OR; skriv uteslutningen för sig",
                    ));
                }
                if group.len() == 1 && *negated {
                    for a in atoms {
                        clauses.push(Clause::Not(a.clone()));
                    }
                } else {
                    clauses.push(Clause::Any(group.into_iter().flat_map(|(_, a)| a.iter().cloned()).collect()));
                }
                i = j;
            }
        }
    }
    // Words that hold no letters or digits (e.g. `!!!`) search for nothing; drop them.
    let meaningful = |a: &Atom| match a {
        Atom::Word(w) | Atom::Phrase(w) => !words(w).is_empty(),
        Atom::Filter(_) => true,
    };
    let mut kept = Vec::new();
    for c in clauses {
        match c {
            Clause::Any(atoms) => {
                let atoms: Vec<Atom> = atoms.into_iter().filter(meaningful).collect();
                if !atoms.is_empty() {
                    kept.push(Clause::Any(atoms));
                }
            }
            Clause::Not(a) => {
                if meaningful(&a) {
                    kept.push(Clause::Not(a));
                }
            }
        }
    }
    if kept.is_empty() {
        return Err(lang.err(
            format!("query '{}' has no words to search for (only punctuation)", input.trim()),
            format!("sökningen '{}' har inga ord att söka efter (bara skiljetecken)", input.trim()),
        ));
    }
    Ok(Query { clauses: kept })
}

fn lex(input: &str, lang: Lang) -> Result<Vec<Piece>> {
    let chars: Vec<(usize, char)> = input.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let mut negated = false;
        let mut k = i;
        if c == '-' && chars.get(i + 1).is_some_and(|(_, n)| !n.is_whitespace()) {
            negated = true;
            k += 1;
        }
        if chars[k].1 == '"' {
            let (text, next) = quoted(input, &chars, k, lang)?;
            out.push(Piece::Atom { negated, atoms: vec![Atom::Phrase(text)] });
            i = next;
            continue;
        }
        // A bare token: up to whitespace, or a quoted filter value (`author:"anna berg"`).
        let mut j = k;
        while j < chars.len() && !chars[j].1.is_whitespace() && chars[j].1 != '"' {
            j += 1;
        }
        let token = &input[chars[k].0..chars.get(j).map_or(input.len(), |c| c.0)];
        let mut next = j;
        let filter_name = token.strip_suffix(':').filter(|n| !n.is_empty() && n.chars().all(|c| c.is_alphabetic()));
        let atoms = if let (Some(name), Some((_, '"'))) = (filter_name, chars.get(j)) {
            let (value, after) = quoted(input, &chars, j, lang)?;
            next = after;
            filter(name, &value, lang)?
        } else if chars.get(j).is_some_and(|c| c.1 == '"') && !token.is_empty() {
            return Err(lang.err(
                format!("query: a quote starts in the middle of '{token}\"' (column {}); put a space before the phrase", chars[j].0 + 1),
                format!("sökning: ett citattecken börjar mitt i '{token}\"' (kolumn {}); sätt ett mellanslag före frasen", chars[j].0 + 1),
            ));
        } else if let Some((name, value)) = token
            .split_once(':')
            .filter(|(n, _)| !n.is_empty() && (n.chars().all(|c| c.is_ascii_alphabetic()) || filter_name_en(&n.to_lowercase()).is_some()))
        {
            filter(name, value, lang)?
        } else if token == "OR" && !negated {
            out.push(Piece::Or);
            i = next;
            continue;
        } else {
            vec![Atom::Word(token.to_string())]
        };
        out.push(Piece::Atom { negated, atoms });
        i = next;
    }
    Ok(out)
}

/// Reads a quoted string starting at `chars[at]` (a `"`); returns its text and the index after it.
fn quoted(input: &str, chars: &[(usize, char)], at: usize, lang: Lang) -> Result<(String, usize)> {
    let open = chars[at].0;
    match chars[at + 1..].iter().position(|(_, c)| *c == '"') {
        Some(p) => {
            let close = at + 1 + p;
            Ok((input[open + 1..chars[close].0].to_string(), close + 1))
        }
        None => Err(lang.err(
            format!("query: the quote at column {} is never closed (phrases go between two \" marks)", input[..open].chars().count() + 1),
            format!("sökning: citattecknet i kolumn {} stängs aldrig (fraser står mellan två \")", input[..open].chars().count() + 1),
        )),
    }
}

fn filter(name: &str, value: &str, lang: Lang) -> Result<Vec<Atom>> {
    let lname = name.to_lowercase();
    let Some(en) = filter_name_en(&lname) else {
        let list = |fs: &[&str]| fs.iter().map(|f| format!("{f}:")).collect::<Vec<_>>().join(", ");
        return Err(lang.err(
            format!(
                "query: unknown filter '{name}:' (filters: {}); to search for the text itself, put it in quotes: \"{name}:{value}\"",
                list(FILTERS)
            ),
            format!(
                "sökning: okänt filter '{name}:' (filter: {}); sök efter texten själv inom citattecken: \"{name}:{value}\"",
                list(FILTERS_SV)
            ),
        ));
    };
    let values: Vec<&str> = value.split(',').map(str::trim).filter(|v| !v.is_empty()).collect();
    if values.is_empty() {
        return Err(lang.err(
            format!("query: filter '{lname}:' needs a value, e.g. {}", example(en)),
            format!("sökning: filtret '{lname}:' behöver ett värde, t.ex. {}", example_sv(en)),
        ));
    }
    values
        .into_iter()
        .map(|v| {
            Ok(Atom::Filter(match en {
                "kind" => Filter::Kind(kind_named(v).ok_or_else(|| {
                    let why = v.parse::<Kind>().err().map(|e| e.to_string()).unwrap_or_default();
                    lang.err(
                        format!("query: kind:{v}: {why}"),
                        format!(
                            "sökning: {lname}:{v}: okänd typ '{v}' (typer: anteckning, signal, insikt, friktion, beslut, mål, möte)"
                        ),
                    )
                })?),
                "status" => Filter::Status(status_named(v).ok_or_else(|| {
                    lang.err(
                        format!(
                            "query: status:{v} is not a status (frictions: {}; insights: {})",
                            model::FRICTION_STATUSES.join(", "),
                            model::INSIGHT_STATUSES.join(", ")
                        ),
                        format!(
                            "sökning: status:{v} är ingen status (friktioner: öppen, utforskas, löst, parkerad; insikter: hypotes, bekräftad, motbevisad)"
                        ),
                    )
                })?),
                "tag" => Filter::Tag(model::normalize_tag(v).map_err(|e| {
                    lang.err(format!("query: tag:{v}: {e}"), format!("sökning: {lname}:{v} är ingen tagg (taggar är ett ord, t.ex. pris eller team/sälj)"))
                })?),
                "author" => Filter::Author(v.to_lowercase()),
                "perspective" => Filter::Perspective(v.to_lowercase()),
                _ => {
                    let d = model::parse_date(v).ok_or_else(|| {
                        lang.err(
                            format!("query: {lname}:{v} is not a date (use YYYY-MM-DD, e.g. {lname}:2026-01-31)"),
                            format!("sökning: {lname}:{v} är inget datum (skriv ÅÅÅÅ-MM-DD, t.ex. {lname}:2026-01-31)"),
                        )
                    })?;
                    if en == "after" {
                        Filter::After(d)
                    } else {
                        Filter::Before(d)
                    }
                }
            }))
        })
        .collect()
}

fn example_sv(name: &str) -> &'static str {
    match name {
        "kind" => "typ:friktion",
        "status" => "status:löst",
        "tag" => "tagg:pris",
        "author" => "författare:anna",
        "perspective" => "perspektiv:sälj",
        "after" => "efter:2026-01-01",
        _ => "före:2026-02-01",
    }
}

fn example(name: &str) -> &'static str {
    match name {
        "kind" => "kind:friction",
        "status" => "status:resolved",
        "tag" => "tag:pricing",
        "author" => "author:anna",
        "perspective" => "perspective:sales",
        "after" => "after:2026-01-01",
        _ => "before:2026-02-01",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(q: &str) -> String {
        parse(q).unwrap_err().to_string()
    }

    #[test]
    fn words_filters_phrases_or_and_exclusion() {
        let q = parse(r#"pricing "customer churn" -discount kind:friction status:resolved tag:#Pricing a OR b"#).unwrap();
        assert_eq!(
            q.clauses,
            vec![
                Clause::Any(vec![Atom::Word("pricing".into())]),
                Clause::Any(vec![Atom::Phrase("customer churn".into())]),
                Clause::Not(Atom::Word("discount".into())),
                Clause::Any(vec![Atom::Filter(Filter::Kind(Kind::Friction))]),
                Clause::Any(vec![Atom::Filter(Filter::Status("resolved".into()))]),
                Clause::Any(vec![Atom::Filter(Filter::Tag("pricing".into()))]),
                Clause::Any(vec![Atom::Word("a".into()), Atom::Word("b".into())]),
            ]
        );
        let q = parse(r#"author:"Anna Berg" kind:friction,resolution -tag:old after:2026-01-01 before:2026/02/01"#).unwrap();
        assert_eq!(q.clauses[0], Clause::Any(vec![Atom::Filter(Filter::Author("anna berg".into()))]));
        assert_eq!(
            q.clauses[1],
            Clause::Any(vec![Atom::Filter(Filter::Kind(Kind::Friction)), Atom::Filter(Filter::Kind(Kind::Resolution))])
        );
        assert_eq!(q.clauses[2], Clause::Not(Atom::Filter(Filter::Tag("old".into()))));
        assert_eq!(q.clauses[3], Clause::Any(vec![Atom::Filter(Filter::After(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()))]));
        assert_eq!(q.clauses[4], Clause::Any(vec![Atom::Filter(Filter::Before(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()))]));
        // A lone dash, lower-case "or" and times are plain text.
        let q = parse("a - or 10:30").unwrap();
        assert_eq!(
            q.clauses,
            vec![
                Clause::Any(vec![Atom::Word("a".into())]),
                Clause::Any(vec![Atom::Word("or".into())]),
                Clause::Any(vec![Atom::Word("10:30".into())])
            ]
        );
        assert!(parse("-draft").unwrap().only_exclusions());
    }

    #[test]
    fn bad_queries_say_what_is_wrong() {
        assert!(err("").contains("empty query"));
        assert!(err("   ").contains("empty query"));
        assert!(err(r#"pricing "customer churn"#).contains("column 9 is never closed"));
        assert!(err(r#"author:"anna"#).contains("never closed"));
        assert!(err("colour:red").contains("unknown filter 'colour:'"));
        assert!(err("kind:blog").contains("unknown kind 'blog'"));
        assert!(err("status:done").contains("not a status"));
        assert!(err("after:yesterday").contains("not a date"));
        assert!(err("tag:").contains("needs a value"));
        assert!(err("OR pricing").contains("OR needs a word"));
        assert!(err("pricing OR").contains("OR needs a word"));
        assert!(err("-a OR b").contains("cannot be part of an OR"));
        assert!(err("!!! ???").contains("no words"));
    }

    #[test]
    fn swedish_and_english_stems_meet() {
        let p = |w: &str| word_forms(w)[0].clone();
        for w in ["kund", "kunder", "kundens", "kunderna", "kunden"] {
            assert_eq!(p(w), "kund", "{w}");
        }
        for w in ["leverans", "leveransen", "leveranser", "leveransens"] {
            assert_eq!(p(w), p("leverans"), "{w}");
        }
        for family in [&["barn", "barnet", "barnets", "barnen"][..], &["sätt", "sättet", "sätten"][..], &["land", "landet", "landets"][..]]
        {
            for w in family {
                assert_eq!(p(w), p(family[0]), "{w}");
            }
        }
        assert_eq!(p("huset"), p("hus"));
        assert_eq!(p("paketet"), p("paket"));
        let en = |w: &str| word_forms(w);
        assert!(en("customers").iter().any(|f| en("customer").contains(f)));
        // Diacritics matter, and the folded form is marked.
        assert_ne!(p("får"), p("far"));
        assert!(word_forms("får").contains(&"~far".to_string()));
        assert_eq!(folded_form("far").as_deref(), Some("~far"));
        assert_eq!(folded_form("får"), None);
        assert_eq!(words("Kundens e-post, 2026!"), vec!["kundens", "e", "post", "2026"]);
    }

    #[test]
    fn identifiers_split_into_parts_and_join_whole() {
        assert_eq!(identifier_parts("AbstractSTestS3AHugeFiles"), vec!["abstract", "test", "s3a", "huge", "files"]);
        assert_eq!(identifier_parts("HTTPServer"), vec!["http", "server"]);
        assert_eq!(identifier_parts("readVectored"), vec!["read", "vectored"]);
        assert_eq!(identifier_parts("hadoop3"), vec!["hadoop"]);
        for plain in ["Hadoop", "HDFS", "kunden", "Kunden", "2026", "ab"] {
            assert!(identifier_parts(plain).is_empty(), "{plain}");
        }
        let t = "set fs.s3a.delegation.token now, see HADOOP-17796 or MAX_WORD_BYTES. End.";
        let at = |w: &str| t.find(w).unwrap();
        let whole = |w: &str| identifier_end(t, at(w)).map(|e| &t[at(w)..e]);
        assert_eq!(whole("fs."), Some("fs.s3a.delegation.token"));
        assert_eq!(whole("HADOOP"), Some("HADOOP-17796"));
        assert_eq!(whole("MAX"), Some("MAX_WORD_BYTES"));
        assert_eq!(whole("set"), None);
        assert_eq!(whole("End"), None);
        assert_eq!(identifier_end("e-post", 0), None);
        assert_eq!(identifier_end("åäö.öå", 0), Some("åäö.öå".len()));
    }
}
