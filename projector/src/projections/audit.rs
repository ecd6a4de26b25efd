//! `audit_log`: every event of every aggregate, with who did it, when, from where and
//! under which correlation id. Secret fields are redacted before they reach the table.

use serde_json::Value;
use shared::events::SECRET_FIELDS;
use shared::metadata;
use shared::nats::EventEnvelope;
use sqlx::PgConnection;

use super::{ProjectionError, Stamp};

pub const REDACTED: &str = "<redacted>";

pub async fn apply(
    conn: &mut PgConnection,
    envelope: &EventEnvelope,
    stamp: &Stamp<'_>,
) -> Result<(), ProjectionError> {
    sqlx::query(
        "INSERT INTO audit_log (aggregate_type, aggregate_id, sequence, event_type, event_version,
                                occurred_at, actor_id, actor_roles, source_ip, user_agent,
                                correlation_id, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT DO NOTHING",
    )
    .bind(&envelope.aggregate_type)
    .bind(&envelope.aggregate_id)
    .bind(envelope.sequence)
    .bind(&envelope.event_type)
    .bind(&envelope.event_version)
    .bind(stamp.occurred_at)
    .bind(stamp.actor_id)
    .bind(envelope.metadata(metadata::ACTOR_ROLES))
    .bind(envelope.metadata(metadata::SOURCE_IP))
    .bind(envelope.metadata(metadata::USER_AGENT))
    .bind(stamp.correlation_id)
    .bind(redacted(&envelope.payload))
    .execute(conn)
    .await?;
    Ok(())
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
