//! Checks of a service's OpenAPI document (`platform::openapi`): checked in as generated,
//! and true to the route table and to `schemas/roles.tsv`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use platform::access::{Access, RouteSpec};
use serde_json::Value;

use crate::auth::{expected_routes, Allowed};

/// `docs/openapi/<service>.json`.
pub fn checked_in_path(service: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/openapi")
        .join(format!("{service}.json"))
}

/// The checked-in document is `doc` as rendered; with `GESCOM_BLESS=1`, writes it instead.
///
/// # Panics
/// When they differ (or the file cannot be written), saying how to regenerate it.
#[allow(clippy::expect_used)]
pub fn assert_checked_in(service: &str, doc: &Value) {
    let path = checked_in_path(service);
    let generated = platform::openapi::render(doc);
    if std::env::var("GESCOM_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("docs/openapi/ is writable");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "docs/openapi/{service}.json is not what the code generates: regenerate it with \
         `GESCOM_BLESS=1 cargo nextest run -p gescom-{service} contract` (or \
         `cargo run -q -p gescom-{service} -- openapi > docs/openapi/{service}.json`) and \
         review the diff"
    );
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every operation of `doc` is a route of `table` and every route an operation; each
/// states the route's access (`x-access`, `x-roles`, the description, the bearer security
/// requirement) as the table and `schemas/roles.tsv` say; every error response is
/// problem+json with its codes; every operation has a success response.
///
/// # Panics
/// On the first difference, naming the operation.
pub fn assert_document_matches(service: &str, doc: &Value, table: &[RouteSpec]) {
    let mut documented = BTreeSet::new();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    for (path, item) in &paths {
        for method in METHODS {
            if item.get(method).is_some() {
                documented.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    let routes: BTreeSet<(String, String)> = table
        .iter()
        .map(|s| (s.method.to_string(), s.path.to_owned()))
        .collect();
    let undocumented: Vec<_> = routes.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routes).collect();
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "{service}: routes without an operation: {undocumented:?}; operations without a route: {unrouted:?}"
    );
    // Client generators name a function per operation id: a repeat breaks them.
    let mut ids = BTreeSet::new();
    for item in paths.values() {
        for method in METHODS {
            if let Some(id) = item.get(method).and_then(|o| o["operationId"].as_str()) {
                assert!(
                    ids.insert(id.to_owned()),
                    "{service}: operationId {id} twice"
                );
            }
        }
    }
    let expected = expected_routes(service);
    for spec in table {
        let name = format!("{service} {} {}", spec.method, spec.path);
        let operation = &paths[spec.path][spec.method.as_str().to_ascii_lowercase()];
        let row = expected
            .iter()
            .find(|r| r.method == spec.method && r.path == spec.path)
            .unwrap_or_else(|| panic!("{name} is not in schemas/roles.tsv"));
        let declared = Allowed::declared(spec.access);
        assert_eq!(
            row.allowed, declared,
            "{name}: roles.tsv and the route table"
        );
        assert_eq!(
            operation["x-access"].as_str(),
            Some(declared.to_string().as_str()),
            "{name}: x-access"
        );
        let roles: Vec<&str> = operation["x-roles"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut roles_sorted: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
        roles_sorted.sort_unstable();
        let mut wanted: Vec<String> = platform::openapi::access_roles(spec.access)
            .into_iter()
            .map(|r| r.as_str().to_owned())
            .collect();
        wanted.sort_unstable();
        assert_eq!(roles_sorted, wanted, "{name}: x-roles");
        let description = operation["description"].as_str().unwrap_or_default();
        match spec.access {
            Access::Public => assert!(description.contains("Access: public"), "{name}"),
            Access::SignedIn => assert!(description.contains("any signed-in user"), "{name}"),
            Access::Roles(_) => assert!(
                description.contains(&format!("Access: roles {}.", roles.join(", "))),
                "{name}: {description}"
            ),
        }
        let security = operation.get("security");
        if spec.access == Access::Public {
            assert!(security.is_none(), "{name}: a public route needs no token");
        } else {
            assert_eq!(
                security,
                Some(&serde_json::json!([{"bearer": []}])),
                "{name}: security"
            );
        }
        let responses = operation["responses"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert!(
            responses
                .keys()
                .any(|s| s.starts_with('2') || s.starts_with('3')),
            "{name}: no success response"
        );
        for (status, response) in &responses {
            if status.starts_with('4') || status.starts_with('5') {
                let schema = &response["content"][platform::problem::CONTENT_TYPE]["schema"];
                let codes = schema["allOf"][1]["properties"]["code"]["enum"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                assert!(!codes.is_empty(), "{name} {status}: no problem codes");
            }
        }
    }
}

/// `router` answers `/openapi.json` with `doc`, `/docs` with Swagger UI pointed at it,
/// all without a token, and an unknown docs file with a problem+json 404.
///
/// # Panics
/// On any other answer.
#[allow(clippy::expect_used)]
pub async fn assert_serves_contract(router: &axum::Router, doc: Value) {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let call = |uri: &str| {
        let request = Request::get(uri).body(Body::empty()).expect("a request");
        let router = router.clone();
        async move {
            let response = router.oneshot(request).await.expect("infallible");
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response
                .into_body()
                .collect()
                .await
                .expect("a body")
                .to_bytes();
            (status, headers, bytes)
        }
    };
    let (status, _, bytes) = call("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let served: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(served, doc);
    let (status, headers, _) = call("/docs").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/docs/index.html");
    let (status, headers, bytes) = call("/docs/index.html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .is_ok_and(|v| v.starts_with("text/html")));
    assert!(String::from_utf8_lossy(&bytes).contains("swagger-ui"));
    let (status, _, bytes) = call("/docs/swagger-initializer.js").await;
    assert_eq!(status, StatusCode::OK);
    let initializer = String::from_utf8_lossy(&bytes);
    assert!(initializer.contains("/openapi.json"), "{initializer}");
    assert!(
        initializer.contains("\"validatorUrl\": \"none\"")
            || initializer.contains("\"validatorUrl\":\"none\""),
        "{initializer}"
    );
    let (status, _, bytes) = call("/docs/swagger-ui-bundle.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes.len() > 100_000, "the bundle is embedded");
    let (status, headers, _) = call("/docs/no-such-file.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], platform::problem::CONTENT_TYPE);
}
