//! How each source is reached: its HTTP client (its own when it has a `ca_file`), the per-host
//! limits of the host gate, and its request headers, with `env:` values read at each fetch.

use std::collections::HashMap;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::config::{Config, EnvHeaderError, Source};
use crate::fetch::{FetchError, Fetcher};
use crate::scheduler::HostGate;

/// The clients of the sources that have a `ca_file`, by source id (the others share the default
/// client).
///
/// # Errors
/// [`FetchError::Request`] naming the source when its certificates cannot be used.
pub(super) fn source_fetchers(
    config: &Config,
    default: &Fetcher,
) -> Result<HashMap<String, Fetcher>, FetchError> {
    let mut out = HashMap::new();
    for s in &config.sources {
        if let Some(ca) = &s.ca_file {
            let fetcher = default.with_roots(&ca.certificates).map_err(|e| {
                FetchError::Request(format!(
                    "source {}: ca_file {}: {e}",
                    s.id,
                    ca.path.display()
                ))
            })?;
            out.insert(s.id.clone(), fetcher);
        }
    }
    Ok(out)
}

/// The host gate: `settings.per_host_concurrency` requests in flight per host, or more for the
/// host of a source that asks for more (the largest wins when several sources share a host).
pub(super) fn host_gate(config: &Config) -> HostGate {
    let s = &config.settings;
    let mut limits: HashMap<String, usize> = HashMap::new();
    for source in &config.sources {
        let Some(n) = source.per_host_concurrency else {
            continue;
        };
        let Some(host) = url::Url::parse(&source.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
        else {
            continue;
        };
        let limit = limits.entry(host).or_insert(s.per_host_concurrency);
        *limit = (*limit).max(n);
    }
    HostGate::with_limits(s.per_host_delay, s.per_host_concurrency, limits)
}

/// The source's configured headers, `env:` values read from the environment now; the values
/// are marked sensitive (no debug output shows them).
///
/// # Errors
/// [`EnvHeaderError`] naming the variable that is unset or unusable (never its value).
pub(super) fn request_headers(source: &Source) -> Result<HeaderMap, EnvHeaderError> {
    let mut map = HeaderMap::new();
    for h in &source.headers {
        let value = h.resolve(|k| std::env::var(k).ok())?;
        // Both were checked: the name when the file was loaded, the value by `resolve`.
        let (Ok(name), Ok(mut value)) = (
            HeaderName::from_bytes(h.name.as_bytes()),
            HeaderValue::from_str(&value),
        ) else {
            let what = match &h.value {
                crate::config::HeaderValueSpec::Env(var) => var.clone(),
                crate::config::HeaderValueSpec::Literal(_) => h.name.clone(),
            };
            return Err(EnvHeaderError::Invalid(what));
        };
        value.set_sensitive(true);
        map.append(name, value);
    }
    Ok(map)
}

/// Whether a request to `to` may carry the headers configured for a source at `from`: only on
/// the same origin (scheme, host, port), as with a password in the URL.
pub(super) fn same_origin(from: &url::Url, to: &url::Url) -> bool {
    from.origin() == to.origin()
}
