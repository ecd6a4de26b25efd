//! HTTP platform code shared by the APIs: problem+json responses, the layers every
//! router gets (request id, tracing, panic catching, 5xx logging) and health probes.
//! No business handler lives here.

use std::time::Duration;

use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
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
use crate::problem::{self, Code, Problem};
use crate::token::TokenVerifier;
use contracts::input;
use serde::de::DeserializeOwned;

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

/// The client's address as the services record and throttle it: the TCP peer, or, when
/// the peer is a trusted proxy, the nearest address in `X-Forwarded-For` that is not one
/// (read from the right: each proxy appends the address it was called from, and only the
/// entries our own proxies added can be believed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

impl ClientAddr {
    pub fn resolve(
        peer: std::net::IpAddr,
        headers: &axum::http::HeaderMap,
        trusted: &[ipnet::IpNet],
    ) -> Self {
        let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|net| net.contains(ip));
        let mut client = peer;
        if !is_trusted(&client) {
            return Self(client);
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for hop in hops.iter().rev() {
            match hop.trim().parse::<std::net::IpAddr>() {
                Ok(ip) => client = ip,
                // Not an address: nothing further left can be believed either.
                Err(_) => break,
            }
            if !is_trusted(&client) {
                break;
            }
        }
        Self(client)
    }
}

/// Puts the request's [`ClientAddr`] in its extensions (when the server gave the peer).
async fn resolve_client(
    State(trusted): State<std::sync::Arc<[ipnet::IpNet]>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(peer) = peer {
        let client = ClientAddr::resolve(peer, request.headers(), &trusted);
        request.extensions_mut().insert(client);
    }
    next.run(request).await
}

/// The internal cause of a 5xx, attached to the response for [`log_server_errors`] and
/// never sent to the client.
#[derive(Debug, Clone)]
pub struct InternalCause(pub String);

/// A 500 whose body says nothing internal; the cause is logged once by the middleware.
pub fn internal_error(cause: impl std::fmt::Display) -> Response {
    let mut response = Problem::new(500, Code::Internal, "Internal server error")
        .with_detail("An unexpected error occurred; quote the request id when reporting it.")
        .into_response();
    response
        .extensions_mut()
        .insert(InternalCause(cause.to_string()));
    response
}

/// Logs each 5xx once, with its request id and internal cause: a 500 (a defect) as an
/// error; 502-504 (a dependency away, a projection behind, a time limit: expected under
/// faults, and answered so that clients retry) as a warning.
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
        let status = response.status().as_u16();
        if response.status() == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(%method, %uri, status, request_id, cause, "request failed");
        } else {
            tracing::warn!(%method, %uri, status, request_id, cause, "request not served");
        }
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

