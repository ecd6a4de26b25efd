//! Extractors that turn a request into typed command input, with every rejection as
//! problem+json.

use contracts::FieldCode;
use std::fmt::Display;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use contracts::ids::{CustomerId, InvoiceId, OrderId, ProductId, UserId};
use contracts::input;
use contracts::metadata::{EventMeta, ANONYMOUS_ACTOR};
use cqrs_es::Aggregate;
use platform::token::Principal;
use serde::de::DeserializeOwned;

use contracts::product::{VatRate, VatRates};
use contracts::Invalid;
use platform::problem::FieldError;
use platform::web::{correlation_id, AppPath};

use super::error::{ApiError, Result as ApiResult};
use super::reply::execute;
use super::state::AppState;
use crate::domain::customer::Customer;
use crate::domain::order::Order;
use crate::domain::product::Product;
use crate::domain::Keyed;
use crate::es::{CommandBus, CommandError};

/// `Json<T>` whose rejections (syntax, unknown field, wrong type, size) are ours, and
/// which refuses a control character in any string of the body (values and keys, at any
/// depth) with 422 `validation_failed`, the field's path coded `control_character`,
/// before `T` is even built: no field of the API is multi-line (see `contracts::input`).
pub struct AppJson<T>(pub T);

/// `application/json` or `application/<anything>+json`, as axum's `Json` accepts.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json") || subtype.to_ascii_lowercase().ends_with("+json"))
}

fn rejected(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
        rejection if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge
        }
        rejection => ApiError::MalformedBody(rejection.body_text()),
    }
}

impl<S, T> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::MalformedBody(rejection.body_text())
            }
        })?;
        // Read as a tree first, to look at every string; the typed reading below then
        // reports syntax and type errors with their path, as axum's `Json` does.
        if let Ok(tree) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            if let Some(field) = input::control_character_path(&tree) {
                return Err(ApiError::Validation(vec![FieldError {
                    field,
                    code: FieldCode::ControlCharacter,
                    message: "must not contain control characters (no field is multi-line)"
                        .to_owned(),
                }]));
            }
        }
        axum::Json::<T>::from_bytes(&bytes)
            .map(|axum::Json(value)| Self(value))
            .map_err(rejected)
    }
}

/// An optional JSON body: none (empty) or `null` is `None`; anything else must be valid
/// JSON of `T`.
pub struct MaybeJson<T>(pub Option<T>);

impl<S, T> FromRequest<S> for MaybeJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let empty = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() == b"0")
            || (!req.headers().contains_key(header::CONTENT_TYPE)
                && !req.headers().contains_key(header::CONTENT_LENGTH)
                && !req.headers().contains_key(header::TRANSFER_ENCODING));
        if empty {
            return Ok(Self(None));
        }
        AppJson::<Option<T>>::from_request(req, state)
            .await
            .map(|AppJson(v)| Self(v))
    }
}

/// Who sends the command (the verified caller, or `anonymous` on a public route), with
/// which roles, from where, under which correlation id: becomes the events' metadata.
pub struct CommandContext(pub EventMeta);

const MAX_HEADER_CHARS: usize = 256;

impl<S: Send + Sync> FromRequestParts<S> for CommandContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // A header kept as data is cleaned, not refused: control characters (a tab is
        // the one a header can carry) become spaces, bytes that are not UTF-8 U+FFFD.
        let text = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| input::header_text(v.as_bytes(), MAX_HEADER_CHARS))
        };
        let principal = parts.extensions.get::<Principal>();
        let actor_id =
            principal.map_or_else(|| ANONYMOUS_ACTOR.to_owned(), |p| p.user_id.to_string());
        let actor_roles = principal.map(|p| p.roles.clone());
        let user_agent = text(header::USER_AGENT.as_str());
        let source_ip = parts
            .extensions
            .get::<platform::web::ClientAddr>()
            .map(|client| client.0)
            .or_else(|| {
                parts
                    .extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|ConnectInfo(addr)| addr.ip())
            });
        Ok(Self(EventMeta {
            correlation_id: correlation_id(&parts.headers),
            actor_id,
            actor_roles,
            source_ip,
            user_agent,
            occurred_at: EventMeta::now(),
            traceparent: None,
        }))
    }
}

/// `If-Match: "3"` (also `W/"3"` or a bare `3`): the version the caller last saw.
/// Absent or `*`: no precondition.
pub struct IfMatch(pub Option<u64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Ok(Self(None));
        };
        let bad = || ApiError::BadHeader { header: "If-Match" };
        let raw = value.to_str().map_err(|_| bad())?.trim();
        if raw == "*" {
            return Ok(Self(None));
        }
        let unquoted = raw.strip_prefix("W/").unwrap_or(raw).trim_matches('"');
        unquoted.parse().map(|v| Self(Some(v))).map_err(|_| bad())
    }
}

