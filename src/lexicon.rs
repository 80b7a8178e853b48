//! Lemmas and compound parts: the lexicon behind Swedish (and English) search.
//!
//! The search analysis ([`crate::search`]) asks this module three things about a lower-cased word:
//! its Swedish lemmas ([`lemmas`]: `skrev` → `skriva`, `föräldrar` → `förälder`, `äldre` →
//! `gammal`), its English lemma when it is an irregular English form and no Swedish word
//! ([`english_lemma`]: `ran` → `run`, `children` → `child`), and how a Swedish compound splits
//! into known words ([`split`]: `prissättningsbeslut` → `pris` + `sättning` + `beslut`).
//!
//! The Swedish lexicon is an FST (`lexicon/sv.fst`, built by `scripts/lexicon/build.py` and the
//! `lexicon_fst` example from Debian's `hunspell-sv` and `lexicon/sv-irregular.tsv`) mapping every
//! known form to up to three lemma numbers and two flags; `lexicon/sv-lemmas.txt` holds the
//! lemmas by number. English irregular forms come from WordNet's exception lists
//! (`lexicon/en-irregular.tsv`). Everything is compiled into the binary: nothing is read or
//! downloaded at run time. Sources and licences: `lexicon/README.md` and `NOTICE`.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The shortest compound part that is indexed, in letters.
pub const MIN_PART: usize = 3;
/// Shorter words are never split.
const MIN_COMPOUND: usize = 6;
/// Endings of the present participle and its noun that are words too (`ande`, spirit): never
/// a compound's last part (`byggande` is no `bygg` + `ande`).
const PARTICIPLE_ENDINGS: &[&str] = &["ande", "andes", "andet", "andets", "ende", "endes", "endet", "endets"];
/// The shortest piece of a part split again, in letters (`prissättning` is `pris` + `sättning`;
/// a shorter piece is more often a prefix than a word: `uppfostran` is no `upp` + `fostran`).
const MIN_SUB_PART: usize = 4;
/// A part of a compound that the lexicon knows as a word is split further only from this
/// length, in letters (`prissättning`, `könsroll`; not `beslut`, `kontakt`).
const MIN_KNOWN_COMPOUND: usize = 8;

/// A form may begin a compound (Hunspell's COMPOUNDBEGIN, or a lemma of its own).
const BEGIN: u64 = 1;
/// A form that only occurs inside compounds (`skol-`, `vecko-`, `föräldra-`).
const ONLY_COMPOUND: u64 = 2;
// Bit 4 marks a dictionary headword with a paradigm of its own (`lever` the noun, `vara`); the
// lexicon records it, the search does not need it.
const FLAG_BITS: u32 = 3;
const ID_BITS: u32 = 20;

static SV_FST: &[u8] = include_bytes!("../lexicon/sv.fst");
static SV_LEMMAS: &str = include_str!("../lexicon/sv-lemmas.txt");
static EN_IRREGULAR: &str = include_str!("../lexicon/en-irregular.tsv");

struct Lexicon {
    forms: fst::Map<&'static [u8]>,
    lemmas: Vec<&'static str>,
    english: HashMap<&'static str, &'static str>,
}

static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| Lexicon {
    forms: fst::Map::new(SV_FST).expect("lexicon/sv.fst is a valid FST (built by the lexicon_fst example)"),
    lemmas: SV_LEMMAS.lines().collect(),
    english: EN_IRREGULAR
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(form, lemmas)| (form, lemmas.split(' ').next().unwrap_or(lemmas)))
        .collect(),
});

/// Packs a form's flags and lemma numbers into an FST value (used by the `lexicon_fst` example).
pub fn pack(flags: u64, lemma_ids: &[u64]) -> u64 {
    let mut v = flags & ((1 << FLAG_BITS) - 1);
    for (i, id) in lemma_ids.iter().take(3).enumerate() {
        v |= (id + 1) << (FLAG_BITS + ID_BITS * i as u32);
    }
    v
}

fn entry(word: &str) -> Option<u64> {
    LEXICON.forms.get(word)
}

