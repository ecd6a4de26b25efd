//! The API contract: each service's OpenAPI 3.1 document, generated from its handlers'
//! `#[utoipa::path]` annotations and its serde types, then completed from its route table,
//! so that who may call a route is written once (`access::Routes`) and the document cannot
//! say otherwise. Served at `/openapi.json`, browsable at `/docs` (Swagger UI, embedded).
//!
//! [`complete`] adds to every operation found in the route table:
//! - `x-access` (the `schemas/roles.tsv` column: `public`, `signed-in` or `admin,sales`),
//!   `x-roles` (the roles that may call it), the same in words in its description, and the
//!   bearer-JWT security requirement unless it is public;
//! - its error responses, all `application/problem+json`: one per status, whose `code` is
//!   an enum of exactly the codes that status can carry on that route. The codes are the
//!   ones the operation lists in its `x-problem-codes` extension (a name starting with `@`
//!   is a group the service defines, e.g. what its JSON extractor refuses) plus the ones
//!   every route of its kind can answer: 401s and 403s from its access, 400 for a
//!   malformed query string (and path, with parameters), 500 and 504.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{json, Map, Value};

use crate::access::{Access, RouteSpec};
use crate::problem::{Code, Problem, CONTENT_TYPE};
use crate::web::AppPath;
use contracts::auth::Role;

/// Where each API serves its document and its browsable documentation.
pub const SPEC_PATH: &str = "/openapi.json";
pub const DOCS_PATH: &str = "/docs";

/// Groups of problem codes a service names in `x-problem-codes` as `@name`.
pub type CodeGroups = [(&'static str, &'static [Code])];

/// The status a problem with `code` is answered with. One status per code: a client may
/// switch on the code alone.
pub fn status_of(code: Code) -> u16 {
    use Code as C;
    match code {
        C::BadRequest
        | C::MalformedBody
        | C::MalformedHeader
        | C::MalformedPath
        | C::MalformedQuery => 400,
        C::InvalidCredentials
        | C::InvalidRefreshToken
        | C::InvalidToken
        | C::RefreshTokenReused
        | C::TokenExpired
        | C::Unauthenticated => 401,
        C::AccountDisabled
        | C::CsrfFailed
        | C::Forbidden
        | C::NoAccessPolicy
        | C::PasswordChangeRequired => 403,
        C::CreditNoteNotFound
        | C::CustomerNotFound
        | C::DeadLetterNotFound
        | C::LineNotFound
        | C::InvoiceNotFound
        | C::NotFound
        | C::OrderNotFound
        | C::ProductNotFound
        | C::UserNotFound => 404,
        C::MethodNotAllowed => 405,
        C::NotAcceptable => 406,
        C::Conflict
        | C::ConcurrentModification
        | C::CustomerCodeTaken
        | C::CustomerExists
        | C::DeadLetterNotParked
        | C::EmailTaken
        | C::OrderBusy
        | C::OrderExists
        | C::OrderNotDraft
        | C::OrderStatus
        | C::ProductExists
        | C::SkuTaken
        | C::UserExists
        | C::OrderCancelled
        | C::CreditNoteExists
        | C::InvoiceExists
        | C::OrderAlreadyInvoiced
        | C::OrderNotFulfilled
        | C::PaymentExists
        | C::StillFailing => 409,
        C::LengthRequired => 411,
        C::PreconditionFailed | C::VersionMismatch => 412,
        C::PayloadTooLarge => 413,
        C::UriTooLong => 414,
        C::UnsupportedMediaType => 415,
        C::BelowReserved
        | C::CannotDemoteSelf
        | C::CannotDisableSelf
        | C::CreditExceedsInvoice
        | C::CustomerRequired
        | C::ImportInvalid
        | C::InsufficientStock
        | C::InvalidCsv
        | C::LastAdmin
        | C::NoReservation
        | C::OrderEmpty
        | C::Overpayment
        | C::TooManyLines
        | C::Unprocessable
        | C::ValidationFailed
        | C::WrongCurrentPassword => 422,
        C::TooManyAttempts | C::TooManyRequests => 429,
        C::HeadersTooLarge => 431,
        C::ClientError => 400,
        C::Internal => 500,
        C::Busy | C::NotReady | C::SellerNotConfigured | C::Unavailable => 503,
        C::RequestTimeout | C::ProjectionLagging => 504,
    }
}

