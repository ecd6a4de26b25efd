//! `loadgen`: starts the services, seeds, runs the scenarios, prints a table and writes
//! a JSON file under `loadgen/results/`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use serde::Serialize;
use serde_json::json;

use crate::client::Api;
use crate::faults;
use crate::nats_server::NatsServer;
use crate::scenarios::{self, Ctx, ScenarioResult};
use crate::stack::{Stack, ADMIN_EMAIL, ADMIN_PASSWORD};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scenario {
    Create,
    Mixed,
    Ryw,
    /// Orders of three lines drafted and submitted, spread over the catalogue, then all
    /// on the same three products (`orders_hot`).
    Orders,
    Lists,
    /// Proforma PDFs: 20 lines alone and beside other reads, 200 lines.
    Proforma,
    /// `projector rebuild` of everything written so far, under the live projector.
    Rebuild,
    /// The projector stopped while 50,000 products are imported, then started: how fast
    /// it drains the backlog.
    CatchUp,
    /// Processes killed, NATS stopped, database connections cut, one at a time under an
    /// order load; then every acknowledged command, the read models and the stock
    /// checked. Not in the default list; fails the run when a check fails.
    Faults,
    /// CSV imports of `--import-rows` products and customers: dry runs and real ones.
    Import,
}

#[derive(Debug, Parser)]
#[command(name = "loadgen", about = "gescom load generator")]
pub struct Args {
    /// Scenarios to run, in this order (default: all).
    #[arg(long, value_enum, value_delimiter = ',')]
    scenarios: Vec<Scenario>,
    /// Seconds each scenario runs.
    #[arg(long, default_value_t = 15)]
    duration: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Products seeded before `mixed`.
    #[arg(long, default_value_t = 10_000)]
    products: usize,
    /// Customers seeded before `mixed`.
    #[arg(long, default_value_t = 2_000)]
    customers: usize,
    /// Concurrent clients of `lists` (latency is its point, not throughput).
    #[arg(long, default_value_t = 4)]
    list_concurrency: usize,
    /// Products in the catalogue for `lists`.
    #[arg(long, default_value_t = 100_000)]
    list_products: usize,
    /// Rows of each file of `import` (100,000: the order of the 8 MiB cap).
    #[arg(long, default_value_t = 100_000)]
    import_rows: usize,
    /// PostgreSQL server; the run creates and drops a database of its own on it.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    database_url: String,
    #[arg(long, env = "NATS_URL", default_value = "nats://127.0.0.1:4222")]
    nats_url: String,
    /// Where the service binaries are.
    #[arg(long, default_value = "target/release")]
    bin: PathBuf,
    /// Keep the run's database afterwards.
    #[arg(long)]
    keep: bool,
    /// Pause (seconds) after starting the services, e.g. to attach `perf`.
    #[arg(long, default_value_t = 0)]
    pause: u64,
    /// `faults` in its short form (well under 3 minutes, for CI).
    #[arg(long)]
    faults_short: bool,
    /// The nats-server binary `faults` starts for itself (it stops and restarts it).
    #[arg(long, default_value = "nats-server")]
    nats_server: PathBuf,
    /// Append each service's log (standard output and error) to `<dir>/<service>.log`.
    #[arg(long)]
    service_logs: Option<PathBuf>,
    /// Print the figures but write no file under `loadgen/results/` (CI).
    #[arg(long)]
    no_results: bool,
}

