//! The robots.txt gate in front of every page fetch: the cached answer of the page's origin
//! (fetched through the same per-host gate as pages when older than a day), then RFC 9309's
//! verdict for the page.

use std::sync::Arc;

use crate::fetch::robots::{MAX_ROBOTS_BYTES, Robots, RobotsFailure, product_token};
use crate::fetch::{FetchError, Fetcher};
use crate::model::{Timestamp, Validators};
use crate::store::RobotsRecord;

use super::{CheckError, Checker};

impl Checker {
    /// Whether robots.txt lets us fetch `url`; fetches robots.txt when the cache has no answer
    /// younger than a day. A robots.txt that answers 4xx means no rules; one that cannot be read
    /// (5xx, timeout) means no fetch this time (RFC 9309 §2.3.1).
    pub(super) async fn robots_allow(
        &self,
        fetcher: &Fetcher,
        url: &url::Url,
        host: &str,
        fetched: &mut Option<RobotsRecord>,
    ) -> Result<(), CheckError> {
        let origin = url.origin().ascii_serialization();
        let rules = match self.robots.get(&origin, chrono::Utc::now()) {
            Some(r) => r,
            None => self.refresh_robots(fetcher, &origin, host, fetched).await?,
        };
        let mut target = url.path().to_string();
        if let Some(q) = url.query() {
            target.push('?');
            target.push_str(q);
        }
        rules.check(&target).map_err(|refusal| {
            CheckError::Robots(format!(
                "blocked by {origin}/robots.txt (\"Disallow: {}\" applies to {target} for user-agent {}); set respect_robots = false on this source only if the site owner agrees",
                refusal.pattern,
                product_token(&self.config.settings.user_agent),
            ))
        })
    }

    /// Fetches `origin`'s robots.txt through the host gate (unless another source of the host
    /// fetched it while this one waited) and caches it; `fetched` receives the answer for the
    /// database.
    async fn refresh_robots(
        &self,
        fetcher: &Fetcher,
        origin: &str,
        host: &str,
        fetched: &mut Option<RobotsRecord>,
    ) -> Result<Arc<Robots>, CheckError> {
        let _pass = self.gate.enter(host).await;
        if let Some(r) = self.robots.get(origin, chrono::Utc::now()) {
            return Ok(r);
        }
        // Another page of this host just failed to read it: fail the same way, at once.
        if let Some(f) = self.robots.failure(origin, chrono::Utc::now()) {
            return Err(if f.unreachable {
                CheckError::Unreachable(f.message)
            } else {
                CheckError::Robots(f.message)
            });
        }
        let at = Timestamp::now();
        let record = match self.fetch_robots(fetcher, origin, at).await {
            Ok(r) => r,
            Err(e) => {
                let failure = RobotsFailure {
                    message: e.to_string(),
                    unreachable: matches!(e, CheckError::Unreachable(_)),
                };
                self.robots.insert_failure(origin, failure, at.utc());
                return Err(e);
            }
        };
        let rules = self
            .robots
            .insert(origin, record.status, &record.body, at.utc());
        *fetched = Some(record);
        Ok(rules)
    }

    async fn fetch_robots(
        &self,
        fetcher: &Fetcher,
        origin: &str,
        at: Timestamp,
    ) -> Result<RobotsRecord, CheckError> {
        let url = format!("{origin}/robots.txt");
        let record = |status: u16, body: String| RobotsRecord {
            origin: origin.to_string(),
            fetched_at: at,
            status,
            body,
        };
        // The source's own client: a `ca_file` is needed for robots.txt as much as for the page.
        match fetcher.fetch(&url, &Validators::default()).await {
            Ok(f) => {
                let end = f.body.len().min(MAX_ROBOTS_BYTES);
                let body = String::from_utf8_lossy(&f.body[..end]).into_owned();
                Ok(record(f.status, body))
            }
            Err(FetchError::Status { status, .. })
                if (400..500).contains(&status) && status != 429 =>
            {
                Ok(record(status, String::new()))
            }
            // The host itself cannot be reached: that is what the user must hear, not robots.txt.
            Err(e) if e.is_unreachable() => Err(CheckError::Unreachable(e.to_string())),
            Err(e) => Err(CheckError::Robots(format!(
                "robots.txt unreachable ({e}); the page is not fetched until it answers (set respect_robots = false to skip it)"
            ))),
        }
    }
}
