//! The whole store in memory ([`Graph`]): every live item as columns, every resolved link between
//! them, and how they are read (items and links may be read at once on two connections: [`RawLinks`]).

use crate::error::Result;
use crate::model::{Kind, Rel};
use crate::store::{EdgeLink, FastMap, NodeField, NodeRow, Tx};

use super::{day, ItemRef, View};

/// Strings kept end to end in one buffer, each one or `None` at a position: no allocation per string.
#[derive(Default)]
struct Strs {
    buf: String,
    /// `(start, len)` in `buf`; `len == NONE` for `None`.
    at: Vec<(u32, u32)>,
}

const NONE: u32 = u32::MAX;

impl Strs {
    /// Room for `n` strings of about `len` bytes each.
    fn with_capacity(n: usize, len: usize) -> Strs {
        Strs { buf: String::with_capacity(n * len), at: Vec::with_capacity(n) }
    }

    fn push(&mut self, s: &str) {
        self.at.push((self.buf.len() as u32, s.len() as u32));
        self.buf.push_str(s);
    }

    /// Sets position `i` (kept as `None` up to there); an earlier value's bytes stay unused.
    fn set(&mut self, i: usize, s: Option<&str>) {
        if self.at.len() <= i {
            self.at.resize(i + 1, (0, NONE));
        }
        self.at[i] = match s {
            Some(s) => {
                let start = self.buf.len() as u32;
                self.buf.push_str(s);
                (start, s.len() as u32)
            }
            None => (0, NONE),
        };
    }

    fn get(&self, i: usize) -> Option<&str> {
        match self.at.get(i) {
            Some(&(start, len)) if len != NONE => Some(&self.buf[start as usize..(start + len) as usize]),
            _ => None,
        }
    }
}

/// The value of each hex digit (lower case), 0x80 for any other byte.
const HEX: [u8; 256] = {
    let mut t = [0x80u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// An item id as a number when it is a UUID written the canonical way (36 characters, lower-case
/// hex, dashes at 8, 13, 18 and 23): ids are looked up by number, without comparing strings.
pub fn uuid_key(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 || b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    let (mut hi, mut lo, mut bad) = (0u64, 0u64, 0u8);
    for &c in b[0..8].iter().chain(&b[9..13]).chain(&b[14..18]) {
        let d = HEX[c as usize];
        bad |= d;
        hi = (hi << 4) | u64::from(d);
    }
    for &c in b[19..23].iter().chain(&b[24..36]) {
        let d = HEX[c as usize];
        bad |= d;
        lo = (lo << 4) | u64::from(d);
    }
    (bad & 0x80 == 0).then_some((u128::from(hi) << 64) | u128::from(lo))
}

/// A UUID number written the canonical way ([`uuid_key`] reads it back), into `out`.
pub fn uuid_text(k: u128, out: &mut [u8; 36]) -> &str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut n = 0;
    for (at, o) in out.iter_mut().enumerate() {
        if matches!(at, 8 | 13 | 18 | 23) {
            *o = b'-';
        } else {
            *o = DIGITS[((k >> (124 - 4 * n)) & 0xf) as usize];
            n += 1;
        }
    }
    std::str::from_utf8(out).unwrap_or_default()
}

/// A link as one number: source and target position and relation, in an order that sorts by
/// source, then target, then relation.
fn link_key(s: usize, t: usize, rel: Rel) -> u64 {
    ((s as u64) << 35) | ((t as u64) << 3) | rel as u64
}

/// An item id read before the graph it will be looked up in: parsed where it was read (a UUID
/// as a number, anything else kept in [`IdRefs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdRef {
    Uuid(u128),
    Other(u32),
}

/// The ids behind [`IdRef::Other`].
#[derive(Debug, Default)]
pub struct IdRefs {
    other: Vec<String>,
}

impl IdRefs {
    pub fn add(&mut self, id: &str) -> IdRef {
        match uuid_key(id) {
            Some(k) => IdRef::Uuid(k),
            None => {
                self.other.push(id.to_string());
                IdRef::Other(self.other.len() as u32 - 1)
            }
        }
    }
}

/// Every resolved link as read from the store, before the graph is: see [`Graph::add_links`].
#[derive(Debug, Default)]
pub struct RawLinks {
    ids: IdRefs,
    rows: Vec<(IdRef, IdRef, Rel)>,
}

