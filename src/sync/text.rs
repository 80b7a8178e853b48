//! Note bodies as a text CRDT (a yrs `Y.Text`): a local edit becomes the character diff applied to
//! the document, and the encoded update is what travels; remote updates merge in any order.

use yrs::updates::decoder::Decode;
use yrs::{Doc, GetString, Options, ReadTxn, StateVector, Text, Transact, Update};

use crate::error::{Error, Result};

const TEXT: &str = "body";

/// The yrs client id of a device: a stable 53-bit hash of its id (yrs ids must be unique per
/// writer; the device id is a UUID v7).
pub fn client_id(device: &str) -> u64 {
    let h = device.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3));
    h & 0x1F_FFFF_FFFF_FFFF
}

fn doc(device: &str) -> Doc {
    let mut o = Options::with_client_id(yrs::ClientID::new(client_id(device)));
    o.skip_gc = false;
    Doc::with_options(o)
}

/// Loads a document from its stored state (an empty one when there is none).
pub fn load(device: &str, state: Option<&[u8]>) -> Result<Doc> {
    let d = doc(device);
    if let Some(s) = state {
        apply(&d, s)?;
    }
    Ok(d)
}

/// Applies an encoded update to a document.
pub fn apply(d: &Doc, update: &[u8]) -> Result<()> {
    let u = Update::decode_v1(update).map_err(|e| Error::Corrupt(format!("a body update does not decode: {e}")))?;
    let mut txn = d.transact_mut();
    txn.apply_update(u).map_err(|e| Error::Corrupt(format!("a body update does not apply: {e}")))?;
    Ok(())
}

/// The document's text.
pub fn text(d: &Doc) -> String {
    let t = d.get_or_insert_text(TEXT);
    let txn = d.transact();
    t.get_string(&txn)
}

/// The whole state, pending updates included.
pub fn state(d: &Doc) -> Vec<u8> {
    d.transact().encode_state_as_update_v1(&StateVector::default())
}

/// Edits the document so its text becomes `new`, and returns the encoded update of that edit
/// (`None` when the text was already `new`). The edit is the character diff, so a concurrent edit
/// elsewhere in the text survives the merge.
pub fn edit(d: &Doc, new: &str) -> Option<Vec<u8>> {
    let t = d.get_or_insert_text(TEXT);
    let old = {
        let txn = d.transact();
        t.get_string(&txn)
    };
    if old == new {
        return None;
    }
    // Trim the common prefix and suffix (on char boundaries), then diff the middle by characters.
    let prefix = old.char_indices().zip(new.chars()).take_while(|((_, a), b)| a == b).last().map_or(0, |((i, a), _)| i + a.len_utf8());
    let (o_rest, n_rest) = (&old[prefix..], &new[prefix..]);
    let suffix = o_rest
        .char_indices()
        .rev()
        .zip(n_rest.chars().rev())
        .take_while(|((_, a), b)| a == b)
        .last()
        .map_or(0, |((i, _), _)| o_rest.len() - i);
    let suffix = suffix.min(o_rest.len()).min(n_rest.len());
    let o_mid = &o_rest[..o_rest.len() - suffix];
    let n_mid = &n_rest[..n_rest.len() - suffix];
    let mut txn = d.transact_mut();
    let mut pos = prefix as u32;
    if o_mid.is_empty() || n_mid.is_empty() || o_mid.len() + n_mid.len() > 200_000 {
        // One replaced run (also the fallback for huge rewrites, where a char diff is too slow).
        if !o_mid.is_empty() {
            t.remove_range(&mut txn, pos, o_mid.len() as u32);
        }
        if !n_mid.is_empty() {
            t.insert(&mut txn, pos, n_mid);
        }
    } else {
        let diff = similar::TextDiff::configure()
            .algorithm(similar::Algorithm::Myers)
            .timeout(std::time::Duration::from_millis(200))
            .diff_chars(o_mid, n_mid);
        for op in diff.ops() {
            for change in diff.iter_changes(op) {
                let v = change.value();
                let len = v.len() as u32;
                match change.tag() {
                    similar::ChangeTag::Equal => pos += len,
                    similar::ChangeTag::Delete => t.remove_range(&mut txn, pos, len),
                    similar::ChangeTag::Insert => {
                        t.insert(&mut txn, pos, v);
                        pos += len;
                    }
                }
            }
        }
    }
    Some(txn.encode_update_v1())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_edits_of_different_paragraphs_both_survive() {
        let a = load("device-a", None).unwrap();
        let base = edit(&a, "Första stycket.\n\nSecond paragraph.\n").unwrap();
        let b = load("device-b", Some(&base)).unwrap();
        let ua = edit(&a, "Första stycket, med Annas ord.\n\nSecond paragraph.\n").unwrap();
        let ub = edit(&b, "Första stycket.\n\nSecond paragraph, with Erik's words.\n").unwrap();
        apply(&a, &ub).unwrap();
        apply(&b, &ua).unwrap();
        assert_eq!(text(&a), text(&b));
        assert_eq!(text(&a), "Första stycket, med Annas ord.\n\nSecond paragraph, with Erik's words.\n");
        // Applying twice changes nothing; a state round-trips.
        apply(&a, &ub).unwrap();
        let c = load("device-c", Some(&state(&a))).unwrap();
        assert_eq!(text(&c), text(&b));
        assert!(edit(&c, &text(&b)).is_none());
    }

    #[test]
    fn an_update_whose_predecessor_is_missing_waits_in_the_state() {
        let a = load("device-a", None).unwrap();
        let u1 = edit(&a, "one").unwrap();
        let u2 = edit(&a, "one two").unwrap();
        let c = load("device-c", None).unwrap();
        apply(&c, &u2).unwrap();
        let c2 = load("device-c", Some(&state(&c))).unwrap();
        apply(&c2, &u1).unwrap();
        assert_eq!(text(&c2), "one two");
    }
}