/// A client's request id is kept only if it is 1 to [`MAX_REQUEST_ID_LEN`] characters
/// of `[A-Za-z0-9._:-]`: enough for UUIDs, ULIDs and trace ids, and nothing that means
/// something to a log viewer, a CSV export or a shell (no quotes, `<`, `;`, `/`, `%`…).
pub fn usable_request_id(value: &[u8]) -> bool {
    !value.is_empty()
        && value.len() <= MAX_REQUEST_ID_LEN
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Drops a client `X-Request-Id` outside [`usable_request_id`], so that the request-id
/// layer replaces it with a generated one: what lands in logs, event metadata and the
/// audit trail is bounded and inert.
async fn drop_unusable_request_id(mut request: Request, next: Next) -> Response {
    if request
        .headers()
        .get(REQUEST_ID)
        .is_some_and(|v| !usable_request_id(v.as_bytes()))
    {
        request.headers_mut().remove(REQUEST_ID);
    }
    next.run(request).await
}

/// Refuses, before any handler (and so before any database access), a path segment or a
/// query parameter that is not UTF-8 or holds a control character: 400 `malformed_path`
/// naming the segment, or 400 `malformed_query` naming the parameter. Every route of
/// every API is behind it, the exports and the raw `Query` extractors included.
async fn refuse_malformed_input(request: Request, next: Next) -> Response {
    if let Err(refused) = input::check_path(request.uri().path()) {
        return Problem::malformed_path(format!(
            "path segment `{}` {}",
            refused.name, refused.reason
        ))
        .with_extension("segment", refused.name)
        .into_response();
    }
    if let Some(Err(refused)) = request.uri().query().map(input::check_query) {
        return Problem::malformed_query(
            Some(&refused.name),
            format!("parameter `{}` {}", refused.name, refused.reason),
        )
        .into_response();
    }
    next.run(request).await
}

/// The code and title of an error that reached the edge without a problem body (a bare
/// rejection of axum or tower), by status.
fn fallback_problem(status: StatusCode) -> (Code, &'static str) {
    match status.as_u16() {
        400 => (Code::BadRequest, "Bad request"),
        401 => (Code::Unauthenticated, "Unauthorized"),
        403 => (Code::Forbidden, "Forbidden"),
        404 => (Code::NotFound, "No such resource"),
        405 => (
            Code::MethodNotAllowed,
            "Method not allowed on this resource",
        ),
        406 => (Code::NotAcceptable, "Not acceptable"),
        408 => (Code::RequestTimeout, "The request took too long"),
        409 => (Code::Conflict, "Conflict"),
        411 => (Code::LengthRequired, "Length required"),
        412 => (Code::PreconditionFailed, "Precondition failed"),
        413 => (Code::PayloadTooLarge, "Payload too large"),
        414 => (Code::UriTooLong, "URI too long"),
        415 => (Code::UnsupportedMediaType, "Unsupported media type"),
        422 => (Code::Unprocessable, "Unprocessable request"),
        429 => (Code::TooManyRequests, "Too many requests"),
        431 => (Code::HeadersTooLarge, "Request headers too large"),
        503 => (Code::Unavailable, "Service unavailable"),
        504 => (Code::RequestTimeout, "The request took too long"),
        _ if status.is_client_error() => (Code::ClientError, "Request refused"),
        _ => (Code::Internal, "Internal server error"),
    }
}

fn is_problem(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(problem::CONTENT_TYPE))
}

/// Longest plain-text error body carried over into a problem's `detail`.
const MAX_FALLBACK_DETAIL: usize = 200;

/// Turns any error response that is not problem+json (axum's plain-text rejections, an
/// empty 405 or 413 from a layer) into problem+json with a stable code by status
/// ([`fallback_problem`]), keeping its status and headers (`Allow`, `Retry-After`…). A
/// 4xx keeps its text, bounded, as `detail`; a 5xx says nothing and its text becomes the
/// logged cause.
async fn problem_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_problem(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
        .unwrap_or_default();
    let (code, title) = fallback_problem(status);
    let mut problem = Problem::new(status.as_u16(), code, title);
    if status.is_client_error() && !text.is_empty() {
        problem = problem.with_detail(input::excerpt(&text, MAX_FALLBACK_DETAIL));
    }
    if status.is_server_error() && parts.extensions.get::<InternalCause>().is_none() {
        let cause = if text.is_empty() {
            "an error response without a body".to_owned()
        } else {
            text
        };
        parts.extensions.insert(InternalCause(cause));
    }
    let (problem_parts, problem_body) = problem.into_response().into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    if let Some(content_type) = problem_parts.headers.get(header::CONTENT_TYPE) {
        parts
            .headers
            .insert(header::CONTENT_TYPE, content_type.clone());
    }
    Response::from_parts(parts, problem_body)
}

/// `Path<T>` whose rejection is problem+json: 400 `malformed_path` for a segment that
/// does not decode or does not fit `T`, 500 for a route whose parameters do not match
/// (a programming error).
#[derive(Debug)]
pub struct AppPath<T>(pub T);

impl<S, T> FromRequestParts<S> for AppPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(rejection) if rejection.status().is_client_error() => Err(Problem::malformed_path(
                input::excerpt(&rejection.body_text(), MAX_FALLBACK_DETAIL),
            )
            .into_response()),
            Err(rejection) => Err(internal_error(rejection.body_text())),
        }
    }
}

/// Answers 504 problem+json when a request outlives `limit`. (tower-http's timeout layer
/// answers with an empty body.)
async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::new(504, Code::RequestTimeout, "The request took too long")
            .with_detail(format!("no answer within {} ms", limit.as_millis()))
            .into_response(),
    }
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    internal_error("handler panicked")
}

