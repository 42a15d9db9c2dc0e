//! Fetch failures named for people, on real loopback connections: a closed port is an
//! unreachable host, and refused TLS certificates say why (no rustls internals).
//!
//! The certificates in `tests/fixtures/tls/` are throwaway, valid until 2126, made with:
//! `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
//! -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -addext basicConstraints=critical,CA:TRUE`
//! (`ca-as-server`), and the same with `CA:FALSE`, `extendedKeyUsage=serverAuth` and
//! `keyUsage=digitalSignature` (`self-signed`).

#[path = "common/ports.rs"]
mod ports;

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use regwatch::fetch::{FetchError, FetchOptions, Fetcher, Validators};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

fn fetcher() -> Fetcher {
    Fetcher::new(FetchOptions {
        user_agent: "regwatch-test".into(),
        timeout: Duration::from_secs(10),
        max_body: 1_000_000,
    })
    .unwrap()
}

async fn fetch_error(url: &str) -> FetchError {
    match fetcher().fetch(url, &Validators::default()).await {
        Ok(f) => panic!("{url} answered {}", f.status),
        Err(e) => e,
    }
}

#[tokio::test]
async fn a_closed_port_is_an_unreachable_host() {
    let down = ports::ClosedPort::reserve();
    let e = fetch_error(&format!("http://127.0.0.1:{}/", down.port)).await;
    assert!(e.is_unreachable(), "{e:?}");
    assert_eq!(
        e.to_string(),
        "127.0.0.1 is unreachable (connection refused)"
    );
}

/// Serves one TLS handshake on 127.0.0.1 with the fixture certificate `name`; returns the port.
fn tls_server(name: &str) -> u16 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let certs = CertificateDer::pem_file_iter(dir.join(format!("{name}.pem")))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(dir.join(format!("{name}.key"))).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((tcp, _)) = listener.accept() {
            let conn = rustls::ServerConnection::new(Arc::new(config)).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            // The client gives up during the handshake; the error is expected.
            let _ = tls.read(&mut [0u8; 64]);
        }
    });
    port
}

#[tokio::test]
async fn a_ca_certificate_used_by_a_server_is_named() {
    let port = tls_server("ca-as-server");
    let e = fetch_error(&format!("https://127.0.0.1:{port}/")).await;
    assert!(!e.is_unreachable(), "{e:?}");
    assert_eq!(
        e.to_string(),
        "TLS certificate of 127.0.0.1 is not valid: a CA certificate is used as a server certificate"
    );
}

#[tokio::test]
async fn a_self_signed_certificate_is_named() {
    let port = tls_server("self-signed");
    let e = fetch_error(&format!("https://127.0.0.1:{port}/")).await;
    let text = e.to_string();
    assert!(
        text.starts_with(
            "TLS certificate of 127.0.0.1 is not valid: it is issued by an unknown authority"
        ),
        "{text}"
    );
    assert!(!text.contains("Other") && !text.contains("Error"), "{text}");
}
