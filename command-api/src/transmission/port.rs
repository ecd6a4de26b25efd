//! The outbound port to an approved platform (*plateforme agréée*, PA): what gescom hands
//! over and what it reads back. An adapter per platform implements [`Platform`]; gescom
//! ships [`super::http::HttpPlatform`], a plain REST adapter (README "Transmission").
//!
//! The contract an adapter keeps: `deposit` is idempotent on [`Outbound::number`] (a
//! second deposit of the same number returns the first one's report, which is what
//! platforms do with a document number they already hold); a [`PortError::Refused`] is
//! the platform's final word on that document, anything else may be retried.

use std::future::Future;

use bytes::Bytes;
use contracts::invoice::{DeliveryStatus, DocumentKind};

/// The document's syntax, as French e-invoicing names the three it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// A PDF/A-3 carrying its CII XML (`factur-x.xml`), EN 16931 profile.
    FacturX,
    /// The bare UN/CEFACT CII D16B XML.
    Cii,
    /// OASIS UBL 2.1.
    Ubl,
}

impl Syntax {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "factur-x" => Some(Syntax::FacturX),
            "cii" => Some(Syntax::Cii),
            "ubl" => Some(Syntax::Ubl),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Syntax::FacturX => "factur-x",
            Syntax::Cii => "cii",
            Syntax::Ubl => "ubl",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Syntax::FacturX => "application/pdf",
            Syntax::Cii | Syntax::Ubl => "application/xml",
        }
    }

    /// The last segment of read-api's route serving the document in this syntax.
    pub fn route(self) -> &'static str {
        match self {
            Syntax::FacturX => "pdf",
            Syntax::Cii => "cii.xml",
            Syntax::Ubl => "ubl.xml",
        }
    }
}

/// One issued document, as handed to the platform.
#[derive(Debug, Clone)]
pub struct Outbound {
    /// `FAC-<year>-<6 digits>` or `AV-…`: unique, the idempotency key.
    pub number: String,
    pub kind: DocumentKind,
    pub syntax: Syntax,
    pub body: Bytes,
}

/// What the platform says of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The platform's id for the deposit.
    pub platform_ref: String,
    pub status: DeliveryStatus,
    pub reason: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PortError {
    /// The platform will not take this document (invalid, duplicate of another, unknown
    /// buyer…): final, recorded as rejected with the platform's reason.
    #[error("refused by the platform: {0}")]
    Refused(String),
    /// Down, overloaded, a timeout, an answer not understood: tried again later.
    #[error("platform unavailable: {0}")]
    Unavailable(String),
}

/// An approved platform's API, as gescom uses it.
pub trait Platform: Send + Sync + 'static {
    /// Hands the document over; idempotent on its number.
    fn deposit(
        &self,
        document: &Outbound,
    ) -> impl Future<Output = Result<Report, PortError>> + Send;

    /// Where a deposited document stands now.
    fn status(&self, platform_ref: &str) -> impl Future<Output = Result<Report, PortError>> + Send;
}
