//! Errors located by file, line and column, and the helpers that locate them.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

/// An error in the configuration: where it is and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file '{path}': {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file was read but something in it is wrong.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// The file, as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong and what was expected.
        message: String,
    },
}

/// Most characters of a configured value echoed in an error message; longer values are cut
/// with "…" (a 1 MB regular expression must not come back whole on the terminal).
const MAX_ECHO: usize = 200;

/// A configured value as error messages echo it: control characters replaced, at most
/// [`MAX_ECHO`] characters.
pub(super) fn echo(value: &str) -> String {
    crate::util::shorten(&crate::util::sanitize(value), MAX_ECHO)
}

/// Most characters of a whole error message: the last net, for a value with quotes of its own.
const MAX_MESSAGE: usize = 1000;

/// Caps every double-quoted stretch of a message at [`MAX_ECHO`] characters, and the message at
/// [`MAX_MESSAGE`]: the net under messages that echo a value without [`echo`].
fn cap_quoted(message: &str) -> String {
    let capped = message
        .split('"')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 && part.chars().count() > MAX_ECHO {
                crate::util::shorten(part, MAX_ECHO)
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\"");
    crate::util::shorten(&capped, MAX_MESSAGE)
}

/// The text being validated and the name it is reported under: turns byte spans into
/// [`ConfigError::Invalid`].
pub(super) struct Ctx<'a> {
    /// The file, as given.
    pub(super) file: &'a str,
    /// Its whole text.
    pub(super) text: &'a str,
}

impl Ctx<'_> {
    /// An error at the start of `span`.
    pub(super) fn err(&self, span: Range<usize>, message: impl fmt::Display) -> ConfigError {
        let (line, column) = line_col(self.text, span.start);
        ConfigError::Invalid {
            file: self.file.to_string(),
            line,
            column,
            message: cap_quoted(&message.to_string()),
        }
    }

    /// `file:line:column` of the start of `span`, for warnings that point at a value.
    pub(super) fn location(&self, span: Range<usize>) -> String {
        let (line, column) = line_col(self.text, span.start);
        format!("{}:{line}:{column}", self.file)
    }

    /// A shape error from serde/toml, with the key the person wrote when the message lacks it.
    pub(super) fn toml_err(&self, e: &toml::de::Error) -> ConfigError {
        let span = e.span().unwrap_or(0..0);
        let msg = e.message().trim().to_string();
        let msg = match key_at(self.text, span.start) {
            Some(key) if !msg.contains(&format!("`{key}`")) => format!("`{key}`: {msg}"),
            _ => msg,
        };
        self.err(span, msg)
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The `key` of the `key = value` line a span starts on, if any: lets a serde message for a bad
/// value name the key the person wrote.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

/// The last non-empty line of a multi-line message (the `regex` crate puts the reason last).
pub(super) fn last_line(s: &str) -> String {
    s.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_values_are_capped() {
        let long = "x".repeat(5000);
        let capped = cap_quoted(&format!("`k`: \"{long}\" is wrong: expected y"));
        assert_eq!(
            capped,
            format!(
                "`k`: \"{}…\" is wrong: expected y",
                "x".repeat(MAX_ECHO - 1)
            )
        );
        assert_eq!(cap_quoted("`k`: \"\" is empty"), "`k`: \"\" is empty");
        let unbalanced = cap_quoted(&format!("`k`: \"a\"b{long}\""));
        assert_eq!(unbalanced.chars().count(), MAX_MESSAGE);
        assert_eq!(echo("a\x1bb"), "a\u{FFFD}b");
    }
}
