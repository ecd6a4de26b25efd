//! `faults`: an order workload runs while faults are injected one at a time, each
//! followed by a recovery wait; then the store, the read models and the stock are
//! checked.
//!
//! The faults: command-api, the projector (with messages delivered but not acked) and
//! read-api killed with SIGKILL and restarted; the run's own nats-server killed for a
//! while and restarted on its store; every database connection of the run's database
//! terminated. For each: the commands and reads that failed, by status (a 5xx other
//! than 503 with `Retry-After`, or a connection error while no process was down, is a
//! defect), and the recovery time: from the fault until a fresh command's effect is
//! read back through read-your-writes (`min_version`).
//!
//! Once the load has stopped and the projector has caught up: every acknowledged
//! command is in the store; every read model equals a `projector rebuild`, row for row;
//! each product's reserved stock is the sum of its submitted orders and never exceeded
//! on hand; no dead letter; the outbox is empty and the stream holds every event. Any
//! defect or failed check fails the run ([`verdict`]).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures::future::join_all;
use rand::Rng;
use reqwest::Method;
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::{Connection, PgPool};
use tokio::process::Command;

use crate::scenarios::{Ctx, Peaks, ScenarioResult, Seeded};
use crate::stack::{Stack, ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::stats::Recorder;

/// How long each part of the scenario lasts, and how big the catalogue is.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub short: bool,
    pub clients: usize,
    /// Client steps started per second, all clients together (a step is an order to its
    /// end, a stock receipt, a creation or a read). Paced below what the machine projects,
    /// so that a recovery time measures the fault and not a backlog the load keeps growing.
    pub steps_per_second: f64,
    pub products: usize,
    pub customers: usize,
    /// Load before the first fault.
    #[serde(serialize_with = "secs")]
    pub warm_up: Duration,
    /// How long a killed service stays down before it is started again.
    #[serde(serialize_with = "secs")]
    pub down: Duration,
    /// How long NATS stays down.
    #[serde(serialize_with = "secs")]
    pub nats_outage: Duration,
    /// Load after a fault has recovered, before the next one.
    #[serde(serialize_with = "secs")]
    pub settle: Duration,
    /// The probe gives up after this long; the recovery time is then reported as missing
    /// (a figure, not a check: the checks after the run prove that everything recovered).
    #[serde(serialize_with = "secs")]
    pub recovery_limit: Duration,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl Plan {
    pub fn new(short: bool) -> Self {
        if short {
            Self {
                short,
                clients: 8,
                steps_per_second: 60.0,
                products: 300,
                customers: 50,
                warm_up: Duration::from_secs(5),
                down: Duration::from_secs(1),
                nats_outage: Duration::from_secs(5),
                settle: Duration::from_secs(4),
                recovery_limit: Duration::from_secs(60),
            }
        } else {
            Self {
                short,
                clients: 8,
                steps_per_second: 60.0,
                products: 2_000,
                customers: 300,
                warm_up: Duration::from_secs(30),
                down: Duration::from_secs(3),
                nats_outage: Duration::from_secs(20),
                settle: Duration::from_secs(30),
                recovery_limit: Duration::from_secs(120),
            }
        }
    }
}

/// The scenario's HTTP client: its own, because it needs `Retry-After`.
#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    command: String,
    read: String,
    token: String,
}

struct Reply {
    /// 599: no answer (refused, reset, timed out).
    status: u16,
    retry_after: Option<Duration>,
    body: Value,
    latency: Duration,
}

impl Reply {
    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    fn code(&self) -> Option<String> {
        self.body["code"].as_str().map(str::to_owned)
    }
}

impl Client {
    async fn login(command: &str, read: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(40))
            .build()?;
        let token =
            crate::client::access_token(&http, command, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        Ok(Self {
            http,
            command: command.to_owned(),
            read: read.to_owned(),
            token,
        })
    }

