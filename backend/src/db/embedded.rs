//! A private PostgreSQL cluster in a directory of our own: initdb on first use, pg_ctl to
//! start and stop, reachable only through a Unix socket inside that directory.
//! Used by `serve` when no DATABASE_URL is set, and by the test harness.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{bail, Context};

/// The Debian package that carries initdb and pg_ctl.
pub const SERVER_PACKAGE: &str = "postgresql";

pub struct EmbeddedCluster {
    data_dir: PathBuf,
    socket_dir: PathBuf,
    log_file: PathBuf,
    bin_dir: PathBuf,
    /// PostgreSQL refuses to run as root: when we are root the cluster belongs to `postgres`.
    run_as_postgres: bool,
}

/// Settings appended to postgresql.conf at creation.
pub struct ClusterOptions {
    /// Trade durability for speed: only for throwaway test clusters.
    pub unsafe_fast: bool,
    pub max_connections: u32,
}

impl EmbeddedCluster {
    /// A cluster whose data lives in `base/pg`, socket in `base/pg-run`, log in `base/log`.
    pub fn in_dir(base: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(base).with_context(|| format!("creating {}", base.display()))?;
        let base = base
            .canonicalize()
            .with_context(|| format!("resolving {}", base.display()))?;
        Ok(Self {
            data_dir: base.join("pg"),
            socket_dir: base.join("pg-run"),
            log_file: base.join("log").join("postgresql.log"),
            bin_dir: find_server_binaries()?,
            run_as_postgres: is_root(),
        })
    }

    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    /// libpq URL of a database in this cluster.
    pub fn url(&self, database: &str) -> String {
        self.url_as(database, "postgres")
    }

    /// libpq URL of a database in this cluster for another role (local logins are trusted).
    pub fn url_as(&self, database: &str, role: &str) -> String {
        format!(
            "postgresql://{role}@/{database}?host={}",
            self.socket_dir.display()
        )
    }

    pub fn is_initialized(&self) -> bool {
        self.data_dir.join("PG_VERSION").exists()
    }

    /// Creates the cluster if it does not exist yet; returns whether it did.
    pub fn ensure_initialized(&self, options: &ClusterOptions) -> anyhow::Result<bool> {
        if self.is_initialized() {
            return Ok(false);
        }
        for dir in [&self.data_dir, &self.socket_dir] {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        if let Some(log_dir) = self.log_file.parent() {
            fs::create_dir_all(log_dir)?;
        }
        self.hand_over(&self.data_dir)?;
        self.hand_over(&self.socket_dir)?;
        if let Some(log_dir) = self.log_file.parent() {
            self.hand_over(log_dir)?;
        }
        let data = self.data_dir.display().to_string();
        self.run_checked(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-instructions",
            ],
        )?;
        let mut conf = format!(
            "\n# written by madoguchi\nlisten_addresses = ''\nunix_socket_directories = '{}'\n\
             unix_socket_permissions = 0700\nmax_connections = {}\ntimezone = 'UTC'\n",
            self.socket_dir.display(),
            options.max_connections
        );
        if options.unsafe_fast {
            conf.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        let conf_path = self.data_dir.join("postgresql.conf");
        let mut existing = fs::read_to_string(&conf_path).context("reading postgresql.conf")?;
        existing.push_str(&conf);
        fs::write(&conf_path, existing).context("writing postgresql.conf")?;
        Ok(true)
    }

    pub fn is_running(&self) -> bool {
        let data = self.data_dir.display().to_string();
        self.run("pg_ctl", &["status", "-D", &data])
            .map(|out| out.status.success())
            .unwrap_or(false)
    }

    /// Starts the cluster unless it already runs; returns whether this call started it.
    pub fn start(&self) -> anyhow::Result<bool> {
        if self.is_running() {
            return Ok(false);
        }
        let data = self.data_dir.display().to_string();
        let log = self.log_file.display().to_string();
        self.run_checked(
            "pg_ctl",
            &["start", "-D", &data, "-l", &log, "-w", "-t", "60"],
        )
        .with_context(|| format!("starting PostgreSQL (log: {log})"))?;
        Ok(true)
    }

    pub fn stop(&self) -> anyhow::Result<()> {
        if !self.is_running() {
            return Ok(());
        }
        let data = self.data_dir.display().to_string();
        self.run_checked("pg_ctl", &["stop", "-D", &data, "-m", "fast", "-w"])?;
        Ok(())
    }

    fn hand_over(&self, dir: &Path) -> anyhow::Result<()> {
        if self.run_as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir)
                .status()
                .context("running chown")?;
            if !status.success() {
                bail!("could not give {} to the postgres user", dir.display());
            }
        }
        Ok(())
    }

    fn run(&self, program: &str, args: &[&str]) -> anyhow::Result<Output> {
        let binary = self.bin_dir.join(program);
        let mut command = if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&binary);
            c
        } else {
            Command::new(&binary)
        };
        // A cluster must not inherit a caller's PG* settings.
        command
            .args(args)
            .env_remove("PGDATA")
            .env_remove("PGHOST")
            .env_remove("PGPORT");
        command
            .output()
            .with_context(|| format!("running {}", binary.display()))
    }

    fn run_checked(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let out = self.run(program, args)?;
        if !out.status.success() {
            bail!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Newest PostgreSQL server found in Debian's layout, or on PATH.
fn find_server_binaries() -> anyhow::Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").exists() && dir.join("pg_ctl").exists() {
                return Ok(dir);
            }
        }
    }
    bail!(
        "PostgreSQL server programs (initdb, pg_ctl) were not found. \
         Install the Debian package `{SERVER_PACKAGE}` (apt-get install {SERVER_PACKAGE}), \
         or set DATABASE_URL to use an existing server."
    )
}
