//! How every successful command answers: the id and the new version.

use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use contracts::metadata::EventMeta;
use serde::Serialize;

use super::error::{self, ApiError};
use crate::domain::Keyed;
use crate::es::{CommandBus, CommandError};

/// Runs `command` on aggregate `id` to its end (see `CommandBus::execute_detached`) and
/// answers with the id and the new version: what every command route does last.
pub(super) async fn execute<A>(
    bus: &Arc<CommandBus<A>>,
    collection: &str,
    id: A::Id,
    command: A::Command,
    expected_version: Option<u64>,
    metadata: EventMeta,
) -> error::Result<Response>
where
    A: Keyed + 'static,
    A::Command: Clone + Send + 'static,
    A::Error: Send + 'static,
    A::Services: Send + Sync,
    ApiError: From<CommandError<A::Error>>,
{
    let committed = bus
        .execute_detached(id, command, expected_version, metadata)
        .await?;
    Ok(accepted(
        false,
        collection,
        &id.to_string(),
        committed.version,
    ))
}

/// [`execute`] for a new aggregate: `201 Created` with its `Location`.
pub(super) async fn execute_new<A>(
    bus: &Arc<CommandBus<A>>,
    collection: &str,
    id: A::Id,
    command: A::Command,
    metadata: EventMeta,
) -> error::Result<Response>
where
    A: Keyed + 'static,
    A::Command: Clone + Send + 'static,
    A::Error: Send + 'static,
    A::Services: Send + Sync,
    ApiError: From<CommandError<A::Error>>,
{
    let committed = bus.execute_new_detached(id, command, metadata).await?;
    Ok(accepted(
        true,
        collection,
        &id.to_string(),
        committed.version,
    ))
}

/// The answer to every successful command: the aggregate id and its new version, in the
/// body and as `ETag`, so that the caller can read its own write (`min_version`) and send
/// `If-Match` next time.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommandAccepted<'a> {
    /// The aggregate's id, a UUID.
    #[schema(value_type = uuid::Uuid)]
    pub id: &'a str,
    /// Its version after the command: pass it as `min_version` to read-api, or as
    /// `If-Match` with the next command.
    pub version: u64,
}

/// The documented answer of a command creating an aggregate.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 201,
    description = "Created: the new aggregate's id and version.",
    headers(
        ("ETag" = String, description = "The new version, quoted (`\"1\"`)."),
        ("Location" = String, description = "The new resource, e.g. `/products/{id}`.")
    )
)]
pub struct CreatedDoc(#[to_schema] pub CommandAccepted<'static>);

/// The documented answer of a command on an existing aggregate.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 200,
    description = "Done: the aggregate's id and new version.",
    headers(("ETag" = String, description = "The new version, quoted (`\"4\"`)."))
)]
pub struct UpdatedDoc(#[to_schema] pub CommandAccepted<'static>);

pub(super) fn accepted(created: bool, collection: &str, id: &str, version: u64) -> Response {
    accepted_with(
        created,
        collection,
        id,
        version,
        &CommandAccepted { id, version },
    )
}

/// [`accepted`] with a body that says more than the id and version.
pub(super) fn accepted_with<T: Serialize>(
    created: bool,
    collection: &str,
    id: &str,
    version: u64,
    body: &T,
) -> Response {
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{version}\"")) {
        headers.insert(header::ETAG, etag);
    }
    if created {
        if let Ok(location) = HeaderValue::from_str(&format!("{collection}/{id}")) {
            headers.insert(header::LOCATION, location);
        }
    }
    response
}