/// Collects every broken rule of a request, so that the caller sees them all at once.
#[derive(Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, Invalid>) -> Option<T> {
        parsed
            .map_err(|e| self.0.push(ApiError::field(field, e)))
            .ok()
    }

    pub fn optional<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<Option<T>> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(s) => self.check(field, parse(s)).map(Some),
        }
    }

    pub fn push(&mut self, field: &str, invalid: Invalid) {
        self.0.push(ApiError::field(field, invalid));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn invalid(self) -> ApiError {
        ApiError::Validation(self.0)
    }

    /// `value` if no rule was broken, else 422 naming every broken one.
    pub fn into_result<T>(self, value: T) -> ApiResult<T> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self.invalid())
        }
    }
}

/// An aggregate id as the path names it (`/products/{id}`).
pub trait PathId: FromStr + Display + Send {
    /// What it is the id of, with its article, as a 400 says: `` `x` is not a product id ``.
    const NOUN: &'static str;
    /// Where the aggregates it names live: `/products`.
    const COLLECTION: &'static str;

    fn from_segment(raw: &str) -> Option<Self> {
        raw.parse().ok()
    }
}

impl PathId for ProductId {
    const NOUN: &'static str = "a product";
    const COLLECTION: &'static str = "/products";
}

impl PathId for CustomerId {
    const NOUN: &'static str = "a customer";
    const COLLECTION: &'static str = "/customers";

    fn from_segment(raw: &str) -> Option<Self> {
        raw.trim().parse().ok()
    }
}

impl PathId for OrderId {
    const NOUN: &'static str = "an order";
    const COLLECTION: &'static str = "/orders";

    fn from_segment(raw: &str) -> Option<Self> {
        raw.trim().parse().ok()
    }
}

impl PathId for InvoiceId {
    const NOUN: &'static str = "an invoice";
    const COLLECTION: &'static str = "/invoices";

    fn from_segment(raw: &str) -> Option<Self> {
        raw.trim().parse().ok()
    }
}

impl PathId for UserId {
    const NOUN: &'static str = "a user";
    const COLLECTION: &'static str = "/users";
}

/// The id in a path segment, or 400 `malformed_path`.
pub fn path_id<I: PathId>(raw: &str) -> ApiResult<I> {
    I::from_segment(raw).ok_or_else(|| ApiError::BadPath(format!("`{raw}` is not {} id", I::NOUN)))
}

/// What every command on an existing aggregate takes from the request: the aggregate's
/// id from the path, the version `If-Match` expects (if any), and the command's metadata;
/// with the state to run it in.
pub struct Target<I> {
    pub state: AppState,
    pub id: I,
    pub expected: Option<u64>,
    pub metadata: EventMeta,
}

impl<I: PathId> FromRequestParts<AppState> for Target<I> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let AppPath(raw) = AppPath::<String>::from_request_parts(parts, state).await?;
        let id = path_id(&raw).map_err(IntoResponse::into_response)?;
        let IfMatch(expected) = IfMatch::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let CommandContext(metadata) = CommandContext::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self {
            state: state.clone(),
            id,
            expected,
            metadata,
        })
    }
}

/// The ids of aggregates whose commands run on their own [`CommandBus`], with nothing to
/// check beside the aggregate (user management goes through `Auth` instead).
pub trait OnBus: PathId {
    type Aggregate: Keyed<
            Id = Self,
            Command: Clone + Send + 'static,
            Error: Send + 'static,
            Services: Send + Sync,
        > + 'static;

    fn bus(state: &AppState) -> &Arc<CommandBus<Self::Aggregate>>;
}

impl OnBus for ProductId {
    type Aggregate = Product;

    fn bus(state: &AppState) -> &Arc<CommandBus<Product>> {
        &state.products
    }
}

impl OnBus for OrderId {
    type Aggregate = Order;

    fn bus(state: &AppState) -> &Arc<CommandBus<Order>> {
        &state.orders.orders
    }
}

impl OnBus for CustomerId {
    type Aggregate = Customer;

    fn bus(state: &AppState) -> &Arc<CommandBus<Customer>> {
        &state.customers
    }
}

impl<I: OnBus> Target<I>
where
    ApiError: From<CommandError<<I::Aggregate as Aggregate>::Error>>,
{
    /// Runs `command` on the target and answers its new version.
    pub async fn run(self, command: <I::Aggregate as Aggregate>::Command) -> ApiResult<Response> {
        let bus = I::bus(&self.state);
        execute(
            bus,
            I::COLLECTION,
            self.id,
            command,
            self.expected,
            self.metadata,
        )
        .await
    }
}

/// Decimals as clients write them: [`contracts::money::Notation::Plain`].
pub use contracts::money::parse_decimal as decimal;

/// A VAT rate that is one of the rates in force.
pub fn vat_rate(rates: &VatRates, raw: &str) -> Result<VatRate, Invalid> {
    decimal(raw).and_then(|d| rates.check(d))
}

/// For `#[serde(default, deserialize_with = "present")]`: tells a field sent as `null`
/// (`Some(None)`, clear it) from an absent one (`None`, leave it).
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}
