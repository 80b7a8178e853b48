//! The calendar import's lookups: the meeting made from an event's occurrence.

use rusqlite::OptionalExtension;

use super::*;
use crate::error::Result;

impl Tx<'_> {
    /// The meeting imported from occurrence `recurrence_id` ('' for a single event) of event `uid`.
    pub fn calendar_item(&self, uid: &str, recurrence_id: &str) -> Result<Option<String>> {
        let mut st = self.tx.prepare_cached(CALENDAR_ITEM_SQL)?;
        Ok(st.query_row([uid, recurrence_id], |r| r.get(0)).optional()?)
    }

    /// Records which calendar event a meeting came from.
    pub fn set_calendar_item(&self, item_id: &str, uid: &str, recurrence_id: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO calendar_events(item_id, uid, recurrence_id) VALUES (?1, ?2, ?3)
             ON CONFLICT(item_id) DO UPDATE SET uid = excluded.uid, recurrence_id = excluded.recurrence_id",
            [item_id, uid, recurrence_id],
        )?;
        Ok(())
    }

    /// Every meeting imported from event `uid`: `(item id, recurrence id)`, in recurrence order.
    pub fn calendar_items_of(&self, uid: &str) -> Result<Vec<(String, String)>> {
        let mut st = self.tx.prepare_cached("SELECT item_id, recurrence_id FROM calendar_events WHERE uid = ?1 ORDER BY recurrence_id")?;
        let rows = st.query_map([uid], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