fn code_named(name: &str) -> Option<Code> {
    Code::ALL.iter().copied().find(|c| c.as_str() == name)
}

/// What [`complete`] found wrong in an annotation: a programming error, shown by the
/// contract tests.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("{0}: unknown problem code or group `{1}` in x-problem-codes")]
    UnknownCode(String, String),
    #[error("the generated document is not a JSON object: {0}")]
    Shape(String),
}

/// The roles.tsv spelling of an access rule.
pub fn access_text(access: Access) -> String {
    match access {
        Access::Public => "public".to_owned(),
        Access::SignedIn => "signed-in".to_owned(),
        Access::Roles(roles) => roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// The roles that may call a route: none needed (public), every role (signed-in), or
/// those listed.
pub fn access_roles(access: Access) -> Vec<Role> {
    match access {
        Access::Public => Vec::new(),
        Access::SignedIn => Role::ALL.to_vec(),
        Access::Roles(roles) => roles.to_vec(),
    }
}

/// Completes `doc` (a service's generated document) from its route `table`; see the
/// module doc.
pub fn complete(
    doc: &utoipa::openapi::OpenApi,
    table: &[RouteSpec],
    groups: &CodeGroups,
) -> Result<Value, SpecError> {
    let mut doc = doc.clone();
    doc.merge(<Served as utoipa::OpenApi>::openapi());
    let mut doc = serde_json::to_value(doc).map_err(|e| SpecError::Shape(e.to_string()))?;
    let paths = doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| SpecError::Shape("no paths".to_owned()))?;
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            let Ok(m) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else {
                continue;
            };
            let Some(spec) = table.iter().find(|s| s.method == m && s.path == path) else {
                continue;
            };
            let Some(operation) = operation.as_object_mut() else {
                continue;
            };
            let name = format!("{} {path}", spec.method);
            complete_operation(&name, operation, spec, groups)?;
        }
    }
    let root = doc
        .as_object_mut()
        .ok_or_else(|| SpecError::Shape("not an object".to_owned()))?;
    let components = root
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| SpecError::Shape("components".to_owned()))?;
    components.insert(
        "securitySchemes".to_owned(),
        json!({"bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token from command-api's `POST /auth/login` or `POST /auth/refresh` (EdDSA, 15 minutes)."
        }}),
    );
    let schemas = components
        .entry("schemas")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| SpecError::Shape("schemas".to_owned()))?;
    schemas.insert("Problem".to_owned(), problem_schema());
    schemas
        .entry("FieldError")
        .or_insert_with(field_error_schema);
    Ok(doc)
}

