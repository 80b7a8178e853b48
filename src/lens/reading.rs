//! What the lens reads from the store, and what the open workspace keeps of it.

use crate::error::Result;
use crate::model::Person;
use crate::trace::{self, Graph};

use super::{compute, Lens, LensOptions, Stances};

/// What the lens reads beside the graph, read before the graph is there: who contributed to
/// what (revisions' authors) and the stances, their items as [`trace::IdRef`]s.
#[derive(Debug, Default)]
struct RawReading {
    ids: trace::IdRefs,
    /// `(item, author as a position in `authors`)`, once per revision.
    contributions: Vec<(trace::IdRef, u32)>,
    authors: Vec<String>,
    positions: Vec<(trace::IdRef, String)>,
    agreed: Vec<(trace::IdRef, String)>,
}

impl RawReading {
    fn read(tx: &crate::store::Tx) -> Result<RawReading> {
        let mut r = RawReading::default();
        let mut author_at = trace::Authors::default();
        let mut last: (String, Option<trace::IdRef>) = (String::new(), None);
        tx.each_contribution(|item, author| {
            // Revisions come grouped by item: its id is parsed once per group.
            let id = match last.1 {
                Some(id) if last.0 == item => id,
                _ => {
                    let id = r.ids.add(item);
                    last.0.clear();
                    last.0.push_str(item);
                    last.1 = Some(id);
                    id
                }
            };
            let a = author_at.intern(&mut r.authors, author);
            r.contributions.push((id, a));
        })?;
        let mut positions = Vec::new();
        let mut agreed = Vec::new();
        tx.each_stance(|id, p| positions.push((id.to_string(), p.to_string())), |id, a| agreed.push((id.to_string(), a.to_string())))?;
        r.positions = positions.into_iter().map(|(id, p)| (r.ids.add(&id), p)).collect();
        r.agreed = agreed.into_iter().map(|(id, a)| (r.ids.add(&id), a)).collect();
        Ok(r)
    }

    /// The contributions `(item position, person position)`, sorted and once each, and the
    /// stances of the live items of `g` (with `progress`, read beside the graph).
    fn resolve(self, g: &Graph, people: &[Person], progress: crate::chairs::Progress) -> (Vec<(usize, usize)>, Stances) {
        let person: crate::store::FastMap<&str, usize> = people.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
        let author_person: Vec<Option<usize>> = self.authors.iter().map(|a| person.get(a.as_str()).copied()).collect();
        let mut contributions = Vec::with_capacity(self.contributions.len());
        let mut last = None;
        for &(id, a) in &self.contributions {
            let i = g.pos_of_after(id, &self.ids, last);
            if i.is_some() {
                last = i;
            }
            if let (Some(i), Some(p)) = (i, author_person[a as usize]) {
                contributions.push((i, p));
            }
        }
        contributions.sort_unstable();
        contributions.dedup();
        let at = |rows: Vec<(trace::IdRef, String)>| -> Vec<(usize, String)> {
            rows.into_iter().filter_map(|(id, s)| g.pos_of(id, &self.ids).map(|i| (i, s))).collect()
        };
        let stances = Stances { positions: at(self.positions), agreed: at(self.agreed), progress };
        (contributions, stances)
    }
}

/// The reads of the lens that need no items, taken in turn by whichever connection is free first
/// (both read the same state: see [`crate::store::Store::read_beside`]).
#[derive(Default)]
struct Reads {
    next: std::sync::atomic::AtomicUsize,
    links: std::sync::Mutex<Option<Result<trace::RawLinks>>>,
    fields: std::sync::Mutex<Option<Result<trace::RawFields>>>,
    reading: std::sync::Mutex<Option<Result<RawReading>>>,
}

