//! The lens's rows: everything the lens reads of one live item encoded in one row (migration 16),
//! so the lens reads one row per item instead of a row in each of nine tables. Derived from the
//! tables and kept up to date lazily: [`refresh`] encodes the items the triggers marked stale.
//!
//! A row is, little-endian: the kind (one byte), the id, title, creator and creation time; a
//! 16-bit mask of the fields present ([`NodeField::VALUED`] in order, then all-day, then
//! `agreed_by`) and the present ones' values; the resolved links (count, then target id and
//! relation each); the contributors (count, then person ids); the positions (count, then
//! perspectives). A text is its length (u32) and its UTF-8 bytes; an id (the item's, its creator's,
//! a link's target, a contributor) is a byte 1 and its UUID as a 128-bit number when it is one
//! written the canonical way, else a byte 0 and the id as a text.

use crate::error::{Error, Result};
use crate::model::{Kind, Person, Rel};
use crate::store::{FastMap, LensSource, NodeField, NodeRow, Tx};
use crate::trace::{uuid_key, uuid_text, Authors, Fields, Graph, IdRef, IdRefs};

use super::Stances;

/// The rows' format: rows of another format are encoded again ([`refresh`]).
const FORMAT: &str = "2";

/// The `meta` key of the rows' format.
const FORMAT_KEY: &str = "lens.rows_format";

const ALL_DAY_BIT: u16 = 1 << 10;
const AGREED_BIT: u16 = 1 << 11;

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_id(out: &mut Vec<u8>, id: &str) {
    match uuid_key(id) {
        Some(k) => {
            out.push(1);
            out.extend_from_slice(&k.to_le_bytes());
        }
        None => {
            out.push(0);
            put_str(out, id);
        }
    }
}

/// An id as a row holds it.
#[derive(Clone, Copy)]
enum Id<'a> {
    Uuid(u128),
    Text(&'a str),
}

impl Id<'_> {
    /// The id as text (`buf` holds a UUID's).
    fn text<'b>(&'b self, buf: &'b mut [u8; 36]) -> &'b str {
        match *self {
            Id::Uuid(k) => uuid_text(k, buf),
            Id::Text(s) => s,
        }
    }
}

fn field_value(n: &NodeRow, f: NodeField) -> Option<&str> {
    match f {
        NodeField::Status => n.status.as_deref(),
        NodeField::Severity => n.severity.as_deref(),
        NodeField::Source => n.source.as_deref(),
        NodeField::Customer => n.customer.as_deref(),
        NodeField::Date => n.date.as_deref(),
        NodeField::DecidedOn => n.decided_on.as_deref(),
        NodeField::Retires => n.retires.as_deref(),
        NodeField::Start => n.start.as_deref(),
        NodeField::End => n.end.as_deref(),
        NodeField::Attendees => n.attendees.as_deref(),
        NodeField::AllDay => None,
    }
}

/// One item's row.
pub fn encode(src: &LensSource) -> Vec<u8> {
    let n = &src.node;
    let mut out = Vec::with_capacity(128 + 48 * src.links.len());
    out.push(Kind::ALL.iter().position(|&k| k == n.kind).unwrap_or(0) as u8);
    put_id(&mut out, &n.id);
    put_str(&mut out, &n.title);
    put_id(&mut out, &n.author);
    put_str(&mut out, &n.created);
    let mut mask = 0u16;
    for (b, &f) in NodeField::VALUED.iter().enumerate() {
        if field_value(n, f).is_some() {
            mask |= 1 << b;
        }
    }
    if n.all_day {
        mask |= ALL_DAY_BIT;
    }
    if src.agreed_by.is_some() {
        mask |= AGREED_BIT;
    }
    out.extend_from_slice(&mask.to_le_bytes());
    for &f in &NodeField::VALUED {
        if let Some(v) = field_value(n, f) {
            put_str(&mut out, v);
        }
    }
    if let Some(a) = &src.agreed_by {
        put_str(&mut out, a);
    }
    out.extend_from_slice(&(src.links.len() as u32).to_le_bytes());
    for (target, rel) in &src.links {
        put_id(&mut out, target);
        out.push(*rel as u8);
    }
    out.extend_from_slice(&(src.contributors.len() as u32).to_le_bytes());
    for p in &src.contributors {
        put_id(&mut out, p);
    }
    out.extend_from_slice(&(src.positions.len() as u32).to_le_bytes());
    for s in &src.positions {
        put_str(&mut out, s);
    }
    out
}

