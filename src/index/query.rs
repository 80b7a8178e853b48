//! A parsed query as tantivy queries, over the committed index and the overlay together.

use std::collections::BTreeSet;
use std::ops::Bound;

use tantivy::directory::RamDirectory;
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query as TQuery,
    RangeQuery, TermQuery,
};
use tantivy::query::{Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Index, ReloadPolicy, Searcher, SegmentReader, TantivyDocument, Term};

use crate::error::Result;
use crate::search::{self, Atom, Clause, Filter, Query};
use crate::store::IndexDoc;

use super::*;

pub(super) fn build_overlay(f: &Fields, key: (i64, i64), ids: Vec<String>, docs: &[IndexDoc]) -> Result<Overlay> {
    let (schema, _) = schema();
    let mut w = Index::builder()
        .schema(schema)
        .tokenizers(tokenizers())
        .single_segment_index_writer::<TantivyDocument>(RamDirectory::create(), 15_000_000)
        .map_err(ierr)?;
    for d in docs {
        w.add_document(to_document(f, d)).map_err(ierr)?;
    }
    let index = w.finalize().map_err(ierr)?;
    register(&index);
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(ierr)?;
    Ok(Overlay { key, searcher: reader.searcher(), ids })
}

/// BM25 statistics over the committed index and the overlay together, so their scores compare.
pub(super) struct Stats<'a> {
    pub(super) main: &'a Searcher,
    pub(super) overlay: Option<&'a Searcher>,
}

impl Bm25StatisticsProvider for Stats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let o = match self.overlay {
            Some(s) => s.total_num_tokens(field)?,
            None => 0,
        };
        Ok(self.main.total_num_tokens(field)? + o)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        let o = match self.overlay {
            Some(s) => Bm25StatisticsProvider::total_num_docs(s)?,
            None => 0,
        };
        Ok(Bm25StatisticsProvider::total_num_docs(self.main)? + o)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let o = match self.overlay {
            Some(s) => s.doc_freq(term)?,
            None => 0,
        };
        Ok(self.main.doc_freq(term)? + o)
    }
}

pub(super) struct Built {
    pub(super) query: Box<dyn TQuery>,
    /// The index forms of the positive words, for highlighting.
    pub(super) terms: BTreeSet<String>,
}

/// The free-text fields and their weights.
/// The weight of a word's secondary form (its English stem when that differs from the primary).
const OTHER_STEM_BOOST: f32 = 0.05;

pub(super) fn text_fields(f: &Fields) -> [(Field, f32); 4] {
    [(f.title, TITLE_BOOST), (f.tags, TAGS_BOOST), (f.text, 1.0), (f.resolution, 1.0)]
}

pub(super) fn build_query(f: &Fields, q: &Query, stats: &Stats) -> Result<Built> {
    let mut terms = BTreeSet::new();
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    for c in &q.clauses {
        match c {
            Clause::Any(atoms) => {
                let mut alts: Vec<Box<dyn TQuery>> = Vec::new();
                for a in atoms {
                    alts.push(atom_query(f, a, stats, Some(&mut terms))?.union());
                }
                let q: Box<dyn TQuery> = if alts.len() == 1 { alts.pop().expect("one") } else { Box::new(BooleanQuery::union(alts)) };
                clauses.push((Occur::Must, q));
            }
            Clause::Not(a) => {
                // One exclusion per field: NOT (a OR b) = NOT a AND NOT b, and tantivy's exclusion
                // of a union of phrases trips over itself.
                match atom_query(f, a, stats, None)? {
                    Alternatives::One(q) => clauses.push((Occur::MustNot, q)),
                    Alternatives::Many(qs) => clauses.extend(qs.into_iter().map(|q| (Occur::MustNot, q))),
                }
            }
        }
    }
    if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0))));
    }
    Ok(Built { query: Box::new(BooleanQuery::new(clauses)), terms })
}

fn doc_freq_all(f: &Fields, form: &str, stats: &Stats) -> Result<u64> {
    let mut n = 0;
    for (field, _) in text_fields(f) {
        n += stats.doc_freq(&Term::from_field_text(field, form)).map_err(ierr)?;
    }
    Ok(n)
}

/// The query of one atom: one query, or alternatives any of which matches.
enum Alternatives {
    One(Box<dyn TQuery>),
    Many(Vec<Box<dyn TQuery>>),
}

impl Alternatives {
    fn union(self) -> Box<dyn TQuery> {
        match self {
            Alternatives::One(q) => q,
            Alternatives::Many(qs) => Box::new(BooleanQuery::union(qs)),
        }
    }
}

