//! Starting the HTTP server: on a given listener (tests) or from configuration, with the
//! embedded PostgreSQL cluster when no DATABASE_URL is set.

use std::net::TcpListener;
use std::path::Path;

use actix_web::body::MessageBody;
use actix_web::dev::Server;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, Next, NormalizePath, TrailingSlash};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use diesel::{Connection, PgConnection};

use crate::config::{Config, SeedDemo};
use crate::db::embedded::{ClusterOptions, EmbeddedCluster};
use crate::db::PgPool;
use crate::http::{routes, AppState};

pub const DATABASE_NAME: &str = "madoguchi";

/// The server on `listener`; the caller runs the returned future.
pub fn build(config: Config, pool: PgPool, listener: TcpListener) -> anyhow::Result<Server> {
    let state = web::Data::from(AppState::new(pool, config.clone()));
    let pruned = state.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            pruned.prune_limiters();
        }
    });
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(crate::tls::server_config(cert, key)?),
        _ => None,
    };
    let https = config.https();
    let builder = HttpServer::new(move || {
        App::new()
            .wrap(actix_web::middleware::from_fn(
                crate::http::refuse_control_characters,
            ))
            .wrap(crate::http::error_pages::handlers())
            .wrap(actix_web::middleware::from_fn(
                crate::http::page::remember_language,
            ))
            .wrap(security_headers(https))
            .wrap(NormalizePath::new(TrailingSlash::MergeOnly))
            .wrap(actix_web::middleware::from_fn(access_line))
            .app_data(state.clone())
            .configure(routes)
    });
    let mut server = match tls {
        Some(tls) => builder.listen_rustls_0_23(listener, tls)?,
        None => builder.listen(listener)?,
    };
    if config.http_workers > 0 {
        server = server.workers(config.http_workers);
    }
    // On SIGTERM the listener closes at once and requests in flight get this long to finish.
    Ok(server.shutdown_timeout(SHUTDOWN_GRACE_SECONDS).run())
}

/// How long a stopping server waits for the requests it is answering.
pub const SHUTDOWN_GRACE_SECONDS: u64 = 30;

