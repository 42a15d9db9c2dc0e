//! The digest driver: queues each recipient's digest once per cron period. The `digests` table
//! remembers the end of the last period per recipient, so a period is sent once even across
//! restarts; the first digest is the first period that closes after the service started.

use crate::config::Config;
use crate::model::Timestamp;
use crate::store::Store;

/// Queues every recipient's digest whose cron period has closed and was not sent yet.
pub fn queue_due(store: &mut Store, config: &Config, started: Timestamp, now: Timestamp) {
    let local_now = now.utc().with_timezone(&config.settings.timezone);
    for r in &config.recipients {
        // Validated when the configuration was loaded.
        let Some(cron) = &r.digest else { continue };
        let Some(prev) = cron.previous(&local_now) else {
            continue;
        };
        let until = Timestamp::from(prev.with_timezone(&chrono::Utc));
        let due = match store.last_digest_until(&r.name) {
            Ok(Some(last)) => last < until,
            // The first digest is the first period that ends after the service started.
            Ok(None) => until >= started,
            Err(e) => {
                tracing::error!(error = %e, "cannot read digests");
                false
            }
        };
        if due {
            match crate::notify::build_digest(store, config, r, until, true) {
                Ok(_) => tracing::info!(recipient = %r.name, %until, "digest queued"),
                Err(e) => tracing::error!(recipient = %r.name, error = %e, "cannot build digest"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MessageKind;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Timestamp {
        Timestamp::from(
            chrono::Utc
                .with_ymd_and_hms(y, mo, d, h, mi, 0)
                .single()
                .unwrap(),
        )
    }

    fn digest_rows(store: &Store) -> Vec<String> {
        store
            .outbox()
            .unwrap()
            .into_iter()
            .filter(|r| r.kind == MessageKind::Digest)
            .map(|r| r.recipient)
            .collect()
    }

    /// Monday 08:00 in Paris is 07:00 UTC in winter: the digest is queued once for that period,
    /// not again later in the period, not again after a restart, and again the next Monday.
    #[test]
    fn digest_follows_its_cron_line_in_the_configured_zone_once_per_period() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config::from_str_at(
            "[settings]\ntimezone = \"Europe/Paris\"\n\n[mail]\nfrom = \"regwatch@example.org\"\n\n\
             [[recipient]]\nname = \"cto\"\nemails = [\"cto@example.org\"]\nalerts = \"never\"\n\
             digest = \"0 8 * * 1\"\n",
            &dir.path().join("sources.toml"),
        )
        .unwrap();
        let db = dir.path().join("regwatch.db");
        let mut store = Store::open(&db).unwrap();
        // Started Friday 2026-11-20; Monday 2026-11-23 08:00 Paris = 07:00 UTC.
        let started = utc(2026, 11, 20, 12, 0);
        queue_due(&mut store, &cfg, started, utc(2026, 11, 23, 6, 59));
        assert!(digest_rows(&store).is_empty(), "07:59 Paris: not yet");
        queue_due(&mut store, &cfg, started, utc(2026, 11, 23, 7, 0));
        assert_eq!(digest_rows(&store), vec!["cto"]);
        queue_due(&mut store, &cfg, started, utc(2026, 11, 23, 9, 30));
        assert_eq!(digest_rows(&store).len(), 1, "same period: nothing more");

        // Restart (new process, new start time) later that day: the period was already sent.
        drop(store);
        let mut store = Store::open(&db).unwrap();
        queue_due(
            &mut store,
            &cfg,
            utc(2026, 11, 23, 10, 0),
            utc(2026, 11, 23, 10, 0),
        );
        assert_eq!(digest_rows(&store).len(), 1, "restart: no duplicate");

        // The next Monday.
        queue_due(&mut store, &cfg, started, utc(2026, 11, 30, 7, 1));
        assert_eq!(digest_rows(&store).len(), 2);
    }

    /// A service started after this week's digest time waits for the next one rather than
    /// sending a digest for a period it did not watch.
    #[test]
    fn first_digest_is_the_first_period_closing_after_start() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config::from_str_at(
            "[mail]\nfrom = \"regwatch@example.org\"\n\n[[recipient]]\nname = \"team\"\n\
             emails = [\"team@example.org\"]\ndigest = \"30 6 * * *\"\n",
            &dir.path().join("sources.toml"),
        )
        .unwrap();
        let mut store = Store::open(&dir.path().join("regwatch.db")).unwrap();
        let started = utc(2026, 11, 21, 7, 0);
        queue_due(&mut store, &cfg, started, utc(2026, 11, 21, 7, 5));
        assert!(digest_rows(&store).is_empty());
        queue_due(&mut store, &cfg, started, utc(2026, 11, 22, 6, 30));
        assert_eq!(digest_rows(&store), vec!["team"]);
    }
}
