//! The three services on loopback, started for the run against a database and a NATS
//! stream of their own, and stopped (database dropped) at the end.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};
use tokio::process::{Child, Command};

pub const ADMIN_EMAIL: &str = "load@gescom.local";
pub const ADMIN_PASSWORD: &str = "load generator password 1";
/// The load generator's own connections to the run's database (sampling, checks).
const LOADGEN_POOL: i64 = 16;

pub struct Service {
    pub name: &'static str,
    pub child: Child,
}

pub struct Stack {
    pub pool: PgPool,
    /// The run's own database, for `projector rebuild`.
    pub db_url: String,
    admin: PgPool,
    pub db_name: String,
    pub command_url: String,
    pub read_url: String,
    pub services: Vec<Service>,
    pub nats_url: String,
    /// The services' subject prefix (`GESCOM_NATS_PREFIX`).
    pub nats_prefix: String,
    pub stream: String,
    keys: PathBuf,
    /// What a restarted service is started with: the same binary, environment and port.
    bin: PathBuf,
    env: Vec<(&'static str, String)>,
    listen: Vec<(&'static str, SocketAddr)>,
    logs: Option<PathBuf>,
    /// The run's own nats-server, when the run started one (`faults`); stopped with the
    /// stack.
    pub nats_server: Option<crate::nats_server::NatsServer>,
    /// Where command-api hands issued invoices and credit notes.
    pub platform: testkit::fake_platform::FakePlatform,
}

fn free_port() -> anyhow::Result<SocketAddr> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

impl Stack {
    /// With `logs`, each service's output is appended to `<logs>/<service>.log`
    /// (otherwise its standard output is dropped).
    pub async fn start(
        bin: &Path,
        database_url: &str,
        nats_url: &str,
        logs: Option<&Path>,
    ) -> anyhow::Result<Self> {
        if let Some(dir) = logs {
            std::fs::create_dir_all(dir)?;
        }
        let options: PgConnectOptions = database_url.parse().context("DATABASE_URL")?;
        let admin = PgPoolOptions::new()
            .max_connections(2)
            .connect_with(options.clone().database("postgres"))
            .await
            .context("connecting to PostgreSQL")?;
        delete_stale_streams(nats_url).await;
        let tag = format!(
            "{}_{}",
            std::process::id(),
            chrono::Utc::now().format("%H%M%S")
        );
        // Every pool must fit in the server's connections, with room for `projector
        // rebuild` (two), the services' LISTEN connections and psql: past the limit, the
        // server refuses the next one (a full run's rebuild once failed so).
        let (max, reserved): (i64, i64) = sqlx::query_as(
            "SELECT current_setting('max_connections')::bigint,
                    current_setting('superuser_reserved_connections')::bigint",
        )
        .fetch_one(&admin)
        .await?;
        let per_service = ((max - reserved - LOADGEN_POOL - 2 - 12) / 3).clamp(2, 20);
        let db_name = format!("gescom_load_{tag}");
        sqlx::query(&format!("CREATE DATABASE {db_name}"))
            .execute(&admin)
            .await?;
        let db_options = options.clone().database(&db_name);
        let db_url = db_options.to_url_lossy().to_string();
        let keys = std::env::temp_dir().join(format!("gescom-load-keys-{tag}"));
        let generated = Command::new(bin.join("command-api"))
            .args(["keys", "generate", "--dev", "--out-dir"])
            .arg(&keys)
            .output()
            .await
            .context(
                "running command-api keys generate (build the services first: loadgen/run does)",
            )?;
        let kid = String::from_utf8_lossy(&generated.stdout)
            .trim()
            .trim_start_matches("GESCOM_JWT_KID=")
            .to_owned();
        let (command, read, projector) = (free_port()?, free_port()?, free_port()?);
        let stream = format!("GESCOM_LOAD_{tag}");
        let nats_prefix = format!("load{tag}");
        let platform = testkit::fake_platform::FakePlatform::start("load platform token").await;
        let env = vec![
            ("DATABASE_URL", db_url.clone()),
            ("DATABASE_MAX_CONNECTIONS", per_service.to_string()),
            ("NATS_URL", nats_url.to_owned()),
            ("GESCOM_NATS_PREFIX", nats_prefix.clone()),
            ("GESCOM_NATS_STREAM", stream.clone()),
            ("GESCOM_JWT_KID", kid),
            (
                "GESCOM_JWT_PRIVATE_KEY_FILE",
                keys.join("jwt.key.pem").display().to_string(),
            ),
            (
                "GESCOM_JWT_PUBLIC_KEY_FILE",
                keys.join("jwt.pub.pem").display().to_string(),
            ),
            ("GESCOM_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL.to_owned()),
            ("GESCOM_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD.to_owned()),
            ("GESCOM_ACCESS_TOKEN_TTL_SECS", "3600".to_owned()),
            ("GESCOM_REQUEST_TIMEOUT_MS", "30000".to_owned()),
            ("GESCOM_COMMAND_LISTEN", command.to_string()),
            ("GESCOM_READ_LISTEN", read.to_string()),
            ("GESCOM_PROJECTOR_LISTEN", projector.to_string()),
            ("RUST_LOG", "warn".to_owned()),
            // The proforma's seller (La Poste's public legal ids).
            ("GESCOM_SELLER_NAME", "Charge SAS".to_owned()),
            (
                "GESCOM_SELLER_ADDRESS",
                "1 rue du Test|69002 Lyon".to_owned(),
            ),
            ("GESCOM_SELLER_SIRET", "35600000000048".to_owned()),
            ("GESCOM_SELLER_VAT_NUMBER", "FR39356000000".to_owned()),
            ("GESCOM_PLATFORM_URL", platform.url()),
            ("GESCOM_PLATFORM_TOKEN", platform.token().to_owned()),
            ("GESCOM_READ_API_URL", format!("http://{read}")),
        ];
        let listen = vec![
            ("command-api", command),
            ("projector", projector),
            ("read-api", read),
        ];
        // command-api first: it migrates and creates the first admin.
        let mut services = Vec::new();
        for &(name, port) in &listen {
            let child = spawn(bin, name, &env, logs)?;
            services.push(Service { name, child });
            wait_ready(&format!("http://{port}/readyz")).await?;
        }
        let pool = PgPoolOptions::new()
            .max_connections(LOADGEN_POOL as u32)
            .connect_with(db_options)
            .await?;
        Ok(Self {
            pool,
            db_url,
            admin,
            db_name,
            command_url: format!("http://{command}"),
            read_url: format!("http://{read}"),
            services,
            nats_url: nats_url.to_owned(),
            nats_prefix,
            stream,
            keys,
            bin: bin.to_owned(),
            env,
            listen,
            logs: logs.map(Path::to_owned),
            nats_server: None,
            platform,
        })
    }

    /// Kills a service with SIGKILL (no shutdown of any kind) and reaps it.
    pub async fn kill(&mut self, name: &str) -> anyhow::Result<()> {
        let service = self
            .services
            .iter_mut()
            .find(|s| s.name == name)
            .with_context(|| format!("no service {name}"))?;
        service.child.start_kill()?;
        service.child.wait().await?;
        Ok(())
    }

    /// Starts a (killed) service again, with the binary, environment and port it had,
    /// and waits until it is ready.
    pub async fn restart(&mut self, name: &str) -> anyhow::Result<()> {
        let (name, port) = *self
            .listen
            .iter()
            .find(|(n, _)| *n == name)
            .with_context(|| format!("no service {name}"))?;
        let child = spawn(&self.bin, name, &self.env, self.logs.as_deref())?;
        if let Some(service) = self.services.iter_mut().find(|s| s.name == name) {
            service.child = child;
        }
        wait_ready(&format!("http://{port}/readyz")).await
    }

    /// Peak resident set size of each service so far (VmHWM), in MiB.
    pub fn peak_rss_mib(&self) -> Vec<(&'static str, f64)> {
        self.services
            .iter()
            .filter_map(|s| {
                let pid = s.child.id()?;
                let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
                let kib: f64 = status
                    .lines()
                    .find(|l| l.starts_with("VmHWM:"))?
                    .split_whitespace()
                    .nth(1)?
                    .parse()
                    .ok()?;
                Some((s.name, kib / 1024.0))
            })
            .collect()
    }

    pub fn pid(&self, name: &str) -> Option<u32> {
        self.services
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.child.id())
    }

    pub async fn stop(mut self, keep: bool) -> anyhow::Result<()> {
        for service in self.services.iter_mut().rev() {
            if let Some(pid) = service.child.id() {
                let _ = Command::new("kill").arg(pid.to_string()).status().await;
            }
            let _ = tokio::time::timeout(Duration::from_secs(10), service.child.wait()).await;
            let _ = service.child.kill().await;
        }
        self.pool.close().await;
        if let Ok(client) = async_nats::connect(&self.nats_url).await {
            let jetstream = async_nats::jetstream::new(client);
            let _ = jetstream.delete_stream(&self.stream).await;
            let _ = jetstream
                .delete_stream(format!("{}_INTEGRATION", self.stream))
                .await;
        }
        let _ = std::fs::remove_dir_all(&self.keys);
        if let Some(server) = self.nats_server.take() {
            server.stop().await;
        }
        if !keep {
            sqlx::query(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.db_name
            ))
            .execute(&self.admin)
            .await?;
        }
        Ok(())
    }
}

fn spawn(
    bin: &Path,
    name: &str,
    env: &[(&'static str, String)],
    logs: Option<&Path>,
) -> anyhow::Result<Child> {
    let (stdout, stderr) = match logs {
        Some(dir) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join(format!("{name}.log")))?;
            (Stdio::from(file.try_clone()?), Stdio::from(file))
        }
        None => (Stdio::null(), Stdio::inherit()),
    };
    Command::new(bin.join(name))
        .arg("serve")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(stdout)
        .stderr(stderr)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {name}"))
}

/// Streams of earlier runs that were killed before they could clean up.
async fn delete_stale_streams(nats_url: &str) {
    use futures::StreamExt;
    let Ok(client) = async_nats::connect(nats_url).await else {
        return;
    };
    let jetstream = async_nats::jetstream::new(client);
    let mut names = jetstream.stream_names();
    let mut stale = Vec::new();
    while let Some(Ok(name)) = names.next().await {
        if name.starts_with("GESCOM_LOAD_") {
            stale.push(name);
        }
    }
    for name in stale {
        let _ = jetstream.delete_stream(&name).await;
    }
}

async fn wait_ready(url: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = client.get(url).send().await {
            if r.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{url} did not become ready")
}