    async fn call(&self, method: Method, url: String, body: Option<&Value>) -> Reply {
        let mut request = self.http.request(method, url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let started = Instant::now();
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let body = response.json::<Value>().await.unwrap_or(Value::Null);
                Reply {
                    status,
                    retry_after,
                    body,
                    latency: started.elapsed(),
                }
            }
            Err(_) => Reply {
                status: 599,
                retry_after: None,
                body: Value::Null,
                latency: started.elapsed(),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Side {
    Command,
    Read,
}

/// One answer that was not a success.
#[derive(Debug, Clone, Serialize)]
struct Failure {
    /// Seconds since the load started.
    t_s: f64,
    phase: usize,
    side: Side,
    endpoint: &'static str,
    status: u16,
    retry_after: bool,
    code: Option<String>,
    /// An earlier attempt of the same command got no answer or a 503: a 4xx may only
    /// say that the first attempt went through.
    after_retry: bool,
}

#[derive(Debug, Default, Clone, Serialize)]
struct Counts {
    attempts: u64,
    ok: u64,
    /// Failed attempts by status (599: no answer).
    failed: BTreeMap<u16, u64>,
    /// Commands given up without an acknowledgement (after their retries).
    not_acknowledged: u64,
}

#[derive(Debug, Default, Clone)]
struct PhaseCounts {
    commands: Counts,
    reads: Counts,
}

/// What every client writes down: counts per phase, failures, acknowledged commands.
struct Journal {
    started: Instant,
    phase: AtomicUsize,
    counts: Mutex<Vec<PhaseCounts>>,
    failures: Mutex<Vec<Failure>>,
    /// (aggregate type, id) → highest acknowledged version.
    acks: Mutex<HashMap<(&'static str, String), u64>>,
    acknowledged: AtomicU64,
    /// Payments the API acknowledged: (invoice id, payment id, amount).
    payments: Mutex<Vec<(String, String, String)>>,
    /// Credit notes the API acknowledged: (invoice id, credit note id).
    credit_notes: Mutex<Vec<(String, String)>>,
}

impl Journal {
    fn new(phases: usize) -> Self {
        Self {
            started: Instant::now(),
            phase: AtomicUsize::new(0),
            counts: Mutex::new(vec![PhaseCounts::default(); phases]),
            failures: Mutex::new(Vec::new()),
            acks: Mutex::new(HashMap::new()),
            acknowledged: AtomicU64::new(0),
            payments: Mutex::new(Vec::new()),
            credit_notes: Mutex::new(Vec::new()),
        }
    }

    fn t(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    fn count(&self, phase: usize, side: Side, reply: &Reply) {
        if let Ok(mut counts) = self.counts.lock() {
            if let Some(p) = counts.get_mut(phase) {
                let c = match side {
                    Side::Command => &mut p.commands,
                    Side::Read => &mut p.reads,
                };
                c.attempts += 1;
                if reply.ok() {
                    c.ok += 1;
                } else {
                    *c.failed.entry(reply.status).or_default() += 1;
                }
            }
        }
    }

    fn given_up(&self, phase: usize) {
        if let Ok(mut counts) = self.counts.lock() {
            if let Some(p) = counts.get_mut(phase) {
                p.commands.not_acknowledged += 1;
            }
        }
    }

    fn fail(&self, failure: Failure) {
        if let Ok(mut f) = self.failures.lock() {
            f.push(failure);
        }
    }

    fn ack(&self, aggregate: &'static str, body: &Value) {
        let (Some(id), Some(version)) = (body["id"].as_str(), body["version"].as_u64()) else {
            return;
        };
        self.acknowledged.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut acks) = self.acks.lock() {
            let v = acks.entry((aggregate, id.to_owned())).or_default();
            *v = (*v).max(version);
        }
    }
}

/// The clients' side of the scenario.
#[derive(Clone)]
struct Load {
    client: Client,
    journal: Arc<Journal>,
    recorder: Arc<Recorder>,
    seeded: Seeded,
    stop: Arc<AtomicBool>,
    /// Time between two steps of one client.
    period: Duration,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

impl Load {
    /// A command, tried again while the answer says "not now" (no answer, 502, 503,
    /// 504), for up to a minute: what a careful client does. Each attempt is counted.
    async fn command(
        &self,
        endpoint: &'static str,
        aggregate: &'static str,
        method: Method,
        path: String,
        body: Option<Value>,
    ) -> Option<Value> {
        let started = Instant::now();
        let mut after_retry = false;
        loop {
            let reply = self
                .client
                .call(
                    method.clone(),
                    format!("{}{path}", self.client.command),
                    body.as_ref(),
                )
                .await;
            // An answer counts in the phase it came back in.
            let phase = self.journal.phase.load(Ordering::Relaxed);
            self.recorder.record(endpoint, reply.status, reply.latency);
            self.journal.count(phase, Side::Command, &reply);
            if reply.ok() {
                self.journal.ack(aggregate, &reply.body);
                return Some(reply.body);
            }
            self.journal.fail(Failure {
                t_s: self.journal.t(),
                phase,
                side: Side::Command,
                endpoint,
                status: reply.status,
                retry_after: reply.retry_after.is_some(),
                code: reply.code(),
                after_retry,
            });
            let transient = matches!(reply.status, 502..=504 | 599);
            if !transient
                || started.elapsed() > Duration::from_secs(60)
                || (after_retry && self.stop.load(Ordering::Relaxed))
            {
                self.journal.given_up(phase);
                return None;
            }
            after_retry = true;
            let wait = reply
                .retry_after
                .unwrap_or(Duration::from_millis(250))
                .min(Duration::from_secs(2));
            tokio::time::sleep(wait).await;
        }
    }

    async fn read(&self, endpoint: &'static str, path: String) -> Option<Value> {
        let reply = self
            .client
            .call(Method::GET, format!("{}{path}", self.client.read), None)
            .await;
        let phase = self.journal.phase.load(Ordering::Relaxed);
        self.recorder.record(endpoint, reply.status, reply.latency);
        self.journal.count(phase, Side::Read, &reply);
        if reply.ok() {
            return Some(reply.body);
        }
        self.journal.fail(Failure {
            t_s: self.journal.t(),
            phase,
            side: Side::Read,
            endpoint,
            status: reply.status,
            retry_after: reply.retry_after.is_some(),
            code: reply.code(),
            after_retry: false,
        });
        None
    }

    fn pick(&self) -> (u32, String, String, u32) {
        let mut rng = rand::rng();
        (
            rng.random_range(0..100),
            self.seeded.products[rng.random_range(0..self.seeded.products.len())].clone(),
            self.seeded.customers[rng.random_range(0..self.seeded.customers.len())].clone(),
            rng.random_range(1..1000),
        )
    }

    /// One client: until told to stop, an order to its end (most of the time), stock
    /// received, products and customers created, and reads.
    async fn run(self) {
        let mut pace = tokio::time::interval(self.period);
        // After a stall (a fault), carry on at the same pace rather than in a burst.
        pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !self.stop.load(Ordering::Relaxed) {
            pace.tick().await;
            let (roll, product, customer, n) = self.pick();
            match roll {
                0..=39 => self.order(&customer).await,
                40..=49 => {
                    self.command(
                        "POST /stock/{id}/adjustments",
                        "Stock",
                        Method::POST,
                        format!("/stock/{product}/adjustments"),
                        Some(json!({"quantity": format!("{}", n % 50 + 5), "reason": "receipt"})),
                    )
                    .await;
                }
                50..=54 => {
                    let k = NEXT.fetch_add(1, Ordering::Relaxed);
                    let created = self
                        .command(
                            "POST /products",
                            "Product",
                            Method::POST,
                            "/products".to_owned(),
                            Some(json!({"sku": format!("FLT-{k}"), "name": format!("Article en panne {k}"),
                                        "price": format!("{}.{:02}", k % 300 + 1, k % 100),
                                        "vat_rate": "20", "unit": "piece",
                                        "category": format!("Catégorie {}", k % 20),
                                        "low_stock_threshold": "5"})),
                        )
                        .await;
                    if let Some(id) = created.as_ref().and_then(|b| b["id"].as_str()) {
                        self.command(
                            "POST /stock/{id}/adjustments",
                            "Stock",
                            Method::POST,
                            format!("/stock/{id}/adjustments"),
                            Some(json!({"quantity": "100", "reason": "receipt"})),
                        )
                        .await;
                    }
                }
                55..=57 => {
                    let k = NEXT.fetch_add(1, Ordering::Relaxed);
                    self.command(
                        "POST /customers",
                        "Customer",
                        Method::POST,
                        "/customers".to_owned(),
                        Some(json!({"code": format!("FLT-{k}"), "legal_name": format!("Client en panne {k} SARL")})),
                    )
                    .await;
                }
                58..=72 => {
                    self.read("GET /products/{id}", format!("/products/{product}"))
                        .await;
                }
                73..=82 => {
                    self.read(
                        "GET /products?q",
                        format!("/products?q={}&sort=-price&limit=20", n % 300),
                    )
                    .await;
                }
                83..=92 => {
                    self.read("GET /stock/{id}", format!("/stock/{product}"))
                        .await;
                }
                _ => {
                    self.read(
                        "GET /orders?status",
                        "/orders?status=submitted&limit=20".to_owned(),
                    )
                    .await;
                }
            }
        }
    }

    /// A draft with one to three lines, submitted, then fulfilled (45 %), cancelled
    /// (45 %) or left submitted (10 %, so that some stock stays reserved).
    async fn order(&self, customer: &str) {
        let Some(created) = self
            .command(
                "POST /orders",
                "Order",
                Method::POST,
                "/orders".to_owned(),
                Some(json!({"customer_id": customer})),
            )
            .await
        else {
            return;
        };
        let Some(id) = created["id"].as_str().map(str::to_owned) else {
            return;
        };
        let (lines, end) = {
            let mut rng = rand::rng();
            (rng.random_range(1..=3), rng.random_range(0..100))
        };
        for _ in 0..lines {
            let (_, product, _, n) = self.pick();
            let added = self
                .command(
                    "POST /orders/{id}/lines",
                    "Order",
                    Method::POST,
                    format!("/orders/{id}/lines"),
                    Some(json!({"product_id": product, "quantity": format!("{}", n % 3 + 1)})),
                )
                .await;
            if added.is_none() {
                return;
            }
        }
        let submitted = self
            .command(
                "POST /orders/{id}/submit",
                "Order",
                Method::POST,
                format!("/orders/{id}/submit"),
                None,
            )
            .await;
        if submitted.is_none() {
            return;
        }
        let (endpoint, step) = match end {
            0..=44 => ("POST /orders/{id}/fulfil", "fulfil"),
            45..=89 => ("POST /orders/{id}/cancel", "cancel"),
            _ => return,
        };
        let ended = self
            .command(
                endpoint,
                "Order",
                Method::POST,
                format!("/orders/{id}/{step}"),
                None,
            )
            .await;
        // Most fulfilled orders are invoiced at once, as a shop does at dispatch.
        if step == "fulfil" && ended.is_some() && rand::rng().random_range(0..100) < 85 {
            self.invoice(&id).await;
        }
    }

    /// Invoices a fulfilled order, then (70 %) pays it in full, pays part of it, or
    /// credits it whole. Every id is the client's, so a retry after a lost answer is
    /// answered, not recorded twice.
    async fn invoice(&self, order: &str) {
        let id = uuid::Uuid::new_v4().to_string();
        let Some(issued) = self
            .command(
                "POST /invoices",
                "Invoice",
                Method::POST,
                "/invoices".to_owned(),
                Some(json!({"order_id": order, "id": id})),
            )
            .await
        else {
            return;
        };
        let roll = rand::rng().random_range(0..100);
        if roll >= 70 {
            return;
        }
        if roll >= 55 {
            let credit_note = uuid::Uuid::new_v4().to_string();
            let credited = self
                .command(
                    "POST /invoices/{id}/credit-notes",
                    "Invoice",
                    Method::POST,
                    format!("/invoices/{id}/credit-notes"),
                    Some(json!({"id": credit_note, "reason": "Retour de la marchandise", "whole": true})),
                )
                .await;
            if credited.is_some() {
                if let Ok(mut c) = self.journal.credit_notes.lock() {
                    c.push((id, credit_note));
                }
            }
            return;
        }
        // What it owes, as the issue answered it.
        let Some(balance) = issued["balance"].as_str() else {
            return;
        };
        let whole_units = balance
            .split('.')
            .next()
            .and_then(|u| u.parse::<u64>().ok())
            .unwrap_or(0);
        let amount = if roll < 40 || whole_units < 2 {
            balance.to_owned()
        } else {
            "1.00".to_owned()
        };
        let payment = uuid::Uuid::new_v4().to_string();
        let paid = self
            .command(
                "POST /invoices/{id}/payments",
                "Invoice",
                Method::POST,
                format!("/invoices/{id}/payments"),
                Some(
                    json!({"id": payment, "paid_on": chrono::Utc::now().date_naive().to_string(),
                            "amount": amount, "method": "bank_transfer",
                            "reference": format!("VIR {payment}")}),
                ),
            )
            .await;
        if paid.is_some() {
            if let Ok(mut p) = self.journal.payments.lock() {
                p.push((id, payment, amount));
            }
        }
    }
}

/// Updates the probe product until a fresh update is read back at its version through
/// read-api: how long the system takes to work end to end again after `since`.
async fn probe(
    client: Client,
    journal: Arc<Journal>,
    product: String,
    since: Instant,
    limit: Duration,
) -> ProbeResult {
    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    let mut tries = 0u64;
    while since.elapsed() < limit {
        tries += 1;
        let k = NEXT.fetch_add(1, Ordering::Relaxed);
        let updated = client
            .call(
                Method::PATCH,
                format!("{}/products/{product}", client.command),
                Some(&json!({"name": format!("Sonde {k}")})),
            )
            .await;
        if updated.ok() {
            journal.ack("Product", &updated.body);
            if let Some(version) = updated.body["version"].as_u64() {
                let read = client
                    .call(
                        Method::GET,
                        format!("{}/products/{product}?min_version={version}", client.read),
                        None,
                    )
                    .await;
                if read.ok() {
                    return ProbeResult {
                        recovered_at: Some(Instant::now()),
                        tries,
                        failures: statuses,
                    };
                }
                *statuses
                    .entry(format!(
                        "read {}{}",
                        read.status,
                        read.code().map(|c| format!(" {c}")).unwrap_or_default()
                    ))
                    .or_default() += 1;
            }
        } else {
            *statuses
                .entry(format!(
                    "command {}{}",
                    updated.status,
                    updated.code().map(|c| format!(" {c}")).unwrap_or_default()
                ))
                .or_default() += 1;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ProbeResult {
        recovered_at: None,
        tries,
        failures: statuses,
    }
}

struct ProbeResult {
    recovered_at: Option<Instant>,
    tries: u64,
    failures: BTreeMap<String, u64>,
}

/// When a service was down: connection errors to it then are expected.
#[derive(Debug, Clone, Serialize)]
struct Down {
    side: Side,
    from_s: f64,
    to_s: f64,
}

#[derive(Debug, Serialize)]
struct FaultReport {
    fault: &'static str,
    at_s: f64,
    /// When the service (or NATS) was started again, after the fault.
    restarted_after_ms: Option<f64>,
    /// When it answered ready again, after the fault.
    ready_after_ms: Option<f64>,
    /// From the fault until a fresh command was read back at its version.
    recovered_after_ms: Option<f64>,
    /// The same, from the restart.
    recovered_after_restart_ms: Option<f64>,
    probe_tries: u64,
    probe_failures: BTreeMap<String, u64>,
    detail: Value,
}

const FAULTS: [&str; 5] = [
    "kill -9 command-api",
    "kill -9 projector",
    "kill -9 read-api",
    "nats-server down",
    "database connections terminated",
];

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub async fn run(
    plan: &Plan,
    ctx: &Ctx,
    seeded: &Seeded,
    stack: &mut Stack,
    bin: &Path,
) -> anyhow::Result<ScenarioResult> {
    let client = Client::login(&stack.command_url, &stack.read_url).await?;
    let probe_product = seeded
        .products
        .first()
        .context("no product seeded")?
        .clone();
    let journal = Arc::new(Journal::new(FAULTS.len() + 1));
    let recorder = Arc::new(Recorder::default());
    let stop = Arc::new(AtomicBool::new(false));
    let load = Load {
        client: client.clone(),
        journal: Arc::clone(&journal),
        recorder: Arc::clone(&recorder),
        seeded: seeded.clone(),
        stop: Arc::clone(&stop),
        period: Duration::from_secs_f64(plan.clients as f64 / plan.steps_per_second),
    };
    let workers: Vec<_> = (0..plan.clients)
        .map(|_| tokio::spawn(load.clone().run()))
        .collect();
    let ticker = {
        let recorder = Arc::clone(&recorder);
        let journal = Arc::clone(&journal);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let phase = journal.phase.load(Ordering::Relaxed);
                eprint!(
                    "\r  faults {:6.1} s  phase {phase}  {:>8} ok answers  {:>7} acknowledged commands   ",
                    journal.t(),
                    recorder.ok_count(),
                    journal.acknowledged.load(Ordering::Relaxed)
                );
            }
        })
    };

    let outcome = inject_all(plan, ctx, stack, &client, &journal, &probe_product).await;
    stop.store(true, Ordering::Relaxed);
    join_all(workers).await;
    ticker.abort();
    let load_s = journal.t();
    eprintln!();
    let (reports, downs, catch_up) = outcome?;

    eprintln!("  load stopped; waiting for order processes and the projector…");
    let checks = verify(ctx, &journal, stack, bin).await?;

    let summary = summarise(&journal, &reports, &downs);
    let passed = summary.defects == 0 && checks.iter().all(|(_, c)| c["passed"] == json!(true));
    print_report(&reports, &summary, &catch_up, &checks, passed);

    let elapsed = Duration::from_secs_f64(load_s);
    Ok(ScenarioResult {
        scenario: "faults".to_owned(),
        concurrency: plan.clients,
        elapsed_s: load_s,
        endpoints: recorder.summary(elapsed),
        peaks: Peaks::default(),
        projection_lag: None,
        extra: Some(json!({
            "checks_passed": passed,
            "plan": plan,
            "faults": reports,
            "phases": summary.phases,
            "server_errors_and_unexpected_failures": summary.defects,
            "defect_samples": summary.defect_samples,
            "rejections_4xx": summary.rejections,
            "nats_catch_up": catch_up,
            "checks": checks.into_iter().collect::<serde_json::Map<_, _>>(),
        })),
    })
}

type Injected = (Vec<FaultReport>, Vec<Down>, Value);

/// The faults, one after the other, each with its probe and its recovery wait.
async fn inject_all(
    plan: &Plan,
    ctx: &Ctx,
    stack: &mut Stack,
    client: &Client,
    journal: &Arc<Journal>,
    probe_product: &str,
) -> anyhow::Result<Injected> {
    let mut reports = Vec::new();
    let mut downs = Vec::new();
    let mut catch_up = Value::Null;
    tokio::time::sleep(plan.warm_up).await;
    for (n, fault) in FAULTS.iter().enumerate() {
        eprintln!("\n  fault {}: {fault}", n + 1);
        // What is in flight when the fault hits (it waits for the right moment).
        let mut detail = match n {
            0 => before_kill("command-api", ctx, stack).await,
            1 => before_kill("projector", ctx, stack).await,
            _ => json!({}),
        };
        let before = backlog(&ctx.pool, None).await.unwrap_or_default();
        journal.phase.store(n + 1, Ordering::Relaxed);
        let at = Instant::now();
        let at_s = journal.t();
        let probe = tokio::spawn(probe(
            client.clone(),
            Arc::clone(journal),
            probe_product.to_owned(),
            at,
            plan.recovery_limit,
        ));
        let timeline = Timeline::start(ctx.pool.clone(), at);
        let mut restarted = None;
        let mut ready = None;
        match n {
            0..=2 => {
                let (name, side) = [
                    ("command-api", Some(Side::Command)),
                    ("projector", None),
                    ("read-api", Some(Side::Read)),
                ][n];
                stack.kill(name).await?;
                tokio::time::sleep(plan.down).await;
                restarted = Some(at.elapsed());
                stack.restart(name).await?;
                ready = Some(at.elapsed());
                if let Some(side) = side {
                    downs.push(Down {
                        side,
                        from_s: at_s,
                        // The client's pooled connections learn of the restart at once,
                        // but give it a second.
                        to_s: at_s + at.elapsed().as_secs_f64() + 1.0,
                    });
                }
            }
            3 => {
                let server = stack
                    .nats_server
                    .as_mut()
                    .context("faults needs the run's own nats-server")?;
                server.kill().await?;
                tokio::time::sleep(plan.nats_outage).await;
                restarted = Some(at.elapsed());
                server.spawn().await?;
                ready = Some(at.elapsed());
                catch_up = measure_catch_up(&ctx.pool, before, plan.recovery_limit).await;
            }
            _ => {
                let terminated = terminate_connections(&stack.db_url, &stack.db_name).await?;
                detail = json!({ "backends_terminated": terminated });
            }
        }
        let probed = probe.await?;
        if let Some(d) = detail.as_object_mut() {
            d.insert("backlog_every_500_ms".to_owned(), timeline.stop());
        }
        let recovered = probed.recovered_at.map(|t| t.duration_since(at));
        let report = FaultReport {
            fault,
            at_s,
            restarted_after_ms: restarted.map(ms),
            ready_after_ms: ready.map(ms),
            recovered_after_ms: recovered.map(ms),
            recovered_after_restart_ms: recovered
                .zip(restarted)
                .map(|(r, s)| ms(r.saturating_sub(s))),
            probe_tries: probed.tries,
            probe_failures: probed.failures,
            detail,
        };
        eprintln!(
            "\n  {fault}: recovered after {}",
            report
                .recovered_after_ms
                .map_or("— (not within the limit)".to_owned(), |m| format!(
                    "{m:.0} ms"
                ))
        );
        reports.push(report);
        tokio::time::sleep(plan.settle).await;
    }
    Ok((reports, downs, catch_up))
}

/// Waits for the moment the fault is meant to hit, and says what was in flight.
async fn before_kill(name: &str, ctx: &Ctx, stack: &Stack) -> Value {
    match name {
        // Mid-process: an order being submitted, cancelled or fulfilled.
        "command-api" => {
            let mut in_flight = 0i64;
            for _ in 0..100 {
                in_flight = sqlx::query_scalar("SELECT count(*) FROM order_processes")
                    .fetch_one(&ctx.pool)
                    .await
                    .unwrap_or(0);
                if in_flight > 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            json!({ "order_processes_in_flight": in_flight })
        }
        // Mid-batch: messages delivered to the projector and not acknowledged yet.
        "projector" => {
            let mut pending = None;
            if let Ok(client) = async_nats::connect(&stack.nats_url).await {
                let jetstream = async_nats::jetstream::new(client);
                if let Ok(stream) = jetstream.get_stream(&stack.stream).await {
                    for _ in 0..250 {
                        if let Ok(info) = stream.consumer_info("projector").await {
                            pending = Some(info.num_ack_pending);
                            if info.num_ack_pending > 0 {
                                break;
                            }
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
            let unprojected = backlog(&ctx.pool, None)
                .await
                .map(|b| b.events - b.projected)
                .ok();
            json!({ "delivered_not_acked": pending, "events_not_projected": unprojected })
        }
        _ => json!({}),
    }
}

/// The outbox rows not yet published and the events not yet projected, every 500 ms
/// from a fault until it has recovered.
struct Timeline {
    samples: Arc<Mutex<Vec<(u64, i64, i64)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Timeline {
    fn start(pool: PgPool, since: Instant) -> Self {
        let samples = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&samples);
        let task = tokio::spawn(async move {
            loop {
                if let Ok(b) = backlog(&pool, None).await {
                    let t = since.elapsed().as_millis() as u64;
                    if let Ok(mut s) = shared.lock() {
                        s.push((t, b.unpublished, b.events - b.projected));
                    }
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        });
        Self { samples, task }
    }

    /// `[[ms since the fault, unpublished, not projected], …]`
    fn stop(self) -> Value {
        self.task.abort();
        let samples = self.samples.lock().map(|s| s.clone()).unwrap_or_default();
        json!(samples)
    }
}

#[derive(Debug, Default, Clone, Copy, Serialize)]
struct Backlog {
    events: i64,
    projected: i64,
    unpublished: i64,
    last_position: i64,
    last_outbox_id: i64,
}

/// Events in the store, projected, and not yet published; with `upto`, only what was
/// in the store at that position (and outbox id) counts as not yet projected or
/// published.
async fn backlog(pool: &PgPool, upto: Option<Backlog>) -> Result<Backlog, sqlx::Error> {
    let (events, projected, last_position, last_outbox_id): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM events),
                    (SELECT coalesce(sum(last_sequence), 0)::bigint FROM projector_checkpoints),
                    (SELECT coalesce(max(position), 0) FROM events),
                    (SELECT coalesce(max(id), 0) FROM outbox)",
    )
    .fetch_one(pool)
    .await?;
    let unpublished: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL AND id <= $1")
            .bind(upto.map_or(i64::MAX, |u| u.last_outbox_id))
            .fetch_one(pool)
            .await?;
    Ok(Backlog {
        events,
        projected,
        unpublished,
        last_position,
        last_outbox_id,
    })
}

/// Events at or before `position` that the projector has not applied yet.
async fn unprojected_upto(pool: &PgPool, position: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM events e
         LEFT JOIN projector_checkpoints c USING (aggregate_type, aggregate_id)
         WHERE e.position <= $1 AND e.sequence > coalesce(c.last_sequence, 0)",
    )
    .bind(position)
    .fetch_one(pool)
    .await
}

/// After NATS is back: how long until the relay publishes again, until the outbox rows
/// written before the restart are published, until the events stored before it are
/// projected, and until the projection lag is back to what it was before the fault;
/// the projector's rate meanwhile (the load goes on).
async fn measure_catch_up(pool: &PgPool, before: Backlog, limit: Duration) -> Value {
    let started = Instant::now();
    let Ok(at_restart) = backlog(pool, None).await else {
        return json!({ "error": "database unreachable at the restart" });
    };
    let behind = unprojected_upto(pool, at_restart.last_position)
        .await
        .unwrap_or(0);
    // What counts as caught up for the whole stream: the lag before the fault, or 100.
    let normal = (before.events - before.projected).max(100);
    let mut resumed: Option<(Duration, Backlog)> = None;
    let mut published_after = None;
    let mut projected: Option<(Duration, Backlog)> = None;
    let mut normal_after = None;
    while started.elapsed() < limit && (projected.is_none() || normal_after.is_none()) {
        // Not too often: the scan over `events` competes with what it measures.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let Ok(now) = backlog(pool, Some(at_restart)).await else {
            continue;
        };
        let t = started.elapsed();
        if resumed.is_none() && now.unpublished < at_restart.unpublished {
            resumed = Some((t, now));
        }
        if published_after.is_none() && now.unpublished == 0 {
            published_after = Some(t);
        }
        if projected.is_none()
            && unprojected_upto(pool, at_restart.last_position)
                .await
                .is_ok_and(|n| n == 0)
        {
            projected = Some((t, now));
        }
        if projected.is_some() && normal_after.is_none() && now.events - now.projected <= normal {
            normal_after = Some(t);
        }
    }
    let rate = |from: Option<(Duration, Backlog)>| {
        from.zip(projected).map(|((t0, b0), (t1, b1))| {
            (b1.projected - b0.projected) as f64 / (t1 - t0).as_secs_f64().max(1e-3)
        })
    };
    json!({
        "events_written_during_outage": at_restart.events - before.events,
        "outbox_unpublished_at_restart": at_restart.unpublished,
        "events_not_projected_at_restart": behind,
        "relay_resumed_after_ms": resumed.map(|(t, _)| ms(t)),
        "outbox_drained_after_ms": published_after.map(ms),
        // Every event stored before the restart projected.
        "caught_up_after_ms": projected.map(|(t, _)| ms(t)),
        // The whole stream's lag back to what it was before the fault (or 100 events).
        "lag_normal_after_ms": normal_after.map(ms),
        "lag_normal_events": normal,
        // Events the projector applied per second (new ones included, the load goes on),
        // from the restart, and from the relay's first publication, until caught up.
        "catch_up_events_per_second": rate(Some((Duration::ZERO, at_restart))),
        "projector_events_per_second_once_published": rate(resumed),
    })
}

/// `pg_terminate_backend` for every other connection to the run's database.
async fn terminate_connections(db_url: &str, db_name: &str) -> anyhow::Result<i64> {
    let mut conn = sqlx::PgConnection::connect(db_url).await?;
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid()
            AND backend_type = 'client backend') t",
    )
    .bind(db_name)
    .fetch_one(&mut conn)
    .await?;
    conn.close().await?;
    Ok(n)
}

struct Summary {
    phases: Vec<Value>,
    defects: u64,
    defect_samples: Vec<Failure>,
    rejections: BTreeMap<String, u64>,
}

/// Per phase: attempts and failures by status; every failure that breaks the promise
/// (a 5xx that is not a 503 with `Retry-After`, a connection error while nothing was
/// down) is a defect.
fn summarise(journal: &Journal, reports: &[FaultReport], downs: &[Down]) -> Summary {
    let counts = journal.counts.lock().map(|c| c.clone()).unwrap_or_default();
    let failures = journal
        .failures
        .lock()
        .map(|f| f.clone())
        .unwrap_or_default();
    let mut defects_per_phase = vec![0u64; counts.len()];
    let mut defect_samples = Vec::new();
    let mut defects = 0;
    let mut rejections = BTreeMap::new();
    for f in &failures {
        let was_down = downs
            .iter()
            .any(|d| d.side == f.side && d.from_s <= f.t_s && f.t_s <= d.to_s);
        let expected = match f.status {
            599 => was_down,
            503 => f.retry_after,
            400..=499 => {
                let key = format!(
                    "{} {} {}{}",
                    f.endpoint,
                    f.status,
                    f.code.as_deref().unwrap_or("-"),
                    if f.after_retry {
                        " (after a retry)"
                    } else {
                        ""
                    }
                );
                *rejections.entry(key).or_default() += 1;
                true
            }
            _ => false,
        };
        if !expected {
            defects += 1;
            if let Some(d) = defects_per_phase.get_mut(f.phase) {
                *d += 1;
            }
            if defect_samples.len() < 50 {
                defect_samples.push(f.clone());
            }
        }
    }
    let phases = counts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({
                "phase": if i == 0 { "warm-up (no fault)" } else { reports.get(i - 1).map_or("?", |r| r.fault) },
                "commands": c.commands,
                "reads": c.reads,
                "defects": defects_per_phase[i],
            })
        })
        .collect();
    Summary {
        phases,
        defects,
        defect_samples,
        rejections,
    }
}

/// The checks after the load: (name, {passed, …}).
async fn verify(
    ctx: &Ctx,
    journal: &Journal,
    stack: &Stack,
    bin: &Path,
) -> anyhow::Result<Vec<(String, Value)>> {
    let pool = &ctx.pool;
    let mut checks = Vec::new();

    // At rest: no order process left (a crashed one is finished or compensated).
    let started = Instant::now();
    let mut processes = -1i64;
    while started.elapsed() < Duration::from_secs(60) {
        processes = sqlx::query_scalar("SELECT count(*) FROM order_processes")
            .fetch_one(pool)
            .await
            .unwrap_or(-1);
        if processes == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    checks.push((
        "order_processes_finished".to_owned(),
        json!({"passed": processes == 0, "left": processes,
               "waited_ms": ms(started.elapsed())}),
    ));

    // Every stream projected to its last event.
    let started = Instant::now();
    let mut behind: Vec<(String, String, i64, i64)> = Vec::new();
    while started.elapsed() < Duration::from_secs(120) {
        behind = sqlx::query_as(
            "SELECT e.aggregate_type, e.aggregate_id, max(e.sequence),
                    coalesce(max(c.last_sequence), 0)
             FROM events e
             LEFT JOIN projector_checkpoints c USING (aggregate_type, aggregate_id)
             GROUP BY 1, 2
             HAVING max(e.sequence) <> coalesce(max(c.last_sequence), 0)
             LIMIT 20",
        )
        .fetch_all(pool)
        .await?;
        if behind.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(pool)
        .await?;
    checks.push((
        "all_events_projected".to_owned(),
        json!({"passed": behind.is_empty(), "events": events,
               "waited_ms": ms(started.elapsed()),
               "streams_behind": behind.iter().map(|(t, id, s, c)| json!({"aggregate_type": t, "aggregate_id": id, "last_sequence": s, "checkpoint": c})).collect::<Vec<_>>()}),
    ));

    // (a) Every acknowledged command is in the store.
    let acks: Vec<((&'static str, String), u64)> = journal
        .acks
        .lock()
        .map(|a| a.iter().map(|(k, v)| (k.clone(), *v)).collect())
        .unwrap_or_default();
    let (types, ids, versions): (Vec<String>, Vec<String>, Vec<i64>) = acks.iter().fold(
        (Vec::new(), Vec::new(), Vec::new()),
        |(mut t, mut i, mut v), ((ty, id), ver)| {
            t.push((*ty).to_owned());
            i.push(id.clone());
            v.push(i64::try_from(*ver).unwrap_or(i64::MAX));
            (t, i, v)
        },
    );
    let missing: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT a.t, a.id, a.v, coalesce(max(e.sequence), 0)
         FROM unnest($1::text[], $2::text[], $3::bigint[]) AS a(t, id, v)
         LEFT JOIN events e ON e.aggregate_type = a.t AND e.aggregate_id = a.id
         GROUP BY 1, 2, 3
         HAVING coalesce(max(e.sequence), 0) < a.v
         LIMIT 20",
    )
    .bind(&types)
    .bind(&ids)
    .bind(&versions)
    .fetch_all(pool)
    .await?;
    checks.push((
        "acknowledged_commands_stored".to_owned(),
        json!({"passed": missing.is_empty(),
               "acknowledged_commands": journal.acknowledged.load(Ordering::Relaxed),
               "aggregates": acks.len(),
               "missing": missing.iter().map(|(t, id, v, s)| json!({"aggregate_type": t, "aggregate_id": id, "acknowledged_version": v, "stored_version": s})).collect::<Vec<_>>()}),
    ));

    // (c) Stock: reserved is what the submitted orders hold, and never above on hand.
    let stock: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "WITH held AS (
             SELECT l.product_id, sum(l.quantity) AS q
             FROM order_lines l JOIN orders o ON o.id = l.order_id
             WHERE o.status = 'submitted' GROUP BY l.product_id)
         SELECT coalesce(s.product_id, h.product_id)::text, coalesce(s.sku, '?'),
                coalesce(s.on_hand, 0)::text, coalesce(s.reserved, 0)::text,
                coalesce(h.q, 0)::text
         FROM stock_levels s FULL JOIN held h ON h.product_id = s.product_id
         WHERE coalesce(s.reserved, 0) <> coalesce(h.q, 0)
            OR s.reserved > s.on_hand OR s.reserved < 0
         LIMIT 20",
    )
    .fetch_all(pool)
    .await?;
    let (reserved_total, submitted_orders): (String, i64) = sqlx::query_as(
        "SELECT (SELECT coalesce(sum(reserved), 0) FROM stock_levels)::text,
                (SELECT count(*) FROM orders WHERE status = 'submitted')",
    )
    .fetch_one(pool)
    .await?;
    let over: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM stock_movements
         WHERE reserved > on_hand OR reserved < 0 OR on_hand < 0",
    )
    .fetch_one(pool)
    .await?;
    let statuses: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, count(*) FROM orders GROUP BY 1 ORDER BY 1")
            .fetch_all(pool)
            .await?;
    checks.push((
        "stock_reserved_is_submitted_orders".to_owned(),
        json!({"passed": stock.is_empty() && over == 0,
               "reserved_total": reserved_total, "submitted_orders": submitted_orders,
               "orders_by_status": statuses.into_iter().collect::<BTreeMap<_, _>>(),
               "movements_with_reserved_above_on_hand": over,
               "mismatches": stock.iter().map(|(p, sku, on, r, q)| json!({"product_id": p, "sku": sku, "on_hand": on, "reserved": r, "submitted_orders_hold": q})).collect::<Vec<_>>()}),
    ));

    // (d) No dead letter.
    let dead: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT reason, status, count(*) FROM projector_dead_letters GROUP BY 1, 2")
            .fetch_all(pool)
            .await?;
    checks.push((
        "no_dead_letters".to_owned(),
        json!({"passed": dead.is_empty(),
               "dead_letters": dead.iter().map(|(r, s, n)| json!({"reason": r, "status": s, "count": n})).collect::<Vec<_>>()}),
    ));

    // Every event published: the outbox is empty and the stream holds at least one message
    // per event (a batch the relay sent again after a crash is dropped by JetStream's
    // duplicate window; one that got through would be skipped by the checkpoints).
    let unpublished: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            .fetch_one(pool)
            .await?;
    let mut stream_messages = None;
    if let Ok(client) = async_nats::connect(&stack.nats_url).await {
        let jetstream = async_nats::jetstream::new(client);
        if let Ok(mut stream) = jetstream.get_stream(&stack.stream).await {
            stream_messages = stream.info().await.ok().map(|i| i.state.messages);
        }
    }
    let on_stream = stream_messages.and_then(|m| i64::try_from(m).ok());
    checks.push((
        "every_event_published".to_owned(),
        json!({"passed": unpublished == 0 && on_stream.is_some_and(|m| m >= events),
               "outbox_unpublished": unpublished, "events": events,
               "stream_messages": on_stream,
               // Published twice and kept by the stream (past its duplicate window): the
               // checkpoints skip them.
               "duplicates_on_stream": on_stream.map(|m| m - events)}),
    ));

    checks.push((
        "invoicing_consistent".to_owned(),
        invoicing(pool, journal).await?,
    ));
    checks.push((
        "documents_transmitted_once".to_owned(),
        transmitted(pool, stack).await?,
    ));

    // (b) Every read model equals a rebuild from the store, row for row.
    eprintln!("  rebuilding the read models to compare…");
    let tables = projector::projections::READ_MODEL_TABLES;
    let incremental = dump(pool, tables).await?;
    let started = Instant::now();
    let output = Command::new(bin.join("projector"))
        .arg("rebuild")
        .env("DATABASE_URL", &stack.db_url)
        .env("RUST_LOG", "warn")
        .output()
        .await?;
    let rebuild_ms = ms(started.elapsed());
    if !output.status.success() {
        bail!(
            "projector rebuild failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let rebuilt = dump(pool, tables).await?;
    let (only_incremental, only_rebuilt) = differences(&incremental, &rebuilt);
    let mut per_table: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for row in &only_incremental {
        per_table.entry(table_of(row)).or_default().0 += 1;
    }
    for row in &only_rebuilt {
        per_table.entry(table_of(row)).or_default().1 += 1;
    }
    let clip = |rows: &[&String]| -> Vec<String> {
        rows.iter()
            .take(10)
            .map(|r| r.chars().take(600).collect())
            .collect()
    };
    checks.push((
        "read_models_equal_rebuild".to_owned(),
        json!({"passed": only_incremental.is_empty() && only_rebuilt.is_empty(),
               "rows": incremental.len(), "rows_rebuilt": rebuilt.len(),
               "rebuild_ms": rebuild_ms,
               "differing_rows_per_table": per_table.iter().map(|(t, (a, b))| (t.to_string(), json!({"incremental_only": a, "rebuild_only": b}))).collect::<serde_json::Map<_, _>>(),
               "incremental_only": clip(&only_incremental),
               "rebuild_only": clip(&only_rebuilt)}),
    ));
    Ok(checks)
}

/// Invoices after the faults: every acknowledged payment and credit note stored as
/// acknowledged, each invoice's paid and credited amounts the sum of its rows, one
/// invoice per fulfilled order, and both number series without a gap or a repeat.
async fn invoicing(pool: &PgPool, journal: &Journal) -> Result<Value, sqlx::Error> {
    let payments = journal
        .payments
        .lock()
        .map(|p| p.clone())
        .unwrap_or_default();
    let (invoice_ids, (payment_ids, amounts)): (Vec<String>, (Vec<String>, Vec<String>)) =
        payments.into_iter().map(|(i, p, a)| (i, (p, a))).unzip();
    let payments_not_stored: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT a.invoice, a.payment, a.amount, p.amount::text
         FROM unnest($1::text[], $2::text[], $3::text[]) AS a(invoice, payment, amount)
         LEFT JOIN invoice_payments p ON p.invoice_id::text = a.invoice AND p.id::text = a.payment
         WHERE p.amount IS DISTINCT FROM a.amount::numeric
         LIMIT 20",
    )
    .bind(&invoice_ids)
    .bind(&payment_ids)
    .bind(&amounts)
    .fetch_all(pool)
    .await?;
    let credit_notes = journal
        .credit_notes
        .lock()
        .map(|c| c.clone())
        .unwrap_or_default();
    let (cn_invoices, cn_ids): (Vec<String>, Vec<String>) = credit_notes.into_iter().unzip();
    let credit_notes_not_stored: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.invoice, a.credit_note
         FROM unnest($1::text[], $2::text[]) AS a(invoice, credit_note)
         WHERE NOT EXISTS (SELECT 1 FROM credit_notes c
                           WHERE c.invoice_id::text = a.invoice AND c.id::text = a.credit_note)
         LIMIT 20",
    )
    .bind(&cn_invoices)
    .bind(&cn_ids)
    .fetch_all(pool)
    .await?;
    let amounts_off: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT i.number, i.paid::text, coalesce(p.s, 0)::text,
                i.credited::text, coalesce(c.s, 0)::text
         FROM invoices i
         LEFT JOIN (SELECT invoice_id, sum(amount) AS s FROM invoice_payments GROUP BY 1) p
                ON p.invoice_id = i.id
         LEFT JOIN (SELECT invoice_id, sum(total_gross) AS s FROM credit_notes GROUP BY 1) c
                ON c.invoice_id = i.id
         WHERE i.paid <> coalesce(p.s, 0) OR i.credited <> coalesce(c.s, 0)
         LIMIT 20",
    )
    .fetch_all(pool)
    .await?;
    let (invoices, orders_invoiced_twice, orders_not_fulfilled): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) - count(DISTINCT order_id),
                    count(*) FILTER (WHERE o.status IS DISTINCT FROM 'fulfilled')
             FROM invoices i LEFT JOIN orders o ON o.id = i.order_id",
    )
    .fetch_one(pool)
    .await?;
    // `FAC-2026-000001`: per series and year, n numbers are exactly 1..n.
    let series: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT k, count(*), count(DISTINCT n), max(n)
         FROM (SELECT split_part(number, '-', 1) || '-' || split_part(number, '-', 2) AS k,
                      split_part(number, '-', 3)::bigint AS n
               FROM (SELECT number FROM invoices UNION ALL SELECT number FROM credit_notes) d) s
         GROUP BY k ORDER BY k",
    )
    .fetch_all(pool)
    .await?;
    let gaps = series
        .iter()
        .filter(|(_, c, d, m)| c != d || c != m)
        .count();
    Ok(json!({
        "passed": payments_not_stored.is_empty() && credit_notes_not_stored.is_empty()
            && amounts_off.is_empty() && orders_invoiced_twice == 0
            && orders_not_fulfilled == 0 && gaps == 0 && invoices > 0
            && !invoice_ids.is_empty() && !cn_ids.is_empty(),
        "invoices": invoices,
        "acknowledged_payments": invoice_ids.len(),
        "acknowledged_credit_notes": cn_ids.len(),
        "payments_not_stored_as_acknowledged": payments_not_stored.iter().map(|(i, p, a, s)| json!({"invoice_id": i, "payment_id": p, "acknowledged": a, "stored": s})).collect::<Vec<_>>(),
        "credit_notes_not_stored": credit_notes_not_stored.iter().map(|(i, c)| json!({"invoice_id": i, "credit_note_id": c})).collect::<Vec<_>>(),
        "invoices_whose_amounts_differ_from_their_rows": amounts_off.iter().map(|(n, p, ps, c, cs)| json!({"number": n, "paid": p, "payments": ps, "credited": c, "credit_notes": cs})).collect::<Vec<_>>(),
        "orders_invoiced_twice": orders_invoiced_twice,
        "invoices_of_orders_not_fulfilled": orders_not_fulfilled,
        "series": series.iter().map(|(k, c, d, m)| json!({"series": k, "numbers": c, "distinct": d, "highest": m})).collect::<Vec<_>>(),
        "series_with_gaps_or_repeats": gaps,
    }))
}

