use std::net::TcpListener;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use madoguchi::config::Config;
use madoguchi::db::tenant::Tenant;
use madoguchi::db::{PgPool, PooledPg};
use madoguchi::domain::{card_import, holidays, slots, tenant_file, Clock};
use serde_json::Value;

use super::TestDatabase;

pub struct TestApp {
    /// http://127.0.0.1:PORT
    pub address: String,
    pub pool: PgPool,
    pub config: Config,
    pub db: TestDatabase,
    /// Keeps cookies, follows no redirects.
    pub client: reqwest::Client,
    /// The server's own folder (uploads), removed with the app.
    pub var_dir: tempfile::TempDir,
}

/// Status and JSON body of a response.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// The problem code of a refused request; empty when the request succeeded.
    pub fn code(&self) -> &str {
        if self.status < 400 {
            return "";
        }
        self.body["code"].as_str().unwrap_or("")
    }
}

pub fn shared_data(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(file)
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the real server on a free port, against a fresh database.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        // RUST_LOG=warn shows the server's own log when a test needs looking into.
        if std::env::var_os("RUST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
                .with_test_writer()
                .try_init();
        }
        let db = tokio::task::spawn_blocking(TestDatabase::create)
            .await
            .expect("creating the test database");
        let mut config = Config::from_lookup(|_| None).expect("default configuration");
        // A whole run may stand at one instant (as the browser tests do, see
        // docs/testing.md); a test that chooses its own instant overrides it below.
        if let Ok(at) = std::env::var("MADOGUCHI_TEST_CLOCK") {
            let at = DateTime::parse_from_rfc3339(&at)
                .expect("MADOGUCHI_TEST_CLOCK is an instant such as 2026-12-28T19:00:00+09:00");
            config.clock_shift = at.with_timezone(&Utc) - Utc::now();
        }
        config.database_url = Some(db.url.clone());
        let var_dir = tempfile::tempdir().expect("a folder for the server");
        config.var_dir = var_dir.path().to_path_buf();
        config.http_workers = 2;
        config.proof_checks_per_minute = 1_000_000;
        config.writes_per_minute = 1_000_000;
        config.held_places_per_address = 1_000_000;
        config.logins_per_minute = 1_000_000;
        adjust(&mut config);
        // The test's own queries work as the owner; the server as the application role.
        let pool = madoguchi::db::pool(&db.url, 20);
        let own_login = db.url.replacen("postgres@", "madoguchi_app@", 1);
        let server_pool = madoguchi::db::application_pool(&db.url, Some(&own_login), 20);
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a free port");
        let address = format!("http://{}", listener.local_addr().expect("local address"));
        let server = madoguchi::server::build(config.clone(), server_pool, listener)
            .expect("building the server");
        tokio::spawn(server);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("building the client");
        TestApp {
            address,
            pool,
            config,
            db,
            client,
            var_dir,
        }
    }

    /// Starts the server with its clock standing at a wall-clock time in Tokyo (and
    /// running on from there); fixtures and `clock()` stand there too.
    pub async fn spawn_at(y: i32, m: u32, d: u32, hh: u32, mm: u32) -> TestApp {
        let at: DateTime<Utc> = chrono_tz::Asia::Tokyo
            .with_ymd_and_hms(y, m, d, hh, mm, 0)
            .single()
            .expect("a real time")
            .with_timezone(&Utc);
        Self::spawn_with(|config| config.clock_shift = at - Utc::now()).await
    }

    pub fn conn(&self) -> PooledPg {
        self.pool.get().expect("a database connection")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// The demo tenant of docs/examples with the national holidays, the 200 sample cards
    /// and its slots from today over the horizon.
    pub fn with_demo_tenant(&self) -> Tenant {
        let mut conn = self.conn();
        holidays::import(
            &mut conn,
            &std::fs::read(shared_data("syukujitsu-2025-2027.cp932.csv")).expect("holiday file"),
        )
        .expect("importing holidays");
        let tenant = self.with_tenant(madoguchi::cli::DEMO_TENANT);
        let path = shared_data("jlis-cards-sample.utf8.csv");
        let request = card_import::ImportRequest {
            file_name: "jlis-cards-sample.utf8.csv",
            actor: "test",
            commit: true,
        };
        let file = std::fs::File::open(&path).expect("cards");
        let report = card_import::run(&mut conn, &self.clock(), &tenant, file, None, &request)
            .expect("loading cards");
        assert_eq!(report.problem_count, 0, "{:?}", report.problems);
        tenant
    }

    /// Applies a tenant file and generates its slots from today.
    pub fn with_tenant(&self, toml: &str) -> Tenant {
        let mut conn = self.conn();
        let file = tenant_file::parse(toml).expect("tenant file");
        tenant_file::apply(&mut conn, &file, false).expect("applying the tenant file");
        let tenant = Tenant::by_code(&mut conn, &file.code)
            .expect("query")
            .expect("tenant");
        slots::generate_horizon(&mut conn, &self.clock(), &tenant).expect("generating slots");
        tenant
    }

    pub fn clock(&self) -> Clock {
        let mut clock = Clock::system(self.config.time_zone);
        clock.now += self.config.clock_shift;
        clock
    }

    /// A clock standing at a wall-clock time in Tokyo.
    pub fn clock_at(&self, y: i32, m: u32, d: u32, hh: u32, mm: u32, ss: u32) -> Clock {
        let now: DateTime<Utc> = self
            .config
            .time_zone
            .with_ymd_and_hms(y, m, d, hh, mm, ss)
            .single()
            .expect("a real time")
            .with_timezone(&Utc);
        Clock {
            now,
            tz: self.config.time_zone,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        answer(self.client.get(self.url(path)).send().await.expect("GET")).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        answer(
            self.client
                .post(self.url(path))
                .json(body)
                .send()
                .await
                .expect("POST"),
        )
        .await
    }

    /// Slots (as returned by the availability API) of `procedure` at `location` on `day`.
    pub async fn slots_on(&self, location: &str, procedure: &str, day: NaiveDate) -> Vec<Value> {
        let answer = self
            .get(&format!(
                "/api/v1/demo/availability?location={location}&procedure={procedure}&from={day}&to={day}"
            ))
            .await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        answer.body["slots"].as_array().cloned().unwrap_or_default()
    }

    /// The first working day after today whose slots are all still bookable online.
    pub async fn next_open_day(&self, location: &str, procedure: &str) -> (NaiveDate, Vec<Value>) {
        let mut day = self.clock().today() + chrono::Duration::days(2);
        loop {
            let slots = self.slots_on(location, procedure, day).await;
            if !slots.is_empty() && slots.iter().all(|s| s["bookable"] == Value::Bool(true)) {
                return (day, slots);
            }
            day += chrono::Duration::days(1);
        }
    }

    /// Runs a query on this test's database.
    pub fn query<T>(&self, work: impl FnOnce(&mut PgConnection) -> QueryResult<T>) -> T {
        work(&mut self.conn()).expect("query")
    }
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

impl TestApp {
    /// The text of the page at `path`, in this app client's session.
    pub async fn page_text(&self, path: &str) -> String {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("page")
    }

    /// Submits a form in this app client's session; redirects are not followed.
    pub async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }
}

/// Where a redirect leads.
pub fn location_of(response: &reqwest::Response) -> String {
    response.headers()["location"]
        .to_str()
        .expect("location")
        .to_string()
}

/// The CSRF token of the first form of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Where the page's upload form posts (its action carries the CSRF token, which the
/// server checks before it reads the body).
pub fn upload_action(html: &str) -> String {
    let form = html
        .split("<form ")
        .find(|form| form.contains("multipart/form-data"))
        .expect("an upload form");
    let start = form.find("action=\"").expect("an action") + "action=\"".len();
    form[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .replace("&amp;", "&")
}

/// The text of the page at `path`, fetched by `client` (with its cookies).
pub async fn page_text(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page")
}

/// Fills the form of the page at `path` as a browser would: reads the page for its CSRF
/// token, then posts `fields` with it.
pub async fn fill_in(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = csrf_of(&page_text(app, client, path).await);
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    client
        .post(app.url(path))
        .form(&form)
        .send()
        .await
        .expect("POST")
}

/// Submits a form that answers with a redirect (POST → redirect → GET) and returns the
/// page it leads to.
pub async fn submit_and_follow(
    client: &reqwest::Client,
    url: &str,
    fields: &[(&str, &str)],
) -> String {
    let response = client.post(url).form(fields).send().await.expect("POST");
    assert_eq!(response.status(), 303, "{url}");
    let next = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let page = format!("http://{}{next}", response.url().authority());
    client
        .get(page)
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page")
}

/// `madoguchi serve` as its own process on a free port, on an existing database (no demo
/// seeding), with its own var folder; for what only a real process shows (its log files,
/// its answer to SIGTERM).
pub struct ServerProcess {
    pub child: std::process::Child,
    pub port: u16,
    pub base: String,
    pub var: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts it and waits until `/ready` answers 200; standard output and error are kept
    /// in pipes when `keep_output`, dropped otherwise.
    pub async fn start(database_url: &str, keep_output: bool) -> ServerProcess {
        use std::process::{Command, Stdio};
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let var = tempfile::tempdir().expect("a folder for the server");
        let output = || {
            if keep_output {
                Stdio::piped()
            } else {
                Stdio::null()
            }
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("MADOGUCHI_VAR_DIR", var.path())
            .env("MADOGUCHI_BIND", format!("127.0.0.1:{port}"))
            .env("MADOGUCHI_SEED_DEMO", "never")
            .env("RUST_LOG", "info")
            .stdout(output())
            .stderr(output())
            .spawn()
            .expect("starting madoguchi serve");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !reqwest::get(format!("{base}/ready"))
            .await
            .is_ok_and(|r| r.status() == reqwest::StatusCode::OK)
        {
            assert!(
                child.try_wait().expect("the server process").is_none(),
                "serve exited"
            );
            assert!(
                std::time::Instant::now() < deadline,
                "the server did not become ready"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        ServerProcess {
            child,
            port,
            base,
            var,
        }
    }

    pub fn terminate(&self) {
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
    }
}

/// A test that fails half-way leaves no server behind.
impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
