//! A server of our own for one scenario: `madoguchi serve` on the embedded default in a
//! fresh folder (its own PostgreSQL, the demo city seeded), stopped and removed afterwards.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

pub struct Server {
    child: Child,
    pub base: String,
    pub database_url: String,
    pub var_dir: PathBuf,
    bin: PathBuf,
    /// The cluster's socket folder, for pgbench and psql.
    pub socket_dir: PathBuf,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Server {
    pub async fn start(bin: &Path, shared_data: &Path) -> anyhow::Result<Server> {
        if !bin.is_file() {
            bail!(
                "{} is missing: build it first (load-tests/run does)",
                bin.display()
            );
        }
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_nanos();
        let var_dir = std::env::temp_dir().join(format!("madoguchi-load-{stamp}"));
        std::fs::create_dir_all(&var_dir)?;
        // PostgreSQL runs as `postgres` when this runs as root: it must reach the folder.
        std::fs::set_permissions(&var_dir, std::fs::Permissions::from_mode(0o755))?;
        let port = free_port()?;
        let log = std::fs::File::create(var_dir.join("serve.log"))?;
        let child = Command::new(bin)
            .arg("serve")
            .env_remove("DATABASE_URL")
            .env("MADOGUCHI_VAR_DIR", &var_dir)
            .env("MADOGUCHI_BIND", format!("127.0.0.1:{port}"))
            .env("MADOGUCHI_DEMO_DATA", shared_data)
            // Every virtual resident comes from 127.0.0.1; the per-address limits on
            // identification attempts, holds and bookings would otherwise stop all but the
            // first few.
            .env("MADOGUCHI_PROOF_CHECKS_PER_MINUTE", "1000000")
            .env("MADOGUCHI_WRITES_PER_MINUTE", "1000000")
            .env("MADOGUCHI_HELD_PLACES_PER_ADDRESS", "1000000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let socket_dir = var_dir.join("pg-run");
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            database_url: format!(
                "postgresql://postgres@/madoguchi?host={}",
                socket_dir.display()
            ),
            var_dir,
            bin: bin.to_path_buf(),
            socket_dir,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            if let Some(status) = server.child.try_wait()? {
                bail!(
                    "madoguchi serve exited ({status}): {}",
                    std::fs::read_to_string(server.var_dir.join("serve.log")).unwrap_or_default()
                );
            }
            let health = client.get(format!("{}/health", server.base)).send().await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return Ok(server);
            }
            if Instant::now() > deadline {
                bail!("madoguchi serve did not come up within 3 minutes");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Runs the `madoguchi` command against this server's database.
    pub fn cli(&self, args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<String> {
        let output = Command::new(&self.bin)
            .args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("RUST_LOG", "error")
            .envs(env.iter().copied())
            .output()?;
        if !output.status.success() {
            bail!(
                "madoguchi {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// The most memory the server process has held since it started (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("VmHWM in /proc/<pid>/status")
    }

    pub fn connect(&self) -> anyhow::Result<diesel::PgConnection> {
        use diesel::Connection;
        Ok(diesel::PgConnection::establish(&self.database_url)?)
    }
}

/// Processor time used so far, in clock ticks (1/100 s on Linux): this server, every
/// PostgreSQL process on the machine (the scenario's cluster is the only one running), and
/// this load generator.
#[derive(Clone, Copy)]
pub struct CpuTicks {
    server: u64,
    postgres: u64,
    load: u64,
    at: Instant,
}

/// Cores kept busy between two samples.
#[derive(serde::Serialize, Clone, Copy, Debug)]
pub struct CpuUse {
    pub server: f64,
    pub postgres: f64,
    pub load: f64,
}

fn ticks_of(pid: &str) -> Option<(String, u64)> {
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let used = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some((comm.trim().to_string(), used))
}

impl Server {
    pub fn cpu_ticks(&self) -> CpuTicks {
        let server_pid = self.child.id().to_string();
        let own_pid = std::process::id().to_string();
        let mut ticks = CpuTicks {
            server: 0,
            postgres: 0,
            load: 0,
            at: Instant::now(),
        };
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let pid = entry.file_name().to_string_lossy().into_owned();
            let Some((comm, used)) = ticks_of(&pid) else {
                continue;
            };
            if pid == server_pid {
                ticks.server = used;
            } else if pid == own_pid {
                ticks.load = used;
            } else if comm == "postgres" {
                ticks.postgres += used;
            }
        }
        ticks
    }
}

impl CpuTicks {
    pub fn since(&self, earlier: &CpuTicks) -> CpuUse {
        let seconds = self.at.duration_since(earlier.at).as_secs_f64().max(0.001);
        let cores = |now: u64, then: u64| now.saturating_sub(then) as f64 / 100.0 / seconds;
        CpuUse {
            server: cores(self.server, earlier.server),
            // Processes that ended in between are not counted: PostgreSQL's backends live
            // as long as their connections, which outlast a phase.
            postgres: cores(self.postgres, earlier.postgres),
            load: cores(self.load, earlier.load),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM: the server stops its PostgreSQL before it exits.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.var_dir);
    }
}