fn lemmas_of(v: u64) -> impl Iterator<Item = &'static str> {
    (0..3).filter_map(move |i| {
        let id = (v >> (FLAG_BITS + ID_BITS * i)) & ((1 << ID_BITS) - 1);
        if id == 0 {
            None
        } else {
            LEXICON.lemmas.get(id as usize - 1).copied()
        }
    })
}

/// The Swedish lemmas of a lower-cased word, when the lexicon knows it as a word of its own
/// (not only as the first part of compounds). The word itself comes first when it is a lemma.
pub fn lemmas(word: &str) -> Vec<&'static str> {
    match entry(word) {
        Some(v) if v & ONLY_COMPOUND == 0 => lemmas_of(v).collect(),
        _ => Vec::new(),
    }
}

/// The lemmas a query word searches for: the word itself when it is a lemma (`lever` finds
/// the noun's forms, not `levde`; `liten` not `lita`'s) with the lemmas of the irregular table,
/// which come before it (`skrev` is a noun too, and `skriva`'s preterite); otherwise all its
/// lemmas.
pub fn query_lemmas(word: &str) -> Vec<&'static str> {
    match entry(word) {
        Some(v) if v & ONLY_COMPOUND == 0 && lemmas_of(v).any(|l| l == word) => {
            let mut out = Vec::new();
            for l in lemmas_of(v) {
                out.push(l);
                if l == word {
                    break;
                }
            }
            out
        }
        Some(v) if v & ONLY_COMPOUND == 0 => lemmas_of(v).collect(),
        _ => Vec::new(),
    }
}

/// True when the lexicon knows the word as a Swedish word.
pub fn is_swedish(word: &str) -> bool {
    entry(word).is_some_and(|v| v & ONLY_COMPOUND == 0)
}

/// The English lemma of an irregular English form that is no Swedish word (`ran` → `run`,
/// `children` → `child`, `better` → `good`).
pub fn english_lemma(word: &str) -> Option<&'static str> {
    if is_swedish(word) {
        return None;
    }
    LEXICON.english.get(word).copied()
}

/// The forms of `komma` that, followed by `att` and a verb, make the future (`vi kommer att
/// leverera`): an auxiliary there, not the verb *to come*, so they then carry no lemma of their own
/// in the index and a search for `komma` does not find them (a search for the word as written,
/// `kommer`, still does).
const FUTURE_AUXILIARY: &[&str] = &["komma", "kommer", "kom", "kommit", "kommo"];
/// Sentence adverbs that may stand between the auxiliary and its `att` (`kommer inte att`,
/// `kom nog att`).
const SENTENCE_ADVERBS: &[&str] = &[
    "inte",
    "ej",
    "icke",
    "aldrig",
    "nog",
    "säkert",
    "troligen",
    "troligtvis",
    "sannolikt",
    "förmodligen",
    "antagligen",
    "kanske",
    "också",
    "även",
    "dock",
    "ju",
    "väl",
    "alltid",
    "snart",
    "nu",
    "då",
    "därför",
    "heller",
];

/// The lemma of a word that is a form of an auxiliary when followed by `att` (`kommer` →
/// `komma`), or `None`.
pub fn future_auxiliary(word: &str) -> Option<&'static str> {
    FUTURE_AUXILIARY.contains(&word).then_some("komma")
}

/// True when the words after a [`future_auxiliary`] form (lower-cased, in order, as many as the
/// caller has) make it the future: `att`, or up to two sentence adverbs and then `att`.
pub fn starts_future<'a>(next: impl IntoIterator<Item = &'a str>) -> bool {
    for (i, w) in next.into_iter().enumerate() {
        if w == "att" {
            return true;
        }
        if i >= 2 || !SENTENCE_ADVERBS.contains(&w) {
            return false;
        }
    }
    false
}

/// A word split into known words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compound {
    /// The lemmas of each part, first part first (a part may have several).
    pub parts: Vec<Vec<&'static str>>,
    /// The compound's own lemmas: the parts as written, the last one as its lemma
    /// (`kundmötena` → `kundmöte`).
    pub lemmas: Vec<String>,
}

