//! The index's schema and its text analysis: the tokenizers that put the search module's word
//! forms (stems, lemmas, compound parts, identifier parts) at each word's position.

use tantivy::schema::{DateOptions, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED, STRING};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager};
use tantivy::Index;

use crate::error::Result;
use crate::search::{self, FormsCache};

use super::*;

pub(super) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tok: &str, stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(tok).set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let f = Fields {
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        status: b.add_text_field("status", STRING),
        tag: b.add_text_field("tag", STRING),
        author: b.add_text_field("author", text(NAME_TOKENIZER, false)),
        perspective: b.add_text_field("perspective", text(NAME_TOKENIZER, false)),
        date: b.add_date_field("date", DateOptions::default().set_indexed().set_fast()),
        title: b.add_text_field("title", text(TOKENIZER, true)),
        tags: b.add_text_field("tags", text(TOKENIZER, false)),
        text: b.add_text_field("text", text(TOKENIZER, true)),
        resolution: b.add_text_field("resolution", text(TOKENIZER, true)),
    };
    (b.build(), f)
}

pub(super) fn fields_of(schema: &Schema) -> Result<Fields> {
    let g = |n: &str| schema.get_field(n).map_err(ierr);
    Ok(Fields {
        id: g("id")?,
        kind: g("kind")?,
        status: g("status")?,
        tag: g("tag")?,
        author: g("author")?,
        perspective: g("perspective")?,
        date: g("date")?,
        title: g("title")?,
        tags: g("tags")?,
        text: g("text")?,
        resolution: g("resolution")?,
    })
}

/// Splits into words, lower-cases, and emits each word's forms (see [`search::word_forms`]) at
/// one position; for names, the lower-cased word without diacritics.
#[derive(Clone, Default)]
struct MellanrumTokenizer {
    pub(super) names: bool,
}

thread_local! {
    /// Word forms by word, per thread: stemming twice per word is the costliest part of indexing
    /// and of making snippets, and words repeat a lot.
    static FORMS: std::cell::RefCell<FormsCache> = std::cell::RefCell::new(FormsCache::default());
}

struct MellanrumStream<'a> {
    pub(super) text: &'a str,
    pub(super) pos: usize,
    pub(super) names: bool,
    pub(super) token: Token,
    pub(super) lower: String,
    /// The current word's forms, NUL-separated, and where the next one starts.
    pub(super) forms: String,
    pub(super) next_form: usize,
    pub(super) started: bool,
    /// The end of the dotted or underscored identifier the current word is part of.
    pub(super) ident_end: usize,
}

impl Tokenizer for MellanrumTokenizer {
    type TokenStream<'a> = MellanrumStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> MellanrumStream<'a> {
        MellanrumStream {
            text,
            pos: 0,
            names: self.names,
            token: Token::default(),
            lower: String::new(),
            forms: String::new(),
            next_form: 0,
            started: false,
            ident_end: 0,
        }
    }
}

impl MellanrumStream<'_> {
    fn emit_form(&mut self) {
        let rest = &self.forms[self.next_form..];
        let end = rest.find('\0').unwrap_or(rest.len());
        self.token.text.clear();
        self.token.text.push_str(&rest[..end]);
        self.next_form += end + 1;
    }
}

/// Adds to `forms` (NUL-separated) the forms of the identifier parts of the word `text[start..end]`
/// and, when the word starts a dotted or underscored identifier, that identifier whole (see
/// [`search::identifier_parts`] and [`search::identifier_end`]). Returns where the identifier
/// the word belongs to ends (`ident_end` when it starts none).
fn identifier_forms(forms: &mut String, cache: &mut FormsCache, text: &str, start: usize, end: usize, ident_end: usize) -> usize {
    // A word without capitals or digits has no parts, and starts an identifier only when a
    // separator follows it: most words of a text, checked without allocating.
    let plain = !text[start..end].chars().any(|c| c.is_uppercase() || c.is_numeric());
    if plain && (start < ident_end || !matches!(text.as_bytes().get(end), Some(b'.' | b'_' | b'-'))) {
        return ident_end;
    }
    let add = |forms: &mut String, f: &str| {
        if !forms.split('\0').any(|x| x == f) {
            forms.push('\0');
            forms.push_str(f);
        }
    };
    for part in search::identifier_parts(&text[start..end]) {
        for f in cache.get(&part).split('\0').map(str::to_string).collect::<Vec<_>>() {
            add(forms, &f);
        }
    }
    if start < ident_end {
        return ident_end;
    }
    match search::identifier_end(text, start) {
        Some(e) => {
            add(forms, &text[start..e].to_lowercase());
            e
        }
        None => ident_end,
    }
}

