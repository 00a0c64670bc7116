//! CSV exports for spreadsheets: UTF-8 with a byte-order mark (or CP932 for older
//! programs), CRLF line ends, streamed a batch at a time so a large list never sits in
//! memory. The rows come from a query run again for each batch with a growing offset.
//! Every cell a spreadsheet would evaluate as a formula is written as text.

use actix_web::web;
use diesel::PgConnection;

use crate::db::PgPool;
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::page::Outcome;

const BATCH: i64 = 1000;

/// Reads one batch of rows: (connection, offset, limit).
pub type FetchRows =
    Box<dyn FnMut(&mut PgConnection, i64, i64) -> Result<Vec<Vec<String>>, AppError> + Send>;

/// Starts producing the file in the background and answers with its stream.
pub fn stream(
    pool: PgPool,
    cx: &StaffCx,
    name: &str,
    header: &'static [&'static str],
    fetch: FetchRows,
) -> Outcome {
    let cp932 = cx.query.get("encoding").map(String::as_str) == Some("cp932");
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let tenant_id = cx.tenant.id;
    actix_web::rt::task::spawn_blocking(move || {
        if let Err(e) = produce(&pool, tenant_id, header, fetch, cp932, &tx) {
            tracing::error!("CSV export stopped: {e:#}");
        }
    });
    Outcome::Stream {
        content_type: if cp932 {
            "text/csv; charset=Shift_JIS"
        } else {
            "text/csv; charset=utf-8"
        },
        filename: format!("{name}-{}.csv", cx.clock.today()),
        chunks: rx,
    }
}

/// Whether the export asked for CP932, for the audit line.
pub fn encoding_of(cx: &StaffCx) -> &'static str {
    if cx.query.get("encoding").map(String::as_str) == Some("cp932") {
        "cp932"
    } else {
        "utf-8"
    }
}

fn produce(
    pool: &PgPool,
    tenant_id: i64,
    header: &[&str],
    mut fetch: FetchRows,
    cp932: bool,
    tx: &tokio::sync::mpsc::Sender<web::Bytes>,
) -> Result<(), AppError> {
    let mut conn = pool.get()?;
    crate::db::act_for_tenant(&mut conn, Some(tenant_id))?;
    let encode = |text: String| -> web::Bytes {
        if cp932 {
            web::Bytes::from(encoding_rs::SHIFT_JIS.encode(&text).0.into_owned())
        } else {
            web::Bytes::from(text)
        }
    };
    let mut first = csv_lines(&[header.iter().map(|h| h.to_string()).collect()]);
    if !cp932 {
        first.insert(0, '\u{FEFF}');
    }
    if tx.blocking_send(encode(first)).is_err() {
        return Ok(());
    }
    let mut offset = 0;
    loop {
        let rows = fetch(&mut conn, offset, BATCH)?;
        if !rows.is_empty() && tx.blocking_send(encode(csv_lines(&rows))).is_err() {
            return Ok(()); // the browser went away
        }
        if (rows.len() as i64) < BATCH {
            return Ok(());
        }
        offset += BATCH;
    }
}

/// Rows as CSV text with CRLF line ends, as spreadsheet programs expect.
fn csv_lines(rows: &[Vec<String>]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = writer.write_record(crate::domain::spreadsheet::row(row));
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A writer that hands what is written to a download stream in pieces of `PIECE` bytes,
/// for files made by a library that writes to `std::io::Write` (the data export's zip).
pub struct ChunkWriter {
    buffer: Vec<u8>,
    tx: tokio::sync::mpsc::Sender<web::Bytes>,
}

const PIECE: usize = 64 * 1024;

impl ChunkWriter {
    pub fn new(tx: tokio::sync::mpsc::Sender<web::Bytes>) -> Self {
        ChunkWriter {
            buffer: Vec::with_capacity(PIECE),
            tx,
        }
    }

    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.buffer, Vec::with_capacity(PIECE));
        self.tx.blocking_send(web::Bytes::from(piece)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the browser went away")
        })
    }
}

impl std::io::Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= PIECE {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}
