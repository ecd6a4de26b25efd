//! `GET /users` and `GET /users/{id}`: accounts, without secrets. Roles: admin.

use axum::extract::State;
use axum::Json;
use contracts::account::UserStatus;
use contracts::auth::Role;
use contracts::ids::UserId;
use contracts::read::{Page, UserRow};
use platform::problem::Code;
use serde::Deserialize;

use super::error::Result;
use super::extract::AppQuery;
use super::paging::{one_of, search, Paging, Sort};
use super::resource::{self, Filters, Resource, Table};
use super::state::AppState;

impl Resource for UserRow {
    type Id = UserId;
    const TABLE: Table = Table::new(
        "users",
        "id, email, display_name, roles, status, must_change_password, version, created_at,
         updated_at, last_login_at",
    );
    const ID: &'static str = "a user id";
    const NOT_FOUND: (Code, &'static str) = (Code::UserNotFound, "no user has this id");
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// From 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `active` or `disabled`.
    #[param(value_type = Option<contracts::account::UserStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<contracts::auth::Role>)]
    pub role: Option<String>,
    /// Text search on email and display name.
    pub q: Option<String>,
}

/// `GET /users`, sorted by email. Roles: admin.
#[utoipa::path(
    get,
    path = "/users",
    tag = "users",
    summary = "List accounts",
    params(ListQuery),
    responses((status = 200, description = "One page, with the total.", body = Page<UserRow>)),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn list(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Page<UserRow>>> {
    let paging = Paging::parse(query.page, query.limit)?;
    let role = one_of::<Role>("role", query.role.as_deref())?;
    // Emails are stored in their one normal form, lower-cased by Rust: SQL must not fold
    // them again (see `migrations/0007_account_hardening.sql`).
    let search = search(query.q.as_deref())?.map(|pattern| pattern.to_lowercase());
    let filters = Filters::new()
        .equal(
            "status",
            one_of::<UserStatus>("status", query.status.as_deref())?,
        )
        .on(role, |sql, role| {
            sql.push(" AND ").push_bind(*role).push(" = ANY(roles)");
        })
        .on(search, |sql, pattern| {
            sql.push(" AND (email LIKE ")
                .push_bind(pattern.clone())
                .push(" OR lower(display_name) LIKE ")
                .push_bind(pattern.clone())
                .push(")");
        });
    let sort = Sort {
        column: "email",
        direction: "ASC",
    };
    Ok(Json(
        resource::list(&state.pool, &filters, sort, paging).await?,
    ))
}
