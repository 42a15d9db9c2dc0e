//! [`Timestamp`]: an instant in UTC, the one time type the domain passes around.
//!
//! Text appears only at the edges: the database stores RFC 3339 with milliseconds (`store`
//! converts), JSON prints the same text, and people see times in `settings.timezone`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant, UTC, millisecond precision when written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

/// The latest instant regwatch deals in: the end of year 9999, the last one RFC 3339 can write
/// (arithmetic saturates here, so every stored time reads back).
fn latest() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(253_402_300_799, 999_000_000)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The earliest: the start of year 0000.
fn earliest() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(-62_167_219_200, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

impl Timestamp {
    /// Now, from the system clock.
    #[must_use]
    pub fn now() -> Timestamp {
        Timestamp(Utc::now())
    }

    /// The wrapped chrono value.
    #[must_use]
    pub fn utc(self) -> DateTime<Utc> {
        self.0
    }

    /// RFC 3339, UTC, milliseconds (`2026-11-30T10:15:52.123Z`): the stored and JSON form.
    #[must_use]
    pub fn to_rfc3339(self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Parses RFC 3339 text (any offset).
    ///
    /// # Errors
    /// A message naming the text.
    pub fn parse(text: &str) -> Result<Timestamp, String> {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|t| Timestamp(t.with_timezone(&Utc)))
            .map_err(|e| format!("\"{text}\" is not an RFC 3339 time: {e}"))
    }

    /// This instant plus `d`, saturating at the end of year 9999 instead of panicking.
    #[must_use]
    pub fn plus(self, d: Duration) -> Timestamp {
        chrono::Duration::from_std(d)
            .ok()
            .and_then(|d| self.0.checked_add_signed(d))
            .map_or(Timestamp(latest()), |t| Timestamp(t.min(latest())))
    }

    /// This instant minus `d`, saturating at the start of year 0000.
    #[must_use]
    pub fn minus(self, d: Duration) -> Timestamp {
        chrono::Duration::from_std(d)
            .ok()
            .and_then(|d| self.0.checked_sub_signed(d))
            .map_or(Timestamp(earliest()), |t| Timestamp(t.max(earliest())))
    }

    /// Time from `self` until `later` (zero when `later` is not later).
    #[must_use]
    pub fn until(self, later: Timestamp) -> Duration {
        (later.0 - self.0).to_std().unwrap_or_default()
    }

    /// The time in a zone, labelled: `2026-11-30 11:15 CET`.
    #[must_use]
    pub fn local(self, tz: chrono_tz::Tz) -> String {
        self.0
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Timestamp {
        Timestamp(t)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl FromStr for Timestamp {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip_and_saturating_arithmetic() {
        let t = Timestamp::parse("2026-11-30T10:15:52.123Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-30T10:15:52.123Z");
        assert_eq!(
            Timestamp::parse("2026-11-30T11:15:52.123+01:00").unwrap(),
            t
        );
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-11-30T10:15:52.123Z\""
        );
        // Far beyond chrono's range: saturates, never panics.
        let far = t.plus(Duration::from_secs(u64::MAX));
        assert!(far > t);
        // Saturated times still read back (the database stores them as text).
        assert_eq!(Timestamp::parse(&far.to_rfc3339()).unwrap(), far);
        let past = t.minus(Duration::from_secs(u64::MAX));
        assert_eq!(Timestamp::parse(&past.to_rfc3339()).unwrap(), past);
        assert_eq!(t.until(far.minus(Duration::ZERO)), t.until(far));
        assert_eq!(far.until(t), Duration::ZERO);
        assert_eq!(t.local(chrono_tz::Europe::Paris), "2026-11-30 11:15 CET");
        assert!(Timestamp::parse("yesterday").is_err());
    }
}