async fn not_found() -> Problem {
    Problem::new(404, Code::NotFound, "No such resource")
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        405,
        Code::MethodNotAllowed,
        "Method not allowed on this resource",
    )
}

/// What the HTTP layers of every API are configured with.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub request_timeout: Duration,
    /// Browser origins allowed by CORS (a web frontend); empty: no cross-origin access.
    pub cors_origins: Vec<HeaderValue>,
    /// Peers whose `X-Forwarded-For` is believed (see [`ClientAddr`]).
    pub trusted_proxies: std::sync::Arc<[ipnet::IpNet]>,
}

impl HttpSettings {
    pub fn new(request_timeout: Duration) -> Self {
        Self {
            request_timeout,
            cors_origins: Vec::new(),
            trusted_proxies: std::sync::Arc::from(Vec::new()),
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
            HeaderName::from_static("x-csrf-token"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
            REQUEST_ID,
        ])
        .max_age(Duration::from_secs(600))
        // The browser session's refresh cookie (command-api's `/auth`, CSRF-checked) may
        // travel to an API on another origin of the same site; the origins are listed.
        .allow_credentials(true)
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
/// CORS, security headers, tracing, latency metrics, timeout, 5xx logging, every error as problem+json,
/// panic catching, refusing malformed paths and query strings, problem+json fallbacks.
pub fn with_common_layers(router: Router, settings: &HttpSettings) -> Router {
    let router = router
        .layer(axum::middleware::from_fn_with_state(
            settings.trusted_proxies.clone(),
            resolve_client,
        ))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(refuse_malformed_input))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(problem_errors))
        .layer(axum::middleware::from_fn(log_server_errors))
        .layer(axum::middleware::from_fn_with_state(
            settings.request_timeout,
            time_limit,
        ))
        .layer(axum::middleware::from_fn(crate::metrics::track_http))
        .layer(
            // 5xx are logged once, by `log_server_errors`, not a second time here.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let request_id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    let span = tracing::info_span!("http", method = %request.method(), uri = %request.uri().path(), request_id);
                    // A client's W3C trace context, when traces are exported.
                    if let Some(parent) = request
                        .headers()
                        .get(crate::telemetry::TRACEPARENT_HEADER)
                        .and_then(|v| v.to_str().ok())
                    {
                        crate::telemetry::set_parent(&span, parent);
                    }
                    span
                })
                .on_failure(()),
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

/// The health routes' rows in a route table: probes carry no token, and neither does
/// Prometheus scraping `/metrics`.
pub fn health_table() -> Vec<RouteSpec> {
    ["/healthz", "/readyz", "/metrics"]
        .into_iter()
        .map(|path| RouteSpec {
            method: axum::http::Method::GET,
            path,
            access: Access::Public,
        })
        .collect()
}

