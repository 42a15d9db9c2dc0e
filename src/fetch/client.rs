//! The reqwest client: timeouts, no automatic redirects, compression, extra trust roots (a
//! source's `ca_file`), and the standard proxy variables with loopback always direct.

use std::time::Duration;

use reqwest::redirect;

use super::{FetchError, FetchOptions, chain};

/// Hosts never sent through a proxy, whatever `NO_PROXY` says: the machine itself.
const ALWAYS_DIRECT: &str = "localhost,127.0.0.0/8,::1";

/// Builds a client with `opts`, trusting `extra_roots` (DER certificates) besides the system's.
pub(super) fn build(
    opts: &FetchOptions,
    extra_roots: &[Vec<u8>],
) -> Result<reqwest::Client, FetchError> {
    // Redirects are followed hop by hop by the caller ([`super::Fetcher::fetch_hop`]), never by
    // reqwest: another host's robots.txt and per-host gap apply to the hops on that host.
    let mut builder = reqwest::Client::builder()
        .user_agent(opts.user_agent.clone())
        .timeout(opts.timeout)
        .connect_timeout(opts.timeout.min(Duration::from_secs(15)))
        .redirect(redirect::Policy::none())
        .gzip(true)
        .brotli(true)
        // reqwest's own reading of the proxy variables would also proxy 127.0.0.1; these are
        // the same variables with loopback kept direct.
        .no_proxy();
    for proxy in env_proxies(&|k| std::env::var(k).ok())? {
        builder = builder.proxy(proxy);
    }
    if !extra_roots.is_empty() {
        let certs = extra_roots
            .iter()
            .map(|der| reqwest::Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| FetchError::Request(format!("cannot use ca_file: {}", chain(&e))))?;
        builder = builder.tls_certs_merge(certs);
    }
    builder.build().map_err(|e| FetchError::Request(chain(&e)))
}

/// A proxy for one scheme (or all) from its URL.
type MakeProxy = fn(String) -> reqwest::Result<reqwest::Proxy>;

/// The first of these variables that is set and not empty.
fn first_set(env: &dyn Fn(&str) -> Option<String>, names: &[&str]) -> Option<(String, String)> {
    names.iter().find_map(|n| {
        env(n)
            .filter(|v| !v.trim().is_empty())
            .map(|v| ((*n).to_string(), v))
    })
}

/// Proxies from `HTTP_PROXY`, `HTTPS_PROXY` and `ALL_PROXY` (upper or lower case, as curl reads
/// them), each bypassed for the hosts of `NO_PROXY` and for loopback.
///
/// # Errors
/// [`FetchError::Request`] naming the variable (not its value, which may hold a password) when
/// it is not a proxy URL.
pub(super) fn env_proxies(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<reqwest::Proxy>, FetchError> {
    let no_proxy = match first_set(env, &["NO_PROXY", "no_proxy"]) {
        Some((_, list)) => format!("{list},{ALWAYS_DIRECT}"),
        None => ALWAYS_DIRECT.to_string(),
    };
    let kinds: [(&[&str], MakeProxy); 3] = [
        (&["HTTP_PROXY", "http_proxy"], |u| reqwest::Proxy::http(u)),
        (&["HTTPS_PROXY", "https_proxy"], |u| {
            reqwest::Proxy::https(u)
        }),
        (&["ALL_PROXY", "all_proxy"], |u| reqwest::Proxy::all(u)),
    ];
    let mut out = Vec::new();
    for (names, make) in kinds {
        let Some((name, value)) = first_set(env, names) else {
            continue;
        };
        let proxy = make(value).map_err(|_| {
            FetchError::Request(format!(
                "{name} is not a proxy URL: expected e.g. http://proxy.example:3128"
            ))
        })?;
        out.push(proxy.no_proxy(reqwest::NoProxy::from_string(&no_proxy)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_come_from_the_usual_variables_and_bad_ones_are_named_without_their_value() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_string())
            }
        };
        assert!(env_proxies(&env(&[])).unwrap().is_empty());
        let set = env(&[
            ("https_proxy", "http://proxy.example:3128"),
            ("HTTP_PROXY", "http://proxy.example:3128"),
            ("NO_PROXY", "internal.example"),
        ]);
        assert_eq!(env_proxies(&set).unwrap().len(), 2);
        let bad = env(&[("HTTPS_PROXY", "http://user:s3cret@[::bad")]);
        let e = env_proxies(&bad).unwrap_err().to_string();
        assert!(e.contains("HTTPS_PROXY is not a proxy URL"), "{e}");
        assert!(!e.contains("s3cret"), "{e}");
    }
}
