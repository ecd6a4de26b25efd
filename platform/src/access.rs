//! Route tables: each route is declared once with the roles that may call it, and one
//! middleware enforces that table for the whole router.
//!
//! The middleware denies by default: a request that reaches a route the table does not
//! list is refused before any handler runs, so a route added around the table is
//! unreachable rather than open.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::handler::Handler;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter};
use axum::Router;

use crate::problem::{Code, Problem};
use crate::token::{Principal, TokenError, TokenVerifier};
use contracts::auth::Role;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a token: health probes, login, refresh, logout.
    Public,
    /// Any signed-in user, even one who must change their password first: the
    /// self-service routes.
    SignedIn,
    /// Users holding at least one of these roles.
    Roles(&'static [Role]),
}

impl Access {
    /// Whether a caller with `roles` passes (ignoring a pending password change).
    pub fn allows(&self, roles: &[Role]) -> bool {
        match self {
            Access::Public | Access::SignedIn => true,
            Access::Roles(allowed) => roles.iter().any(|r| allowed.contains(r)),
        }
    }
}

/// Every role: what reading the catalogue needs.
pub const ANY_ROLE: &[Role] = &Role::ALL;
pub const ADMIN: &[Role] = &[Role::Admin];
/// Who may change the catalogue, customers and orders.
pub const CATALOGUE_WRITERS: &[Role] = &[Role::Admin, Role::Sales];
/// Who may move stock: adjustments and fulfilment.
pub const STOCK_KEEPERS: &[Role] = &[Role::Admin, Role::Warehouse];
/// Who may issue invoices and record payments (credit notes: admins only).
pub const INVOICERS: &[Role] = &[Role::Admin, Role::Sales];
/// Who may read invoices and receivables: not the warehouse.
pub const INVOICE_READERS: &[Role] = &[Role::Admin, Role::Sales, Role::Analyst];
/// Who may read the sales dashboard.
pub const ANALYSTS: &[Role] = &[Role::Admin, Role::Analyst];

/// One row of a route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// Builds a router and its route table together: the only way to add a route is to say
/// who may call it.
pub struct Routes<S> {
    router: Router<S>,
    table: Vec<RouteSpec>,
}

impl<S: Clone + Send + Sync + 'static> Default for Routes<S> {
    fn default() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `method path` served by `handler`, callable as `access` says.
    ///
    /// # Panics
    /// On a method axum cannot route (a programming error, caught by any test).
    #[allow(clippy::expect_used)]
    pub fn route<H, T>(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        handler: H,
    ) -> Self
    where
        H: Handler<T, S>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("a routable method");
        self.router = self.router.route(path, on(filter, handler));
        self.table.push(RouteSpec {
            method,
            path,
            access,
        });
        self
    }

    /// Adds routes that are already built with their own state, each listed in `table`.
    pub fn nest_built(mut self, router: Router<S>, table: Vec<RouteSpec>) -> Self {
        self.router = self.router.merge(router);
        self.table.extend(table);
        self
    }

    pub fn table(&self) -> &[RouteSpec] {
        &self.table
    }

    /// Supplies the state; the table stays.
    pub fn with_state<S2>(self, state: S) -> Routes<S2> {
        Routes {
            router: self.router.with_state(state),
            table: self.table,
        }
    }
}

impl Routes<()> {
    /// The router with the table enforced on every route (see the module doc).
    pub fn into_router(self, verifier: Arc<TokenVerifier>) -> Router {
        let policy = Arc::new(Policy {
            routes: self.table.iter().fold(HashMap::new(), |mut map, spec| {
                map.entry(spec.path)
                    .or_insert_with(Vec::new)
                    .push((spec.method.clone(), spec.access));
                map
            }),
            verifier,
        });
        self.router
            .layer(axum::middleware::from_fn_with_state(policy, authorize))
    }

    pub fn into_parts(self) -> (Router, Vec<RouteSpec>) {
        (self.router, self.table)
    }
}

struct Policy {
    routes: HashMap<&'static str, Vec<(Method, Access)>>,
    verifier: Arc<TokenVerifier>,
}

