//! `Query<T>` whose rejection is problem+json like every other error, and ids from the
//! path.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

pub struct AppQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for AppQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Self(value))
            .map_err(|rejection| ApiError::BadQuery(rejection.body_text()))
    }
}

/// An id from the path, or 400 `malformed_path` saying what was expected (`what`: "a
/// product id").
pub fn path_id<I: std::str::FromStr>(raw: &str, what: &str) -> Result<I, ApiError> {
    I::from_str(raw.trim()).map_err(|_| ApiError::BadPath(format!("`{raw}` is not {what}")))
}
