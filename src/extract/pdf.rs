//! PDF documents: text by `pdftotext` (poppler-utils) in its default reading-order mode, run as
//! a subprocess with a timeout, then paragraphs as blocks (`paragraphs.rs`: blank lines,
//! indentation, sentence ends at line ends), with running headers and footers (lines that repeat
//! at the top or bottom of most pages, page numbers included) dropped.

use std::collections::HashMap;
use std::io::Write as _;
use std::process::Stdio;
use std::time::Duration;

use regex::Regex;
use tokio::io::AsyncReadExt;

use super::paragraphs::Line;
use super::{ExtractError, finish_blocks, normalize_line};

/// Names the way PDF text is cut into blocks; part of a PDF source's extraction fingerprint, so
/// that a new way starts a new baseline instead of reporting every paragraph as changed.
pub const PDF_BLOCKS_VERSION: &str = "pdf-paragraphs-2";

/// The program that turns PDF into text.
pub const PDFTOTEXT: &str = "pdftotext";

/// Lines looked at, at the top and at the bottom of each page, for running headers/footers.
const EDGE_LINES: usize = 3;

/// Most bytes of the tool's error output kept for the message; the rest is read and dropped.
const STDERR_KEPT: usize = 64 * 1024;

/// Runs `pdftotext` on `body` and returns its text (pages separated by form feeds).
///
/// The tool runs in a process group of its own; on time-out, or when it prints more than
/// `output_cap` bytes, the whole group is killed (a wrapper script's children included), so that
/// nothing survives reparented to init.
///
/// # Errors
/// [`ExtractError::Tool`] when `pdftotext` is missing, fails, overruns `timeout` or prints more
/// than `output_cap` bytes (it is killed then).
pub async fn pdf_text(
    body: &[u8],
    timeout: Duration,
    output_cap: u64,
) -> Result<String, ExtractError> {
    pdf_text_with(PDFTOTEXT, body, timeout, output_cap).await
}

/// Kills a process group when dropped: every way out of [`pdf_text_with`] (success, error,
/// time-out, cancellation) leaves no process of the tool behind.
struct Group(Option<libc::pid_t>);

impl Group {
    /// The tool exited and was reaped: its group id may now belong to someone else, so the
    /// guard must not signal it any more.
    fn disarm(&mut self) {
        self.0 = None;
    }

    fn kill(&self) {
        if let Some(pgid) = self.0 {
            // SAFETY: plain system call on a process group we created (`process_group(0)` makes
            // the child's pid its group id); an empty group gives ESRCH, which is fine.
            unsafe {
                libc::killpg(pgid, libc::SIGKILL);
            }
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Reads `reader` to its end, keeping at most `cap` bytes; `Ok(None)` when there was more (then
/// reading stops).
async fn read_capped(
    reader: &mut (impl tokio::io::AsyncRead + Unpin),
    cap: u64,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    let n = reader
        .take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .await?;
    Ok((n as u64 <= cap).then_some(out))
}

/// [`pdf_text`] with another program name (tests use it to simulate a missing or broken tool).
///
/// # Errors
/// As [`pdf_text`].
pub async fn pdf_text_with(
    program: &str,
    body: &[u8],
    timeout: Duration,
    output_cap: u64,
) -> Result<String, ExtractError> {
    let tool = |m: String| ExtractError::Tool(m);
    let file = temp_pdf(program, body)?;
    let mut child = spawn_tool(program, file.path())?;
    let mut group = Group(child.id().and_then(|id| libc::pid_t::try_from(id).ok()));
    let (status, out, err) =
        match tokio::time::timeout(timeout, collect_output(&mut child, &group, output_cap)).await {
            Ok(Ok(r)) => {
                group.disarm();
                r
            }
            Ok(Err(e)) => return Err(tool(format!("{program} failed: {e}"))),
            // `group` is dropped on return: the tool and its children are killed.
            Err(_) => {
                return Err(tool(format!(
                    "{program} did not finish within {} and was stopped",
                    crate::util::humanize(timeout)
                )));
            }
        };
    drop(group);
    let Some(out) = out else {
        return Err(tool(format!(
            "{program} printed more than {} of text for this PDF and was stopped (the limit is ten times max_body)",
            human_bytes(output_cap)
        )));
    };
    if !status.success() {
        let msg = String::from_utf8_lossy(&err);
        let first = msg.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(tool(format!(
            "{program} could not read this PDF ({status}){}{}",
            if first.is_empty() { "" } else { ": " },
            first.trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The body in a temporary file the tool can read (removed when dropped).
fn temp_pdf(program: &str, body: &[u8]) -> Result<tempfile::NamedTempFile, ExtractError> {
    let failed = |e: std::io::Error| {
        ExtractError::Tool(format!("cannot write a temporary file for {program}: {e}"))
    };
    let mut file = tempfile::Builder::new()
        .prefix("regwatch-")
        .suffix(".pdf")
        .tempfile()
        .map_err(failed)?;
    file.write_all(body)
        .and_then(|()| file.flush())
        .map_err(failed)?;
    Ok(file)
}

/// Starts the tool in a process group of its own, so that the group can be killed whole.
fn spawn_tool(program: &str, pdf: &std::path::Path) -> Result<tokio::process::Child, ExtractError> {
    tokio::process::Command::new(program)
        .args(["-enc", "UTF-8", "-q"])
        .arg(pdf)
        .arg("-")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            ExtractError::Tool(if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "{program} is not installed: install the poppler-utils package (apt-get install poppler-utils) to read PDF sources"
                )
            } else {
                format!("cannot start {program}: {e}")
            })
        })
}

/// Reads the tool's output (at most `output_cap` bytes: `None` past it, the group killed at
/// once) and the start of its error output, then waits for it.
async fn collect_output(
    child: &mut tokio::process::Child,
    group: &Group,
    output_cap: u64,
) -> std::io::Result<(std::process::ExitStatus, Option<Vec<u8>>, Vec<u8>)> {
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let read_out = async {
        let Some(s) = stdout.as_mut() else {
            return Ok(Some(Vec::new()));
        };
        let out = read_capped(s, output_cap).await?;
        if out.is_none() {
            // Over the cap: stop the tool now, so that its error output ends too.
            group.kill();
        }
        Ok::<_, std::io::Error>(out)
    };
    let read_err = async {
        let mut kept = Vec::new();
        if let Some(s) = stderr.as_mut() {
            s.take(STDERR_KEPT as u64).read_to_end(&mut kept).await?;
            tokio::io::copy(s, &mut tokio::io::sink()).await?;
        }
        Ok::<_, std::io::Error>(kept)
    };
    let (out, err) = tokio::join!(read_out, read_err);
    let (out, err) = (out?, err?);
    let status = child.wait().await?;
    Ok((status, out, err))
}

/// `12 MB`, `640 KB`, `512 bytes`.
fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{} MB", n.div_ceil(1 << 20))
    } else if n >= 1 << 10 {
        format!("{} KB", n.div_ceil(1 << 10))
    } else {
        format!("{n} bytes")
    }
}

/// Paragraphs of `pdftotext` output as blocks, running headers and footers removed.
///
/// # Errors
/// [`ExtractError::Empty`] when no text is left (a scanned PDF without a text layer, say).
pub fn pdf_blocks(text: &str, ignore: &[Regex]) -> Result<Vec<String>, ExtractError> {
    let pages: Vec<Vec<&str>> = text
        .split('\u{c}')
        .map(|p| p.lines().collect::<Vec<_>>())
        .filter(|p| p.iter().any(|l| !l.trim().is_empty()))
        .collect();
    let running = running_lines(&pages);
    let mut paragraphs: Vec<String> = Vec::new();
    for page in &pages {
        let edges = edge_indexes(page);
        // Running headers and footers break paragraphs like blank lines do.
        let lines: Vec<Option<Line<'_>>> = page
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                let running = edges.contains(&i) && running.contains_key(&shape(raw.trim()));
                if running { None } else { Line::new(raw) }
            })
            .collect();
        paragraphs.extend(super::paragraphs::paragraphs(&lines));
    }
    let blocks = finish_blocks(paragraphs, ignore);
    if blocks.is_empty() {
        return Err(ExtractError::Empty);
    }
    Ok(blocks)
}

/// Indexes of the first and last [`EDGE_LINES`] non-empty lines of a page.
fn edge_indexes(page: &[&str]) -> Vec<usize> {
    let non_empty: Vec<usize> = page
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, _)| i)
        .collect();
    let n = non_empty.len();
    let mut out: Vec<usize> = non_empty.iter().take(EDGE_LINES).copied().collect();
    out.extend(non_empty.iter().skip(n.saturating_sub(EDGE_LINES)).copied());
    out
}

