//! Read-model projections. Each applies one event inside the caller's transaction; the
//! caller ([`crate::checkpoint`], or a rebuild) owns the checkpoint, so every projection here is applied
//! exactly once per event and in sequence order.

pub mod audit;
pub mod customers;
mod error;
pub mod invoices;
pub mod orders;
pub mod products;
pub mod sales;
pub mod stock;
pub mod users;

pub use error::ProjectionError;

use contracts::envelope::{DecodeReason, EventEnvelope};
use contracts::events::{
    AggregateType, CustomerEvent, InvoiceEvent, OrderEvent, ProductEvent, SessionEvent, StockEvent,
    UserEvent,
};
use contracts::ids::{CustomerId, InvoiceId, OrderId, ProductId, SessionId, UserId};
use sqlx::PgConnection;

/// Who writes what, event by event. Either way the audit rows are gathered in `audit`
/// and the caller inserts them in one statement per batch ([`audit::insert`]) instead of
/// one round trip per event.
#[derive(Debug)]
pub enum Mode<'a> {
    /// Everything, in the batch's transaction: the live projector.
    Live { audit: &'a mut Vec<audit::Row> },
    /// A rebuild replays everything in one transaction and leaves out the totals across
    /// aggregates (product counts, sales), counted once at the end ([`finish_rebuild`]),
    /// since thousands of `+=` on the same few rows inside one transaction walk ever
    /// longer row-version chains.
    Rebuild { audit: &'a mut Vec<audit::Row> },
}
/// Applies one event to every read model interested in its aggregate type. The event is
/// decoded here, once, into its aggregate's types; each projection takes it typed.
pub async fn apply(
    conn: &mut PgConnection,
    envelope: &EventEnvelope,
    mode: Mode<'_>,
) -> Result<(), ProjectionError> {
    let meta = envelope
        .meta()
        .map_err(|e| envelope.error(DecodeReason::Meta(e)))?;
    let (live, audit) = match mode {
        Mode::Live { audit } => (true, audit),
        Mode::Rebuild { audit } => (false, audit),
    };
    audit.push(audit::Row::of(envelope, &meta));
    let Some(aggregate) = AggregateType::from_name(&envelope.aggregate_type) else {
        // A type no read model follows (another system's): the audit row is all.
        return Ok(());
    };
    match aggregate {
        AggregateType::Product => {
            products::apply(conn, envelope.decode::<ProductId, ProductEvent>(meta)?).await
        }
        AggregateType::User => {
            users::apply(conn, envelope.decode::<UserId, UserEvent>(meta)?).await
        }
        AggregateType::Session => {
            users::apply_session(conn, envelope.decode::<SessionId, SessionEvent>(meta)?).await
        }
        AggregateType::Stock => {
            stock::apply(conn, envelope.decode::<ProductId, StockEvent>(meta)?).await
        }
        AggregateType::Customer => {
            customers::apply(conn, envelope.decode::<CustomerId, CustomerEvent>(meta)?).await
        }
        AggregateType::Order => {
            orders::apply(conn, envelope.decode::<OrderId, OrderEvent>(meta)?, live).await
        }
        AggregateType::Invoice => {
            invoices::apply(conn, envelope.decode::<InvoiceId, InvoiceEvent>(meta)?).await
        }
        // Refused logins: the audit row is all.
        AggregateType::LoginAttempt => Ok(()),
    }
}

/// Every table the projector writes: the read models and their checkpoints. A test
/// checks that every table of the schema is either here or in the command side's list.
pub const READ_MODEL_TABLES: &[&str] = &[
    "products",
    "product_counts",
    "users",
    "user_logins",
    "audit_log",
    "customers",
    "stock_levels",
    "stock_movements",
    "orders",
    "order_lines",
    "sales_daily",
    "sales_by_product_daily",
    "sales_by_customer_daily",
    "invoices",
    "invoice_lines",
    "credit_notes",
    "credit_note_lines",
    "invoice_payments",
    "invoice_transmissions",
    "projector_checkpoints",
];

/// Empties every read model and its checkpoints, and stops the `product_counts` trigger
/// for the rest of the transaction (for a rebuild).
///
/// `DELETE`, not `TRUNCATE`: a truncated table stays locked against readers until the
/// transaction ends, so read-api would hang for the whole rebuild; deleted rows stay
/// visible to every other transaction until the rebuild commits.
pub async fn start_rebuild(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    for table in READ_MODEL_TABLES {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("SELECT set_config('gescom.rebuild', 'on', true)")
        .execute(conn)
        .await
        .map(drop)
}

/// The totals a rebuild left out ([`Mode::Rebuild`]), from the rebuilt rows.
pub async fn finish_rebuild(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT recount_products()")
        .execute(&mut *conn)
        .await?;
    sales::rebook_all(conn).await
}
