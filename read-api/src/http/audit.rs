//! `GET /audit` and `GET /audit/export`: who did what, when, from where. Roles: admin.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use contracts::events::AggregateType;
use contracts::read::{AuditRow, Page};
use platform::csv_cell::Cell;
use serde::Deserialize;

use super::error::{ApiError, Result};
use super::export::csv_response;
use super::extract::AppQuery;
use super::paging::{one_of, text_filter, Paging};
use super::resource::{page, Filters, Table};
use super::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// From 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// A user id, `anonymous` or `system`.
    pub actor: Option<String>,
    /// `Product`, `User`, `Session`, `LoginAttempt`…
    pub aggregate_type: Option<String>,
    pub aggregate_id: Option<String>,
    /// Event type, e.g. `ProductCreated`.
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    /// Start of the period, inclusive: RFC 3339 time or `YYYY-MM-DD`.
    pub from: Option<String>,
    /// End of the period, exclusive: RFC 3339 time or `YYYY-MM-DD` (that day excluded).
    pub to: Option<String>,
}

const AUDIT: Table = Table::new(
    "audit_log",
    "occurred_at, actor_id, actor_roles, source_ip, user_agent, correlation_id, aggregate_type,
     aggregate_id, sequence, event_type, event_version, payload",
)
.keyed_by("(aggregate_type, aggregate_id, sequence)");

fn instant(name: &str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Some(t.and_utc()))
        .ok_or_else(|| {
            ApiError::BadQuery(format!(
                "{name} `{raw}`: expected an RFC 3339 time or YYYY-MM-DD"
            ))
        })
}

/// Newest first; ties broken by stream and sequence so that pages are stable.
const ORDER: &str = "occurred_at DESC, aggregate_type, aggregate_id, sequence DESC";

/// What the list and the export narrow to.
fn filters(q: &AuditQuery) -> Result<Filters> {
    Ok(Filters::new()
        .equal("actor_id", text_filter("actor", q.actor.as_deref(), 100)?)
        .equal(
            "aggregate_type",
            one_of::<AggregateType>("aggregate_type", q.aggregate_type.as_deref())?,
        )
        .equal(
            "aggregate_id",
            text_filter("aggregate_id", q.aggregate_id.as_deref(), 100)?,
        )
        .equal(
            "event_type",
            text_filter("type", q.event_type.as_deref(), 100)?,
        )
        .compare("occurred_at", ">=", instant("from", q.from.as_deref())?)
        .compare("occurred_at", "<", instant("to", q.to.as_deref())?))
}

/// `GET /audit`: newest first, with filters and a total. Roles: admin.
#[utoipa::path(
    get,
    path = "/audit",
    tag = "audit",
    summary = "The audit trail, newest first",
    params(AuditQuery),
    responses((status = 200, description = "One page, with the total.", body = Page<AuditRow>)),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn list(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<AuditQuery>,
) -> Result<Json<Page<AuditRow>>> {
    let paging = Paging::parse(query.page, query.limit)?;
    let filters = filters(&query)?;
    Ok(Json(
        page(&state.pool, &AUDIT, &filters, ORDER, paging).await?,
    ))
}

pub const CSV_COLUMNS: [&str; 12] = [
    "occurred_at",
    "actor_id",
    "actor_roles",
    "source_ip",
    "user_agent",
    "correlation_id",
    "aggregate_type",
    "aggregate_id",
    "sequence",
    "event_type",
    "event_version",
    "payload",
];

/// `GET /audit/export`: the same filters, every matching row as CSV, streamed. Roles:
/// admin.
#[utoipa::path(
    get,
    path = "/audit/export",
    tag = "audit",
    summary = "Export the audit trail as CSV",
    params(AuditQuery),
    responses((status = 200, description = "Every matching row as CSV (README \"CSV files\"), streamed; cells that a spreadsheet would run as formulas get a leading `'`.", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "`attachment; filename=...`")))),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn export(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<AuditQuery>,
) -> Result<Response> {
    if query.page.is_some() || query.limit.is_some() {
        return Err(ApiError::BadQuery(
            "an export has every matching row: page and limit do not apply".to_owned(),
        ));
    }
    let mut sql = AUDIT.select(&filters(&query)?);
    sql.push(" ORDER BY ").push(ORDER);
    Ok(csv_response(
        state.pool.clone(),
        sql,
        &CSV_COLUMNS,
        record,
        "audit.csv",
    ))
}

fn record(row: AuditRow) -> Vec<Cell> {
    vec![
        Cell::text(
            row.occurred_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        ),
        Cell::text(row.actor_id),
        Cell::optional_text(row.actor_roles),
        Cell::optional_text(row.source_ip),
        Cell::optional_text(row.user_agent),
        Cell::text(row.correlation_id),
        Cell::text(row.aggregate_type),
        Cell::text(row.aggregate_id),
        Cell::number(row.sequence),
        Cell::text(row.event_type),
        Cell::text(row.event_version),
        Cell::text(row.payload.to_string()),
    ]
}
