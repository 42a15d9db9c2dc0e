//! Durations and sizes written for people: `"90s"`, `"1h30m"`, `"10MB"`, `"512KiB"`.

use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::error::echo;
use crate::util::humanize;

/// A duration written for people: `"90s"`, `"15m"`, `"6h"`, `"1d"`, `"500ms"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl FromStr for HumanDuration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_duration(s).map(HumanDuration)
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A [`HumanDuration`] refused at load time unless it lies between `MIN_MS` and `MAX_MS`
/// milliseconds (inclusive): a typo such as `"600000000000d"` is a configuration error with its
/// line and column, never a panic or a date out of range later. The bounds of each key are
/// in the README's configuration section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundedDuration<const MIN_MS: u64, const MAX_MS: u64>(pub Duration);

/// Bounds of `interval` and `default_interval`: 1 second to 366 days.
pub type IntervalDuration = BoundedDuration<1_000, { 366 * 86_400 * 1_000 }>;
/// Bounds of `timeout`: 1 second to 1 hour.
pub type TimeoutDuration = BoundedDuration<1_000, { 3_600 * 1_000 }>;
/// Bounds of `per_host_delay`: 0 to 1 hour.
pub type DelayDuration = BoundedDuration<0, { 3_600 * 1_000 }>;

impl<const MIN_MS: u64, const MAX_MS: u64> FromStr for BoundedDuration<MIN_MS, MAX_MS> {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let d = parse_duration(s)?;
        let (min, max) = (Duration::from_millis(MIN_MS), Duration::from_millis(MAX_MS));
        if d < min || d > max {
            return Err(format!(
                "duration \"{}\" is out of range: expected from {} to {}",
                echo(s),
                readable(min),
                readable(max)
            ));
        }
        Ok(BoundedDuration(d))
    }
}

impl<'de, const MIN_MS: u64, const MAX_MS: u64> Deserialize<'de>
    for BoundedDuration<MIN_MS, MAX_MS>
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A bound as a person would write it: `"366d"`, `"1h"`, `"1s"`, `"0s"`.
fn readable(d: Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_nanos() == 0 && secs > 0 && secs.is_multiple_of(86_400) {
        format!("{}d", secs / 86_400)
    } else if d.subsec_nanos() == 0 && secs > 0 && secs.is_multiple_of(3_600) {
        format!("{}h", secs / 3_600)
    } else {
        humanize(d)
    }
}

/// Parses `"90s"`, `"15m"`, `"6h"`, `"2d"`, `"1w"`, `"250ms"`, or a sum like `"1h30m"`.
///
/// # Errors
/// A message naming the text and the accepted forms.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let expected = || {
        format!(
            "invalid duration \"{}\": expected a number and a unit (ms, s, m, h, d, w), e.g. \"90s\", \"15m\", \"6h\"",
            echo(s)
        )
    };
    let text = s.trim();
    if text.is_empty() {
        return Err(expected());
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(expected());
        }
        // Digits beyond u64 saturate: the sum is then refused as out of range, not misread.
        let n: u64 = rest[..digits].parse().unwrap_or(u64::MAX);
        rest = rest[digits..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        let part = match unit {
            "ms" => Duration::from_millis(n),
            "s" | "sec" | "secs" => Duration::from_secs(n),
            "m" | "min" | "mins" => Duration::from_secs(n.saturating_mul(60)),
            "h" | "hr" | "hrs" => Duration::from_secs(n.saturating_mul(3600)),
            "d" => Duration::from_secs(n.saturating_mul(86_400)),
            "w" => Duration::from_secs(n.saturating_mul(7 * 86_400)),
            _ => return Err(expected()),
        };
        total = total.saturating_add(part);
        rest = rest[unit_len..].trim_start();
    }
    Ok(total)
}

/// A size written for people: `"10MB"`, `"512KiB"`, `"1GB"`, or a plain number of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(ByteSize(n)),
            Raw::S(s) => parse_size(&s)
                .map(ByteSize)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// Parses `"10MB"`, `"10 MiB"`, `"512KB"`, `"2048"`.
///
/// # Errors
/// A message naming the text and the accepted forms.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let text = s.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let expected = || {
        format!(
            "invalid size \"{}\": expected a number and a unit (B, KB, MB, GB, KiB, MiB, GiB), e.g. \"10MB\"",
            echo(s)
        )
    };
    let n: u64 = text[..split].parse().map_err(|_| expected())?;
    let mult: u64 = match text[split..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" | "k" => 1000,
        "mb" | "m" => 1000 * 1000,
        "gb" | "g" => 1000 * 1000 * 1000,
        "kib" => 1024,
        "mib" => 1024 * 1024,
        "gib" => 1024 * 1024 * 1024,
        _ => return Err(expected()),
    };
    n.checked_mul(mult).ok_or_else(expected)
}
