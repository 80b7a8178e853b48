//! A resolution's consent round as the store keeps its current value (`rounds`, `round_answers`).

use rusqlite::OptionalExtension;

use super::*;
use crate::error::Result;

impl Tx<'_> {
    /// A resolution's consent round, if one was opened.
    pub fn round(&self, id: &str) -> Result<Option<crate::model::Round>> {
        use crate::model::{Answer, Override, Round};
        let t = self.tx;
        let row = t
            .prepare_cached(
                "SELECT state, opened, asked, with_people, closed, override_by, override_reason FROM rounds WHERE item_id = ?1",
            )?
            .query_row([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })
            .optional()?;
        let Some((state, opened, asked, with, closed, by, why)) = row else { return Ok(None) };
        let mut round = Round {
            state,
            opened,
            asked: serde_json::from_str(&asked)?,
            with: serde_json::from_str(&with)?,
            closed,
            overridden: by.zip(why).map(|(by, reason)| Override { by, reason }),
            answers: Default::default(),
        };
        let mut st = t.prepare_cached(
            "SELECT person_id, answer, reason, perspective, friction, at FROM round_answers WHERE item_id = ?1 ORDER BY person_id",
        )?;
        let rows = st.query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Answer { answer: r.get(1)?, reason: r.get(2)?, perspective: r.get(3)?, friction: r.get(4)?, at: r.get(5)? },
            ))
        })?;
        for row in rows {
            let (pid, a) = row?;
            round.answers.insert(pid, a);
        }
        Ok(Some(round))
    }

    /// The ids of resolutions whose consent round is open.
    pub fn open_rounds(&self) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached("SELECT item_id FROM rounds WHERE state = 'open' ORDER BY item_id")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
