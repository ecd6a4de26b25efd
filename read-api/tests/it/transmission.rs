//! Transmission to an approved platform, end to end: invoices and credit notes issued
//! through command-api, rendered by read-api on a real socket, handed by command-api's
//! dispatcher to a fake platform that loses answers and refuses documents; the
//! platform's statuses come back as events, into the invoice's read model and a rebuild.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use command_api::auth::tokens::TokenIssuer;
use command_api::transmission::http::{HttpPlatform, ReadApiDocuments};
use command_api::transmission::port::Syntax;
use command_api::transmission::{Dispatcher, DispatcherConfig};
use serde_json::{json, Value};
use sqlx::PgPool;
use testkit::fake_platform::FakePlatform;

use crate::helpers::fetch;
use crate::pipeline::{command, Pipeline, Shop};

const TIMEOUT: Duration = Duration::from_secs(20);

/// read-api's router served on a loopback port, as the dispatcher reaches it.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

/// command-api's token issuer, from the test key.
fn issuer() -> TokenIssuer {
    TokenIssuer::from_private_pem(
        testkit::auth::PRIVATE_PEM.as_bytes(),
        testkit::auth::settings(),
        chrono::Duration::minutes(15),
        chrono::Duration::days(7),
    )
    .unwrap()
    .0
}

pub fn dispatcher(
    pool: &PgPool,
    read_api: &str,
    platform: &FakePlatform,
) -> Dispatcher<HttpPlatform> {
    Dispatcher::new(
        pool.clone(),
        ReadApiDocuments::new(read_api, issuer(), TIMEOUT).unwrap(),
        HttpPlatform::new(&platform.url(), Some(platform.token().to_owned()), TIMEOUT).unwrap(),
        DispatcherConfig {
            syntax: Syntax::FacturX,
            // Failures are due again at once, statuses only when the test says so.
            retry_base: Duration::ZERO,
            retry_max: Duration::ZERO,
            poll_every: Duration::from_secs(3600),
            tick: Duration::from_millis(50),
        },
    )
}

/// Steps the dispatcher until nothing is due; returns how many steps it took.
pub async fn drain(dispatcher: &Dispatcher<HttpPlatform>) -> usize {
    for steps in 0..50 {
        if !dispatcher.step().await.unwrap() {
            return steps;
        }
    }
    panic!("the dispatcher never ran out of due work");
}

/// Every deposited or followed document is due now (as when its poll time comes).
async fn poll_now(pool: &PgPool) {
    sqlx::query("UPDATE transmissions SET due_at = now()")
        .execute(pool)
        .await
        .unwrap();
}

