//! `regwatch preview`: one fetch and extraction of a source, exactly as a check would do them
//! (robots.txt, redirects, body checks, extraction settings), with nothing read from or written
//! to the database.

use crate::config::Source;
use crate::store::{FetchState, join_blocks, text_hash};

use super::{CheckError, Checker, Got};

/// What a source's text would be if it were checked now.
#[derive(Debug, Clone)]
pub struct Preview {
    /// URL of the last redirect hop (password redacted).
    pub final_url: String,
    /// HTTP status of the answer.
    pub status: u16,
    /// `ETag` the server sent.
    pub etag: Option<String>,
    /// `Last-Modified` the server sent.
    pub last_modified: Option<String>,
    /// Size of the body, in bytes.
    pub body_bytes: u64,
    /// The blocks, as they would be stored.
    pub blocks: Vec<String>,
    /// Length of the stored text (blocks joined by newlines), in bytes.
    pub size: usize,
    /// SHA-256 of that text, as `versions` would show it.
    pub sha256: String,
}

impl Checker {
    /// Fetches and extracts `source` once, storing nothing.
    ///
    /// # Errors
    /// The fetch's or extraction's [`CheckError`], as a check would record it.
    pub async fn preview(&self, source: &Source) -> Result<Preview, CheckError> {
        let fetched = self.fetch(source, &FetchState::default()).await;
        // Without validators or a previous body, a fetch always extracts.
        let Got::Text(response, _, blocks) = fetched.result? else {
            return Err(CheckError::Internal(
                "a fetch without validators came back without a text".into(),
            ));
        };
        let text = join_blocks(&blocks);
        Ok(Preview {
            sha256: text_hash(&text),
            size: text.len(),
            final_url: response.final_url,
            status: response.status,
            etag: response.validators.etag,
            last_modified: response.validators.last_modified,
            body_bytes: response.bytes,
            blocks,
        })
    }
}
