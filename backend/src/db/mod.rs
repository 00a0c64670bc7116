//! PostgreSQL access: the r2d2 pool, embedded migrations, model files per table.

pub mod audit;
pub mod booking;
pub mod card;
pub mod city_text;
pub mod embedded;
pub mod hold;
pub mod identification_failure;
pub mod kinds;
pub mod lane;
pub mod location;
pub mod mail_outbox;
pub mod mail_template;
pub mod maintenance;
pub mod national_holiday;
pub mod procedure;
mod relations;
pub mod schema;
pub mod signing_key;
pub mod slot;
pub mod staff;
pub mod staff_notice;
pub mod tenant;
pub mod tenant_mail_settings;
pub mod timetable;
pub mod web_session;

use anyhow::Context;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::AppError;

pub type PgPool = Pool<Manager>;
pub type PooledPg = PooledConnection<Manager>;

/// diesel's connection manager, with the check of a connection taken from the pool being
/// the reset of its tenant (`act_for_tenant(None)`): one round trip that both proves the
/// connection alive (a dead one is replaced, as r2d2 does with any failed check) and makes
/// sure no request inherits the previous one's tenant.
#[derive(Debug)]
pub struct Manager(ConnectionManager<PgConnection>);

impl Manager {
    pub fn new(url: &str) -> Manager {
        Manager(ConnectionManager::new(url))
    }
}

impl ManageConnection for Manager {
    type Connection = PgConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<PgConnection, Self::Error> {
        self.0.connect()
    }

    fn is_valid(&self, conn: &mut PgConnection) -> Result<(), Self::Error> {
        act_for_tenant(conn, None).map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut PgConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// A pool that starts even when the database is down, so the server can come up and
/// answer 503 until it returns.
pub fn pool(url: &str, size: u32) -> PgPool {
    Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(std::time::Duration::from_secs(5))
        .build_unchecked(Manager::new(url))
}

/// The role request handlers work as (see the `application_role` migration).
pub const APP_ROLE: &str = "madoguchi_app";

/// Makes each new connection of an owner's URL act as the application role.
#[derive(Debug)]
struct ActAsApplication;

impl diesel::r2d2::CustomizeConnection<PgConnection, diesel::r2d2::Error> for ActAsApplication {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(&format!("SET ROLE {APP_ROLE}"))
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// The pool request handlers use: the application role's own login when there is one
/// (`app_url`), or else the owner's URL with every connection switched to that role.
pub fn application_pool(owner_url: &str, app_url: Option<&str>, size: u32) -> PgPool {
    match app_url {
        Some(url) => pool(url, size),
        None => Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(std::time::Duration::from_secs(5))
            .connection_customizer(Box::new(ActAsApplication))
            .build_unchecked(Manager::new(owner_url)),
    }
}

/// Names the tenant whose rows this connection may see (row-level security); `None`
/// forgets it, so that a pooled connection never keeps the previous request's tenant.
pub fn act_for_tenant(conn: &mut PgConnection, tenant_id: Option<i64>) -> QueryResult<()> {
    diesel::sql_query("SELECT set_config('madoguchi.tenant_id', $1, false)")
        .bind::<diesel::sql_types::Text, _>(tenant_id.map(|id| id.to_string()).unwrap_or_default())
        .execute(conn)
        .map(|_| ())
}

/// Names the time zone the database's own rules count local days in (a booking's visit day
/// for reports): for this connection now, and for every later connection to the database.
pub fn name_time_zone(conn: &mut PgConnection, zone: chrono_tz::Tz) -> QueryResult<()> {
    diesel::sql_query("SELECT set_config('madoguchi.time_zone', $1, false)")
        .bind::<diesel::sql_types::Text, _>(zone.name())
        .execute(conn)?;
    // ALTER DATABASE takes no parameters; the zone's name comes from chrono-tz's list and is
    // quoted by format(%L) all the same.
    diesel::sql_query(format!(
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET madoguchi.time_zone = %L', \
         current_database(), '{}'); END $$",
        zone.name().replace('\'', "")
    ))
    .execute(conn)
    .map(|_| ())
}

/// The key of the advisory lock schema changes are made under ("madoguch").
const SCHEMA_LOCK: i64 = 0x6d61_646f_6775_6368;

/// Runs `work` (migrations, seeding) holding the schema's session-level advisory lock,
/// waiting for it first: servers and commands starting together take turns.
pub fn with_schema_lock<T>(
    conn: &mut PgConnection,
    work: impl FnOnce(&mut PgConnection) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<diesel::sql_types::BigInt, _>(SCHEMA_LOCK)
        .execute(conn)?;
    let result = work(conn);
    // Closing the connection would free it as well; a failed unlock must not hide `result`.
    let _ = diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<diesel::sql_types::BigInt, _>(SCHEMA_LOCK)
        .execute(conn);
    result
}

/// The newest migration this build knows, and whether the database has it (readiness: an
/// older server runs on a newer schema during a rolling deploy, never the other way round).
pub fn schema_current(conn: &mut PgConnection) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Newest {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        version: Option<String>,
    }
    let applied: Newest =
        diesel::sql_query("SELECT max(version) AS version FROM __diesel_schema_migrations")
            .get_result(conn)?;
    Ok(applied.version.as_deref() >= Some(newest_migration().as_str()))
}

fn newest_migration() -> &'static String {
    static NEWEST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NEWEST.get_or_init(|| {
        use diesel::migration::MigrationSource;
        MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
            .unwrap_or_default()
            .iter()
            .map(|m| m.name().version().to_string())
            .max()
            .unwrap_or_default()
    })
}

/// Applies the pending migrations and names the time zone, as every server and command
/// does at start (under `with_schema_lock`); returns the versions applied.
pub fn update_schema(conn: &mut PgConnection, zone: chrono_tz::Tz) -> anyhow::Result<Vec<String>> {
    let applied = run_migrations(conn)?;
    name_time_zone(conn, zone)?;
    Ok(applied)
}

pub fn run_migrations(conn: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("applying migrations: {e}"))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// A connection URL as it may be shown in a message or a log: its password replaced.
pub fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_string(),
        Err(_) => "(a database URL that cannot be read)".to_string(),
    }
}