impl RawLinks {
    pub fn read(tx: &Tx) -> Result<RawLinks> {
        let mut raw = RawLinks::default();
        // Links come grouped by source: its id is parsed once per group.
        let (mut last, mut last_ref) = (String::new(), None);
        tx.each_resolved_link(|s, t, rel| {
            let source = match last_ref {
                Some(r) if last == s => r,
                _ => {
                    let r = raw.ids.add(s);
                    last.clear();
                    last.push_str(s);
                    last_ref = Some(r);
                    r
                }
            };
            let t = raw.ids.add(t);
            raw.rows.push((source, t, rel));
        })?;
        Ok(raw)
    }
}

/// Every field row of the kinds' field tables as read from the store, before the graph is: see
/// [`Graph::fields_of`]. The values are kept end to end in one buffer.
#[derive(Debug, Default)]
pub struct RawFields {
    ids: IdRefs,
    /// `(item, the table's kind, field, value)`, the value as `(start, len)` in `values`
    /// (`len == NONE` for none).
    rows: Vec<(IdRef, Option<Kind>, NodeField, u32, u32)>,
    values: String,
}

impl RawFields {
    pub fn read(tx: &Tx) -> Result<RawFields> {
        let mut raw = RawFields::default();
        // Rows come grouped by item within each table: its id is parsed once per group.
        let (mut last, mut last_ref) = (String::new(), None);
        tx.each_node_field(|id, kind, field, value| {
            let item = match last_ref {
                Some(r) if last == id => r,
                _ => {
                    let r = raw.ids.add(id);
                    last.clear();
                    last.push_str(id);
                    last_ref = Some(r);
                    r
                }
            };
            let (start, len) = match value {
                Some(v) => {
                    let start = raw.values.len() as u32;
                    raw.values.push_str(v);
                    (start, v.len() as u32)
                }
                None => (0, NONE),
            };
            raw.rows.push((item, kind, field, start, len));
        })?;
        Ok(raw)
    }
}

/// The kinds' fields of every item, one column per [`NodeField::VALUED`] field, and which items
/// are all-day meetings: [`Graph::fields_of`] makes them (or [`Fields::set`], item by item),
/// [`Graph::set_fields`] keeps them.
pub struct Fields {
    columns: Vec<Strs>,
    all_day: Vec<bool>,
}

impl Default for Fields {
    fn default() -> Fields {
        Fields { columns: NodeField::VALUED.iter().map(|_| Strs::default()).collect(), all_day: Vec::new() }
    }
}

impl Fields {
    /// Sets field `f` of item `i` (for [`NodeField::AllDay`]: marks it an all-day meeting).
    pub fn set(&mut self, i: usize, f: NodeField, value: Option<&str>) {
        match NodeField::VALUED.iter().position(|&x| x == f) {
            Some(c) => self.columns[c].set(i, value),
            None => {
                if self.all_day.len() <= i {
                    self.all_day.resize(i + 1, false);
                }
                self.all_day[i] = true;
            }
        }
    }
}

/// The person ids met so far, each kept once in a list and found there by its position (the
/// creators while items are added to a graph: [`Graph::push_item`]).
#[derive(Default)]
pub struct Authors(FastMap<String, u32>);

impl Authors {
    /// The position of `id` in `list`, added at its end when first met.
    pub fn intern(&mut self, list: &mut Vec<String>, id: &str) -> u32 {
        if let Some(&a) = self.0.get(id) {
            return a;
        }
        list.push(id.to_string());
        let a = list.len() as u32 - 1;
        self.0.insert(id.to_string(), a);
        a
    }
}

/// The links as node indices and which touch each node: [`Graph::edges_of`] makes them,
/// [`Graph::set_edges`] keeps them.
pub struct Edges {
    edges: Vec<(usize, usize, Rel)>,
    at_off: Vec<usize>,
    at_list: Vec<u32>,
}

