//! The lens's rows: everything the lens reads of one live item encoded in one row (migration 16),
//! so the lens reads one row per item instead of a row in each of nine tables. Derived from the
//! tables and kept up to date lazily: [`refresh`] encodes the items the triggers marked stale.
//!
//! A row is, little-endian: the kind (one byte), the id, title, creator and creation time; a
//! 16-bit mask of the fields present ([`NodeField::VALUED`] in order, then all-day, then
//! `agreed_by`) and the present ones' values; the resolved links (count, then target id and
//! relation each); the contributors (count, then person ids); the positions (count, then
//! perspectives). A text is its length (u32) and its UTF-8 bytes.

use crate::error::{Error, Result};
use crate::model::{Kind, Person, Rel};
use crate::store::{FastMap, LensSource, NodeField, NodeRow, Tx};
use crate::trace::{Authors, Fields, Graph, IdRef, IdRefs};

use super::Stances;

/// The rows' format: rows of another format are encoded again ([`refresh`]).
const FORMAT: &str = "1";

/// The `meta` key of the rows' format.
const FORMAT_KEY: &str = "lens.rows_format";

const ALL_DAY_BIT: u16 = 1 << 10;
const AGREED_BIT: u16 = 1 << 11;

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
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
    for s in [&n.id, &n.title, &n.author, &n.created] {
        put_str(&mut out, s);
    }
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
        put_str(&mut out, target);
        out.push(*rel as u8);
    }
    for list in [&src.contributors, &src.positions] {
        out.extend_from_slice(&(list.len() as u32).to_le_bytes());
        for s in list {
            put_str(&mut out, s);
        }
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
fn head<'a>(c: &mut Cursor<'a>) -> Result<(Kind, [&'a str; 4], u16)> {
    let kind = *Kind::ALL.get(c.u8()? as usize).ok_or_else(Cursor::bad)?;
    let texts = [c.str()?, c.str()?, c.str()?, c.str()?];
    Ok((kind, texts, c.u16()?))
}

/// The graph's items and their fields, from the rows as they arrive.
fn items(chunks: std::sync::mpsc::Receiver<std::sync::Arc<Chunk>>, room: usize) -> Result<Graph> {
    let mut g = Graph::with_room(room);
    let mut authors = Authors::default();
    let mut fields = Fields::default();
    for chunk in chunks {
        for row in chunk.rows() {
            let mut c = Cursor { b: row };
            let (kind, [id, title, author, created], mask) = head(&mut c)?;
            let i = g.len();
            g.push_item(&mut authors, id, kind, title, author, created);
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
            let (_, _, mask) = head(&mut c)?;
            for b in 0..NodeField::VALUED.len() {
                if mask & (1 << b) != 0 {
                    c.str()?;
                }
            }
            if mask & AGREED_BIT != 0 {
                stances.agreed.push((i, c.str()?.to_string()));
            }
            for _ in 0..c.u32()? {
                let target = ids.add(c.str()?);
                let rel = *Rel::ALL.get(c.u8()? as usize).ok_or_else(Cursor::bad)?;
                links.push((i as u32, target, rel));
            }
            for _ in 0..c.u32()? {
                if let Some(&p) = person.get(c.str()?) {
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