/// Every issued document handed to the (fake) platform exactly once, though
/// command-api, which transmits them, was killed along the way.
async fn transmitted(pool: &PgPool, stack: &Stack) -> Result<Value, sqlx::Error> {
    let started = Instant::now();
    let mut pending = -1i64;
    while started.elapsed() < Duration::from_secs(180) {
        pending = sqlx::query_scalar("SELECT count(*) FROM transmissions WHERE status = 'pending'")
            .fetch_one(pool)
            .await?;
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let mut issued: Vec<String> =
        sqlx::query_scalar("SELECT number FROM invoices UNION ALL SELECT number FROM credit_notes")
            .fetch_all(pool)
            .await?;
    issued.sort();
    let mut deposited: Vec<String> = stack
        .platform
        .deposits()
        .into_iter()
        .map(|d| d.number)
        .collect();
    deposited.sort();
    let twice: Vec<&String> = deposited
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| &w[0])
        .collect();
    let mut distinct = deposited.clone();
    distinct.dedup();
    let (never, unknown) = differences(&issued, &distinct);
    let recorded: i64 = sqlx::query_scalar("SELECT count(*) FROM invoice_transmissions")
        .fetch_one(pool)
        .await?;
    Ok(json!({
        "passed": pending == 0 && twice.is_empty() && never.is_empty() && unknown.is_empty()
            && usize::try_from(recorded).is_ok_and(|r| r == issued.len()),
        "issued_documents": issued.len(),
        "deposited": deposited.len(),
        "deposit_requests": stack.platform.posts(),
        "still_pending": pending,
        "waited_ms": ms(started.elapsed()),
        "deposited_twice": twice.iter().take(20).collect::<Vec<_>>(),
        "never_deposited": never.iter().take(20).collect::<Vec<_>>(),
        "deposited_but_not_issued": unknown.iter().take(20).collect::<Vec<_>>(),
        "statuses_in_read_model": recorded,
    }))
}