/// The delivery reports stored in an invoice's stream: (number, status, reason).
async fn reports(pool: &PgPool, invoice: &str) -> Vec<(String, String, Option<String>)> {
    let payloads: Vec<Value> = sqlx::query_scalar(
        "SELECT payload::jsonb -> 'DeliveryStatusRecorded' FROM events
          WHERE aggregate_type = 'Invoice' AND aggregate_id = $1
            AND event_type = 'DeliveryStatusRecorded'
          ORDER BY sequence",
    )
    .bind(invoice)
    .fetch_all(pool)
    .await
    .unwrap();
    payloads
        .iter()
        .map(|p| {
            (
                p["number"].as_str().unwrap().to_owned(),
                p["status"].as_str().unwrap().to_owned(),
                p["reason"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// A fulfilled order of one product for a new customer, invoiced: (id, number).
async fn invoiced(shop: &Shop<'_>, code: &str) -> (String, String) {
    let product = shop.product(code, "89.90", "20", None).await;
    shop.receive(&product, "10").await;
    let customer = shop.customer(code).await;
    let order = shop.order(&customer, &[(&product, "2")]).await;
    shop.step(&order, "submit").await;
    shop.step(&order, "fulfil").await;
    let issued = command(
        shop.pipeline,
        Method::POST,
        "/invoices",
        json!({"order_id": order}),
        StatusCode::CREATED,
    )
    .await;
    (
        issued["id"].as_str().unwrap().to_owned(),
        issued["number"].as_str().unwrap().to_owned(),
    )
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn issued_documents_reach_the_platform_once_and_its_statuses_come_back_as_events(
    pool: PgPool,
) {
    let pipeline = Pipeline::start(&pool).await;
    let shop = Shop {
        pipeline: &pipeline,
    };
    let read_api = serve(pipeline.queries.clone()).await;
    let platform = FakePlatform::start("pa-secret").await;
    let dispatcher = dispatcher(&pool, &read_api, &platform);
    let (invoice, number) = invoiced(&shop, "ACME").await;

    // The platform is down once, then loses its answer to a deposit it recorded.
    platform.unavailable_next(1);
    platform.lose_next(1);
    drain(&dispatcher).await;
    assert_eq!(platform.posts(), 3, "503, lost answer, then the answer");
    let held = platform.deposits();
    assert_eq!(held.len(), 1, "one document, however often it was sent");
    assert_eq!(held[0].number, number);
    assert_eq!(held[0].kind, "invoice");
    assert_eq!(held[0].syntax, "factur-x");
    assert_eq!(held[0].content_type, "application/pdf");
    // The very document read-api serves: its Factur-X PDF.
    let served = fetch(&pipeline.queries, &format!("/invoices/{invoice}/pdf"), &[]).await;
    assert_eq!(served.status, StatusCode::OK);
    assert!(held[0].body == served.bytes, "the platform got another PDF");
    assert_eq!(
        reports(&pool, &invoice).await,
        vec![(number.clone(), "deposited".to_owned(), None)]
    );

    // A credit note is queued by its own issue, and handed over too.
    command(
        &pipeline,
        Method::POST,
        &format!("/invoices/{invoice}/credit-notes"),
        json!({"reason": "geste commercial", "lines": [{"line_no": 1, "amount": "10.00"}]}),
        StatusCode::OK,
    )
    .await;
    drain(&dispatcher).await;
    let held = platform.deposits();
    assert_eq!(held.len(), 2);
    let note = held[1].number.clone();
    assert!(note.starts_with("AV-"), "{note}");
    assert_eq!(held[1].kind, "credit_note");

    // The buyer's side moves; a status asked twice is recorded once.
    platform.report(&number, "accepted", None);
    platform.report(
        &note,
        "rejected",
        Some("montant contesté\r\npar l'acheteur"),
    );
    poll_now(&pool).await;
    drain(&dispatcher).await;
    poll_now(&pool).await;
    drain(&dispatcher).await;
    platform.report(&number, "paid", None);
    poll_now(&pool).await;
    drain(&dispatcher).await;
    // Paid and rejected documents are not asked about again.
    poll_now(&pool).await;
    assert_eq!(drain(&dispatcher).await, 0);
    assert_eq!(
        reports(&pool, &invoice).await,
        vec![
            (number.clone(), "deposited".to_owned(), None),
            (note.clone(), "deposited".to_owned(), None),
            (number.clone(), "accepted".to_owned(), None),
            (
                note.clone(),
                "rejected".to_owned(),
                Some("montant contesté  par l'acheteur".to_owned())
            ),
            (number.clone(), "paid".to_owned(), None),
        ]
    );

    // The invoice reads its documents' statuses at the version of the last report.
    let version: i64 = sqlx::query_scalar(
        "SELECT max(sequence) FROM events WHERE aggregate_type = 'Invoice' AND aggregate_id = $1",
    )
    .bind(&invoice)
    .fetch_one(&pool)
    .await
    .unwrap();
    let detail = fetch(
        &pipeline.queries,
        &format!("/invoices/{invoice}?min_version={version}"),
        &[],
    )
    .await;
    assert_eq!(detail.status, StatusCode::OK);
    let detail: Value = serde_json::from_slice(&detail.bytes).unwrap();
    let statuses: Vec<(&str, &str, &str)> = detail["transmissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["number"].as_str().unwrap(),
                t["kind"].as_str().unwrap(),
                t["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        vec![
            (note.as_str(), "credit_note", "rejected"),
            (number.as_str(), "invoice", "paid")
        ]
    );
    assert_eq!(detail["transmissions"][1]["platform_ref"], "PA-1");

    // A rebuild gives the same rows.
    let before = testkit::dump_tables(&pool, &["invoice_transmissions", "invoices"]).await;
    projector::rebuild::rebuild(&pool, |_| {}).await.unwrap();
    let after = testkit::dump_tables(&pool, &["invoice_transmissions", "invoices"]).await;
    assert_eq!(before, after);
    pipeline.stop().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_document_the_platform_refuses_is_rejected_once_and_never_sent_again(pool: PgPool) {
    let pipeline = Pipeline::start(&pool).await;
    let shop = Shop {
        pipeline: &pipeline,
    };
    let read_api = serve(pipeline.queries.clone()).await;
    let platform = FakePlatform::start("pa-secret").await;
    let dispatcher = dispatcher(&pool, &read_api, &platform);
    let (invoice, number) = invoiced(&shop, "BETA").await;
    platform.refuse(&number);
    drain(&dispatcher).await;
    poll_now(&pool).await;
    assert_eq!(drain(&dispatcher).await, 0);
    assert_eq!(platform.posts(), 1);
    assert!(platform.deposits().is_empty());
    let reports = reports(&pool, &invoice).await;
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0].1, "rejected");
    let reason = reports[0].2.clone().unwrap();
    assert!(reason.starts_with("422"), "{reason}");
    assert!(reason.contains("BR-FR-12"), "{reason}");
    assert!(!reason.chars().any(char::is_control), "{reason:?}");
    let status: String = sqlx::query_scalar("SELECT status FROM transmissions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "rejected");
    pipeline.stop().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn without_the_platform_documents_wait_and_go_when_it_answers(pool: PgPool) {
    let pipeline = Pipeline::start(&pool).await;
    let shop = Shop {
        pipeline: &pipeline,
    };
    let read_api = serve(pipeline.queries.clone()).await;
    let platform = FakePlatform::start("pa-secret").await;
    let (invoice, number) = invoiced(&shop, "GAMMA").await;
    let unreachable = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{addr}")
    };
    // A failure waits an hour before it is due again.
    let patient = |url: &str, token: Option<&str>| {
        Dispatcher::new(
            pool.clone(),
            ReadApiDocuments::new(&read_api, issuer(), TIMEOUT).unwrap(),
            HttpPlatform::new(url, token.map(str::to_owned), TIMEOUT).unwrap(),
            DispatcherConfig {
                retry_base: Duration::from_secs(3600),
                ..DispatcherConfig::default()
            },
        )
    };
    let last_attempt = || async {
        sqlx::query_as::<_, (i32, String)>("SELECT attempts, last_error FROM transmissions")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let down = patient(&unreachable, None);
    assert!(down.step().await.unwrap());
    let (attempts, error) = last_attempt().await;
    assert_eq!(attempts, 1);
    assert!(error.contains("platform unavailable"), "{error}");
    assert!(reports(&pool, &invoice).await.is_empty());
    // Not due again before its back-off…
    assert!(!down.step().await.unwrap());
    // A wrong token (401) is a matter of configuration: retried, never a rejection.
    poll_now(&pool).await;
    let misconfigured = patient(&platform.url(), Some("revoked"));
    assert!(misconfigured.step().await.unwrap());
    let (attempts, error) = last_attempt().await;
    assert_eq!(attempts, 2);
    assert!(error.contains("401"), "{error}");
    assert!(reports(&pool, &invoice).await.is_empty());
    // …and once due, the reachable platform takes it.
    poll_now(&pool).await;
    drain(&dispatcher(&pool, &read_api, &platform)).await;
    assert_eq!(platform.deposits().len(), 1);
    assert_eq!(platform.deposits()[0].number, number);
    pipeline.stop().await;
}
