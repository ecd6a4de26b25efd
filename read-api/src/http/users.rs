//! `GET /users` and `GET /users/{id}`: accounts, without secrets. Roles: admin.

use std::str::FromStr;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use shared::auth::Role;
use shared::ids::UserId;
use shared::read::{Page, UserRow};
use shared::web::AppPath;
use sqlx::{Postgres, QueryBuilder};

use super::consistency::{wait_min_version, MinVersion};
use super::error::{ApiError, Result};
use super::extract::{path_id, AppQuery};
use super::paging::{fetch_page, like_pattern, text_filter, Paging};
use super::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub page: Option<u32>,
    pub limit: Option<u32>,
    /// `active` or `disabled`.
    pub status: Option<String>,
    pub role: Option<String>,
    /// Text search on email and display name.
    pub q: Option<String>,
}

/// `GET /users`, sorted by email. Roles: admin.
pub async fn list(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Page<UserRow>>> {
    let paging = Paging::parse(query.page, query.limit)?;
    let status = match query.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s @ ("active" | "disabled")) => Some(s.to_owned()),
        Some(other) => {
            return Err(ApiError::BadQuery(format!(
                "status `{other}`: expected active or disabled"
            )))
        }
    };
    let role = text_filter("role", query.role.as_deref(), 20)?
        .map(|r| Role::from_str(&r).map_err(|e| ApiError::BadQuery(format!("role: {e}"))))
        .transpose()?;
    let search =
        text_filter("q", query.q.as_deref(), 100)?.map(|q| like_pattern(&q.to_lowercase()));
    let filter = |sql: &mut QueryBuilder<'_, Postgres>| {
        if let Some(status) = &status {
            sql.push(" AND status = ").push_bind(status.clone());
        }
        if let Some(role) = role {
            sql.push(" AND ")
                .push_bind(role.as_str())
                .push(" = ANY(roles)");
        }
        if let Some(pattern) = &search {
            sql.push(" AND (email LIKE ")
                .push_bind(pattern.clone())
                .push(" OR lower(display_name) LIKE ")
                .push_bind(pattern.clone())
                .push(")");
        }
    };
    let page = fetch_page(
        &state.pool,
        "SELECT * FROM users WHERE true",
        "SELECT count(*) FROM users WHERE true",
        filter,
        "email, id",
        paging,
    )
    .await?;
    Ok(Json(page))
}

/// `GET /users/{id}`, with `min_version` for read-your-writes. Roles: admin.
pub async fn detail(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<MinVersion>,
) -> Result<Json<UserRow>> {
    let id: UserId = path_id(&id, "a user id")?;
    wait_min_version(
        &state,
        query.min_version,
        &headers,
        "SELECT version FROM users WHERE id = $1",
        id,
    )
    .await?;
    sqlx::query_as("SELECT * FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.pool)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound {
            code: "user_not_found",
            message: "no user has this id".to_owned(),
        })
}