impl Policy {
    /// `None` when the path is not in the table at all, `Some(None)` when it is but not
    /// with this method.
    fn access(&self, method: &Method, path: &str) -> Option<Option<Access>> {
        let methods = self.routes.get(path)?;
        let find = |m: &Method| methods.iter().find(|(rm, _)| rm == m).map(|(_, a)| *a);
        // axum serves HEAD with the GET handler.
        Some(find(method).or_else(|| {
            (method == Method::HEAD)
                .then(|| find(&Method::GET))
                .flatten()
        }))
    }
}

async fn authorize(
    State(policy): State<Arc<Policy>>,
    matched: Option<MatchedPath>,
    mut request: Request,
    next: Next,
) -> Response {
    // No matched route: the 404 fallback answers.
    let Some(matched) = matched else {
        return next.run(request).await;
    };
    let access = match policy.access(request.method(), matched.as_str()) {
        Some(Some(access)) => access,
        Some(None) => {
            return Problem::new(
                405,
                Code::MethodNotAllowed,
                "Method not allowed on this resource",
            )
            .into_response()
        }
        None => {
            tracing::error!(
                path = matched.as_str(),
                "route has no access policy: refused"
            );
            return Problem::new(403, Code::NoAccessPolicy, "Forbidden")
                .with_detail("this route declares no roles")
                .into_response();
        }
    };
    if access == Access::Public {
        return next.run(request).await;
    }
    let principal = match bearer(&request).map(|token| policy.verifier.verify(token)) {
        None => return unauthenticated(Code::Unauthenticated, "A bearer token is required", None),
        Some(Err(e)) => {
            let code = match e {
                TokenError::Expired => Code::TokenExpired,
                TokenError::UnknownKey | TokenError::Invalid(_) => Code::InvalidToken,
            };
            return unauthenticated(code, "The bearer token was refused", Some(e.to_string()));
        }
        Some(Ok(principal)) => principal,
    };
    if let Access::Roles(allowed) = access {
        if principal.must_change_password {
            return Problem::new(403, Code::PasswordChangeRequired, "Forbidden")
                .with_detail("set a new password with POST /auth/password first")
                .into_response();
        }
        let roles: Vec<Role> = principal.roles.iter().collect();
        if !access.allows(&roles) {
            let allowed: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
            return Problem::new(403, Code::Forbidden, "Forbidden")
                .with_detail("your roles do not allow this")
                .with_extension("allowed_roles", allowed)
                .into_response();
        }
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn unauthenticated(code: Code, title: &str, detail: Option<String>) -> Response {
    let mut problem = Problem::new(401, code, title);
    if let Some(detail) = detail {
        problem = problem.with_detail(detail);
    }
    let mut response = problem.into_response();
    let challenge = if code == Code::Unauthenticated {
        HeaderValue::from_static("Bearer")
    } else {
        HeaderValue::from_static("Bearer error=\"invalid_token\"")
    };
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, challenge);
    response
}

/// The verified caller, put in the request by the access middleware on every route that
/// is not public.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Caller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| {
                unauthenticated(Code::Unauthenticated, "A bearer token is required", None)
            })
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for Caller {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Principal>().cloned().map(Caller))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::StatusCode;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_route_added_around_the_table_is_refused_to_everyone() {
        let (router, table) = Routes::<()>::new()
            .route(Method::GET, "/declared", Access::Public, || async { "ok" })
            .into_parts();
        // What a careless change would do: a route that bypasses `Routes::route`.
        let router = router.route("/sneaky", axum::routing::get(|| async { "leak" }));
        let verifier = Arc::new(
            TokenVerifier::from_public_pem(
                b"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAD1bYP94bbmk8E2NkFd63IV7JaSU3T0NWrU+nc6GrIso=\n-----END PUBLIC KEY-----\n",
                &crate::token::TokenSettings::default(),
            )
            .unwrap(),
        );
        let app = Routes { router, table }.into_router(verifier);
        let call = |uri: &'static str, method: Method| {
            app.clone().oneshot(
                Request::builder()
                    .method(method)
                    .uri(uri)
                    .body(Body::empty())
                    .unwrap(),
            )
        };
        assert_eq!(
            call("/declared", Method::GET).await.unwrap().status(),
            StatusCode::OK
        );
        assert_eq!(
            call("/sneaky", Method::GET).await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            call("/declared", Method::DELETE).await.unwrap().status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
    }
}