/// A line with its digits blurred, so that "Page 3 of 12" and "Page 4 of 12" look the same.
fn shape(line: &str) -> String {
    normalize_line(line)
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// Line shapes found at a page edge on most pages (at least two pages, and at least 60 % of
/// them).
fn running_lines(pages: &[Vec<&str>]) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for page in pages {
        let mut seen: Vec<String> = Vec::new();
        for i in edge_indexes(page) {
            let s = shape(page[i]);
            if !s.is_empty() && !seen.contains(&s) {
                seen.push(s);
            }
        }
        for s in seen {
            *counts.entry(s).or_default() += 1;
        }
    }
    let need = (pages.len() * 3).div_ceil(5).max(2);
    counts.retain(|_, n| *n >= need);
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_headers_footers_and_page_numbers_go_paragraphs_stay() {
        let text = "Federal Register / Vol. 90 / Rule\n\nLicense Exception LPP allows up to\n26,900,000 TPP per consignee.\n\nPage 1 of 3\n\u{c}\
                    Federal Register / Vol. 90 / Rule\n\nThe tier-2 country cap is\n790,000,000 TPP.\n\nPage 2 of 3\n\u{c}\
                    Federal Register / Vol. 90 / Rule\n\nCompliance is due on 15 May 2025, a case-by-\ncase review applies.\n\nPage 3 of 3\n\u{c}";
        let blocks = pdf_blocks(text, &[]).unwrap();
        assert_eq!(
            blocks,
            [
                "License Exception LPP allows up to 26,900,000 TPP per consignee.",
                "The tier-2 country cap is 790,000,000 TPP.",
                "Compliance is due on 15 May 2025, a case-by-case review applies.",
            ]
        );
    }

    #[test]
    fn a_single_page_keeps_its_first_line() {
        let blocks = pdf_blocks(
            "Advanced computing FAQ\n\nTPP = 2 x MacTOPS x bit length.\n",
            &[],
        )
        .unwrap();
        assert_eq!(blocks.len(), 2);
        assert!(matches!(
            pdf_blocks("\u{c}\n \u{c}", &[]),
            Err(ExtractError::Empty)
        ));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn an_overrunning_tool_is_stopped() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("slow-pdftotext");
        std::fs::write(&script, "#!/bin/sh\nexec sleep 30\n").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let e = pdf_text_with(
            script.to_str().unwrap(),
            b"%PDF-1.4",
            Duration::from_millis(300),
            1 << 20,
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("did not finish within 300ms and was stopped"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn a_missing_tool_names_the_package() {
        let e = pdf_text_with(
            "pdftotext-not-here",
            b"%PDF-1.4",
            Duration::from_secs(5),
            1 << 20,
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(e.contains("apt-get install poppler-utils"), "{e}");
    }
}
