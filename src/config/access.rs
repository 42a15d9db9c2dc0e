//! How a source is reached: extra request `headers` (secrets read from the environment at fetch
//! time), a `ca_file` added to the trust roots, and `per_host_concurrency`.

use std::collections::BTreeMap;
use std::path::Path;

use toml::Spanned;

use super::error::{ConfigError, Ctx, echo};

/// Prefix of a header value read from the environment: `"env:CONGRESS_API_KEY"`.
pub const ENV_PREFIX: &str = "env:";

/// Most requests in flight to one host that `per_host_concurrency` accepts.
pub const MAX_PER_HOST_CONCURRENCY: usize = 64;

/// Headers regwatch sets itself (or that only a proxy or the connection may set).
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
    "te",
    "trailer",
    "if-none-match",
    "if-modified-since",
    "proxy-authorization",
];

/// One configured request header.
#[derive(Clone, PartialEq, Eq)]
pub struct HeaderSpec {
    /// Header name, as written (valid HTTP).
    pub name: String,
    /// Where its value comes from.
    pub value: HeaderValueSpec,
    /// `file:line:column` of the value, for warnings.
    pub at: String,
}

/// Where a header's value comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum HeaderValueSpec {
    /// Written in the file (not a secret).
    Literal(String),
    /// The environment variable of this name, read at each fetch; never printed, stored or
    /// logged.
    Env(String),
}

impl std::fmt::Debug for HeaderSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A literal value is in the file, but there is no reason to print it either.
        let value = match &self.value {
            HeaderValueSpec::Literal(_) => "(literal)".to_string(),
            HeaderValueSpec::Env(var) => format!("env:{var}"),
        };
        write!(f, "{}: {value}", self.name)
    }
}

/// A header whose variable is not set, or holds no valid header value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvHeaderError {
    /// The variable is not set (or not valid Unicode).
    #[error("environment variable {0} is not set")]
    Unset(String),
    /// The variable holds characters an HTTP header cannot carry (the value is not shown).
    #[error("environment variable {0} does not hold a valid HTTP header value")]
    Invalid(String),
}

impl HeaderSpec {
    /// The header's value now: the literal, or the variable read from `env` (a lookup such as
    /// `|k| std::env::var(k).ok()`).
    ///
    /// # Errors
    /// [`EnvHeaderError`] naming the variable (never its value).
    pub fn resolve(&self, env: impl Fn(&str) -> Option<String>) -> Result<String, EnvHeaderError> {
        match &self.value {
            HeaderValueSpec::Literal(v) => Ok(v.clone()),
            HeaderValueSpec::Env(var) => {
                let v = env(var).ok_or_else(|| EnvHeaderError::Unset(var.clone()))?;
                if reqwest::header::HeaderValue::from_str(&v).is_err() {
                    return Err(EnvHeaderError::Invalid(var.clone()));
                }
                Ok(v)
            }
        }
    }
}

/// `headers = { "X-Api-Key" = "env:NAME", … }`, checked: valid HTTP names and values, names
/// regwatch does not set itself, well-formed variable names.
pub(super) fn headers(
    ctx: &Ctx<'_>,
    raw: Option<&BTreeMap<Spanned<String>, Spanned<String>>>,
) -> Result<Vec<HeaderSpec>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(raw.len());
    for (name, value) in raw {
        let n = name.get_ref();
        if reqwest::header::HeaderName::from_bytes(n.as_bytes()).is_err() {
            return Err(ctx.err(
                name.span(),
                format!(
                    "`headers`: \"{}\" is not a valid HTTP header name: expected letters, digits and - (e.g. \"X-Api-Key\")",
                    echo(n)
                ),
            ));
        }
        if RESERVED_HEADERS.contains(&n.to_ascii_lowercase().as_str()) {
            return Err(ctx.err(
                name.span(),
                format!(
                    "`headers`: \"{}\" is set by regwatch itself and cannot be configured",
                    echo(n)
                ),
            ));
        }
        let v = value.get_ref();
        let spec = if let Some(var) = v.strip_prefix(ENV_PREFIX) {
            if !valid_env_name(var) {
                return Err(ctx.err(
                    value.span(),
                    format!(
                        "`headers`: \"{}\" is not a valid environment variable name: expected letters, digits and _ (e.g. \"env:CONGRESS_API_KEY\")",
                        echo(var)
                    ),
                ));
            }
            HeaderValueSpec::Env(var.to_string())
        } else {
            if reqwest::header::HeaderValue::from_str(v).is_err() {
                // The value is not echoed: it may be a secret written here by mistake.
                return Err(ctx.err(
                    value.span(),
                    format!(
                        "`headers`: the value of \"{}\" is not a valid HTTP header value (control characters or non-ASCII text); secrets belong in the environment: \"env:NAME\"",
                        echo(n)
                    ),
                ));
            }
            HeaderValueSpec::Literal(v.clone())
        };
        out.push(HeaderSpec {
            name: n.clone(),
            value: spec,
            at: ctx.location(value.span()),
        });
    }
    Ok(out)
}

