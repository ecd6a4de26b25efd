//! The one error body of every HTTP API: RFC 9457 `application/problem+json` with a
//! stable `code` that clients switch on.

use serde::{Deserialize, Serialize};

pub const CONTENT_TYPE: &str = "application/problem+json";

contracts::wire_codes! {
    /// Every `code` a problem body can carry: the one list clients switch on. A code is
    /// never renamed or reused; a new one is added here.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Code {
AccountDisabled = "account_disabled",
BadRequest = "bad_request",
BelowReserved = "below_reserved",
Busy = "busy",
CannotDemoteSelf = "cannot_demote_self",
CannotDisableSelf = "cannot_disable_self",
ClientError = "client_error",
ConcurrentModification = "concurrent_modification",
Conflict = "conflict",
CreditExceedsInvoice = "credit_exceeds_invoice",
CreditNoteExists = "credit_note_exists",
CreditNoteNotFound = "credit_note_not_found",
CsrfFailed = "csrf_failed",
CustomerCodeTaken = "customer_code_taken",
CustomerExists = "customer_exists",
CustomerNotFound = "customer_not_found",
CustomerRequired = "customer_required",
DeadLetterNotFound = "dead_letter_not_found",
DeadLetterNotParked = "dead_letter_not_parked",
EmailTaken = "email_taken",
Forbidden = "forbidden",
HeadersTooLarge = "headers_too_large",
ImportInvalid = "import_invalid",
InsufficientStock = "insufficient_stock",
Internal = "internal",
InvalidCredentials = "invalid_credentials",
InvalidCsv = "invalid_csv",
InvalidRefreshToken = "invalid_refresh_token",
InvalidToken = "invalid_token",
InvoiceExists = "invoice_exists",
InvoiceNotFound = "invoice_not_found",
LastAdmin = "last_admin",
LengthRequired = "length_required",
LineNotFound = "line_not_found",
MalformedBody = "malformed_body",
MalformedHeader = "malformed_header",
MalformedPath = "malformed_path",
MalformedQuery = "malformed_query",
MethodNotAllowed = "method_not_allowed",
NoAccessPolicy = "no_access_policy",
NoReservation = "no_reservation",
NotAcceptable = "not_acceptable",
NotFound = "not_found",
NotReady = "not_ready",
OrderAlreadyInvoiced = "order_already_invoiced",
OrderBusy = "order_busy",
OrderCancelled = "order_cancelled",
OrderEmpty = "order_empty",
OrderExists = "order_exists",
OrderNotDraft = "order_not_draft",
OrderNotFound = "order_not_found",
OrderNotFulfilled = "order_not_fulfilled",
OrderStatus = "order_status",
Overpayment = "overpayment",
PasswordChangeRequired = "password_change_required",
PayloadTooLarge = "payload_too_large",
PaymentExists = "payment_exists",
PreconditionFailed = "precondition_failed",
ProductExists = "product_exists",
ProductNotFound = "product_not_found",
ProjectionLagging = "projection_lagging",
RefreshTokenReused = "refresh_token_reused",
RequestTimeout = "request_timeout",
SellerNotConfigured = "seller_not_configured",
SkuTaken = "sku_taken",
StillFailing = "still_failing",
TokenExpired = "token_expired",
TooManyAttempts = "too_many_attempts",
TooManyLines = "too_many_lines",
TooManyRequests = "too_many_requests",
Unauthenticated = "unauthenticated",
Unavailable = "unavailable",
Unprocessable = "unprocessable",
UnsupportedMediaType = "unsupported_media_type",
UriTooLong = "uri_too_long",
UserExists = "user_exists",
UserNotFound = "user_not_found",
ValidationFailed = "validation_failed",
VersionMismatch = "version_mismatch",
WrongCurrentPassword = "wrong_current_password",
    }
}

/// One broken rule, naming the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: contracts::FieldCode,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<FieldError>,
    /// Extension members, e.g. `current_version` on 412.
    #[serde(flatten)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

impl Problem {
    pub fn new(status: u16, code: Code, title: &str) -> Self {
        Self {
            // A URN: stable, and claims no web address we do not serve.
            type_uri: format!("urn:gescom:problem:{code}"),
            title: title.to_owned(),
            status,
            code: code.as_str().to_owned(),
            detail: None,
            errors: Vec::new(),
            extensions: serde_json::Map::new(),
        }
    }

    /// 400: a header the API reads is malformed; names the header.
    pub fn malformed_header(header: &str, detail: impl Into<String>) -> Self {
        Self::new(400, Code::MalformedHeader, "Malformed header")
            .with_detail(detail)
            .with_extension("header", header)
    }

    /// 400: a path parameter (such as an id) is malformed.
    pub fn malformed_path(detail: impl Into<String>) -> Self {
        Self::new(400, Code::MalformedPath, "Malformed path parameter").with_detail(detail)
    }

    /// 400: the query string is malformed; `parameter` names the parameter at fault.
    pub fn malformed_query(parameter: Option<&str>, detail: impl Into<String>) -> Self {
        let problem =
            Self::new(400, Code::MalformedQuery, "Malformed query string").with_detail(detail);
        match parameter {
            Some(name) => problem.with_extension("parameter", name),
            None => problem,
        }
    }

    /// 404 with a code that says what is missing, e.g. `product_not_found`.
    pub fn not_found(code: Code, detail: impl Into<String>) -> Self {
        Self::new(404, code, "Not found").with_detail(detail)
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    pub fn with_extension(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.extensions.insert(key.to_owned(), value.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_one_distinct_snake_case_word() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(
                text.split('_')
                    .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase())),
                "{text}"
            );
        }
        let problem = Problem::new(409, Code::SkuTaken, "Conflict");
        assert_eq!(problem.code, "sku_taken");
        assert_eq!(problem.type_uri, "urn:gescom:problem:sku_taken");
    }
}
