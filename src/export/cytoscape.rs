//! Cytoscape.js elements JSON: `{"elements": {"nodes": [{"data": …}], "edges": [{"data": …}]}}`,
//! loadable with `cy.add(json.elements)` or Cytoscape desktop's "import network from file".

use std::io::{Result, Write};

use serde_json::json;

use crate::graph::KnowledgeGraph;

pub fn write(g: &KnowledgeGraph, w: &mut dyn Write) -> Result<()> {
    w.write_all(
        b"{\"format_version\":\"1.0\",\"generated_by\":\"mellanrum\",\"target_cytoscapejs_version\":\"~3\",\"elements\":{\"nodes\":[\n",
    )?;
    for (i, n) in g.nodes().enumerate() {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        let v = json!({"data": {"id": n.id, "label": n.title, "kind": n.kind, "status": n.status, "tags": n.tags,
            "author": n.author, "perspective": n.perspective, "created": n.created, "round": n.round, "retires": n.retires,
            "hours_freed": n.hours_freed.as_deref().and_then(|h| h.parse::<f64>().ok()), "decided_on": n.decided_on}, "classes": n.kind.as_str()});
        serde_json::to_writer(&mut *w, &v)?;
    }
    w.write_all(b"\n],\"edges\":[\n")?;
    for (i, (a, b, e)) in g.edges().enumerate() {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        let v = json!({"data": {"id": format!("e{i}"), "source": a.id, "target": b.id, "rel": e.rel, "count": e.count}, "classes": e.rel.as_str()});
        serde_json::to_writer(&mut *w, &v)?;
    }
    w.write_all(b"\n]}}\n")
}
