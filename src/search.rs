//! Search: the query syntax, the text analysis shared by the index and the queries, and the
//! search API of a [`Workspace`]. Pure: the tantivy side lives in [`crate::index`].
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
//! Diacritics matter: `får` is not `far`. A query word typed without diacritics (only a–z and
//! digits) that occurs nowhere in the workspace matches the words that differ from it only by
//! diacritics instead (`far` finds `får` when no item holds `far`; once one does, `far` finds
//! only that). A query word typed with diacritics matches only words with exactly those.

use std::fmt;
use std::time::Instant;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{self, Kind};
use crate::workspace::Workspace;

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

// ---- text analysis ----------------------------------------------------------------------------

/// The longest word that is indexed, in bytes; longer ones (hashes, base64) are skipped.
pub const MAX_WORD_BYTES: usize = 40;

/// The words of a text as `(byte start, byte end)`: runs of letters and digits.
pub fn word_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut it = text.char_indices().peekable();
    std::iter::from_fn(move || loop {
        let (start, c) = it.next()?;
        if !c.is_alphanumeric() {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, c)) = it.peek() {
            if !c.is_alphanumeric() {
                break;
            }
            end = i + c.len_utf8();
            it.next();
        }
        if end - start <= MAX_WORD_BYTES {
            return Some((start, end));
        }
    })
}

/// The words of a text, lower-cased.
pub fn words(text: &str) -> Vec<String> {
    word_spans(text).map(|(s, e)| text[s..e].to_lowercase()).collect()
}

