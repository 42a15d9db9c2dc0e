//! Memory budget of extraction: what one body may take while it is read, and what all the
//! extractions running at once may take together.
//!
//! Before a body is read, its peak memory is estimated from its size and a cheap scan (the number
//! of tags of an HTML page or a feed, whose parsed tree costs about 200 bytes per element). A body
//! whose estimate exceeds [`PAGE_BUDGET`] fails its own source ("page too large to extract within
//! N MB") and is never parsed. Otherwise the extraction takes its estimate from a process-wide,
//! byte-weighted semaphore of [`TOTAL_BUDGET`]: eight large pages at once wait their turn instead
//! of allocating together and aborting the process.

use std::sync::{Arc, LazyLock};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{ExtractError, SourceKind};

/// Most memory one body's extraction may take (its estimate), in bytes, however large the body.
pub const PAGE_BUDGET: u64 = 768 << 20;
/// A body may take this many times its size (at least [`MIN_PAGE_BUDGET`]): real pages take
/// 5–25×, tag soup made of millions of empty elements more.
pub const PAGE_FACTOR: u64 = 32;
/// The budget of a small body.
pub const MIN_PAGE_BUDGET: u64 = 64 << 20;
/// Most memory all extractions of the process may take at once (their estimates), in bytes.
pub const TOTAL_BUDGET: u64 = 1 << 30;
/// The semaphore counts KiB, so that a permit count fits `u32`.
const UNIT: u64 = 1024;
/// Bytes of parsed tree per element (ego-tree node, scraper element, attributes, text tendril).
const PER_TAG: u64 = 200;
/// Bytes per JSON object read as an item: its strings, its fields and its blocks.
const PER_OBJECT: u64 = 400;

static PERMITS: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(units(TOTAL_BUDGET) as usize)));

fn units(bytes: u64) -> u32 {
    u32::try_from(bytes.div_ceil(UNIT)).unwrap_or(u32::MAX)
}

/// Estimated peak memory, in bytes, of extracting `body` as `kind` (the body itself included).
#[must_use]
pub fn estimate(kind: SourceKind, body: &[u8]) -> u64 {
    let len = body.len() as u64;
    match kind {
        // Body, decoded text, parser copy and lines, then the tree: per element.
        SourceKind::Html | SourceKind::Feed => 4 * len + PER_TAG * tags(body),
        // Read one level at a time (json.rs): body, text, lines, and one level's list of raw
        // children; with `items`, each object becomes an item (strings, fields) and blocks.
        SourceKind::Json => 4 * len + PER_OBJECT * count(body, b'{'),
        // A small compressed PDF can print far more text than its size: the tool's output is
        // capped at a third of the page's budget (document.rs), and the page reserves all of it.
        SourceKind::Pdf => page_budget(body.len()),
    }
}

/// Occurrences of `byte` (in strings too: an upper bound).
fn count(body: &[u8], byte: u8) -> u64 {
    body.iter().filter(|&&b| b == byte).count() as u64
}

/// `<` followed by a letter: elements (opening tags; closing tags counted too, a cheap upper
/// bound).
fn tags(body: &[u8]) -> u64 {
    body.windows(2)
        .filter(|w| w[0] == b'<' && w[1].is_ascii_alphabetic())
        .count() as u64
}

/// The budget of one body of `len` bytes: [`PAGE_FACTOR`] times its size, at least
/// [`MIN_PAGE_BUDGET`], at most [`PAGE_BUDGET`].
#[must_use]
pub fn page_budget(len: usize) -> u64 {
    (PAGE_FACTOR * len as u64).clamp(MIN_PAGE_BUDGET, PAGE_BUDGET)
}

/// Whole megabytes, rounded up, for messages.
fn mb(bytes: u64) -> u64 {
    bytes.div_ceil(1 << 20)
}

/// Refuses a body whose extraction would exceed its [`page_budget`], else waits until its estimate fits
/// in the process-wide budget and returns the reservation (held while the body is read).
///
/// # Errors
/// [`ExtractError::TooLarge`] naming the limit, the body's size and the estimate.
pub async fn reserve(kind: SourceKind, body: &[u8]) -> Result<OwnedSemaphorePermit, ExtractError> {
    let need = estimate(kind, body);
    let page_budget = page_budget(body.len());
    if need > page_budget {
        return Err(ExtractError::TooLarge(format!(
            "page too large to extract within {} MB: {} of {} MB would need about {} MB{}",
            mb(page_budget),
            kind_name(kind),
            mb(body.len() as u64),
            mb(need),
            match kind {
                SourceKind::Html | SourceKind::Feed => format!(
                    " ({} tags); select a smaller part of the page, or watch a smaller document",
                    tags(body)
                ),
                _ => "; watch a smaller document".to_string(),
            }
        )));
    }
    let want = units(need.min(TOTAL_BUDGET)).max(1);
    Arc::clone(&PERMITS)
        .acquire_many_owned(want)
        .await
        .map_err(|e| ExtractError::Crashed(format!("memory budget: {e}")))
}

fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Html => "an HTML page",
        SourceKind::Feed => "a feed",
        SourceKind::Json => "a JSON document",
        SourceKind::Pdf => "a PDF document",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_over_its_budget_is_refused_with_the_numbers() {
        let page = "<p>x".repeat(500_000);
        let e = reserve(SourceKind::Html, page.as_bytes())
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("page too large to extract within 64 MB: an HTML page of 2 MB"),
            "{e}"
        );
        assert!(e.contains("(500000 tags)"), "{e}");
        // A real page of the same size passes.
        let page = "<p>A chip is controlled when its TPP is 4,800 or more.</p>".repeat(30_000);
        drop(reserve(SourceKind::Html, page.as_bytes()).await.unwrap());
    }
}
