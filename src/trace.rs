//! Trace: the red thread through typed links, in both directions, and what follows from it —
//! the evidence strength of an insight and the review flag of a resolution.
//!
//! Typed links are read in their meaning. Each one has an *upstream* end (closer to what was
//! heard) and a *downstream* end (closer to the goals):
//!
//! | link written in A's body | upstream | downstream |
//! |---|---|---|
//! | `evidence:: [[B]]` (insight → signal) | B | A |
//! | `resolves:: [[B]]` (resolution → friction) | B | A |
//! | `derived-from:: [[B]]` | B | A |
//! | `advances:: [[B]]` (→ goal) | A | B |
//! | `supports:: [[B]]` | A | B |
//! | `contradicts:: [[B]]` | A | B |
//!
//! Plain `[[references]]` are mentions, not part of the thread — except a mention of an insight in
//! a trace: the item naming an insight draws on it, so the insight and its evidence are upstream. Everything here is a pure function
//! over a [`View`] of the store: the whole store loaded once ([`Graph`], for the lens) or a lazy
//! view that reads only the items a trace reaches ([`TxView`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{self, Kind, Rel};
use crate::store::{EdgeLink, FastMap, NodeField, NodeRow, Tx};

/// Days after which a signal counts half as much for an insight's evidence.
pub const RECENCY_HALF_LIFE_DAYS: f64 = 180.0;

/// The deepest trace a caller may ask for.
pub const MAX_DEPTH: usize = 50;

/// The upstream and downstream ends of a typed link, or `None` for a plain reference.
pub fn up_down(e: &EdgeLink) -> Option<(&str, &str)> {
    match e.rel {
        Rel::Evidence | Rel::Resolves | Rel::DerivedFrom => Some((&e.target_id, &e.source_id)),
        Rel::Advances | Rel::Supports | Rel::Contradicts => Some((&e.source_id, &e.target_id)),
        Rel::References => None,
    }
}

/// A way to read items and their links: the whole store in memory, or lazily through a transaction.
pub trait View {
    /// A live item, or `None`.
    fn node(&mut self, id: &str) -> Result<Option<NodeRow>>;
    /// The resolved links between live items that start or end at `id`.
    fn edges(&mut self, id: &str) -> Result<Vec<EdgeLink>>;
}

/// A view that reads what it is asked for through a transaction, and remembers it.
pub struct TxView<'a, 'b> {
    tx: &'a Tx<'b>,
    nodes: HashMap<String, Option<NodeRow>>,
    edges: HashMap<String, Vec<EdgeLink>>,
}

impl<'a, 'b> TxView<'a, 'b> {
    pub fn new(tx: &'a Tx<'b>) -> Self {
        TxView { tx, nodes: HashMap::new(), edges: HashMap::new() }
    }
}

impl View for TxView<'_, '_> {
    fn node(&mut self, id: &str) -> Result<Option<NodeRow>> {
        if let Some(n) = self.nodes.get(id) {
            return Ok(n.clone());
        }
        let n = self.tx.node(id)?;
        self.nodes.insert(id.to_string(), n.clone());
        Ok(n)
    }

    fn edges(&mut self, id: &str) -> Result<Vec<EdgeLink>> {
        if let Some(e) = self.edges.get(id) {
            return Ok(e.clone());
        }
        let e = self.tx.edges_at(id)?;
        self.edges.insert(id.to_string(), e.clone());
        Ok(e)
    }
}

/// Strings kept end to end in one buffer, each one or `None` at a position: no allocation per string.
#[derive(Default)]
struct Strs {
    buf: String,
    /// `(start, len)` in `buf`; `len == NONE` for `None`.
    at: Vec<(u32, u32)>,
}

const NONE: u32 = u32::MAX;

