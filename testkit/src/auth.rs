//! Keys and tokens for tests. The key pairs under `keys/` exist for tests only (`other`
//! plays a stranger's key); their key ids start with `test-`, and nothing outside tests
//! refers to them.

use std::sync::Arc;

use axum::http::Method;
use contracts::auth::{Role, Roles};
use contracts::ids::{SessionId, UserId};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use platform::access::{Access, RouteSpec};
use platform::token::{Claims, TokenSettings, TokenVerifier};

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

/// Who may call a route, as `schemas/roles.tsv` writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowed {
    /// `public`: anyone, without a token.
    Public,
    /// `signed-in`: any signed-in user, even one who must change their password first.
    SignedIn,
    /// `admin,sales`: users holding one of these roles (sorted, without repeats).
    Roles(Vec<Role>),
}

impl Allowed {
    /// The file's words: `public`, `signed-in` or roles separated by commas.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "public" => Ok(Self::Public),
            "signed-in" => Ok(Self::SignedIn),
            roles => {
                let mut roles = roles
                    .split(',')
                    .map(|r| r.parse::<Role>().map_err(|e| e.message))
                    .collect::<Result<Vec<_>, _>>()?;
                roles.sort_unstable();
                roles.dedup();
                Ok(Self::Roles(roles))
            }
        }
    }

    /// A declared access in the file's terms, to compare the two.
    pub fn declared(access: Access) -> Self {
        match access {
            Access::Public => Self::Public,
            Access::SignedIn => Self::SignedIn,
            Access::Roles(roles) => {
                let mut roles = roles.to_vec();
                roles.sort_unstable();
                roles.dedup();
                Self::Roles(roles)
            }
        }
    }

    fn admits(&self, role: Role) -> bool {
        match self {
            Self::Public | Self::SignedIn => true,
            Self::Roles(roles) => roles.contains(&role),
        }
    }
}

impl std::fmt::Display for Allowed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Public => f.write_str("public"),
            Self::SignedIn => f.write_str("signed-in"),
            Self::Roles(roles) => {
                let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                f.write_str(&names.join(","))
            }
        }
    }
}

/// One row of `schemas/roles.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedRoute {
    pub method: Method,
    pub path: String,
    pub allowed: Allowed,
}

/// The expected route × role table, written by hand apart from the route tables it checks.
const EXPECTED_ROLES: &str = include_str!("../../schemas/roles.tsv");

/// The rows of `schemas/roles.tsv` for `service` (`command-api`, `read-api`, `projector`).
///
/// # Panics
/// On a malformed line, naming it, or when the service has no row.
pub fn expected_routes(service: &str) -> Vec<ExpectedRoute> {
    let rows: Vec<ExpectedRoute> = EXPECTED_ROLES
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'))
        .filter_map(|(i, line)| {
            let malformed = |why: &str| panic!("schemas/roles.tsv:{}: {why}: {line:?}", i + 1);
            let [name, method, path, access] = line.split('\t').collect::<Vec<_>>()[..] else {
                malformed("not 4 tab-separated columns")
            };
            (name == service).then(|| ExpectedRoute {
                method: method.parse().unwrap_or_else(|_| malformed("not a method")),
                path: path.to_owned(),
                allowed: Allowed::parse(access).unwrap_or_else(|e| malformed(&e)),
            })
        })
        .collect();
    assert!(
        !rows.is_empty(),
        "schemas/roles.tsv has no row for {service}"
    );
    rows
}

/// Asserts that `table` (a service's declared routes) and the rows of `schemas/roles.tsv`
/// for `service` list the same routes with the same access, naming every difference;
/// returns the file's rows.
pub fn assert_routes_as_expected(service: &str, table: &[RouteSpec]) -> Vec<ExpectedRoute> {
    let expected = expected_routes(service);
    let declared: Vec<ExpectedRoute> = table
        .iter()
        .map(|spec| ExpectedRoute {
            method: spec.method.clone(),
            path: spec.path.to_owned(),
            allowed: Allowed::declared(spec.access),
        })
        .collect();
    let find = |rows: &[ExpectedRoute], route: &ExpectedRoute| {
        rows.iter()
            .filter(|r| r.method == route.method && r.path == route.path)
            .map(|r| r.allowed.clone())
            .collect::<Vec<_>>()
    };
    let mut differences = Vec::new();
    for route in &declared {
        let (method, path, allowed) = (&route.method, &route.path, &route.allowed);
        match &find(&expected, route)[..] {
            [] => differences.push(format!("{method} {path} ({allowed}) is not in the file")),
            [listed] if listed == allowed => {}
            [listed] => differences.push(format!(
                "{method} {path}: declared {allowed}, the file says {listed}"
            )),
            _ => differences.push(format!("{method} {path} is in the file more than once")),
        }
    }
    for route in &expected {
        if find(&declared, route).is_empty() {
            let (method, path, allowed) = (&route.method, &route.path, &route.allowed);
            differences.push(format!("{method} {path} ({allowed}) is not declared"));
        }
    }
    assert!(
        differences.is_empty(),
        "{service}'s route table and schemas/roles.tsv differ:\n{}",
        differences.join("\n")
    );
    expected
}

/// `Bearer <token>` for a new user holding `roles` who must change their password before
/// anything but the self-service routes.
pub fn bearer_changing_password(roles: &[Role]) -> String {
    let mut claims = claims(roles);
    claims.pwd_change = true;
    format!("Bearer {}", sign(&claims))
}