/// The indexed forms of one lower-cased word. The first is the primary form (what phrases
/// match); then the English stem when it differs; then, for a word with diacritics, a marked
/// form without them (`~` + folded primary), which only a diacritic-less fallback query uses;
/// then its lemmas (`=`) and its compound parts' lemmas (`+`), see [`lemma_forms`].
pub fn word_forms(word: &str) -> Vec<String> {
    let mut out = stem_forms(word);
    for f in lemma_forms(word) {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// The stems of a word: the primary (Swedish) stem, the English one when it differs, and the
/// folded primary for a word with diacritics.
fn stem_forms(word: &str) -> Vec<String> {
    let primary = swedish_stem(word);
    let mut out = vec![primary.clone()];
    let en = frostem::Stemmer::new(frostem::Algorithm::English).stem(word).into_owned();
    if en != primary {
        out.push(en);
    }
    if !word.is_ascii() {
        let folded = fold(&primary);
        if folded != primary {
            out.push(format!("{FOLD_MARK}{folded}"));
        }
    }
    out
}

/// The mark that starts a lemma form in the index (`=skriva`).
pub const LEMMA_MARK: char = '=';
/// The mark that starts a compound part's lemma in the index (`+möte`).
pub const PART_MARK: char = '+';

/// The lemma forms of a word as the index holds them: its Swedish lemmas, or else its English
/// lemma (an irregular form) or its lemma as a compound; then the lemmas of its compound parts.
pub fn lemma_forms(word: &str) -> Vec<String> {
    let mut out: Vec<String> = crate::lexicon::lemmas(word).into_iter().map(|l| format!("{LEMMA_MARK}{l}")).collect();
    let compound = crate::lexicon::split(word);
    if out.is_empty() {
        if let Some(en) = crate::lexicon::english_lemma(word) {
            out.push(format!("{LEMMA_MARK}{en}"));
        } else if let Some(c) = &compound {
            out.extend(c.lemmas.iter().map(|l| format!("{LEMMA_MARK}{l}")));
        }
    }
    if let Some(c) = compound {
        for l in c.parts.iter().flatten() {
            let f = format!("{PART_MARK}{l}");
            if l.chars().count() >= crate::lexicon::MIN_PART && !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// How a query word matches, by tier: any of `words` must match; `exact` only adds to the score.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryForms {
    /// Index forms any of which makes a hit, each with its weight: lemma forms weigh 1, compound
    /// parts [`PART_WEIGHT`], stems (for words the lexicon does not know) 1.
    pub words: Vec<(String, f32)>,
    /// The word's own stem, which ranks the exact word above its other forms.
    pub exact: Option<String>,
}

/// The weight of a compound-part hit against a lemma hit.
pub const PART_WEIGHT: f32 = 0.3;
/// The weight added for the exact word (its stem) on top of its lemma.
pub const EXACT_WEIGHT: f32 = 1.0;

/// The forms a query word searches for (see the module's "Text analysis").
pub fn query_forms(word: &str) -> QueryForms {
    let sv = crate::lexicon::query_lemmas(word);
    let primary = swedish_stem(word);
    if !sv.is_empty() {
        let mut words: Vec<(String, f32)> = sv.iter().map(|l| (format!("{LEMMA_MARK}{l}"), 1.0)).collect();
        words.extend(sv.iter().filter(|l| l.chars().count() >= crate::lexicon::MIN_PART).map(|l| (format!("{PART_MARK}{l}"), PART_WEIGHT)));
        // An English text's inflections of a word that is Swedish too (`system`, `systems`).
        let en = frostem::Stemmer::new(frostem::Algorithm::English).stem(word).into_owned();
        if en == word && en != primary {
            words.push((en, 1.0));
        }
        return QueryForms { words, exact: Some(primary) };
    }
    let mut words: Vec<(String, f32)> = stem_forms(word).into_iter().filter(|f| !f.starts_with(FOLD_MARK)).map(|f| (f, 1.0)).collect();
    let english = crate::lexicon::english_lemma(word);
    words.push((format!("{LEMMA_MARK}{}", english.unwrap_or(word)), 1.0));
    if let Some(en) = english {
        // `children` finds `child` too (whose stem is its own).
        words.extend(stem_forms(en).into_iter().filter(|f| !f.starts_with(FOLD_MARK)).map(|f| (f, 1.0)));
    }
    if let Some(c) = crate::lexicon::split(word) {
        words.extend(c.lemmas.iter().map(|l| (format!("{LEMMA_MARK}{l}"), 1.0)));
    }
    let mut seen = std::collections::HashSet::new();
    words.retain(|(f, _)| seen.insert(f.clone()));
    QueryForms { words, exact: None }
}

/// The mark that starts a diacritic-folded form in the index.
pub const FOLD_MARK: char = '~';

/// The fallback form of a query word typed without diacritics.
pub fn folded_form(word: &str) -> Option<String> {
    if word.chars().all(|c| c.is_ascii_alphanumeric()) {
        Some(format!("{FOLD_MARK}{}", fold(&swedish_stem(word))))
    } else {
        None
    }
}

/// Snowball's Swedish stem, finished for two gaps it leaves in inflection families.
pub fn swedish_stem(word: &str) -> String {
    let sv = frostem::Stemmer::new(frostem::Algorithm::Swedish);
    let stem = sv.stem(word).into_owned();
    let vowel = |c: char| "aeiouyäåö".contains(c);
    let chars: Vec<char> = stem.chars().collect();
    let n = chars.len();
    let r1 = r1_start(&chars);
    // Snowball removes one suffix: `leverans` → `leveran` (the -s), but `leveransen` → `leverans`
    // (the -en). Remove an -s the way Snowball would have from the word itself: after a valid
    // s-ending, inside R1.
    if n >= 2 && chars[n - 1] == 's' && "bcdfghjklmnoprtvy".contains(chars[n - 2]) && n > r1 {
        return chars[..n - 1].iter().collect();
    }
    // Snowball removes the definite -et only after a vowel and a consonant (`huset` → `hus`),
    // so `barnet`, `barnets` and `landet` keep it. Remove it after two consonants too (inside
    // R1), then stem what is left as Snowball would (`sättet` → `sätt` → `sät`, like `sätt`).
    if n >= 5 && chars[n - 2] == 'e' && chars[n - 1] == 't' && n - 2 >= r1 && !vowel(chars[n - 3]) && !vowel(chars[n - 4]) {
        let rest: String = chars[..n - 2].iter().collect();
        return sv.stem(&rest).into_owned();
    }
    stem
}

/// Where R1 starts in a Swedish word (a char index): after the first non-vowel that follows a
/// vowel, and at least 3 characters in.
fn r1_start(chars: &[char]) -> usize {
    let vowel = |c: char| "aeiouyäåö".contains(c);
    let mut seen_vowel = false;
    for (i, &c) in chars.iter().enumerate() {
        if vowel(c) {
            seen_vowel = true;
        } else if seen_vowel {
            return (i + 1).max(3);
        }
    }
    chars.len()
}

/// Removes diacritics from common Latin letters (å→a, ö→o, é→e…).
pub fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'å' | 'ä' | 'à' | 'á' | 'â' | 'ã' | 'æ' => 'a',
            'ö' | 'ø' | 'ò' | 'ó' | 'ô' | 'õ' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ù' | 'ú' | 'û' => 'u',
            'ï' | 'ì' | 'í' | 'î' => 'i',
            'ñ' => 'n',
            'ç' => 'c',
            'ÿ' | 'ý' => 'y',
            other => other,
        })
        .collect()
}

/// A cache of [`word_forms`], joined by NUL, for the index tokenizer (words repeat a lot).
#[derive(Default, Clone)]
pub struct FormsCache {
    map: rustc_hash::FxHashMap<String, String>,
}

impl FormsCache {
    const MAX: usize = 200_000;

    /// The forms of `lower`, NUL-separated.
    pub fn get(&mut self, lower: &str) -> &str {
        if !self.map.contains_key(lower) {
            if self.map.len() >= Self::MAX {
                self.map.clear();
            }
            self.map.insert(lower.to_string(), word_forms(lower).join("\0"));
        }
        self.map.get(lower).map_or("", String::as_str)
    }
}

// ---- identifiers -------------------------------------------------------------------------------
//
// Tickets and notes name classes, settings and files: `AbstractSTestS3AHugeFiles`,
// `fs.s3a.delegation.token`, `MAX_WORD_BYTES`, `HADOOP-12345`. Beside each word as it is, the index
// holds the parts of a word written in camelCase or with digits in it (`huge`, `files`, `s3a`), and
// the whole of a dotted, underscored or numbered run of words (`fs.s3a.delegation.token`), so that a
// search finds the class by a word of its name and the setting by its full name.

/// The longest dotted or underscored identifier indexed whole, in bytes.
pub const MAX_IDENTIFIER_BYTES: usize = 80;

/// The parts of one word as typed (letters and digits only), lower-cased: split where a lower-case
/// letter meets an upper-case one (`hugeFiles`), before the last capital of a run of capitals that
/// starts a word (`STest` → `s`, `test`), and then where letters meet digits (`s3a` → `s`, `3`, `a`).
/// Empty when the word has no such parts. Parts of one character are left out.
pub fn identifier_parts(word: &str) -> Vec<String> {
    // Every boundary has a capital or a digit on one side: most words have neither.
    if !word.chars().any(|c| c.is_uppercase() || c.is_numeric()) {
        return Vec::new();
    }
    let chars: Vec<char> = word.chars().collect();
    let split_at = |i: usize| boundary(chars[i], chars[i + 1], chars.get(i + 2).copied()) || digit_boundary(chars[i], chars[i + 1]);
    if chars.len() < 3 || !(0..chars.len() - 1).any(split_at) {
        return Vec::new();
    }
    let mut camel: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && boundary(chars[i - 1], c, chars.get(i + 1).copied()) {
            camel.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    camel.push(cur);
    let mut out: Vec<String> = Vec::new();
    let add = |p: String, out: &mut Vec<String>| {
        if p.chars().count() > 1 && !out.contains(&p) {
            out.push(p);
        }
    };
    for part in &camel {
        add(part.clone(), &mut out);
        let pc: Vec<char> = part.chars().collect();
        if pc.windows(2).any(|w| digit_boundary(w[0], w[1])) {
            let mut cur = String::new();
            for (i, &c) in pc.iter().enumerate() {
                if i > 0 && digit_boundary(pc[i - 1], c) {
                    add(std::mem::take(&mut cur), &mut out);
                }
                cur.push(c);
            }
            add(cur, &mut out);
        }
    }
    let whole = word.to_lowercase();
    out.retain(|p| *p != whole);
    out
}

/// A camelCase boundary between `a` and `b` (`b` followed by `next`).
fn boundary(a: char, b: char, next: Option<char>) -> bool {
    (a.is_lowercase() && b.is_uppercase()) || (a.is_uppercase() && b.is_uppercase() && next.is_some_and(char::is_lowercase))
}

fn digit_boundary(a: char, b: char) -> bool {
    (a.is_alphabetic() && b.is_ascii_digit()) || (a.is_ascii_digit() && b.is_alphabetic())
}

/// Where a dotted, underscored or numbered identifier that starts with the word at `start` ends
/// (a byte index), when the word is the first of at least two joined by `.` or `_` (or by `-`
/// before a digit, as in `HADOOP-12345`) with nothing else between them: `fs.s3a.delegation.token`.
pub fn identifier_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let word_end = |from: usize| text[from..].find(|c: char| !c.is_alphanumeric()).map_or(text.len(), |e| from + e);
    let mut end = word_end(start);
    let mut joined = 0;
    while end + 1 < text.len() && end - start <= MAX_IDENTIFIER_BYTES {
        let sep = bytes[end];
        if !matches!(sep, b'.' | b'_' | b'-') {
            break;
        }
        let next = text[end + 1..].chars().next().unwrap_or(' ');
        let ok = if sep == b'-' { next.is_ascii_digit() } else { next.is_alphanumeric() };
        if !ok {
            break;
        }
        end = word_end(end + 1);
        joined += 1;
    }
    (joined > 0 && end - start <= MAX_IDENTIFIER_BYTES).then_some(end)
}

// ---- the workspace API ------------------------------------------------------------------------

impl Workspace {
    /// Searches the workspace. Every saved change is found, committed to the index or not.
    pub fn search(&mut self, query: &str, limit: usize) -> Result<SearchResults> {
        self.search_in(query, limit, Lang::En)
    }

    /// [`Workspace::search`], with a bad query's error in `lang`.
    pub fn search_in(&mut self, query: &str, limit: usize, lang: Lang) -> Result<SearchResults> {
        let started = Instant::now();
        let q = parse_in(query, lang)?;
        let (total, hits) = crate::index::search(self, &q, limit, true)?;
        Ok(SearchResults { total, took_ms: started.elapsed().as_secs_f64() * 1000.0, hits })
    }

    /// Every item matching `query`, best first, without snippets: what a list's filter shows and
    /// "select all matching" takes.
    pub fn search_ids(&mut self, query: &str, lang: Lang) -> Result<Vec<String>> {
        let q = parse_in(query, lang)?;
        let live = self.counts()?.values().sum::<i64>().max(1) as usize;
        let (_, hits) = crate::index::search(self, &q, live, false)?;
        Ok(hits.into_iter().map(|h| h.id).collect())
    }

    /// Rebuilds the search index from the database; `progress(done, total)` is called as it goes.
    /// Returns the number of items indexed.
    pub fn reindex(&mut self, progress: impl FnMut(u64, u64)) -> Result<u64> {
        crate::index::reindex(self, progress)
    }

    /// Opens the search index, rebuilding it when it is missing, stale or corrupt; says what it
    /// repaired. Searching does this by itself; call it to tell the user early.
    pub fn open_index(&mut self) -> Result<Option<Repair>> {
        crate::index::open(self)
    }

    /// Commits queued saves to the index now (one commit for all of them). Returns how many
    /// queue entries were applied; 0 when another process holds the index writer (it will).
    /// Searches find queued saves anyway; call this when idle or after a bulk import.
    pub fn flush_index(&mut self) -> Result<usize> {
        crate::index::flush(self)
    }

    /// Compares the search index with the database without changing either (see `doctor`): the
    /// problems found, one line each.
    pub fn verify_index(&mut self) -> Result<Vec<String>> {
        crate::index::verify(self)
    }

    /// The state of the search index.
    pub fn index_status(&mut self) -> Result<IndexStatus> {
        crate::index::status(self)
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
