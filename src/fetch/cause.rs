//! What a failed request's chain of causes says, in words for people: a refused TLS certificate
//! and why, or a host that cannot be reached (DNS, refused connection, no route).
//!
//! reqwest wraps hyper, which wraps an `io::Error`, which wraps the rustls error; their texts are
//! made for developers (`Other(OtherError(CaUsedAsEndEntity))`). Here the chain is walked and
//! the errors that matter are recognised by type.

use std::error::Error as StdError;
use std::io;

use rustls::CertificateError;
use rustls::pki_types::UnixTime;

type Cause<'a> = &'a (dyn StdError + 'static);

/// Every error of the chain, the error first. An `io::Error` hides the error it wraps from
/// `source()` (it returns that error's own source), so the walk goes through the wrapped error
/// instead (io errors nest: hyper wraps the one tokio-rustls made).
fn causes(e: Cause<'_>) -> Vec<Cause<'_>> {
    let mut out = Vec::new();
    let mut cur = Some(e);
    while let Some(err) = cur {
        out.push(err);
        cur = match err.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            Some(inner) => Some(inner),
            None => err.source(),
        };
    }
    out
}

/// The TLS failure in the chain, as a sentence naming `host`, if there is one.
pub(super) fn tls_problem(e: Cause<'_>, host: &str) -> Option<String> {
    let tls = causes(e)
        .into_iter()
        .find_map(|c| c.downcast_ref::<rustls::Error>())?;
    Some(match tls {
        rustls::Error::InvalidCertificate(cert) => {
            format!(
                "TLS certificate of {host} is not valid: {}",
                certificate_problem(cert)
            )
        }
        rustls::Error::AlertReceived(alert) => format!(
            "TLS handshake with {host} failed: the server ended it ({})",
            words(&format!("{alert:?}"))
        ),
        rustls::Error::PeerIncompatible(why) => format!(
            "TLS handshake with {host} failed: the server and regwatch have no TLS version or cipher in common ({})",
            words(&format!("{why:?}"))
        ),
        rustls::Error::NoCertificatesPresented => {
            format!("TLS handshake with {host} failed: the server sent no certificate")
        }
        other => format!("TLS handshake with {host} failed: {other}"),
    })
}

/// Why a certificate was refused.
fn certificate_problem(e: &CertificateError) -> String {
    #[allow(deprecated)] // UnsupportedSignatureAlgorithm: still produced by older verifiers
    let text = match e {
        CertificateError::UnknownIssuer => {
            "it is issued by an unknown authority (self-signed, or signed by a private CA this machine does not trust)"
        }
        CertificateError::Expired => "it has expired",
        CertificateError::ExpiredContext { not_after, .. } => {
            return format!("it expired on {}", date(*not_after));
        }
        CertificateError::NotValidYet => "it is not valid yet (or this machine's clock is wrong)",
        CertificateError::NotValidYetContext { not_before, .. } => {
            return format!(
                "it is not valid before {} (or this machine's clock is wrong)",
                date(*not_before)
            );
        }
        CertificateError::NotValidForName => "it is for another host name",
        CertificateError::NotValidForNameContext { presented, .. } => {
            return if presented.is_empty() {
                "it names no host".to_string()
            } else {
                format!("it is for another host name ({})", presented.join(", "))
            };
        }
        CertificateError::Revoked => "it has been revoked",
        CertificateError::BadEncoding => "it is malformed",
        CertificateError::BadSignature => "its signature does not match",
        CertificateError::UnsupportedSignatureAlgorithm
        | CertificateError::UnsupportedSignatureAlgorithmContext { .. }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "it is signed with an algorithm regwatch does not support"
        }
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            "it is not meant for a web server (extended key usage)"
        }
        CertificateError::UnhandledCriticalExtension => {
            "it has a critical extension regwatch does not understand"
        }
        CertificateError::UnknownRevocationStatus => "its revocation status is unknown",
        CertificateError::ExpiredRevocationList
        | CertificateError::ExpiredRevocationListContext { .. } => {
            "the revocation list to check it against has expired"
        }
        CertificateError::Other(other) => return webpki_problem(other.0.as_ref()),
        other => return words(&other.to_string()),
    };
    text.to_string()
}