fn complete_operation(
    name: &str,
    operation: &mut Map<String, Value>,
    spec: &RouteSpec,
    groups: &CodeGroups,
) -> Result<(), SpecError> {
    // A name unique in the document, for generated clients: `products_update`.
    let tag = operation
        .get("tags")
        .and_then(|t| t.get(0))
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let (Some(tag), Some(id)) = (tag, operation.get("operationId").and_then(Value::as_str)) {
        let id = format!("{}_{id}", tag.replace('-', "_"));
        operation.insert("operationId".to_owned(), Value::from(id));
    }

    // Access, from the route table.
    let access = access_text(spec.access);
    let roles: Vec<&str> = access_roles(spec.access)
        .into_iter()
        .map(Role::as_str)
        .collect();
    let said = match spec.access {
        Access::Public => "Access: public, no token.".to_owned(),
        Access::SignedIn => {
            "Access: any signed-in user, even one who must change their password first.".to_owned()
        }
        Access::Roles(_) => format!("Access: roles {}.", roles.join(", ")),
    };
    let description = match operation.get("description").and_then(Value::as_str) {
        Some(text) if !text.is_empty() => format!("{text}\n\n{said}"),
        _ => said,
    };
    operation.insert("description".to_owned(), Value::from(description));
    operation.insert("x-access".to_owned(), Value::from(access));
    operation.insert("x-roles".to_owned(), json!(roles));
    if spec.access != Access::Public {
        operation.insert("security".to_owned(), json!([{"bearer": []}]));
    }

    // Problem codes: the route's own, then what every route of its kind can answer.
    let mut codes: Vec<Code> = Vec::new();
    let listed = operation
        .remove("x-problem-codes")
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    for entry in listed {
        let text = entry.as_str().unwrap_or_default().to_owned();
        if let Some(group) = text.strip_prefix('@') {
            let found = groups
                .iter()
                .find(|(g, _)| *g == group)
                .ok_or_else(|| SpecError::UnknownCode(name.to_owned(), text.clone()))?;
            codes.extend_from_slice(found.1);
        } else {
            codes.push(
                code_named(&text).ok_or_else(|| SpecError::UnknownCode(name.to_owned(), text))?,
            );
        }
    }
    codes.extend([Code::MalformedQuery, Code::Internal, Code::RequestTimeout]);
    if spec.path.contains('{') {
        codes.push(Code::MalformedPath);
    }
    if spec.access != Access::Public {
        codes.extend([
            Code::Unauthenticated,
            Code::InvalidToken,
            Code::TokenExpired,
        ]);
    }
    if let Access::Roles(_) = spec.access {
        codes.extend([Code::Forbidden, Code::PasswordChangeRequired]);
    }
    let mut by_status: BTreeMap<u16, Vec<&'static str>> = BTreeMap::new();
    for code in codes {
        let list = by_status.entry(status_of(code)).or_default();
        if !list.contains(&code.as_str()) {
            list.push(code.as_str());
        }
    }
    let responses = operation
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| SpecError::Shape(format!("{name}: responses")))?;
    let mut all: Vec<&str> = Vec::new();
    for (status, mut list) in by_status {
        list.sort_unstable();
        all.extend(&list);
        responses.insert(status.to_string(), problem_response(status, &list));
    }
    all.sort_unstable();
    operation.insert("x-problem-codes".to_owned(), json!(all));
    Ok(())
}

fn problem_response(status: u16, codes: &[&str]) -> Value {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let mut response = json!({
        "description": format!("{reason}: {}", codes.join(", ")),
        "content": {CONTENT_TYPE: {"schema": {
            "allOf": [
                {"$ref": "#/components/schemas/Problem"},
                {"type": "object", "properties": {
                    "status": {"const": status},
                    "code": {"type": "string", "enum": codes}
                }}
            ]
        }}}
    });
    let mut headers = Map::new();
    if status == 401 {
        headers.insert(
            "WWW-Authenticate".to_owned(),
            json!({"description": "`Bearer`", "schema": {"type": "string"}}),
        );
    }
    if status == 429 || codes.iter().any(|c| matches!(*c, "unavailable" | "busy")) {
        headers.insert(
            "Retry-After".to_owned(),
            json!({"description": "Seconds to wait before trying again.", "schema": {"type": "integer", "minimum": 0}}),
        );
    }
    if status == 412 && codes.contains(&"version_mismatch") {
        headers.insert(
            "ETag".to_owned(),
            json!({"description": "The current version, quoted: send it as `If-Match` after reading the resource again.", "schema": {"type": "string"}}),
        );
    }
    if !headers.is_empty() {
        response["headers"] = Value::Object(headers);
    }
    response
}

/// `platform::problem::Problem` as JSON Schema (its extension members are open).
fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": "RFC 9457 problem details, always `application/problem+json`. Switch on `code`; other members (`current_version`, `parameter`, `header`, `report`, `quantities`, `shortages`, `allowed_roles`…) depend on the code.",
        "required": ["type", "title", "status", "code"],
        "properties": {
            "type": {"type": "string", "description": "`urn:gescom:problem:<code>`"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "code": {"type": "string", "enum": Code::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}}
        },
        "additionalProperties": true
    })
}

