//! Work outside requests, in the server process: slot generation over each tenant's
//! horizon and tidying of expired holds and sessions. Safe with any number of servers: generation
//! takes a per-tenant advisory lock and is idempotent.

use std::time::Duration;

use chrono_tz::Tz;

use crate::db::hold::Hold;
use crate::db::tenant::Tenant;
use crate::db::web_session::WebSession;
use crate::db::PgPool;
use crate::domain::{slots, Clock};

const PERIOD: Duration = Duration::from_secs(3600);

pub fn spawn(pool: PgPool, tz: Tz, var_dir: std::path::PathBuf) {
    every(PERIOD, "maintenance run failed", move || {
        // Uploads waiting more than an hour for their next step are abandoned.
        crate::http::sweep_uploads(&var_dir, false);
        run_once(&pool, tz)
    });
}

/// The retention rules of every city (`domain::retention`), once a day and at start.
pub fn spawn_retention(pool: PgPool, tz: Tz, var_dir: std::path::PathBuf) {
    every(
        Duration::from_secs(24 * 3600),
        "applying the retention rules failed",
        move || {
            let mut conn = pool.get()?;
            let clock = Clock::system(tz);
            for tenant in Tenant::all(&mut conn)? {
                let applied = crate::domain::retention::apply(
                    &mut conn,
                    tenant.id,
                    &var_dir,
                    clock.now,
                    clock.today(),
                )?;
                if !applied.is_empty() {
                    tracing::info!(
                        tenant = tenant.code,
                        log_rows_removed = applied.log_rows_removed,
                        bookings_anonymised = applied.bookings_anonymised,
                        messages_anonymised = applied.messages_anonymised,
                        mail_files_removed = applied.mail_files_removed,
                        "retention applied"
                    );
                }
            }
            Ok(())
        },
    );
}

/// Runs `work` on the blocking pool now and then every `period`, logging a failure as
/// `failed` without stopping.
fn every(
    period: Duration,
    failed: &'static str,
    work: impl Fn() -> anyhow::Result<()> + Send + Sync + 'static,
) {
    let work = std::sync::Arc::new(work);
    actix_web::rt::spawn(async move {
        loop {
            let run = work.clone();
            match actix_web::web::block(move || run()).await {
                Ok(Err(e)) => tracing::warn!("{failed}: {e:#}"),
                Err(e) => tracing::warn!("{failed}: {e}"),
                Ok(Ok(())) => {}
            }
            actix_web::rt::time::sleep(period).await;
        }
    });
}

pub fn run_once(pool: &PgPool, tz: Tz) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    let clock = Clock::system(tz);
    for tenant in Tenant::all(&mut conn)? {
        let report = slots::generate_horizon(&mut conn, &clock, &tenant)
            .map_err(|e| anyhow::anyhow!("generating slots of {}: {e}", tenant.code))?;
        if report.created > 0 || !report.needing_attention.is_empty() {
            tracing::info!(
                tenant = tenant.code,
                created = report.created,
                attention = report.needing_attention.len(),
                "slots generated"
            );
        }
    }
    for tenant in Tenant::all(&mut conn)? {
        let queued = crate::domain::mail::reminders::queue_due(&mut conn, &clock, &tenant)
            .map_err(|e| anyhow::anyhow!("queueing reminders of {}: {e}", tenant.code))?;
        if queued > 0 {
            tracing::info!(tenant = tenant.code, queued, "reminders queued");
        }
    }
    Hold::sweep_expired(&mut conn, clock.now - chrono::Duration::hours(1))?;
    crate::domain::idempotency::forget_old(&mut conn, clock.now)?;
    WebSession::sweep_expired(&mut conn, clock.now)?;
    Ok(())
}

/// How often a server writes its beat: three times a minute, so one late or lost beat never
/// leaves a minute it was up without a row.
const BEAT_PERIOD: Duration = Duration::from_secs(20);

/// The server's record of its own up time (`domain::uptime`): a beat into the database every
/// `BEAT_PERIOD`, as long as the process runs and the database takes writes.
pub fn spawn_heartbeat(pool: PgPool, clock_shift: chrono::Duration) {
    every(
        BEAT_PERIOD,
        "could not record the service's up minute",
        move || {
            let mut conn = pool.get()?;
            crate::domain::uptime::beat(&mut conn, chrono::Utc::now() + clock_shift)?;
            Ok(())
        },
    );
}

/// The mail worker: every `poll` it sends what the outbox holds due, in batches. Any number
/// of server processes may run it; rows are claimed with `FOR UPDATE SKIP LOCKED`.
pub fn spawn_mail_worker(pool: PgPool, config: &crate::config::Config) -> anyhow::Result<()> {
    use crate::domain::mail::compose::MailSettings;
    use crate::domain::mail::transport::Mailer;
    let private_ca = config
        .smtp_ca_file
        .as_ref()
        .map(|path| {
            std::fs::read(path)
                .map_err(|e| anyhow::anyhow!("MADOGUCHI_SMTP_CA_FILE {}: {e}", path.display()))
        })
        .transpose()?;
    let mailer = std::sync::Arc::new(Mailer::with_private_ca(
        config.smtp_url.as_deref(),
        private_ca.as_deref(),
        config.var_dir.join("mail"),
    )?);
    let settings = std::sync::Arc::new(MailSettings {
        from: config
            .mail_from
            .parse()
            .map_err(|e| anyhow::anyhow!("MADOGUCHI_MAIL_FROM: {e}"))?,
        public_url: config.public_url.clone(),
        link_key: crate::domain::signed_links::key(&mut *pool.get()?)?,
    });
    let (tz, poll) = (config.time_zone, Duration::from_millis(config.mail_poll_ms));
    actix_web::rt::spawn(async move {
        loop {
            let (pool, mailer, settings) = (pool.clone(), mailer.clone(), settings.clone());
            let outcome = actix_web::web::block(move || {
                let clock = Clock::system(tz);
                crate::domain::mail::deliver_due(&pool, &mailer, &settings, &clock, 50)
            })
            .await;
            match outcome {
                // A full batch: there may be more waiting.
                Ok(Ok(50)) => continue,
                Ok(Err(e)) => tracing::warn!("mail delivery failed: {e}"),
                Err(e) => tracing::warn!("mail delivery failed: {e}"),
                Ok(Ok(_)) => {}
            }
            actix_web::rt::time::sleep(poll).await;
        }
    });
    Ok(())
}
