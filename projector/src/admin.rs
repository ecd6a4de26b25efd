//! The projector's own HTTP surface: health probes (public) and `/admin/status` (admin).

use std::sync::Arc;

use axum::extract::State;
use axum::http::Method;
use axum::{Json, Router};
use serde::Serialize;
use shared::access::{Access, RouteSpec, Routes, ADMIN};
use shared::auth::TokenVerifier;
use shared::web::{HttpSettings, Readiness};
use tokio::sync::watch;

use crate::consumer::{Role, Stats};

#[derive(Clone)]
pub struct AdminState {
    pub role: watch::Receiver<Role>,
    pub stats: Arc<Stats>,
}

fn routes() -> Routes<AdminState> {
    Routes::new().route(Method::GET, "/admin/status", Access::Roles(ADMIN), status)
}

pub fn route_table() -> Vec<RouteSpec> {
    shared::web::route_table(&routes())
}

pub fn router(
    state: AdminState,
    readiness: Readiness,
    verifier: Arc<TokenVerifier>,
    settings: &HttpSettings,
) -> Router {
    shared::web::api_router(routes(), state, readiness, verifier, settings)
}

#[derive(Serialize)]
struct Status {
    /// `active` holds the lock and projects; `standby` waits for it.
    role: &'static str,
    applied: u64,
    duplicates: u64,
    deferred: u64,
    gap_filled: u64,
    failed: u64,
}

/// `GET /admin/status`: whether this instance is the active one, and its counters.
/// Roles: admin.
async fn status(State(state): State<AdminState>) -> Json<Status> {
    let role = match *state.role.borrow() {
        Role::Starting => "starting",
        Role::Standby => "standby",
        Role::Active => "active",
        Role::Stopped => "stopped",
    };
    let s = &state.stats;
    Json(Status {
        role,
        applied: Stats::get(&s.applied),
        duplicates: Stats::get(&s.duplicates),
        deferred: Stats::get(&s.deferred),
        gap_filled: Stats::get(&s.gap_filled),
        failed: Stats::get(&s.failed),
    })
}
