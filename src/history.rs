//! An item's history as it is stored: what each revision changed, not the whole item twice.
//!
//! A revision keeps its scalar fields as `{field: {"old": …, "new": …}}` (small), and a body change
//! as a *backward* delta: the edits that turn the body after the revision into the body before it.
//! The body after the newest revision is the item's current body, so the body is stored once and
//! a one-word edit costs a few bytes of history; any older body is found by walking back from the
//! current one. Every [`KEYFRAME_EVERY`]th revision also keeps its whole body (compressed), so a
//! walk never has to start further back than that, and a damaged delta cannot spread.
//!
//! [`record`] makes what a save stores; [`expand`] turns stored revisions back into the
//! field-by-field changes `history` shows, bodies included. Pure: no I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::model::Item;

/// A revision whose number is a multiple of this keeps its whole body beside its delta.
pub const KEYFRAME_EVERY: i64 = 64;

/// What a revision stores, as [`record`] makes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// `{field: {"old": …, "new": …}}` for every changed field but the body.
    pub changes: String,
    /// The backward delta of the body ([`body_back`]), when the body changed.
    pub body_back: Option<String>,
    /// The whole body after the revision, zstd-compressed, on keyframe revisions.
    pub keyframe: Option<Vec<u8>>,
}

/// Flattens an item but its body into `field → value`, what a revision diffs.
fn flatten(item: &Item) -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    m.insert("kind".into(), json!(item.kind));
    m.insert("title".into(), json!(item.title));
    m.insert("tags".into(), json!(item.tags));
    m.insert("aliases".into(), json!(item.aliases));
    m.insert("deleted".into(), json!(item.deleted));
    for (k, v) in &item.fields.values {
        m.insert(k.clone(), json!(v));
    }
    for (k, v) in &item.fields.positions {
        m.insert(format!("position.{k}"), json!(v));
    }
    for (k, v) in &item.fields.props {
        m.insert(format!("prop.{k}"), v.clone());
    }
    for (k, v) in &item.fields.round {
        m.insert(format!("round.{k}"), json!(v));
    }
    m
}

/// What revision `rev` of an item that goes from `old` (none: created) to `new` stores.
pub fn record(old: Option<&Item>, new: &Item, rev: i64) -> Record {
    let before = old.map(flatten).unwrap_or_default();
    let after = flatten(new);
    let mut changes = Map::new();
    for k in before.keys().chain(after.keys()).collect::<BTreeSet<_>>() {
        let (o, n) = (before.get(k), after.get(k));
        if o != n {
            changes.insert(k.clone(), json!({"old": o, "new": n}));
        }
    }
    let body_changed = old.is_none_or(|o| o.body != new.body);
    let body_back = body_changed.then(|| body_back(&new.body, old.map(|o| o.body.as_str())));
    let keyframe = (body_changed && rev % KEYFRAME_EVERY == 0).then(|| pack(new.body.as_bytes()));
    Record { changes: Value::Object(changes).to_string(), body_back, keyframe }
}

/// The backward delta from `after` to `before` (none: the item did not exist before): `null`, or
/// a JSON array of `[start, end, text]` — replace the bytes `start..end` of `after` with `text` —
/// in order and not overlapping.
pub fn body_back(after: &str, before: Option<&str>) -> String {
    let Some(before) = before else { return "null".into() };
    let hunks = hunks(after, before);
    let v: Vec<Value> = hunks.into_iter().map(|(s, e, t)| json!([s, e, t])).collect();
    Value::Array(v).to_string()
}

/// Applies a delta made by [`body_back`] to `after`: the body before, or `None` for `null`.
pub fn apply_back(after: &str, delta: &str) -> Result<Option<String>> {
    let bad = || Error::Corrupt(format!("a body delta of the history does not fit its body: {}", short(delta)));
    let v: Value = serde_json::from_str(delta).map_err(|_| bad())?;
    let Value::Array(hunks) = v else { return if v.is_null() { Ok(None) } else { Err(bad()) } };
    let mut out = String::with_capacity(after.len());
    let mut at = 0usize;
    for h in hunks {
        let (Some(s), Some(e), Some(t)) =
            (h.get(0).and_then(Value::as_u64), h.get(1).and_then(Value::as_u64), h.get(2).and_then(Value::as_str))
        else {
            return Err(bad());
        };
        let (s, e) = (s as usize, e as usize);
        if s < at || e < s || e > after.len() || !after.is_char_boundary(s) || !after.is_char_boundary(e) {
            return Err(bad());
        }
        out.push_str(&after[at..s]);
        out.push_str(t);
        at = e;
    }
    out.push_str(&after[at..]);
    Ok(Some(out))
}

