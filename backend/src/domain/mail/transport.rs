//! Where messages go: files under `var/mail/` on the embedded default (one `.eml` each), or an
//! SMTP server (STARTTLS, implicit TLS or, for a local sink, none) through lettre and rustls,
//! trusting the public certificate authorities and, if given, the city's own.

use std::path::PathBuf;

use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

/// The name, without `.eml`, of the file a message of the outbox is written to.
pub fn file_stem(outbox_id: i64, kind: &str) -> String {
    format!("{outbox_id}-{kind}")
}

pub enum Mailer {
    Files(PathBuf),
    Smtp(SmtpTransport),
}

impl Mailer {
    /// `smtp_url` as lettre reads it: `smtp://user:pass@host:587?tls=required` (STARTTLS),
    /// `smtps://host:465` (implicit TLS), `smtp://127.0.0.1:2525` (no TLS, a local sink).
    /// Without one, messages are written under `mail_dir`.
    pub fn new(smtp_url: Option<&str>, mail_dir: PathBuf) -> anyhow::Result<Mailer> {
        Self::with_private_ca(smtp_url, None, mail_dir)
    }

    /// As `new`, also trusting `private_ca` (PEM): a city's own certificate authority, which
    /// issued its mail relay's certificate. TLS is then required, implicit for `smtps://`
    /// and by STARTTLS otherwise.
    pub fn with_private_ca(
        smtp_url: Option<&str>,
        private_ca: Option<&[u8]>,
        mail_dir: PathBuf,
    ) -> anyhow::Result<Mailer> {
        let Some(url) = smtp_url else {
            return Ok(Mailer::Files(mail_dir));
        };
        refuse_clear_text_login(url, private_ca.is_some())?;
        let mut builder = SmtpTransport::from_url(url)
            .map_err(|e| anyhow::anyhow!("MADOGUCHI_SMTP_URL: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)));
        if let Some(pem) = private_ca {
            let parsed =
                url::Url::parse(url).map_err(|e| anyhow::anyhow!("MADOGUCHI_SMTP_URL: {e}"))?;
            let host = parsed
                .host_str()
                .ok_or_else(|| anyhow::anyhow!("MADOGUCHI_SMTP_URL names no host"))?;
            let certificate = Certificate::from_pem(pem)
                .map_err(|e| anyhow::anyhow!("MADOGUCHI_SMTP_CA_FILE: {e}"))?;
            let parameters = TlsParameters::builder(host.trim_matches(['[', ']']).to_string())
                .add_root_certificate(certificate)
                .build_rustls()
                .map_err(|e| anyhow::anyhow!("MADOGUCHI_SMTP_CA_FILE: {e}"))?;
            builder = builder.tls(if parsed.scheme() == "smtps" {
                Tls::Wrapper(parameters)
            } else {
                Tls::Required(parameters)
            });
        }
        Ok(Mailer::Smtp(builder.build()))
    }

    /// Hands the message over; an error leaves it for a later attempt. When messages are
    /// written to files, `file_stem` (see `file_stem`) names this one.
    pub fn send(&self, message: &Message, file_stem: &str) -> Result<(), String> {
        match self {
            Mailer::Smtp(transport) => transport
                .send(message)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Mailer::Files(folder) => {
                std::fs::create_dir_all(folder).map_err(|e| e.to_string())?;
                let path = folder.join(format!("{file_stem}.eml"));
                let partial = folder.join(format!(".{file_stem}.eml.part"));
                std::fs::write(&partial, message.formatted()).map_err(|e| e.to_string())?;
                // Renamed into place, so a reader never sees half a message.
                std::fs::rename(&partial, &path).map_err(|e| e.to_string())
            }
        }
    }
}

/// A login over `smtp://` without `tls=required` would send the password in clear text
/// whenever the relay (or someone in between) does not offer STARTTLS: refused at start.
fn refuse_clear_text_login(url: &str, private_ca: bool) -> anyhow::Result<()> {
    let parsed = url::Url::parse(url).map_err(|e| anyhow::anyhow!("MADOGUCHI_SMTP_URL: {e}"))?;
    let has_login = !parsed.username().is_empty() || parsed.password().is_some();
    let tls_required = private_ca
        || parsed.scheme() == "smtps"
        || parsed
            .query_pairs()
            .any(|(key, value)| key == "tls" && value == "required");
    if has_login && !tls_required {
        anyhow::bail!(
            "MADOGUCHI_SMTP_URL: a login needs TLS; use smtps://… or add ?tls=required, \
             so that the password never crosses the network in clear text"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_over_plain_smtp_is_refused() {
        let folder = std::env::temp_dir();
        let mailer = |url: &str| Mailer::new(Some(url), folder.clone()).map(|_| ());
        assert!(mailer("smtp://city:secret@relay.example:587").is_err());
        assert!(mailer("smtp://city:secret@relay.example:587?tls=opportunistic").is_err());
        assert!(mailer("smtp://city:secret@relay.example:587?tls=required").is_ok());
        assert!(mailer("smtps://city:secret@relay.example:465").is_ok());
        assert!(
            mailer("smtp://relay.example:25").is_ok(),
            "no login, nothing to protect"
        );
        let message = mailer("smtp://city:secret@relay.example:587")
            .unwrap_err()
            .to_string();
        assert!(!message.contains("secret"), "{message}");
    }
}
