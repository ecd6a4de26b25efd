//! The projector's own HTTP surface: health probes (public), `/admin/status` and the
//! dead letters (admin).

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use platform::access::{Access, Caller, RouteSpec, Routes, ADMIN};
use platform::problem::{Code, FieldError, Problem};
use platform::token::TokenVerifier;
use platform::web::{correlation_id, internal_error, AppPath, HttpSettings, Readiness};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tokio::sync::watch;

use crate::consumer::{Role, Stats};
use crate::dead_letters::{self, DeadLetter, DeadLetterError, Resolution, Resolver, SkipReason};

#[derive(Clone)]
pub struct AdminState {
    pub role: watch::Receiver<Role>,
    pub stats: Arc<Stats>,
    pub pool: PgPool,
}

fn routes() -> Routes<AdminState> {
    Routes::new()
        .route(Method::GET, "/admin/status", Access::Roles(ADMIN), status)
        .route(
            Method::GET,
            "/admin/dead-letters",
            Access::Roles(ADMIN),
            list_dead_letters,
        )
        .route(
            Method::POST,
            "/admin/dead-letters/{id}/retry",
            Access::Roles(ADMIN),
            retry_dead_letter,
        )
        .route(
            Method::POST,
            "/admin/dead-letters/{id}/skip",
            Access::Roles(ADMIN),
            skip_dead_letter,
        )
}

pub fn route_table() -> Vec<RouteSpec> {
    platform::web::route_table(&routes())
}

pub fn router(
    state: AdminState,
    readiness: Readiness,
    verifier: Arc<TokenVerifier>,
    settings: &HttpSettings,
) -> Router {
    platform::web::api_router(routes(), state, readiness, verifier, settings)
}

#[derive(Serialize)]
struct Status {
    /// `active` holds the lock and projects; `standby` waits for it.
    role: &'static str,
    applied: u64,
    duplicates: u64,
    gap_filled: u64,
    held_back: u64,
    rejected: u64,
    failed: u64,
    /// Dead letters holding their stream back now, and rejected messages kept, from the
    /// table (so every instance, active or not, answers the same).
    dead_letters_parked: i64,
    dead_letters_rejected: i64,
}

/// `GET /admin/status`: whether this instance is the active one, and its counters.
/// Roles: admin.
async fn status(State(state): State<AdminState>) -> Result<Json<Status>, AdminError> {
    let (dead_letters_parked, dead_letters_rejected) = dead_letters::counts(&state.pool).await?;
    let role = match *state.role.borrow() {
        Role::Starting => "starting",
        Role::Standby => "standby",
        Role::Active => "active",
        Role::Stopped => "stopped",
    };
    let s = &state.stats;
    Ok(Json(Status {
        role,
        applied: Stats::get(&s.applied),
        duplicates: Stats::get(&s.duplicates),
        gap_filled: Stats::get(&s.gap_filled),
        held_back: Stats::get(&s.held_back),
        rejected: Stats::get(&s.rejected),
        failed: Stats::get(&s.failed),
        dead_letters_parked,
        dead_letters_rejected,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadLetterQuery {
    status: Option<DeadLetterStatus>,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum DeadLetterStatus {
    Parked,
    Rejected,
    Retried,
    Skipped,
}

impl DeadLetterStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Parked => "parked",
            Self::Rejected => "rejected",
            Self::Retried => "retried",
            Self::Skipped => "skipped",
        }
    }
}

/// The dead letters the list shows at most.
const DEAD_LETTER_PAGE: i64 = 200;

/// `GET /admin/dead-letters?status=parked|rejected|retried|skipped`: the most recent
/// dead letters, parked ones first. Roles: admin.
async fn list_dead_letters(
    State(state): State<AdminState>,
    query: Result<Query<DeadLetterQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<DeadLetter>>, AdminError> {
    let Query(query) = query
        .map_err(|rejection| AdminError::BadInput(Code::MalformedQuery, rejection.body_text()))?;
    let status = query.status.map(DeadLetterStatus::as_str);
    Ok(Json(
        dead_letters::list(&state.pool, status, DEAD_LETTER_PAGE).await?,
    ))
}

/// `POST /admin/dead-letters/{id}/retry`: applies the parked event again, then its
/// stream's later events. 409 `still_failing` if it fails again. Roles: admin.
async fn retry_dead_letter(
    State(state): State<AdminState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Resolution>, AdminError> {
    let by = Resolver::new(&caller, correlation_id(&headers));
    Ok(Json(dead_letters::retry(&state.pool, id, &by).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SkipBody {
    reason: String,
}

/// `POST /admin/dead-letters/{id}/skip`: passes over the parked event for good and
/// applies its stream's later events. Body `{"reason": "…"}` (required, up to 500
/// characters): the row and the audit trail keep who skipped it, when and why. Roles:
/// admin.
async fn skip_dead_letter(
    State(state): State<AdminState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    AppPath(id): AppPath<i64>,
    body: Result<Json<SkipBody>, JsonRejection>,
) -> Result<Json<Resolution>, AdminError> {
    let Json(body) =
        body.map_err(|rejection| AdminError::BadInput(Code::MalformedBody, rejection.body_text()))?;
    let why = SkipReason::parse(&body.reason).map_err(|invalid| {
        AdminError::Invalid(FieldError {
            field: "reason".to_owned(),
            code: invalid.code,
            message: invalid.message,
        })
    })?;
    let by = Resolver::new(&caller, correlation_id(&headers));
    Ok(Json(dead_letters::skip(&state.pool, id, &by, &why).await?))
}

/// The admin surface's errors, mapped to problem+json in one place.
#[derive(Debug, thiserror::Error)]
enum AdminError {
    #[error("{1}")]
    BadInput(Code, String),
    #[error("{}", .0.message)]
    Invalid(FieldError),
    #[error(transparent)]
    DeadLetter(#[from] DeadLetterError),
}

impl From<sqlx::Error> for AdminError {
    fn from(error: sqlx::Error) -> Self {
        Self::DeadLetter(DeadLetterError::Database(error))
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        // Bounded and with control characters escaped: a refused body echoes client input.
        let detail = contracts::input::excerpt(&self.to_string(), 500);
        match self {
            Self::BadInput(code, _) => Problem::new(400, code, "Malformed request")
                .with_detail(detail)
                .into_response(),
            Self::Invalid(error) => Problem::new(
                422,
                Code::ValidationFailed,
                "The request breaks a business rule",
            )
            .with_detail("See `errors` for each field at fault.")
            .with_errors(vec![error])
            .into_response(),
            Self::DeadLetter(DeadLetterError::NotFound(_)) => {
                Problem::not_found(Code::DeadLetterNotFound, detail).into_response()
            }
            Self::DeadLetter(DeadLetterError::NotParked { .. }) => {
                Problem::new(409, Code::DeadLetterNotParked, "Dead letter not parked")
                    .with_detail(detail)
                    .into_response()
            }
            Self::DeadLetter(DeadLetterError::StillFailing { sequence, .. }) => {
                Problem::new(409, Code::StillFailing, "The event still fails")
                    .with_detail(detail)
                    .with_extension("sequence", sequence)
                    .into_response()
            }
            Self::DeadLetter(DeadLetterError::Database(error)) => internal_error(error),
        }
    }
}