fn short(s: &str) -> String {
    s.chars().take(60).collect()
}

/// The edits turning `a` into `b`, as byte ranges of `a` and their replacement text. The common
/// start and end are cut first (one edit between saves is the common case: one hunk, found in
/// linear time); what differs in between is diffed by words, within a deadline.
fn hunks(a: &str, b: &str) -> Vec<(usize, usize, String)> {
    let pre = common_prefix(a, b);
    let suf = common_suffix(&a[pre..], &b[pre..]);
    let (am, bm) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    if am.is_empty() && bm.is_empty() {
        return Vec::new();
    }
    if am.len() + bm.len() <= 256 {
        return vec![(pre, pre + am.len(), bm.to_string())];
    }
    let (old, new) = (words(am), words(bm));
    let ops =
        similar::capture_diff_slices_deadline(similar::Algorithm::Myers, &old, &new, Some(Instant::now() + Duration::from_millis(50)));
    let offsets = |slices: &[&str]| {
        let mut v = Vec::with_capacity(slices.len() + 1);
        let mut n = 0;
        v.push(0);
        for s in slices {
            n += s.len();
            v.push(n);
        }
        v
    };
    let (oa, ob) = (offsets(&old), offsets(&new));
    // The runs both sides keep, in order; what lies between two of them is a hunk.
    let mut equal: Vec<(usize, usize, usize)> = ops
        .iter()
        .filter_map(|op| match *op {
            similar::DiffOp::Equal { old_index, new_index, len } => Some((old_index, new_index, len)),
            _ => None,
        })
        .collect();
    equal.sort_unstable();
    equal.push((old.len(), new.len(), 0));
    let mut out: Vec<(usize, usize, String)> = Vec::new();
    let (mut o, mut n) = (0, 0);
    for (oi, ni, len) in equal {
        if oi > o || ni > n {
            let (s, e) = (pre + oa[o], pre + oa[oi.max(o)]);
            let text = &bm[ob[n]..ob[ni.max(n)]];
            match out.last_mut() {
                // Hunks a few bytes apart cost less as one.
                Some(last) if s <= last.1 + 8 => {
                    last.2.push_str(&a[last.1..s]);
                    last.2.push_str(text);
                    last.1 = e;
                }
                _ => out.push((s, e, text.to_string())),
            }
        }
        o = o.max(oi + len);
        n = n.max(ni + len);
    }
    out
}

