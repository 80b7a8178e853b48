//! Hybrid logical clocks: timestamps that order changes across devices even when their wall
//! clocks disagree. A timestamp is wall-clock milliseconds plus a counter, then the device id as a
//! tie-breaker; its text form sorts in the same order as the value.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

thread_local! {
    static SKEW_MS: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
}

/// Makes this thread's wall clock run `ms` milliseconds ahead (negative: behind) — how tests and
/// simulations play devices whose clocks disagree. Affects only the calling thread.
pub fn set_clock_skew(ms: i64) {
    SKEW_MS.with(|s| s.set(ms));
}

/// A hybrid logical clock timestamp.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Hlc {
    pub millis: u64,
    pub counter: u32,
    pub device: String,
}

impl Hlc {
    /// The next timestamp for `device` after `last` (the newest this device has seen), given the
    /// wall clock `now_ms`: never earlier than `last`, even if the wall clock went backwards.
    pub fn next(last: Option<&Hlc>, now_ms: u64, device: &str) -> Hlc {
        match last {
            Some(l) if l.millis >= now_ms => Hlc { millis: l.millis, counter: l.counter.saturating_add(1), device: device.into() },
            _ => Hlc { millis: now_ms, counter: 0, device: device.into() },
        }
    }

    /// Folds a timestamp received from another device into the local clock.
    pub fn observe(local: Option<&Hlc>, remote: &Hlc, now_ms: u64, device: &str) -> Hlc {
        let base = match local {
            Some(l) if l >= remote => l.clone(),
            _ => remote.clone(),
        };
        Hlc::next(Some(&base), now_ms, device)
    }

    /// The wall clock in milliseconds, shifted by this thread's [`set_clock_skew`].
    pub fn now_ms() -> u64 {
        let wall = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        wall.saturating_add_signed(SKEW_MS.with(|s| s.get()))
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:015}-{:010}-{}", self.millis, self.counter, self.device)
    }
}

impl FromStr for Hlc {
    type Err = Error;
    fn from_str(s: &str) -> Result<Hlc> {
        let mut parts = s.splitn(3, '-');
        let bad = || Error::Corrupt(format!("'{s}' is not a clock timestamp"));
        let millis = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let counter = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let device = parts.next().filter(|d| !d.is_empty()).ok_or_else(bad)?.to_string();
        Ok(Hlc { millis, counter, device })
    }
}

impl From<Hlc> for String {
    fn from(h: Hlc) -> String {
        h.to_string()
    }
}

impl TryFrom<String> for Hlc {
    type Error = Error;
    fn try_from(s: String) -> Result<Hlc> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotonic_even_when_the_wall_clock_goes_back() {
        let a = Hlc::next(None, 1000, "d1");
        let b = Hlc::next(Some(&a), 900, "d1");
        assert!(b > a);
        assert_eq!(b.to_string().parse::<Hlc>().unwrap(), b);
        assert!(a.to_string() < b.to_string());
        let remote = Hlc { millis: 5000, counter: 3, device: "d2".into() };
        let c = Hlc::observe(Some(&b), &remote, 1000, "d1");
        assert!(c > remote);
    }
}