/// The whole store in memory: every live item and every resolved link between them, items as
/// columns indexed by position (the order the store keeps them in).
pub struct Graph {
    kinds: Vec<Kind>,
    ids: Strs,
    /// Each item's id as a number when it is a UUID ([`uuid_key`]).
    keys: Vec<Option<u128>>,
    titles: Strs,
    created: Strs,
    /// The creator of each item, as a position in `authors` (the distinct person ids).
    author: Vec<u32>,
    authors: Vec<String>,
    /// One column per [`NodeField::VALUED`] field.
    fields: Vec<Strs>,
    all_day: Vec<bool>,
    by_uuid: FastMap<u128, u32>,
    by_other: FastMap<String, u32>,
    /// `(source, target, relation)` as node indices, once each, in that order.
    pub edges: Vec<(usize, usize, Rel)>,
    /// The indices into `edges` that touch each node: node `v`'s are `at_list[at_off[v]..at_off[v + 1]]`.
    at_off: Vec<usize>,
    at_list: Vec<u32>,
}

impl Graph {
    pub fn load(tx: &Tx) -> Result<Graph> {
        let mut g = Graph::load_items(tx)?;
        g.set_fields(g.fields_of(&RawFields::read(tx)?));
        g.set_edges(g.edges_of(&RawLinks::read(tx)?));
        Ok(g)
    }

    /// The live items, without their fields and links: [`Graph::load`] is this,
    /// [`Graph::fields_of`] of [`RawFields::read`] and [`Graph::edges_of`] of [`RawLinks::read`],
    /// which may be read at the same time on another connection.
    pub fn load_items(tx: &Tx) -> Result<Graph> {
        let mut g = Graph::with_room(tx.items_at_most()?);
        let mut authors = Authors::default();
        tx.each_node(|id, kind, title, author, created| g.push_item(&mut authors, id, kind, title, author, created))?;
        Ok(g)
    }

    /// A graph without items, with room for `n` of them: no column is copied as it grows.
    pub fn with_room(n: usize) -> Graph {
        Graph {
            kinds: Vec::with_capacity(n),
            ids: Strs::with_capacity(n, 36),
            keys: Vec::with_capacity(n),
            titles: Strs::with_capacity(n, 32),
            created: Strs::with_capacity(n, 20),
            author: Vec::with_capacity(n),
            authors: Vec::new(),
            fields: Fields::default().columns,
            all_day: Vec::new(),
            by_uuid: FastMap::with_capacity_and_hasher(n, Default::default()),
            by_other: FastMap::default(),
            edges: Vec::new(),
            at_off: Vec::new(),
            at_list: Vec::new(),
        }
    }

    /// Adds a live item after the others (its position is the number of items before it);
    /// `authors` remembers the creators seen so far.
    pub fn push_item(&mut self, authors: &mut Authors, id: &str, kind: Kind, title: &str, author: &str, created: &str) {
        self.push_keyed(authors, uuid_key(id), id, kind, title, author, created);
    }

    /// [`Graph::push_item`] of an id whose [`uuid_key`] is known already.
    #[allow(clippy::too_many_arguments)]
    pub fn push_keyed(&mut self, authors: &mut Authors, key: Option<u128>, id: &str, kind: Kind, title: &str, author: &str, created: &str) {
        let i = self.kinds.len() as u32;
        match key {
            Some(k) => self.by_uuid.insert(k, i),
            None => self.by_other.insert(id.to_string(), i),
        };
        self.keys.push(key);
        self.kinds.push(kind);
        self.ids.push(id);
        self.titles.push(title);
        self.created.push(created);
        let a = authors.intern(&mut self.authors, author);
        self.author.push(a);
    }

    /// The fields read by [`RawFields::read`] as columns of this graph's items (rows of items
    /// not here are dropped; a later value of the same field replaces an earlier one).
    pub fn fields_of(&self, raw: &RawFields) -> Fields {
        let mut out = Fields::default();
        // Field rows mostly come in the order of their items: the next item of the row's kind after
        // the previous row's is tried before a lookup.
        let mut cursor: Option<usize> = None;
        for &(id, kind, field, start, len) in &raw.rows {
            let Some(i) = self.pos_near(id, &raw.ids, cursor, kind) else { continue };
            cursor = Some(i);
            let value = (len != NONE).then(|| &raw.values[start as usize..(start + len) as usize]);
            if field != NodeField::AllDay || self.kinds[i] == Kind::Meeting {
                out.set(i, field, value);
            }
        }
        out
    }

    /// Keeps `f` (made by [`Graph::fields_of`] of this graph) as the items' fields.
    pub fn set_fields(&mut self, f: Fields) {
        self.fields = f.columns;
        self.all_day = f.all_day;
    }

