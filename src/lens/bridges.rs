//! Who and what holds perspectives together: bridge people (betweenness in the graph of people)
//! and bridge items (cut vertices of the item graph whose parts carry different perspectives).

use std::collections::{BTreeSet, HashMap, VecDeque};

use petgraph::graph::{NodeIndex, UnGraph};
use serde::Serialize;

use crate::model::{self, Kind, Person};
use crate::trace::Graph;

use super::{round, Listing};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Bridges {
    pub people: Vec<BridgePerson>,
    pub items: Listing<BridgeItem>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BridgePerson {
    pub name: String,
    pub perspective: String,
    pub betweenness: f64,
    /// Pairs of perspectives that are connected through this person and not without them.
    pub connects: Vec<[String; 2]>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BridgeItem {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    /// The perspectives of each part the graph falls into without this item.
    pub parts: Vec<Vec<String>>,
    pub pairs_separated: u64,
}

/// People who hold perspectives together, ranked by betweenness in the graph of people.
pub(super) fn bridge_people(
    people: &[Person],
    person_persp: &[usize],
    pnames: &[String],
    edges: &BTreeSet<(usize, usize)>,
) -> Vec<BridgePerson> {
    let mut pg: UnGraph<usize, ()> = UnGraph::with_capacity(people.len(), edges.len());
    let idx: Vec<NodeIndex> = (0..people.len()).map(|i| pg.add_node(i)).collect();
    for &(a, b) in edges {
        pg.add_edge(idx[a], idx[b], ());
    }
    let bc = betweenness(&pg);
    let connected = |skip: Option<usize>| -> BTreeSet<(usize, usize)> {
        // Pairs of perspectives with a path between two of their people, `skip` left out.
        let comp = components(&pg, skip);
        let mut by_comp: HashMap<usize, BTreeSet<usize>> = HashMap::new();
        for (p, c) in comp.iter().enumerate() {
            if let Some(c) = c {
                by_comp.entry(*c).or_default().insert(person_persp[p]);
            }
        }
        let mut pairs = BTreeSet::new();
        for set in by_comp.values() {
            let v: Vec<usize> = set.iter().copied().collect();
            for (i, &a) in v.iter().enumerate() {
                for &b in &v[i + 1..] {
                    pairs.insert((a, b));
                }
            }
        }
        pairs
    };
    let comp = components(&pg, None);
    let mut out = Vec::new();
    for (i, p) in people.iter().enumerate() {
        if pg.neighbors(idx[i]).count() < 2 {
            continue;
        }
        // With this person, but counting only the others' perspectives.
        let mut with: BTreeSet<(usize, usize)> = BTreeSet::new();
        let mut by_comp: HashMap<usize, BTreeSet<usize>> = HashMap::new();
        for (q, c) in comp.iter().enumerate() {
            if let (Some(c), true) = (c, q != i) {
                by_comp.entry(*c).or_default().insert(person_persp[q]);
            }
        }
        for set in by_comp.values() {
            let v: Vec<usize> = set.iter().copied().collect();
            for (x, &a) in v.iter().enumerate() {
                for &b in &v[x + 1..] {
                    with.insert((a, b));
                }
            }
        }
        let without = connected(Some(i));
        let connects: Vec<[String; 2]> = with.difference(&without).map(|&(a, b)| [pnames[a].clone(), pnames[b].clone()]).collect();
        if !connects.is_empty() {
            out.push(BridgePerson {
                name: p.name.clone(),
                perspective: pnames[person_persp[i]].clone(),
                betweenness: round(bc[i], 2),
                connects,
            });
        }
    }
    out.sort_by(|a, b| b.betweenness.total_cmp(&a.betweenness).then(a.name.to_lowercase().cmp(&b.name.to_lowercase())));
    out
}

/// Connected components, as a component number per node (`None` for `skip`).
fn components(g: &UnGraph<usize, ()>, skip: Option<usize>) -> Vec<Option<usize>> {
    let mut comp = vec![None; g.node_count()];
    let mut next = 0;
    for start in 0..g.node_count() {
        if comp[start].is_some() || Some(start) == skip {
            continue;
        }
        comp[start] = Some(next);
        let mut stack = vec![start];
        while let Some(v) = stack.pop() {
            for w in g.neighbors(NodeIndex::new(v)) {
                let w = w.index();
                if comp[w].is_none() && Some(w) != skip {
                    comp[w] = Some(next);
                    stack.push(w);
                }
            }
        }
        next += 1;
    }
    comp
}

/// Betweenness centrality (Brandes, unweighted, undirected: each unordered pair counted once).
pub fn betweenness(g: &UnGraph<usize, ()>) -> Vec<f64> {
    let n = g.node_count();
    let mut cb = vec![0.0; n];
    for s in 0..n {
        let mut stack = Vec::new();
        let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut sigma = vec![0.0f64; n];
        let mut dist = vec![-1i64; n];
        sigma[s] = 1.0;
        dist[s] = 0;
        let mut q = VecDeque::from([s]);
        while let Some(v) = q.pop_front() {
            stack.push(v);
            for w in g.neighbors(NodeIndex::new(v)) {
                let w = w.index();
                if dist[w] < 0 {
                    dist[w] = dist[v] + 1;
                    q.push_back(w);
                }
                if dist[w] == dist[v] + 1 {
                    sigma[w] += sigma[v];
                    pred[w].push(v);
                }
            }
        }
        let mut delta = vec![0.0f64; n];
        while let Some(w) = stack.pop() {
            for &v in &pred[w] {
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
            }
            if w != s {
                cb[w] += delta[w];
            }
        }
    }
    cb.iter().map(|x| x / 2.0).collect()
}

/// Cut vertices of the item graph whose parts carry different perspectives.
pub(super) fn bridge_items(g: &Graph, persp: &[Option<usize>], pnames: &[String], limit: usize) -> Listing<BridgeItem> {
    let n = g.len();
    let adj = Adjacency::of(g);
    // The perspectives in a set of items, as bits: `words` words per set.
    let words = pnames.len().div_ceil(64).max(1);
    let mut own = vec![0u64; n * words];
    for (v, p) in persp.iter().enumerate() {
        if let Some(p) = *p {
            own[v * words + p / 64] |= 1 << (p % 64);
        }
    }
    let found = search(&adj, &own, words);
    let Cuts { mut out, part_masks } = cuts(&adj, &found, &own, words);
    let count = out.len();
    let shown = if limit == 0 { count } else { limit.min(count) };
    // Most pairs first, then by title: only the items that can be among those shown are ordered by title.
    out.sort_unstable_by_key(|&(pairs, v, _, _)| (std::cmp::Reverse(pairs), v));
    let ranked = match shown.checked_sub(1).map(|i| out[i].0) {
        Some(least) => out.partition_point(|o| o.0 >= least),
        None => 0,
    };
    out[..ranked].sort_by_cached_key(|&(pairs, v, _, _)| (std::cmp::Reverse(pairs), model::title_key(g.title(v)), v));
    // Only the items shown get their names.
    let items = out
        .into_iter()
        .take(shown)
        .map(|(pairs, v, first, len)| {
            let mut named: Vec<Vec<String>> = (first..first + len)
                .map(|k| {
                    let m = &part_masks[k * words..(k + 1) * words];
                    (0..pnames.len()).filter(|&p| m[p / 64] & (1 << (p % 64)) != 0).map(|p| pnames[p].clone()).collect()
                })
                .collect();
            named.sort();
            BridgeItem { id: g.id(v).to_string(), kind: g.kind(v), title: g.title(v).to_string(), parts: named, pairs_separated: pairs }
        })
        .collect();
    Listing { count, items }
}

/// The item graph undirected, without duplicates or loops, as one array (`nbr[off[v]..off[v + 1]]`).
struct Adjacency {
    off: Vec<usize>,
    nbr: Vec<u32>,
}

impl Adjacency {
    fn of(g: &Graph) -> Self {
        let n = g.len();
        let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(g.edges.len() * 2);
        for &(s, t, _) in &g.edges {
            if s != t {
                pairs.push((s as u32, t as u32));
                pairs.push((t as u32, s as u32));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut off = vec![0usize; n + 1];
        for &(s, _) in &pairs {
            off[s as usize + 1] += 1;
        }
        for v in 0..n {
            off[v + 1] += off[v];
        }
        let nbr: Vec<u32> = pairs.into_iter().map(|p| p.1).collect();
        Adjacency { off, nbr }
    }

    /// The neighbours of `v`.
    #[inline]
    fn at(&self, v: usize) -> &[u32] {
        &self.nbr[self.off[v]..self.off[v + 1]]
    }

    fn len(&self) -> usize {
        self.off.len() - 1
    }
}

const NONE: u32 = u32::MAX;

/// A depth-first search of every component, as the cut vertices are found from it.
struct Search {
    /// Discovery time, lowest time reachable, subtree size and parent (`NONE` for a root) per item.
    disc: Vec<u32>,
    low: Vec<u32>,
    size: Vec<u32>,
    parent: Vec<u32>,
    /// Each item's component, and the discovery time its component starts at.
    comp_of: Vec<u32>,
    comp_start: Vec<u32>,
    /// Each component's size and first discovery time.
    comp_size: Vec<u32>,
    comp_begin: Vec<u32>,
    /// The items in the order they were discovered.
    order: Vec<u32>,
    /// Each DFS subtree's perspectives (`words` words per item).
    sub: Vec<u64>,
}

/// Searches the graph depth first, gathering each subtree's perspectives (`own`: each item's) as
/// the search finishes its items.
fn search(adj: &Adjacency, own: &[u64], words: usize) -> Search {
    let n = adj.len();
    let mut disc = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut size = vec![1u32; n];
    let mut parent = vec![NONE; n];
    let mut comp_start = vec![0u32; n];
    let mut comp_size: Vec<u32> = Vec::new();
    let mut comp_begin: Vec<u32> = Vec::new();
    let mut comp_of = vec![0u32; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    // Each DFS subtree's perspectives, gathered as the search finishes its nodes.
    let mut sub = own.to_vec();
    let mut time = 0u32;
    for root in 0..n {
        if disc[root] != NONE {
            continue;
        }
        let c = comp_size.len() as u32;
        let start = time;
        let mut stack: Vec<(u32, usize)> = vec![(root as u32, 0)];
        disc[root] = time;
        low[root] = time;
        comp_of[root] = c;
        order.push(root as u32);
        time += 1;
        while let Some(&mut (v, ref mut k)) = stack.last_mut() {
            let v = v as usize;
            if *k < adj.at(v).len() {
                let w = adj.at(v)[*k] as usize;
                *k += 1;
                if disc[w] == NONE {
                    parent[w] = v as u32;
                    disc[w] = time;
                    low[w] = time;
                    comp_of[w] = c;
                    order.push(w as u32);
                    time += 1;
                    stack.push((w as u32, 0));
                } else if w as u32 != parent[v] {
                    low[v] = low[v].min(disc[w]);
                }
            } else {
                stack.pop();
                let p = parent[v];
                if p != NONE {
                    let p = p as usize;
                    low[p] = low[p].min(low[v]);
                    size[p] += size[v];
                    for w in 0..words {
                        sub[p * words + w] |= sub[v * words + w];
                    }
                }
            }
        }
        comp_size.push(time - start);
        comp_begin.push(start);
        for &v in &order[start as usize..] {
            comp_start[v as usize] = start;
        }
    }
    Search { disc, low, size, parent, comp_of, comp_start, comp_size, comp_begin, order, sub }
}

/// The perspectives of the items discovered before time `t` in its component (`pre`), and at
/// or after `t` (`suf`): the rest of a component around a subtree is a prefix and a suffix.
fn prefixes_and_suffixes(s: &Search, own: &[u64], words: usize) -> (Vec<u64>, Vec<u64>) {
    let n = s.disc.len();
    let (comp_size, comp_begin, order) = (&s.comp_size, &s.comp_begin, &s.order);
    let mut pre = vec![0u64; (n + 1) * words];
    let mut suf = vec![0u64; (n + 1) * words];
    for (c, &len) in comp_size.iter().enumerate() {
        let start = comp_begin[c] as usize;
        let end = start + len as usize;
        for t in start..end {
            let v = order[t] as usize;
            for w in 0..words {
                pre[(t + 1) * words + w] = if t == start { 0 } else { pre[t * words + w] } | own[v * words + w];
            }
        }
        for t in (start..end).rev() {
            let v = order[t] as usize;
            for w in 0..words {
                suf[t * words + w] = if t + 1 == end { 0 } else { suf[(t + 1) * words + w] } | own[v * words + w];
            }
        }
    }
    (pre, suf)
}

/// The bridge items, unordered, and their parts.
struct Cuts {
    /// Each bridge item: (pairs separated, item, where its parts start in `part_masks`, how many).
    out: Vec<(u64, usize, usize, usize)>,
    /// Every bridge item's parts' perspectives, `words` words each.
    part_masks: Vec<u64>,
}

/// The cut vertices whose parts do not all carry the same perspectives.
fn cuts(adj: &Adjacency, s: &Search, own: &[u64], words: usize) -> Cuts {
    let n = adj.len();
    let Search { disc, low, size, parent, comp_of, comp_start, comp_size, sub, .. } = s;
    let (pre, suf) = prefixes_and_suffixes(s, own, words);
    // Each bridge item: (pairs separated, item, where its parts start in `parts`, how many).
    let mut out: Vec<(u64, usize, usize, usize)> = Vec::new();
    // Every bridge item's parts, as (size, perspectives).
    let mut part_sizes: Vec<u64> = Vec::new();
    let mut part_masks: Vec<u64> = Vec::new();
    let mut rest_mask = vec![0u64; words];
    for v in 0..n {
        let is_root = parent[v] == NONE;
        let first = part_sizes.len();
        let (dv, cs, csize) = (disc[v] as usize, comp_start[v] as usize, comp_size[comp_of[v] as usize] as usize);
        // Without `v`, its component falls into the subtrees of its separated children and the
        // rest: what comes before and after its subtree, with the subtrees of its other children.
        for w in 0..words {
            let after = dv + size[v] as usize;
            rest_mask[w] =
                (if dv == cs { 0 } else { pre[dv * words + w] }) | (if after == cs + csize { 0 } else { suf[after * words + w] });
        }
        for &c in adj.at(v) {
            let c = c as usize;
            if parent[c] != v as u32 {
                continue;
            }
            if is_root || low[c] >= disc[v] {
                part_sizes.push(size[c] as u64);
                part_masks.extend_from_slice(&sub[c * words..(c + 1) * words]);
            } else {
                for w in 0..words {
                    rest_mask[w] |= sub[c * words + w];
                }
            }
        }
        let separated = part_sizes.len() - first;
        if separated == 0 || (is_root && separated < 2) {
            part_sizes.truncate(first);
            part_masks.truncate(first * words);
            continue;
        }
        let rest = csize as u64 - 1 - part_sizes[first..].iter().sum::<u64>();
        if rest > 0 {
            part_sizes.push(rest);
            part_masks.extend_from_slice(&rest_mask);
        }
        let masks = &part_masks[first * words..];
        let all_alike = masks.chunks_exact(words).all(|m| m == &masks[..words]);
        if all_alike {
            part_sizes.truncate(first);
            part_masks.truncate(first * words);
            continue;
        }
        let sizes = &part_sizes[first..];
        let total: u64 = sizes.iter().sum();
        let pairs: u64 = sizes.iter().map(|&p| p * (total - p)).sum::<u64>() / 2;
        out.push((pairs, v, first, sizes.len()));
    }
    Cuts { out, part_masks }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn betweenness_of_a_path_and_a_star() {
        // a - b - c: b lies on the one path between a and c.
        let mut g: UnGraph<usize, ()> = UnGraph::new_undirected();
        let (a, b, c) = (g.add_node(0), g.add_node(1), g.add_node(2));
        g.add_edge(a, b, ());
        g.add_edge(b, c, ());
        assert_eq!(betweenness(&g), [0.0, 1.0, 0.0]);
        // A square: each node is on half of the two shortest paths between its neighbours.
        let d = g.add_node(3);
        g.add_edge(c, d, ());
        g.add_edge(d, a, ());
        assert_eq!(betweenness(&g), [0.5, 0.5, 0.5, 0.5]);
    }
}
