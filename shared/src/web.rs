//! HTTP platform code shared by the APIs: problem+json responses, the layers every
//! router gets (request id, tracing, panic catching, 5xx logging) and health probes.
//! No business handler lives here.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sqlx::PgPool;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::access::{Access, RouteSpec, Routes};
use crate::auth::TokenVerifier;
use crate::problem::{self, Problem};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Longest client-supplied request id that is kept; longer ones are replaced.
pub const MAX_REQUEST_ID_LEN: usize = 128;

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(problem::CONTENT_TYPE),
        );
        response
    }
}

/// The internal cause of a 5xx, attached to the response for [`log_server_errors`] and
/// never sent to the client.
#[derive(Debug, Clone)]
pub struct InternalCause(pub String);

/// A 500 whose body says nothing internal; the cause is logged once by the middleware.
pub fn internal_error(cause: impl std::fmt::Display) -> Response {
    let mut response = Problem::new(500, "internal", "Internal server error")
        .with_detail("An unexpected error occurred; quote the request id when reporting it.")
        .into_response();
    response
        .extensions_mut()
        .insert(InternalCause(cause.to_string()));
    response
}

/// Logs each 5xx once, with its request id and internal cause.
pub async fn log_server_errors(request: Request, next: Next) -> Response {
    let request_id = correlation_id(request.headers());
    let method = request.method().clone();
    let uri = request.uri().path().to_owned();
    let response = next.run(request).await;
    if response.status().is_server_error() {
        let cause = response
            .extensions()
            .get::<InternalCause>()
            .map_or("-", |c| c.0.as_str());
        tracing::error!(%method, %uri, status = response.status().as_u16(), request_id, cause, "request failed");
    }
    response
}

/// The request's correlation id: the `X-Request-Id` sent by the client or, when it sent
/// none or an unusable one, set by the request-id layer.
pub fn correlation_id(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}

fn usable_request_id(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_REQUEST_ID_LEN
        && bytes.iter().all(|b| b.is_ascii_graphic())
}

/// Drops a client `X-Request-Id` that is empty, too long or not printable ASCII, so that
/// the request-id layer replaces it: what lands in logs and event metadata is bounded.
async fn drop_unusable_request_id(mut request: Request, next: Next) -> Response {
    if request
        .headers()
        .get(REQUEST_ID)
        .is_some_and(|v| !usable_request_id(v))
    {
        request.headers_mut().remove(REQUEST_ID);
    }
    next.run(request).await
}

/// Answers 504 problem+json when a request outlives `limit`. (tower-http's timeout layer
/// answers with an empty body.)
async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::new(504, "request_timeout", "The request took too long")
            .with_detail(format!("no answer within {} ms", limit.as_millis()))
            .into_response(),
    }
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    internal_error("handler panicked")
}

async fn not_found() -> Problem {
    Problem::new(404, "not_found", "No such resource")
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        405,
        "method_not_allowed",
        "Method not allowed on this resource",
    )
}

/// What the HTTP layers of every API are configured with.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub request_timeout: Duration,
    /// Browser origins allowed by CORS (a web frontend); empty: no cross-origin access.
    pub cors_origins: Vec<HeaderValue>,
}

impl HttpSettings {
    pub fn new(request_timeout: Duration) -> Self {
        Self {
            request_timeout,
            cors_origins: Vec::new(),
        }
    }
}

fn cors(origins: &[HeaderValue]) -> CorsLayer {
    use axum::http::Method;
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins.iter().cloned()))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::ACCEPT_LANGUAGE,
            REQUEST_ID,
            HeaderName::from_static("x-min-version"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
            REQUEST_ID,
        ])
        .max_age(Duration::from_secs(600))
}

/// An API serves JSON, CSV and PDF to programs and to one frontend: nothing may be
/// framed, sniffed or sent with a referrer.
fn security_headers(router: Router) -> Router {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .layer(set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .layer(set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ))
        .layer(set(
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-site",
        ))
}

