//! The rows of files added to the workspace (see `crate::attach`): read here, written by `write.rs`.

use rusqlite::OptionalExtension;

use super::*;
use crate::error::Result;

/// One file as it was added to the workspace (see `crate::attach`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttachmentRow {
    pub id: String,
    /// Where it sits in the workspace's tree of files, e.g. `Attachments/chart.png`.
    pub path: String,
    /// sha256 of its bytes, lower-case hex.
    pub hash: String,
    pub size: u64,
    pub media_type: String,
    /// The id of the person who added it.
    pub added_by: String,
    pub added_at: String,
}

impl Tx<'_> {
    fn attachment_row(r: &rusqlite::Row) -> rusqlite::Result<AttachmentRow> {
        Ok(AttachmentRow {
            id: r.get(0)?,
            path: r.get(1)?,
            hash: r.get(2)?,
            size: r.get::<_, i64>(3)? as u64,
            media_type: r.get(4)?,
            added_by: r.get(5)?,
            added_at: r.get(6)?,
        })
    }

    /// Every attachment row, oldest first (a later row at the same path is a newer version).
    pub fn attachments(&self) -> Result<Vec<AttachmentRow>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT id, path, hash, size, media_type, added_by, added_at FROM attachments ORDER BY added_at, rowid")?;
        let rows = st.query_map([], Self::attachment_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The row of the file at `path` (any case) holding `hash`, if it was added.
    pub fn attachment_at(&self, path: &str, hash: &str) -> Result<Option<AttachmentRow>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT id, path, hash, size, media_type, added_by, added_at FROM attachments WHERE path_key = ?1 AND hash = ?2",
            )?
            .query_row([path.to_lowercase().as_str(), hash], Self::attachment_row)
            .optional()?)
    }

    /// The distinct hashes of every attachment row.
    pub fn attachment_hashes(&self) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached("SELECT DISTINCT hash FROM attachments ORDER BY hash")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
