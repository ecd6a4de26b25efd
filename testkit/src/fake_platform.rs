//! A fake approved platform: a local HTTP server speaking the REST shape of command-api's
//! `HttpPlatform`, recording what it is handed. Tests script its faults (answers lost
//! after recording, 503s, refusals) and the statuses it reports.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

/// A document as the platform holds it.
#[derive(Debug, Clone)]
pub struct Deposit {
    pub id: String,
    pub number: String,
    pub kind: String,
    pub syntax: String,
    pub content_type: String,
    pub body: Vec<u8>,
    pub status: String,
    pub reason: Option<String>,
}

#[derive(Debug, Default)]
struct Inner {
    deposits: Vec<Deposit>,
    posts: usize,
    unavailable_next: usize,
    lose_next: usize,
    refused: BTreeSet<String>,
}

#[derive(Clone)]
pub struct FakePlatform {
    inner: Arc<Mutex<Inner>>,
    token: Arc<str>,
    addr: SocketAddr,
    task: Arc<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for FakePlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakePlatform")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for FakePlatform {
    fn drop(&mut self) {
        if Arc::strong_count(&self.task) == 1 {
            self.task.abort();
        }
    }
}

impl FakePlatform {
    /// Serves on a free loopback port; every call must carry `Bearer <token>`.
    pub async fn start(token: &str) -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let token: Arc<str> = Arc::from(token);
        let app = Router::new()
            .route("/documents", post(deposit))
            .route("/documents/{id}", get(status))
            .with_state((Arc::clone(&inner), Arc::clone(&token)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port for the fake platform");
        let addr = listener.local_addr().expect("its address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            inner,
            token,
            addr,
            task: Arc::new(task),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What it holds, in the order it took them.
    pub fn deposits(&self) -> Vec<Deposit> {
        self.lock().deposits.clone()
    }

    /// Every deposit request it received, answered or not.
    pub fn posts(&self) -> usize {
        self.lock().posts
    }

    /// The next `n` deposits get 503, recording nothing.
    pub fn unavailable_next(&self, n: usize) {
        self.lock().unavailable_next = n;
    }

    /// The next `n` new deposits are recorded, then answered 500: the answer is lost.
    pub fn lose_next(&self, n: usize) {
        self.lock().lose_next = n;
    }

    /// A deposit of `number` is refused (422).
    pub fn refuse(&self, number: &str) {
        self.lock().refused.insert(number.to_owned());
    }

    /// The buyer's side moved: `number` now reads `status`.
    pub fn report(&self, number: &str, status: &str, reason: Option<&str>) {
        let mut inner = self.lock();
        if let Some(deposit) = inner.deposits.iter_mut().find(|d| d.number == number) {
            deposit.status = status.to_owned();
            deposit.reason = reason.map(str::to_owned);
        }
    }
}

type Shared = (Arc<Mutex<Inner>>, Arc<str>);

fn authorised(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        == Some(token)
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn answer(deposit: &Deposit) -> Json<Value> {
    Json(json!({"id": deposit.id, "status": deposit.status, "reason": deposit.reason}))
}

async fn deposit(
    State((inner, token)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, Json<Value>) {
    if !authorised(&headers, &token) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "token"})));
    }
    let mut inner = inner.lock().unwrap_or_else(|e| e.into_inner());
    inner.posts += 1;
    if inner.unavailable_next > 0 {
        inner.unavailable_next -= 1;
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error": "busy"})),
        );
    }
    let number = header(&headers, "idempotency-key");
    if inner.refused.contains(&number) {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": "BR-FR-12: SIREN de l'acheteur inconnu\nde l'annuaire"})),
        );
    }
    if let Some(existing) = inner.deposits.iter().find(|d| d.number == number) {
        return (StatusCode::OK, answer(existing));
    }
    let deposit = Deposit {
        id: format!("PA-{}", inner.deposits.len() + 1),
        number,
        kind: header(&headers, "x-document-kind"),
        syntax: header(&headers, "x-document-syntax"),
        content_type: header(&headers, "content-type"),
        body: body.to_vec(),
        status: "deposited".to_owned(),
        reason: None,
    };
    let reply = answer(&deposit);
    inner.deposits.push(deposit);
    if inner.lose_next > 0 {
        inner.lose_next -= 1;
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "lost"})),
        );
    }
    (StatusCode::CREATED, reply)
}

async fn status(
    State((inner, token)): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> (StatusCode, Json<Value>) {
    if !authorised(&headers, &token) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "token"})));
    }
    let inner = inner.lock().unwrap_or_else(|e| e.into_inner());
    match inner.deposits.iter().find(|d| d.id == id) {
        Some(deposit) => (StatusCode::OK, answer(deposit)),
        None => (StatusCode::NOT_FOUND, Json(json!({"error": "unknown"}))),
    }
}