/// Wraps a service's router with the layers every gescom API has, outermost first:
/// request-id sanitising and setting, `Authorization` marked sensitive (never logged),
/// CORS, security headers, tracing, timeout, 5xx logging, panic catching, problem+json
/// fallbacks.
pub fn with_common_layers(router: Router, settings: &HttpSettings) -> Router {
    let router = router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(log_server_errors))
        .layer(axum::middleware::from_fn_with_state(
            settings.request_timeout,
            time_limit,
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let request_id = request
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("http", method = %request.method(), uri = %request.uri().path(), request_id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID));
    let router = security_headers(router);
    // No origin configured: no CORS headers at all, and browsers refuse cross-origin calls.
    let router = if settings.cors_origins.is_empty() {
        router
    } else {
        router.layer(cors(&settings.cors_origins))
    };
    router
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
        ]))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(axum::middleware::from_fn(drop_unusable_request_id))
}

/// What `/readyz` checks: the database, and NATS where the service uses it.
#[derive(Clone)]
pub struct Readiness {
    pub db: PgPool,
    pub nats: NatsCheck,
}

#[derive(Clone)]
pub enum NatsCheck {
    /// The service does not use NATS.
    Unused,
    /// Reported, but the service stays ready without it: command-api keeps accepting
    /// commands while NATS is down, its outbox holds the events.
    Reported(async_nats::Client),
    /// The service cannot work without it (the projector).
    Required(async_nats::Client),
}

/// The health routes' rows in a route table: probes carry no token.
pub fn health_table() -> Vec<RouteSpec> {
    ["/healthz", "/readyz"]
        .into_iter()
        .map(|path| RouteSpec {
            method: axum::http::Method::GET,
            path,
            access: Access::Public,
        })
        .collect()
}

/// `/healthz` (the process answers) and `/readyz` (its dependencies answer).
pub fn health_routes(readiness: Readiness) -> Router {
    Router::new()
        .route(
            "/healthz",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .route("/readyz", get(ready))
        .with_state(readiness)
}

async fn ready(State(readiness): State<Readiness>) -> Response {
    let db_ok = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query("SELECT 1").execute(&readiness.db),
    )
    .await
    .is_ok_and(|r| r.is_ok());
    let connected =
        |c: &async_nats::Client| c.connection_state() == async_nats::connection::State::Connected;
    let (nats_ok, nats_required) = match &readiness.nats {
        NatsCheck::Unused => (None, false),
        NatsCheck::Reported(client) => (Some(connected(client)), false),
        NatsCheck::Required(client) => (Some(connected(client)), true),
    };
    let body = serde_json::json!({
        "database": if db_ok { "up" } else { "down" },
        "nats": match nats_ok { None => "unused", Some(true) => "up", Some(false) => "down" },
    });
    if db_ok && (nats_ok.unwrap_or(true) || !nats_required) {
        (StatusCode::OK, Json(body)).into_response()
    } else {
        Problem::new(503, "not_ready", "A dependency is unavailable")
            .with_extension("checks", body)
            .into_response()
    }
}

/// A service's route table with the health probes: what its router serves.
pub fn route_table<S: Clone + Send + Sync + 'static>(routes: &Routes<S>) -> Vec<RouteSpec> {
    let mut table = routes.table().to_vec();
    table.extend(health_table());
    table
}

/// A service's whole HTTP API: its routes and the health probes, the route table enforced
/// (with `verifier`), and the common layers.
pub fn api_router<S: Clone + Send + Sync + 'static>(
    routes: Routes<S>,
    state: S,
    readiness: Readiness,
    verifier: std::sync::Arc<TokenVerifier>,
    settings: &HttpSettings,
) -> Router {
    let api = routes
        .with_state::<()>(state)
        .nest_built(health_routes(readiness), health_table())
        .into_router(verifier);
    with_common_layers(api, settings)
}
