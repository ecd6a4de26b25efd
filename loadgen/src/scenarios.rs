//! Seeding and the bounded scenarios: each runs `concurrency` workers until its deadline.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use futures::StreamExt;
use rand::Rng;
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde_json::json;
use sqlx::PgPool;

use crate::client::{Api, Body, Download};
use crate::stats::{EndpointSummary, Lag, Lags, Recorder};

#[derive(Clone)]
pub struct Ctx {
    pub api: Api,
    pub pool: PgPool,
    pub nats_url: String,
    /// The services' subject prefix: `ryw` watches their events go by.
    pub nats_prefix: String,
    pub concurrency: usize,
    pub duration: Duration,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    pub scenario: String,
    pub concurrency: usize,
    pub elapsed_s: f64,
    pub endpoints: Vec<EndpointSummary>,
    /// Highest outbox backlog and resident set sizes while the scenario ran.
    pub peaks: Peaks,
    /// Commit (command answered) → visible in the read model, where measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projection_lag: Option<Lag>,
    /// What else the scenario measured (document sizes, rebuild speed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra: Option<serde_json::Value>,
}

/// A progress line every second while `recorder` fills.
fn progress(
    name: &'static str,
    recorder: Arc<Recorder>,
    started: Instant,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let ok = recorder.ok_count();
            let secs = started.elapsed().as_secs_f64();
            eprint!(
                "\r  {name:<12} {secs:5.1} s  {ok:>8} ok  {:>8.0}/s   ",
                ok as f64 / secs
            );
        }
    })
}

async fn run_workers<F, Fut>(ctx: &Ctx, name: &'static str, worker: F) -> (Arc<Recorder>, Duration)
where
    F: Fn(usize, Arc<Recorder>, Instant) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let recorder = Arc::new(Recorder::default());
    let started = Instant::now();
    let deadline = started + ctx.duration;
    let ticker = progress(name, Arc::clone(&recorder), started);
    let tasks: Vec<_> = (0..ctx.concurrency)
        .map(|i| tokio::spawn(worker(i, Arc::clone(&recorder), deadline)))
        .collect();
    join_all(tasks).await;
    ticker.abort();
    eprintln!();
    (recorder, started.elapsed())
}

fn result(
    name: &str,
    ctx: &Ctx,
    recorder: &Recorder,
    elapsed: Duration,
    lag: Option<Lag>,
) -> ScenarioResult {
    ScenarioResult {
        scenario: name.to_owned(),
        concurrency: ctx.concurrency,
        elapsed_s: elapsed.as_secs_f64(),
        endpoints: recorder.summary(elapsed),
        peaks: Peaks::default(),
        projection_lag: lag,
        extra: None,
    }
}

static SKU: AtomicU64 = AtomicU64::new(0);

fn product_body(prefix: &str) -> serde_json::Value {
    let n = SKU.fetch_add(1, Ordering::Relaxed);
    json!({"sku": format!("{prefix}-{n}"), "name": format!("Produit de charge {n}"),
           "price": format!("{}.{:02}", n % 900 + 1, n % 100), "vat_rate": "20", "unit": "piece",
           "category": format!("Catégorie {}", n % 20), "low_stock_threshold": "5"})
}

/// `create`: product creates at fixed concurrency, as fast as they go; or, with `rate`,
/// paced at that many per second in all.
pub async fn create(ctx: &Ctx, rate: Option<f64>) -> ScenarioResult {
    let name = if rate.is_some() {
        "create_paced"
    } else {
        "create"
    };
    let per_worker = rate.map(|r| Duration::from_secs_f64(ctx.concurrency as f64 / r.max(1.0)));
    let api = ctx.api.clone();
    let (recorder, elapsed) = run_workers(ctx, name, move |i, recorder, deadline| {
        let api = api.clone();
        async move {
            let mut next =
                Instant::now() + per_worker.map_or(Duration::ZERO, |p| p.mul_f64(i as f64 / 8.0));
            while Instant::now() < deadline {
                if let Some(period) = per_worker {
                    tokio::time::sleep_until(next.into()).await;
                    next += period;
                }
                let body = Some(Body::Json(product_body("LOAD")));
                api.send(
                    Some(&recorder),
                    "POST /products",
                    Method::POST,
                    "/products".to_owned(),
                    body,
                )
                .await;
            }
        }
    })
    .await;
    result(name, ctx, &recorder, elapsed, None)
}

/// The raw ceiling: the same number of clients appending one event row per transaction
/// straight into `events` (its triggers included), with sqlx.
pub async fn raw(ctx: &Ctx) -> ScenarioResult {
    let pool = ctx.pool.clone();
    let (recorder, elapsed) = run_workers(ctx, "raw_append", move |_, recorder, deadline| {
        let pool = pool.clone();
        async move {
            while Instant::now() < deadline {
                let started = Instant::now();
                let done = sqlx::query(
                    "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type,
                                         event_version, payload, metadata)
                     VALUES ('LoadRaw', $1, 1, 'RawAppended', '1', '{\"RawAppended\": {}}', $2)",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                // The metadata every command carries, so that the rest of the pipeline
                // handles these rows like any event.
                .bind(json!({"correlation_id": "raw", "actor_id": "loadgen",
                             "occurred_at": chrono::Utc::now().to_rfc3339()}))
                .execute(&pool)
                .await;
                recorder.record(
                    "INSERT events",
                    if done.is_ok() { 200 } else { 500 },
                    started.elapsed(),
                );
            }
        }
    })
    .await;
    result("raw_append", ctx, &recorder, elapsed, None)
}