impl Strs {
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
fn uuid_key(s: &str) -> Option<u128> {
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

/// The whole store in memory: every live item and every resolved link between them, items as
/// columns indexed by position (the order the store keeps them in).
pub struct Graph {
    kinds: Vec<Kind>,
    ids: Strs,
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
        g.add_links(&RawLinks::read(tx)?);
        Ok(g)
    }

    /// The live items and their fields, without links: [`Graph::load`] is this and
    /// [`Graph::add_links`] of [`RawLinks::read`], which may be read at the same time on another
    /// connection.
    pub fn load_items(tx: &Tx) -> Result<Graph> {
        let mut g = Graph {
            kinds: Vec::new(),
            ids: Strs::default(),
            titles: Strs::default(),
            created: Strs::default(),
            author: Vec::new(),
            authors: Vec::new(),
            fields: NodeField::VALUED.iter().map(|_| Strs::default()).collect(),
            all_day: Vec::new(),
            by_uuid: FastMap::default(),
            by_other: FastMap::default(),
            edges: Vec::new(),
            at_off: Vec::new(),
            at_list: Vec::new(),
        };
        let mut author_at: FastMap<String, u32> = FastMap::default();
        tx.each_node(|id, kind, title, author, created| {
            let i = g.kinds.len() as u32;
            match uuid_key(id) {
                Some(k) => g.by_uuid.insert(k, i),
                None => g.by_other.insert(id.to_string(), i),
            };
            g.kinds.push(kind);
            g.ids.push(id);
            g.titles.push(title);
            g.created.push(created);
            let a = match author_at.get(author) {
                Some(&a) => a,
                None => {
                    g.authors.push(author.to_string());
                    author_at.insert(author.to_string(), g.authors.len() as u32 - 1);
                    g.authors.len() as u32 - 1
                }
            };
            g.author.push(a);
        })?;
        // Field rows mostly come in the order of their items: the next item of the row's kind after
        // the previous row's is tried before a lookup.
        let mut cursor: Option<usize> = None;
        tx.each_node_field(|id, kind, field, value| {
            let Some(i) = g.pos_after(id, cursor, kind) else { return };
            cursor = Some(i);
            match NodeField::VALUED.iter().position(|&f| f == field) {
                Some(c) => g.fields[c].set(i, value),
                None => {
                    if g.all_day.len() <= i {
                        g.all_day.resize(i + 1, false);
                    }
                    g.all_day[i] = g.kinds[i] == Kind::Meeting;
                }
            }
        })?;
        Ok(g)
    }

    /// Adds the links read by [`RawLinks::read`] (those whose ends are both live items here).
    pub fn add_links(&mut self, raw: &RawLinks) {
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
        self.set_edges(keys);
    }

    /// The position of an id read before this graph was loaded.
    pub fn pos_of(&self, id: IdRef, ids: &IdRefs) -> Option<usize> {
        match id {
            IdRef::Uuid(k) => self.by_uuid.get(&k),
            IdRef::Other(i) => self.by_other.get(ids.other[i as usize].as_str()),
        }
        .map(|&i| i as usize)
    }

    /// [`Graph::pos_of`] for ids that come in the items' order, as [`Graph::pos_after`] does.
    pub fn pos_of_after(&self, id: IdRef, ids: &IdRefs, last: Option<usize>) -> Option<usize> {
        if let (Some(l), IdRef::Uuid(k)) = (last, id) {
            for c in [l, l + 1] {
                if self.ids.get(c).and_then(uuid_key) == Some(k) {
                    return Some(c);
                }
            }
        }
        self.pos_of(id, ids)
    }

    /// Sets the links from their keys ([`link_key`]), in any order and repeated.
    fn set_edges(&mut self, mut keys: Vec<u64>) {
        let g = self;
        let n = g.kinds.len();
        keys.sort_unstable();
        keys.dedup();
        let mask = (1u64 << 32) - 1;
        g.edges = keys.iter().map(|&k| ((k >> 35) as usize, ((k >> 3) & mask) as usize, Rel::ALL[(k & 7) as usize])).collect();
        let mut at_off = vec![0usize; n + 1];
        for &(s, t, _) in &g.edges {
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
        for (ei, &(s, t, _)) in g.edges.iter().enumerate() {
            at_list[fill[s]] = ei as u32;
            fill[s] += 1;
            if t != s {
                at_list[fill[t]] = ei as u32;
                fill[t] += 1;
            }
        }
        g.at_off = at_off;
        g.at_list = at_list;
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// The position of the live item `id`, trying first the same item as `last` and the next
    /// item after `last` (of kind `kind`, when given): for rows that come in the items' order.
    pub fn pos_after(&self, id: &str, last: Option<usize>, kind: Option<Kind>) -> Option<usize> {
        if let Some(l) = last {
            if self.ids.get(l) == Some(id) {
                return Some(l);
            }
            // A short look ahead: a miss costs a lookup, never a long scan.
            let ahead = &self.kinds[(l + 1).min(self.len())..(l + 65).min(self.len())];
            let next = match kind {
                Some(k) => ahead.iter().position(|&x| x == k).map(|p| l + 1 + p),
                None => Some(l + 1),
            };
            if let Some(c) = next.filter(|&c| c < self.len()) {
                if self.ids.get(c) == Some(id) {
                    return Some(c);
                }
            }
        }
        self.pos(id)
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

/// Which way to walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Up,
    Down,
}

/// The items one step away from `id` in direction `dir`, with the relation that leads there.
/// An item reached by several relations appears once, with the first relation in [`Rel::ALL`] order.
pub fn step(view: &mut dyn View, id: &str, dir: Dir) -> Result<Vec<(String, Rel)>> {
    let mut out: BTreeMap<String, Rel> = BTreeMap::new();
    for e in view.edges(id)? {
        let ends = match up_down(&e) {
            Some(ends) => Some(ends),
            // A plain mention of an insight draws on it: the insight (and its evidence) is upstream
            // of the item naming it.
            None if view.node(&e.target_id)?.is_some_and(|n| n.kind == Kind::Insight) => Some((e.target_id.as_str(), e.source_id.as_str())),
            None => None,
        };
        let Some((up, down)) = ends else { continue };
        if up == down {
            continue;
        }
        let other = match dir {
            Dir::Up if down == id => up,
            Dir::Down if up == id => down,
            _ => continue,
        };
        out.entry(other.to_string()).and_modify(|r| *r = (*r).min(e.rel)).or_insert(e.rel);
    }
    Ok(out.into_iter().collect())
}

/// An item as a list shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ItemRef {
    pub id: String,
    pub kind: Kind,
    pub title: String,
}

impl From<&NodeRow> for ItemRef {
    fn from(n: &NodeRow) -> Self {
        ItemRef { id: n.id.clone(), kind: n.kind, title: n.title.clone() }
    }
}

/// One item in a trace, with the items beyond it.
#[derive(Debug, Clone, Serialize)]
pub struct TraceNode {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    /// The relation of the link that leads from the item before to this one.
    pub rel: Rel,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Shown before in this direction (a cycle or a second path): not expanded again.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub repeat: bool,
    /// The depth limit stopped here although the thread goes on.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
    pub children: Vec<TraceNode>,
}

/// The item a trace starts from.
#[derive(Debug, Clone, Serialize)]
pub struct TraceRoot {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
}

/// What the trace reaches: the evidence at its upstream end, the goals at its downstream end.
#[derive(Debug, Clone, Serialize, Default)]
pub struct TraceSummary {
    /// Distinct signals upstream.
    pub signals: usize,
    /// Their distinct customers and sources.
    pub customers: Vec<String>,
    pub sources: Vec<String>,
    /// Goals downstream.
    pub goals: Vec<ItemRef>,
}

/// A trace in both directions.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    pub root: TraceRoot,
    pub up: Vec<TraceNode>,
    pub down: Vec<TraceNode>,
    pub summary: TraceSummary,
}

/// Traces `id` upstream and downstream, `depth` links deep, as of `today` (for evidence recency).
pub fn trace(view: &mut dyn View, id: &str, depth: usize, today: NaiveDate) -> Result<Trace> {
    if depth == 0 || depth > MAX_DEPTH {
        return Err(Error::invalid(format!("--depth must be between 1 and {MAX_DEPTH}, not {depth}")));
    }
    let node = view.node(id)?.ok_or_else(|| Error::invalid(format!("'{id}' is deleted: a trace starts from a live item")))?;
    let mut seen_up = HashSet::from([node.id.clone()]);
    let up = grow(view, &node.id, Dir::Up, depth, &mut seen_up)?;
    let mut seen_down = HashSet::from([node.id.clone()]);
    let down = grow(view, &node.id, Dir::Down, depth, &mut seen_down)?;

    let mut summary = TraceSummary::default();
    let mut customers: BTreeMap<String, String> = BTreeMap::new();
    let mut sources: BTreeSet<String> = BTreeSet::new();
    let mut signals: BTreeSet<String> = BTreeSet::new();
    walk(&up, &mut |n| {
        if n.kind == Kind::Signal && signals.insert(n.id.clone()) {
            if let Some(c) = n.customer.as_deref().filter(|c| !c.trim().is_empty()) {
                customers.entry(model::title_key(c)).or_insert_with(|| c.trim().to_string());
            }
            sources.extend(n.source.clone());
        }
    });
    let mut goals: BTreeMap<String, ItemRef> = BTreeMap::new();
    walk(&down, &mut |n| {
        if n.kind == Kind::Goal {
            goals.entry(n.id.clone()).or_insert_with(|| ItemRef { id: n.id.clone(), kind: n.kind, title: n.title.clone() });
        }
    });
    summary.signals = signals.len();
    summary.customers = customers.into_values().collect();
    summary.sources = sources.into_iter().collect();
    summary.goals = goals.into_values().collect();
    summary.goals.sort_by_key(|g| model::title_key(&g.title));

    let evidence = if node.kind == Kind::Insight { Some(evidence(view, &node.id, today)?) } else { None };
    let review = if node.kind == Kind::Resolution { Some(review(view, &node.id)?) } else { None };
    Ok(Trace { root: TraceRoot { id: node.id, kind: node.kind, title: node.title, evidence, review }, up, down, summary })
}

fn walk(nodes: &[TraceNode], f: &mut dyn FnMut(&TraceNode)) {
    for n in nodes {
        f(n);
        walk(&n.children, f);
    }
}

fn sort_key(n: &NodeRow) -> (Kind, String, String) {
    (n.kind, model::title_key(&n.title), n.id.clone())
}

fn grow(view: &mut dyn View, id: &str, dir: Dir, depth: usize, seen: &mut HashSet<String>) -> Result<Vec<TraceNode>> {
    let mut next: Vec<(NodeRow, Rel)> = Vec::new();
    for (other, rel) in step(view, id, dir)? {
        if let Some(n) = view.node(&other)? {
            next.push((n, rel));
        }
    }
    next.sort_by_key(|(n, _)| sort_key(n));
    let mut out = Vec::with_capacity(next.len());
    for (n, rel) in next {
        let signal = n.kind == Kind::Signal;
        let mut t = TraceNode {
            id: n.id.clone(),
            kind: n.kind,
            title: n.title.clone(),
            rel,
            status: n.status.clone(),
            customer: if signal { n.customer.clone() } else { None },
            source: if signal { n.source.clone() } else { None },
            date: if signal { Some(observed(&n)) } else { n.decided_on.clone() },
            repeat: false,
            more: false,
            children: Vec::new(),
        };
        if !seen.insert(n.id.clone()) {
            t.repeat = true;
        } else if depth <= 1 {
            t.more = !step(view, &n.id, dir)?.is_empty();
        } else {
            t.children = grow(view, &n.id, dir, depth - 1, seen)?;
        }
        out.push(t);
    }
    Ok(out)
}

/// The date a signal was observed: its `date` field, else the day it was recorded.
pub fn observed(n: &NodeRow) -> String {
    n.date.clone().unwrap_or_else(|| day(&n.created))
}

/// The calendar day of an RFC 3339 timestamp (its first ten characters).
pub fn day(ts: &str) -> String {
    ts.chars().take(10).collect()
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&day(s), "%Y-%m-%d").ok()
}

// ---- evidence strength ------------------------------------------------------------------------

/// The evidence strength of an insight, with its parts.
///
/// The formula (documented in the README):
/// - `n` distinct signals back the insight (it links them with `evidence`, or they link it with `supports`);
/// - `c` distinct customers and `s` distinct sources among them (customers compared case-insensitively);
/// - each signal's weight halves every 180 days since it was observed; `recency` is their mean (0 without signals);
/// - `k` signals contradict it (a `contradicts` link either way);
/// - score = (30·min(n,5)/5 + 30·min(c,3)/3 + 20·min(s,3)/3 + 20·recency) · n/(n+k), rounded, 0–100;
/// - level: `none` without signals, `weak` under 40, `moderate` under 70, `strong` from 70.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evidence {
    pub score: u32,
    pub level: String,
    pub signals: usize,
    pub customers: Vec<String>,
    pub sources: Vec<String>,
    pub contradicting: usize,
    pub newest: Option<String>,
    pub oldest: Option<String>,
    /// Mean weight of the signals by age, 0–1.
    pub recency: f64,
    /// What each part adds to the score, before the contradiction factor.
    pub parts: EvidenceParts,
    /// The day ages are counted to.
    pub as_of: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EvidenceParts {
    pub signals: f64,
    pub customers: f64,
    pub sources: f64,
    pub recency: f64,
    pub contradiction_factor: f64,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Computes the evidence strength of insight `id` as of `today`.
pub fn evidence(view: &mut dyn View, id: &str, today: NaiveDate) -> Result<Evidence> {
    let mut backing: BTreeMap<String, NodeRow> = BTreeMap::new();
    let mut against: BTreeSet<String> = BTreeSet::new();
    for e in view.edges(id)? {
        let other = if e.source_id == id { &e.target_id } else { &e.source_id };
        if other == id {
            continue;
        }
        let backs = match e.rel {
            Rel::Evidence => e.source_id == id,
            Rel::Supports => e.target_id == id,
            Rel::Contradicts => false,
            _ => continue,
        };
        let Some(n) = view.node(other)? else { continue };
        if n.kind != Kind::Signal {
            continue;
        }
        if backs {
            backing.insert(n.id.clone(), n);
        } else if e.rel == Rel::Contradicts {
            against.insert(n.id.clone());
        }
    }
    Ok(strength(backing.values(), against.len(), today))
}

/// The score of a set of backing signals and `k` contradicting ones, as of `today`.
pub fn strength<'a>(signals: impl Iterator<Item = &'a NodeRow>, k: usize, today: NaiveDate) -> Evidence {
    let mut customers: BTreeMap<String, String> = BTreeMap::new();
    let mut sources: BTreeSet<String> = BTreeSet::new();
    let mut dates: Vec<String> = Vec::new();
    let mut weight = 0.0;
    let mut n = 0usize;
    for s in signals {
        n += 1;
        if let Some(c) = s.customer.as_deref().filter(|c| !c.trim().is_empty()) {
            customers.entry(model::title_key(c)).or_insert_with(|| c.trim().to_string());
        }
        sources.extend(s.source.clone());
        let d = observed(s);
        let age = parse_day(&d).map_or(0, |d| (today - d).num_days().max(0)) as f64;
        weight += 0.5f64.powf(age / RECENCY_HALF_LIFE_DAYS);
        dates.push(d);
    }
    dates.sort();
    let (c, src) = (customers.len(), sources.len());
    let recency = if n == 0 { 0.0 } else { weight / n as f64 };
    let parts = EvidenceParts {
        signals: 30.0 * n.min(5) as f64 / 5.0,
        customers: 30.0 * c.min(3) as f64 / 3.0,
        sources: 20.0 * src.min(3) as f64 / 3.0,
        recency: 20.0 * recency,
        contradiction_factor: if n + k == 0 { 1.0 } else { n as f64 / (n + k) as f64 },
    };
    let raw = (parts.signals + parts.customers + parts.sources + parts.recency) * parts.contradiction_factor;
    let score = raw.round().clamp(0.0, 100.0) as u32;
    let level = match (n, score) {
        (0, _) => "none",
        (_, s) if s < 40 => "weak",
        (_, s) if s < 70 => "moderate",
        _ => "strong",
    };
    Evidence {
        score,
        level: level.into(),
        signals: n,
        customers: customers.into_values().collect(),
        sources: sources.into_iter().collect(),
        contradicting: k,
        newest: dates.last().cloned(),
        oldest: dates.first().cloned(),
        recency: round2(recency),
        parts: EvidenceParts {
            signals: round2(parts.signals),
            customers: round2(parts.customers),
            sources: round2(parts.sources),
            recency: round2(parts.recency),
            contradiction_factor: round2(parts.contradiction_factor),
        },
        as_of: today.format("%Y-%m-%d").to_string(),
    }
}

// ---- the review flag --------------------------------------------------------------------------

/// Whether a resolution should be looked at again because what it rests on has been contradicted.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Review {
    pub needed: bool,
    /// The day the decision counts from: `decided_on`, else the day the resolution was recorded.
    pub decided_on: String,
    pub reasons: Vec<ReviewReason>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReviewReason {
    /// The newer item.
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub date: String,
    /// What it did: `contradicts` (an item the resolution rests on) or `linked-to-friction`.
    pub why: String,
    /// The item it contradicts or the friction it is linked to.
    pub about: ItemRef,
}

/// The date of an item for "newer than the decision": a signal's observed date, else the day it was recorded.
fn dated(n: &NodeRow) -> String {
    if n.kind == Kind::Signal {
        observed(n)
    } else {
        day(&n.created)
    }
}

/// Flags resolution `id` for review when, after its decision day,
/// - an item dated later `contradicts` something the resolution rests on (the resolution itself or
///   anything upstream of it, following every relation but `contradicts`), either way round; or
/// - a signal dated later is linked (any relation, either way) to a friction the resolution resolves.
pub fn review(view: &mut dyn View, id: &str) -> Result<Review> {
    let res = view.node(id)?.ok_or_else(|| Error::NotFound(id.to_string()))?;
    let decided = res.decided_on.clone().unwrap_or_else(|| day(&res.created));
    // What the resolution rests on.
    let mut basis: BTreeSet<String> = BTreeSet::from([res.id.clone()]);
    let mut queue = VecDeque::from([res.id.clone()]);
    while let Some(cur) = queue.pop_front() {
        for e in view.edges(&cur)? {
            if e.rel == Rel::Contradicts {
                continue;
            }
            let Some((up, down)) = up_down(&e) else { continue };
            if down == cur && basis.insert(up.to_string()) {
                queue.push_back(up.to_string());
            }
        }
    }
    let frictions: BTreeSet<String> =
        view.edges(&res.id)?.into_iter().filter(|e| e.rel == Rel::Resolves && e.source_id == res.id).map(|e| e.target_id).collect();

    let mut reasons: BTreeMap<(String, String, String), ReviewReason> = BTreeMap::new();
    for b in &basis {
        let Some(about) = view.node(b)? else { continue };
        for e in view.edges(b)? {
            let other = if e.source_id == *b { &e.target_id } else { &e.source_id };
            if other == b || basis.contains(other) {
                continue;
            }
            let why = if e.rel == Rel::Contradicts {
                "contradicts"
            } else if frictions.contains(b) {
                "linked-to-friction"
            } else {
                continue;
            };
            let Some(n) = view.node(other)? else { continue };
            if why == "linked-to-friction" && n.kind != Kind::Signal {
                continue;
            }
            let date = dated(&n);
            if date <= decided {
                continue;
            }
            reasons.entry((date.clone(), n.id.clone(), about.id.clone())).or_insert(ReviewReason {
                id: n.id.clone(),
                kind: n.kind,
                title: n.title.clone(),
                date,
                why: why.into(),
                about: ItemRef::from(&about),
            });
        }
    }
    let reasons: Vec<ReviewReason> = reasons.into_values().collect();
    Ok(Review { needed: !reasons.is_empty(), decided_on: decided, reasons })
}

/// Loads the evidence of an insight or the review of a resolution for `show`.
pub(crate) fn for_show(tx: &Tx, id: &str, kind: Kind, today: NaiveDate) -> Result<(Option<Evidence>, Option<Review>)> {
    let mut view = TxView::new(tx);
    match kind {
        Kind::Insight if view.node(id)?.is_some() => Ok((Some(evidence(&mut view, id, today)?), None)),
        Kind::Resolution if view.node(id)?.is_some() => Ok((None, Some(review(&mut view, id)?))),
        _ => Ok((None, None)),
    }
}

impl crate::workspace::Workspace {
    /// Traces an item both ways, `depth` links deep, with ages counted to `today`.
    pub fn trace(&mut self, id: &str, depth: usize, today: NaiveDate) -> Result<Trace> {
        self.store.read(|tx| trace(&mut TxView::new(tx), id, depth, today))
    }

