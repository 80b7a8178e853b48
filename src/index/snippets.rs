//! Snippets: the passages of a hit that hold the query's words.
//!
//! Where the words are is read from the index, not found by analysing the hit's text again: the
//! positions of the query's terms in the hit's field (tantivy keeps them for phrases) are word
//! numbers, and the tokenizer numbers the words of a text as [`search::word_spans`] lists them, so
//! position `n` is the text's `n`-th word span. The fragment chosen is the one tantivy's
//! `SnippetGenerator` would choose from the same text: the text cut into pieces of at most
//! `max` bytes at word starts, the piece with the most matched forms, the first of equals.

use std::collections::BTreeSet;

use tantivy::postings::Postings;
use tantivy::{DocSet, TERMINATED};

use crate::search;

use super::*;

/// Where the query's terms occur in some hits: for each hit and each of the fields asked for,
/// `(word position, index of the term)`, sorted.
pub(super) type Places = Vec<Vec<Vec<(u32, u32)>>>;

/// The places of `terms` in `fields` of the `hits` (all of one searcher).
pub(super) fn places(searcher: &Searcher, hits: &[DocAddress], fields: &[Field], terms: &BTreeSet<String>) -> Result<Places> {
    let mut out: Places = vec![vec![Vec::new(); fields.len()]; hits.len()];
    // Hits by segment and in document order, so each term's postings are read forward once.
    let mut order: Vec<usize> = (0..hits.len()).collect();
    order.sort_by_key(|&i| (hits[i].segment_ord, hits[i].doc_id));
    let mut buf = Vec::new();
    for group in order.chunk_by(|&a, &b| hits[a].segment_ord == hits[b].segment_ord) {
        let seg = searcher.segment_reader(hits[group[0]].segment_ord);
        for (fi, &field) in fields.iter().enumerate() {
            let inverted = seg.inverted_index(field).map_err(ierr)?;
            for (ti, t) in terms.iter().enumerate() {
                let term = Term::from_field_text(field, t);
                let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::WithFreqsAndPositions).map_err(ierr)? else {
                    continue;
                };
                for &i in group {
                    let doc = hits[i].doc_id;
                    let at = if postings.doc() < doc { postings.seek(doc) } else { postings.doc() };
                    if at == TERMINATED {
                        break;
                    }
                    if at == doc {
                        postings.positions(&mut buf);
                        out[i][fi].extend(buf.iter().map(|&p| (p, ti as u32)));
                    }
                }
            }
        }
    }
    for per_hit in &mut out {
        for v in per_hit {
            v.sort_unstable();
        }
    }
    Ok(out)
}

/// The terms (by index into the query's terms) that occur at any of `places`.
pub(super) fn held(terms: &BTreeSet<String>, places: &[Vec<(u32, u32)>]) -> Vec<String> {
    let found: BTreeSet<u32> = places.iter().flatten().map(|&(_, t)| t).collect();
    terms.iter().enumerate().filter(|(i, _)| found.contains(&(*i as u32))).map(|(_, t)| t.clone()).collect()
}

/// The HTML snippet of a hit from its text and resolution and where the query's terms are in
/// each: its best fragment, then (for a friction) its resolution.
pub(super) fn snippet(text: &str, in_text: &[(u32, u32)], resolution: &str, in_resolution: &[(u32, u32)]) -> String {
    let mut out = fragment(text, in_text, SNIPPET_CHARS);
    if !resolution.is_empty() {
        if !out.is_empty() {
            out.push_str(" — ");
        }
        out.push_str("Resolution: ");
        out.push_str(&fragment(resolution, in_resolution, RESOLUTION_CHARS));
    }
    out
}

/// A candidate fragment: `text[start..stop]`, how many matched forms it holds, and the byte
/// ranges of its matched words.
struct Piece {
    score: usize,
    start: usize,
    stop: usize,
    marks: Vec<(usize, usize)>,
}

impl Piece {
    fn new(start: usize) -> Piece {
        Piece { score: 0, start, stop: start, marks: Vec::new() }
    }
}

/// The best fragment of `text` (at most `max` bytes) for the matched word positions `at`.
fn best_piece(text: &str, at: &[(u32, u32)], max: usize) -> Option<Piece> {
    let last = at.last()?.0;
    let mut best: Option<Piece> = None;
    let keep = |p: Piece, best: &mut Option<Piece>| {
        if p.score > 0 && best.as_ref().is_none_or(|b| p.score > b.score) {
            *best = Some(p);
        }
    };
    let mut cur = Piece::new(0);
    let mut k = 0;
    for (pos, (s, e)) in search::word_spans(text).enumerate() {
        let pos = pos as u32;
        if e - cur.start > max {
            keep(std::mem::replace(&mut cur, Piece::new(s)), &mut best);
            if pos > last {
                break;
            }
        }
        cur.stop = e;
        while k < at.len() && at[k].0 < pos {
            k += 1;
        }
        let n = at[k..].iter().take_while(|(p, _)| *p == pos).count();
        if n > 0 {
            cur.score += n;
            cur.marks.push((s, e));
            k += n;
        }
    }
    keep(cur, &mut best);
    best
}