/// `NAME` of `env:NAME`: a letter or `_`, then letters, digits or `_`.
fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A `ca_file`, read and checked when the file is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaFile {
    /// The file (resolved against the config file's folder).
    pub path: std::path::PathBuf,
    /// Its certificates, DER-encoded.
    pub certificates: Vec<Vec<u8>>,
}

/// `ca_file = "corp-ca.pem"`: a PEM file with at least one certificate, relative to the config
/// file's folder.
pub(super) fn ca_file(
    ctx: &Ctx<'_>,
    raw: Option<&Spanned<String>>,
    base: &Path,
) -> Result<Option<CaFile>, ConfigError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let Some(raw) = raw else {
        return Ok(None);
    };
    let path = {
        let p = Path::new(raw.get_ref());
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            base.join(p)
        }
    };
    let fail = |why: String| {
        ctx.err(
            raw.span(),
            format!(
                "`ca_file`: {why}: expected a PEM file of certificates (-----BEGIN CERTIFICATE-----)"
            ),
        )
    };
    let bytes = std::fs::read(&path).map_err(|e| {
        fail(format!(
            "cannot read \"{}\": {e}",
            echo(&path.display().to_string())
        ))
    })?;
    let certificates = CertificateDer::pem_slice_iter(&bytes)
        .map(|c| c.map(|c| c.to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            fail(format!(
                "\"{}\" is not valid PEM ({e})",
                echo(&path.display().to_string())
            ))
        })?;
    if certificates.is_empty() {
        return Err(fail(format!(
            "\"{}\" holds no certificate",
            echo(&path.display().to_string())
        )));
    }
    for der in &certificates {
        if reqwest::Certificate::from_der(der).is_err() {
            return Err(fail(format!(
                "\"{}\" holds a certificate that cannot be read",
                echo(&path.display().to_string())
            )));
        }
    }
    Ok(Some(CaFile { path, certificates }))
}

/// `per_host_concurrency`: 1 to [`MAX_PER_HOST_CONCURRENCY`].
pub(super) fn per_host_concurrency(
    ctx: &Ctx<'_>,
    raw: Option<&Spanned<i64>>,
) -> Result<Option<usize>, ConfigError> {
    let Some(n) = raw else {
        return Ok(None);
    };
    match usize::try_from(*n.get_ref()) {
        Ok(v) if (1..=MAX_PER_HOST_CONCURRENCY).contains(&v) => Ok(Some(v)),
        _ => Err(ctx.err(
            n.span(),
            format!(
                "`per_host_concurrency`: expected a whole number from 1 to {MAX_PER_HOST_CONCURRENCY} (requests in flight to one host at once)"
            ),
        )),
    }
}

/// `keep_items_in`: `"title"` (the item's own lines: title, link, date, fields; the default) or
/// `"all"` (also its summary, description and nested fields). `true` for `"all"`.
pub(super) fn keep_items_in(
    ctx: &Ctx<'_>,
    raw: Option<&Spanned<String>>,
) -> Result<bool, ConfigError> {
    match raw.map(|r| (r, r.get_ref().as_str())) {
        None | Some((_, "title")) => Ok(false),
        Some((_, "all")) => Ok(true),
        Some((r, other)) => Err(ctx.err(
            r.span(),
            format!(
                "`keep_items_in`: unknown value \"{}\": expected \"title\" or \"all\"",
                echo(other)
            ),
        )),
    }
}
