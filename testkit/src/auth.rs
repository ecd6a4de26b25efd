//! Keys and tokens for tests. The key pairs under `keys/` exist for tests only (`other`
//! plays a stranger's key); their key ids start with `test-`, and nothing outside tests
//! refers to them.

use std::sync::Arc;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use shared::auth::{Claims, Role, Roles, TokenSettings, TokenVerifier};
use shared::ids::{SessionId, UserId};

pub const PRIVATE_PEM: &str = include_str!("../keys/test.key.pem");
pub const PUBLIC_PEM: &str = include_str!("../keys/test.pub.pem");
/// A key pair nobody trusts.
pub const OTHER_PRIVATE_PEM: &str = include_str!("../keys/other.key.pem");

pub fn settings() -> TokenSettings {
    TokenSettings {
        issuer: "gescom".to_owned(),
        audience: "gescom-api".to_owned(),
        kid: "test-1".to_owned(),
        access_ttl_secs: 900,
    }
}

pub fn verifier() -> Arc<TokenVerifier> {
    Arc::new(
        TokenVerifier::from_public_pem(PUBLIC_PEM.as_bytes(), &settings())
            .expect("the test public key"),
    )
}

/// Claims of a valid token for a new user holding `roles`, valid for 5 minutes.
pub fn claims(roles: &[Role]) -> Claims {
    let now = jsonwebtoken::get_current_timestamp();
    let settings = settings();
    Claims {
        iss: settings.issuer,
        aud: settings.audience,
        sub: UserId::generate(),
        sid: SessionId::generate(),
        email: "tester@example.com".to_owned(),
        roles: Roles::try_from(roles.to_vec()).expect("at least one role"),
        iat: now,
        nbf: None,
        exp: now + 300,
        pwd_change: false,
    }
}

/// Signs `claims` with the test key, as command-api would.
pub fn sign(claims: &Claims) -> String {
    sign_with(claims, PRIVATE_PEM, "test-1")
}

/// Signs with any Ed25519 key and `kid`: for forged tokens.
pub fn sign_with(claims: &Claims, private_pem: &str, kid: &str) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    let key = EncodingKey::from_ed_pem(private_pem.as_bytes()).expect("an Ed25519 test key");
    jsonwebtoken::encode(&header, claims, &key).expect("a signed token")
}

/// `Bearer <token>` for a new user holding `roles`.
pub fn bearer(roles: &[Role]) -> String {
    format!("Bearer {}", sign(&claims(roles)))
}

/// The endpoint × role matrix: calls every route of `table` with a token of each role and
/// with none, through `call(route, uri, authorization) -> status`, and asserts that allowed
/// roles get neither 401 nor 403, other roles 403, and no token 401 unless the route is
/// public. Path parameters are filled with a random id.
pub async fn assert_route_matrix<F, Fut>(table: &[shared::access::RouteSpec], call: F)
where
    F: FnMut(&shared::access::RouteSpec, String, Option<String>) -> Fut,
    Fut: std::future::Future<Output = u16>,
{
    assert_route_matrix_as(table, |role| bearer(&[role]), call).await;
}

/// [`assert_route_matrix`] with the token of each role from `bearer_for`: a service that
/// checks the caller's account as it is now needs a real account behind a role's token.
pub async fn assert_route_matrix_as<B, F, Fut>(
    table: &[shared::access::RouteSpec],
    bearer_for: B,
    mut call: F,
) where
    B: Fn(Role) -> String,
    F: FnMut(&shared::access::RouteSpec, String, Option<String>) -> Fut,
    Fut: std::future::Future<Output = u16>,
{
    assert!(!table.is_empty(), "an empty route table");
    let id = uuid::Uuid::now_v7().to_string();
    for spec in table {
        // Every path parameter gets the id: a well-formed one, or a 400/404 to an allowed
        // role, never a 401/403.
        let uri = spec
            .path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    id.as_str()
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for role in Role::ALL {
            let status = call(spec, uri.clone(), Some(bearer_for(role))).await;
            let route = format!("{} {} as {role}", spec.method, spec.path);
            if spec.access.allows(&[role]) {
                assert!(status != 401 && status != 403, "{route}: {status}");
            } else {
                assert_eq!(status, 403, "{route}");
            }
        }
        let status = call(spec, uri, None).await;
        let public = spec.access == shared::access::Access::Public;
        assert_eq!(
            status == 401,
            !public,
            "{} {} without a token: {status}",
            spec.method,
            spec.path
        );
        if public {
            assert_ne!(status, 403, "{} {} without a token", spec.method, spec.path);
        }
    }
}