impl Reads {
    /// Takes reads until none is left.
    fn take(&self, tx: &crate::store::Tx) {
        fn keep<T>(slot: &std::sync::Mutex<Option<Result<T>>>, r: Result<T>) {
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
        }
        loop {
            match self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) {
                0 => keep(&self.links, trace::RawLinks::read(tx)),
                1 => keep(&self.reading, RawReading::read(tx)),
                2 => keep(&self.fields, trace::RawFields::read(tx)),
                _ => return,
            }
        }
    }

    /// What was read, or the first error.
    fn done(self) -> Result<(trace::RawLinks, trace::RawFields, RawReading)> {
        fn took<T>(slot: std::sync::Mutex<Option<Result<T>>>) -> Result<T> {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Err(crate::error::Error::Corrupt("a read of the lens was not taken".into())))
        }
        Ok((took(self.links)?, took(self.fields)?, took(self.reading)?))
    }
}

/// What the lens reads from the store: the graph, the people, who contributed to what and the
/// stances taken in frictions.
pub struct Loaded {
    /// The store's [`crate::store::Store::generation`] when this was read.
    generation: (u64, i64),
    graph: Graph,
    people: Vec<Person>,
    contributions: Vec<(usize, usize)>,
    stances: Stances,
}

impl Loaded {
    /// Reads what the lens needs from `store`: from the lens's rows ([`super::rows`]), the items
    /// changed since they were last read encoded again first; from the tables themselves
    /// ([`Loaded::read_tables`]) when the rows cannot be brought up to date (another process
    /// holds the write lock, or changed them again meanwhile).
    pub fn read(store: &mut crate::store::Store) -> Result<Loaded> {
        if !store.read(super::rows::current)? && store.write_derived(|tx| super::rows::refresh(tx).map(|_| ())).is_err() {
            return Loaded::read_tables(store);
        }
        let generation = store.generation()?;
        let from_rows = store.read(|tx| {
            if !super::rows::current(tx)? {
                return Ok(None);
            }
            let people = tx.people()?;
            let super::rows::FromRows { graph, contributions, stances } =
                super::rows::read(tx, &people, |g| crate::chairs::Progress::load(tx, g))?;
            Ok(Some(Loaded { generation, graph, people, contributions, stances }))
        });
        match from_rows {
            Ok(Some(l)) => Ok(l),
            Ok(None) => Loaded::read_tables(store),
            Err(crate::error::Error::Corrupt(_)) => {
                // A row that does not decode: every item is encoded again by the next read.
                let _ = store.write_derived(|tx| tx.reset_lens_rows());
                Loaded::read_tables(store)
            }
            Err(e) => Err(e),
        }
    }

    /// Reads what the lens needs from the tables themselves. Items here; the links, who
    /// contributed what, the stances and the fields on a second connection meanwhile, and here
    /// too once the items are read (whichever is free first).
    pub fn read_tables(store: &mut crate::store::Store) -> Result<Loaded> {
        let generation = store.generation()?;
        let reads = Reads::default();
        let (mut graph, people, progress) = store
            .read_beside(
                |tx| {
                    let g = Graph::load_items(tx)?;
                    let progress = crate::chairs::Progress::load(tx, &g)?;
                    let people = tx.people()?;
                    reads.take(tx);
                    Ok((g, people, progress))
                },
                |tx| {
                    reads.take(tx);
                    Ok(())
                },
            )
            .map(|(h, ())| h)?;
        let (links, fields, raw) = reads.done()?;
        // The links on a second thread, the fields and stances here: each needs only the items.
        let (edges, fields, (contributions, stances)) = std::thread::scope(|scope| {
            let edges = scope.spawn(|| graph.edges_of(&links));
            let fields = graph.fields_of(&fields);
            let resolved = raw.resolve(&graph, &people, progress);
            (edges.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), fields, resolved)
        });
        drop(links);
        graph.set_edges(edges);
        graph.set_fields(fields);
        Ok(Loaded { generation, graph, people, contributions, stances })
    }

    /// The store's [`crate::store::Store::generation`] this was read at: what it holds is the
    /// store's as long as the generation has not changed.
    pub fn generation(&self) -> (u64, i64) {
        self.generation
    }

    /// The integration lens of what was read.
    pub fn lens(&self, opt: &LensOptions) -> Result<Lens> {
        compute(&self.graph, &self.people, &self.contributions, &self.stances, opt)
    }
}