/// Every row of `tables` as `table json`, sorted (as `testkit::dump_tables`).
async fn dump(pool: &PgPool, tables: &[&str]) -> Result<Vec<String>, sqlx::Error> {
    let sql = tables
        .iter()
        .map(|t| format!("SELECT '{t} ' || to_jsonb(r)::text FROM {t} r"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    // Byte order ("C"), the order `differences` walks them in.
    sqlx::query_scalar(&format!(
        "SELECT r FROM ({sql}) d(r) ORDER BY r COLLATE \"C\""
    ))
    .fetch_all(pool)
    .await
}

fn table_of(row: &str) -> &str {
    row.split(' ').next().unwrap_or("?")
}

/// Rows in `a` and not in `b`, and the reverse (both sorted the same way).
fn differences<'a>(a: &'a [String], b: &'a [String]) -> (Vec<&'a String>, Vec<&'a String>) {
    let (mut i, mut j) = (0, 0);
    let (mut only_a, mut only_b) = (Vec::new(), Vec::new());
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.as_bytes() < y.as_bytes() => {
                only_a.push(x);
                i += 1;
            }
            (Some(_), Some(y)) => {
                only_b.push(y);
                j += 1;
            }
            (Some(x), None) => {
                only_a.push(x);
                i += 1;
            }
            (None, Some(y)) => {
                only_b.push(y);
                j += 1;
            }
            (None, None) => break,
        }
    }
    (only_a, only_b)
}

