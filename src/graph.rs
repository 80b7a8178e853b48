//! The knowledge graph, derived from the store: live items are nodes, resolved links between them
//! are edges (one per source, target and relation). Exports draw it; the integration lens reads it.
//!
//! Nodes carry what maps show and filter by — kind, title, status, tags, the author and their
//! perspective, the day made, a resolution's consent round and retired practice — never bodies, so the graph of a 100k-item workspace stays small; exports that
//! need bodies stream them from the store.

use std::collections::{BTreeSet, HashMap, VecDeque};

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;

use crate::error::Result;
use crate::model::{Kind, Rel};
use crate::store::Tx;

/// An item as a node of the map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "MapNode"))]
pub struct Node {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    /// An insight's or a friction's status.
    pub status: Option<String>,
    pub tags: Vec<String>,
    /// The name of the person who created the item.
    pub author: String,
    /// That person's perspective (discipline or department).
    pub perspective: String,
    /// The day it was made (its age).
    pub created: String,
    /// A resolution's consent round (`open`, `closed`), the practice it retires, the hours per
    /// month that freed and its decision day.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub round: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub retires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub hours_freed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub decided_on: Option<String>,
}

/// A resolved link as an edge of the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Edge {
    pub rel: Rel,
    /// How many times the source's body makes this link.
    pub count: i64,
}

/// The graph of live items and the resolved links between them.
#[derive(Debug, Clone, Default)]
pub struct KnowledgeGraph {
    pub graph: DiGraph<Node, Edge>,
    index: HashMap<String, NodeIndex>,
}

impl KnowledgeGraph {
    /// Reads the whole graph from the store (two streaming queries).
    pub fn load(tx: &Tx) -> Result<KnowledgeGraph> {
        let mut g = KnowledgeGraph::default();
        tx.each_export_item(false, |e| {
            let it = e.item;
            let node = Node {
                status: it.fields.get("status").map(str::to_string),
                created: it.created.chars().take(10).collect(),
                round: e.round,
                retires: it.fields.get("retires").map(str::to_string),
                hours_freed: it.fields.get("hours_freed").map(str::to_string),
                decided_on: it.fields.get("decided_on").map(str::to_string),
                id: it.id.clone(),
                kind: it.kind,
                title: it.title,
                tags: it.tags,
                author: e.author_name,
                perspective: e.perspective,
            };
            let ix = g.graph.add_node(node);
            g.index.insert(it.id, ix);
            Ok(true)
        })?;
        tx.each_edge(|e| {
            if let (Some(&a), Some(&b)) = (g.index.get(&e.source_id), g.index.get(&e.target_id)) {
                g.graph.add_edge(a, b, Edge { rel: e.rel, count: e.count });
            }
            Ok(())
        })?;
        Ok(g)
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.index.get(id).map(|&ix| &self.graph[ix])
    }

    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Nodes in id order (the order items were created).
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.graph.node_weights()
    }

    /// Edges as `(source, target, edge)`.
    pub fn edges(&self) -> impl Iterator<Item = (&Node, &Node, &Edge)> {
        self.graph.edge_references().map(|e| (&self.graph[e.source()], &self.graph[e.target()], e.weight()))
    }

    /// The ids within `hops` links of any of `seeds` (in either direction), the seeds included.
    pub fn neighbourhood<'a>(&self, seeds: impl IntoIterator<Item = &'a str>, hops: usize) -> BTreeSet<String> {
        let mut seen: HashMap<NodeIndex, usize> = HashMap::new();
        let mut queue = VecDeque::new();
        for s in seeds {
            if let Some(&ix) = self.index.get(s) {
                if seen.insert(ix, 0).is_none() {
                    queue.push_back(ix);
                }
            }
        }
        while let Some(ix) = queue.pop_front() {
            let d = seen[&ix];
            if d >= hops {
                continue;
            }
            let around =
                self.graph.neighbors_directed(ix, Direction::Outgoing).chain(self.graph.neighbors_directed(ix, Direction::Incoming));
            for n in around.collect::<Vec<_>>() {
                if let std::collections::hash_map::Entry::Vacant(v) = seen.entry(n) {
                    v.insert(d + 1);
                    queue.push_back(n);
                }
            }
        }
        seen.into_keys().map(|ix| self.graph[ix].id.clone()).collect()
    }

    /// The part of the graph whose nodes are in `keep` (and the edges between them).
    pub fn subgraph(&self, keep: &BTreeSet<String>) -> KnowledgeGraph {
        let graph = self.graph.filter_map(|_, n| keep.contains(&n.id).then(|| n.clone()), |_, e| Some(*e));
        let index = graph.node_indices().map(|ix| (graph[ix].id.clone(), ix)).collect();
        KnowledgeGraph { graph, index }
    }

    /// Replaces node text with `f` (used to redact people's names).
    pub fn map_text(&mut self, f: impl Fn(&str) -> String) {
        for n in self.graph.node_weights_mut() {
            n.title = f(&n.title);
            n.author = f(&n.author);
        }
    }

    /// How many nodes of each perspective link to nodes of each other perspective (by author).
    pub fn perspective_links(&self) -> std::collections::BTreeMap<(String, String), usize> {
        let mut out = std::collections::BTreeMap::new();
        for (a, b, _) in self.edges() {
            *out.entry((a.perspective.clone(), b.perspective.clone())).or_default() += 1;
        }
        out
    }
}

/// The graph as a front end draws it: nodes, and edges by id (self-links left out).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MapView {
    pub nodes: Vec<Node>,
    pub edges: Vec<MapEdge>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MapEdge {
    pub source: String,
    pub target: String,
    pub rel: Rel,
}

impl KnowledgeGraph {
    /// The nodes and edges in plain lists, for a map view.
    pub fn to_map(&self) -> MapView {
        let nodes = self.nodes().cloned().collect();
        let edges = self
            .edges()
            .filter(|(a, b, _)| a.id != b.id)
            .map(|(a, b, e)| MapEdge { source: a.id.clone(), target: b.id.clone(), rel: e.rel })
            .collect();
        MapView { nodes, edges }
    }
}