/// The endpoint × role matrix of `service`, its expectations from `schemas/roles.tsv`:
/// asserts that `table` matches the file ([`assert_routes_as_expected`]), then calls every
/// route of the file through `call(route, uri, authorization) -> status` with a token of
/// each role, with a token that must change its password, and with none. A role the file
/// allows gets neither 401 nor 403, any other role exactly 403; a caller who must change
/// the password passes only `signed-in` and `public` routes; no token gets 401 unless the
/// route is public. Path parameters are filled with a random id.
pub async fn assert_route_matrix<F, Fut>(service: &str, table: &[RouteSpec], call: F)
where
    F: FnMut(&ExpectedRoute, String, Option<String>) -> Fut,
    Fut: std::future::Future<Output = u16>,
{
    assert_route_matrix_as(service, table, |role| bearer(&[role]), call).await;
}

/// [`assert_route_matrix`] with the token of each role from `bearer_for`: a service that
/// checks the caller's account as it is now needs a real account behind a role's token.
pub async fn assert_route_matrix_as<B, F, Fut>(
    service: &str,
    table: &[RouteSpec],
    bearer_for: B,
    mut call: F,
) where
    B: Fn(Role) -> String,
    F: FnMut(&ExpectedRoute, String, Option<String>) -> Fut,
    Fut: std::future::Future<Output = u16>,
{
    let expected = assert_routes_as_expected(service, table);
    let id = uuid::Uuid::now_v7().to_string();
    for route in &expected {
        // Every path parameter gets the id: a well-formed one, or a 400/404 to an allowed
        // role, never a 401/403.
        let uri = fill_parameters(&route.path, |_| id.clone());
        let name = format!("{} {}", route.method, route.path);
        for role in Role::ALL {
            let status = call(route, uri.clone(), Some(bearer_for(role))).await;
            if route.allowed.admits(role) {
                assert!(status != 401 && status != 403, "{name} as {role}: {status}");
            } else {
                assert_eq!(status, 403, "{name} as {role}");
            }
        }
        let pending = bearer_changing_password(&[Role::Admin]);
        let status = call(route, uri.clone(), Some(pending)).await;
        if let Allowed::Roles(_) = route.allowed {
            assert_eq!(
                status, 403,
                "{name} by an admin who must change the password"
            );
        } else {
            assert!(
                status != 401 && status != 403,
                "{name} by an admin who must change the password: {status}"
            );
        }
        let status = call(route, uri, None).await;
        if route.allowed == Allowed::Public {
            assert!(
                status != 401 && status != 403,
                "{name} without a token: {status}"
            );
        } else {
            assert_eq!(status, 401, "{name} without a token");
        }
    }
}

/// `path` with its `{parameter}` segments replaced by `value(i)`, `i` the segment's index.
fn fill_parameters(path: &str, value: impl Fn(usize) -> String) -> String {
    path.split('/')
        .enumerate()
        .map(|(i, segment)| {
            if segment.starts_with('{') {
                value(i)
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
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
pub async fn assert_malformed_ids_refused<F, Fut>(table: &[RouteSpec], mut call: F) -> usize
where
    F: FnMut(&RouteSpec, String) -> Fut,
    Fut: std::future::Future<Output = Answer>,
{
    let valid = uuid::Uuid::now_v7().to_string();
    let mut checked = 0;
    for spec in table {
        let parameters: Vec<usize> = spec
            .path
            .split('/')
            .enumerate()
            .filter(|(_, s)| s.starts_with('{'))
            .map(|(i, _)| i)
            .collect();
        for &at in &parameters {
            for bad in malformed_ids() {
                let uri =
                    fill_parameters(
                        spec.path,
                        |i| {
                            if i == at {
                                bad.clone()
                            } else {
                                valid.clone()
                            }
                        },
                    );
                let shown = contracts::input::excerpt(&uri, 80);
                let answer = call(spec, uri).await;
                let route = format!("{} {} as {shown}", spec.method, spec.path);
                assert!(
                    (400..500).contains(&answer.status),
                    "{route}: {}",
                    answer.status
                );
                assert_eq!(
                    answer.content_type.as_deref(),
                    Some(platform::problem::CONTENT_TYPE),
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
    table: &[RouteSpec],
    names: &[&str],
    mut call: F,
) -> usize
where
    F: FnMut(&RouteSpec, String) -> Fut,
    Fut: std::future::Future<Output = (Answer, Option<String>)>,
{
    let valid = uuid::Uuid::now_v7().to_string();
    let mut checked = 0;
    for spec in table.iter().filter(|s| s.method.as_str() == "GET") {
        let path = fill_parameters(spec.path, |_| valid.clone());
        let mut pairs = malformed_query_pairs();
        pairs.extend(names.iter().map(|name| (*name, "x%00")));
        for (name, value) in pairs {
            let uri = format!("{path}?{name}={value}");
            let (answer, code) = call(spec, uri.clone()).await;
            assert_eq!(answer.status, 400, "GET {uri}");
            assert_eq!(
                answer.content_type.as_deref(),
                Some(platform::problem::CONTENT_TYPE),
                "GET {uri}"
            );
            assert_eq!(code.as_deref(), Some("malformed_query"), "GET {uri}");
            checked += 1;
        }
    }
    assert!(checked > 0, "no GET route in the table");
    checked
}