fn atom_query(f: &Fields, a: &Atom, stats: &Stats, terms: Option<&mut BTreeSet<String>>) -> Result<Alternatives> {
    let filter = |q: Box<dyn TQuery>| -> Box<dyn TQuery> { Box::new(ConstScoreQuery::new(q, 0.0)) };
    let term_q = |field: Field, text: &str| -> Box<dyn TQuery> {
        Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
    };
    Ok(match a {
        Atom::Word(w) | Atom::Phrase(w) => {
            let words = search::words(w);
            let phrase = matches!(a, Atom::Phrase(_)) || words.len() > 1;
            if words.len() > 1 {
                // Words next to each other, by their primary forms (every indexed word has one).
                let primaries: Vec<String> = words.iter().map(|w| search::word_forms(w).swap_remove(0)).collect();
                if let Some(t) = terms {
                    t.extend(primaries.iter().cloned());
                }
                let mut alts: Vec<Box<dyn TQuery>> = Vec::new();
                for (field, boost) in text_fields(f) {
                    if field == f.tags {
                        continue;
                    }
                    let pq = PhraseQuery::new(primaries.iter().map(|p| Term::from_field_text(field, p)).collect());
                    alts.push(Box::new(BoostQuery::new(Box::new(Steady(Box::new(pq))), boost)));
                }
                Alternatives::Many(alts)
            } else {
                let Some(word) = words.first() else { return Ok(Alternatives::One(Box::new(EmptyQuery))) };
                let (mut forms, exact): (Vec<(String, f32)>, Option<String>) = if phrase {
                    (vec![(search::word_forms(word).swap_remove(0), 1.0)], None)
                } else {
                    let q = search::query_forms(word);
                    (q.words, q.exact)
                };
                // Typed without diacritics and found nowhere: match the words with them.
                if !phrase {
                    if let Some(folded) = search::folded_form(word) {
                        let mut n = 0;
                        for (form, _) in &forms {
                            n += doc_freq_all(f, form, stats)?;
                        }
                        if n == 0 && doc_freq_all(f, &folded, stats)? > 0 {
                            forms = vec![(folded, 1.0)];
                        }
                    }
                }
                if let Some(t) = terms {
                    t.extend(forms.iter().map(|(form, _)| form.clone()));
                    t.extend(exact.iter().cloned());
                }
                // Any form makes a hit (each weighed by its tier and its field); the exact word's
                // stem only adds to the score, so it ranks above the other forms of its lemma.
                let mut alts: Vec<Box<dyn TQuery>> = Vec::new();
                for (field, boost) in text_fields(f) {
                    for (i, (form, weight)) in forms.iter().enumerate() {
                        // The word itself and its primary stem rank above a match through the
                        // other language's stem only (`customers` finds "Customed" last).
                        let other_stem = i > 0 && !form.starts_with([search::LEMMA_MARK, search::PART_MARK]);
                        let weight = if other_stem { weight * OTHER_STEM_BOOST } else { *weight };
                        alts.push(Box::new(BoostQuery::new(term_q(field, form), boost * weight)));
                    }
                }
                match exact {
                    Some(stem) => {
                        let words: Box<dyn TQuery> = Box::new(BooleanQuery::union(alts));
                        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = vec![(Occur::Must, words)];
                        for (field, boost) in text_fields(f) {
                            clauses.push((Occur::Should, Box::new(BoostQuery::new(term_q(field, &stem), boost * search::EXACT_WEIGHT))));
                        }
                        Alternatives::One(Box::new(BooleanQuery::new(clauses)))
                    }
                    None => Alternatives::Many(alts),
                }
            }
        }
        Atom::Filter(fl) => Alternatives::One(match fl {
            Filter::Kind(k) => filter(term_q(f.kind, k.as_str())),
            Filter::Status(s) => filter(term_q(f.status, s)),
            Filter::Tag(t) => filter(term_q(f.tag, t)),
            Filter::Author(n) | Filter::Perspective(n) => {
                let field = if matches!(fl, Filter::Author(_)) { f.author } else { f.perspective };
                let parts: Vec<String> = search::words(n).iter().map(|w| search::fold(w)).collect();
                match parts.len() {
                    0 => Box::new(EmptyQuery),
                    1 => filter(term_q(field, &parts[0])),
                    _ => filter(Box::new(Steady(Box::new(PhraseQuery::new(
                        parts.iter().map(|p| Term::from_field_text(field, p)).collect(),
                    ))))),
                }
            }
            Filter::After(d) | Filter::Before(d) => {
                let t = Term::from_field_date(f.date, date_secs(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp()));
                let q = if matches!(fl, Filter::After(_)) {
                    RangeQuery::new(Bound::Included(t), Bound::Unbounded)
                } else {
                    RangeQuery::new(Bound::Unbounded, Bound::Excluded(t))
                };
                filter(Box::new(q))
            }
        }),
    })
}

/// A query whose scorers only ever move forward. tantivy 0.27's phrase scorer asserts that an
/// exclusion never probes it below its current document, which exclusions and intersections do;
/// this wrapper answers such probes from the current position instead.
#[derive(Debug)]
struct Steady(Box<dyn TQuery>);

impl Clone for Steady {
    fn clone(&self) -> Self {
        Steady(self.0.box_clone())
    }
}

impl TQuery for Steady {
    fn weight(&self, scoring: tantivy::query::EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(SteadyWeight(self.0.weight(scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor)
    }
}

struct SteadyWeight(Box<dyn Weight>);

impl Weight for SteadyWeight {
    fn scorer(&self, reader: &SegmentReader, boost: f32) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(SteadyScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: tantivy::DocId) -> tantivy::Result<tantivy::query::Explanation> {
        self.0.explain(reader, doc)
    }
}

struct SteadyScorer(Box<dyn Scorer>);

impl tantivy::DocSet for SteadyScorer {
    fn advance(&mut self) -> tantivy::DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: tantivy::DocId) -> tantivy::DocId {
        if target <= self.0.doc() {
            return self.0.doc();
        }
        self.0.seek(target)
    }

    fn doc(&self) -> tantivy::DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl Scorer for SteadyScorer {
    fn score(&mut self) -> f32 {
        self.0.score()
    }
}
