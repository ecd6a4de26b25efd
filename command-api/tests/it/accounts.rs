//! What an attacker tried against accounts and sessions: lock bypasses through other
//! spellings of an email and through parallel guesses, sessions outliving a password
//! change, admin powers outliving a demotion, the last admin disabled by a race.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::auth::{
    create_user, login, refresh, signed_in, str_of, with_token, NEW_PASSWORD, PASSWORD,
};
use crate::helpers::{test_throttle, TestApp, TestResponse};

async fn failed_logins(pool: &PgPool, reason: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM events
          WHERE aggregate_type = 'LoginAttempt'
            AND payload -> 'LoginFailed' ->> 'reason' = $1",
    )
    .bind(reason)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn every_spelling_of_an_email_draws_on_one_allowance(pool: PgPool) {
    let app = TestApp::new(pool).await;
    create_user(&app, "kevin.andre@example.com", &["sales"]).await;
    let spellings = [
        "KEVIN.ANDRE@EXAMPLE.COM",
        "\u{212A}evin.andre@example.com",          // KELVIN SIGN
        "\u{FF4B}evin.andre@example.com",          // FULLWIDTH k
        "kevin.andre@\u{FF45}xample.com",          // FULLWIDTH e
        " kevin.andr\u{0065}@example.com\u{2003}", // spaces around
    ];
    assert_eq!(spellings.len() as u32, test_throttle().max_per_account);
    for spelling in spellings {
        let wrong = login(&app, spelling, "not his password at all").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{spelling:?}");
    }
    for spelling in ["kevin.andre@example.com", "\u{212A}EVIN.ANDRE@example.com"] {
        let locked = login(&app, spelling, PASSWORD).await;
        assert_eq!(
            locked.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{spelling:?}: {:?}",
            locked.body
        );
    }
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn parallel_guesses_get_no_more_checks_than_the_allowance(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    create_user(&app, "ana@example.com", &["sales"]).await;
    let guesses = (0..16).map(|i| {
        let app = &app;
        async move { login(app, "ana@example.com", &format!("guess number {i}")).await }
    });
    let answers: Vec<TestResponse> = futures::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|a| a.status == StatusCode::UNAUTHORIZED)
        .count();
    let refused = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    let allowance = test_throttle().max_per_account as usize;
    assert_eq!(
        checked,
        allowance,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert_eq!(refused, 16 - allowance);
    assert_eq!(
        failed_logins(&pool, "wrong_password").await,
        allowance as i64
    );
    let right = login(&app, "ana@example.com", PASSWORD).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn wrong_current_passwords_count_as_failed_logins_and_are_audited(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let (access, _) = signed_in(&app, "ana@example.com", &["sales"]).await;
    for i in 0..test_throttle().max_per_account {
        let wrong = with_token(
            &app,
            Method::POST,
            "/auth/password",
            &access,
            &json!({"current_password": format!("wrong {i}"), "new_password": "a brand new passphrase 77"}),
        )
        .await;
        assert_eq!(
            wrong.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{:?}",
            wrong.body
        );
        assert_eq!(wrong.code(), "wrong_current_password");
    }
    let locked = with_token(
        &app,
        Method::POST,
        "/auth/password",
        &access,
        &json!({"current_password": NEW_PASSWORD, "new_password": "a brand new passphrase 77"}),
    )
    .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    let login_too = login(&app, "ana@example.com", NEW_PASSWORD).await;
    assert_eq!(
        login_too.status,
        StatusCode::TOO_MANY_REQUESTS,
        "one lock for both routes"
    );
    assert_eq!(
        failed_logins(&pool, "wrong_current_password").await,
        i64::from(test_throttle().max_per_account)
    );
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_password_change_ends_every_other_session(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (access, kept) = signed_in(&app, "ana@example.com", &["sales"]).await;
    let other = login(&app, "ana@example.com", NEW_PASSWORD).await;
    let other = str_of(&other.body, "refresh_token").to_owned();

    let changed = with_token(
        &app,
        Method::POST,
        "/auth/password",
        &access,
        &json!({"current_password": NEW_PASSWORD, "new_password": "une autre phrase secrète 2027"}),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);

    let ended = refresh(&app, &other).await;
    assert_eq!(ended.status, StatusCode::UNAUTHORIZED);
    assert_eq!(ended.code(), "invalid_refresh_token");
    assert_eq!(
        refresh(&app, &other).await.code(),
        "invalid_refresh_token",
        "ended for good"
    );
    let still = refresh(&app, &kept).await;
    assert_eq!(
        still.status,
        StatusCode::OK,
        "the session it was changed from: {:?}",
        still.body
    );
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn an_admin_reset_ends_every_session_and_refuses_the_email_or_the_same_password(
    pool: PgPool,
) {
    let app = TestApp::new(pool).await;
    let (_, session) = signed_in(&app, "ana@example.com", &["sales"]).await;
    let me = login(&app, "ana@example.com", NEW_PASSWORD).await;
    let id = str_of(&me.body["user"], "id").to_owned();
    let second = str_of(&me.body, "refresh_token").to_owned();
    let reset = |password: &str| {
        let app = &app;
        let uri = format!("/users/{id}/password");
        let body = json!({"new_password": password});
        async move { app.json(Method::POST, &uri, &[], &body).await }
    };
    for (password, code) in [
        ("ana@example.com", "password_too_common"),
        ("ANA@EXAMPLE.COM", "password_too_common"),
        (NEW_PASSWORD, "password_unchanged"),
        ("                    ", "password_too_weak"),
        ("zzzzzzzzzzzzzzzzzzzz", "password_too_weak"),
    ] {
        let refused = reset(password).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password:?}"
        );
        assert_eq!(
            refused.body["errors"][0]["code"], code,
            "{password:?}: {:?}",
            refused.body
        );
    }
    let done = reset("un nouveau départ pour Ana").await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    for token in [&session, &second] {
        let ended = refresh(&app, token).await;
        assert_eq!(ended.status, StatusCode::UNAUTHORIZED);
        assert_eq!(ended.code(), "invalid_refresh_token");
    }
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn an_own_new_password_must_differ_from_the_current_one(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (access, _) = signed_in(&app, "ana@example.com", &["sales"]).await;
    let same = with_token(
        &app,
        Method::POST,
        "/auth/password",
        &access,
        &json!({"current_password": NEW_PASSWORD, "new_password": NEW_PASSWORD}),
    )
    .await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(same.body["errors"][0]["code"], "password_unchanged");
}

/// An admin other than the app's caller: their access token (claims: admin) and id.
async fn second_admin(app: &TestApp) -> (String, String) {
    let (access, _) = signed_in(app, "second.admin@example.com", &["admin"]).await;
    let me = with_token(app, Method::GET, "/auth/me", &access, &Value::Null).await;
    (access, str_of(&me.body, "id").to_owned())
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_disabled_or_demoted_admin_loses_admin_powers_at_once(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (access, id) = second_admin(&app).await;
    let new_user = |email: &str| json!({"email": email, "display_name": "Someone", "roles": ["sales"], "password": PASSWORD});
    let before = with_token(
        &app,
        Method::POST,
        "/users",
        &access,
        &new_user("x1@example.com"),
    )
    .await;
    assert_eq!(before.status, StatusCode::CREATED, "{:?}", before.body);

    let demoted = app
        .json(
            Method::PUT,
            &format!("/users/{id}/roles"),
            &[],
            &json!({"roles": ["sales"]}),
        )
        .await;
    assert_eq!(demoted.status, StatusCode::OK, "{:?}", demoted.body);
    let target = str_of(&before.body, "id").to_owned();
    let attempts = [
        (
            Method::POST,
            "/users".to_owned(),
            new_user("x2@example.com"),
        ),
        (
            Method::PUT,
            format!("/users/{target}/roles"),
            json!({"roles": ["admin"]}),
        ),
        (
            Method::POST,
            format!("/users/{target}/disable"),
            Value::Null,
        ),
        (Method::POST, format!("/users/{target}/enable"), Value::Null),
        (
            Method::POST,
            format!("/users/{target}/password"),
            json!({"new_password": "une phrase choisie par un pirate"}),
        ),
    ];
    for (method, uri, body) in &attempts {
        let refused = with_token(&app, method.clone(), uri, &access, body).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{method} {uri}: {:?}",
            refused.body
        );
        assert_eq!(refused.code(), "forbidden");
    }

    let restored = app
        .json(
            Method::PUT,
            &format!("/users/{id}/roles"),
            &[],
            &json!({"roles": ["admin"]}),
        )
        .await;
    assert_eq!(restored.status, StatusCode::OK);
    let disabled = app.post_empty(&format!("/users/{id}/disable")).await;
    assert_eq!(disabled.status, StatusCode::OK);
    let (method, uri, body) = &attempts[0];
    let refused = with_token(&app, method.clone(), uri, &access, body).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn two_admins_disabling_each_other_at_once_leave_one_enabled(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let (access, second) = second_admin(&app).await;
    let first = app.caller.sub.to_string();
    for round in 0..4 {
        let (disable_second, disable_first) = (
            format!("/users/{second}/disable"),
            format!("/users/{first}/disable"),
        );
        let (a, b) = tokio::join!(
            app.post_empty(&disable_second),
            with_token(&app, Method::POST, &disable_first, &access, &Value::Null),
        );
        let enabled_admins: i64 =
            sqlx::query_scalar("SELECT count(*) FROM account_access WHERE admin AND enabled")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(
            enabled_admins, 1,
            "round {round}: {:?} / {:?}",
            a.body, b.body
        );
        let succeeded = [&a, &b]
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        assert_eq!(succeeded, 1, "round {round}: {:?} / {:?}", a.body, b.body);
        for refused in [&a, &b].into_iter().filter(|r| r.status != StatusCode::OK) {
            assert!(
                ["last_admin", "forbidden"].contains(&refused.code()),
                "{:?}",
                refused.body
            );
        }
        // Whoever is left enables the other again for the next round.
        if a.status == StatusCode::OK {
            let back = with_token(
                &app,
                Method::POST,
                &format!("/users/{second}/enable"),
                &access,
                &Value::Null,
            )
            .await;
            assert_eq!(
                back.status,
                StatusCode::FORBIDDEN,
                "a disabled admin cannot"
            );
            let enabled = app.post_empty(&format!("/users/{second}/enable")).await;
            assert_eq!(enabled.status, StatusCode::OK, "{:?}", enabled.body);
        } else {
            let enabled = with_token(
                &app,
                Method::POST,
                &format!("/users/{first}/enable"),
                &access,
                &Value::Null,
            )
            .await;
            assert_eq!(enabled.status, StatusCode::OK, "{:?}", enabled.body);
        }
    }
}
