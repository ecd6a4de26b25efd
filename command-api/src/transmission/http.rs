//! The HTTP sides of transmission: [`HttpPlatform`], gescom's plain REST adapter to a
//! platform, and [`ReadApiDocuments`], which fetches an issued document from read-api
//! (the only service that renders documents) at the version that issued it.

use std::time::Duration;

use bytes::Bytes;
use contracts::auth::{Role, Roles};
use contracts::ids::{SessionId, UserId};
use contracts::invoice::DeliveryStatus;
use reqwest::StatusCode;
use serde::Deserialize;

use super::port::{Outbound, Platform, PortError, Report, Syntax};
use crate::auth::tokens::{Subject, TokenIssuer};

/// What a platform answers about a document, deposited or asked for.
#[derive(Debug, Deserialize)]
struct Answer {
    id: String,
    status: String,
    #[serde(default)]
    reason: Option<String>,
}

/// A platform speaking gescom's REST shape:
/// - `POST {base}/documents`, the document as the body (`Content-Type` per syntax),
///   `Idempotency-Key: <number>`, `X-Document-Number`, `X-Document-Kind`,
///   `X-Document-Syntax`, `X-Document-Profile: EN16931`;
/// - `GET {base}/documents/{id}`;
///
/// both answering `{"id", "status": "deposited" | "rejected" | "accepted" | "paid",
/// "reason"}` ([`classify`] tells a refusal from a failure).
#[derive(Debug, Clone)]
pub struct HttpPlatform {
    client: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl HttpPlatform {
    pub fn new(base: &str, token: Option<String>, timeout: Duration) -> reqwest::Result<Self> {
        Ok(Self {
            client: reqwest::Client::builder().timeout(timeout).build()?,
            base: base.trim_end_matches('/').to_owned(),
            token,
        })
    }

    fn authorised(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }
}

/// A refusal for good, or a failure worth another try. Only what the platform says of
/// the document itself refuses it (400, 409, 413, 415, 422); a bad token (401, 403), a
/// wrong address (404, 405) or an overloaded platform (408, 429, 5xx) is a matter of
/// configuration or time, and must not reject an invoice.
fn classify(status: StatusCode, body: &str) -> PortError {
    let said = format!("{status}: {}", body.chars().take(500).collect::<String>());
    let about_the_document = [
        StatusCode::BAD_REQUEST,
        StatusCode::CONFLICT,
        StatusCode::PAYLOAD_TOO_LARGE,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        StatusCode::UNPROCESSABLE_ENTITY,
    ];
    if about_the_document.contains(&status) {
        PortError::Refused(said)
    } else {
        PortError::Unavailable(said)
    }
}

async fn report(response: reqwest::Response) -> Result<Report, PortError> {
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| PortError::Unavailable(e.to_string()))?;
    if !status.is_success() {
        return Err(classify(status, &body));
    }
    let answer: Answer = serde_json::from_str(&body)
        .map_err(|e| PortError::Unavailable(format!("answer not understood: {e}")))?;
    let delivery = DeliveryStatus::parse(&answer.status)
        .ok_or_else(|| PortError::Unavailable(format!("unknown status {:?}", answer.status)))?;
    Ok(Report {
        platform_ref: answer.id,
        status: delivery,
        reason: answer.reason,
    })
}

impl Platform for HttpPlatform {
    async fn deposit(&self, document: &Outbound) -> Result<Report, PortError> {
        let request = self
            .client
            .post(format!("{}/documents", self.base))
            .header("content-type", document.syntax.content_type())
            .header("idempotency-key", &document.number)
            .header("x-document-number", &document.number)
            .header("x-document-kind", document.kind.as_str())
            .header("x-document-syntax", document.syntax.as_str())
            .header("x-document-profile", "EN16931")
            .body(document.body.clone());
        let response = self
            .authorised(request)
            .send()
            .await
            .map_err(|e| PortError::Unavailable(e.to_string()))?;
        report(response).await
    }

    async fn status(&self, platform_ref: &str) -> Result<Report, PortError> {
        let mut url = reqwest::Url::parse(&format!("{}/documents/", self.base))
            .map_err(|e| PortError::Unavailable(e.to_string()))?;
        // The platform's id as one path segment, whatever it holds.
        url.path_segments_mut()
            .map_err(|()| PortError::Unavailable("base URL cannot hold a path".to_owned()))?
            .pop_if_empty()
            .push(platform_ref);
        let response = self
            .authorised(self.client.get(url))
            .send()
            .await
            .map_err(|e| PortError::Unavailable(e.to_string()))?;
        report(response).await
    }
}

/// Fetches issued documents from read-api with a short-lived token of its own (analyst:
/// read only), asking for the invoice stream's version that issued the document so that
/// read-api waits for its projection.
#[derive(Debug, Clone)]
pub struct ReadApiDocuments {
    client: reqwest::Client,
    base: String,
    issuer: TokenIssuer,
}

/// The dispatcher's identity in read-api's logs and in the tokens it mints.
const DISPATCHER_EMAIL: &str = "transmission@gescom.invalid";

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("read-api: {0}")]
    Http(#[from] reqwest::Error),
    #[error("read-api answered {0}")]
    Status(StatusCode),
    #[error("cannot sign the dispatcher's token: {0}")]
    Token(String),
}

/// Where a document lives in read-api.
#[derive(Debug, Clone, Copy)]
pub struct DocumentPath {
    pub invoice_id: uuid::Uuid,
    /// The credit note's id, none for the invoice itself.
    pub credit_note_id: Option<uuid::Uuid>,
    pub version: i64,
}

impl ReadApiDocuments {
    pub fn new(base: &str, issuer: TokenIssuer, timeout: Duration) -> reqwest::Result<Self> {
        Ok(Self {
            client: reqwest::Client::builder().timeout(timeout).build()?,
            base: base.trim_end_matches('/').to_owned(),
            issuer,
        })
    }

    pub async fn fetch(&self, path: DocumentPath, syntax: Syntax) -> Result<Bytes, DocumentError> {
        let document = match path.credit_note_id {
            None => format!("invoices/{}", path.invoice_id),
            Some(note) => format!("invoices/{}/credit-notes/{note}", path.invoice_id),
        };
        let url = format!(
            "{}/{document}/{}?min_version={}",
            self.base,
            syntax.route(),
            path.version
        );
        let response = self
            .client
            .get(url)
            .bearer_auth(self.token()?)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(DocumentError::Status(response.status()));
        }
        Ok(response.bytes().await?)
    }

    fn token(&self) -> Result<String, DocumentError> {
        let email = contracts::account::Email::parse(DISPATCHER_EMAIL)
            .map_err(|e| DocumentError::Token(e.to_string()))?;
        let subject = Subject {
            user_id: UserId::from(uuid::Uuid::nil()),
            session_id: SessionId::from(uuid::Uuid::nil()),
            email: &email,
            roles: &Roles::one(Role::Analyst),
            must_change_password: false,
        };
        self.issuer
            .access(subject, chrono::Utc::now())
            .map(|token| token.token)
            .map_err(|e| DocumentError::Token(e.to_string()))
    }
}