/// `ryw`: create, then read at the returned version; the lag is from the command's
/// answer to the read's.
pub async fn ryw(ctx: &Ctx, name: &'static str) -> anyhow::Result<ScenarioResult> {
    let api = ctx.api.clone();
    let lags = Arc::new(Lags::default());
    let shared = Arc::clone(&lags);
    let tap = EventTap::start(ctx, "Product").await?;
    let traces = Arc::new(std::sync::Mutex::new(Vec::new()));
    let shared_traces = Arc::clone(&traces);
    let (recorder, elapsed) = run_workers(ctx, name, move |_, recorder, deadline| {
        let api = api.clone();
        let lags = Arc::clone(&shared);
        let traces = Arc::clone(&shared_traces);
        async move {
            while Instant::now() < deadline {
                let sent = Instant::now();
                let created = api
                    .send(
                        Some(&recorder),
                        "POST /products",
                        Method::POST,
                        "/products".to_owned(),
                        Some(Body::Json(product_body("RYW"))),
                    )
                    .await;
                let answered = Instant::now();
                let (Some(id), Some(version)) = (
                    created.body["id"].as_str(),
                    created.body["version"].as_u64(),
                ) else {
                    continue;
                };
                let read = api
                    .get(
                        Some(&recorder),
                        "GET /products/{id}?min_version",
                        format!("/products/{id}?min_version={version}"),
                    )
                    .await;
                if read.status == StatusCode::OK {
                    lags.record(read.latency);
                    if let Ok(mut traces) = traces.lock() {
                        traces.push(Trace {
                            id: id.to_owned(),
                            sent,
                            answered,
                            readable: Instant::now(),
                        });
                    }
                }
            }
        }
    })
    .await;
    let seen = tap.stop().await;
    let traces = std::mem::take(&mut *traces.lock().map_err(|_| anyhow::anyhow!("poisoned"))?);
    let mut r = result(name, ctx, &recorder, elapsed, Some(lags.summary()));
    r.extra = Some(json!({ "hops": hops(&traces, &seen) }));
    Ok(r)
}

/// One read-your-writes round, as the client saw it.
struct Trace {
    id: String,
    sent: Instant,
    answered: Instant,
    readable: Instant,
}

/// Where one write's time went: the command's answer, then the relay (answered → the
/// event passing through NATS; 0 when NATS had it before the client had the answer), then
/// the projector and read-api (NATS → the read at its version answered).
fn hops(traces: &[Trace], seen: &HashMap<String, Instant>) -> serde_json::Value {
    let (command, relay, projection) = (Lags::default(), Lags::default(), Lags::default());
    for trace in traces {
        let Some(&on_nats) = seen.get(&trace.id) else {
            continue;
        };
        command.record(trace.answered - trace.sent);
        relay.record(on_nats.saturating_duration_since(trace.answered));
        projection.record(trace.readable.saturating_duration_since(on_nats));
    }
    json!({
        "command": command.summary(),
        "answered_to_nats": relay.summary(),
        "nats_to_readable": projection.summary(),
    })
}

/// When each event of one aggregate type went by on NATS, by aggregate id (the last
/// token of its subject), seen by a plain subscription beside the projector's consumer.
struct EventTap {
    seen: Arc<std::sync::Mutex<HashMap<String, Instant>>>,
    task: tokio::task::JoinHandle<()>,
}

impl EventTap {
    async fn start(ctx: &Ctx, aggregate_type: &str) -> anyhow::Result<Self> {
        let client = async_nats::connect(&ctx.nats_url).await?;
        let subject = format!("{}.events.{aggregate_type}.>", ctx.nats_prefix);
        let mut messages = client.subscribe(subject).await?;
        // The subscription is in place on the server before the first write.
        client.flush().await?;
        let seen = Arc::new(std::sync::Mutex::new(HashMap::new()));
        let shared = Arc::clone(&seen);
        let task = tokio::spawn(async move {
            let _client = client;
            while let Some(message) = messages.next().await {
                let at = Instant::now();
                if let Some(id) = message.subject.rsplit('.').next() {
                    if let Ok(mut seen) = shared.lock() {
                        seen.entry(id.to_owned()).or_insert(at);
                    }
                }
            }
        });
        Ok(Self { seen, task })
    }

    async fn stop(self) -> HashMap<String, Instant> {
        self.task.abort();
        let _ = self.task.await;
        self.seen
            .lock()
            .map(|mut seen| std::mem::take(&mut *seen))
            .unwrap_or_default()
    }
}

