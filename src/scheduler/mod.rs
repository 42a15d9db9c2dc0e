//! Scheduling policy, in one place: when a source is due again (interval, jitter, failure
//! backoff, `Retry-After`), the one backoff function that mail delivery uses too, per-host
//! politeness, and the five-field cron lines of digests.
//!
//! # Architecture
//! The due time of each source lives in SQLite (`sources.next_check_at`), so a restart resumes the
//! schedule instead of refetching everything. [`HostGate`] (`gate.rs`) is the one place that
//! knows about hosts: a per-host semaphore keeps at most `per_host_concurrency` requests in flight
//! per host (default 1), and each of its slots starts its next request at least `per_host_delay`
//! after its last one ended. It uses tokio's clock, so tests drive it with paused time.

mod gate;

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use chrono::{DateTime, Datelike, TimeZone, Timelike};

use crate::model::Timestamp;

pub use gate::{HostGate, HostPass};

/// Jitter applied to intervals: ±10 %, so sources with the same interval drift apart.
pub const JITTER: f64 = 0.10;
/// First retry of a failing source: 5 minutes after the failure, then doubling per failure in
/// a row, capped at the source's interval (so a weekly source that failed once is retried within
/// minutes, not a week later).
pub const RETRY_FIRST: Duration = Duration::from_secs(5 * 60);
/// Longest delay between two delivery attempts of a message (mail retries): 6 hours.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);
/// Longest `Retry-After` honoured: 7 days. A server asking for more is asked again a week later.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(7 * 86_400);

/// The latest sensible due time of a source checked at `now`: twice the longest delay its
/// schedule can produce (its interval, the backoff cap, the longest `Retry-After`). A stored due
/// time beyond it comes from a clock that jumped forward and came back.
#[must_use]
pub fn due_horizon(now: Timestamp, interval: Duration) -> Timestamp {
    now.plus(
        interval
            .max(MAX_BACKOFF)
            .max(MAX_RETRY_AFTER)
            .saturating_mul(2),
    )
}

/// The latest sensible due time of an outbox message at `now` (twice the backoff cap).
#[must_use]
pub fn message_horizon(now: Timestamp) -> Timestamp {
    now.plus(MAX_BACKOFF.saturating_mul(2))
}

/// A value in [0, 1) that differs per call (seeded by the process's random hasher).
#[must_use]
pub fn jitter_unit(salt: &str) -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write(salt.as_bytes());
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// `base` doubled `n` times, at most `cap` (saturating: never panics, never wraps).
#[must_use]
pub fn backoff(base: Duration, n: i64, cap: Duration) -> Duration {
    let exp = u32::try_from(n.clamp(0, 30)).unwrap_or(30);
    base.saturating_mul(2u32.saturating_pow(exp)).min(cap)
}

/// How the last check of a source ended, as far as its schedule is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastCheck {
    /// It succeeded: the next check is one interval away.
    Succeeded,
    /// It failed, `streak` times in a row; the server may have asked for a pause.
    Failed {
        /// Failures in a row, this one included.
        streak: i64,
        /// `Retry-After` from the server.
        retry_after: Option<Duration>,
    },
}

/// When a source is due again after `last`, from `now`: see [`next_delay`].
#[must_use]
pub fn next_due(now: Timestamp, interval: Duration, last: LastCheck, unit: f64) -> Timestamp {
    let delay = match last {
        LastCheck::Succeeded => next_delay(interval, 0, unit, None),
        LastCheck::Failed {
            streak,
            retry_after,
        } => next_delay(interval, streak, unit, retry_after),
    };
    now.plus(delay)
}

/// Delay until the next check of a source.
///
/// `unit` is a random value in [0, 1) that places the delay within ±[`JITTER`] of the interval.
/// While failing, see [`retry_delay`]; a `Retry-After` is a floor.
#[must_use]
pub fn next_delay(
    interval: Duration,
    failure_streak: i64,
    unit: f64,
    retry_after: Option<Duration>,
) -> Duration {
    let base = if failure_streak > 0 {
        retry_delay(interval, failure_streak)
    } else {
        interval
    };
    let factor = 1.0 + JITTER * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
    // Saturates for absurd intervals instead of panicking like `mul_f64`.
    let jittered =
        Duration::try_from_secs_f64(base.as_secs_f64() * factor).unwrap_or(Duration::MAX);
    match retry_after {
        Some(r) => jittered.max(r.min(MAX_RETRY_AFTER)),
        None => jittered,
    }
}

