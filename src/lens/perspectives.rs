//! Who holds which perspective, and where perspectives meet: the matrix of pairs and the silos.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::{self, Person};
use crate::trace::Graph;

use super::{PairRow, PerspectiveRow, Stances};

/// The perspectives and who holds them, as positions.
pub(super) struct Perspectives {
    /// Each distinct perspective as first written, in the order of their keys.
    pub pnames: Vec<String>,
    /// A perspective's position by its key ([`model::title_key`]).
    pub pindex: HashMap<String, usize>,
    /// Each person's perspective.
    pub person_persp: Vec<usize>,
    /// A person's position by lower-case name.
    pub by_name: HashMap<String, usize>,
    /// Each item's author, as a position in the people.
    pub author: Vec<Option<usize>>,
    /// Each item's perspective (its author's).
    pub persp: Vec<Option<usize>>,
}

impl Perspectives {
    pub fn of(g: &Graph, people: &[Person]) -> Self {
        let n = g.len();
        let mut pkeys: BTreeMap<String, String> = BTreeMap::new();
        for p in people {
            pkeys.entry(model::title_key(&p.perspective)).or_insert_with(|| p.perspective.trim().to_string());
        }
        let pnames: Vec<String> = pkeys.values().cloned().collect();
        let pindex: HashMap<String, usize> = pkeys.keys().enumerate().map(|(i, k)| (k.clone(), i)).collect();
        let person_index: HashMap<&str, usize> = people.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
        let person_persp: Vec<usize> = people.iter().map(|p| pindex[&model::title_key(&p.perspective)]).collect();
        let by_name: HashMap<String, usize> = people.iter().enumerate().map(|(i, p)| (p.name.to_lowercase(), i)).collect();
        // Each distinct creator once, then each item by its creator's position.
        let author_person: Vec<Option<usize>> = g.authors().iter().map(|a| person_index.get(a.as_str()).copied()).collect();
        let author: Vec<Option<usize>> = (0..n).map(|i| author_person[g.author_at(i)]).collect();
        let persp: Vec<Option<usize>> = author.iter().map(|a| a.map(|a| person_persp[a])).collect();
        Perspectives { pnames, pindex, person_persp, by_name, author, persp }
    }
}

/// For each pair of perspectives (`[a][b]` with `a < b`), how they meet.
struct PairCounts {
    links: Vec<Vec<usize>>,
    co: Vec<Vec<usize>>,
    positions: Vec<Vec<usize>>,
    agreed: Vec<Vec<usize>>,
}

/// What the perspectives figures are: a row per perspective, the matrix of pairs, the silos, and
/// the edges of the graph of people (for the bridge people).
pub(super) struct Met {
    pub perspectives: Vec<PerspectiveRow>,
    pub matrix: Vec<PairRow>,
    pub silos: Vec<[String; 2]>,
    pub person_edges: BTreeSet<(usize, usize)>,
}

/// The perspectives, the matrix and the silos. `contrib` is sorted by item, then person, once each.
pub(super) fn meet(g: &Graph, people: &[Person], who: &Perspectives, contrib: &[(usize, usize)], stances: &Stances) -> Met {
    let (counts, person_edges) = count_pairs(g, who, contrib, stances);
    let Perspectives { pnames, person_persp, persp, .. } = who;
    let np = pnames.len();
    let PairCounts { links, co, positions, agreed } = counts;
    let mut items_per_persp = vec![0usize; np];
    for p in persp.iter().flatten() {
        items_per_persp[*p] += 1;
    }
    let perspectives = pnames
        .iter()
        .enumerate()
        .map(|(i, name)| PerspectiveRow {
            name: name.clone(),
            people: people.iter().enumerate().filter(|(pi, _)| person_persp[*pi] == i).map(|(_, p)| p.name.clone()).collect(),
            items: items_per_persp[i],
        })
        .collect();
    let mut matrix = Vec::new();
    let mut silos = Vec::new();
    for a in 0..np {
        for b in a + 1..np {
            matrix.push(PairRow {
                a: pnames[a].clone(),
                b: pnames[b].clone(),
                links: links[a][b],
                co_authored: co[a][b],
                positions: positions[a][b],
                agreed: agreed[a][b],
            });
            if links[a][b] + co[a][b] + positions[a][b] + agreed[a][b] == 0 {
                silos.push([pnames[a].clone(), pnames[b].clone()]);
            }
        }
    }
    Met { perspectives, matrix, silos, person_edges }
}