/// `s` cut into words and the runs of whitespace between them; together they are `s`.
fn words(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut space = None;
    for (i, c) in s.char_indices() {
        let w = c.is_whitespace();
        if space.is_some_and(|was| was != w) {
            out.push(&s[start..i]);
            start = i;
        }
        space = Some(w);
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

fn common_prefix(a: &str, b: &str) -> usize {
    let n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    (0..=n).rev().find(|&i| a.is_char_boundary(i) && b.is_char_boundary(i)).unwrap_or(0)
}

fn common_suffix(a: &str, b: &str) -> usize {
    let n = a.bytes().rev().zip(b.bytes().rev()).take_while(|(x, y)| x == y).count();
    (0..=n).rev().find(|&i| a.is_char_boundary(a.len() - i) && b.is_char_boundary(b.len() - i)).unwrap_or(0)
}

thread_local! {
    /// One compressor per thread: making one allocates its tables, which costs more than
    /// compressing a note.
    static PACKER: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> = const { std::cell::RefCell::new(None) };
}

/// zstd-compresses stored text or bytes.
pub fn pack(bytes: &[u8]) -> Vec<u8> {
    PACKER.with(|p| {
        let mut p = p.borrow_mut();
        if p.is_none() {
            *p = zstd::bulk::Compressor::new(3).ok();
        }
        match p.as_mut() {
            Some(c) => c.compress(bytes).ok(),
            None => None,
        }
        .unwrap_or_else(|| zstd::bulk::compress(bytes, 3).expect("compressing into memory does not fail"))
    })
}

/// Undoes [`pack`].
pub fn unpack(bytes: &[u8]) -> Result<Vec<u8>> {
    zstd::stream::decode_all(bytes).map_err(|e| Error::Corrupt(format!("a compressed value in the database does not decompress: {e}")))
}

/// One stored revision, as the store reads it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub changes: String,
    pub body_back: Option<String>,
    pub keyframe: Option<Vec<u8>>,
}

/// The field-by-field changes of every revision (oldest first), bodies included, from the stored
/// revisions (oldest first) and the current body. A revision stored the old way (its `changes`
/// holding the body's old and new text) is read as it is.
pub fn expand(rows: &[Stored], current_body: &str) -> Result<Vec<Value>> {
    let mut out: Vec<Value> = Vec::with_capacity(rows.len());
    let mut body: Option<String> = Some(current_body.to_string());
    for row in rows.iter().rev() {
        let mut changes: Map<String, Value> = serde_json::from_str(&row.changes)?;
        if let Some(kf) = &row.keyframe {
            body = Some(String::from_utf8(unpack(kf)?).map_err(|_| Error::Corrupt("a body keyframe is not UTF-8".into()))?);
        }
        if let Some(delta) = &row.body_back {
            let after = body.clone().unwrap_or_default();
            let before = apply_back(&after, delta)?;
            changes.insert("body".into(), json!({"old": before, "new": after}));
            body = before;
        } else if let Some(old) = changes.get("body").and_then(|b| b.get("old")) {
            body = old.as_str().map(str::to_string);
        }
        out.push(Value::Object(changes));
    }
    out.reverse();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn back_and_forth(a: &str, b: &str) {
        let d = body_back(a, Some(b));
        assert_eq!(apply_back(a, &d).unwrap().as_deref(), Some(b), "delta {d}");
    }

    #[test]
    fn one_word_edits_of_a_long_body_are_a_few_bytes() {
        let a = "ord ".repeat(3000);
        let mut b = a.clone();
        b.replace_range(5000..5003, "väg");
        let d = body_back(&a, Some(&b));
        assert!(d.len() < 40, "{d}");
        back_and_forth(&a, &b);
        back_and_forth(&b, &a);
        assert_eq!(body_back("x", None), "null");
        assert_eq!(apply_back("x", "null").unwrap(), None);
    }

    #[test]
    fn edits_far_apart_are_separate_hunks() {
        let a = format!("{}{}{}", "alpha ".repeat(500), "middle ".repeat(500), "omega ".repeat(500));
        let b = a.replacen("alpha", "ALPHA", 1).replace("omega omega \n", "").replacen("omega", "OMEGA", 1);
        let d = body_back(&a, Some(&b));
        assert!(d.len() < 100, "{d}");
        back_and_forth(&a, &b);
    }

    #[test]
    fn a_kept_run_between_a_delete_and_an_insert_stays_in_place() {
        // The diff reports these out of order (the insert after the kept newline names the old
        // position before it); the hunks come from the kept runs alone.
        back_and_forth("g\n", "\nfirst words of a longer text, long enough to be diffed by words and not in one piece: one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty\nand a second line\n\nȺ");
    }

    #[test]
    fn a_delta_that_does_not_fit_is_an_error_not_a_panic() {
        assert!(apply_back("short", "[[3,99,\"x\"]]").is_err());
        assert!(apply_back("åäö", "[[1,2,\"x\"]]").is_err());
        assert!(apply_back("abc", "{}").is_err());
    }

    proptest! {
        #[test]
        fn any_two_bodies_round_trip(a in "(\\PC|\n){0,300}", b in "(\\PC|\n){0,300}", k in 0usize..300) {
            back_and_forth(&a, &b);
            // A body and a copy with an edit in it.
            let cut = a.char_indices().map(|(i, _)| i).nth(k).unwrap_or(a.len());
            let edited = format!("{}{}{}", &a[..cut], b, &a[cut..]);
            back_and_forth(&a, &edited);
            back_and_forth(&edited, &a);
        }
    }
}