fn field_error_schema() -> Value {
    json!({
        "type": "object",
        "description": "One broken rule, naming the field it concerns.",
        "required": ["field", "code", "message"],
        "properties": {
            "field": {"type": "string"},
            "code": {"type": "string"},
            "message": {"type": "string"}
        }
    })
}

/// The document as served and checked in: pretty JSON with a final newline.
pub fn render(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes `doc` to stdout (the `openapi` subcommands): written, not printed, so that a
/// closed pipe is an error to report, not a panic.
pub fn write_to_stdout(doc: &Value) -> std::io::Result<()> {
    std::io::Write::write_all(&mut std::io::stdout().lock(), render(doc).as_bytes())
}

/// `GET /openapi.json`, answering `doc` as generated now.
pub fn serve_spec(doc: Result<Value, SpecError>) -> Response {
    match doc {
        Ok(doc) => axum::Json(doc).into_response(),
        Err(e) => crate::web::internal_error(e),
    }
}

/// Swagger UI's own files need scripts and styles from this origin (the APIs' default
/// policy allows nothing).
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/// `GET /docs`: to Swagger UI's page (its files are relative to `/docs/`).
#[utoipa::path(
    get,
    path = "/docs",
    tag = "contract",
    summary = "Interactive API documentation (Swagger UI)",
    responses((status = 303, description = "To `/docs/index.html`.",
        headers(("Location" = String, description = "`/docs/index.html`"))))
)]
pub async fn docs() -> Response {
    Redirect::to("/docs/index.html").into_response()
}

/// `GET /docs/{file}`: Swagger UI's files, embedded in the binary, pointed at
/// `/openapi.json`.
#[utoipa::path(
    get,
    path = "/docs/{file}",
    tag = "contract",
    summary = "A file of the interactive documentation",
    params(("file" = String, Path, description = "e.g. `index.html`, `swagger-ui.css`")),
    responses(
        (status = 200, description = "The file.", content(
            ("text/html"), ("text/css"), ("application/javascript"), ("image/png")
        )),
    ),
    extensions(("x-problem-codes" = json!(["not_found"])))
)]
pub async fn docs_file(AppPath(file): AppPath<String>) -> Response {
    // Nothing leaves the origin: no call to the public validator.
    let config = Arc::new(utoipa_swagger_ui::Config::from(SPEC_PATH).validator_url("none"));
    match utoipa_swagger_ui::serve(&file, config) {
        Ok(Some(found)) => {
            let mut response = (
                [(header::CONTENT_TYPE, found.content_type)],
                found.bytes.into_owned(),
            )
                .into_response();
            response.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(DOCS_POLICY),
            );
            response
        }
        Ok(None) => {
            Problem::not_found(Code::NotFound, "no such documentation file").into_response()
        }
        Err(e) => crate::web::internal_error(e),
    }
}

/// The health probes' documentation (`web::health_routes` serves them).
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    summary = "Liveness: the process answers",
    responses((status = 200, description = "Alive.", body = Object, example = json!({"status": "ok"})))
)]
pub fn healthz() {}

#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    summary = "Readiness: the database (and NATS where the service needs it) answers",
    responses((status = 200, description = "Ready.", body = Object,
        example = json!({"database": "up", "nats": "up"}))),
    extensions(("x-problem-codes" = json!(["not_ready"])))
)]
pub fn readyz() {}

/// The operations every API's router gets from here (probes, metrics, the contract and its
/// UI); [`complete`] adds them to each document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(healthz, readyz, metrics, openapi_json, docs, docs_file))]
struct Served;

/// `/metrics`' documentation (`metrics::routes` serves it).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "health",
    summary = "Prometheus metrics (text exposition format); public like the probes",
    responses((status = 200, description = "Every metric of this process (README \"Observability\").",
        content_type = "text/plain; version=0.0.4", body = String))
)]
pub fn metrics() {}

