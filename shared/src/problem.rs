//! The one error body of every HTTP API: RFC 9457 `application/problem+json` with a
//! stable `code` that clients switch on.

use serde::{Deserialize, Serialize};

pub const CONTENT_TYPE: &str = "application/problem+json";

/// One broken rule, naming the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
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
    pub fn new(status: u16, code: &str, title: &str) -> Self {
        Self {
            // A URN: stable, and claims no web address we do not serve.
            type_uri: format!("urn:gescom:problem:{code}"),
            title: title.to_owned(),
            status,
            code: code.to_owned(),
            detail: None,
            errors: Vec::new(),
            extensions: serde_json::Map::new(),
        }
    }

    /// 400: a header the API reads is malformed; names the header.
    pub fn malformed_header(header: &str, detail: impl Into<String>) -> Self {
        Self::new(400, "malformed_header", "Malformed header")
            .with_detail(detail)
            .with_extension("header", header)
    }

    /// 400: a path parameter (such as an id) is malformed.
    pub fn malformed_path(detail: impl Into<String>) -> Self {
        Self::new(400, "malformed_path", "Malformed path parameter").with_detail(detail)
    }

    /// 400: the query string is malformed; `parameter` names the parameter at fault.
    pub fn malformed_query(parameter: Option<&str>, detail: impl Into<String>) -> Self {
        let problem =
            Self::new(400, "malformed_query", "Malformed query string").with_detail(detail);
        match parameter {
            Some(name) => problem.with_extension("parameter", name),
            None => problem,
        }
    }

    /// 404 with a code that says what is missing, e.g. `product_not_found`.
    pub fn not_found(code: &str, detail: impl Into<String>) -> Self {
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