/// Splits a lower-cased Swedish compound the lexicon does not know as a word into known words,
/// or `None` (a known word keeps its own lemma: `betala` is no `bet` + `ala`, and the lexicon's
/// own compounds are found by their lemma). Every part is at least [`MIN_PART`] letters; a part before the
/// last must be a form that may begin a compound (a lemma, or a linking form such as `skol` or
/// `vecko`), optionally followed by the linking `s`; the last part may be any inflected form.
/// Of the possible splits the one with the fewest parts wins, then the one with the longest
/// last part.
pub fn split(word: &str) -> Option<Compound> {
    if is_swedish(word) {
        return None;
    }
    let pieces = split_pieces(word, MIN_PART)?;
    let last = pieces.last().expect("two pieces");
    let head: String = pieces[..pieces.len() - 1].iter().map(|p| &word[p.start..p.next]).collect();
    let mut parts: Vec<Vec<&'static str>> = Vec::new();
    for p in &pieces {
        let lemmas: Vec<&'static str> = lemmas_of(p.value).collect();
        // A part that is a compound itself (`prissättning` in `prissättningsbeslut`) gives its
        // own parts too: a known word's lemma if it is long enough to be one (a short known
        // word split in two is rarely a compound: `beslut` is no `bes` + `lut`, `uppgifterna`
        // no `upp` + `gift`), otherwise the part as written.
        let piece = &word[p.start..p.end];
        let wholes: Vec<&str> = if is_swedish(piece) {
            lemmas.iter().copied().filter(|l| l.chars().count() >= MIN_KNOWN_COMPOUND).collect()
        } else {
            vec![piece]
        };
        parts.push(lemmas);
        for whole in wholes {
            if let Some(sub) = split_pieces(whole, MIN_SUB_PART) {
                parts.extend(sub.iter().map(|q| lemmas_of(q.value).collect()));
            }
        }
    }
    Some(Compound { parts, lemmas: lemmas_of(last.value).map(|l| format!("{head}{l}")).collect() })
}

/// The best split of a word into at least two known words, whether or not the word is known.
fn split_pieces(word: &str, min: usize) -> Option<Vec<Piece>> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    if chars.len() < MIN_COMPOUND || !chars.iter().all(|(_, c)| c.is_alphabetic()) {
        return None;
    }
    let offsets: Vec<usize> = chars.iter().map(|(i, _)| *i).chain(std::iter::once(word.len())).collect();
    let mut memo: HashMap<usize, Option<Vec<Piece>>> = HashMap::new();
    best(word, &offsets, 0, min, true, &mut memo).filter(|p| p.len() >= 2)
}

#[derive(Debug, Clone)]
struct Piece {
    start: usize,
    end: usize,
    /// Where the next part starts (after a linking `s`).
    next: usize,
    value: u64,
}

