//! Mermaid: a `graph LR` block. Node ids are generated (`n0`, `n1`, …); labels are quoted, with
//! every character outside plain letters, digits and spaces written as an entity code (`#35;`), so
//! no title can break out of its label or inject Mermaid syntax.

use std::collections::HashMap;
use std::io::{Result, Write};

use super::dot::colour;
use crate::graph::KnowledgeGraph;
use crate::model::Kind;

/// A label safe inside `["…"]`.
pub fn label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_alphanumeric() || c == ' ' {
            out.push(c);
        } else if !c.is_control() {
            out.push_str(&format!("#{};", c as u32));
        }
    }
    out
}

pub fn write(g: &KnowledgeGraph, w: &mut dyn Write) -> Result<()> {
    writeln!(w, "graph LR")?;
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, n) in g.nodes().enumerate() {
        ids.insert(&n.id, i);
        writeln!(w, "  n{i}[\"{}\"]:::{}", label(&n.title), n.kind)?;
    }
    for (a, b, e) in g.edges() {
        writeln!(w, "  n{} -->|{}| n{}", ids[a.id.as_str()], e.rel, ids[b.id.as_str()])?;
    }
    for k in Kind::ALL {
        writeln!(w, "  classDef {k} fill:{},stroke:#555", colour(k))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_cannot_break_out() {
        assert_eq!(super::label("a\"]-->b<script>"), "a#34;#93;#45;#45;#62;b#60;script#62;");
        assert_eq!(super::label("Åsa möte"), "Åsa möte");
    }
}