/// Ids the mixed and list scenarios pick from.
#[derive(Clone, Default)]
pub struct Seeded {
    pub products: Arc<Vec<String>>,
    pub customers: Arc<Vec<String>>,
}

/// `mixed`: reads with search and sort, product updates with `If-Match`, order drafts
/// and submits, stock reads; the projection lag sampled on updates.
pub async fn mixed(ctx: &Ctx, seeded: &Seeded) -> ScenarioResult {
    let api = ctx.api.clone();
    let seeded = seeded.clone();
    let lags = Arc::new(Lags::default());
    let shared = Arc::clone(&lags);
    let (recorder, elapsed) = run_workers(ctx, "mixed", move |_, recorder, deadline| {
        let api = api.clone();
        let seeded = seeded.clone();
        let lags = Arc::clone(&shared);
        async move {
            while Instant::now() < deadline {
                let (roll, product, customer, word) = {
                    let mut rng = rand::rng();
                    (
                        rng.random_range(0..100),
                        seeded.products[rng.random_range(0..seeded.products.len())].clone(),
                        seeded.customers[rng.random_range(0..seeded.customers.len())].clone(),
                        rng.random_range(1..1000),
                    )
                };
                let r = Some(&*recorder);
                match roll {
                    0..=29 => {
                        api.get(
                            r,
                            "GET /products?q&sort",
                            format!("/products?q={word}&sort=-price&limit=20"),
                        )
                        .await;
                    }
                    30..=49 => {
                        api.get(r, "GET /products/{id}", format!("/products/{product}"))
                            .await;
                    }
                    50..=59 => {
                        api.get(r, "GET /stock?low", "/stock?low=true&limit=20".to_owned())
                            .await;
                    }
                    60..=64 => {
                        api.get(
                            r,
                            "GET /orders",
                            "/orders?status=submitted&limit=20".to_owned(),
                        )
                        .await;
                    }
                    65..=84 => {
                        // Read the version, update with If-Match, read the write back.
                        let current = api
                            .get(r, "GET /products/{id}", format!("/products/{product}"))
                            .await;
                        let Some(version) = current.body["version"].as_u64() else {
                            continue;
                        };
                        let price = format!("{}.{:02}", word % 500 + 1, word % 100);
                        let updated = api
                            .call(
                                r,
                                "PATCH /products/{id}",
                                Method::PATCH,
                                format!("{}/products/{product}", api.command),
                                &[("if-match", format!("\"{version}\""))],
                                Some(Body::Json(json!({"price": price}))),
                            )
                            .await;
                        if let Some(v) = updated.body["version"].as_u64() {
                            let read = api
                                .get(
                                    r,
                                    "GET /products/{id}?min_version",
                                    format!("/products/{product}?min_version={v}"),
                                )
                                .await;
                            if read.status == StatusCode::OK {
                                lags.record(read.latency);
                            }
                        }
                    }
                    _ => {
                        // A draft with one line, submitted.
                        submitted_order(&api, r, &customer, std::slice::from_ref(&product)).await;
                    }
                }
            }
        }
    })
    .await;
    let lag = Some(lags.summary());
    result("mixed", ctx, &recorder, elapsed, lag)
}

/// A draft for `customer` with one line (quantity 1) per product, then submitted.
async fn submitted_order(api: &Api, r: Option<&Recorder>, customer: &str, products: &[String]) {
    let order = api
        .send(
            r,
            "POST /orders",
            Method::POST,
            "/orders".to_owned(),
            Some(Body::Json(json!({"customer_id": customer}))),
        )
        .await;
    let Some(id) = order.body["id"].as_str().map(str::to_owned) else {
        return;
    };
    for product in products {
        api.send(
            r,
            "POST /orders/{id}/lines",
            Method::POST,
            format!("/orders/{id}/lines"),
            Some(Body::Json(json!({"product_id": product, "quantity": "1"}))),
        )
        .await;
    }
    api.send(
        r,
        "POST /orders/{id}/submit",
        Method::POST,
        format!("/orders/{id}/submit"),
        None,
    )
    .await;
}

