//! Why a file cannot be imported at all (rather than which rows are wrong).

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Encoding(String),
    #[error("{0}")]
    Header(String),
    #[error("the file is not CSV as expected: {0}")]
    Malformed(String),
    #[error("the header lacks the column(s) {0}")]
    MissingColumns(String),
    #[error("the header has unknown column(s) {0}")]
    UnknownColumns(String),
    #[error("the header names the column(s) {0} twice")]
    DuplicateColumns(String),
    #[error("the file is empty: its first line must be the header")]
    Empty,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Store(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
}