#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "contract",
    summary = "This document (OpenAPI 3.1)",
    responses((status = 200, description = "The OpenAPI document.", body = Object))
)]
pub fn openapi_json() {}

/// Adds `/openapi.json`, `/docs` and `/docs/{file}` (public) to a service's routes;
/// `spec` generates its document.
pub fn contract_routes<S: Clone + Send + Sync + 'static>(
    routes: crate::access::Routes<S>,
    spec: fn() -> Result<Value, SpecError>,
) -> crate::access::Routes<S> {
    routes
        .route(Method::GET, SPEC_PATH, Access::Public, move || async move {
            serve_spec(spec())
        })
        .route(Method::GET, DOCS_PATH, Access::Public, docs)
        .route(Method::GET, "/docs/{file}", Access::Public, docs_file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::CATALOGUE_WRITERS;

    #[utoipa::path(
        post,
        path = "/things/{id}",
        responses((status = 200, description = "Done.")),
        extensions(("x-problem-codes" = json!(["@json", "sku_taken"])))
    )]
    #[allow(dead_code)]
    fn thing() {}

    #[utoipa::path(get, path = "/nothing", responses((status = 200, description = "Done.")),
        extensions(("x-problem-codes" = json!(["no_such_code"]))))]
    #[allow(dead_code)]
    fn nothing() {}

    #[derive(utoipa::OpenApi)]
    #[openapi(paths(thing))]
    struct Things;

    #[derive(utoipa::OpenApi)]
    #[openapi(paths(nothing))]
    struct Nothing;

    const GROUPS: &CodeGroups = &[("json", &[Code::MalformedBody, Code::ValidationFailed])];

    #[test]
    fn an_operation_gets_its_access_from_the_table_and_a_problem_response_per_status() {
        use utoipa::OpenApi;
        let table = [RouteSpec {
            method: Method::POST,
            path: "/things/{id}",
            access: Access::Roles(CATALOGUE_WRITERS),
        }];
        let doc = complete(&Things::openapi(), &table, GROUPS).unwrap_or_default();
        let op = &doc["paths"]["/things/{id}"]["post"];
        assert_eq!(op["x-access"], "admin,sales");
        assert_eq!(op["x-roles"], json!(["admin", "sales"]));
        assert_eq!(op["security"], json!([{"bearer": []}]));
        assert!(op["description"]
            .as_str()
            .is_some_and(|d| d.ends_with("Access: roles admin, sales.")));
        let codes = |status: &str| {
            op["responses"][status]["content"][CONTENT_TYPE]["schema"]["allOf"][1]["properties"]
                ["code"]["enum"]
                .clone()
        };
        assert_eq!(
            codes("400"),
            json!(["malformed_body", "malformed_path", "malformed_query"])
        );
        assert_eq!(
            codes("401"),
            json!(["invalid_token", "token_expired", "unauthenticated"])
        );
        assert_eq!(
            codes("403"),
            json!(["forbidden", "password_change_required"])
        );
        assert_eq!(codes("409"), json!(["sku_taken"]));
        assert_eq!(codes("422"), json!(["validation_failed"]));
        assert!(op["responses"]["401"]["headers"]["WWW-Authenticate"].is_object());
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    }

    #[test]
    fn an_unknown_problem_code_is_refused() {
        use utoipa::OpenApi;
        let table = [RouteSpec {
            method: Method::GET,
            path: "/nothing",
            access: Access::Public,
        }];
        let refused = complete(&Nothing::openapi(), &table, GROUPS);
        assert!(matches!(refused, Err(SpecError::UnknownCode(_, code)) if code == "no_such_code"));
    }

    #[test]
    fn every_problem_code_has_a_status_that_is_an_error() {
        for code in Code::ALL {
            assert!((400..600).contains(&status_of(*code)), "{code}");
        }
    }
}