/// `orders`: each client drafts an order of three lines (quantity 1) for a seeded
/// customer and submits it, over and over; submits per second are orders per second.
/// `hot`: every order takes the same three products, so that every submit reserves the
/// same three stock streams (the contention a best-seller brings).
pub async fn orders(ctx: &Ctx, seeded: &Seeded, hot: bool) -> anyhow::Result<ScenarioResult> {
    let name = if hot { "orders_hot" } else { "orders" };
    let products: Arc<Vec<String>> = if hot {
        let three: Vec<String> = seeded.products.iter().take(3).cloned().collect();
        // Enough stock that no submit is refused for it.
        for id in &three {
            let received = ctx
                .api
                .send(
                    None,
                    "stock",
                    Method::POST,
                    format!("/stock/{id}/adjustments"),
                    Some(Body::Json(
                        json!({"quantity": "1000000", "reason": "receipt"}),
                    )),
                )
                .await;
            if received.status != StatusCode::OK {
                anyhow::bail!("stock for the hot products: {}", received.body);
            }
        }
        Arc::new(three)
    } else {
        Arc::clone(&seeded.products)
    };
    let api = ctx.api.clone();
    let customers = Arc::clone(&seeded.customers);
    let (recorder, elapsed) = run_workers(ctx, name, move |_, recorder, deadline| {
        let api = api.clone();
        let products = Arc::clone(&products);
        let customers = Arc::clone(&customers);
        async move {
            while Instant::now() < deadline {
                let (customer, lines) = {
                    let mut rng = rand::rng();
                    let customer = customers[rng.random_range(0..customers.len())].clone();
                    let lines: Vec<String> = if hot {
                        products.to_vec()
                    } else {
                        (0..3)
                            .map(|_| products[rng.random_range(0..products.len())].clone())
                            .collect()
                    };
                    (customer, lines)
                };
                submitted_order(&api, Some(&*recorder), &customer, &lines).await;
            }
        }
    })
    .await;
    Ok(result(name, ctx, &recorder, elapsed, None))
}

/// `lists`: list and search queries over the seeded catalogue.
pub async fn lists(ctx: &Ctx, seeded: &Seeded) -> ScenarioResult {
    let api = ctx.api.clone();
    let seeded = seeded.clone();
    let (recorder, elapsed) = run_workers(ctx, "lists", move |_, recorder, deadline| {
        let api = api.clone();
        let seeded = seeded.clone();
        async move {
            while Instant::now() < deadline {
                let (roll, page, word, from) = {
                    let mut rng = rand::rng();
                    (
                        rng.random_range(0..5),
                        rng.random_range(1..200),
                        rng.random_range(1..100_000),
                        seeded.products[rng.random_range(0..seeded.products.len())].clone(),
                    )
                };
                let r = Some(&*recorder);
                let (endpoint, query) = match roll {
                    0 => (
                        "GET /products (page 1-200, by name)",
                        format!("page={page}&limit=50&sort=name"),
                    ),
                    4 => (
                        "GET /products (keyset page, by name)",
                        format!("after={from}&limit=50&sort=name"),
                    ),
                    1 => (
                        "GET /products (status, by price)",
                        format!("status=active&sort=-price&page={page}&limit=50"),
                    ),
                    2 => (
                        "GET /products (category)",
                        format!("category=Cat%C3%A9gorie%20{}&limit=50", page % 20),
                    ),
                    _ => ("GET /products (search)", format!("q={word}&limit=20")),
                };
                api.get(r, endpoint, format!("/products?{query}")).await;
            }
        }
    })
    .await;
    result("lists", ctx, &recorder, elapsed, None)
}

/// Posts `csv` to an import route; anything but 200 fails the seeding.
async fn import(ctx: &Ctx, path: &str, csv: String) -> anyhow::Result<()> {
    let answer = ctx
        .api
        .send(
            None,
            "import",
            Method::POST,
            path.to_owned(),
            Some(Body::Csv(csv)),
        )
        .await;
    if answer.status != StatusCode::OK {
        anyhow::bail!("{path} failed: {} {}", answer.status, answer.body);
    }
    Ok(())
}

/// Creates `products` products and `customers` customers through CSV imports, stock for
/// every product, and waits until the read models hold them.
pub async fn seed(
    ctx: &Ctx,
    products: usize,
    customers: usize,
    stock: bool,
) -> anyhow::Result<Seeded> {
    let have: i64 =
        sqlx::query_scalar("SELECT count(*) FROM product_sku_keys WHERE sku_key LIKE 'seed-%'")
            .fetch_one(&ctx.pool)
            .await?;
    let mut next = have as usize;
    while next < products {
        let upto = (next + 10_000).min(products);
        let mut csv = String::from(
            "sku,name,price,vat_rate,unit,category,barcode,low_stock_threshold,status\n",
        );
        for n in next..upto {
            csv.push_str(&format!(
                "SEED-{n:06},Article {n} {},{}.{:02},20,piece,Catégorie {},,5,active\n",
                ["vis", "écrou", "perceuse", "marteau", "clé", "joint", "tuyau", "câble"][n % 8],
                n % 900 + 1,
                n % 100,
                n % 20
            ));
        }
        import(ctx, "/products/import", csv).await?;
        next = upto;
        eprint!("\r  seeding products {next}/{products}   ");
    }
    let have: i64 =
        sqlx::query_scalar("SELECT count(*) FROM customer_code_keys WHERE code LIKE 'cli-%'")
            .fetch_one(&ctx.pool)
            .await?;
    if (have as usize) < customers {
        let mut csv = String::from("code,legal_name,email,payment_terms\n");
        for n in have as usize..customers {
            csv.push_str(&format!(
                "CLI-{n:05},Client {n} SARL,compta{n}@client.fr,net_30\n"
            ));
        }
        import(ctx, "/customers/import", csv).await?;
    }
    let product_ids: Vec<String> = sqlx::query_scalar(
        "SELECT product_id FROM product_sku_keys WHERE sku_key LIKE 'seed-%' ORDER BY sku_key",
    )
    .fetch_all(&ctx.pool)
    .await?;
    let customer_ids: Vec<String> =
        sqlx::query_scalar("SELECT customer_id FROM customer_code_keys ORDER BY code")
            .fetch_all(&ctx.pool)
            .await?;
    if stock {
        let queue = Arc::new(std::sync::Mutex::new(product_ids.clone()));
        let tasks: Vec<_> = (0..ctx.concurrency)
            .map(|_| {
                let queue = Arc::clone(&queue);
                let api = ctx.api.clone();
                tokio::spawn(async move {
                    while let Some(id) = queue.lock().ok().and_then(|mut q| q.pop()) {
                        api.send(
                            None,
                            "stock",
                            Method::POST,
                            format!("/stock/{id}/adjustments"),
                            Some(Body::Json(json!({"quantity": "1000", "reason": "receipt"}))),
                        )
                        .await;
                    }
                })
            })
            .collect();
        join_all(tasks).await;
    }
    eprint!("\r  waiting for the projector…                  ");
    wait_projected(&ctx.pool).await?;
    eprintln!(
        "\r  seeded {} products, {} customers{}            ",
        product_ids.len(),
        customer_ids.len(),
        if stock { " with stock" } else { "" }
    );
    Ok(Seeded {
        products: Arc::new(product_ids),
        customers: Arc::new(customer_ids),
    })
}

