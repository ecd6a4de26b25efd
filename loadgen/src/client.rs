//! The HTTP client of the scenarios: one connection pool, the admin's token, and timed
//! calls recorded per endpoint.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::stats::Recorder;

#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    pub command: String,
    pub read: String,
    token: String,
}

pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub latency: Duration,
}

/// Logs in at command-api and returns the access token.
pub async fn access_token(
    http: &reqwest::Client,
    command: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<String> {
    let body: Value = http
        .post(format!("{command}/auth/login"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no access token in {body}"))
}

impl Api {
    pub async fn login(
        command: &str,
        read: &str,
        email: &str,
        password: &str,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .timeout(Duration::from_secs(60))
            .build()?;
        let token = access_token(&http, command, email, password).await?;
        Ok(Self {
            http,
            command: command.to_owned(),
            read: read.to_owned(),
            token,
        })
    }

    /// A timed call, recorded under `endpoint` when `recorder` is given.
    pub async fn call(
        &self,
        recorder: Option<&Recorder>,
        endpoint: &'static str,
        method: Method,
        url: String,
        headers: &[(&str, String)],
        body: Option<Body>,
    ) -> Answer {
        let mut request = self.http.request(method, url).bearer_auth(&self.token);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request = match body {
            Some(Body::Json(json)) => request.json(&json),
            Some(Body::Csv(text)) => request.header("content-type", "text/csv").body(text),
            None => request,
        };
        let started = Instant::now();
        let (status, body) = match request.send().await {
            Ok(response) => {
                let status = response.status();
                let body = response.json::<Value>().await.unwrap_or(Value::Null);
                (status, body)
            }
            Err(_) => (
                StatusCode::from_u16(599).unwrap_or(StatusCode::BAD_GATEWAY),
                Value::Null,
            ),
        };
        let latency = started.elapsed();
        if let Some(recorder) = recorder {
            recorder.record(endpoint, status.as_u16(), latency);
        }
        Answer {
            status,
            body,
            latency,
        }
    }
}

impl Api {
    /// A query on read-api: `path` starts with `/`.
    pub async fn get(
        &self,
        recorder: Option<&Recorder>,
        endpoint: &'static str,
        path: String,
    ) -> Answer {
        let url = format!("{}{path}", self.read);
        self.call(recorder, endpoint, Method::GET, url, &[], None)
            .await
    }

    /// A query on read-api whose answer is a file: its size instead of its body.
    pub async fn download(
        &self,
        recorder: Option<&Recorder>,
        endpoint: &'static str,
        path: String,
    ) -> Download {
        let request = self
            .http
            .get(format!("{}{path}", self.read))
            .bearer_auth(&self.token);
        let started = Instant::now();
        let (status, bytes, pages) = match request.send().await {
            Ok(response) => {
                let status = response.status();
                let pages = response
                    .headers()
                    .get("x-page-count")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let bytes = response.bytes().await.map_or(0, |b| b.len());
                (status, bytes, pages)
            }
            Err(_) => (
                StatusCode::from_u16(599).unwrap_or(StatusCode::BAD_GATEWAY),
                0,
                0,
            ),
        };
        let latency = started.elapsed();
        if let Some(recorder) = recorder {
            recorder.record(endpoint, status.as_u16(), latency);
        }
        Download {
            status,
            bytes,
            pages,
        }
    }

    /// A CSV file posted to command-api, timed until the whole answer is in (not parsed:
    /// an import's report is as long as the file).
    pub async fn post_csv(&self, path: &str, csv: String) -> (StatusCode, Vec<u8>, Duration) {
        let request = self
            .http
            .post(format!("{}{path}", self.command))
            .bearer_auth(&self.token)
            .header("content-type", "text/csv")
            .body(csv);
        let started = Instant::now();
        let (status, body) = match request.send().await {
            Ok(response) => {
                let status = response.status();
                (
                    status,
                    response
                        .bytes()
                        .await
                        .map(|b| b.to_vec())
                        .unwrap_or_default(),
                )
            }
            Err(_) => (
                StatusCode::from_u16(599).unwrap_or(StatusCode::BAD_GATEWAY),
                Vec::new(),
            ),
        };
        (status, body, started.elapsed())
    }

    /// A command on command-api: `path` starts with `/`.
    pub async fn send(
        &self,
        recorder: Option<&Recorder>,
        endpoint: &'static str,
        method: Method,
        path: String,
        body: Option<Body>,
    ) -> Answer {
        let url = format!("{}{path}", self.command);
        self.call(recorder, endpoint, method, url, &[], body).await
    }
}

pub struct Download {
    pub status: StatusCode,
    pub bytes: usize,
    pub pages: usize,
}

pub enum Body {
    Json(Value),
    Csv(String),
}