fn print_report(
    reports: &[FaultReport],
    summary: &Summary,
    catch_up: &Value,
    checks: &[(String, Value)],
    passed: bool,
) {
    let show = |v: Option<f64>| v.map_or("—".to_owned(), |m| format!("{:.0}", m));
    println!();
    println!(
        "{:<34} {:>10} {:>10} {:>12} {:>14}  failed commands (status: n) / reads",
        "fault", "restart ms", "ready ms", "recovered ms", "after restart"
    );
    for (i, r) in reports.iter().enumerate() {
        let phase = &summary.phases[i + 1];
        println!(
            "{:<34} {:>10} {:>10} {:>12} {:>14}  {} / {}",
            r.fault,
            show(r.restarted_after_ms),
            show(r.ready_after_ms),
            show(r.recovered_after_ms),
            show(r.recovered_after_restart_ms),
            phase["commands"]["failed"],
            phase["reads"]["failed"],
        );
    }
    for r in reports {
        println!(
            "{:<34} probe: {} tries, failed {:?}",
            r.fault, r.probe_tries, r.probe_failures
        );
    }
    println!("NATS catch-up: {catch_up}");
    println!(
        "server errors and unexpected failures: {}{}",
        summary.defects,
        if summary.defects > 0 {
            format!(" (first: {:?})", summary.defect_samples.first())
        } else {
            String::new()
        }
    );
    if !summary.rejections.is_empty() {
        println!("4xx answers: {:?}", summary.rejections);
    }
    for (name, c) in checks {
        let mark = if c["passed"] == json!(true) {
            "ok  "
        } else {
            "FAIL"
        };
        let mut brief = c.clone();
        if let Some(o) = brief.as_object_mut() {
            o.remove("passed");
        }
        let text = brief.to_string();
        println!(
            "{mark} {name}: {}",
            text.chars().take(400).collect::<String>()
        );
    }
    println!(
        "faults: {}",
        if passed {
            "every check held"
        } else {
            "CHECKS FAILED"
        }
    );
}

