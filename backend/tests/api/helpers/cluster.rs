use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use diesel::prelude::*;
use madoguchi::db::embedded::{ClusterOptions, EmbeddedCluster};
use sha2::{Digest, Sha256};

struct SharedCluster {
    cluster: EmbeddedCluster,
    template: String,
}

static CLUSTER: OnceLock<SharedCluster> = OnceLock::new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The cluster of this test run. Test processes (nextest runs one per test) share it: the
/// first to take the lock file creates and starts it, and builds the migrated template.
/// The test command points MADOGUCHI_TEST_PG_DIR at a fresh temporary folder and stops the
/// cluster at the end; without it, a cluster under target/ is kept between runs.
fn shared() -> &'static SharedCluster {
    CLUSTER.get_or_init(|| {
        let dir = std::env::var_os("MADOGUCHI_TEST_PG_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/test-pg"));
        fs::create_dir_all(&dir).expect("creating the test cluster folder");
        // The postgres user must be able to enter the folder when we run as root.
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755))
            .expect("opening the test cluster folder");
        let lock = fs::File::create(dir.join("lock")).expect("creating the lock file");
        lock.lock().expect("locking the test cluster");
        let cluster = EmbeddedCluster::in_dir(&dir).expect("finding PostgreSQL");
        cluster
            .ensure_initialized(&ClusterOptions {
                unsafe_fast: true,
                max_connections: 400,
            })
            .expect("creating the test cluster");
        let started = cluster.start().expect("starting the test cluster");
        let mut admin = PgConnection::establish(&cluster.url("postgres"))
            .expect("connecting to the test cluster");
        if started {
            sweep_leftovers(&mut admin);
        }
        let template = format!("tpl_{}", migrations_fingerprint());
        if !database_exists(&mut admin, &template) {
            diesel::sql_query(format!("CREATE DATABASE {template}"))
                .execute(&mut admin)
                .expect("creating the template");
            let mut conn = PgConnection::establish(&cluster.url(&template))
                .expect("connecting to the template");
            madoguchi::db::run_migrations(&mut conn).expect("migrating the template");
        }
        drop(lock);
        SharedCluster { cluster, template }
    })
}

/// Databases left by test runs that crashed before dropping them.
fn sweep_leftovers(admin: &mut PgConnection) {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let names: Vec<Name> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'test\\_%' OR datname LIKE 'tpl\\_%'",
    )
    .load(admin)
    .unwrap_or_default();
    for name in names {
        let _ = diesel::sql_query(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            name.datname
        ))
        .execute(admin);
    }
}

fn database_exists(admin: &mut PgConnection, name: &str) -> bool {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS found")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result::<Found>(admin)
        .map(|f| f.found)
        .unwrap_or(false)
}

/// Changes whenever a migration changes, so a kept cluster never serves a stale template.
fn migrations_fingerprint() -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut files: Vec<PathBuf> = fs::read_dir(&root)
        .expect("reading migrations/")
        .flatten()
        .flat_map(|entry| {
            fs::read_dir(entry.path())
                .into_iter()
                .flatten()
                .flatten()
                .map(|f| f.path())
        })
        .collect();
    files.sort();
    let mut hash = Sha256::new();
    for file in files {
        hash.update(file.to_string_lossy().as_bytes());
        hash.update(fs::read(&file).unwrap_or_default());
    }
    madoguchi::domain::secret::hex(&hash.finalize()[..8])
}

/// A database of one test, dropped with it.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
}

impl TestDatabase {
    pub fn create() -> TestDatabase {
        let shared = shared();
        let name = format!(
            "test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let mut admin = shared.admin();
        // Several processes may clone the template at the same instant; PostgreSQL then
        // briefly reports it busy.
        let mut tries = 0;
        loop {
            match diesel::sql_query(format!(
                "CREATE DATABASE {name} TEMPLATE {}",
                shared.template
            ))
            .execute(&mut admin)
            {
                Ok(_) => break,
                Err(_) if tries < 50 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => panic!("creating {name}: {e}"),
            }
        }
        TestDatabase {
            url: shared.cluster.url(&name),
            name,
        }
    }

    /// Refuses or allows new connections, as if the database went away and came back.
    pub fn set_available(&self, available: bool) {
        let mut admin = shared().admin();
        diesel::sql_query(format!(
            "ALTER DATABASE {} ALLOW_CONNECTIONS {available}",
            self.name
        ))
        .execute(&mut admin)
        .expect("changing ALLOW_CONNECTIONS");
        if !available {
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}'",
                self.name
            ))
            .execute(&mut admin)
            .expect("ending connections");
        }
    }
}

impl SharedCluster {
    fn admin(&self) -> PgConnection {
        PgConnection::establish(&self.cluster.url("postgres"))
            .expect("connecting to the test cluster")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let mut admin = shared().admin();
        let _ = diesel::sql_query(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin);
    }
}