    /// The links read by [`RawLinks::read`] whose ends are both live items here.
    pub fn edges_of(&self, raw: &RawLinks) -> Edges {
        let mut keys: Vec<u64> = Vec::with_capacity(raw.rows.len());
        let (mut last_source, mut last_pos) = (None, None);
        for &(s, t, rel) in &raw.rows {
            if last_source != Some(s) {
                last_source = Some(s);
                last_pos = self.pos_of(s, &raw.ids);
            }
            if let (Some(s), Some(t)) = (last_pos, self.pos_of(t, &raw.ids)) {
                keys.push(link_key(s, t, rel));
            }
        }
        edges_from(keys, self.len())
    }

    /// The links `(source position, target, relation)` whose targets are live items here.
    pub fn edges_from(&self, rows: &[(u32, IdRef, Rel)], ids: &IdRefs) -> Edges {
        let keys = rows.iter().filter_map(|&(s, t, rel)| self.pos_of(t, ids).map(|t| link_key(s as usize, t, rel))).collect();
        edges_from(keys, self.len())
    }

    /// Keeps `e` (made by [`Graph::edges_of`] of this graph) as the links.
    pub fn set_edges(&mut self, e: Edges) {
        self.edges = e.edges;
        self.at_off = e.at_off;
        self.at_list = e.at_list;
    }

    /// The position of an id read before this graph was loaded.
    pub fn pos_of(&self, id: IdRef, ids: &IdRefs) -> Option<usize> {
        match id {
            IdRef::Uuid(k) => self.by_uuid.get(&k),
            IdRef::Other(i) => self.by_other.get(ids.other[i as usize].as_str()),
        }
        .map(|&i| i as usize)
    }

    /// [`Graph::pos_of`] for ids that come in the items' order: the same item as `last` and the
    /// next one are tried before a lookup.
    pub fn pos_of_after(&self, id: IdRef, ids: &IdRefs, last: Option<usize>) -> Option<usize> {
        self.pos_near(id, ids, last, None)
    }

    /// [`Graph::pos_of`], trying first the same item as `last` and the next one after it (of kind
    /// `kind`, when given; a short look ahead, so a miss costs a lookup, never a long scan).
    fn pos_near(&self, id: IdRef, ids: &IdRefs, last: Option<usize>, kind: Option<Kind>) -> Option<usize> {
        if let (Some(l), IdRef::Uuid(k)) = (last, id) {
            if self.keys.get(l) == Some(&Some(k)) {
                return Some(l);
            }
            let ahead = &self.kinds[(l + 1).min(self.len())..(l + 65).min(self.len())];
            let next = match kind {
                Some(want) => ahead.iter().position(|&x| x == want).map(|p| l + 1 + p),
                None => Some(l + 1),
            };
            if let Some(c) = next {
                if self.keys.get(c) == Some(&Some(k)) {
                    return Some(c);
                }
            }
        }
        self.pos_of(id, ids)
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// The position of the live item `id`.
    pub fn pos(&self, id: &str) -> Option<usize> {
        match uuid_key(id) {
            Some(k) => self.by_uuid.get(&k),
            None => self.by_other.get(id),
        }
        .map(|&i| i as usize)
    }

    pub fn kind(&self, i: usize) -> Kind {
        self.kinds[i]
    }

    pub fn id(&self, i: usize) -> &str {
        self.ids.get(i).unwrap_or_default()
    }

    pub fn title(&self, i: usize) -> &str {
        self.titles.get(i).unwrap_or_default()
    }

    pub fn created(&self, i: usize) -> &str {
        self.created.get(i).unwrap_or_default()
    }

    /// The creator's person id.
    pub fn author(&self, i: usize) -> &str {
        &self.authors[self.author[i] as usize]
    }

    /// The creator, as a position in [`Graph::authors`].
    pub fn author_at(&self, i: usize) -> usize {
        self.author[i] as usize
    }

    /// The distinct person ids of the items' creators.
    pub fn authors(&self) -> &[String] {
        &self.authors
    }

    /// A field's value (`None` for [`NodeField::AllDay`]: see [`Graph::all_day`]).
    pub fn field(&self, i: usize, f: NodeField) -> Option<&str> {
        let c = NodeField::VALUED.iter().position(|&x| x == f)?;
        self.fields[c].get(i)
    }

    pub fn all_day(&self, i: usize) -> bool {
        self.all_day.get(i).copied().unwrap_or(false)
    }

    /// The day a signal was observed: its `date`, else the day it was recorded (as [`observed`]).
    pub fn observed(&self, i: usize) -> std::borrow::Cow<'_, str> {
        self.field(i, NodeField::Date).map_or_else(|| day(self.created(i)).into(), Into::into)
    }

