//! CSV exports, streamed from the database to the client: rows are written as they are
//! read, a chunk at a time, so an export never sits whole in memory.
//!
//! Every export writes its rows here, as [`Cell`]s: text cells that a spreadsheet would
//! run as a formula (`=…`, `+…`, `-…`, `@…`, tab, CR, LF, NUL) get a leading `'`; numbers
//! (a type of their own) are written as they are. See `platform::csv_cell`.

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use platform::csv_cell::Cell;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgPool, Postgres, QueryBuilder};
use tokio::sync::mpsc;

/// Rows per chunk sent to the client.
const CHUNK_ROWS: usize = 500;

/// Every export's writer. Text cells are always quoted: a spreadsheet that splits on `;`
/// (Excel in French) would otherwise cut `Acme;=1+1` into a cell that starts with `=`,
/// past the leading-character check of `Cell`. Numbers stay bare, so they stay numbers.
fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::NonNumeric)
        .from_writer(Vec::new())
}

/// A `text/csv` response of every row `sql` selects, the header first, each row's cells
/// from `to_record`.
pub fn csv_response<R, F>(
    pool: PgPool,
    sql: QueryBuilder<'static, Postgres>,
    header: &'static [&'static str],
    to_record: F,
    filename: &'static str,
) -> Response
where
    R: for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static,
    F: Fn(R) -> Vec<Cell> + Send + 'static,
{
    let (tx, rx) = mpsc::channel::<std::io::Result<bytes::Bytes>>(4);
    tokio::spawn(stream_rows(pool, sql, header, to_record, tx));
    let body = Body::from_stream(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    }));
    as_csv_file(body.into_response(), filename)
}

/// A `text/csv` response of rows already in memory (a dashboard series: hundreds of rows
/// at most), written by the same rules as the streamed exports.
pub fn csv_table(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell>>,
    filename: &str,
) -> Response {
    let mut writer = writer();
    let written = writer.write_record(header).and_then(|()| {
        rows.into_iter()
            .try_for_each(|row| write_row(&mut writer, &row))
    });
    match written.and_then(|()| writer.into_inner().map_err(|e| e.into_error().into())) {
        Ok(bytes) => as_csv_file(Body::from(bytes).into_response(), filename),
        Err(e) => platform::web::internal_error(e),
    }
}

fn as_csv_file(mut response: Response, filename: &str) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response
}

async fn stream_rows<R, F>(
    pool: PgPool,
    mut sql: QueryBuilder<'static, Postgres>,
    header: &'static [&'static str],
    to_record: F,
    tx: mpsc::Sender<std::io::Result<bytes::Bytes>>,
) where
    R: for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static,
    F: Fn(R) -> Vec<Cell> + Send + 'static,
{
    let mut rows = sql.build_query_as::<R>().fetch(&pool);
    let mut chunk = writer();
    let mut in_chunk = 0;
    let mut status = chunk.write_record(header);
    loop {
        let next = rows.next().await;
        let done = next.is_none();
        match next {
            Some(Ok(row)) => {
                status = status.and_then(|()| write_row(&mut chunk, &to_record(row)));
                in_chunk += 1;
            }
            Some(Err(e)) => status = Err(csv::Error::from(std::io::Error::other(e))),
            None => {}
        }
        if status.is_ok() && !done && in_chunk < CHUNK_ROWS {
            continue;
        }
        let full = std::mem::replace(&mut chunk, writer());
        in_chunk = 0;
        // On an error the status line is sent already: the body is cut, so that the
        // client sees a broken transfer rather than a short file that looks complete.
        let sent = std::mem::replace(&mut status, Ok(()))
            .and_then(|()| full.into_inner().map_err(|e| e.into_error().into()))
            .map(bytes::Bytes::from)
            .map_err(|e| {
                tracing::error!(error = %e, "CSV export failed");
                std::io::Error::other(e.to_string())
            });
        let failed = sent.is_err();
        if tx.send(sent).await.is_err() || failed || done {
            return;
        }
    }
}

/// The one place where exported cells are written: each as [`Cell::written`] gives it,
/// then quoted by the CSV writer where needed.
fn write_row(writer: &mut csv::Writer<Vec<u8>>, cells: &[Cell]) -> csv::Result<()> {
    let written: Vec<_> = cells.iter().map(Cell::written).collect();
    writer.write_record(written.iter().map(|cell| cell.as_bytes()))
}
