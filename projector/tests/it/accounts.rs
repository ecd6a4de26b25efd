//! The users and audit read models, and the projector's admin endpoint.

use axum::body::Body;
use axum::http::Request;
use command_api::domain::session::{Session, SessionCommand};
use command_api::domain::user::{User, UserCommand};
use command_api::es::CommandBus;
use contracts::account::{DisplayName, Email};
use contracts::auth::{Role, Roles};
use contracts::ids::{SessionId, UserId};
use projector::admin::route_table;

use sqlx::PgPool;
use tower::ServiceExt;

use crate::helpers::{admin_app, metadata};

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn accounts_are_projected_without_secrets(pool: PgPool) {
    let users = CommandBus::<User>::new(pool.clone(), ());
    let sessions = CommandBus::<Session>::new(pool.clone(), ());
    let id = UserId::generate();
    let email = Email::parse("ana@example.com").unwrap();
    users
        .execute(
            id,
            UserCommand::Create {
                id,
                email: email.clone(),
                display_name: DisplayName::parse("Ana").unwrap(),
                roles: Roles::try_from(vec![Role::Sales, Role::Analyst]).unwrap(),
                password_hash: "$argon2id$v=19$secret".to_owned(),
                must_change_password: true,
            },
            None,
            metadata("admin-1", "c-1"),
        )
        .await
        .unwrap();
    users
        .execute(
            id,
            UserCommand::Disable {
                by: UserId::generate(),
            },
            None,
            metadata("admin-1", "c-2"),
        )
        .await
        .unwrap();
    let session = SessionId::generate();
    sessions
        .execute(
            session,
            SessionCommand::Start {
                id: session,
                user_id: id,
                email,
                token_hash: "0123abcd".to_owned(),
                expires_at: chrono::Utc::now() + chrono::Duration::days(1),
                password_epoch: 0,
            },
            None,
            metadata(&id.to_string(), "c-3"),
        )
        .await
        .unwrap();

    projector::rebuild::rebuild(&pool, |_| {}).await.unwrap();

    let (roles, status, must_change, version, last_login): (Vec<String>, String, bool, i64, Option<chrono::DateTime<chrono::Utc>>) =
        sqlx::query_as("SELECT roles, status, must_change_password, version, last_login_at FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(roles, ["sales", "analyst"]);
    assert_eq!(status, "disabled");
    assert!(must_change);
    assert_eq!(version, 2);
    assert!(last_login.is_some());

    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT payload::text FROM audit_log ORDER BY occurred_at")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(payloads.len(), 3);
    let all = payloads.join("\n");
    assert!(
        !all.contains("argon2id") && !all.contains("0123abcd"),
        "{all}"
    );
    assert!(all.contains("<redacted>"));
    let (actor, roles): (String, Option<String>) =
        sqlx::query_as("SELECT actor_id, actor_roles FROM audit_log WHERE correlation_id = 'c-1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (actor.as_str(), roles.as_deref()),
        ("admin-1", Some("sales"))
    );
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn the_admin_endpoint_answers_admins_only(pool: PgPool) {
    let app = admin_app(&pool);
    // Expectations from `schemas/roles.tsv`, which the route table must match.
    testkit::auth::assert_route_matrix("projector", &route_table(), |route, uri, token| {
        let mut request = Request::builder().method(route.method.clone()).uri(uri);
        if let Some(token) = token {
            request = request.header("authorization", token);
        }
        let response = app.clone().oneshot(request.body(Body::empty()).unwrap());
        async move { response.await.unwrap().status().as_u16() }
    })
    .await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn the_admin_endpoints_refuse_malformed_ids_with_problem_json(pool: PgPool) {
    let app = admin_app(&pool);
    let admin = testkit::auth::bearer(&[contracts::auth::Role::Admin]);
    let checked = testkit::auth::assert_malformed_ids_refused(&route_table(), |spec, uri| {
        let request = Request::builder()
            .method(spec.method.clone())
            .uri(uri)
            .header("authorization", admin.as_str())
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request);
        async move {
            let response = response.await.unwrap();
            testkit::auth::Answer {
                status: response.status().as_u16(),
                content_type: response
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
            }
        }
    })
    .await;
    assert!(checked > 0, "the dead-letter routes have an id");
}

/// A skip must say why: the reason is required, trimmed and bounded, and a refused body
/// is a problem+json naming the field.
#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn skipping_a_dead_letter_needs_a_reason(pool: PgPool) {
    let app = admin_app(&pool);
    let admin = testkit::auth::bearer(&[Role::Admin]);
    let skip = |body: &'static str| {
        let request = Request::builder()
            .method("POST")
            .uri("/admin/dead-letters/7/skip")
            .header("authorization", admin.as_str())
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        let app = app.clone();
        async move {
            let response = app.oneshot(request).await.unwrap();
            let status = response.status().as_u16();
            let content_type = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            let body = axum::body::to_bytes(response.into_body(), 1 << 16)
                .await
                .unwrap();
            let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(content_type, "application/problem+json");
            (status, problem)
        }
    };
    let (status, problem) = skip("{}").await;
    assert_eq!((status, &problem["code"]), (400, &"malformed_body".into()));
    for blank in [r#"{"reason":"   "}"#, r#"{"reason":"a\u0007b"}"#] {
        let (status, problem) = skip(blank).await;
        assert_eq!(
            (status, &problem["code"]),
            (422, &"validation_failed".into())
        );
        assert_eq!(problem["errors"][0]["field"], "reason");
    }
    let long = format!(r#"{{"reason":"{}"}}"#, "x".repeat(501)).leak();
    let (status, _) = skip(long).await;
    assert_eq!(status, 422);
    // A refused body is echoed bounded, control characters escaped.
    let hostile = format!(r#"{{"reason":"x","{}\u001b[31m":1}}"#, "k".repeat(3000)).leak();
    let (status, problem) = skip(hostile).await;
    let detail = problem["detail"].as_str().unwrap();
    assert_eq!(status, 400);
    assert!(
        detail.chars().count() <= 501 && !detail.contains('\u{1b}'),
        "{detail}"
    );
    // A good reason reaches the table: there is no dead letter 7.
    let (status, problem) = skip(r#"{"reason":"duplicate import"}"#).await;
    assert_eq!(
        (status, &problem["code"]),
        (404, &"dead_letter_not_found".into())
    );
}

/// README's configuration table lists every variable projector reads, with its default.
#[test]
fn every_environment_variable_is_documented() {
    use clap::CommandFactory;
    testkit::documented::assert_environment_documented(
        "projector",
        &projector::cli::Cli::command(),
        platform::telemetry::PROCESS_VARIABLES,
    );
}