/// Certificate errors rustls passes on as `Other`: webpki's own, then anything else.
fn webpki_problem(e: &(dyn StdError + Send + Sync + 'static)) -> String {
    let Some(w) = e.downcast_ref::<webpki::Error>() else {
        return words(&e.to_string());
    };
    match w {
        webpki::Error::CaUsedAsEndEntity => {
            "a CA certificate is used as a server certificate".to_string()
        }
        webpki::Error::EndEntityUsedAsCa => {
            "a server certificate is used as a CA certificate".to_string()
        }
        webpki::Error::CertDistrusted => "it is distrusted".to_string(),
        webpki::Error::NameConstraintViolation => {
            "its issuer may not issue certificates for this name".to_string()
        }
        webpki::Error::PathLenConstraintViolated | webpki::Error::MaximumPathDepthExceeded => {
            "its chain of issuers is too long".to_string()
        }
        other => words(&format!("{other:?}")),
    }
}

/// A time as a date, e.g. `2025-01-31`.
fn date(t: UnixTime) -> String {
    i64::try_from(t.as_secs())
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map_or_else(
            || format!("{} (UNIX time)", t.as_secs()),
            |d| d.format("%Y-%m-%d").to_string(),
        )
}

/// An identifier such as `CaUsedAsEndEntity` or `HandshakeFailure` as lower-case words; other
/// text is kept up to its first `(` or `{` (where Debug detail starts).
fn words(text: &str) -> String {
    let head = text.split(['(', '{']).next().unwrap_or(text).trim();
    if head.contains(' ') || head.is_empty() {
        return head.to_string();
    }
    let mut out = String::new();
    for (i, c) in head.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Why the host could not be reached, when the chain says it: no DNS answer, refused, no route.
pub(super) fn unreachable_reason(e: Cause<'_>) -> Option<&'static str> {
    let causes = causes(e);
    // hyper-util names DNS failures "dns error" (its error type is private).
    if causes.iter().any(|c| c.to_string() == "dns error") {
        return Some("DNS lookup failed");
    }
    causes.iter().find_map(|c| {
        let io = c.downcast_ref::<io::Error>()?;
        match io.kind() {
            io::ErrorKind::ConnectionRefused => Some("connection refused"),
            io::ErrorKind::HostUnreachable => Some("no route to host"),
            io::ErrorKind::NetworkUnreachable => Some("network unreachable"),
            io::ErrorKind::AddrNotAvailable => Some("address not available"),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// An error with a text and a cause, as hyper and reqwest build them.
    #[derive(Debug)]
    struct Wrap(&'static str, Box<dyn StdError + Send + Sync>);

    impl std::fmt::Display for Wrap {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Wrap {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(self.1.as_ref())
        }
    }

    /// A rustls error inside two `io::Error`s inside two wrappers, the way it reaches reqwest.
    fn tls_chain(e: rustls::Error) -> Wrap {
        let io = io::Error::other(io::Error::new(io::ErrorKind::InvalidData, e));
        Wrap(
            "error sending request",
            Box::new(Wrap("client error (Connect)", Box::new(io))),
        )
    }

    fn cert(e: CertificateError) -> String {
        tls_problem(
            &tls_chain(rustls::Error::InvalidCertificate(e)),
            "example.org",
        )
        .unwrap_or_default()
    }

    #[test]
    fn certificate_errors_read_as_sentences() {
        assert_eq!(
            cert(CertificateError::Other(rustls::OtherError(Arc::new(
                webpki::Error::CaUsedAsEndEntity
            )))),
            "TLS certificate of example.org is not valid: a CA certificate is used as a server certificate"
        );
        assert!(
            cert(CertificateError::UnknownIssuer).contains("issued by an unknown authority"),
            "{}",
            cert(CertificateError::UnknownIssuer)
        );
        let expired = cert(CertificateError::ExpiredContext {
            time: UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_800_000_000)),
            not_after: UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_700_000_000)),
        });
        assert!(expired.ends_with("it expired on 2023-11-14"), "{expired}");
        assert!(cert(CertificateError::NotValidForName).contains("another host name"));
        let other = cert(CertificateError::Other(rustls::OtherError(Arc::new(
            webpki::Error::UnsupportedCertVersion,
        ))));
        assert!(other.ends_with("unsupported cert version"), "{other}");
        for text in [expired, other] {
            assert!(
                !text.contains("Other") && !text.contains("Context"),
                "{text}"
            );
        }
    }

    #[test]
    fn handshake_errors_drop_debug_names() {
        let e = tls_problem(
            &tls_chain(rustls::Error::AlertReceived(
                rustls::AlertDescription::HandshakeFailure,
            )),
            "example.org",
        )
        .unwrap_or_default();
        assert_eq!(
            e,
            "TLS handshake with example.org failed: the server ended it (handshake failure)"
        );
    }

    #[test]
    fn unreachable_hosts_are_recognised() {
        let refused = Wrap(
            "tcp connect error",
            Box::new(io::Error::from(io::ErrorKind::ConnectionRefused)),
        );
        assert_eq!(unreachable_reason(&refused), Some("connection refused"));
        let dns = Wrap(
            "client error (Connect)",
            Box::new(Wrap(
                "dns error",
                Box::new(io::Error::other("failed to lookup address information")),
            )),
        );
        assert_eq!(unreachable_reason(&dns), Some("DNS lookup failed"));
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert_eq!(unreachable_reason(&reset), None);
        assert_eq!(tls_problem(&refused, "x"), None);
    }

    #[test]
    fn identifiers_become_words() {
        assert_eq!(words("CaUsedAsEndEntity"), "ca used as end entity");
        assert_eq!(words("Other(OtherError(X))"), "other");
        assert_eq!(
            words("peer sent no certificates"),
            "peer sent no certificates"
        );
    }
}
