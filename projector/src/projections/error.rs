//! Why an event could not be applied to the read models.

use contracts::envelope::DecodeError;

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("event {0} is not a product creation")]
    NotACreation(i64),
    #[error("a stored value is out of its type's range: {0}")]
    Value(#[from] contracts::Invalid),
}