/// How long a source that failed `streak` times in a row waits before its next check:
/// [`RETRY_FIRST`] after the first failure, doubling with each one, never more than its interval
/// (so a source checked more often than every [`RETRY_FIRST`] is simply checked at its
/// interval: that is the rate its owner chose; a server's `Retry-After` still comes first).
#[must_use]
pub fn retry_delay(interval: Duration, streak: i64) -> Duration {
    backoff(RETRY_FIRST, streak.saturating_sub(1), interval)
}

/// A five-field cron line (minute hour day-of-month month day-of-week) with `*`, lists, ranges
/// and steps; day-of-week 0 or 7 is Sunday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    line: String,
    minutes: Vec<bool>,
    hours: Vec<bool>,
    days: Vec<bool>,
    months: Vec<bool>,
    weekdays: Vec<bool>,
    any_day: bool,
    any_weekday: bool,
}

impl std::fmt::Display for Cron {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.line)
    }
}

fn field(text: &str, min: u32, max: u32) -> Result<Vec<bool>, String> {
    let mut set = vec![false; max as usize + 1];
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<u32>()
                    .map_err(|_| format!("bad step in \"{part}\""))?,
            ),
            None => (part, 1),
        };
        if step == 0 {
            return Err(format!("step 0 in \"{part}\""));
        }
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (
                a.parse().map_err(|_| format!("bad number in \"{part}\""))?,
                b.parse().map_err(|_| format!("bad number in \"{part}\""))?,
            )
        } else {
            let n: u32 = range
                .parse()
                .map_err(|_| format!("bad number in \"{part}\""))?;
            (n, if part.contains('/') { max } else { n })
        };
        if lo < min || hi > max || lo > hi {
            return Err(format!("\"{part}\" is outside {min}-{max}"));
        }
        let mut v = lo;
        while v <= hi {
            set[v as usize] = true;
            let Some(next) = v.checked_add(step) else {
                break;
            };
            v = next;
        }
    }
    Ok(set)
}

impl Cron {
    /// Parses a cron line.
    ///
    /// # Errors
    /// A message naming the bad field.
    pub fn parse(line: &str) -> Result<Cron, String> {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() != 5 {
            return Err(format!(
                "\"{line}\" has {} fields, expected 5 (minute hour day month weekday)",
                f.len()
            ));
        }
        let mut weekdays = field(f[4], 0, 7)?;
        if weekdays[7] {
            weekdays[0] = true;
        }
        let cron = Cron {
            line: line.to_string(),
            minutes: field(f[0], 0, 59)?,
            hours: field(f[1], 0, 23)?,
            days: field(f[2], 1, 31)?,
            months: field(f[3], 1, 12)?,
            weekdays,
            any_day: f[2] == "*",
            any_weekday: f[4] == "*",
        };
        if !cron.can_fire() {
            return Err(format!(
                "\"{line}\" never fires: none of its months has the day it names (e.g. 30 February)"
            ));
        }
        Ok(cron)
    }

    /// Whether some date matches: a restricted weekday always recurs; otherwise one of the
    /// months must have one of the days (February counted with 29).
    fn can_fire(&self) -> bool {
        if !self.any_weekday {
            return true;
        }
        const DAYS_IN: [usize; 13] = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        (1..=12).any(|m| self.months[m] && (1..=DAYS_IN[m]).any(|d| self.days[d]))
    }

    /// The line as written.
    #[must_use]
    pub fn line(&self) -> &str {
        &self.line
    }

    /// Whether the line names the wall-clock minute `t` (any `Datelike + Timelike`: a zoned time
    /// or a naive one).
    fn matches<T: Datelike + Timelike>(&self, t: &T) -> bool {
        let day_ok = self.days[t.day() as usize];
        let wd_ok = self.weekdays[t.weekday().num_days_from_sunday() as usize];
        // Cron's rule: when both day fields are restricted, either may match.
        let day_match = match (self.any_day, self.any_weekday) {
            (true, true) => true,
            (true, false) => wd_ok,
            (false, true) => day_ok,
            (false, false) => day_ok || wd_ok,
        };
        self.minutes[t.minute() as usize]
            && self.hours[t.hour() as usize]
            && self.months[t.month() as usize]
            && day_match
    }

