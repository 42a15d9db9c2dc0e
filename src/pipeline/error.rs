//! [`CheckError`]: why a check of one source failed. Kept typed in the outcome, so callers can
//! ask it questions (`retry_after`) instead of parsing its text.

use std::time::Duration;

use crate::extract::ExtractError;
use crate::fetch::FetchError;
use crate::store::StoreError;

/// Why one source's check failed. Recorded on the source; never a change.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The page could not be fetched.
    #[error("{0}")]
    Fetch(#[from] FetchError),
    /// The body gave no usable text.
    #[error("{0}")]
    Extract(#[from] ExtractError),
    /// The text lost more than 90 % at once: a block or error page, not a change.
    #[error(
        "text shrank from {old} to {new} bytes at once (more than 90 %): likely a block or error page, not a change"
    )]
    Suspicious {
        /// Previous size in bytes.
        old: i64,
        /// New size in bytes.
        new: i64,
        /// SHA-256 of the new text (identical ones in a row are counted for
        /// `settings.accept_shrink_after`).
        hash: String,
    },
    /// The site's robots.txt forbids the page, or could not be read.
    #[error("{0}")]
    Robots(String),
    /// The site could not be reached at all.
    #[error("{0}")]
    Unreachable(String),
    /// A bug stopped the check (a panic, caught); only this source is affected.
    #[error("internal error: {0} (please report it)")]
    Internal(String),
    /// The database failed while the result was written.
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    /// A header value names an environment variable that is unset (`preview`, `accept`; a check
    /// skips such a source instead).
    #[error("{0}")]
    EnvHeader(#[from] crate::config::EnvHeaderError),
}

impl CheckError {
    /// How long the server asked us to wait (`Retry-After` on 429 and 503).
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            CheckError::Fetch(FetchError::Status { retry_after, .. }) => {
                retry_after.map(Duration::from_secs)
            }
            _ => None,
        }
    }

    /// The SHA-256 of a suspiciously shrunken text, when that is what this error is.
    #[must_use]
    pub fn suspect_hash(&self) -> Option<&str> {
        match self {
            CheckError::Suspicious { hash, .. } => Some(hash),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_comes_from_the_response_only() {
        let e = CheckError::Fetch(FetchError::Status {
            status: 429,
            reason: "Too Many Requests".into(),
            retry_after: Some(120),
        });
        assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
        assert_eq!(e.to_string(), "HTTP 429 Too Many Requests");
        assert_eq!(CheckError::Robots("no".into()).retry_after(), None);
    }
}