/// A draft order of `lines` lines over `products`, visible in the read model.
async fn draft_order(
    ctx: &Ctx,
    customer: &str,
    products: &[String],
    lines: usize,
) -> anyhow::Result<String> {
    let created = ctx
        .api
        .send(
            None,
            "order",
            Method::POST,
            "/orders".to_owned(),
            Some(Body::Json(json!({"customer_id": customer}))),
        )
        .await;
    let id = created.body["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("order not created: {}", created.body))?
        .to_owned();
    let mut version = 0;
    for (n, product) in products.iter().cycle().take(lines).enumerate() {
        let answer = ctx
            .api
            .send(
                None,
                "line",
                Method::POST,
                format!("/orders/{id}/lines"),
                Some(Body::Json(
                    json!({"product_id": product, "quantity": format!("{}", n % 7 + 1),
                                        "discount": if n % 5 == 0 { "10" } else { "0" }}),
                )),
            )
            .await;
        version = answer.body["version"].as_u64().unwrap_or(version);
    }
    let seen = ctx
        .api
        .get(None, "order", format!("/orders/{id}?min_version={version}"))
        .await;
    if seen.status != StatusCode::OK {
        anyhow::bail!("order {id} not projected: {}", seen.status);
    }
    Ok(id)
}

/// `proforma`: the PDF of a 20-line order alone (one client), then beside three more
/// clients and a product read that shows whether rendering stalls the async runtime,
/// then a 200-line order alone.
pub async fn proforma(ctx: &Ctx, seeded: &Seeded) -> anyhow::Result<Vec<ScenarioResult>> {
    let customer = seeded
        .customers
        .first()
        .ok_or_else(|| anyhow::anyhow!("no customer seeded"))?;
    let products: Vec<String> = seeded.products.iter().take(200).cloned().collect();
    let short = draft_order(ctx, customer, &products, 20).await?;
    let long = draft_order(ctx, customer, &products, 200).await?;
    let mut sizes = serde_json::Map::new();
    for (order, lines) in [(&short, 20), (&long, 200)] {
        for lang in ["fr", "en"] {
            let Download {
                status,
                bytes,
                pages,
            } = ctx
                .api
                .download(
                    None,
                    "pdf",
                    format!("/orders/{order}/proforma.pdf?lang={lang}"),
                )
                .await;
            if status != StatusCode::OK {
                anyhow::bail!("proforma {lines} lines {lang}: {status}");
            }
            sizes.insert(
                format!("{lines}_lines_{lang}"),
                json!({"bytes": bytes, "pages": pages}),
            );
        }
    }
    let probe = seeded.products[0].clone();
    let mut results = Vec::new();
    for (name, order, clients, with_probe) in [
        ("proforma_20", short.clone(), 1, false),
        ("proforma_20_x4", short, 4, true),
        ("proforma_200", long, 1, false),
    ] {
        let run_ctx = Ctx {
            concurrency: clients + usize::from(with_probe),
            ..ctx.clone()
        };
        let api = ctx.api.clone();
        let probe = probe.clone();
        let (recorder, elapsed) = run_workers(&run_ctx, name, move |i, recorder, deadline| {
            let api = api.clone();
            let order = order.clone();
            let probe = probe.clone();
            async move {
                while Instant::now() < deadline {
                    if i == clients {
                        api.get(
                            Some(&recorder),
                            "GET /products/{id} beside PDFs",
                            format!("/products/{probe}"),
                        )
                        .await;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                    let lang = if i % 2 == 0 { "fr" } else { "en" };
                    api.download(
                        Some(&recorder),
                        "GET /orders/{id}/proforma.pdf",
                        format!("/orders/{order}/proforma.pdf?lang={lang}"),
                    )
                    .await;
                }
            }
        })
        .await;
        let mut r = result(name, &run_ctx, &recorder, elapsed, None);
        if name == "proforma_20" {
            r.extra = Some(serde_json::Value::Object(sizes.clone()));
        }
        results.push(r);
    }
    Ok(results)
}

/// `rebuild`: `projector rebuild` over everything the run wrote, while the live
/// projector runs; then one product update, to time how soon the live projector is
/// back.
pub async fn rebuild(
    ctx: &Ctx,
    bin: &std::path::Path,
    db_url: &str,
    probe: &str,
) -> anyhow::Result<ScenarioResult> {
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&ctx.pool)
        .await?;
    // What the server holds when the rebuild asks for its two connections.
    let (connections, max_connections): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
                current_setting('max_connections')::bigint",
    )
    .fetch_one(&ctx.pool)
    .await?;
    let started = Instant::now();
    let output = tokio::process::Command::new(bin.join("projector"))
        .arg("rebuild")
        .env("DATABASE_URL", db_url)
        .env("RUST_LOG", "info")
        .output()
        .await?;
    let elapsed = started.elapsed();
    if !output.status.success() {
        anyhow::bail!(
            "projector rebuild failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let log = String::from_utf8_lossy(&output.stdout);
    let progress_lines = log.lines().filter(|l| l.contains("rebuild:")).count();
    let resumed = Instant::now();
    let updated = ctx
        .api
        .send(
            None,
            "update",
            Method::PATCH,
            format!("/products/{probe}"),
            Some(Body::Json(
                json!({"name": format!("Après reconstruction {}", rand::random::<u32>())}),
            )),
        )
        .await;
    let version = updated.body["version"].as_u64().unwrap_or(0);
    let seen = ctx
        .api
        .get(
            None,
            "read",
            format!("/products/{probe}?min_version={version}"),
        )
        .await;
    let mut r = ScenarioResult {
        scenario: "rebuild".to_owned(),
        concurrency: 1,
        elapsed_s: elapsed.as_secs_f64(),
        endpoints: Vec::new(),
        peaks: Peaks::default(),
        projection_lag: None,
        extra: None,
    };
    r.extra = Some(json!({
        "events": events,
        "server_connections_before": connections,
        "server_max_connections": max_connections,
        "seconds": elapsed.as_secs_f64(),
        "events_per_second": events as f64 / elapsed.as_secs_f64().max(1e-9),
        "progress_lines": progress_lines,
        "live_update_visible_after_ms": (seen.status == StatusCode::OK)
            .then(|| resumed.elapsed().as_secs_f64() * 1000.0),
    }));
    Ok(r)
}

/// Samples, every 100 ms, the unpublished outbox rows and each service's resident set
/// size, keeping the highest values since the last [`Sampler::take`].
#[derive(Clone, Default)]
pub struct Sampler {
    peaks: Arc<std::sync::Mutex<Peaks>>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Peaks {
    pub outbox_backlog: i64,
    pub rss_mib: std::collections::BTreeMap<String, f64>,
}

impl Sampler {
    /// Samples until aborted: resident set sizes in one task (no I/O but `/proc`), the
    /// outbox backlog in another (a query may wait behind the load).
    pub fn start(
        &self,
        pool: PgPool,
        pids: Vec<(&'static str, u32)>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let peaks = Arc::clone(&self.peaks);
        let rss = tokio::spawn(async move {
            loop {
                for (name, pid) in &pids {
                    if let (Some(mib), Ok(mut p)) = (rss_mib(*pid), peaks.lock()) {
                        let e = p.rss_mib.entry((*name).to_owned()).or_default();
                        *e = e.max(mib);
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        let peaks = Arc::clone(&self.peaks);
        let backlog = tokio::spawn(async move {
            loop {
                if let Ok(n) = sqlx::query_scalar::<_, i64>(
                    "SELECT count(*) FROM outbox WHERE published_at IS NULL",
                )
                .fetch_one(&pool)
                .await
                {
                    if let Ok(mut p) = peaks.lock() {
                        p.outbox_backlog = p.outbox_backlog.max(n);
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        vec![rss, backlog]
    }

    /// The peaks since the last call, and a fresh start.
    pub fn take(&self) -> Peaks {
        self.peaks
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default()
    }
}

fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

/// Waits until the projector has applied every stored event (each advances its stream's
/// checkpoint by one), which also means the relay has published them; returns how long
/// that took. Gives up when nothing moves for two minutes (e.g. the run's stream was
/// deleted under it by another run's clean-up), rather than waiting forever.
async fn wait_projected(pool: &PgPool) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let (mut last, mut moved) = (-1, Instant::now());
    loop {
        let (events, projected): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM events),
                    (SELECT coalesce(sum(last_sequence), 0)::bigint FROM projector_checkpoints)",
        )
        .fetch_one(pool)
        .await?;
        if projected >= events {
            return Ok(started.elapsed());
        }
        if projected != last {
            (last, moved) = (projected, Instant::now());
        } else if moved.elapsed() > Duration::from_secs(120) {
            anyhow::bail!("the projector is stuck at {projected} of {events} events");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

const WORDS: [&str; 8] = [
    "vis", "écrou", "perceuse", "marteau", "clé", "joint", "tuyau", "câble",
];

/// `rows` products as the export writes them, SKUs `IMP-…`; `price_cents` shifts every
/// price (a re-import that changes each row).
pub fn products_csv(rows: usize, price_cents: usize) -> String {
    let mut csv = String::with_capacity(rows * 64);
    csv.push_str("sku,name,price,vat_rate,unit,category,barcode,low_stock_threshold,status\n");
    for n in 0..rows {
        let cents = n % 100 + price_cents;
        csv.push_str(&format!(
            "IMP-{n:06},Article {n} {},{}.{:02},20,piece,Cat. {},,5,active\n",
            WORDS[n % 8],
            n % 900 + 1 + cents / 100,
            cents % 100,
            n % 20
        ));
    }
    csv
}

/// A 9-digit SIREN from `n`: 8 digits and the Luhn check digit.
fn siren(n: usize) -> String {
    let base = format!("{:08}", 10_000_000 + n % 90_000_000);
    let sum: u32 = base
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            // The check digit will be rightmost: the digit beside it is doubled.
            if i % 2 == 0 {
                let twice = d * 2;
                twice / 10 + twice % 10
            } else {
                d
            }
        })
        .sum();
    format!("{base}{}", (10 - sum % 10) % 10)
}

/// `rows` customers, codes `IMC-…`, each with a SIREN, its French VAT number and an
/// email; `limit` is the credit limit of every row (a re-import that changes each row).
pub fn customers_csv(rows: usize, limit: usize) -> String {
    let mut csv = String::with_capacity(rows * 80);
    csv.push_str("code,legal_name,siren,vat_number,email,payment_terms,credit_limit\n");
    for n in 0..rows {
        let siren = siren(n);
        let key = (12 + 3 * (siren.parse::<u64>().unwrap_or(0) % 97)) % 97;
        csv.push_str(&format!(
            "IMC-{n:06},Client {n},{siren},FR{key:02}{siren},c{n}@client.fr,net_30,{limit}\n"
        ));
    }
    csv
}

/// Clients creating products at full speed until `stop`: the load an import meets in
/// production.
fn background_creates(
    ctx: &Ctx,
    clients: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..clients)
        .map(|_| {
            let api = ctx.api.clone();
            let stop = Arc::clone(&stop);
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    api.send(
                        None,
                        "POST /products",
                        Method::POST,
                        "/products".to_owned(),
                        Some(Body::Json(product_body("BG"))),
                    )
                    .await;
                }
            })
        })
        .collect()
}

/// One import step of [`import`]: the request timed to its last byte, command-api's
/// resident set before and its peak during, and, after a real import, how long the relay
/// and the projector took to catch up.
#[allow(clippy::too_many_arguments)]
async fn import_step(
    ctx: &Ctx,
    sampler: &Sampler,
    command_pid: Option<u32>,
    name: &str,
    path: &str,
    csv: &str,
    dry_run: bool,
    beside: usize,
) -> anyhow::Result<ScenarioResult> {
    let rows = csv.lines().count().saturating_sub(1);
    let rss_before = command_pid.and_then(rss_mib);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = background_creates(ctx, beside, Arc::clone(&stop));
    if beside > 0 {
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    sampler.take();
    let url = format!("{path}?dry_run={dry_run}");
    let (status, body, elapsed) = ctx.api.post_csv(&url, csv.to_owned()).await;
    let peaks = sampler.take();
    stop.store(true, Ordering::Relaxed);
    join_all(load).await;
    let report: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let counts = report.get("counts").cloned().unwrap_or_else(|| {
        // A problem body (an invalid row, a timeout): keep its code.
        json!({"problem": report.get("code").cloned()})
    });
    eprintln!(
        "  {name:<28} {rows} rows, {:.1} MB: {status} in {:.2} s",
        csv.len() as f64 / 1e6,
        elapsed.as_secs_f64()
    );
    let drained = if !dry_run && status == StatusCode::OK {
        Some(wait_projected(&ctx.pool).await?.as_secs_f64())
    } else {
        None
    };
    Ok(ScenarioResult {
        scenario: name.to_owned(),
        concurrency: 1,
        elapsed_s: elapsed.as_secs_f64(),
        endpoints: Vec::new(),
        peaks: peaks.clone(),
        projection_lag: None,
        extra: Some(json!({
            "rows": rows,
            "bytes": csv.len(),
            "dry_run": dry_run,
            "status": status.as_u16(),
            "seconds": elapsed.as_secs_f64(),
            "within_10_s_request_limit": elapsed < Duration::from_secs(10),
            "report_bytes": body.len(),
            "counts": counts,
            "product_creates_beside": beside,
            "command_api_rss_before_mib": rss_before,
            "command_api_rss_peak_mib": peaks.rss_mib.get("command-api"),
            "published_and_projected_after_s": drained,
        })),
    })
}

/// `import`: CSV imports of `rows` products and `rows` customers (100,000 by default,
/// near the 8 MiB cap), one request at a time on an otherwise idle stack (the relay and
/// the projector have caught up before each): a dry run of new rows three times, the
/// products' also beside four clients creating products, the import itself, a dry run of
/// the same file again (every row exists and nothing changes), and a re-import changing
/// every row.
pub async fn imports(
    ctx: &Ctx,
    rows: usize,
    sampler: &Sampler,
    command_pid: Option<u32>,
) -> anyhow::Result<Vec<ScenarioResult>> {
    wait_projected(&ctx.pool).await?;
    let mut results = Vec::new();
    for (what, fresh, changed) in [
        ("products", products_csv(rows, 0), products_csv(rows, 1)),
        (
            "customers",
            customers_csv(rows, 1500),
            customers_csv(rows, 2000),
        ),
    ] {
        let path = format!("/{what}/import");
        let step = |name: &str| format!("import_{what}_{name}");
        for run in 1..=3 {
            let name = step(&format!("dry_new_{run}"));
            results
                .push(import_step(ctx, sampler, command_pid, &name, &path, &fresh, true, 0).await?);
        }
        if what == "products" {
            let name = step("dry_new_beside_4_creates");
            results
                .push(import_step(ctx, sampler, command_pid, &name, &path, &fresh, true, 4).await?);
            wait_projected(&ctx.pool).await?;
        }
        results.push(
            import_step(
                ctx,
                sampler,
                command_pid,
                &step("new"),
                &path,
                &fresh,
                false,
                0,
            )
            .await?,
        );
        let name = step("dry_unchanged");
        results.push(import_step(ctx, sampler, command_pid, &name, &path, &fresh, true, 0).await?);
        let name = step("every_row_changed");
        results
            .push(import_step(ctx, sampler, command_pid, &name, &path, &changed, false, 0).await?);
    }
    Ok(results)
}

/// Products imported for `catch_up` while the projector is stopped.
pub const CATCH_UP_EVENTS: usize = 50_000;

/// `catch_up`: the projector stopped while `CATCH_UP_EVENTS` products are imported and the
/// relay publishes them, then started again: how fast it drains the backlog.
pub async fn catch_up(
    ctx: &Ctx,
    stack: &mut crate::stack::Stack,
) -> anyhow::Result<ScenarioResult> {
    wait_until(
        ctx,
        "the read models caught up before the stop",
        unprojected,
    )
    .await?;
    stack.kill("projector").await?;
    let have: i64 =
        sqlx::query_scalar("SELECT count(*) FROM product_sku_keys WHERE sku_key LIKE 'catch-%'")
            .fetch_one(&ctx.pool)
            .await?;
    let first = have as usize;
    for from in (first..first + CATCH_UP_EVENTS).step_by(10_000) {
        let mut csv = String::from(
            "sku,name,price,vat_rate,unit,category,barcode,low_stock_threshold,status\n",
        );
        for n in from..(from + 10_000).min(first + CATCH_UP_EVENTS) {
            csv.push_str(&format!(
                "CATCH-{n:07},Rattrapage {n},{}.50,20,piece,Catégorie {},,5,active\n",
                n % 500 + 1,
                n % 20
            ));
        }
        import(ctx, "/products/import", csv).await?;
    }
    // Only the projector is measured: everything is on NATS before it starts.
    wait_until(ctx, "the outbox published", |pool| async move {
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            .fetch_one(&pool)
            .await
    })
    .await?;
    let backlog = unprojected(ctx.pool.clone()).await?;
    let started = Instant::now();
    stack.restart("projector").await?;
    wait_until(ctx, "the backlog projected", unprojected).await?;
    let elapsed = started.elapsed();
    Ok(ScenarioResult {
        scenario: "catch_up".to_owned(),
        concurrency: 1,
        elapsed_s: elapsed.as_secs_f64(),
        endpoints: Vec::new(),
        peaks: Peaks::default(),
        projection_lag: None,
        extra: Some(json!({
            "backlog_events": backlog,
            "seconds": elapsed.as_secs_f64(),
            "events_per_second": backlog as f64 / elapsed.as_secs_f64().max(1e-9),
        })),
    })
}

/// Stored events the read models have not applied yet.
async fn unprojected(pool: PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM events e
           LEFT JOIN projector_checkpoints c USING (aggregate_type, aggregate_id)
          WHERE e.sequence > coalesce(c.last_sequence, 0)",
    )
    .fetch_one(&pool)
    .await
}

/// Polls `count` until it reads 0, for at most five minutes.
async fn wait_until<F, Fut>(ctx: &Ctx, what: &str, count: F) -> anyhow::Result<()>
where
    F: Fn(PgPool) -> Fut,
    Fut: std::future::Future<Output = Result<i64, sqlx::Error>>,
{
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if count(ctx.pool.clone()).await? == 0 {
            return Ok(());
        }
        if Instant::now() > deadline {
            anyhow::bail!("{what}: not within five minutes");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
