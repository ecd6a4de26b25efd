//! Read-your-writes on a detail: wait, bounded, until the row reaches the version the
//! caller asked for (`?min_version=` or `X-Min-Version`).

use axum::http::{header, HeaderMap};
use sqlx::Postgres;

use super::error::{ApiError, Result};
use super::state::AppState;

pub const MIN_VERSION_HEADER: &str = "x-min-version";

/// The wanted version from `?min_version=` or, failing that, `X-Min-Version`.
pub fn min_version_text(query: Option<String>, headers: &HeaderMap) -> Result<Option<String>> {
    if let Some(q) = query {
        return Ok(Some(q));
    }
    headers
        .get(MIN_VERSION_HEADER)
        .map(|v| {
            v.to_str()
                .map(str::to_owned)
                .map_err(|_| ApiError::BadHeader {
                    header: "X-Min-Version",
                    message: "not ASCII".to_owned(),
                })
        })
        .transpose()
}

pub fn parse_version(raw: &str) -> Result<i64> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v >= 0)
        .ok_or_else(|| ApiError::BadQuery(format!("min_version `{raw}` is not a version")))
}

/// The query of a detail route: the version of the aggregate to wait for
/// (read-your-writes; `X-Min-Version` says the same).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MinVersion {
    pub min_version: Option<String>,
}

/// Waits for the version asked in `query` or the headers, if any: `version_sql` reads
/// the row's version with `id` as `$1`.
pub async fn wait_min_version<I>(
    state: &AppState,
    query: Option<String>,
    headers: &HeaderMap,
    version_sql: &str,
    id: I,
) -> Result<()>
where
    I: for<'q> sqlx::Encode<'q, Postgres> + sqlx::Type<Postgres> + Copy + Send + Sync,
{
    let Some(raw) = min_version_text(query, headers)? else {
        return Ok(());
    };
    let wanted = parse_version(&raw)?;
    state
        .freshness
        .wait_for(wanted, || async {
            sqlx::query_scalar::<_, i64>(version_sql)
                .bind(id)
                .fetch_optional(&state.pool)
                .await
                .map(|v| v.unwrap_or(0))
        })
        .await?;
    Ok(())
}

/// Whether `If-None-Match` lists `etag` (weak or strong) or is `*`.
pub fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}