    pub fn item_ref(&self, i: usize) -> ItemRef {
        ItemRef { id: self.id(i).to_string(), kind: self.kind(i), title: self.title(i).to_string() }
    }

    /// Item `i` as a row of its own.
    pub fn node_row(&self, i: usize) -> NodeRow {
        let f = |x| self.field(i, x).map(str::to_string);
        NodeRow {
            id: self.id(i).to_string(),
            kind: self.kind(i),
            title: self.title(i).to_string(),
            author: self.author(i).to_string(),
            created: self.created(i).to_string(),
            status: f(NodeField::Status),
            severity: f(NodeField::Severity),
            source: f(NodeField::Source),
            customer: f(NodeField::Customer),
            date: f(NodeField::Date),
            decided_on: f(NodeField::DecidedOn),
            retires: f(NodeField::Retires),
            start: f(NodeField::Start),
            end: f(NodeField::End),
            attendees: f(NodeField::Attendees),
            all_day: self.all_day(i),
        }
    }

    /// The indices into `edges` of the links that touch node `v`.
    pub fn at(&self, v: usize) -> impl Iterator<Item = usize> + '_ {
        self.at_list[self.at_off[v]..self.at_off[v + 1]].iter().map(|&e| e as usize)
    }

    /// Node indices one step upstream (`up == true`) or downstream of `i`, following every typed
    /// link except those in `skip`.
    pub fn step<'a>(&'a self, i: usize, up: bool, skip: &'a [Rel]) -> impl Iterator<Item = usize> + 'a {
        self.at(i).filter_map(move |ei| {
            let (s, t, rel) = self.edges[ei];
            if skip.contains(&rel) || s == t {
                return None;
            }
            let (u, d) = match rel {
                Rel::Evidence | Rel::Resolves | Rel::DerivedFrom => (t, s),
                Rel::Advances | Rel::Supports | Rel::Contradicts => (s, t),
                Rel::References => return None,
            };
            match (up, d == i, u == i) {
                (true, true, _) => Some(u),
                (false, _, true) => Some(d),
                _ => None,
            }
        })
    }
}

/// The links of a graph of `n` items from their keys ([`link_key`]), in any order and repeated.
fn edges_from(mut keys: Vec<u64>, n: usize) -> Edges {
    keys.sort_unstable();
    keys.dedup();
    let mask = (1u64 << 32) - 1;
    let edges: Vec<(usize, usize, Rel)> =
        keys.iter().map(|&k| ((k >> 35) as usize, ((k >> 3) & mask) as usize, Rel::ALL[(k & 7) as usize])).collect();
    let mut at_off = vec![0usize; n + 1];
    for &(s, t, _) in &edges {
        at_off[s + 1] += 1;
        if t != s {
            at_off[t + 1] += 1;
        }
    }
    for v in 0..n {
        at_off[v + 1] += at_off[v];
    }
    let mut fill = at_off.clone();
    let mut at_list = vec![0u32; at_off[n]];
    for (ei, &(s, t, _)) in edges.iter().enumerate() {
        at_list[fill[s]] = ei as u32;
        fill[s] += 1;
        if t != s {
            at_list[fill[t]] = ei as u32;
            fill[t] += 1;
        }
    }
    Edges { edges, at_off, at_list }
}

impl View for &Graph {
    fn node(&mut self, id: &str) -> Result<Option<NodeRow>> {
        Ok(self.pos(id).map(|i| self.node_row(i)))
    }

    fn edges(&mut self, id: &str) -> Result<Vec<EdgeLink>> {
        let Some(i) = self.pos(id) else { return Ok(Vec::new()) };
        Ok(self
            .at(i)
            .map(|ei| {
                let (s, t, rel) = self.edges[ei];
                EdgeLink { source_id: self.id(s).to_string(), target_id: self.id(t).to_string(), rel }
            })
            .collect())
    }
}