/// Ids no route may answer with a 5xx or without problem+json, written as they appear in
/// a URI: bytes that are not UTF-8, a NUL, a newline, a C1 control, an emoji, a combining
/// accent, dot segments, a 10,000-character id, and lookalikes of a valid one.
pub fn malformed_ids() -> Vec<String> {
    let mut ids: Vec<String> = [
        "%FF",
        "%C0%AF",
        "%00",
        "a%00b",
        "%0A",
        "%0D%0A",
        "%7F",
        "%C2%85",
        "%F0%9F%98%80",
        "e%CC%81",
        "..",
        "%2E%2E",
        ".",
        "%20",
        "-1",
        "99999999999999999999999",
        "%27%20OR%201%3D1--",
        "%25",
        "%E2%80%AE",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    ids.push("a".repeat(10_000));
    // A valid UUID with an emoji after it: a parser that slices by bytes trips here.
    ids.push(format!("{}%F0%9F%98%80", uuid::Uuid::now_v7()));
    ids
}

/// What [`assert_malformed_ids_refused`] needs to know of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
}

/// Every route of `table` with a path parameter, called through `call(route, uri)` with
/// each of [`malformed_ids`] in each parameter in turn (the others hold a well-formed
/// id): every answer must be a 4xx in `application/problem+json`, never a 5xx, never
/// plain text. Returns how many calls were checked.
pub async fn assert_malformed_ids_refused<F, Fut>(
    table: &[shared::access::RouteSpec],
    mut call: F,
) -> usize
where
    F: FnMut(&shared::access::RouteSpec, String) -> Fut,
    Fut: std::future::Future<Output = Answer>,
{
    let valid = uuid::Uuid::now_v7().to_string();
    let mut checked = 0;
    for spec in table {
        let segments: Vec<&str> = spec.path.split('/').collect();
        let parameters: Vec<usize> = segments
            .iter()
            .enumerate()
            .filter(|(_, s)| s.starts_with('{'))
            .map(|(i, _)| i)
            .collect();
        for &at in &parameters {
            for bad in malformed_ids() {
                let uri = segments
                    .iter()
                    .enumerate()
                    .map(|(i, segment)| {
                        if i == at {
                            bad.as_str()
                        } else if segment.starts_with('{') {
                            valid.as_str()
                        } else {
                            segment
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                let shown = shared::input::excerpt(&uri, 80);
                let answer = call(spec, uri).await;
                let route = format!("{} {} as {shown}", spec.method, spec.path);
                assert!(
                    (400..500).contains(&answer.status),
                    "{route}: {}",
                    answer.status
                );
                assert_eq!(
                    answer.content_type.as_deref(),
                    Some(shared::problem::CONTENT_TYPE),
                    "{route}: {}",
                    answer.status
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "no route of the table has a path parameter");
    checked
}

/// Query parameters holding what no text input accepts: control characters (C0, DEL,
/// C1) and bytes that are not UTF-8, in values and in names.
pub fn malformed_query_pairs() -> Vec<(&'static str, &'static str)> {
    vec![
        ("q", "a%00b"),
        ("q", "%0A"),
        ("category", "%09"),
        ("status", "%7F"),
        ("q", "%C2%85"),
        ("q", "%FF"),
        ("a%00", "1"),
    ]
}

/// Every `GET` route of `table`, called through `call(route, uri)` with each of
/// [`malformed_query_pairs`] added to its query string (`names` are the filters the
/// route's service knows, each tried in turn): every answer must be 400
/// `malformed_query` in problem+json, before any database access, so that nothing
/// streams an empty body. `code` reads an answer's problem code.
pub async fn assert_malformed_queries_refused<F, Fut>(
    table: &[shared::access::RouteSpec],
    names: &[&str],
    mut call: F,
) -> usize
where
    F: FnMut(&shared::access::RouteSpec, String) -> Fut,
    Fut: std::future::Future<Output = (Answer, Option<String>)>,
{
    let valid = uuid::Uuid::now_v7().to_string();
    let mut checked = 0;
    for spec in table.iter().filter(|s| s.method.as_str() == "GET") {
        let path = spec
            .path
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    valid.as_str()
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let mut pairs = malformed_query_pairs();
        pairs.extend(names.iter().map(|name| (*name, "x%00")));
        for (name, value) in pairs {
            let uri = format!("{path}?{name}={value}");
            let (answer, code) = call(spec, uri.clone()).await;
            assert_eq!(answer.status, 400, "GET {uri}");
            assert_eq!(
                answer.content_type.as_deref(),
                Some(shared::problem::CONTENT_TYPE),
                "GET {uri}"
            );
            assert_eq!(code.as_deref(), Some("malformed_query"), "GET {uri}");
            checked += 1;
        }
    }
    assert!(checked > 0, "no GET route in the table");
    checked
}
