use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use command_api::auth::passwords::{Hashing, HashingConfig, Password};
use command_api::auth::throttle::ThrottleConfig;
use command_api::auth::tokens::TokenIssuer;
use command_api::auth::{Auth, NewUser};
use command_api::http::{router, AppState};
use contracts::account::{DisplayName, Email};
use contracts::auth::Role;
use contracts::auth::Roles;
use contracts::metadata::EventMeta;
use http_body_util::BodyExt;
use platform::token::Claims;
use platform::web::{HttpSettings, NatsCheck, Readiness};
use serde_json::{json, Value};
use sqlx::PgPool;
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    /// The caller's claims: an admin, unless a test says otherwise.
    pub caller: Claims,
    token: String,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn version(&self) -> u64 {
        self.body["version"]
            .as_u64()
            .expect("a version in the body")
    }

    pub fn id(&self) -> String {
        self.body["id"]
            .as_str()
            .expect("an id in the body")
            .to_owned()
    }

    /// The problem+json `code`, asserting the content type on the way.
    pub fn code(&self) -> &str {
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{:?}",
            self.body
        );
        self.body["code"].as_str().expect("a problem code")
    }
}

/// The request time limit of the app under test: far above what any request needs, so
/// that a loaded machine (tests run in parallel on two cores, in a debug build) never
/// turns a slow answer into a 504. Tests time nothing; `loadgen` measures durations.
pub const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(300);

/// Throttling that bites fast but never slows a test down.
pub fn test_throttle() -> ThrottleConfig {
    ThrottleConfig {
        max_per_account: 5,
        max_per_address: 8,
        slowdown_step: Duration::ZERO,
        ..ThrottleConfig::default()
    }
}

/// Hashing as the service sizes it on a small machine.
pub fn test_hashing() -> Hashing {
    Hashing::new(HashingConfig::sized(2, 1024))
}

impl TestApp {
    pub async fn new(pool: PgPool) -> Self {
        Self::with_throttle(pool, test_throttle()).await
    }

    /// The caller is a real, enabled admin account: user management checks the caller's
    /// current account, not only the token.
    pub async fn with_throttle(pool: PgPool, throttle: ThrottleConfig) -> Self {
        Self::with_settings(pool, throttle, HttpSettings::new(REQUEST_TIME_LIMIT)).await
    }

    /// The app with HTTP settings of the test's own (trusted proxies, for one).
    pub async fn with_settings(
        pool: PgPool,
        throttle: ThrottleConfig,
        settings: HttpSettings,
    ) -> Self {
        Self::build(pool, throttle, settings, Some(testkit::seller())).await
    }

    /// The app of a deployment that has no seller configured.
    pub async fn without_seller(pool: PgPool) -> Self {
        Self::build(
            pool,
            test_throttle(),
            HttpSettings::new(REQUEST_TIME_LIMIT),
            None,
        )
        .await
    }

    async fn build(
        pool: PgPool,
        throttle: ThrottleConfig,
        settings: HttpSettings,
        seller: Option<contracts::invoice::Seller>,
    ) -> Self {
        let (issuer, verifier) = TokenIssuer::from_private_pem(
            testkit::auth::PRIVATE_PEM.as_bytes(),
            testkit::auth::settings(),
            chrono::Duration::minutes(15),
            chrono::Duration::days(7),
        )
        .expect("the test key");
        let auth = Arc::new(Auth::new(pool.clone(), issuer, throttle, test_hashing()));
        let (admin, _) = command_api::auth::create_user(
            &auth.users,
            &auth.hashing,
            NewUser {
                email: Email::parse("first.admin@example.com").expect("an email"),
                display_name: DisplayName::parse("First Admin").expect("a name"),
                roles: Roles::one(Role::Admin),
                password: Password::new("the first admin's own passphrase", None)
                    .expect("a strong password"),
                must_change_password: false,
            },
            EventMeta::system(uuid::Uuid::now_v7().to_string()),
        )
        .await
        .expect("the test admin");
        // Set-up, not under test: the relay tests count what they publish themselves.
        sqlx::query("UPDATE outbox SET published_at = now() WHERE aggregate_type = 'User'")
            .execute(&pool)
            .await
            .expect("the test admin's outbox row");
        let state = AppState::new(pool.clone(), auth).with_seller(seller);
        let readiness = Readiness {
            db: pool.clone(),
            nats: NatsCheck::Unused,
        };
        let mut caller = testkit::auth::claims(&[Role::Admin]);
        caller.sub = admin;
        caller.email = "first.admin@example.com".to_owned();
        Self {
            router: router(state, readiness, Arc::new(verifier), &settings),
            token: format!("Bearer {}", testkit::auth::sign(&caller)),
            caller,
        }
    }

    /// `Bearer …` of the app's caller, a real enabled admin.
    pub fn bearer(&self) -> String {
        self.token.clone()
    }

    /// Sends as the app's caller, unless the request carries an `authorization` header
    /// of its own (an empty one: no token).
    pub async fn send(&self, mut request: Request<Body>) -> TestResponse {
        if !request.headers().contains_key(header::AUTHORIZATION) {
            if let Ok(value) = self.token.parse() {
                request.headers_mut().insert(header::AUTHORIZATION, value);
            }
        }
        // What axum's server would add: the peer address, which login throttling keys on.
        if request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .is_none()
        {
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 1], 40000))));
        }
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub async fn json(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> TestResponse {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(
            request
                .body(Body::from(body.to_string()))
                .expect("a valid request"),
        )
        .await
    }

    pub async fn create_product(&self, sku: &str) -> TestResponse {
        self.json(Method::POST, "/products", &[], &product_body(sku))
            .await
    }

    pub async fn patch_product(
        &self,
        id: &str,
        if_match: Option<u64>,
        body: &Value,
    ) -> TestResponse {
        let etag = if_match.map(|v| format!("\"{v}\""));
        let headers: Vec<(&str, &str)> = etag.iter().map(|e| ("if-match", e.as_str())).collect();
        self.json(Method::PATCH, &format!("/products/{id}"), &headers, body)
            .await
    }

    pub async fn post_empty(&self, uri: &str) -> TestResponse {
        self.send(
            Request::builder()
                .method(Method::POST)
                .uri(uri)
                .body(Body::empty())
                .expect("a valid request"),
        )
        .await
    }
}

pub fn product_body(sku: &str) -> Value {
    json!({
        "sku": sku,
        "name": "Vis à bois 4x40",
        "price": "12.50",
        "vat_rate": "20",
        "unit": "box",
        "category": "Quincaillerie",
        "barcode": "4006381333931",
        "low_stock_threshold": "10"
    })
}

/// Appends one bare event row, as postgres-es would, inside `tx`.
pub async fn append_raw(
    conn: &mut sqlx::PgConnection,
    aggregate_id: &str,
    sequence: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
         VALUES ('Probe', $1, $2, 'Probed', '1', '{\"Probed\": {}}', '{\"correlation_id\": \"c-probe\", \"actor_id\": \"tester\"}')",
    )
    .bind(aggregate_id)
    .bind(sequence)
    .execute(conn)
    .await
    .map(drop)
}
