//! `madoguchi serve` with no DATABASE_URL: creates its own PostgreSQL under the var folder,
//! seeds the demo, stops the cluster on SIGTERM, and finds its data again on the next run.

use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::shared_data;

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(var_dir: &std::path::Path, port: u16) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
            .arg("serve")
            .env_remove("DATABASE_URL")
            .env("MADOGUCHI_VAR_DIR", var_dir)
            .env("MADOGUCHI_BIND", format!("127.0.0.1:{port}"))
            .env("MADOGUCHI_DEMO_DATA", shared_data(""))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting madoguchi serve");
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    async fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Ok(response) = reqwest::get(format!("{}/api/v1/demo/locations", self.base)).await
            {
                if response.status() == 200 {
                    return;
                }
            }
            assert!(
                self.child.try_wait().unwrap().is_none(),
                "the server exited early"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("the server did not come up");
    }

    fn terminate(mut self) {
        // SAFETY: sending a signal to our own child process.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().expect("waiting for the server");
        assert!(status.success(), "serve ended with {status}");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_creates_seeds_stops_and_reuses_its_own_database() {
    let var = tempfile::tempdir().unwrap();
    std::fs::set_permissions(var.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let port = free_port();

    let mut server = Server::start(var.path(), port);
    server.wait_ready().await;
    let client = reqwest::Client::new();
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(20);
    let to = day + chrono::Duration::days(10);
    let slots: Value = client
        .get(format!(
            "{}/api/v1/demo/availability?location=0102&procedure=apply&from={day}&to={to}",
            server.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let slot = slots["slots"]
        .as_array()
        .and_then(|s| s.first())
        .cloned()
        .expect("the demo has slots");
    let booked: Value = client
        .post(format!("{}/api/v1/demo/bookings", server.base))
        .json(&json!({ "slot_id": slot["id"], "procedure": "apply", "contact": { "email": "keep@example.jp" } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = booked["code"].as_str().expect("booked").to_string();
    server.terminate();
    assert!(
        !var.path().join("pg/postmaster.pid").exists(),
        "PostgreSQL still runs after shutdown"
    );

    let mut again = Server::start(var.path(), port);
    again.wait_ready().await;
    let kept = client
        .get(format!("{}/api/v1/demo/bookings/{code}", again.base))
        .header("X-Contact", "keep@example.jp")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.status(), 200, "the booking did not survive a restart");
    again.terminate();
}
