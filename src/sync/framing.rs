//! The framing segments and snapshots share:
//!
//! ```text
//! <magic line>\n
//! <header: one JSON line, with "nonce": … | null>\n
//! <body: JSON lines — or, with a key, XChaCha20-Poly1305 ciphertext of them, the header its associated data>
//! \n<sha256 hex of everything before this line>\n
//! ```
//!
//! Each file kind names itself in its errors ([`Kind`]); what the header and the body hold is its own.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::segment::{sha256_hex, Key};

/// A header that carries the body's nonce (none when the body is not encrypted).
pub(super) trait Sealed: Serialize {
    fn nonce(&self) -> Option<&str>;
    fn set_nonce(&mut self, nonce: Option<String>);
}

/// One kind of framed file: its first line and the words its errors use.
pub(super) struct Kind {
    pub magic: &'static [u8],
    /// "not a Mellanrum segment (…)": the error for a file that does not start with `magic`.
    pub foreign: &'static str,
    /// The error for a body that does not decrypt with the key.
    pub forged: &'static str,
    /// The error for an encrypted file in a workspace without a key.
    pub no_key: &'static str,
}

pub(super) fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// One JSON value per line.
pub(super) fn json_lines<T: Serialize>(values: impl IntoIterator<Item = T>) -> crate::Result<Vec<u8>> {
    let mut body = Vec::new();
    for v in values {
        serde_json::to_writer(&mut body, &v)?;
        body.push(b'\n');
    }
    Ok(body)
}

/// The non-empty lines of a body, numbered from 1.
pub(super) fn lines(plain: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    plain.split(|b| *b == b'\n').filter(|l| !l.is_empty()).enumerate().map(|(i, l)| (i + 1, l))
}

/// The file: `header` (its nonce set here) and `body`, encrypted when there is a key.
pub(super) fn encode<H: Sealed>(kind: &Kind, header: &mut H, body: Vec<u8>, key: Option<&Key>) -> crate::Result<Vec<u8>> {
    let body = match key {
        Some(k) => {
            let mut nonce = [0u8; 24];
            getrandom::fill(&mut nonce).map_err(|e| crate::Error::Sync(format!("no randomness for a nonce: {e}")))?;
            header.set_nonce(Some(base64::Engine::encode(&b64(), nonce)));
            let aad = serde_json::to_vec(&*header)?;
            XChaCha20Poly1305::new(k.into())
                .encrypt(XNonce::from_slice(&nonce), Payload { msg: &body, aad: &aad })
                .map_err(|_| crate::Error::Sync("encryption failed".into()))?
        }
        None => {
            header.set_nonce(None);
            body
        }
    };
    let mut out = kind.magic.to_vec();
    serde_json::to_writer(&mut out, &*header)?;
    out.push(b'\n');
    out.extend_from_slice(&body);
    let sum = sha256_hex(&out);
    out.push(b'\n');
    out.extend_from_slice(sum.as_bytes());
    out.push(b'\n');
    Ok(out)
}

/// Checks the magic line and the trailer's checksum and decodes the header; the body is as
/// stored (see [`open`]). The error is the reason the file is not used, for a person to read.
pub(super) fn decode<'a, H: DeserializeOwned>(kind: &Kind, bytes: &'a [u8]) -> Result<(H, &'a [u8]), String> {
    let rest = bytes.strip_prefix(kind.magic).ok_or(kind.foreign)?;
    // Trailer: "\n" + 64 hex + "\n".
    let damaged = "truncated or damaged: its checksum does not match (a sync tool may still be copying it)";
    if bytes.len() < kind.magic.len() + 66 || !bytes.ends_with(b"\n") {
        return Err(damaged.into());
    }
    let cut = bytes.len() - 66;
    if bytes[cut] != b'\n' {
        return Err(damaged.into());
    }
    let sum = std::str::from_utf8(&bytes[cut + 1..bytes.len() - 1]).map_err(|_| damaged)?;
    if sha256_hex(&bytes[..cut]) != sum {
        return Err(damaged.into());
    }
    let inner = &rest[..cut - kind.magic.len()];
    let nl = inner.iter().position(|b| *b == b'\n').ok_or(damaged)?;
    let header: H = serde_json::from_slice(&inner[..nl]).map_err(|e| format!("its header does not decode: {e}"))?;
    Ok((header, &inner[nl + 1..]))
}

/// The body in plain text: decrypted with the key when the header has a nonce. An encrypted
/// body without a key, or a plain one where the storage is encrypted, is refused.
pub(super) fn open<H: Sealed>(kind: &Kind, header: &H, body: &[u8], key: Option<&Key>) -> Result<Vec<u8>, String> {
    match (header.nonce(), key) {
        (Some(n), Some(k)) => {
            let nonce = base64::Engine::decode(&b64(), n).map_err(|_| "its nonce does not decode")?;
            if nonce.len() != 24 {
                return Err("its nonce has the wrong length".into());
            }
            let aad = serde_json::to_vec(header).map_err(|e| e.to_string())?;
            Ok(XChaCha20Poly1305::new(k.into())
                .decrypt(XNonce::from_slice(&nonce), Payload { msg: body, aad: &aad })
                .map_err(|_| kind.forged)?)
        }
        (Some(_), None) => Err(kind.no_key.into()),
        (None, Some(_)) => Err("it is not encrypted but this workspace's storage is: refused (anyone could have written it)".into()),
        (None, None) => Ok(body.to_vec()),
    }
}
