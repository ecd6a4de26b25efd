//! Login, refresh rotation and reuse detection, logout, refused tokens, throttling,
//! account administration, against the real database.

use axum::http::{Method, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use contracts::auth::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{TestApp, TestResponse};

pub const PASSWORD: &str = "correct horse battery staple";
pub const NEW_PASSWORD: &str = "tulipes en Hollande 1637";

pub async fn create_user(app: &TestApp, email: &str, roles: &[&str]) -> TestResponse {
    let response = app
        .json(
            Method::POST,
            "/users",
            &[],
            &json!({"email": email, "display_name": "Ana Dupont", "roles": roles, "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{:?}", response.body);
    response
}

pub async fn login(app: &TestApp, email: &str, password: &str) -> TestResponse {
    app.json(
        Method::POST,
        "/auth/login",
        &[("authorization", "")],
        &json!({"email": email, "password": password}),
    )
    .await
}

pub async fn with_token(
    app: &TestApp,
    method: Method,
    uri: &str,
    token: &str,
    body: &Value,
) -> TestResponse {
    let bearer = format!("Bearer {token}");
    app.json(method, uri, &[("authorization", &bearer)], body)
        .await
}

pub fn str_of<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {body}"))
}

/// A user who has logged in and set their own password: their access and refresh tokens.
pub async fn signed_in(app: &TestApp, email: &str, roles: &[&str]) -> (String, String) {
    create_user(app, email, roles).await;
    let first = login(app, email, PASSWORD).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let changed = with_token(
        app,
        Method::POST,
        "/auth/password",
        str_of(&first.body, "access_token"),
        &json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    (
        str_of(&changed.body, "access_token").to_owned(),
        str_of(&first.body, "refresh_token").to_owned(),
    )
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_new_user_logs_in_must_change_the_password_then_works(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    create_user(&app, "Ana@Example.com", &["sales"]).await;

    let first = login(&app, "ana@example.COM", PASSWORD).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.header("cache-control"), Some("no-store"));
    assert_eq!(first.body["token_type"], "Bearer");
    assert_eq!(first.body["user"]["must_change_password"], true);
    let access = str_of(&first.body, "access_token");

    let blocked = with_token(
        &app,
        Method::POST,
        "/products",
        access,
        &crate::helpers::product_body("PWD-1"),
    )
    .await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    assert_eq!(blocked.code(), "password_change_required");

    let changed = with_token(
        &app,
        Method::POST,
        "/auth/password",
        access,
        &json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    let access = str_of(&changed.body, "access_token");
    let created = with_token(
        &app,
        Method::POST,
        "/products",
        access,
        &crate::helpers::product_body("PWD-1"),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);

    let me = with_token(&app, Method::GET, "/auth/me", access, &Value::Null).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["email"], "ana@example.com");
    assert_eq!(me.body["roles"], json!(["sales"]));
    assert_eq!(
        me.body["permissions"],
        json!(["catalogue:read", "catalogue:write", "orders:write"])
    );
    assert_eq!(me.body["must_change_password"], false);

    assert_eq!(
        login(&app, "ana@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&app, "ana@example.com", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_wrong_password_and_an_unknown_email_look_alike_and_are_recorded(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    create_user(&app, "ana@example.com", &["sales"]).await;
    let wrong = login(&app, "ana@example.com", "not the password at all").await;
    let unknown = login(&app, "nobody@example.com", PASSWORD).await;
    for response in [&wrong, &unknown] {
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert_eq!(response.code(), "invalid_credentials");
        assert_eq!(response.header("www-authenticate"), Some("Bearer"));
    }
    let reasons: Vec<String> = sqlx::query_scalar(
        "SELECT payload -> 'LoginFailed' ->> 'reason' FROM events
          WHERE aggregate_type = 'LoginAttempt' ORDER BY position",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(reasons, ["wrong_password", "unknown_email"]);
}

pub async fn refresh(app: &TestApp, token: &str) -> TestResponse {
    app.json(
        Method::POST,
        "/auth/refresh",
        &[("authorization", "")],
        &json!({"refresh_token": token}),
    )
    .await
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn refresh_rotates_and_a_reused_token_revokes_the_family(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (_, first) = signed_in(&app, "ana@example.com", &["sales"]).await;

    let rotated = refresh(&app, &first).await;
    assert_eq!(rotated.status, StatusCode::OK, "{:?}", rotated.body);
    let second = str_of(&rotated.body, "refresh_token").to_owned();
    assert_ne!(second, first);
    assert_eq!(rotated.body["user"]["must_change_password"], false);

    let reused = refresh(&app, &first).await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reused.code(), "refresh_token_reused");

    let after = refresh(&app, &second).await;
    assert_eq!(
        after.status,
        StatusCode::UNAUTHORIZED,
        "the whole family is revoked"
    );
    assert_eq!(after.code(), "invalid_refresh_token");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn logout_revokes_the_refresh_token_and_names_its_owner(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let (_, token) = signed_in(&app, "ana@example.com", &["analyst"]).await;
    let out = app
        .json(
            Method::POST,
            "/auth/logout",
            &[("authorization", "")],
            &json!({"refresh_token": token}),
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    // The audit trail names who signed out, though the route takes no access token.
    let (actor, roles): (String, Option<String>) = sqlx::query_as(
        "SELECT e.metadata->>'actor_id', e.metadata->>'actor_roles' FROM events e
         WHERE e.event_type = 'SessionEnded' ORDER BY e.position DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let ana: String = sqlx::query_scalar(
        "SELECT aggregate_id FROM events WHERE event_type = 'UserCreated'
         AND payload::text LIKE '%ana@example.com%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(actor, ana);
    assert_eq!(roles.as_deref(), Some("analyst"));
    let again = refresh(&app, &token).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.code(), "invalid_refresh_token");
    let garbage = refresh(&app, "not-a-token").await;
    assert_eq!(garbage.code(), "invalid_refresh_token");
}

fn forged(header: &Value, claims: &Value, signature: &[u8]) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        part(header),
        part(claims),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn bad_tokens_are_refused_with_401(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let valid = testkit::auth::claims(&[Role::Admin]);
    let claims_json = serde_json::to_value(&valid).unwrap();

    let mut expired = valid.clone();
    expired.iat -= 3600;
    expired.exp = expired.iat + 60;
    let mut wrong_audience = valid.clone();
    wrong_audience.aud = "someone-else".to_owned();
    let mut wrong_issuer = valid.clone();
    wrong_issuer.iss = "evil".to_owned();
    let mut not_yet = valid.clone();
    not_yet.nbf = Some(valid.iat + 120);
    let mut from_the_future = valid.clone();
    from_the_future.iat += 120;
    from_the_future.exp += 120;
    let mut too_long = valid.clone();
    too_long.exp = valid.iat + 24 * 3600;
    let hs256 = {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("test-1".to_owned());
        let key = EncodingKey::from_secret(testkit::auth::PUBLIC_PEM.as_bytes()).unwrap();
        jsonwebtoken::encode(&header, &valid, &key).unwrap()
    };
    let cases = [
        ("expired", testkit::auth::sign(&expired), "token_expired"),
        (
            "signed by another key",
            testkit::auth::sign_with(&valid, testkit::auth::OTHER_PRIVATE_PEM, "test-1"),
            "invalid_token",
        ),
        (
            "unknown kid",
            testkit::auth::sign_with(&valid, testkit::auth::PRIVATE_PEM, "test-2"),
            "invalid_token",
        ),
        (
            "alg none",
            forged(
                &json!({"alg": "none", "typ": "JWT", "kid": "test-1"}),
                &claims_json,
                b"",
            ),
            "invalid_token",
        ),
        (
            "HS256 with the public key as secret",
            hs256,
            "invalid_token",
        ),
        (
            "wrong audience",
            testkit::auth::sign(&wrong_audience),
            "invalid_token",
        ),
        (
            "wrong issuer",
            testkit::auth::sign(&wrong_issuer),
            "invalid_token",
        ),
        ("garbage", "abc.def.ghi".to_owned(), "invalid_token"),
        (
            "not valid before",
            testkit::auth::sign(&not_yet),
            "invalid_token",
        ),
        (
            "issued in the future",
            testkit::auth::sign(&from_the_future),
            "invalid_token",
        ),
        (
            "a lifetime beyond the configured one",
            testkit::auth::sign(&too_long),
            "invalid_token",
        ),
    ];
    for (what, token, code) in cases {
        let response = with_token(&app, Method::GET, "/auth/me", &token, &Value::Null).await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "{what}: {:?}",
            response.body
        );
        assert_eq!(response.code(), code, "{what}");
    }
    let none = app
        .json(
            Method::GET,
            "/auth/me",
            &[("authorization", "")],
            &Value::Null,
        )
        .await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.code(), "unauthenticated");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_failed_login_burst_from_one_address_gets_429(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let limit = crate::helpers::test_throttle().max_per_address;
    for i in 0..limit {
        // A different account each time: only the address limit can bite.
        let response = login(
            &app,
            &format!("guess{i}@example.com"),
            "wrong password here",
        )
        .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let refused = login(&app, "guess-last@example.com", "wrong password here").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.code(), "too_many_attempts");
    let retry_after: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= 15 * 60, "{retry_after}");
}

/// Behind the web frontend's reverse proxy every browser arrives from the proxy's address:
/// the proxy's `X-Forwarded-For` names each client, so one client's failures lock that
/// client, not everyone. From a peer that is not a trusted proxy the header is ignored.
#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn behind_a_trusted_proxy_the_address_limit_keys_on_the_forwarded_client(pool: PgPool) {
    // TestApp's requests come from 192.0.2.1: the proxy.
    let mut settings = platform::web::HttpSettings::new(crate::helpers::REQUEST_TIME_LIMIT);
    settings.trusted_proxies =
        std::sync::Arc::from(vec!["192.0.2.0/29".parse::<ipnet::IpNet>().unwrap()]);
    let app = TestApp::with_settings(pool, crate::helpers::test_throttle(), settings).await;
    let limit = crate::helpers::test_throttle().max_per_address;
    let login_from = |client: &'static str, i: usize| {
        let app = &app;
        async move {
            app.json(
                Method::POST,
                "/auth/login",
                &[("authorization", ""), ("x-forwarded-for", client)],
                &json!({"email": format!("guess{i}@example.com"), "password": "wrong password here"}),
            )
            .await
        }
    };
    for i in 0..limit {
        // The attacker's own address first, then the proxy chain: only the last hop
        // that is not a trusted proxy counts.
        let response = login_from("10.9.9.9, 203.0.113.66, 192.0.2.3", i as usize).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let refused = login_from("203.0.113.66", 999).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is not locked out.
    let other = login_from("198.51.100.20", 1000).await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
    // Nor is the address the attacker wrote first in the header.
    let spoofed = login_from("10.9.9.9", 1001).await;
    assert_eq!(spoofed.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn repeated_failures_lock_the_account_even_for_the_right_password(pool: PgPool) {
    let app = TestApp::new(pool).await;
    create_user(&app, "ana@example.com", &["sales"]).await;
    for _ in 0..crate::helpers::test_throttle().max_per_account {
        assert_eq!(
            login(&app, "ana@example.com", "wrong password here")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = login(&app, "ana@example.com", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_disabled_account_can_neither_log_in_nor_refresh(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (_, token) = signed_in(&app, "ana@example.com", &["sales"]).await;
    let id: String = {
        let me = login(&app, "ana@example.com", NEW_PASSWORD).await;
        str_of(&me.body["user"], "id").to_owned()
    };
    let disabled = app.post_empty(&format!("/users/{id}/disable")).await;
    assert_eq!(disabled.status, StatusCode::OK, "{:?}", disabled.body);
    // The right password of a disabled account answers exactly as a wrong one: anything
    // else would confirm a guess.
    let right = login(&app, "ana@example.com", NEW_PASSWORD).await;
    let wrong = login(&app, "ana@example.com", "not her password at all").await;
    assert_eq!(right.status, StatusCode::UNAUTHORIZED);
    assert_eq!(right.code(), "invalid_credentials");
    assert_eq!(right.body, wrong.body);
    assert_eq!(refresh(&app, &token).await.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn account_rules_answer_with_their_codes(pool: PgPool) {
    let app = TestApp::new(pool).await;
    create_user(&app, "ana@example.com", &["sales"]).await;
    let twice = app
        .json(
            Method::POST,
            "/users",
            &[],
            &json!({"email": "ANA@example.com", "display_name": "Ana", "roles": ["analyst"], "password": PASSWORD}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.code(), "email_taken");

    let weak = app
        .json(
            Method::POST,
            "/users",
            &[],
            &json!({"email": "bob@", "display_name": "", "roles": ["root"], "password": "azertyuiop123"}),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<(&str, &str)> = weak.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("email", "invalid_email"),
            ("display_name", "required"),
            ("roles", "unknown_role"),
            ("password", "password_too_common"),
        ]
    );

    let (access, _) = signed_in(&app, "root@example.com", &["admin"]).await;
    let me = with_token(&app, Method::GET, "/auth/me", &access, &Value::Null).await;
    let own = format!("/users/{}/disable", str_of(&me.body, "id"));
    let self_disable = with_token(&app, Method::POST, &own, &access, &Value::Null).await;
    assert_eq!(self_disable.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(self_disable.code(), "cannot_disable_self");
}

/// The `Set-Cookie` lines of a response, in order.
fn set_cookies(response: &TestResponse) -> Vec<String> {
    response
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect()
}

/// The value of cookie `name` set by a response.
fn cookie_value(response: &TestResponse, name: &str) -> String {
    set_cookies(response)
        .iter()
        .find_map(|line| {
            line.split(';')
                .next()
                .and_then(|pair| pair.split_once('='))
                .filter(|(key, _)| *key == name)
                .map(|(_, value)| value.to_owned())
        })
        .unwrap_or_else(|| panic!("no cookie {name} in {:?}", set_cookies(response)))
}

async fn cookie_login(app: &TestApp, email: &str) -> TestResponse {
    app.json(
        Method::POST,
        "/auth/login",
        &[
            ("authorization", ""),
            ("origin", "http://127.0.0.1:5173"),
            ("sec-fetch-site", "same-origin"),
        ],
        &json!({"email": email, "password": PASSWORD, "session": "cookie"}),
    )
    .await
}

/// A cookie-mode refresh or logout as a browser on the app's origin sends it.
async fn by_cookie(app: &TestApp, uri: &str, refresh: &str, csrf: Option<&str>) -> TestResponse {
    let cookie = format!("__Secure-gescom_refresh={refresh}; __Host-gescom_csrf=ignored");
    let mut headers = vec![
        ("authorization", ""),
        ("cookie", cookie.as_str()),
        ("origin", "http://127.0.0.1:5173"),
        ("sec-fetch-site", "same-origin"),
    ];
    if let Some(csrf) = csrf {
        headers.push(("x-csrf-token", csrf));
    }
    app.json(Method::POST, uri, &headers, &json!({})).await
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_browser_session_keeps_the_refresh_token_in_an_http_only_cookie(pool: PgPool) {
    let app = TestApp::new(pool).await;
    create_user(&app, "cookie@example.com", &["sales"]).await;

    let signed_in = cookie_login(&app, "cookie@example.com").await;
    assert_eq!(signed_in.status, StatusCode::OK, "{:?}", signed_in.body);
    assert!(
        signed_in.body.get("refresh_token").is_none(),
        "{}",
        signed_in.body
    );
    assert!(signed_in.body["access_token"].is_string());
    let csrf = str_of(&signed_in.body, "csrf_token").to_owned();
    let refresh = cookie_value(&signed_in, "__Secure-gescom_refresh");
    let max_age = signed_in.body["refresh_expires_in"]
        .as_i64()
        .expect("refresh_expires_in");
    assert_eq!(
        set_cookies(&signed_in),
        [
            format!("__Secure-gescom_refresh={refresh}; Path=/auth; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"),
            format!("__Host-gescom_csrf={csrf}; Path=/; Max-Age={max_age}; Secure; SameSite=Strict"),
        ]
    );
    assert_eq!(signed_in.header("cache-control"), Some("no-store"));

    // The cookie is rotated by a refresh; the body still has no refresh token.
    let refreshed = by_cookie(&app, "/auth/refresh", &refresh, Some(&csrf)).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{:?}", refreshed.body);
    assert!(refreshed.body.get("refresh_token").is_none());
    let rotated = cookie_value(&refreshed, "__Secure-gescom_refresh");
    let rotated_csrf = str_of(&refreshed.body, "csrf_token").to_owned();
    assert_ne!(rotated, refresh);
    assert_ne!(rotated_csrf, csrf);
    assert_eq!(cookie_value(&refreshed, "__Host-gescom_csrf"), rotated_csrf);
    let me = with_token(
        &app,
        Method::GET,
        "/auth/me",
        str_of(&refreshed.body, "access_token"),
        &json!({}),
    )
    .await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);

    // The old CSRF token does not go with the new cookie.
    let stale = by_cookie(&app, "/auth/refresh", &rotated, Some(&csrf)).await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    assert_eq!(stale.body["code"], "csrf_failed");

    // Logout ends the session and clears both cookies.
    let out = by_cookie(&app, "/auth/logout", &rotated, Some(&rotated_csrf)).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{:?}", out.body);
    assert_eq!(
        set_cookies(&out),
        [
            "__Secure-gescom_refresh=; Path=/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
            "__Host-gescom_csrf=; Path=/; Max-Age=0; Secure; SameSite=Strict",
        ]
    );
    let after = by_cookie(&app, "/auth/refresh", &rotated, Some(&rotated_csrf)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.body["code"], "invalid_refresh_token");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_cookie_refresh_without_the_csrf_token_or_from_another_origin_is_refused(pool: PgPool) {
    let app = TestApp::new(pool).await;
    create_user(&app, "csrf@example.com", &["sales"]).await;
    let signed_in = cookie_login(&app, "csrf@example.com").await;
    assert_eq!(signed_in.status, StatusCode::OK, "{:?}", signed_in.body);
    let csrf = str_of(&signed_in.body, "csrf_token").to_owned();
    let refresh = cookie_value(&signed_in, "__Secure-gescom_refresh");

    for presented in [None, Some("wrong"), Some(&csrf[1..])] {
        for uri in ["/auth/refresh", "/auth/logout"] {
            let refused = by_cookie(&app, uri, &refresh, presented).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{uri} {presented:?}");
            assert_eq!(refused.body["code"], "csrf_failed");
            assert_eq!(
                refused.header("content-type"),
                Some("application/problem+json")
            );
            assert!(set_cookies(&refused).is_empty());
        }
    }

    // A cross-site page cannot use the cookie, even with the right token.
    let cookie = format!("__Secure-gescom_refresh={refresh}");
    let foreign = app
        .json(
            Method::POST,
            "/auth/refresh",
            &[
                ("authorization", ""),
                ("cookie", &cookie),
                ("x-csrf-token", &csrf),
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
            &json!({}),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert_eq!(foreign.body["code"], "csrf_failed");
    let foreign_login = app
        .json(
            Method::POST,
            "/auth/login",
            &[("authorization", ""), ("origin", "https://evil.example")],
            &json!({"email": "csrf@example.com", "password": PASSWORD, "session": "cookie"}),
        )
        .await;
    assert_eq!(foreign_login.status, StatusCode::FORBIDDEN);
    assert_eq!(foreign_login.body["code"], "csrf_failed");

    // The session was not touched by the refused calls.
    let still = by_cookie(&app, "/auth/refresh", &refresh, Some(&csrf)).await;
    assert_eq!(still.status, StatusCode::OK, "{:?}", still.body);

    // Neither a body token nor a cookie: a JSON client's malformed body, as before.
    let nothing = app
        .json(
            Method::POST,
            "/auth/refresh",
            &[("authorization", "")],
            &json!({}),
        )
        .await;
    assert_eq!(nothing.status, StatusCode::BAD_REQUEST);
    assert_eq!(nothing.body["code"], "malformed_body");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_new_cookie_sign_in_ends_the_session_it_replaces_and_two_cookies_are_refused(
    pool: PgPool,
) {
    let app = TestApp::new(pool).await;
    create_user(&app, "replace@example.com", &["sales"]).await;
    let first = cookie_login(&app, "replace@example.com").await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let old = cookie_value(&first, "__Secure-gescom_refresh");
    let old_csrf = str_of(&first.body, "csrf_token").to_owned();

    // The browser signs in again (another account, or the same) while holding the cookie.
    let cookie = format!("__Secure-gescom_refresh={old}");
    let second = app
        .json(
            Method::POST,
            "/auth/login",
            &[
                ("authorization", ""),
                ("cookie", &cookie),
                ("origin", "http://127.0.0.1:5173"),
                ("sec-fetch-site", "same-origin"),
            ],
            &json!({"email": "replace@example.com", "password": PASSWORD, "session": "cookie"}),
        )
        .await;
    assert_eq!(second.status, StatusCode::OK, "{:?}", second.body);
    let new = cookie_value(&second, "__Secure-gescom_refresh");
    let new_csrf = str_of(&second.body, "csrf_token").to_owned();
    let ended = by_cookie(&app, "/auth/refresh", &old, Some(&old_csrf)).await;
    assert_eq!(ended.status, StatusCode::UNAUTHORIZED, "{:?}", ended.body);

    // A cookie planted beside the browser's own: refused, whichever comes first.
    let planted = format!("__Secure-gescom_refresh=planted; __Secure-gescom_refresh={new}");
    let refused = app
        .json(
            Method::POST,
            "/auth/refresh",
            &[
                ("authorization", ""),
                ("cookie", &planted),
                ("x-csrf-token", &new_csrf),
                ("origin", "http://127.0.0.1:5173"),
                ("sec-fetch-site", "same-origin"),
            ],
            &json!({}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.body["code"], "csrf_failed");
    // The browser's own session is untouched.
    let own = by_cookie(&app, "/auth/refresh", &new, Some(&new_csrf)).await;
    assert_eq!(own.status, StatusCode::OK, "{:?}", own.body);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn the_json_mode_sets_no_cookie(pool: PgPool) {
    let app = TestApp::new(pool).await;
    create_user(&app, "json@example.com", &["sales"]).await;
    let signed_in = login(&app, "json@example.com", PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{:?}", signed_in.body);
    assert!(signed_in.body["refresh_token"].is_string());
    assert!(signed_in.body.get("csrf_token").is_none());
    assert!(set_cookies(&signed_in).is_empty());
    let explicit = app
        .json(
            Method::POST,
            "/auth/refresh",
            &[("authorization", "")],
            &json!({"refresh_token": str_of(&signed_in.body, "refresh_token")}),
        )
        .await;
    assert_eq!(explicit.status, StatusCode::OK, "{:?}", explicit.body);
    assert!(explicit.body["refresh_token"].is_string());
    assert!(set_cookies(&explicit).is_empty());
    let out = app
        .json(
            Method::POST,
            "/auth/logout",
            &[("authorization", "")],
            &json!({"refresh_token": str_of(&explicit.body, "refresh_token")}),
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(set_cookies(&out).is_empty());
}
