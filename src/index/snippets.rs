//! Snippets: the passages of a hit that hold the query's words.

use std::collections::{BTreeMap, BTreeSet};

use tantivy::snippet::SnippetGenerator;

use super::*;

pub(super) struct Snippets {
    pub(super) text: SnippetGenerator,
    pub(super) resolution: SnippetGenerator,
}

impl Snippets {
    pub(super) fn new(f: &Fields, terms: &BTreeSet<String>) -> Snippets {
        let weights: BTreeMap<String, f32> = terms.iter().map(|t| (t.clone(), 1.0)).collect();
        Snippets {
            text: SnippetGenerator::new(weights.clone(), analyzer(), f.text, SNIPPET_CHARS),
            resolution: SnippetGenerator::new(weights, analyzer(), f.resolution, RESOLUTION_CHARS),
        }
    }

    /// The HTML snippet of a hit: its best fragment, then (for a friction) its resolution.
    pub(super) fn make(&self, text: &str, resolution: &str) -> String {
        let mut out = fragment(&self.text, text, SNIPPET_CHARS);
        if !resolution.is_empty() {
            if !out.is_empty() {
                out.push_str(" — ");
            }
            out.push_str("Resolution: ");
            out.push_str(&fragment(&self.resolution, resolution, RESOLUTION_CHARS));
        }
        out
    }
}

fn fragment(g: &SnippetGenerator, text: &str, max: usize) -> String {
    let s = g.snippet(text);
    if !s.highlighted().is_empty() {
        let r = s.fragment_range();
        let mut html = s.to_html();
        if r.start > 0 {
            html.insert(0, '…');
        }
        if r.end < text.len() {
            html.push('…');
        }
        return html;
    }
    // Nothing to highlight here (e.g. a title match): the start of the text.
    let mut end = text.len();
    if let Some((i, _)) = text.char_indices().nth(max) {
        end = text[..i].rfind(char::is_whitespace).filter(|&w| w > 0).unwrap_or(i);
    }
    let mut html = escape(text[..end].trim_end());
    if end < text.len() {
        html.push('…');
    }
    html
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
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
    out
}