/// Encodes the items marked stale again (all of them when the rows' format changed) and clears
/// the marks. Call in a write transaction.
pub fn refresh(tx: &Tx) -> Result<usize> {
    if tx.meta(FORMAT_KEY)?.as_deref() != Some(FORMAT) {
        tx.reset_lens_rows()?;
        tx.set_meta(FORMAT_KEY, FORMAT)?;
    }
    let sources = tx.stale_lens_sources()?;
    for src in &sources {
        if src.deleted {
            tx.delete_lens_row(&src.node.id)?;
        } else {
            tx.put_lens_row(&src.node.id, &encode(src))?;
        }
    }
    tx.clear_lens_stale()?;
    Ok(sources.len())
}

/// Whether the rows can be read as they are: none stale, and in this format.
pub fn current(tx: &Tx) -> Result<bool> {
    Ok(tx.lens_stale_count()? == 0 && tx.meta(FORMAT_KEY)?.as_deref() == Some(FORMAT))
}

/// A row being read.
struct Cursor<'a> {
    b: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn bad() -> Error {
        Error::Corrupt("a lens row is cut short or not UTF-8".into())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.b.len() < n {
            return Err(Cursor::bad());
        }
        let (head, rest) = self.b.split_at(n);
        self.b = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn id(&mut self) -> Result<Id<'a>> {
        Ok(match self.u8()? {
            1 => {
                let b = self.take(16)?;
                let mut k = [0u8; 16];
                k.copy_from_slice(b);
                Id::Uuid(u128::from_le_bytes(k))
            }
            0 => Id::Text(self.str()?),
            _ => return Err(Cursor::bad()),
        })
    }

    fn str(&mut self) -> Result<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).map_err(|_| Cursor::bad())
    }
}

/// What the lens reads, from the rows: the graph (its links placed), who contributed what as
/// `(item, person)` positions (sorted, once each), and the stances.
pub struct FromRows {
    pub graph: Graph,
    pub contributions: Vec<(usize, usize)>,
    pub stances: Stances,
}

/// Rows read from the store, end to end, passed from the thread that reads them to the one that
/// makes the graph's items of them.
#[derive(Default)]
struct Chunk {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Chunk {
    const ROWS: usize = 2048;

    fn rows(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends.iter().copied()).map(|(a, b)| &self.bytes[a..b])
    }
}

/// A row's head: its kind, id, title, creator and creation time, and the mask of its fields.
#[allow(clippy::type_complexity)]
fn head<'a>(c: &mut Cursor<'a>) -> Result<(Kind, Id<'a>, &'a str, Id<'a>, &'a str, u16)> {
    let kind = *Kind::ALL.get(c.u8()? as usize).ok_or_else(Cursor::bad)?;
    let (id, title, author, created) = (c.id()?, c.str()?, c.id()?, c.str()?);
    Ok((kind, id, title, author, created, c.u16()?))
}

/// The graph's items and their fields, from the rows as they arrive.
fn items(chunks: std::sync::mpsc::Receiver<std::sync::Arc<Chunk>>, room: usize) -> Result<Graph> {
    let mut g = Graph::with_room(room);
    let mut authors = Authors::default();
    let mut fields = Fields::default();
    for chunk in chunks {
        for row in chunk.rows() {
            let mut c = Cursor { b: row };
            let (kind, id, title, author, created, mask) = head(&mut c)?;
            let i = g.len();
            let key = match id {
                Id::Uuid(k) => Some(k),
                Id::Text(_) => None,
            };
            let (mut id_buf, mut author_buf) = ([0u8; 36], [0u8; 36]);
            g.push_keyed(&mut authors, key, id.text(&mut id_buf), kind, title, author.text(&mut author_buf), created);
            for (b, &f) in NodeField::VALUED.iter().enumerate() {
                if mask & (1 << b) != 0 {
                    fields.set(i, f, Some(c.str()?));
                }
            }
            if mask & ALL_DAY_BIT != 0 {
                fields.set(i, NodeField::AllDay, None);
            }
        }
    }
    g.set_fields(fields);
    Ok(g)
}