/// One access line per request: the client, the method and the path only (query strings
/// carry signed links and searches), the status and the time taken.
async fn access_line(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let client = crate::http::client_addr_of(req.request()).unwrap_or_else(|| "-".into());
    let request = format!("{} {} {:?}", req.method(), req.path(), req.version());
    let response = next.call(req).await?;
    let bytes = match response.response().body().size() {
        actix_web::body::BodySize::Sized(n) => n.to_string(),
        _ => "-".to_string(),
    };
    tracing::info!(
        target: crate::logging::ACCESS_TARGET,
        "{client} \"{request}\" {} {bytes} {:.1}ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(response)
}

/// A plain-HTTP listener that sends every request to the same path on the public HTTPS
/// address (never to an address taken from the request).
pub fn build_https_redirect(public_url: &str, listener: TcpListener) -> anyhow::Result<Server> {
    let base = public_url.trim_end_matches('/').to_string();
    let server = HttpServer::new(move || {
        let base = base.clone();
        App::new().default_service(web::to(move |req: actix_web::HttpRequest| {
            let target = format!(
                "{base}{}",
                req.uri().path_and_query().map_or("/", |p| p.as_str())
            );
            async move {
                actix_web::HttpResponse::PermanentRedirect()
                    .insert_header(("Location", target))
                    .insert_header(("Cache-Control", "no-store"))
                    .finish()
            }
        }))
    })
    .workers(1)
    .listen(listener)?;
    Ok(server.run())
}

/// Headers every response carries: no inline script or style, no framing, no sniffing,
/// no referrer leaving the site; over HTTPS, HSTS.
fn security_headers(https: bool) -> DefaultHeaders {
    let headers = if https {
        DefaultHeaders::new().add(crate::tls::HSTS)
    } else {
        DefaultHeaders::new()
    };
    headers
        .add((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("X-Frame-Options", "DENY"))
}

/// The database in use: DATABASE_URL, or the embedded cluster under `var/`.
pub struct Database {
    pub url: String,
    pub cluster: Option<EmbeddedCluster>,
    /// Whether this process started the embedded cluster (and so should stop it).
    pub started_here: bool,
}

/// Without DATABASE_URL, creates the embedded cluster on first run and starts it.
pub fn prepare_database(config: &Config) -> anyhow::Result<Database> {
    if let Some(url) = &config.database_url {
        return Ok(Database {
            url: url.clone(),
            cluster: None,
            started_here: false,
        });
    }
    let cluster = EmbeddedCluster::in_dir(&config.var_dir)?;
    if cluster.ensure_initialized(&ClusterOptions {
        unsafe_fast: false,
        max_connections: 100,
    })? {
        tracing::info!(
            "created a PostgreSQL cluster in {}",
            config.var_dir.display()
        );
    }
    let started_here = cluster.start()?;
    crate::db::create_database_if_missing(&cluster.url("postgres"), DATABASE_NAME)?;
    Ok(Database {
        url: cluster.url(DATABASE_NAME),
        cluster: Some(cluster),
        started_here,
    })
}

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let database = prepare_database(&config)?;
    let app_url = config.app_database_url.clone().or_else(|| {
        database
            .cluster
            .as_ref()
            .map(|cluster| cluster.url_as(DATABASE_NAME, crate::db::APP_ROLE))
    });
    let result = serve_with(
        config,
        &database.url,
        app_url.as_deref(),
        database.cluster.is_some(),
    )
    .await;
    if let Some(cluster) = database.cluster {
        tracing::info!("stopping the embedded PostgreSQL cluster");
        cluster.stop()?;
    }
    result
}

async fn serve_with(
    config: Config,
    url: &str,
    app_url: Option<&str>,
    embedded: bool,
) -> anyhow::Result<()> {
    prepare_schema(url, &config, embedded)?;
    // Requests work as the application role; the jobs (across tenants) as the owner.
    let pool = crate::db::application_pool(url, app_url, config.db_pool_size);
    let jobs_pool = crate::db::pool(url, (config.db_pool_size / 4).max(4));
    let listener =
        TcpListener::bind(config.bind).with_context(|| format!("binding {}", config.bind))?;
    tracing::info!(
        "Madoguchi listening on {}://{}",
        if config.tls_cert.is_some() {
            "https"
        } else {
            "http"
        },
        config.bind
    );
    if let Some(bind) = config.http_redirect_bind {
        anyhow::ensure!(
            config.https(),
            "MADOGUCHI_HTTP_REDIRECT_BIND needs an https:// MADOGUCHI_PUBLIC_URL to send visitors to"
        );
        let plain = TcpListener::bind(bind).with_context(|| format!("binding {bind}"))?;
        tracing::info!("sending plain HTTP on {bind} to {}", config.public_url);
        tokio::spawn(build_https_redirect(&config.public_url, plain)?);
    }
    // Uploads a stopped server left behind (a preview never confirmed) go at start.
    let swept = crate::http::sweep_uploads(&config.var_dir, true);
    if swept > 0 {
        tracing::info!(swept, "removed uploads left by an earlier run");
    }
    crate::jobs::spawn(jobs_pool.clone(), config.time_zone, config.var_dir.clone());
    crate::jobs::spawn_retention(jobs_pool.clone(), config.time_zone, config.var_dir.clone());
    crate::jobs::spawn_heartbeat(jobs_pool.clone(), config.clock_shift);
    crate::jobs::spawn_mail_worker(jobs_pool, &config)?;
    build(config, pool, listener)?.await?;
    Ok(())
}

/// Brings the schema up to date and seeds the demo city when asked, under a session-level
/// advisory lock: servers starting together take turns, and the later ones find the work
/// done. Each migration also runs in its own transaction, so a crash leaves none half-made.
pub fn prepare_schema(url: &str, config: &Config, embedded: bool) -> anyhow::Result<()> {
    let mut conn = PgConnection::establish(url)
        .with_context(|| format!("connecting to {}", crate::db::without_password(url)))?;
    crate::db::with_schema_lock(&mut conn, |conn| {
        for version in crate::db::update_schema(conn, config.time_zone)? {
            tracing::info!("applied migration {version}");
        }
        let seed = match config.seed_demo {
            SeedDemo::Always => true,
            SeedDemo::Auto => embedded,
            SeedDemo::Never => false,
        };
        if seed && crate::db::tenant::Tenant::all(conn)?.is_empty() {
            crate::cli::seed_demo(conn, config)?;
        }
        Ok(())
    })
}

/// Reads a file named on the command line, saying which one could not be read.
pub fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}
