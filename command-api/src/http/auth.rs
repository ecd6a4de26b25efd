//! `/auth`: login, refresh, logout, the caller's own account and password.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use contracts::auth::Role;
use platform::access::Caller;
use platform::problem::Code;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, Result};
use super::extract::{AppJson, CommandContext};
use super::session_cookie;
use super::state::AppState;
use crate::auth::Grant;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub email: String,
    pub password: String,
    /// `json` (the default): the refresh token is in the response body. `cookie` (a
    /// browser): it is set in an `HttpOnly; Secure; SameSite=Strict` cookie scoped to
    /// `/auth` instead, and the body carries a `csrf_token` to echo in `X-CSRF-Token` on
    /// `/auth/refresh` and `/auth/logout`.
    #[serde(default)]
    pub session: SessionMode,
}

/// Where the refresh token travels.
#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SessionMode {
    #[default]
    Json,
    Cookie,
}

/// A refresh token in the body (JSON mode), or none: the session cookie is used, with
/// its CSRF token in `X-CSRF-Token`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    #[serde(default)]
    pub refresh_token: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct TokenResponse<'a> {
    access_token: &'a str,
    token_type: &'static str,
    /// Seconds.
    expires_in: i64,
    /// JSON mode only; in cookie mode it is in the `__Secure-gescom_refresh` cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
    refresh_expires_in: i64,
    /// Cookie mode only: echo it in `X-CSRF-Token` (also in the readable `__Host-gescom_csrf`
    /// cookie).
    #[serde(skip_serializing_if = "Option::is_none")]
    csrf_token: Option<String>,
    user: UserSummary<'a>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct UserSummary<'a> {
    id: String,
    email: &'a str,
    roles: Vec<Role>,
    must_change_password: bool,
}

/// Tokens must not be kept by caches or proxies.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn tokens(grant: &Grant, mode: SessionMode) -> Result<Response> {
    let now = chrono::Utc::now();
    let refresh_expires_in = (grant.refresh_expires_at - now).num_seconds();
    let refresh = grant.refresh.expose();
    let cookie = mode == SessionMode::Cookie;
    let mut response = no_store(
        Json(TokenResponse {
            access_token: &grant.access.token,
            token_type: "Bearer",
            expires_in: (grant.access.expires_at - now).num_seconds(),
            refresh_token: (!cookie).then_some(refresh),
            refresh_expires_in,
            csrf_token: cookie.then(|| session_cookie::csrf_token(refresh)),
            user: UserSummary {
                id: grant.user_id.to_string(),
                email: grant.email.as_str(),
                roles: grant.roles.iter().collect(),
                must_change_password: grant.must_change_password,
            },
        })
        .into_response(),
    );
    if cookie {
        for value in session_cookie::set_cookies(refresh, refresh_expires_in)? {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

/// The refresh token of a refresh or logout: the body's (JSON mode), else the session
/// cookie's once its CSRF token and origin are checked (cookie mode).
fn presented<'a>(
    state: &AppState,
    headers: &'a HeaderMap,
    body: &'a RefreshBody,
) -> Result<(&'a str, SessionMode)> {
    if let Some(token) = &body.refresh_token {
        return Ok((token, SessionMode::Json));
    }
    match session_cookie::refresh_from_cookie(headers, &state.browser_origins)? {
        Some(token) => Ok((token, SessionMode::Cookie)),
        // As before the cookie mode, for JSON clients: the body lacks its field.
        None => Err(ApiError::MalformedBody(
            "missing field `refresh_token` (and no session cookie)".to_owned(),
        )),
    }
}

/// `POST /auth/login`. Roles: public. Failures are slowed down, then refused with 429.
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "auth",
    summary = "Sign in with email and password",
    request_body = Login,
    responses((status = 200, description = "Signed in: an access token and a refresh token (in the body, or in cookies with `\"session\": \"cookie\"`).", body = TokenResponse, headers(("Cache-Control" = String, description = "`no-store`"), ("Set-Cookie" = String, description = "Cookie mode only: `__Secure-gescom_refresh` (`HttpOnly; Secure; SameSite=Strict; Path=/auth`) and `__Host-gescom_csrf` (readable, `Path=/`); a session cookie the browser already held is ended")))),
    extensions(("x-problem-codes" = json!(["@json", "invalid_credentials", "account_disabled", "too_many_attempts", "busy", "unavailable", "csrf_failed"])))
)]
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    CommandContext(metadata): CommandContext,
    AppJson(body): AppJson<Login>,
) -> Result<Response> {
    if body.session == SessionMode::Cookie {
        session_cookie::check_origin(&headers, &state.browser_origins)?;
    }
    let grant = state
        .auth
        .login(&body.email, &body.password, metadata.clone())
        .await?;
    if body.session == SessionMode::Cookie {
        // The browser's cookie is about to be replaced: end the session it held, which no
        // page could otherwise end or see again. Best effort: it may be over already.
        if let Some(replaced) = session_cookie::cookie(&headers, session_cookie::REFRESH_COOKIE) {
            let _ = state.auth.logout(replaced, metadata).await;
        }
    }
    tokens(&grant, body.session)
}

