//! The one error type of command-api's HTTP edge, mapped once to problem+json.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use contracts::FieldCode;
use platform::problem::Code;
use platform::problem::{FieldError, Problem};
use platform::web::internal_error;

use crate::app::invoicing::InvoicingError;
use crate::app::order_process::ProcessError;
use crate::auth::AuthError;
use crate::domain::customer::CustomerError;
use crate::domain::invoice::InvoiceError;
use crate::domain::order::{LookupError, OrderError};
use crate::domain::product::ProductError;
use crate::domain::stock::StockError;
use crate::domain::user::UserError;
use crate::es::{sqlstate, CommandError};

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request body: {0}")]
    MalformedBody(String),
    #[error("expected Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("expected Content-Type: {0}")]
    UnsupportedMediaTypeOf(&'static str),
    /// An import with at least one invalid row: the report names each.
    #[error("{} row(s) are invalid: nothing was applied", .0.counts.error)]
    ImportInvalid(Box<crate::import::ImportReport>),
    /// A CSV file that cannot be read as a whole (encoding, header): `reason` says which.
    #[error("{message}")]
    InvalidCsv {
        reason: &'static str,
        message: String,
    },
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("malformed {header} header")]
    BadHeader { header: &'static str },
    #[error("malformed path parameter: {0}")]
    BadPath(String),
    #[error("malformed query: {0}")]
    BadQuery(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{message}")]
    NotFound { code: Code, message: String },
    #[error("{message}")]
    Conflict { code: Code, message: String },
    #[error("expected version {expected}, current version is {current}")]
    VersionMismatch { expected: u64, current: u64 },
    #[error("{message}")]
    Unauthorized { code: Code, message: String },
    #[error("{message}")]
    Forbidden { code: Code, message: String },
    #[error("too many failed logins; retry in {} s", .retry_after_secs)]
    TooManyRequests { retry_after_secs: u64 },
    #[error("{message}")]
    Unprocessable { code: Code, message: String },
    /// A stock rule, with the quantities at stake.
    #[error("{message}")]
    StockRule {
        code: Code,
        message: String,
        quantities: serde_json::Value,
    },
    /// A problem with one extension member that says more (the balance an overpayment
    /// passed, the invoice an order already has).
    #[error("{message}")]
    Explained {
        status: u16,
        code: Code,
        message: String,
        key: &'static str,
        value: serde_json::Value,
    },
    /// A submit refused for lack of stock: every short line.
    #[error("not enough stock for {} line(s)", .0.len())]
    Shortages(Vec<contracts::events::Shortage>),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Saturated on purpose (a bounded queue is full): retry after the given delay.
    #[error("{message}")]
    Busy {
        message: String,
        retry_after_secs: u64,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn field(field: &str, invalid: contracts::Invalid) -> FieldError {
        FieldError {
            field: field.to_owned(),
            code: invalid.code,
            message: invalid.message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // What a client sent may be echoed in a detail: bounded, controls escaped.
        let detail = contracts::input::excerpt(&self.to_string(), 500);
        match self {
            ApiError::MalformedBody(_) => {
                Problem::new(400, Code::MalformedBody, "Malformed request body")
                    .with_detail(detail)
                    .into_response()
            }
            ApiError::UnsupportedMediaType => {
                Problem::new(415, Code::UnsupportedMediaType, "Unsupported media type")
                    .with_detail(detail)
                    .into_response()
            }
            ApiError::UnsupportedMediaTypeOf(_) => {
                Problem::new(415, Code::UnsupportedMediaType, "Unsupported media type")
                    .with_detail(detail)
                    .into_response()
            }
            ApiError::ImportInvalid(report) => {
                Problem::new(422, Code::ImportInvalid, "The file has invalid rows")
                    .with_detail(detail)
                    .with_extension("report", serde_json::to_value(*report).unwrap_or_default())
                    .into_response()
            }
            ApiError::InvalidCsv { reason, .. } => {
                Problem::new(422, Code::InvalidCsv, "The file cannot be read as CSV")
                    .with_detail(detail)
                    .with_extension("reason", serde_json::Value::from(reason))
                    .into_response()
            }
            ApiError::PayloadTooLarge => {
                Problem::new(413, Code::PayloadTooLarge, "Payload too large")
                    .with_detail(detail)
                    .into_response()
            }
            ApiError::BadHeader { header } => {
                Problem::malformed_header(header, detail).into_response()
            }
            ApiError::BadPath(_) => Problem::malformed_path(detail).into_response(),
            ApiError::BadQuery(_) => {
                Problem::new(400, Code::MalformedQuery, "Malformed query string")
                    .with_detail(detail)
                    .into_response()
            }
            ApiError::Validation(errors) => Problem::new(
                422,
                Code::ValidationFailed,
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
                let mut response = Problem::new(412, Code::VersionMismatch, "Precondition failed")
                    .with_detail(detail)
                    .with_extension("current_version", current)
                    .into_response();
                if let Ok(etag) = HeaderValue::from_str(&format!("\"{current}\"")) {
                    response.headers_mut().insert(header::ETAG, etag);
                }
                response
            }
            ApiError::Unauthorized { code, message } => {
                let mut response = Problem::new(401, code, "Unauthorized")
                    .with_detail(message)
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                response
            }
            ApiError::Forbidden { code, message } => Problem::new(403, code, "Forbidden")
                .with_detail(message)
                .into_response(),
            ApiError::TooManyRequests { retry_after_secs } => {
                let mut response = Problem::new(429, Code::TooManyAttempts, "Too many requests")
                    .with_detail(detail)
                    .with_extension("retry_after", retry_after_secs)
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                response
            }
            ApiError::Unprocessable { code, message } => {
                Problem::new(422, code, "The request breaks a business rule")
                    .with_detail(message)
                    .into_response()
            }
            ApiError::StockRule {
                code, quantities, ..
            } => Problem::new(422, code, "The request breaks a stock rule")
                .with_detail(detail)
                .with_extension("quantities", quantities)
                .into_response(),
            ApiError::Explained {
                status,
                code,
                key,
                value,
                ..
            } => {
                let title = match status {
                    409 => "Conflict",
                    422 => "The request breaks a business rule",
                    503 => "Service unavailable",
                    _ => "Refused",
                };
                Problem::new(status, code, title)
                    .with_detail(detail)
                    .with_extension(key, value)
                    .into_response()
            }
            ApiError::Shortages(shortages) => {
                Problem::new(422, Code::InsufficientStock, "Not enough stock")
                    .with_detail(format!(
                        "{detail}; nothing was reserved and the order is still a draft"
                    ))
                    .with_extension(
                        "shortages",
                        serde_json::to_value(shortages).unwrap_or_default(),
                    )
                    .into_response()
            }
            ApiError::Unavailable(cause) => {
                let mut response = Problem::new(503, Code::Unavailable, "Service unavailable")
                    .with_detail("The database connection was lost; retry in a moment.")
                    .with_extension("retry_after", UNAVAILABLE_RETRY_AFTER_SECS)
                    .into_response();
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECS),
                );
                response
                    .extensions_mut()
                    .insert(platform::web::InternalCause(cause));
                response
            }
            ApiError::Busy {
                retry_after_secs, ..
            } => {
                let mut response = Problem::new(503, Code::Busy, "Service busy")
                    .with_detail(detail)
                    .with_extension("retry_after", retry_after_secs)
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
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
                code: Code::ProductNotFound,
                message: "no product has this id".to_owned(),
            },
            CommandError::Domain(e @ ProductError::AlreadyExists) => ApiError::Conflict {
                code: Code::ProductExists,
                message: e.to_string(),
            },
            other => ApiError::from_command(other),
        }
    }
}

impl From<CommandError<CustomerError>> for ApiError {
    fn from(error: CommandError<CustomerError>) -> Self {
        match error {
            CommandError::Domain(CustomerError::NotFound) => ApiError::NotFound {
                code: Code::CustomerNotFound,
                message: "no customer has this id".to_owned(),
            },
            CommandError::Domain(e @ CustomerError::AlreadyExists) => ApiError::Conflict {
                code: Code::CustomerExists,
                message: e.to_string(),
            },
            CommandError::Domain(CustomerError::Inconsistent(found)) => ApiError::Validation(
                found
                    .into_iter()
                    .map(|(field, invalid)| ApiError::field(field, invalid))
                    .collect(),
            ),
            other => ApiError::from_command(other),
        }
    }
}

impl From<CommandError<OrderError>> for ApiError {
    fn from(error: CommandError<OrderError>) -> Self {
        let rule = |code, e: OrderError| ApiError::Unprocessable {
            code,
            message: e.to_string(),
        };
        let named = |field, code, e: OrderError| {
            ApiError::Validation(vec![ApiError::field(
                field,
                contracts::Invalid::new(code, e.to_string()),
            )])
        };
        match error {
            CommandError::Domain(OrderError::NotFound) => ApiError::NotFound {
                code: Code::OrderNotFound,
                message: "no order has this id".to_owned(),
            },
            CommandError::Domain(e @ OrderError::AlreadyExists) => ApiError::Conflict {
                code: Code::OrderExists,
                message: e.to_string(),
            },
            CommandError::Domain(e @ OrderError::NotDraft(_)) => ApiError::Conflict {
                code: Code::OrderNotDraft,
                message: e.to_string(),
            },
            CommandError::Domain(e @ OrderError::WrongStatus(_)) => ApiError::Conflict {
                code: Code::OrderStatus,
                message: e.to_string(),
            },
            CommandError::Domain(e @ OrderError::NoSuchLine(_)) => ApiError::NotFound {
                code: Code::LineNotFound,
                message: e.to_string(),
            },
            CommandError::Domain(e @ OrderError::TooManyLines) => rule(Code::TooManyLines, e),
            CommandError::Domain(e @ OrderError::NoLines) => rule(Code::OrderEmpty, e),
            CommandError::Domain(e @ OrderError::NoCustomer) => rule(Code::CustomerRequired, e),
            // Rules on the aggregates an order names: reported on the field that names them.
            CommandError::Domain(e @ OrderError::UnknownProduct) => {
                named("product_id", FieldCode::UnknownProduct, e)
            }
            CommandError::Domain(e @ OrderError::ProductArchived) => {
                named("product_id", FieldCode::ProductArchived, e)
            }
            CommandError::Domain(e @ OrderError::UnknownCustomer) => {
                named("customer_id", FieldCode::UnknownCustomer, e)
            }
            CommandError::Domain(e @ OrderError::CustomerArchived) => {
                named("customer_id", FieldCode::CustomerArchived, e)
            }
            CommandError::Domain(OrderError::Lookup(LookupError::Unavailable(m))) => {
                ApiError::from_command(CommandError::<OrderError>::Unavailable(m))
            }
            CommandError::Domain(OrderError::Lookup(LookupError::Store(m))) => {
                ApiError::from_command(CommandError::<OrderError>::Store(m))
            }
            other => ApiError::from_command(other),
        }
    }
}

impl From<CommandError<InvoiceError>> for ApiError {
    fn from(error: CommandError<InvoiceError>) -> Self {
        let field = |field: String, code, e: InvoiceError| {
            ApiError::Validation(vec![ApiError::field(
                &field,
                contracts::Invalid::new(code, e.to_string()),
            )])
        };
        let conflict = |code, e: InvoiceError| ApiError::Conflict {
            code,
            message: e.to_string(),
        };
        match error {
            CommandError::Domain(InvoiceError::NotFound) => ApiError::NotFound {
                code: Code::InvoiceNotFound,
                message: "no invoice has this id".to_owned(),
            },
            CommandError::Domain(e @ InvoiceError::AlreadyExists) => {
                conflict(Code::InvoiceExists, e)
            }
            CommandError::Domain(e @ InvoiceError::OrderNotFulfilled(_)) => {
                conflict(Code::OrderNotFulfilled, e)
            }
            CommandError::Domain(e @ InvoiceError::NothingToInvoice) => ApiError::Unprocessable {
                code: Code::OrderEmpty,
                message: e.to_string(),
            },
            CommandError::Domain(e @ InvoiceError::UnknownLine { index, .. }) => {
                field(format!("lines[{index}].line_no"), FieldCode::UnknownLine, e)
            }
            CommandError::Domain(e @ InvoiceError::DuplicateLine { index, .. }) => field(
                format!("lines[{index}].line_no"),
                FieldCode::DuplicateLine,
                e,
            ),
            CommandError::Domain(e @ InvoiceError::CreditExceeds(_)) => ApiError::Unprocessable {
                code: Code::CreditExceedsInvoice,
                message: e.to_string(),
            },
            CommandError::Domain(e @ InvoiceError::CreditNoteExists) => {
                conflict(Code::CreditNoteExists, e)
            }
            CommandError::Domain(e @ InvoiceError::Overpayment { balance, .. }) => {
                ApiError::Explained {
                    status: 422,
                    code: Code::Overpayment,
                    message: e.to_string(),
                    key: "balance",
                    value: serde_json::Value::from(
                        contracts::money::Money::from_store(balance).to_string(),
                    ),
                }
            }
            CommandError::Domain(e @ InvoiceError::PaymentExists) => {
                conflict(Code::PaymentExists, e)
            }
            CommandError::Domain(e @ InvoiceError::PaidInFuture { .. }) => {
                field("paid_on".to_owned(), FieldCode::InFuture, e)
            }
            other => ApiError::from_command(other),
        }
    }
}

impl From<InvoicingError> for ApiError {
    fn from(error: InvoicingError) -> Self {
        let message = error.to_string();
        match error {
            InvoicingError::Invoice(e) => e.into(),
            InvoicingError::Order(e) => ApiError::from_command(e),
            InvoicingError::Customer(e) => ApiError::from_command(e),
            InvoicingError::UnknownOrder => ApiError::Validation(vec![ApiError::field(
                "order_id",
                contracts::Invalid::new(FieldCode::UnknownOrder, message),
            )]),
            InvoicingError::NoCustomer => ApiError::Conflict {
                code: Code::OrderNotFulfilled,
                message,
            },
            InvoicingError::AlreadyInvoiced { invoice_id } => ApiError::Explained {
                status: 409,
                code: Code::OrderAlreadyInvoiced,
                message,
                key: "invoice_id",
                value: serde_json::Value::from(invoice_id),
            },
            InvoicingError::SellerNotConfigured => ApiError::Explained {
                status: 503,
                code: Code::SellerNotConfigured,
                message,
                key: "settings",
                value: serde_json::json!([
                    "GESCOM_SELLER_NAME",
                    "GESCOM_SELLER_SIRET",
                    "GESCOM_SELLER_VAT_NUMBER"
                ]),
            },
            InvoicingError::Database(e) => e.into(),
            InvoicingError::Metadata(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<CommandError<StockError>> for ApiError {
    fn from(error: CommandError<StockError>) -> Self {
        match error {
            CommandError::Domain(StockError::BelowReserved { on_hand, reserved }) => {
                ApiError::StockRule {
                    code: Code::BelowReserved,
                    message: format!("on hand would be {on_hand}, below the {reserved} reserved"),
                    quantities: serde_json::json!({
                        "on_hand_after": on_hand.to_string(),
                        "reserved": reserved.to_string()
                    }),
                }
            }
            CommandError::Domain(StockError::Insufficient {
                requested,
                available,
            }) => ApiError::StockRule {
                code: Code::InsufficientStock,
                message: format!("only {available} available, {requested} requested"),
                quantities: serde_json::json!({
                    "requested": requested.to_string(),
                    "available": available.to_string()
                }),
            },
            CommandError::Domain(e @ StockError::NoReservation) => ApiError::Unprocessable {
                code: Code::NoReservation,
                message: e.to_string(),
            },
            other => ApiError::from_command(other),
        }
    }
}

impl From<ProcessError> for ApiError {
    fn from(error: ProcessError) -> Self {
        match error {
            ProcessError::Order(e) => e.into(),
            ProcessError::Stock(e) => e.into(),
            // A lost connection while reading a product is a 503 like any other.
            ProcessError::Product(e) => ApiError::from_command(e),
            ProcessError::Database(e) => e.into(),
            ProcessError::Busy => ApiError::Conflict {
                code: Code::OrderBusy,
                message: "the order is being processed; retry shortly".to_owned(),
            },
        }
    }
}

impl From<CommandError<UserError>> for ApiError {
    fn from(error: CommandError<UserError>) -> Self {
        match error {
            CommandError::Domain(UserError::NotFound) => ApiError::NotFound {
                code: Code::UserNotFound,
                message: "no user has this id".to_owned(),
            },
            CommandError::Domain(e @ UserError::AlreadyExists) => ApiError::Conflict {
                code: Code::UserExists,
                message: e.to_string(),
            },
            CommandError::Domain(e @ UserError::CannotDisableSelf) => ApiError::Unprocessable {
                code: Code::CannotDisableSelf,
                message: e.to_string(),
            },
            CommandError::Domain(e @ UserError::CannotDemoteSelf) => ApiError::Unprocessable {
                code: Code::CannotDemoteSelf,
                message: e.to_string(),
            },
            other => ApiError::from_command(other),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        let message = error.to_string();
        match error {
            AuthError::InvalidCredentials => ApiError::Unauthorized {
                code: Code::InvalidCredentials,
                message,
            },
            AuthError::AccountDisabled => ApiError::Forbidden {
                code: Code::AccountDisabled,
                message,
            },
            AuthError::NotPermitted(_) => ApiError::Forbidden {
                code: Code::Forbidden,
                message,
            },
            AuthError::Throttled { retry_after } => ApiError::TooManyRequests {
                retry_after_secs: whole_seconds(retry_after),
            },
            AuthError::Busy { retry_after } => ApiError::Busy {
                message,
                retry_after_secs: whole_seconds(retry_after),
            },
            AuthError::PasswordUnchanged => {
                ApiError::Validation(vec![platform::problem::FieldError {
                    field: "new_password".to_owned(),
                    code: FieldCode::PasswordUnchanged,
                    message,
                }])
            }
            AuthError::InvalidRefreshToken => ApiError::Unauthorized {
                code: Code::InvalidRefreshToken,
                message,
            },
            AuthError::RefreshTokenReused => ApiError::Unauthorized {
                code: Code::RefreshTokenReused,
                message,
            },
            AuthError::WrongCurrentPassword => ApiError::Unprocessable {
                code: Code::WrongCurrentPassword,
                message,
            },
            AuthError::Invalid { field, invalid } => {
                ApiError::Validation(vec![ApiError::field(field, invalid)])
            }
            AuthError::User(e) => e.into(),
            AuthError::Session(e) => ApiError::from_command(e),
            AuthError::Unavailable(cause) => ApiError::Unavailable(cause),
            AuthError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

/// A lost connection is replaced by the pool at once: one second is plenty.
const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 1;

/// Rounded up: retrying a moment early only meets the same refusal again.
fn whole_seconds(d: std::time::Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        if platform::db::is_connection_loss(&error) {
            ApiError::Unavailable(error.to_string())
        } else {
            ApiError::Internal(error.to_string())
        }
    }
}

impl ApiError {
    /// The part of the mapping that does not depend on the aggregate.
    pub(crate) fn from_command<E: std::error::Error>(error: CommandError<E>) -> Self {
        match error {
            CommandError::Domain(e) => ApiError::Internal(format!("unmapped domain error: {e}")),
            CommandError::VersionMismatch { expected, current } => {
                ApiError::VersionMismatch { expected, current }
            }
            CommandError::Conflict => ApiError::Conflict {
                code: Code::ConcurrentModification,
                message: "the resource was changed concurrently; retry".to_owned(),
            },
            CommandError::Rejected { sqlstate, message } if sqlstate == sqlstate::SKU_TAKEN => {
                ApiError::Conflict {
                    code: Code::SkuTaken,
                    message,
                }
            }
            CommandError::Rejected { sqlstate, message }
                if sqlstate == sqlstate::CUSTOMER_CODE_TAKEN =>
            {
                ApiError::Conflict {
                    code: Code::CustomerCodeTaken,
                    message,
                }
            }
            CommandError::Rejected { sqlstate, message } if sqlstate == sqlstate::EMAIL_TAKEN => {
                ApiError::Conflict {
                    code: Code::EmailTaken,
                    message,
                }
            }
            CommandError::Rejected { sqlstate, message } if sqlstate == sqlstate::LAST_ADMIN => {
                ApiError::Unprocessable {
                    code: Code::LastAdmin,
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
