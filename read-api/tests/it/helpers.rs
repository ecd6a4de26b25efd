use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use contracts::auth::Role;
use http_body_util::BodyExt;
use platform::web::{HttpSettings, NatsCheck, Readiness};
use read_api::freshness::Freshness;
use read_api::http::{router, AppState};
use read_api::proforma::{ProformaSettings, Seller};
use serde_json::Value;
use sqlx::PgPool;
use tower::ServiceExt;

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Response {
    pub fn code(&self) -> &str {
        assert_eq!(
            self.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "{:?}",
            self.body
        );
        self.body["code"].as_str().expect("a problem code")
    }
}

/// The request time limit of the app under test: far above what any request needs, so
/// that a loaded machine (tests run in parallel on two cores, in a debug build; a
/// 200-line proforma renders in seconds there) never turns a slow answer into a 504.
/// Tests time nothing; `loadgen` measures durations. A test of the limit itself sets its
/// own with [`read_router_with_timeout`].
pub const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(300);

pub fn read_router(pool: &PgPool, max_wait: Duration) -> Router {
    read_router_with_timeout(pool, max_wait, REQUEST_TIME_LIMIT)
}

pub fn read_router_with_timeout(pool: &PgPool, max_wait: Duration, timeout: Duration) -> Router {
    let state = AppState::new(pool.clone(), Freshness::start(pool.clone(), max_wait))
        .with_proforma(Some(test_seller()));
    router(
        state,
        Readiness {
            db: pool.clone(),
            nats: NatsCheck::Unused,
        },
        testkit::auth::verifier(),
        &HttpSettings::new(timeout),
    )
}

/// A seller with real-looking legal ids (La Poste's SIRET, a valid FR VAT key).
pub fn test_seller() -> ProformaSettings {
    ProformaSettings {
        seller: Seller {
            name: "Négoce Dupont SAS".to_owned(),
            address: vec!["12 rue des Halles".to_owned(), "69002 Lyon".to_owned()],
            siret: "35600000000048".to_owned(),
            vat_number: "FR39356000000".to_owned(),
            legal_form: Some("SAS".to_owned()),
            capital: Some("50000".parse().unwrap()),
            rcs: Some("RCS Lyon 356 000 000".to_owned()),
            email: Some("ventes@dupont.example".to_owned()),
            phone: None,
        },
        validity_days: 30,
    }
}

/// Calls with an admin's token unless `headers` has an `authorization` of its own.
pub async fn call(
    router: &Router,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Response {
    let mut request = Request::builder().method(method).uri(uri);
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
    {
        request = request.header("authorization", testkit::auth::bearer(&[Role::Admin]));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = match body {
        Some(json) => request
            .header("content-type", "application/json")
            .body(Body::from(json.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let mut request = request;
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 7], 50000))));
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Response {
        status,
        headers,
        body,
    }
}

pub async fn get(router: &Router, uri: &str) -> Response {
    call(router, Method::GET, uri, &[], None).await
}

/// Seeds a read-model row directly: read-api's contract starts at the table.
pub async fn seed_product(
    pool: &PgPool,
    sku: &str,
    name: &str,
    price: &str,
    category: &str,
    status: &str,
) -> uuid::Uuid {
    let id = uuid::Uuid::now_v7();
    sqlx::query(
        "INSERT INTO products (id, sku, name, price, vat_rate, unit, category, status, version,
                               created_at, updated_at, updated_by, last_correlation_id)
         VALUES ($1, $2, $3, $4::numeric, 20, 'piece', $5, $6, 1, now(), now(), 'seed', 'seed')",
    )
    .bind(id)
    .bind(sku)
    .bind(name)
    .bind(price)
    .bind(category)
    .bind(status)
    .execute(pool)
    .await
    .unwrap();
    id
}

/// A response as bytes: a document rather than JSON.
pub struct Raw {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Raw {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// `GET uri` with `headers` (an admin's token unless they hold an `authorization`).
pub async fn fetch(router: &Router, uri: &str, headers: &[(&str, &str)]) -> Raw {
    let mut request = Request::get(uri);
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
    {
        request = request.header("authorization", testkit::auth::bearer(&[Role::Admin]));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::empty()).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 7], 50000))));
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Raw {
        status,
        headers,
        bytes,
    }
}
