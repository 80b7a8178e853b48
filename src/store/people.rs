//! People and their perspectives.

use rusqlite::{params, OptionalExtension};

use super::*;
use crate::error::Result;
use crate::model::Person;

impl Tx<'_> {
    pub fn insert_person(&self, p: &Person) -> Result<()> {
        self.tx
            .prepare_cached("INSERT INTO people(id, name, name_key, perspective, created) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![p.id, p.name, p.name.to_lowercase(), p.perspective, p.created])?;
        Ok(())
    }

    pub fn update_person(&self, p: &Person) -> Result<()> {
        self.tx.prepare_cached("UPDATE people SET name = ?2, name_key = ?3, perspective = ?4 WHERE id = ?1")?.execute(params![
            p.id,
            p.name,
            p.name.to_lowercase(),
            p.perspective
        ])?;
        Ok(())
    }

    pub(super) fn person_row(r: &rusqlite::Row) -> rusqlite::Result<Person> {
        Ok(Person { id: r.get(0)?, name: r.get(1)?, perspective: r.get(2)?, created: r.get(3)? })
    }

    pub fn person_by_name(&self, name: &str) -> Result<Option<Person>> {
        Ok(self
            .tx
            .prepare_cached("SELECT id, name, perspective, created FROM people WHERE name_key = ?1")?
            .query_row([name.trim().to_lowercase()], Self::person_row)
            .optional()?)
    }

    pub fn person(&self, id: &str) -> Result<Option<Person>> {
        Ok(self
            .tx
            .prepare_cached("SELECT id, name, perspective, created FROM people WHERE id = ?1")?
            .query_row([id], Self::person_row)
            .optional()?)
    }

    pub fn people(&self) -> Result<Vec<Person>> {
        let mut st = self.tx.prepare_cached("SELECT id, name, perspective, created FROM people ORDER BY name_key")?;
        let rows = st.query_map([], Self::person_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