/// How often each pair of perspectives meets in links, co-authored items, positions and agreement,
/// and the edges of the graph of people.
fn count_pairs(g: &Graph, who: &Perspectives, contrib: &[(usize, usize)], stances: &Stances) -> (PairCounts, BTreeSet<(usize, usize)>) {
    let Perspectives { pnames, pindex, person_persp, by_name, author, persp } = who;
    let (n, np) = (g.len(), pnames.len());
    let mut links = vec![vec![0usize; np]; np];
    let mut co = vec![vec![0usize; np]; np];
    let mut person_edges: std::collections::HashSet<(usize, usize), std::hash::BuildHasherDefault<crate::store::FastHasher>> =
        Default::default();
    // Each item's perspective and author, side by side: one read per end of a link.
    const NO: u32 = u32::MAX;
    let pa: Vec<(u32, u32)> = (0..n).map(|i| (persp[i].map_or(NO, |p| p as u32), author[i].map_or(NO, |a| a as u32))).collect();
    for &(s, t, _) in &g.edges {
        let ((ps, a_s), (pt, a_t)) = (pa[s], pa[t]);
        if ps != NO && pt != NO && ps != pt {
            links[ps.min(pt) as usize][ps.max(pt) as usize] += 1;
        }
        if a_s != NO && a_t != NO && a_s != a_t {
            person_edges.insert((a_s.min(a_t) as usize, a_s.max(a_t) as usize));
        }
    }
    let mut ps: Vec<usize> = Vec::new();
    for c in contrib.chunk_by(|a, b| a.0 == b.0) {
        ps.clear();
        ps.extend(c.iter().map(|&(_, p)| person_persp[p]));
        ps.sort_unstable();
        ps.dedup();
        for (i, &a) in ps.iter().enumerate() {
            for &b in &ps[i + 1..] {
                co[a][b] += 1;
            }
        }
        for (i, &(_, a)) in c.iter().enumerate() {
            for &(_, b) in &c[i + 1..] {
                person_edges.insert((a, b));
            }
        }
    }
    // Positions in one friction, and agreement on one resolution: each set of perspectives
    // counts once per item for every pair in it.
    let count_pairs = |groups: &mut Vec<(usize, usize)>, m: &mut [Vec<usize>]| {
        groups.sort_unstable();
        groups.dedup();
        for c in groups.chunk_by(|a, b| a.0 == b.0) {
            for (i, &(_, a)) in c.iter().enumerate() {
                for &(_, b) in &c[i + 1..] {
                    m[a.min(b)][a.max(b)] += 1;
                }
            }
        }
    };
    let mut positions = vec![vec![0usize; np]; np];
    let mut held: Vec<(usize, usize)> =
        stances.positions.iter().filter_map(|(i, p)| pindex.get(&model::title_key(p)).map(|&p| (*i, p))).collect();
    count_pairs(&mut held, &mut positions);
    let mut agreed = vec![vec![0usize; np]; np];
    let mut agreeing: Vec<(usize, usize)> = Vec::new();
    for (i, names) in &stances.agreed {
        for name in names.split([',', ';']).map(str::trim).filter(|n| !n.is_empty()) {
            if let Some(&p) = by_name.get(&name.to_lowercase()) {
                agreeing.push((*i, person_persp[p]));
            } else if let Some(&p) = pindex.get(&model::title_key(name)) {
                agreeing.push((*i, p));
            }
        }
    }
    count_pairs(&mut agreeing, &mut agreed);
    let person_edges: BTreeSet<(usize, usize)> = person_edges.into_iter().collect();
    (PairCounts { links, co, positions, agreed }, person_edges)
}