/// Creates `database` through the server's maintenance database when it does not exist.
pub fn create_database_if_missing(maintenance_url: &str, database: &str) -> anyhow::Result<()> {
    let mut conn = PgConnection::establish(maintenance_url)
        .with_context(|| format!("connecting to {}", without_password(maintenance_url)))?;
    #[derive(QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(database)
            .get_result(&mut conn)?;
    if !found.exists {
        diesel::sql_query(format!("CREATE DATABASE \"{}\"", database.replace('"', "")))
            .execute(&mut conn)?;
    }
    Ok(())
}

/// Runs `work` in a transaction, again (up to three tries) when PostgreSQL reports a
/// deadlock or serialization failure, which a fresh attempt resolves. Inside another
/// transaction it is a savepoint and is not retried: after such an error the outer
/// transaction is what must start again, and whoever opened it owns the retry.
pub fn transaction<T>(
    conn: &mut PgConnection,
    mut work: impl FnMut(&mut PgConnection) -> Result<T, AppError>,
) -> Result<T, AppError> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let nested = AnsiTransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .map_err(AppError::from)?
        .is_some();
    if nested {
        return conn.transaction(&mut work);
    }
    const TRIES: u32 = 3;
    let mut attempt = 1;
    loop {
        match conn.transaction(&mut work) {
            Err(e) if e.is_retryable() && attempt < TRIES => {
                tracing::warn!(attempt, "retrying transaction after {e}");
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// Takes a pooled connection and runs blocking database work on actix's blocking pool.
pub async fn run<T: Send + 'static>(
    pool: &PgPool,
    work: impl FnOnce(&mut PgConnection) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let pool = pool.clone();
    actix_web::web::block(move || {
        // The pool's check has reset the connection's tenant (see `Manager`).
        let mut conn = pool.get()?;
        work(&mut conn)
    })
    .await?
}
