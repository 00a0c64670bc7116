//! Where messages go: files under `var/mail/` on the embedded default (one `.eml` each), or an
//! SMTP server (STARTTLS, implicit TLS or, for a local sink, none) through lettre and rustls.

use std::path::PathBuf;

use lettre::{Message, SmtpTransport, Transport};

pub enum Mailer {
    Files(PathBuf),
    Smtp(SmtpTransport),
}

impl Mailer {
    /// `smtp_url` as lettre reads it: `smtp://user:pass@host:587?tls=required` (STARTTLS),
    /// `smtps://host:465` (implicit TLS), `smtp://127.0.0.1:2525` (no TLS, a local sink).
    /// Without one, messages are written under `mail_dir`.
    pub fn new(smtp_url: Option<&str>, mail_dir: PathBuf) -> anyhow::Result<Mailer> {
        match smtp_url {
            Some(url) => Ok(Mailer::Smtp(
                SmtpTransport::from_url(url)
                    .map_err(|e| anyhow::anyhow!("MADOGUCHI_SMTP_URL: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            )),
            None => Ok(Mailer::Files(mail_dir)),
        }
    }

    /// Hands the message over; an error leaves it for a later attempt.
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