/// `/healthz` (the process answers), `/readyz` (its dependencies answer) and
/// `/metrics` (Prometheus text, [`crate::metrics`]).
pub fn health_routes(readiness: Readiness) -> Router {
    crate::metrics::install();
    Router::new()
        .route(
            "/healthz",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .route("/readyz", get(ready))
        .route(
            "/metrics",
            get(|State(readiness): State<Readiness>| async move {
                crate::metrics::render(&readiness.db).await
            }),
        )
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
        Problem::new(503, Code::NotReady, "A dependency is unavailable")
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{HeaderMap, Method};
    use tower::ServiceExt;

    fn routes() -> Router {
        Router::new()
            .route(
                "/items/{id}",
                get(|AppPath(id): AppPath<String>| async move { id }),
            )
            .route(
                "/raw/{n}",
                get(|Path(n): Path<u32>| async move { n.to_string() }),
            )
            .route(
                "/plain",
                get(|| async { (StatusCode::CONFLICT, "plain text refusal") }),
            )
            .route(
                "/echo-id",
                get(|headers: HeaderMap| async move { correlation_id(&headers) }),
            )
    }

    fn app() -> Router {
        with_common_layers(routes(), &HttpSettings::new(Duration::from_secs(5)))
    }

    async fn call(
        app: &Router,
        method: Method,
        uri: &str,
        request_id: Option<&[u8]>,
    ) -> (StatusCode, HeaderMap, serde_json::Value) {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(id) = request_id {
            request = request.header(REQUEST_ID, HeaderValue::from_bytes(id).unwrap());
        }
        let response = app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned())
        });
        (status, headers, body)
    }

    fn problem_code(headers: &HeaderMap, body: &serde_json::Value) -> String {
        assert_eq!(
            headers.get(header::CONTENT_TYPE).unwrap(),
            problem::CONTENT_TYPE,
            "{body}"
        );
        body["code"].as_str().unwrap().to_owned()
    }

    #[tokio::test]
    async fn a_client_request_id_is_kept_only_within_its_charset() {
        let app = app();
        let longest = "a".repeat(MAX_REQUEST_ID_LEN);
        for kept in [
            "abc-123",
            "0190f3c2.ab_CD:ef-9",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            longest.as_str(),
        ] {
            let (_, headers, body) =
                call(&app, Method::GET, "/echo-id", Some(kept.as_bytes())).await;
            assert_eq!(headers.get(REQUEST_ID).unwrap(), kept);
            assert_eq!(body, kept);
        }
        let too_long = "a".repeat(MAX_REQUEST_ID_LEN + 1);
        for replaced in [
            &b""[..],
            b"a b",
            b"a/b",
            b"<script>",
            b"a;b",
            b"\"quoted\"",
            b"%41",
            b"=cmd|' /C calc'!A0",
            b"a\tb",
            "é".as_bytes(),
            b"\xff",
            too_long.as_bytes(),
        ] {
            let (_, headers, body) = call(&app, Method::GET, "/echo-id", Some(replaced)).await;
            let echoed = headers.get(REQUEST_ID).unwrap().to_str().unwrap();
            assert!(
                uuid::Uuid::parse_str(echoed).is_ok(),
                "{:?} was kept as {echoed}",
                String::from_utf8_lossy(replaced)
            );
            assert_eq!(body, echoed);
        }
    }

    #[tokio::test]
    async fn every_error_answers_problem_json() {
        let app = app();
        let cases: [(Method, &str, u16, &str); 6] = [
            (Method::GET, "/raw/abc", 400, "bad_request"),
            (Method::GET, "/items/%FF", 400, "malformed_path"),
            (Method::GET, "/raw/%FF", 400, "malformed_path"),
            (Method::GET, "/plain", 409, "conflict"),
            (Method::GET, "/no/such/route", 404, "not_found"),
            (Method::DELETE, "/plain", 405, "method_not_allowed"),
        ];
        for (method, uri, status, code) in cases {
            let (got, headers, body) = call(&app, method.clone(), uri, None).await;
            assert_eq!(got.as_u16(), status, "{method} {uri}: {body}");
            assert_eq!(problem_code(&headers, &body), code, "{method} {uri}");
            assert_eq!(body["status"], status);
        }
        let (_, _, body) = call(&app, Method::GET, "/plain", None).await;
        assert_eq!(body["detail"], "plain text refusal");
    }

    #[tokio::test]
    async fn a_path_rejection_is_problem_json_even_without_the_layers() {
        let (status, headers, body) = call(&routes(), Method::GET, "/items/%FF", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(problem_code(&headers, &body), "malformed_path");
    }

    #[tokio::test]
    async fn control_characters_in_a_path_or_a_query_are_refused_before_the_handler() {
        let app = app();
        for uri in [
            "/items/a%00b",
            "/items/%0A",
            "/items/%C2%85",
            "/no/such/%7F",
        ] {
            let (status, headers, body) = call(&app, Method::GET, uri, None).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
            assert_eq!(problem_code(&headers, &body), "malformed_path", "{uri}");
        }
        for (uri, parameter) in [
            ("/items/x?q=a%00b", "q"),
            ("/items/x?page=1&status=%0D%0A", "status"),
            ("/items/x?q=%C2%9F", "q"),
            ("/items/x?q=%FF", "q"),
            ("/items/x?a%00=1", "a\\u{0}"),
        ] {
            let (status, headers, body) = call(&app, Method::GET, uri, None).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
            assert_eq!(problem_code(&headers, &body), "malformed_query", "{uri}");
            assert_eq!(body["parameter"], parameter, "{uri}");
        }
        let (status, _, body) =
            call(&app, Method::GET, "/items/vis%20%C3%A9?q=%E2%82%AC+1", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "vis é");
    }
}