    /// Whether the line fires at the instant `t` (a whole minute): it names `t`'s wall-clock
    /// minute, or a wall-clock minute the clocks skipped just before `t` (02:30 on the night
    /// summer time starts, when 01:59 is followed by 03:00), which fires at the first instant
    /// after the gap, as cron does, rather than not at all that day.
    fn fires_at<T: TimeZone>(&self, t: &DateTime<T>) -> bool {
        let here = t.naive_local();
        if self.matches(&here) {
            return true;
        }
        let before = (t.clone() - chrono::Duration::minutes(1)).naive_local();
        // A gap is at most a few hours (DST moves 30 minutes to 2 hours); a longer jump (a zone
        // changing its offset by a day) is looked at for its first day only.
        let mut skipped = before + chrono::Duration::minutes(1);
        let mut left = 24 * 60;
        while skipped < here && left > 0 {
            if self.matches(&skipped) {
                return true;
            }
            skipped += chrono::Duration::minutes(1);
            left -= 1;
        }
        false
    }

    /// The latest time at or before `now` (to the minute) at which the line fires, looking back
    /// at most 366 days. A wall-clock time that happens twice (the hour repeated when summer
    /// time ends) is its first occurrence, so a period ends once, when the clock first shows it;
    /// a wall-clock time that never happens (the hour skipped when summer time starts) fires at
    /// the first instant after the gap, so that day still has its period.
    #[must_use]
    pub fn previous<T: TimeZone>(&self, now: &DateTime<T>) -> Option<DateTime<T>> {
        // Truncated in absolute time: `with_second` would refuse a wall-clock time that happens
        // twice.
        let mut t = now.clone()
            - chrono::Duration::seconds(i64::from(now.second()))
            - chrono::Duration::nanoseconds(i64::from(now.nanosecond()));
        for _ in 0..(366 * 24 * 60) {
            if self.fires_at(&t) {
                let first = t
                    .timezone()
                    .from_local_datetime(&t.naive_local())
                    .earliest();
                return Some(first.unwrap_or(t));
            }
            t -= chrono::Duration::minutes(1);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_has_jitter_backoff_and_retry_after() {
        let h = Duration::from_secs(3600);
        assert_eq!(next_delay(h, 0, 0.5, None), h);
        assert_eq!(next_delay(h, 0, 0.0, None), Duration::from_secs(3240));
        assert!(next_delay(h, 0, 0.999_999, None) <= Duration::from_secs(3960));
        assert_eq!(next_delay(h, 1, 0.5, None), RETRY_FIRST);
        assert_eq!(next_delay(h, 3, 0.5, None), 4 * RETRY_FIRST);
        assert_eq!(next_delay(h, 10, 0.5, None), h, "capped at the interval");
        assert_eq!(
            next_delay(
                Duration::from_secs(60),
                0,
                0.5,
                Some(Duration::from_secs(600))
            ),
            Duration::from_secs(600)
        );
    }

    #[test]
    fn a_rare_source_is_retried_within_minutes_then_less_often() {
        let week = Duration::from_secs(7 * 86_400);
        let minutes = |n: u64| Duration::from_secs(60 * n);
        let delays: Vec<Duration> = (1..=12).map(|s| retry_delay(week, s)).collect();
        assert_eq!(
            delays[..6],
            [
                minutes(5),
                minutes(10),
                minutes(20),
                minutes(40),
                minutes(80),
                minutes(160)
            ]
        );
        assert_eq!(
            delays[10],
            minutes(5 * 1024),
            "still doubling after 11 failures"
        );
        assert_eq!(delays[11], week, "then capped at the interval");
        assert_eq!(retry_delay(week, i64::MAX), week);
        // A source checked more often than RETRY_FIRST is retried at its interval.
        assert_eq!(
            retry_delay(Duration::from_secs(90), 1),
            Duration::from_secs(90)
        );
        assert_eq!(
            retry_delay(Duration::from_secs(90), 9),
            Duration::from_secs(90)
        );
        // With jitter: within ±10 % of the retry delay.
        let d = next_delay(week, 1, 0.0, None);
        assert_eq!(d, Duration::from_secs(270));
    }

    #[test]
    fn backoff_doubles_caps_and_saturates() {
        let m = Duration::from_secs(60);
        assert_eq!(backoff(m, 0, MAX_BACKOFF), m);
        assert_eq!(backoff(m, 1, MAX_BACKOFF), 2 * m);
        assert_eq!(backoff(m, 30, MAX_BACKOFF), MAX_BACKOFF);
        assert_eq!(backoff(Duration::MAX, 5, Duration::MAX), Duration::MAX);
    }

    #[test]
    fn next_due_after_success_failure_and_retry_after() {
        let now = Timestamp::parse("2026-11-30T10:00:00.000Z").unwrap();
        let h = Duration::from_secs(3600);
        assert_eq!(now.until(next_due(now, h, LastCheck::Succeeded, 0.5)), h);
        let failed = |streak, retry_after| LastCheck::Failed {
            streak,
            retry_after,
        };
        assert_eq!(
            now.until(next_due(now, h, failed(2, None), 0.5)),
            2 * RETRY_FIRST
        );
        assert_eq!(
            now.until(next_due(
                now,
                Duration::from_secs(60),
                failed(1, Some(h)),
                0.5
            )),
            h,
            "Retry-After is a floor"
        );
        // An absurd interval saturates instead of panicking, and still reads back.
        let far = next_due(now, Duration::MAX, LastCheck::Succeeded, 0.999);
        assert!(far > now);
        assert_eq!(Timestamp::parse(&far.to_rfc3339()).unwrap(), far);
        // A server asking for years of silence is asked again after a week.
        let years = Some(Duration::from_secs(999_999_999_999));
        assert_eq!(
            now.until(next_due(now, h, failed(1, years), 0.5)),
            MAX_RETRY_AFTER
        );
        assert!(due_horizon(now, h) >= now.plus(MAX_RETRY_AFTER));
    }

    #[test]
    fn cron_previous_occurrence() {
        let tz = chrono_tz::Europe::Paris;
        let c = Cron::parse("0 7 * * 1").unwrap();
        // Saturday 21 November 2026, 10:30 in Paris → Monday 16 November, 07:00.
        let now = tz.with_ymd_and_hms(2026, 11, 21, 10, 30, 0).unwrap();
        let prev = c.previous(&now).unwrap();
        assert_eq!(prev, tz.with_ymd_and_hms(2026, 11, 16, 7, 0, 0).unwrap());
        let c = Cron::parse("*/15 8-18 * * *").unwrap();
        assert_eq!(
            c.previous(&now).unwrap(),
            tz.with_ymd_and_hms(2026, 11, 21, 10, 30, 0).unwrap()
        );
        assert!(Cron::parse("0 7 * *").is_err());
        assert!(Cron::parse("61 7 * * *").is_err());
        assert!(
            Cron::parse("0 0 30 2 *").is_err(),
            "30 February never comes"
        );
        assert!(Cron::parse("0 0 31 4,6 *").is_err());
        assert!(Cron::parse("0 0 29 2 *").is_ok(), "leap years have it");
        assert!(Cron::parse("0 0 31 2 1").is_ok(), "Mondays in February");
        // A huge step does not overflow.
        let c = Cron::parse("1/4294967295 * * * *").unwrap();
        assert!(c.minutes[1] && !c.minutes[0]);
        assert_eq!(Cron::parse("0 7 * * 1").unwrap().to_string(), "0 7 * * 1");
    }

    /// 29 March 2026 in Paris: clocks go from 01:59 CET (00:59 UTC) to 03:00 CEST (01:00 UTC),
    /// so 02:30 never happens that day. The daily 02:30 line fires once, at 03:00 CEST, and the
    /// days around it are unchanged.
    #[test]
    fn cron_fires_once_after_the_spring_forward_gap() {
        use chrono::Utc;
        let tz = chrono_tz::Europe::Paris;
        let c = Cron::parse("30 2 * * *").unwrap();
        let at = |d, h, m| {
            Utc.with_ymd_and_hms(2026, 3, d, h, m, 0)
                .unwrap()
                .with_timezone(&tz)
        };
        let after_gap = Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap();
        for now in [at(29, 1, 0), at(29, 1, 1), at(29, 9, 0), at(30, 0, 29)] {
            assert_eq!(
                c.previous(&now).unwrap().with_timezone(&Utc),
                after_gap,
                "from {now}"
            );
        }
        // Just before the gap ends: the day before, 02:30 CET (01:30 UTC).
        assert_eq!(
            c.previous(&at(29, 0, 59)).unwrap().with_timezone(&Utc),
            Utc.with_ymd_and_hms(2026, 3, 28, 1, 30, 0).unwrap()
        );
        // The next day, 02:30 CEST (00:30 UTC) as usual.
        assert_eq!(
            c.previous(&at(30, 0, 30)).unwrap().with_timezone(&Utc),
            Utc.with_ymd_and_hms(2026, 3, 30, 0, 30, 0).unwrap()
        );
        // Every quarter hour of the day before, that day and the next: one firing per day.
        let mut ends = std::collections::BTreeSet::new();
        let mut t = at(28, 12, 0);
        while t < at(30, 12, 0) {
            ends.insert(c.previous(&t).unwrap().with_timezone(&Utc));
            t += chrono::Duration::minutes(15);
        }
        assert_eq!(
            ends.into_iter().collect::<Vec<_>>(),
            [
                Utc.with_ymd_and_hms(2026, 3, 28, 1, 30, 0).unwrap(),
                after_gap,
                Utc.with_ymd_and_hms(2026, 3, 30, 0, 30, 0).unwrap(),
            ]
        );
        // A line whose minute is not in the gap is untouched: 03:00 fires at 03:00 only.
        let three = Cron::parse("0 3 * * *").unwrap();
        assert_eq!(
            three.previous(&at(29, 9, 0)).unwrap().with_timezone(&Utc),
            after_gap
        );
        assert_eq!(
            Cron::parse("0 1 * * *")
                .unwrap()
                .previous(&at(29, 9, 0))
                .unwrap()
                .with_timezone(&Utc),
            Utc.with_ymd_and_hms(2026, 3, 29, 0, 0, 0).unwrap()
        );
    }

    /// The fall-back day (25 October 2026 in Paris) sees 02:30 twice: every quarter hour of the day
    /// gives the same period end, the first 02:30, so a daily line fires once.
    #[test]
    fn cron_fires_once_on_the_fall_back_day() {
        use chrono::Utc;
        let tz = chrono_tz::Europe::Paris;
        let c = Cron::parse("30 2 * * *").unwrap();
        let mut ends = std::collections::BTreeSet::new();
        let mut t = Utc.with_ymd_and_hms(2026, 10, 24, 12, 0, 0).unwrap();
        while t < Utc.with_ymd_and_hms(2026, 10, 26, 12, 0, 0).unwrap() {
            ends.insert(
                c.previous(&t.with_timezone(&tz))
                    .unwrap()
                    .with_timezone(&Utc),
            );
            t += chrono::Duration::minutes(15);
        }
        assert_eq!(
            ends.into_iter().collect::<Vec<_>>(),
            [
                Utc.with_ymd_and_hms(2026, 10, 24, 0, 30, 0).unwrap(),
                Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap(),
                Utc.with_ymd_and_hms(2026, 10, 26, 1, 30, 0).unwrap(),
            ]
        );
    }

    #[test]
    fn cron_previous_picks_the_first_of_a_repeated_wall_clock_time() {
        use chrono::Utc;
        let tz = chrono_tz::Europe::Paris;
        let c = Cron::parse("30 2 * * *").unwrap();
        // 25 October 2026: 02:30 CEST is 00:30 UTC; clocks go back at 01:00 UTC, and 02:30 CET
        // (01:30 UTC) follows an hour later.
        let first = Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap();
        for (h, m) in [(0, 45), (1, 0), (1, 30), (1, 45), (2, 0), (5, 0)] {
            let now = Utc
                .with_ymd_and_hms(2026, 10, 25, h, m, 0)
                .unwrap()
                .with_timezone(&tz);
            let prev = c.previous(&now).unwrap();
            assert_eq!(prev.with_timezone(&Utc), first, "from {now}");
        }
        // Before the first 02:30: the day before.
        let now = Utc
            .with_ymd_and_hms(2026, 10, 25, 0, 15, 0)
            .unwrap()
            .with_timezone(&tz);
        assert_eq!(
            c.previous(&now).unwrap(),
            tz.with_ymd_and_hms(2026, 10, 24, 2, 30, 0).unwrap()
        );
    }
}
