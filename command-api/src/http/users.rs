//! `/users`: account administration. Roles: admin, every route.

use std::str::FromStr;

use axum::extract::State;
use axum::response::Response;
use contracts::account::{DisplayName, Email};
use contracts::auth::{Role, Roles};
use contracts::ids::UserId;
use contracts::Invalid;
use platform::access::Caller;
use platform::token::Principal;
use serde::Deserialize;

use super::error::{ApiError, Result};
use super::extract::{AppJson, CommandContext, Fields, PathId, Target};
use super::reply::accepted;
use super::state::AppState;
use crate::auth::passwords::Password;
use crate::auth::NewUser;
use crate::domain::user::UserCommand;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[schema(example = "claire.martin@example.com")]
    pub email: String,
    #[schema(example = "Claire Martin")]
    pub display_name: String,
    #[schema(value_type = Vec<contracts::auth::Role>, example = json!(["sales"]))]
    pub roles: Vec<String>,
    /// The initial password; the user must change it at first login.
    #[schema(example = "Quatre chevaux bleus au galop 42")]
    pub password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRoles {
    #[schema(value_type = Vec<contracts::auth::Role>, example = json!(["sales", "warehouse"]))]
    pub roles: Vec<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    pub new_password: String,
}

fn roles(raw: &[String]) -> Result<Roles, Invalid> {
    let parsed = raw
        .iter()
        .map(|r| Role::from_str(r))
        .collect::<Result<Vec<_>, _>>()?;
    Roles::try_from(parsed)
}

fn invalid(field: &str, e: Invalid) -> ApiError {
    ApiError::Validation(vec![ApiError::field(field, e)])
}

/// `POST /users`: a new account, which must change its password at first login.
#[utoipa::path(
    post,
    path = "/users",
    tag = "users",
    summary = "Create an account",
    request_body = CreateUser,
    responses(super::CreatedDoc),
    extensions(("x-problem-codes" = json!(["@json", "@commit", "email_taken", "user_exists", "account_disabled", "busy"])))
)]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    CommandContext(metadata): CommandContext,
    AppJson(body): AppJson<CreateUser>,
) -> Result<Response> {
    let mut f = Fields::default();
    let email = f.check("email", Email::parse(&body.email));
    let display_name = f.check("display_name", DisplayName::parse(&body.display_name));
    let roles = f.check("roles", roles(&body.roles));
    let password = f.check("password", Password::new(&body.password, Some(&body.email)));
    let (Some(email), Some(display_name), Some(roles), Some(password)) =
        (email, display_name, roles, password)
    else {
        return Err(f.invalid());
    };
    let (id, version) = state
        .auth
        .create_user(
            &caller,
            NewUser {
                email,
                display_name,
                roles,
                password,
                must_change_password: true,
            },
            metadata,
        )
        .await?;
    Ok(accepted(true, UserId::COLLECTION, &id.to_string(), version))
}

/// `PUT /users/{id}/roles`, optionally with `If-Match`.
#[utoipa::path(
    put,
    path = "/users/{id}/roles",
    tag = "users",
    summary = "Replace an account's roles",
    params(("id" = uuid::Uuid, Path, description = "The user's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    request_body = SetRoles,
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@json", "@commit", "user_not_found", "cannot_demote_self", "last_admin", "account_disabled"])))
)]
pub async fn set_roles(
    user: Target<UserId>,
    Caller(caller): Caller,
    AppJson(body): AppJson<SetRoles>,
) -> Result<Response> {
    let roles = roles(&body.roles).map_err(|e| invalid("roles", e))?;
    let by = caller.user_id;
    manage(user, &caller, UserCommand::ChangeRoles { roles, by }).await
}

/// `POST /users/{id}/disable`: the account can no longer log in or refresh.
#[utoipa::path(
    post,
    path = "/users/{id}/disable",
    tag = "users",
    summary = "Disable an account",
    params(("id" = uuid::Uuid, Path, description = "The user's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@commit", "user_not_found", "cannot_disable_self", "last_admin", "account_disabled"])))
)]
pub async fn disable(user: Target<UserId>, Caller(caller): Caller) -> Result<Response> {
    let by = caller.user_id;
    manage(user, &caller, UserCommand::Disable { by }).await
}

/// `POST /users/{id}/enable`.
#[utoipa::path(
    post,
    path = "/users/{id}/enable",
    tag = "users",
    summary = "Enable an account",
    params(("id" = uuid::Uuid, Path, description = "The user's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@commit", "user_not_found", "account_disabled"])))
)]
pub async fn enable(user: Target<UserId>, Caller(caller): Caller) -> Result<Response> {
    manage(user, &caller, UserCommand::Enable).await
}

/// `POST /users/{id}/password`: an admin sets a new password, which the user must change
/// at next login; every session of the account ends.
#[utoipa::path(
    post,
    path = "/users/{id}/password",
    tag = "users",
    summary = "Set an account's password (to change at next login)",
    params(("id" = uuid::Uuid, Path, description = "The user's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    request_body = ResetPassword,
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@json", "@commit", "user_not_found", "account_disabled", "busy"])))
)]
pub async fn reset_password(
    user: Target<UserId>,
    Caller(caller): Caller,
    AppJson(body): AppJson<ResetPassword>,
) -> Result<Response> {
    let auth = &user.state.auth;
    let committed = auth
        .reset_password(
            &caller,
            user.id,
            &body.new_password,
            user.expected,
            user.metadata,
        )
        .await?;
    Ok(managed(user.id, committed.version))
}

/// Runs a user-management command through `Auth`, which checks the caller's account as it
/// is now.
async fn manage(
    user: Target<UserId>,
    caller: &Principal,
    command: UserCommand,
) -> Result<Response> {
    let committed = user
        .state
        .auth
        .manage_user(caller, user.id, command, user.expected, user.metadata)
        .await?;
    Ok(managed(user.id, committed.version))
}

/// The answer to a command on an existing account.
fn managed(id: UserId, version: u64) -> Response {
    accepted(false, UserId::COLLECTION, &id.to_string(), version)
}
