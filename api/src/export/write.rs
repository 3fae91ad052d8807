//! Writing an export's file: rows in, encrypted bytes out, hashed as they reach the disk.
//!
//! CSV rows go through gzip and then age; an XLSX workbook (a zip already) goes through age
//! only. The file is written under a `.part` name and renamed once complete and synced, so a
//! file that exists under its final name is whole.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

use super::ExportSettings;
use crate::domain::export::{ExportField, ExportFormat};
use crate::error::{Error, Result};
use crate::store::exports::{ExportJobRow, Page};

/// The name of a job's file while it is written.
pub(super) fn part_name(job_id: &str) -> String {
    format!("{job_id}.part")
}

/// A finished file.
pub(super) struct Written {
    pub file_name: String,
    pub size: u64,
    pub sha256: String,
    pub rows: u64,
}

/// Counts and hashes the bytes that reach the file.
struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn io(what: &str) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::internal(format!("export file: cannot {what}: {e}"))
}

/// Most rows a worksheet holds (below the header).
const XLSX_MAX_ROWS: u64 = 1_048_575;

/// Writes the job's file from pages of rows: `next_page(after)` gives the page after the last
/// id written, `page_done(ids, rows_so_far)` is told of each page once it is in the file.
pub(super) fn write_file(
    settings: &ExportSettings,
    job: &ExportJobRow,
    mut next_page: impl FnMut(Option<&str>) -> Result<Page>,
    mut page_done: impl FnMut(&[String], i64) -> Result<()>,
    fields: &[&ExportField],
) -> Result<Written> {
    let format = job.format()?;
    let recipient: age::x25519::Recipient = job
        .recipient
        .parse()
        .map_err(|e| Error::internal(format!("stored recipient unreadable: {e}")))?;
    let part = settings.dir.join(part_name(&job.id));
    let file = std::fs::File::create(&part).map_err(io("create it"))?;
    let hashing = Hashing {
        inner: std::io::BufWriter::with_capacity(256 * 1024, file),
        hasher: Sha256::new(),
        size: 0,
    };
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| Error::internal(format!("cannot set up encryption: {e}")))?;
    let sealed = encryptor
        .wrap_output(hashing)
        .map_err(io("start encrypting"))?;
    let header: Vec<&str> = fields.iter().map(|f| f.name).collect();
    let mut rows = 0u64;
    let mut after: Option<String> = None;
    let mut each_page = |sink: &mut dyn FnMut(&[Vec<String>]) -> Result<()>| -> Result<()> {
        loop {
            let page = next_page(after.as_deref())?;
            if page.ids.is_empty() {
                return Ok(());
            }
            sink(&page.rows)?;
            rows += page.ids.len() as u64;
            page_done(&page.ids, i64::try_from(rows).unwrap_or(i64::MAX))?;
            after = page.ids.last().cloned();
        }
    };
    let hashing = match format {
        ExportFormat::Csv => {
            let gz = GzEncoder::new(sealed, Compression::default());
            let mut csv = csv::Writer::from_writer(gz);
            csv.write_record(&header).map_err(csv_error)?;
            each_page(&mut |page| {
                for r in page {
                    csv.write_record(r).map_err(csv_error)?;
                }
                Ok(())
            })?;
            let gz = csv
                .into_inner()
                .map_err(|e| Error::internal(format!("export file: cannot flush: {e}")))?;
            let sealed = gz.finish().map_err(io("compress"))?;
            sealed.finish().map_err(io("finish encrypting"))?
        }
        ExportFormat::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (c, name) in header.iter().enumerate() {
                let c = u16::try_from(c).map_err(|_| Error::internal("too many columns"))?;
                sheet
                    .write_string_with_format(0, c, *name, &bold)
                    .map_err(xlsx_error)?;
            }
            let mut row = 0u32;
            each_page(&mut |page| {
                for r in page {
                    row += 1;
                    if u64::from(row) > XLSX_MAX_ROWS {
                        return Err(Error::validation(
                            "format",
                            "more records than a spreadsheet holds (1,048,575); ask for CSV or for one office",
                        ));
                    }
                    for (c, v) in r.iter().enumerate() {
                        let c =
                            u16::try_from(c).map_err(|_| Error::internal("too many columns"))?;
                        if !v.is_empty() {
                            sheet.write_string(row, c, v).map_err(xlsx_error)?;
                        }
                    }
                }
                Ok(())
            })?;
            let bytes = book.save_to_buffer().map_err(xlsx_error)?;
            let mut sealed = sealed;
            sealed.write_all(&bytes).map_err(io("write"))?;
            sealed.finish().map_err(io("finish encrypting"))?
        }
    };
    let Hashing {
        inner,
        hasher,
        size,
    } = hashing;
    let file = inner
        .into_inner()
        .map_err(|e| Error::internal(format!("export file: cannot flush: {e}")))?;
    file.sync_all().map_err(io("sync"))?;
    drop(file);
    let file_name = format!("{}.{}", job.id, format.served_extension());
    std::fs::rename(&part, settings.file_path(&file_name)).map_err(io("rename"))?;
    Ok(Written {
        file_name,
        size,
        sha256: hex::encode(hasher.finalize()),
        rows,
    })
}

fn csv_error(e: csv::Error) -> Error {
    Error::internal(format!("export file: cannot write a row: {e}"))
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::internal(format!("export file: cannot write the workbook: {e}"))
}