/// The best split of `word[offsets[at]..]` into parts; `first` is true for the whole word
/// (which must not be taken as one part).
fn best(
    word: &str,
    offsets: &[usize],
    at: usize,
    min: usize,
    first: bool,
    memo: &mut HashMap<usize, Option<Vec<Piece>>>,
) -> Option<Vec<Piece>> {
    if !first {
        if let Some(m) = memo.get(&at) {
            return m.clone();
        }
    }
    let n = offsets.len() - 1;
    let mut found: Option<Vec<Piece>> = None;
    let better = |cand: &Vec<Piece>, cur: &Option<Vec<Piece>>| match cur {
        None => true,
        Some(c) => {
            let len = |p: &Vec<Piece>| p.last().map_or(0, |l| l.end - l.start);
            cand.len() < c.len() || (cand.len() == c.len() && len(cand) > len(c))
        }
    };
    // The rest as one (last) part.
    if !first && n - at >= min {
        let rest = &word[offsets[at]..];
        if let Some(v) = entry(rest).filter(|v| v & ONLY_COMPOUND == 0 && !PARTICIPLE_ENDINGS.contains(&rest)) {
            found = Some(vec![Piece { start: offsets[at], end: word.len(), next: word.len(), value: v }]);
        }
    }
    // A first part, then the rest.
    for end in at + min..=n.saturating_sub(min) {
        let part = &word[offsets[at]..offsets[end]];
        let Some(v) = entry(part).filter(|v| v & BEGIN != 0) else { continue };
        let mut nexts = vec![end];
        if word[offsets[end]..].starts_with('s') && !part.ends_with('s') && n - (end + 1) >= min {
            nexts.push(end + 1);
        }
        for next in nexts {
            if let Some(mut rest) = best(word, offsets, next, min, false, memo) {
                let mut cand = vec![Piece { start: offsets[at], end: offsets[end], next: offsets[next], value: v }];
                cand.append(&mut rest);
                if better(&cand, &found) {
                    found = Some(cand);
                }
            }
        }
    }
    if !first {
        memo.insert(at, found.clone());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strong_verbs_umlaut_and_comparison_reach_their_lemma() {
        for (form, lemma) in [
            ("skrev", "skriva"),
            ("skrivit", "skriva"),
            ("gjorde", "göra"),
            ("gjort", "göra"),
            ("sade", "säga"),
            ("sagt", "säga"),
            ("äldre", "gammal"),
            ("gamla", "gammal"),
            ("större", "stor"),
            ("föräldrar", "förälder"),
            ("medlemmar", "medlem"),
            ("veckan", "vecka"),
            ("bestod", "bestå"),
            ("fötter", "fot"),
            ("glada", "glad"),
            ("lever", "leva"),
            ("levde", "leva"),
            ("visade", "visa"),
            ("gjorts", "göra"),
            ("tagits", "ta"),
            ("sålts", "sälja"),
            ("offentliggjorts", "offentliggöra"),
        ] {
            assert!(lemmas(form).contains(&lemma), "{form} → {:?}", lemmas(form));
        }
        // A headword of its own is another word's form only with that word's part of speech.
        for (form, not) in [("motor", "mota"), ("kvarter", "kvart"), ("krama", "kram"), ("kort", "kor")] {
            assert!(!lemmas(form).contains(&not), "{form} → {:?}", lemmas(form));
        }
        assert_eq!(english_lemma("ran"), Some("run"));
        assert_eq!(english_lemma("children"), Some("child"));
        assert_eq!(english_lemma("men"), None, "men is a Swedish word");
    }

    #[test]
    fn komma_followed_by_att_is_the_future() {
        assert_eq!(future_auxiliary("kommer"), Some("komma"));
        assert_eq!(future_auxiliary("komment"), None);
        assert!(starts_future(["att", "leverera"]));
        assert!(starts_future(["inte", "att", "hinna"]));
        assert!(starts_future(["nog", "inte", "att"]));
        assert!(!starts_future(["fram", "till"]));
        assert!(!starts_future(["inte", "hem", "att"]));
        assert!(!starts_future(["inte", "nog", "ju", "att"]), "at most two adverbs between");
        assert!(!starts_future([]));
    }

    #[test]
    fn compounds_split_into_known_words() {
        let parts = |w: &str| split(w).map(|c| c.parts.iter().map(|p| p[0]).collect::<Vec<_>>()).unwrap_or_default();
        for p in ["pris", "sättning", "beslut"] {
            assert!(parts("prissättningsbeslut").contains(&p), "{:?}", parts("prissättningsbeslut"));
        }
        assert_eq!(parts("kundmöte"), vec!["kund", "möte"]);
        assert_eq!(split("kundmötena").unwrap().lemmas, vec!["kundmöte".to_string()]);
        assert_eq!(split("betala"), None);
        assert!(!parts("samhällsbyggandet").contains(&"ande"), "{:?}", parts("samhällsbyggandet"));
        assert_eq!(split("kund"), None);
        // A linking form is the noun it links: familje- is familj, kvinno- kvinna, jordbrukar-
        // jordbrukare.
        assert_eq!(parts("familjeformen"), vec!["familj", "form"]);
        assert_eq!(parts("kvinnomötet"), vec!["kvinna", "möte"]);
        assert!(parts("jordbrukarsamhället").contains(&"jordbrukare"), "{:?}", parts("jordbrukarsamhället"));
    }
}