/// Up to `n` lower-cased words after `from` in the same sentence (no `.`, `!`, `?`, `;` or `:`
/// between them).
fn next_words(text: &str, from: usize, n: usize) -> Vec<String> {
    let rest = &text[from..];
    let mut out = Vec::new();
    let mut at = 0;
    for (s, e) in search::word_spans(rest).take(n) {
        if rest[at..s].contains(['.', '!', '?', ';', ':']) {
            break;
        }
        out.push(rest[s..e].to_lowercase());
        at = e;
    }
    out
}

/// The forms of an auxiliary (`kommer` in `kommer att`): its lemma and compound-part forms give
/// way to the word as written, marked (see [`search::AUXILIARY_MARK`]).
fn auxiliary_forms(forms: &mut String, word: &str, lemma: &str) {
    let (as_lemma, as_part) = (format!("{}{lemma}", search::LEMMA_MARK), format!("{}{lemma}", search::PART_MARK));
    let kept: Vec<&str> = forms.split('\0').filter(|f| *f != as_lemma && *f != as_part).collect();
    let mut out = kept.join("\0");
    out.push('\0');
    out.push(search::AUXILIARY_MARK);
    out.push_str(word);
    *forms = out;
}

impl TokenStream for MellanrumStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next_form < self.forms.len() {
            self.emit_form();
            return true;
        }
        // The next word: a run of letters and digits, at most MAX_WORD_BYTES long.
        loop {
            let rest = &self.text[self.pos..];
            let Some(start_rel) = rest.find(|c: char| c.is_alphanumeric()) else {
                self.pos = self.text.len();
                return false;
            };
            let start = self.pos + start_rel;
            let end = self.text[start..].find(|c: char| !c.is_alphanumeric()).map_or(self.text.len(), |e| start + e);
            self.pos = end;
            if end - start > search::MAX_WORD_BYTES {
                continue;
            }
            self.lower.clear();
            for c in self.text[start..end].chars() {
                self.lower.extend(c.to_lowercase());
            }
            self.forms.clear();
            if self.names {
                self.forms.push_str(&search::fold(&self.lower));
            } else {
                FORMS.with(|c| {
                    let mut cache = c.borrow_mut();
                    self.forms.push_str(cache.get(&self.lower));
                    self.ident_end = identifier_forms(&mut self.forms, &mut cache, self.text, start, end, self.ident_end);
                });
                if let Some(lemma) = crate::lexicon::future_auxiliary(&self.lower) {
                    if crate::lexicon::starts_future(next_words(self.text, end, 3).iter().map(String::as_str)) {
                        auxiliary_forms(&mut self.forms, &self.lower, lemma);
                    }
                }
            }
            self.next_form = 0;
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.position = if self.started { self.token.position.wrapping_add(1) } else { 0 };
            self.token.position_length = 1;
            self.started = true;
            self.emit_form();
            return true;
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

pub(super) fn tokenizers() -> TokenizerManager {
    let m = TokenizerManager::default();
    m.register(TOKENIZER, TextAnalyzer::from(MellanrumTokenizer::default()));
    m.register(NAME_TOKENIZER, TextAnalyzer::from(MellanrumTokenizer { names: true }));
    m
}

/// Registers the tokenizers; tantivy does not store them, so every create and open needs this.
pub(super) fn register(index: &Index) {
    let m = tokenizers();
    for name in [TOKENIZER, NAME_TOKENIZER] {
        if let Some(t) = m.get(name) {
            index.tokenizers().register(name, t);
        }
    }
}

#[cfg(test)]
pub(super) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::from(MellanrumTokenizer::default())
}