/// Reads every row (see [`current`]) into a graph of the live items. The rows are read here and
/// passed on in chunks to a second thread, which makes the items and their fields, while the
/// links, contributors and stances are taken from the same rows here. Then `progress` is read
/// of the items while their links are placed.
pub fn read(tx: &Tx, people: &[Person], progress: impl FnOnce(&Graph) -> Result<crate::chairs::Progress>) -> Result<FromRows> {
    let person: FastMap<&str, usize> = people.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
    let person_by_key: FastMap<u128, usize> = people.iter().enumerate().filter_map(|(i, p)| Some((uuid_key(&p.id)?, i))).collect();
    let room = tx.items_at_most()?;
    let mut ids = IdRefs::default();
    let mut links: Vec<(u32, IdRef, Rel)> = Vec::new();
    let mut contributions: Vec<(usize, usize)> = Vec::new();
    let mut stances = Stances::default();
    let (send, recv) = std::sync::mpsc::sync_channel::<std::sync::Arc<Chunk>>(64);
    let graph = std::thread::scope(|scope| -> Result<Graph> {
        let maker = scope.spawn(move || items(recv, room));
        let mut i = 0usize;
        let mut rest = |row: &[u8], i: usize| -> Result<()> {
            let mut c = Cursor { b: row };
            let (.., mask) = head(&mut c)?;
            for b in 0..NodeField::VALUED.len() {
                if mask & (1 << b) != 0 {
                    c.str()?;
                }
            }
            if mask & AGREED_BIT != 0 {
                stances.agreed.push((i, c.str()?.to_string()));
            }
            for _ in 0..c.u32()? {
                let target = match c.id()? {
                    Id::Uuid(k) => IdRef::Uuid(k),
                    Id::Text(s) => ids.add(s),
                };
                let rel = *Rel::ALL.get(c.u8()? as usize).ok_or_else(Cursor::bad)?;
                links.push((i as u32, target, rel));
            }
            for _ in 0..c.u32()? {
                let p = match c.id()? {
                    Id::Uuid(k) => person_by_key.get(&k),
                    Id::Text(s) => person.get(s),
                };
                if let Some(&p) = p {
                    contributions.push((i, p));
                }
            }
            for _ in 0..c.u32()? {
                stances.positions.push((i, c.str()?.to_string()));
            }
            Ok(())
        };
        let mut chunk = Chunk::default();
        let mut pass = |chunk: Chunk, i: &mut usize| -> Result<()> {
            let chunk = std::sync::Arc::new(chunk);
            // The maker stopped only on an error, which its join reports.
            let _ = send.send(chunk.clone());
            for row in chunk.rows() {
                rest(row, *i)?;
                *i += 1;
            }
            Ok(())
        };
        let scanned = tx.each_lens_row(|row| {
            chunk.bytes.extend_from_slice(row);
            chunk.ends.push(chunk.bytes.len());
            if chunk.ends.len() == Chunk::ROWS {
                pass(std::mem::take(&mut chunk), &mut i)?;
            }
            Ok(())
        });
        let passed = scanned.and_then(|()| pass(chunk, &mut i));
        drop(send);
        let g = maker.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        passed?;
        g
    })?;
    let mut graph = graph;
    // The links are placed on a second thread while `beside` (the rest of the lens's reading) runs here.
    let (edges, beside) = std::thread::scope(|scope| {
        let edges = scope.spawn(|| graph.edges_from(&links, &ids));
        let beside = progress(&graph);
        (edges.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), beside)
    });
    stances.progress = beside?;
    graph.set_edges(edges);
    contributions.sort_unstable();
    contributions.dedup();
    Ok(FromRows { graph, contributions, stances })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_is_kept_as_a_number_and_written_back_the_same() {
        let mut buf = [0u8; 36];
        for id in ["0192f1c4-7a3b-7c8d-9e0f-123456789abc", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-7fff-bfff-ffffffffffff"] {
            let k = uuid_key(id).expect("a canonical uuid");
            assert_eq!(uuid_text(k, &mut buf), id);
        }
        // Not canonical: kept as text in a row.
        for id in ["0192F1C4-7A3B-7C8D-9E0F-123456789ABC", "imported-note-7", "0192f1c47a3b7c8d9e0f123456789abc"] {
            assert_eq!(uuid_key(id), None, "{id}");
            let mut out = Vec::new();
            put_id(&mut out, id);
            let mut c = Cursor { b: &out };
            assert!(matches!(c.id().unwrap(), Id::Text(s) if s == id));
        }
    }
}
