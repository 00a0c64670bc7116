//! Configuration from environment variables, each with a working default.
//! The README lists every variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{anyhow, Context};
use chrono_tz::Tz;

#[derive(Clone, Debug)]
pub struct Config {
    /// MADOGUCHI_BIND: address the HTTP server listens on.
    pub bind: SocketAddr,
    /// DATABASE_URL: an existing PostgreSQL; unset means the embedded cluster under `var_dir`.
    pub database_url: Option<String>,
    /// MADOGUCHI_APP_DATABASE_URL: the login of the `madoguchi_app` role for the web
    /// server's connections; unset, the server switches DATABASE_URL's connections to that
    /// role (the embedded cluster logs in as it directly).
    pub app_database_url: Option<String>,
    /// MADOGUCHI_VAR_DIR: where the embedded cluster and other local state live.
    pub var_dir: PathBuf,
    /// MADOGUCHI_DB_POOL_SIZE: connections per server process.
    pub db_pool_size: u32,
    /// MADOGUCHI_HTTP_WORKERS: actix worker threads (0 = one per core).
    pub http_workers: usize,
    /// MADOGUCHI_TIME_ZONE: the zone of every date and time residents and staff see.
    pub time_zone: Tz,
    /// MADOGUCHI_DEMO_DATA: folder with the demo cards and holiday list used by `seed-demo`.
    pub demo_data_dir: PathBuf,
    /// MADOGUCHI_SEED_DEMO: `auto` seeds the demo tenant into an empty embedded database,
    /// `always` into any empty database, `never` does not.
    pub seed_demo: SeedDemo,
    /// MADOGUCHI_PROOF_CHECKS_PER_MINUTE: identification attempts allowed per client address.
    pub proof_checks_per_minute: u32,
    /// MADOGUCHI_WRITES_PER_MINUTE: holds and bookings residents may make a minute from one
    /// address (an IPv4 address or an IPv6 /64); one session may make a fifth of that.
    pub writes_per_minute: u32,
    /// MADOGUCHI_HELD_PLACES_PER_ADDRESS: places residents from one address may hold at once.
    pub held_places_per_address: i64,
    /// MADOGUCHI_LOGINS_PER_MINUTE: staff login attempts a minute from one network; a
    /// city's whole console gets ten times as many, so a flood cannot keep the processors
    /// busy hashing.
    pub logins_per_minute: u32,
    /// MADOGUCHI_SMTP_URL: the mail server (`smtp://user:pass@host:587?tls=required`,
    /// `smtps://host:465`); unset writes each message to `var/mail/` instead.
    pub smtp_url: Option<String>,
    /// MADOGUCHI_SMTP_CA_FILE: a PEM file of the certificate authority that issued the mail
    /// server's certificate, when it is not a public one (a city's internal relay).
    pub smtp_ca_file: Option<PathBuf>,
    /// MADOGUCHI_MAIL_FROM: the sender of messages to residents.
    pub mail_from: String,
    /// MADOGUCHI_PUBLIC_URL: the site's address in links sent by e-mail. When it starts with
    /// `https://`, cookies are `Secure` with `__Host-` names and HSTS is sent.
    pub public_url: String,
    /// MADOGUCHI_TLS_CERT and MADOGUCHI_TLS_KEY: PEM files; with both, the server speaks
    /// only HTTPS (TLS 1.2 and 1.3).
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// MADOGUCHI_HTTP_REDIRECT_BIND: a plain-HTTP address that sends every request on to
    /// the public HTTPS address.
    pub http_redirect_bind: Option<SocketAddr>,
    /// MADOGUCHI_TRUSTED_PROXIES: comma-separated addresses or CIDRs of reverse proxies;
    /// only from them are `Forwarded` and `X-Forwarded-For` believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// MADOGUCHI_MAIL_POLL_MS: how often the mail worker looks for messages to send.
    pub mail_poll_ms: u64,
    /// MADOGUCHI_ACCESS_LOG_DIR: where `serve` writes one access-log file a day
    /// (`access.YYYY-MM-DD.log`); default `VAR_DIR/log`.
    pub access_log_dir: PathBuf,
    /// MADOGUCHI_ACCESS_LOG_DAYS: how many daily files are kept (at least 366: a year).
    pub access_log_days: usize,
    /// How far the server's clock stands from the system's. Never read from the
    /// environment: only a test that starts the server in its own process sets it, to
    /// stand at a chosen instant (the browser tests move the whole process's clock with
    /// libfaketime instead).
    pub clock_shift: chrono::Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeedDemo {
    Auto,
    Always,
    Never,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
        let var = |key: &str, default: &str| get(key).unwrap_or_else(|| default.to_string());
        let parse_num = |key: &str, default: &str| -> anyhow::Result<u64> {
            var(key, default)
                .parse::<u64>()
                .with_context(|| format!("{key} must be a whole number"))
        };
        let path = |key: &str| get(key).filter(|v| !v.is_empty()).map(PathBuf::from);
        let (tls_cert, tls_key) = (path("MADOGUCHI_TLS_CERT"), path("MADOGUCHI_TLS_KEY"));
        anyhow::ensure!(
            tls_cert.is_some() == tls_key.is_some(),
            "set both MADOGUCHI_TLS_CERT and MADOGUCHI_TLS_KEY, or neither"
        );
        Ok(Config {
            bind: var("MADOGUCHI_BIND", "127.0.0.1:8080")
                .parse()
                .context("MADOGUCHI_BIND must be an address such as 127.0.0.1:8080")?,
            database_url: get("DATABASE_URL").filter(|url| !url.is_empty()),
            app_database_url: get("MADOGUCHI_APP_DATABASE_URL").filter(|url| !url.is_empty()),
            var_dir: PathBuf::from(var("MADOGUCHI_VAR_DIR", "var")),
            db_pool_size: parse_num("MADOGUCHI_DB_POOL_SIZE", "16")?.clamp(1, 200) as u32,
            http_workers: parse_num("MADOGUCHI_HTTP_WORKERS", "0")? as usize,
            time_zone: var("MADOGUCHI_TIME_ZONE", "Asia/Tokyo")
                .parse()
                .map_err(|e| anyhow!("MADOGUCHI_TIME_ZONE: {e}"))?,
            demo_data_dir: PathBuf::from(var("MADOGUCHI_DEMO_DATA", "../shared/data")),
            seed_demo: match var("MADOGUCHI_SEED_DEMO", "auto").as_str() {
                "auto" => SeedDemo::Auto,
                "always" => SeedDemo::Always,
                "never" => SeedDemo::Never,
                other => {
                    anyhow::bail!("MADOGUCHI_SEED_DEMO must be auto, always or never, not {other}")
                }
            },
            proof_checks_per_minute: parse_num("MADOGUCHI_PROOF_CHECKS_PER_MINUTE", "30")?
                .clamp(1, 1_000_000) as u32,
            writes_per_minute: parse_num("MADOGUCHI_WRITES_PER_MINUTE", "60")?.clamp(5, 1_000_000)
                as u32,
            held_places_per_address: parse_num("MADOGUCHI_HELD_PLACES_PER_ADDRESS", "40")?
                .clamp(1, 1_000_000) as i64,
            logins_per_minute: parse_num("MADOGUCHI_LOGINS_PER_MINUTE", "10")?.clamp(1, 1_000_000)
                as u32,
            smtp_url: get("MADOGUCHI_SMTP_URL").filter(|url| !url.is_empty()),
            smtp_ca_file: get("MADOGUCHI_SMTP_CA_FILE")
                .filter(|path| !path.is_empty())
                .map(PathBuf::from),
            mail_from: var(
                "MADOGUCHI_MAIL_FROM",
                "マイナンバーカード窓口予約 <noreply@madoguchi.invalid>",
            ),
            public_url: var(
                "MADOGUCHI_PUBLIC_URL",
                &format!(
                    "{}://{}",
                    if tls_cert.is_some() { "https" } else { "http" },
                    var("MADOGUCHI_BIND", "127.0.0.1:8080")
                ),
            ),
            tls_cert: tls_cert.clone(),
            tls_key: tls_key.clone(),
            http_redirect_bind: get("MADOGUCHI_HTTP_REDIRECT_BIND")
                .filter(|v| !v.is_empty())
                .map(|v| v.parse())
                .transpose()
                .context("MADOGUCHI_HTTP_REDIRECT_BIND must be an address such as 0.0.0.0:80")?,
            trusted_proxies: parse_networks(&var("MADOGUCHI_TRUSTED_PROXIES", ""))
                .context("MADOGUCHI_TRUSTED_PROXIES")?,
            mail_poll_ms: parse_num("MADOGUCHI_MAIL_POLL_MS", "2000")?.clamp(50, 600_000),
            access_log_dir: path("MADOGUCHI_ACCESS_LOG_DIR")
                .unwrap_or_else(|| PathBuf::from(var("MADOGUCHI_VAR_DIR", "var")).join("log")),
            access_log_days: parse_num("MADOGUCHI_ACCESS_LOG_DAYS", "400")?.clamp(366, 100_000)
                as usize,
            clock_shift: chrono::Duration::zero(),
        })
    }
}

/// Addresses and networks, comma-separated: `10.0.0.5, 192.168.10.0/24, ::1`.
pub fn parse_networks(text: &str) -> anyhow::Result<Vec<ipnet::IpNet>> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<ipnet::IpNet>()
                .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| anyhow!("{part:?} is not an address or a network such as 10.0.0.0/8"))
        })
        .collect()
}

impl Config {
    /// Whether residents and staff reach the site over HTTPS (here or at a proxy).
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}
