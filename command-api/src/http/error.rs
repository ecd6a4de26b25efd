//! The one error type of command-api's HTTP edge, mapped once to problem+json.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use shared::problem::{FieldError, Problem};
use shared::web::internal_error;

use crate::domain::product::ProductError;
use crate::es::{sqlstate, CommandError};

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request body: {0}")]
    MalformedBody(String),
    #[error("expected Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("malformed {header} header")]
    BadHeader { header: &'static str },
    #[error("malformed path parameter: {0}")]
    BadPath(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("expected version {expected}, current version is {current}")]
    VersionMismatch { expected: u64, current: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn field(field: &str, invalid: shared::Invalid) -> FieldError {
        FieldError {
            field: field.to_owned(),
            code: invalid.code.to_owned(),
            message: invalid.message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let detail = self.to_string();
        match self {
            ApiError::MalformedBody(_) => {
                Problem::new(400, "malformed_body", "Malformed request body")
                    .with_detail(detail)
                    .into_response()
            }
            ApiError::UnsupportedMediaType => {
                Problem::new(415, "unsupported_media_type", "Unsupported media type")
                    .with_detail(detail)
                    .into_response()
            }
            ApiError::PayloadTooLarge => {
                Problem::new(413, "payload_too_large", "Payload too large")
                    .with_detail(detail)
                    .into_response()
            }
            ApiError::BadHeader { header } => {
                Problem::malformed_header(header, detail).into_response()
            }
            ApiError::BadPath(_) => Problem::malformed_path(detail).into_response(),
            ApiError::Validation(errors) => Problem::new(
                422,
                "validation_failed",
                "The request breaks a business rule",
            )
            .with_detail("See `errors` for each field at fault.")
            .with_errors(errors)
            .into_response(),
            ApiError::NotFound { code, message } => {
                Problem::not_found(code, message).into_response()
            }
            ApiError::Conflict { code, message } => Problem::new(409, code, "Conflict")
                .with_detail(message)
                .into_response(),
            ApiError::VersionMismatch { current, .. } => {
                let mut response = Problem::new(412, "version_mismatch", "Precondition failed")
                    .with_detail(detail)
                    .with_extension("current_version", current)
                    .into_response();
                if let Ok(etag) = HeaderValue::from_str(&format!("\"{current}\"")) {
                    response.headers_mut().insert(header::ETAG, etag);
                }
                response
            }
            ApiError::Unavailable(cause) => {
                let mut response = Problem::new(503, "unavailable", "Service unavailable")
                    .with_detail("The database is unreachable; retry later.")
                    .into_response();
                response
                    .extensions_mut()
                    .insert(shared::web::InternalCause(cause));
                response
            }
            ApiError::Internal(cause) => internal_error(cause),
        }
    }
}

impl From<CommandError<ProductError>> for ApiError {
    fn from(error: CommandError<ProductError>) -> Self {
        match error {
            CommandError::Domain(ProductError::NotFound) => ApiError::NotFound {
                code: "product_not_found",
                message: "no product has this id".to_owned(),
            },
            CommandError::Domain(e @ ProductError::AlreadyExists) => ApiError::Conflict {
                code: "product_exists",
                message: e.to_string(),
            },
            other => ApiError::from_command(other),
        }
    }
}

impl ApiError {
    /// The part of the mapping that does not depend on the aggregate.
    fn from_command<E: std::error::Error>(error: CommandError<E>) -> Self {
        match error {
            CommandError::Domain(e) => ApiError::Internal(format!("unmapped domain error: {e}")),
            CommandError::VersionMismatch { expected, current } => {
                ApiError::VersionMismatch { expected, current }
            }
            CommandError::Conflict => ApiError::Conflict {
                code: "concurrent_modification",
                message: "the resource was changed concurrently; retry".to_owned(),
            },
            CommandError::Rejected { sqlstate, message } if sqlstate == sqlstate::SKU_TAKEN => {
                ApiError::Conflict {
                    code: "sku_taken",
                    message,
                }
            }
            CommandError::Rejected { sqlstate, message } => {
                ApiError::Internal(format!("unmapped rejection {sqlstate}: {message}"))
            }
            CommandError::Unavailable(cause) => ApiError::Unavailable(cause),
            CommandError::Store(cause) => ApiError::Internal(cause),
        }
    }
}