    /// The evidence strength of an insight as of `today`.
    pub fn evidence(&mut self, id: &str, today: NaiveDate) -> Result<Evidence> {
        self.store.read(|tx| {
            let mut view = TxView::new(tx);
            match view.node(id)? {
                Some(n) if n.kind == Kind::Insight => evidence(&mut view, id, today),
                Some(n) => Err(Error::invalid(format!("'{}' is a {}: evidence strength is for insights", n.title, n.kind))),
                None => Err(Error::NotFound(id.to_string())),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(id: &str, customer: &str, source: &str, date: &str) -> NodeRow {
        NodeRow {
            id: id.into(),
            kind: Kind::Signal,
            title: id.into(),
            author: "p".into(),
            created: "2026-01-01T00:00:00.000Z".into(),
            status: None,
            severity: None,
            source: Some(source.into()),
            customer: Some(customer.into()),
            date: Some(date.into()),
            decided_on: None,
            retires: None,
            start: None,
            end: None,
            attendees: None,
            all_day: false,
        }
    }

    #[test]
    fn evidence_formula_parts() {
        let today = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let d = |days: i64| (today - chrono::Duration::days(days)).format("%Y-%m-%d").to_string();
        let s =
            [signal("a", "Acme", "interview", &d(0)), signal("b", "acme ", "support", &d(180)), signal("c", "Beta", "support", &d(360))];
        let e = strength(s.iter(), 0, today);
        assert_eq!((e.signals, e.customers.len(), e.sources.len()), (3, 2, 2));
        assert_eq!(e.recency, 0.58);
        assert_eq!(e.parts, EvidenceParts { signals: 18.0, customers: 20.0, sources: 13.33, recency: 11.67, contradiction_factor: 1.0 });
        assert_eq!((e.score, e.level.as_str()), (63, "moderate"));
        let e = strength(s.iter(), 1, today);
        assert_eq!((e.score, e.parts.contradiction_factor), (47, 0.75));
        let none = strength([].iter(), 0, today);
        assert_eq!((none.score, none.level.as_str(), none.recency), (0, "none", 0.0));
        // A signal dated after `today` counts as new, not as more than new.
        let future = [signal("f", "X", "usage", "2027-01-01")];
        assert_eq!(strength(future.iter(), 0, today).recency, 1.0);
    }
}
