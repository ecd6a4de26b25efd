//! A nats-server of the load generator's own, for the `faults` scenario.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::process::{Child, Command};

/// A nats-server of the run's own (JetStream, file store in a temporary directory), so
/// that `faults` may kill it and start it again on the same store and port.
pub struct NatsServer {
    bin: PathBuf,
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl NatsServer {
    pub async fn start(bin: &Path) -> anyhow::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let dir = std::env::temp_dir().join(format!(
            "gescom-faults-nats-{}-{}",
            std::process::id(),
            chrono::Utc::now().format("%H%M%S")
        ));
        std::fs::create_dir_all(&dir)?;
        let mut server = Self {
            bin: bin.to_owned(),
            port,
            dir,
            child: None,
        };
        server.spawn().await?;
        Ok(server)
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    pub(crate) async fn spawn(&mut self) -> anyhow::Result<()> {
        let child = Command::new(&self.bin)
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(self.dir.join("store"))
            .arg("-l")
            .arg(self.dir.join("nats.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} (--nats-server)", self.bin.display()))?;
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("nats-server did not listen on port {}", self.port)
    }

    /// SIGKILL: no flush, no goodbye to the clients.
    pub(crate) async fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.start_kill()?;
            child.wait().await?;
        }
        Ok(())
    }

    pub async fn stop(mut self) {
        let _ = self.kill().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
