//! Keys and tokens for tests. The key pairs under `keys/` exist for tests only (`other`
//! plays a stranger's key); production refuses a `dev-`/`test-` setup by configuration.

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
