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
use tracing::Instrument;

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

impl Mode<'_> {
    fn reborrow(&mut self) -> Mode<'_> {
        match self {
            Mode::Live { audit } => Mode::Live { audit },
            Mode::Rebuild { audit } => Mode::Rebuild { audit },
        }
    }

    fn audit(&mut self) -> &mut Vec<audit::Row> {
        match self {
            Mode::Live { audit } | Mode::Rebuild { audit } => audit,
        }
    }
}

/// Applies `events` in order, as [`apply`] would one by one, except that each run of
/// consecutive product creations is one statement: an import brings them by thousands,
/// and a catch-up or a rebuild replays them. On failure, the index of the event at fault
/// (of a run, its first). `span(i)` is the trace span the i-th event (or the run it starts) is applied in.
pub async fn apply_each(
    conn: &mut PgConnection,
    events: &[&EventEnvelope],
    mut mode: Mode<'_>,
    span: impl Fn(usize) -> tracing::Span,
) -> Result<(), (usize, ProjectionError)> {
    let mut at = 0;
    while at < events.len() {
        let run = events[at..]
            .iter()
            .take_while(|event| products::is_creation(event))
            .count();
        if run > 1 {
            create_products(conn, &events[at..at + run], mode.audit())
                .instrument(span(at))
                .await
                .map_err(|error| (at, error))?;
            at += run;
        } else {
            apply(conn, events[at], mode.reborrow())
                .instrument(span(at))
                .await
                .map_err(|error| (at, error))?;
            at += 1;
        }
    }
    Ok(())
}

async fn create_products(
    conn: &mut PgConnection,
    events: &[&EventEnvelope],
    audit: &mut Vec<audit::Row>,
) -> Result<(), ProjectionError> {
    let mut created = Vec::with_capacity(events.len());
    for envelope in events {
        let meta = envelope
            .meta()
            .map_err(|e| envelope.error(DecodeReason::Meta(e)))?;
        audit.push(audit::Row::of(envelope, &meta));
        created.push(envelope.decode::<ProductId, ProductEvent>(meta)?);
    }
    products::create_many(conn, created).await
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
