//! A real SMTP server for the mail tests: Python's aiosmtpd in its own process, storing what
//! it receives in a Maildir that the test reads; plain, or with TLS (STARTTLS or implicit)
//! and a required login, under a certificate from a test authority made here.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpSink {
    pub port: u16,
    pub maildir: PathBuf,
    child: Option<Child>,
    secure: Option<Secure>,
    folder: tempfile::TempDir,
}

/// How a secured sink speaks TLS.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    StartTls,
    Implicit,
}

struct Secure {
    mode: TlsMode,
    /// The authority that signed the server's certificate, as PEM.
    authority: String,
}

const SINK_LOGIN: &str = "madoguchi";
const SINK_PASSWORD: &str = "relay-Passw0rd";

/// An aiosmtpd server with TLS from the given certificate and a required login.
const SECURE_SERVER: &str = r#"
import signal, ssl, sys
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword
mode, port, maildir, cert, key, login, password = sys.argv[1:]
def check(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login == login.encode() \
        and data.password == password.encode()
    return AuthResult(success=ok)
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
options = dict(hostname="127.0.0.1", port=int(port), authenticator=check, auth_required=True)
if mode == "starttls":
    options.update(tls_context=context, require_starttls=True)
else:
    # aiosmtpd counts only STARTTLS as TLS when offering AUTH; this connection is TLS
    # from its first byte.
    options.update(ssl_context=context, auth_require_tls=False)
Controller(Mailbox(maildir), **options).start()
signal.pause()
"#;

impl SmtpSink {
    pub fn start() -> SmtpSink {
        Self::start_with(None)
    }

    /// A sink that speaks TLS with a certificate for 127.0.0.1 from a fresh test authority
    /// (see `authority_pem`), and takes mail only after `SINK_LOGIN` logs in.
    pub fn start_secure(mode: TlsMode) -> SmtpSink {
        Self::start_with(Some(mode))
    }

    fn start_with(mode: Option<TlsMode>) -> SmtpSink {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let folder = tempfile::tempdir().expect("a folder");
        let secure = mode.map(|mode| Secure {
            mode,
            authority: write_certificates(folder.path()),
        });
        let mut sink = SmtpSink {
            port,
            maildir: folder.path().join("maildir"),
            child: None,
            secure,
            folder,
        };
        sink.resume();
        sink
    }

    /// The address lettre is given: plain, or with the login and the TLS mode.
    pub fn url(&self) -> String {
        match self.secure.as_ref().map(|s| s.mode) {
            None => format!("smtp://127.0.0.1:{}", self.port),
            Some(TlsMode::StartTls) => format!(
                "smtp://{SINK_LOGIN}:{SINK_PASSWORD}@127.0.0.1:{}?tls=required",
                self.port
            ),
            Some(TlsMode::Implicit) => {
                format!(
                    "smtps://{SINK_LOGIN}:{SINK_PASSWORD}@127.0.0.1:{}",
                    self.port
                )
            }
        }
    }

    /// The test authority's certificate (PEM), for a secured sink.
    pub fn authority_pem(&self) -> &str {
        &self.secure.as_ref().expect("a secured sink").authority
    }

    /// Starts (again) the server on the same port and Maildir.
    pub fn resume(&mut self) {
        let mut command = Command::new("python3");
        match self.secure.as_ref().map(|s| s.mode) {
            None => command
                .args(["-m", "aiosmtpd", "-n", "-l"])
                .arg(format!("127.0.0.1:{}", self.port))
                .args(["-c", "aiosmtpd.handlers.Mailbox"])
                .arg(&self.maildir),
            Some(mode) => command
                .args(["-c", SECURE_SERVER])
                .arg(if mode == TlsMode::StartTls {
                    "starttls"
                } else {
                    "implicit"
                })
                .arg(self.port.to_string())
                .arg(&self.maildir)
                .arg(self.folder.path().join("server.pem"))
                .arg(self.folder.path().join("server.key"))
                .args([SINK_LOGIN, SINK_PASSWORD]),
        };
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd (scripts/test installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "the SMTP server did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The raw messages received so far.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        entries
            .map(|e| std::fs::read(e.expect("entry").path()).expect("message"))
            .collect()
    }
}

/// Makes a test authority and a certificate for 127.0.0.1 signed by it in `folder`
/// (`server.pem`, `server.key`); returns the authority's certificate as PEM.
pub fn write_certificates(folder: &std::path::Path) -> String {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let authority_key = KeyPair::generate().expect("a key");
    let mut authority = CertificateParams::new(Vec::<String>::new()).expect("parameters");
    authority.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    authority
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Madoguchi test authority");
    let authority = authority.self_signed(&authority_key).expect("authority");
    let server_key = KeyPair::generate().expect("a key");
    let server = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .expect("parameters")
        .signed_by(&server_key, &authority, &authority_key)
        .expect("server certificate");
    std::fs::write(folder.join("server.pem"), server.pem()).expect("writing");
    std::fs::write(folder.join("server.key"), server_key.serialize_pem()).expect("writing");
    authority.pem()
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}
