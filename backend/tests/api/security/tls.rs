//! HTTPS in the server itself: TLS 1.2 and 1.3 with a test authority's certificate, TLS 1.1
//! refused, HSTS sent; and the plain-HTTP port that sends visitors to HTTPS.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

use crate::helpers::{write_certificates, TestApp};

struct Tls {
    app: TestApp,
    authority: String,
    _folder: tempfile::TempDir,
}

async fn https_app() -> Tls {
    let folder = tempfile::tempdir().unwrap();
    let authority = write_certificates(folder.path());
    let (cert, key) = (
        folder.path().join("server.pem"),
        folder.path().join("server.key"),
    );
    let app = TestApp::spawn_with(move |config| {
        config.tls_cert = Some(cert);
        config.tls_key = Some(key);
        config.public_url = "https://127.0.0.1".into();
    })
    .await;
    Tls {
        app,
        authority,
        _folder: folder,
    }
}

fn port_of(app: &TestApp) -> u16 {
    app.url("")
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .parse()
        .unwrap()
}

/// A GET over TLS of exactly `version`, trusting only the test authority: the version the
/// server agreed to and the raw response.
fn get_over(
    port: u16,
    authority: &str,
    version: &'static rustls::SupportedProtocolVersion,
) -> Result<(rustls::ProtocolVersion, String), String> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(authority.as_bytes()).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[version])
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let connection = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut stream = rustls::StreamOwned::new(connection, socket);
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let negotiated = stream.conn.protocol_version().ok_or("no version agreed")?;
    Ok((negotiated, response))
}

/// A TLS 1.1 ClientHello (no supported_versions extension), as an old client sends it.
fn tls11_client_hello() -> Vec<u8> {
    let mut body = vec![0x03, 0x02]; // client_version TLS 1.1
    body.extend([0x11; 32]); // random
    body.push(0); // no session id
    body.extend([0x00, 0x04, 0xc0, 0x13, 0x00, 0x2f]); // two CBC suites of the time
    body.extend([0x01, 0x00]); // null compression
    let mut handshake = vec![0x01, 0x00, 0x00, body.len() as u8];
    handshake.extend(body);
    let mut record = vec![0x16, 0x03, 0x01, 0x00, handshake.len() as u8];
    record.extend(handshake);
    record
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_speaks_tls_1_2_and_1_3_with_hsts_and_refuses_1_1() {
    let tls = https_app().await;
    let port = port_of(&tls.app);
    for (version, expected) in [
        (&rustls::version::TLS12, rustls::ProtocolVersion::TLSv1_2),
        (&rustls::version::TLS13, rustls::ProtocolVersion::TLSv1_3),
    ] {
        let authority = tls.authority.clone();
        let (negotiated, response) =
            tokio::task::spawn_blocking(move || get_over(port, &authority, version))
                .await
                .unwrap()
                .expect("a TLS connection");
        assert_eq!(negotiated, expected);
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(
            response
                .to_ascii_lowercase()
                .contains("strict-transport-security: max-age=31536000"),
            "{response}"
        );
    }

    let answer = tokio::task::spawn_blocking(move || {
        let mut socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
        socket.write_all(&tls11_client_hello()).unwrap();
        let mut answer = Vec::new();
        let _ = socket.read_to_end(&mut answer);
        answer
    })
    .await
    .unwrap();
    assert_eq!(
        answer.first(),
        Some(&0x15),
        "an alert, never a ServerHello: {answer:?}"
    );
    assert_eq!(answer.get(5), Some(&2), "a fatal alert");
    assert!(
        matches!(answer.get(6), Some(40 | 70)),
        "handshake_failure or protocol_version: {answer:?}"
    );

    // Plain HTTP on the TLS port gets no page.
    let plain = tokio::task::spawn_blocking(move || {
        let mut socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
        socket
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut answer = Vec::new();
        let _ = socket.read_to_end(&mut answer);
        answer
    })
    .await
    .unwrap();
    assert!(!plain.starts_with(b"HTTP/1.1 200"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_is_sent_to_the_public_https_address_only() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server =
        madoguchi::server::build_https_redirect("https://madoguchi.city.example/", listener)
            .unwrap();
    tokio::spawn(server);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client
        .get(format!("http://127.0.0.1:{port}/demo/book/apply/?lang=en"))
        .header("Host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 308);
    assert_eq!(
        answer.headers()["location"],
        "https://madoguchi.city.example/demo/book/apply/?lang=en"
    );
}

#[test]
fn plain_http_stays_the_default() {
    let config = madoguchi::config::Config::from_lookup(|_| None).unwrap();
    assert!(config.tls_cert.is_none() && !config.https());
    assert!(config.public_url.starts_with("http://"));
    let half = madoguchi::config::Config::from_lookup(|key| {
        (key == "MADOGUCHI_TLS_CERT").then(|| "/etc/ssl/city.pem".to_string())
    });
    assert!(
        half.is_err(),
        "a certificate without its key is refused at start"
    );
}