/// Fails the run when `faults` found a defect or a check failed (after the report is
/// printed and written).
pub fn verdict(results: &[ScenarioResult]) -> anyhow::Result<()> {
    let failed = results.iter().any(|r| {
        r.extra
            .as_ref()
            .and_then(|e| e.get("checks_passed"))
            .and_then(Value::as_bool)
            == Some(false)
    });
    if failed {
        bail!("faults: a check failed or a server error was seen (see the report above)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(t_s: f64, side: Side, status: u16, retry_after: bool) -> Failure {
        Failure {
            t_s,
            phase: 1,
            side,
            endpoint: "POST /orders",
            status,
            retry_after,
            code: None,
            after_retry: false,
        }
    }

    fn defects_among(failures: Vec<Failure>) -> u64 {
        let journal = Journal::new(2);
        for f in failures {
            journal.fail(f);
        }
        let downs = [Down {
            side: Side::Command,
            from_s: 10.0,
            to_s: 14.0,
        }];
        summarise(&journal, &[], &downs).defects
    }

    #[test]
    fn a_connection_error_is_expected_only_while_its_service_is_down() {
        assert_eq!(
            defects_among(vec![failure(12.0, Side::Command, 599, false)]),
            0
        );
        assert_eq!(
            defects_among(vec![failure(15.0, Side::Command, 599, false)]),
            1
        );
        assert_eq!(
            defects_among(vec![failure(12.0, Side::Read, 599, false)]),
            1
        );
    }

    #[test]
    fn a_server_error_is_a_defect_unless_it_is_a_503_with_retry_after() {
        assert_eq!(
            defects_among(vec![failure(1.0, Side::Command, 503, true)]),
            0
        );
        assert_eq!(
            defects_among(vec![failure(1.0, Side::Command, 503, false)]),
            1
        );
        assert_eq!(
            defects_among(vec![failure(12.0, Side::Command, 500, true)]),
            1
        );
        assert_eq!(defects_among(vec![failure(1.0, Side::Read, 504, false)]), 1);
        assert_eq!(
            defects_among(vec![failure(1.0, Side::Command, 409, false)]),
            0
        );
    }

    #[test]
    fn differences_name_the_rows_each_side_alone_has() {
        let a: Vec<String> = ["a 1", "b 2", "c 3"].map(String::from).to_vec();
        let b: Vec<String> = ["a 1", "b 4", "c 3", "d 5"].map(String::from).to_vec();
        let (only_a, only_b) = differences(&a, &b);
        assert_eq!(only_a, vec!["b 2"]);
        assert_eq!(only_b, vec!["b 4", "d 5"]);
        assert_eq!(differences(&a, &a), (vec![], vec![]));
    }

    #[test]
    fn a_failed_check_fails_the_run() {
        let result = |passed: bool| ScenarioResult {
            scenario: "faults".to_owned(),
            concurrency: 1,
            elapsed_s: 1.0,
            endpoints: Vec::new(),
            peaks: Peaks::default(),
            projection_lag: None,
            extra: Some(json!({ "checks_passed": passed })),
        };
        assert!(verdict(&[result(true)]).is_ok());
        assert!(verdict(&[result(true), result(false)]).is_err());
        assert!(verdict(&[]).is_ok());
    }
}
