//! `audit_log`: every event of every aggregate, with who did it, when, from where and
//! under which correlation id. Secret fields are redacted before they reach the table.

use contracts::envelope::EventEnvelope;
use contracts::events::SECRET_FIELDS;
use contracts::metadata::EventMeta;
use serde_json::Value;
use sqlx::PgConnection;

pub const REDACTED: &str = "<redacted>";

/// One `audit_log` row.
#[derive(Debug)]
pub struct Row {
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
    event_type: String,
    event_version: String,
    occurred_at: chrono::DateTime<chrono::Utc>,
    actor_id: String,
    actor_roles: Option<String>,
    source_ip: Option<String>,
    user_agent: Option<String>,
    correlation_id: String,
    payload: Value,
}

impl Row {
    pub fn of(envelope: &EventEnvelope, meta: &EventMeta) -> Self {
        Self {
            aggregate_type: envelope.aggregate_type.clone(),
            aggregate_id: envelope.aggregate_id.clone(),
            sequence: envelope.sequence,
            event_type: envelope.event_type.clone(),
            event_version: envelope.event_version.clone(),
            occurred_at: meta.occurred_at,
            actor_id: meta.actor_id.clone(),
            actor_roles: meta.actor_roles.as_ref().map(|roles| roles.joined()),
            source_ip: meta.source_ip.map(|ip| ip.to_string()),
            user_agent: meta.user_agent.clone(),
            correlation_id: meta.correlation_id.clone(),
            payload: redacted(&envelope.payload),
        }
    }
}

/// Inserts rows bound by [`bind`] as `$1` to `$12`, in one statement.
pub const INSERT: &str =
    "INSERT INTO audit_log (aggregate_type, aggregate_id, sequence, event_type,
                                event_version, occurred_at, actor_id, actor_roles, source_ip,
                                user_agent, correlation_id, payload)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                              $6::timestamptz[], $7::text[], $8::text[], $9::text[],
                              $10::text[], $11::text[], $12::jsonb[])
         ON CONFLICT DO NOTHING";

/// Inserts `rows` in one statement (a batch or a rebuild gathers them); none, no round trip.
pub async fn insert(conn: &mut PgConnection, rows: Vec<Row>) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    bind(sqlx::query(INSERT), rows)
        .execute(conn)
        .await
        .map(drop)
}

/// Binds `rows` column by column as the next twelve parameters of `query`.
pub fn bind(query: PgQuery<'_>, rows: Vec<Row>) -> PgQuery<'_> {
    let mut columns = Columns::default();
    for row in rows {
        columns.aggregate_type.push(row.aggregate_type);
        columns.aggregate_id.push(row.aggregate_id);
        columns.sequence.push(row.sequence);
        columns.event_type.push(row.event_type);
        columns.event_version.push(row.event_version);
        columns.occurred_at.push(row.occurred_at);
        columns.actor_id.push(row.actor_id);
        columns.actor_roles.push(row.actor_roles);
        columns.source_ip.push(row.source_ip);
        columns.user_agent.push(row.user_agent);
        columns.correlation_id.push(row.correlation_id);
        columns.payload.push(row.payload);
    }
    query
        .bind(columns.aggregate_type)
        .bind(columns.aggregate_id)
        .bind(columns.sequence)
        .bind(columns.event_type)
        .bind(columns.event_version)
        .bind(columns.occurred_at)
        .bind(columns.actor_id)
        .bind(columns.actor_roles)
        .bind(columns.source_ip)
        .bind(columns.user_agent)
        .bind(columns.correlation_id)
        .bind(columns.payload)
}

/// A statement being bound.
pub type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

#[derive(Default)]
struct Columns {
    aggregate_type: Vec<String>,
    aggregate_id: Vec<String>,
    sequence: Vec<i64>,
    event_type: Vec<String>,
    event_version: Vec<String>,
    occurred_at: Vec<chrono::DateTime<chrono::Utc>>,
    actor_id: Vec<String>,
    actor_roles: Vec<Option<String>>,
    source_ip: Vec<Option<String>>,
    user_agent: Vec<Option<String>>,
    correlation_id: Vec<String>,
    payload: Vec<Value>,
}

/// The payload with every secret field, at any depth, replaced by a marker.
pub fn redacted(payload: &Value) -> Value {
    match payload {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if SECRET_FIELDS.contains(&k.as_str()) {
                        Value::String(REDACTED.to_owned())
                    } else {
                        redacted(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redacted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let payload = serde_json::json!({"UserCreated": {
            "email": "ana@example.com", "password_hash": "$argon2id$...",
            "nested": [{"token_hash": "abc"}]
        }});
        assert_eq!(
            redacted(&payload),
            serde_json::json!({"UserCreated": {
                "email": "ana@example.com", "password_hash": REDACTED,
                "nested": [{"token_hash": REDACTED}]
            }})
        );
    }
}