/// `POST /auth/refresh`. Roles: public (the refresh token is the credential).
#[utoipa::path(
    post,
    path = "/auth/refresh",
    tag = "auth",
    summary = "Exchange a refresh token for new tokens",
    description = "JSON mode: the refresh token in the body, new tokens in the body. Cookie mode (body `{}`): the `__Secure-gescom_refresh` cookie, its CSRF token in `X-CSRF-Token`; the cookies are rotated.",
    request_body = RefreshBody,
    params(("X-CSRF-Token" = Option<String>, Header, description = "Cookie mode: the `csrf_token` of the session")),
    responses((status = 200, description = "Signed in: an access token and a refresh token (in the body, or in cookies in cookie mode).", body = TokenResponse, headers(("Cache-Control" = String, description = "`no-store`"), ("Set-Cookie" = String, description = "Cookie mode only: the rotated `__Secure-gescom_refresh` and `__Host-gescom_csrf`")))),
    extensions(("x-problem-codes" = json!(["@json", "invalid_refresh_token", "refresh_token_reused", "account_disabled", "unavailable", "concurrent_modification", "csrf_failed"])))
)]
pub async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    CommandContext(metadata): CommandContext,
    AppJson(body): AppJson<RefreshBody>,
) -> Result<Response> {
    let (token, mode) = presented(&state, &headers, &body)?;
    let grant = state.auth.refresh(token, metadata).await?;
    tokens(&grant, mode)
}

/// `POST /auth/logout`: revokes the refresh token's session. Roles: public (the refresh
/// token is the credential; the access token may have expired already).
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "auth",
    summary = "End the refresh token's session",
    description = "JSON mode: the refresh token in the body. Cookie mode (body `{}`): the `__Secure-gescom_refresh` cookie, its CSRF token in `X-CSRF-Token`; the cookies are cleared, also when the session had already ended.",
    request_body = RefreshBody,
    params(("X-CSRF-Token" = Option<String>, Header, description = "Cookie mode: the `csrf_token` of the session")),
    responses((status = 204, description = "Signed out.", headers(("Set-Cookie" = String, description = "Cookie mode only: both cookies cleared")))),
    extensions(("x-problem-codes" = json!(["@json", "invalid_refresh_token", "unavailable", "concurrent_modification", "csrf_failed"])))
)]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    CommandContext(metadata): CommandContext,
    AppJson(body): AppJson<RefreshBody>,
) -> Result<Response> {
    let (token, mode) = presented(&state, &headers, &body)?;
    let ended = state.auth.logout(token, metadata).await;
    let mut response = match ended {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => ApiError::from(e).into_response(),
    };
    if mode == SessionMode::Cookie {
        for value in session_cookie::clear_cookies() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

#[derive(Serialize, utoipa::ToSchema)]
struct Me {
    id: String,
    email: String,
    display_name: String,
    roles: Vec<Role>,
    permissions: Vec<&'static str>,
    status: &'static str,
    must_change_password: bool,
    version: u64,
}

/// `GET /auth/me`: the caller's account, roles and the permissions they grant. Roles: any
/// signed-in user.
#[utoipa::path(
    get,
    path = "/auth/me",
    tag = "auth",
    summary = "The caller's account",
    responses((status = 200, description = "The caller's account.", body = Me)),
    extensions(("x-problem-codes" = json!(["user_not_found", "unavailable"])))
)]
pub async fn me(State(state): State<AppState>, Caller(caller): Caller) -> Result<Response> {
    let (user, version) = state.auth.users.load(caller.user_id).await?;
    let user = user.state().ok_or_else(|| ApiError::NotFound {
        code: Code::UserNotFound,
        message: "the account of this token no longer exists".to_owned(),
    })?;
    Ok(no_store(
        Json(Me {
            id: user.id.to_string(),
            email: user.email.to_string(),
            display_name: user.display_name.as_str().to_owned(),
            roles: user.roles.iter().collect(),
            permissions: user.roles.permissions(),
            status: user.status.as_str(),
            must_change_password: user.must_change_password,
            version,
        })
        .into_response(),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
struct PasswordChanged<'a> {
    id: String,
    version: u64,
    access_token: &'a str,
    expires_in: i64,
}

/// `POST /auth/password`: the caller changes their own password, giving the current one.
/// Roles: any signed-in user, including one who must change it before anything else.
#[utoipa::path(
    post,
    path = "/auth/password",
    tag = "auth",
    summary = "Change one's own password",
    request_body = ChangePassword,
    responses((status = 200, description = "Changed: a new access token (other sessions ended).", body = PasswordChanged)),
    extensions(("x-problem-codes" = json!(["@json", "wrong_current_password", "too_many_attempts", "account_disabled", "user_not_found", "busy", "unavailable", "concurrent_modification"])))
)]
pub async fn change_password(
    State(state): State<AppState>,
    Caller(caller): Caller,
    CommandContext(metadata): CommandContext,
    AppJson(body): AppJson<ChangePassword>,
) -> Result<Response> {
    let (version, access) = state
        .auth
        .change_own_password(
            &caller,
            &body.current_password,
            &body.new_password,
            metadata,
        )
        .await?;
    Ok(no_store(
        Json(PasswordChanged {
            id: caller.user_id.to_string(),
            version,
            access_token: &access.token,
            expires_in: (access.expires_at - chrono::Utc::now()).num_seconds(),
        })
        .into_response(),
    ))
}
