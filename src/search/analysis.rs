//! The text analysis shared by the index and queries: words, Swedish and English stems, lemmas
//! and compound parts, diacritic folding, and (in its own section) identifiers.

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
/// The mark that starts an auxiliary's word as written in the index (`%kommer` for `kommer` in
/// `kommer att`), which carries no lemma there (see [`crate::lexicon::future_auxiliary`]).
pub const AUXILIARY_MARK: char = '%';

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
        if crate::lexicon::future_auxiliary(word).is_some() {
            words.push((format!("{AUXILIARY_MARK}{word}"), 1.0));
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