fn fragment(text: &str, at: &[(u32, u32)], max: usize) -> String {
    if let Some(p) = best_piece(text, at, max) {
        let mut html = String::with_capacity(p.stop - p.start + 16 * p.marks.len() + 8);
        if p.start > 0 {
            html.push('…');
        }
        let mut from = p.start;
        for (s, e) in p.marks {
            escape_html_into(&mut html, &text[from..s]);
            html.push_str("<b>");
            escape_html_into(&mut html, &text[s..e]);
            html.push_str("</b>");
            from = e;
        }
        escape_html_into(&mut html, &text[from..p.stop]);
        if p.stop < text.len() {
            html.push('…');
        }
        return html;
    }
    // Nothing to highlight here (e.g. a title match): the start of the text.
    let mut end = text.len();
    if let Some((i, _)) = text.char_indices().nth(max) {
        end = text[..i].rfind(char::is_whitespace).filter(|&w| w > 0).unwrap_or(i);
    }
    let mut html = String::with_capacity(end + 8);
    escape_html_into(&mut html, text[..end].trim_end());
    if end < text.len() {
        html.push('…');
    }
    html
}

/// HTML-escapes text for element content and attribute values, as tantivy's snippets do
/// (`'` as `&#x27;`); the HTML export's title too.
pub(crate) fn escape_html_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use tantivy::collector::TopDocs;
    use tantivy::snippet::SnippetGenerator;

    use super::*;

    /// Snippets read from the index's positions are the ones tantivy makes by analysing the text
    /// again, for Swedish inflections, compounds, identifiers, over-long words, markup and
    /// texts longer than one fragment.
    #[test]
    fn snippets_from_positions_are_those_of_the_analysed_text() {
        let (schema, f) = schema();
        let index = Index::builder().schema(schema).tokenizers(tokenizers()).create_in_ram().unwrap();
        register(&index);
        let filler = "Vi pratade om annat. ".repeat(12);
        let texts = [
            format!("{filler}Kunden skrev att leveransen var sen & <dyr>. {filler}Kundmötet i går gällde leveransproblem."),
            "Kunderna skrivit om leveranser; prissättningsbeslutet togs. Sedan skrev kunden igen.".to_string(),
            format!("Se fs.s3a.delegation.token och HADOOP-17796 i AbstractSTestS3AHugeFiles. {filler}{} kunden", "x".repeat(60)),
            format!("{}kund", "ord ".repeat(200)),
            "Inget här matchar, bara 'citat' och \"fler\".".to_string(),
            format!("kunden {filler} kunden {filler} kundens kund {filler}"),
        ];
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (i, t) in texts.iter().enumerate() {
            let mut doc = TantivyDocument::new();
            doc.add_text(f.id, i.to_string());
            doc.add_text(f.text, t);
            w.add_document(doc).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let addrs: Vec<DocAddress> = searcher
            .search(&tantivy::query::AllQuery, &TopDocs::with_limit(100).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        let mut compared = 0;
        for query in ["kund", "skriva", "leverans", "s3a", "fs.s3a.delegation.token", "problem", "citat", "saknas"] {
            let mut terms: BTreeSet<String> = search::word_forms(query).into_iter().collect();
            terms.extend(search::query_forms(query).words.into_iter().map(|(f, _)| f));
            let gen = SnippetGenerator::new(
                terms.iter().map(|t| (t.clone(), 1.0)).collect::<BTreeMap<_, _>>(),
                analyzer(),
                f.text,
                SNIPPET_CHARS,
            );
            let at = places(&searcher, &addrs, &[f.text], &terms).unwrap();
            for (addr, at) in addrs.iter().zip(&at) {
                let doc: TantivyDocument = searcher.doc(*addr).unwrap();
                let text = doc.get_first(f.text).and_then(|v| v.as_str()).unwrap();
                let s = gen.snippet(text);
                let ours = fragment(text, &at[0], SNIPPET_CHARS);
                if s.highlighted().is_empty() {
                    assert!(!ours.contains("<b>"), "{query}: {ours}");
                    continue;
                }
                let r = s.fragment_range();
                let theirs = format!("{}{}{}", if r.start > 0 { "…" } else { "" }, s.to_html(), if r.end < text.len() { "…" } else { "" });
                assert_eq!(ours, theirs, "{query} in {text:?}");
                compared += 1;
            }
        }
        assert!(compared >= 10, "{compared} snippets compared");
    }
}
