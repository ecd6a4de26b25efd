//! The one error type of read-api's HTTP edge, mapped once to problem+json.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use platform::problem::Code;
use platform::problem::Problem;
use platform::web::internal_error;

use crate::freshness::{Lagging, WaitError};

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed query: {0}")]
    BadQuery(String),
    /// A query parameter that names one of a closed set names none of it.
    #[error("{parameter} `{value}`: expected one of {}", allowed.join(", "))]
    NotOneOf {
        parameter: &'static str,
        value: String,
        allowed: Vec<&'static str>,
    },
    #[error("malformed {header}: {message}")]
    BadHeader {
        header: &'static str,
        message: String,
    },
    #[error("malformed path parameter: {0}")]
    BadPath(String),
    #[error("{message}")]
    NotFound { code: Code, message: String },
    /// The resource exists but is in a state that has no such representation.
    #[error("{message}")]
    Conflict { code: Code, message: String },
    /// This deployment cannot serve it (configuration missing).
    #[error("{message}")]
    Unavailable { code: Code, message: String },
    /// The database connection went away: worth retrying at once.
    #[error("the database connection was lost; retry in a moment")]
    ConnectionLost(String),
    #[error(transparent)]
    Lagging(#[from] Lagging),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        if platform::db::is_connection_loss(&error) {
            ApiError::ConnectionLost(error.to_string())
        } else {
            ApiError::Internal(error.to_string())
        }
    }
}

impl From<WaitError> for ApiError {
    fn from(error: WaitError) -> Self {
        match error {
            WaitError::Lagging(lagging) => ApiError::Lagging(lagging),
            WaitError::Database(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // What a client sent may be echoed in a detail: bounded, controls escaped.
        let detail = contracts::input::excerpt(&self.to_string(), 500);
        match self {
            ApiError::BadQuery(_) => {
                Problem::new(400, Code::MalformedQuery, "Malformed query string")
                    .with_detail(detail)
                    .into_response()
            }
            ApiError::NotOneOf {
                parameter, allowed, ..
            } => Problem::malformed_query(Some(parameter), detail)
                .with_extension("allowed", allowed)
                .into_response(),
            ApiError::BadHeader { header, .. } => {
                Problem::malformed_header(header, detail).into_response()
            }
            ApiError::BadPath(_) => Problem::malformed_path(detail).into_response(),
            ApiError::NotFound { code, message } => {
                Problem::not_found(code, message).into_response()
            }
            ApiError::Conflict { code, message } => Problem::new(409, code, "Conflict")
                .with_detail(message)
                .into_response(),
            ApiError::ConnectionLost(cause) => {
                let mut response = Problem::new(503, Code::Unavailable, "Service unavailable")
                    .with_detail(detail)
                    .with_extension("retry_after", 1)
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                response
                    .extensions_mut()
                    .insert(platform::web::InternalCause(cause));
                response
            }
            ApiError::Unavailable { code, message } => {
                Problem::new(503, code, "Not available on this deployment")
                    .with_detail(message)
                    .into_response()
            }
            ApiError::Lagging(Lagging { wanted, reached }) => Problem::new(
                504,
                Code::ProjectionLagging,
                "The read model is not up to date yet",
            )
            .with_detail(format!(
                "version {wanted} was not visible in time; retry shortly"
            ))
            .with_extension("wanted_version", wanted)
            .with_extension("reached_version", reached)
            .into_response(),
            ApiError::Internal(cause) => internal_error(cause),
        }
    }
}
