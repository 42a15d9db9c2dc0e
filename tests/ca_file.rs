//! `ca_file`: a source behind a TLS-inspecting proxy trusts that proxy's authority, and only
//! that source does. The server here presents `tests/fixtures/tls/corp-leaf.pem`, signed by
//! `corp-ca.pem` (throwaway, valid until 2126; the CA's key was not kept), made with:
//! `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
//! -subj "/CN=regwatch test corporate CA" -addext basicConstraints=critical,CA:TRUE` for the CA,
//! then a CSR for CN=127.0.0.1 signed with `openssl x509 -req -CA corp-ca.pem` and the extensions
//! `subjectAltName=IP:127.0.0.1`, `basicConstraints=critical,CA:FALSE`,
//! `extendedKeyUsage=serverAuth`, `keyUsage=critical,digitalSignature`.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::{Project, rules_page, stderr, stdout};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

/// An HTTPS server on 127.0.0.1 with the fixture certificate, answering every request with a
/// rules page and closing the connection; returns its port.
fn https_server() -> u16 {
    let certs = CertificateDer::pem_file_iter(fixture("corp-leaf.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(fixture("corp-leaf.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let conn = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            // A client that refuses the certificate ends the handshake: nothing to answer.
            let mut reader = BufReader::new(&mut tls);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let body = rules_page("4,800", "tls");
            let _ = write!(
                tls,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tls.flush();
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    port
}

#[test]
fn a_source_with_the_ca_file_trusts_the_proxy_and_the_others_do_not() {
    let port = https_server();
    let url = format!("https://127.0.0.1:{port}/rules");
    let p = Project::new(&format!(
        "[[source]]\nid = \"inspected\"\nurl = \"{url}\"\nselect = [\"main\"]\nrespect_robots = false\nca_file = \"{}\"\n\n\
         [[source]]\nid = \"plain\"\nurl = \"{url}\"\nselect = [\"main\"]\nrespect_robots = false\n",
        fixture("corp-ca.pem").display()
    ));
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("inspected  baseline stored"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(
            "plain: TLS certificate of 127.0.0.1 is not valid: it is issued by an unknown authority"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_ca_file_is_relative_to_the_config_and_must_hold_certificates() {
    let p = Project::new("");
    std::fs::copy(fixture("corp-ca.pem"), p.path().join("corp.pem")).unwrap();
    std::fs::write(p.path().join("empty.pem"), "no certificate here\n").unwrap();
    std::fs::write(
        p.path().join("broken.pem"),
        "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let config = |file: &str| {
        format!("[[source]]\nid = \"a\"\nurl = \"https://127.0.0.1:9/\"\nca_file = \"{file}\"\n")
    };
    p.write_config(&config("corp.pem"));
    p.ok(&["config", "check"]);
    for (file, message) in [
        ("missing.pem", "cannot read"),
        ("empty.pem", "holds no certificate"),
        ("broken.pem", "is not valid PEM"),
    ] {
        p.write_config(&config(file));
        let out = p.run(&["config", "check"]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = stderr(&out);
        assert!(
            err.contains("sources.toml:4:11: `ca_file`") && err.contains(message),
            "{file}: {err}"
        );
    }
}