fn git_commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn machine() -> serde_json::Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(str::trim)
        .unwrap_or("unknown");
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    json!({
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu_model": model,
        "memory": memory,
    })
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let scenarios = if args.scenarios.is_empty() {
        vec![
            Scenario::Create,
            Scenario::Ryw,
            Scenario::Mixed,
            Scenario::Orders,
            Scenario::Lists,
            Scenario::Proforma,
            Scenario::Rebuild,
            Scenario::CatchUp,
            Scenario::Import,
        ]
    } else {
        args.scenarios.clone()
    };
    // `faults` stops NATS: the run gets a nats-server of its own.
    let nats_server = if scenarios.contains(&Scenario::Faults) {
        Some(NatsServer::start(&args.nats_server).await?)
    } else {
        None
    };
    let nats_url = nats_server
        .as_ref()
        .map_or_else(|| args.nats_url.clone(), NatsServer::url);
    eprintln!("starting the services from {} …", args.bin.display());
    let mut stack = Stack::start(
        &args.bin,
        &args.database_url,
        &nats_url,
        args.service_logs.as_deref(),
    )
    .await?;
    stack.nats_server = nats_server;
    if args.pause > 0 {
        eprintln!(
            "command-api pid {:?}; pausing {} s",
            stack.pid("command-api"),
            args.pause
        );
        tokio::time::sleep(Duration::from_secs(args.pause)).await;
    }
    let outcome = run_scenarios(&args, &scenarios, &mut stack).await;
    let rss = stack.peak_rss_mib();
    stack.stop(args.keep).await?;
    let (results, raw, backlog_peak, failed) = outcome?;

    let create_rate = results
        .iter()
        .find(|r| r.scenario == "create")
        .and_then(|r| r.endpoints.first())
        .map(|e| e.per_second);
    let raw_rate = raw
        .as_ref()
        .and_then(|r| r.endpoints.first())
        .map(|e| e.per_second);
    let ratio = create_rate.zip(raw_rate).map(|(c, r)| c / r.max(1e-9));

    println!();
    println!(
        "{:<14} {:<36} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8}  errors",
        "scenario", "endpoint", "ok", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    for r in raw.iter().chain(results.iter()) {
        for e in &r.endpoints {
            println!(
                "{:<14} {:<36} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>8.1}  {:?}",
                r.scenario,
                e.endpoint,
                e.ok,
                e.per_second,
                e.p50_ms,
                e.p95_ms,
                e.p99_ms,
                e.max_ms,
                e.errors
            );
        }
        if let Some(lag) = &r.projection_lag {
            println!(
                "{:<14} {:<36} {:>9} {:>9} {:>8.2} {:>8} {:>8.2} {:>8.1}",
                r.scenario,
                "projection lag (commit → visible)",
                lag.samples,
                "",
                lag.p50_ms,
                "",
                lag.p99_ms,
                lag.max_ms
            );
        }
    }
    // `faults` printed its own report.
    for r in results.iter().filter(|r| r.scenario != "faults") {
        if let Some(extra) = &r.extra {
            println!("{:<14} {extra}", r.scenario);
        }
    }
    if let Some(ratio) = ratio {
        println!("\ncreates/s ÷ raw appends/s = {ratio:.2}");
    }
    println!("outbox backlog peak: {backlog_peak} rows");
    for r in raw.iter().chain(results.iter()) {
        let rss: Vec<String> = r
            .peaks
            .rss_mib
            .iter()
            .map(|(n, m)| format!("{n} {m:.1}"))
            .collect();
        println!(
            "peak during {:<13} outbox {:>6} rows; RSS MiB: {}",
            r.scenario,
            r.peaks.outbox_backlog,
            rss.join(", ")
        );
    }
    for (name, mib) in &rss {
        println!("peak RSS over the whole run (seeding included) {name}: {mib:.1} MiB");
    }

    let report = json!({
        "machine": machine(),
        "git_commit": git_commit(),
        "finished_at": chrono::Utc::now().to_rfc3339(),
        "config": {
            "scenarios": scenarios,
            "duration_s": args.duration,
            "concurrency": args.concurrency,
            "products": args.products,
            "customers": args.customers,
            "list_products": args.list_products,
            "list_concurrency": args.list_concurrency,
            "faults_short": args.faults_short,
            "import_rows": args.import_rows,
        },
        "raw_append": raw,
        "scenarios": results,
        "create_to_raw_ratio": ratio,
        "outbox_backlog_peak": backlog_peak,
        "failed_scenarios": failed,
        "peak_rss_mib": rss.iter().map(|(n, m)| (n.to_string(), *m)).collect::<std::collections::BTreeMap<_, _>>(),
    });
    if !args.no_results {
        let dir = PathBuf::from("loadgen/results");
        std::fs::create_dir_all(&dir)?;
        let file = dir.join(format!(
            "{}-{}{}.json",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ"),
            git_commit(),
            if scenarios.contains(&Scenario::Faults) {
                "-faults"
            } else {
                ""
            }
        ));
        std::fs::write(&file, serde_json::to_string_pretty(&report)?)?;
        println!("written: {}", file.display());
    }
    for f in &failed {
        println!("FAILED {:?}: {}", f.scenario, f.error);
    }
    let verdict = faults::verdict(&results);
    if !failed.is_empty() {
        anyhow::bail!(
            "{} scenario(s) failed: {}",
            failed.len(),
            failed
                .iter()
                .map(|f| format!("{:?}", f.scenario))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    verdict
}

/// A scenario that could not finish, and why: the others still run and are kept.
#[derive(Debug, Serialize)]
struct Failed {
    scenario: Scenario,
    error: String,
}

type Outcome = (
    Vec<ScenarioResult>,
    Option<ScenarioResult>,
    u64,
    Vec<Failed>,
);

async fn run_scenarios(
    args: &Args,
    scenarios: &[Scenario],
    stack: &mut Stack,
) -> anyhow::Result<Outcome> {
    let api = Api::login(
        &stack.command_url,
        &stack.read_url,
        ADMIN_EMAIL,
        ADMIN_PASSWORD,
    )
    .await?;
    let ctx = Ctx {
        api,
        pool: stack.pool.clone(),
        nats_url: stack.nats_url.clone(),
        nats_prefix: stack.nats_prefix.clone(),
        concurrency: args.concurrency,
        duration: Duration::from_secs(args.duration),
    };
    let sampler = scenarios::Sampler::default();
    let pids = ["command-api", "projector", "read-api"]
        .into_iter()
        .filter_map(|n| stack.pid(n).map(|p| (n, p)))
        .collect();
    let sampling = sampler.start(stack.pool.clone(), pids);
    let mut results = Vec::new();
    let mut raw = None;
    let mut seeded = None;
    let mut failed = Vec::new();
    for &scenario in scenarios {
        let ran: anyhow::Result<()> = async {
            match scenario {
                Scenario::Create => {
                    eprintln!(
                        "raw ceiling: {} clients appending to `events`",
                        args.concurrency
                    );
                    sampler.take();
                    let mut raw_result = scenarios::raw(&ctx).await;
                    raw_result.peaks = sampler.take();
                    eprintln!("create: {} clients", args.concurrency);
                    let mut full = scenarios::create(&ctx, None).await;
                    full.peaks = sampler.take();
                    // Half the maximum throughput, for the latency target.
                    let rate = full.endpoints.first().map(|e| e.per_second / 2.0);
                    results.push(full);
                    if let Some(rate) = rate {
                        eprintln!("create at half of the maximum: {rate:.0}/s");
                        let mut paced = scenarios::create(&ctx, Some(rate)).await;
                        paced.peaks = sampler.take();
                        results.push(paced);
                    }
                    raw = Some(raw_result);
                }
                Scenario::Ryw => {
                    // One client (the chain's own latency), then the full load (its queues).
                    for (name, concurrency) in [("ryw_1", 1), ("ryw", args.concurrency)] {
                        eprintln!("{name}: {concurrency} clients");
                        sampler.take();
                        let ctx = Ctx {
                            concurrency,
                            ..ctx.clone()
                        };
                        let mut r = scenarios::ryw(&ctx, name).await?;
                        r.peaks = sampler.take();
                        results.push(r);
                    }
                }
                Scenario::Mixed => {
                    eprintln!(
                        "seeding {} products, {} customers",
                        args.products, args.customers
                    );
                    let s = scenarios::seed(&ctx, args.products, args.customers, true).await?;
                    eprintln!("mixed: {} clients", args.concurrency);
                    sampler.take();
                    let mut r = scenarios::mixed(&ctx, &s).await;
                    r.peaks = sampler.take();
                    results.push(r);
                    seeded = Some(s);
                }
                Scenario::Orders => {
                    let s = match &seeded {
                        Some(s) => s.clone(),
                        None => scenarios::seed(&ctx, args.products, args.customers, true).await?,
                    };
                    for hot in [false, true] {
                        eprintln!(
                            "{}: {} clients",
                            if hot { "orders_hot" } else { "orders" },
                            args.concurrency
                        );
                        sampler.take();
                        let mut r = scenarios::orders(&ctx, &s, hot).await?;
                        r.peaks = sampler.take();
                        results.push(r);
                    }
                    seeded = Some(s);
                }
                Scenario::Proforma => {
                    let s = match &seeded {
                        Some(s) => s.clone(),
                        None => scenarios::seed(&ctx, 200, 1, false).await?,
                    };
                    eprintln!("proforma");
                    sampler.take();
                    for mut r in scenarios::proforma(&ctx, &s).await? {
                        r.peaks = sampler.take();
                        results.push(r);
                    }
                    seeded = Some(s);
                }
                Scenario::Rebuild => {
                    // Tops the catalogue up to `--products`: enough events to time.
                    let s = scenarios::seed(&ctx, args.products, 10, false).await?;
                    eprintln!("rebuild");
                    sampler.take();
                    let mut r =
                        scenarios::rebuild(&ctx, &args.bin, &stack.db_url, &s.products[0]).await?;
                    r.peaks = sampler.take();
                    results.push(r);
                }
                Scenario::CatchUp => {
                    eprintln!("catch-up: {} events", scenarios::CATCH_UP_EVENTS);
                    sampler.take();
                    let mut r = scenarios::catch_up(&ctx, stack).await?;
                    r.peaks = sampler.take();
                    results.push(r);
                }
                Scenario::Faults => {
                    let plan = faults::Plan::new(args.faults_short);
                    let s = scenarios::seed(&ctx, plan.products, plan.customers, true).await?;
                    eprintln!("faults: {} clients", plan.clients);
                    sampler.take();
                    let mut r = faults::run(&plan, &ctx, &s, stack, &args.bin).await?;
                    r.peaks = sampler.take();
                    results.push(r);
                }
                Scenario::Import => {
                    eprintln!("import: {} rows per file", args.import_rows);
                    let pid = stack.pid("command-api");
                    results
                        .extend(scenarios::imports(&ctx, args.import_rows, &sampler, pid).await?);
                }
                Scenario::Lists => {
                    eprintln!("seeding the catalogue to {} products", args.list_products);
                    let catalogue =
                        scenarios::seed(&ctx, args.list_products, args.customers.min(10), false)
                            .await?;
                    // What a maintained database looks like: statistics fresh, visibility map set (so
                    // that autovacuum does not run during the measurement).
                    sqlx::query("VACUUM (ANALYZE)").execute(&stack.pool).await?;
                    eprintln!("lists: {} clients", args.list_concurrency);
                    sampler.take();
                    let lists_ctx = Ctx {
                        concurrency: args.list_concurrency,
                        ..ctx.clone()
                    };
                    let mut r = scenarios::lists(&lists_ctx, &catalogue).await;
                    r.peaks = sampler.take();
                    results.push(r);
                }
            }
            Ok(())
        }
        .await;
        if let Err(error) = ran {
            eprintln!("{scenario:?} failed: {error:#}");
            failed.push(Failed {
                scenario,
                error: format!("{error:#}"),
            });
        }
    }
    for task in sampling {
        task.abort();
    }
    let backlog = raw
        .iter()
        .chain(results.iter())
        .map(|r| r.peaks.outbox_backlog)
        .max()
        .unwrap_or(0);
    Ok((results, raw, backlog.max(0) as u64, failed))
}
