//! Graphviz DOT: one cluster per kind, edges labelled with their relation. `dot -Tsvg` renders it.

use std::io::{Result, Write};

use crate::graph::KnowledgeGraph;
use crate::model::Kind;

/// A DOT double-quoted string: `"` and `\` escaped, `&` written as `&amp;` (Graphviz decodes
/// HTML entities in labels, so a title holding `&lt;` would otherwise show as `<`), line breaks as
/// `\n`, control characters dropped.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The colour of a kind: one palette for the window (`--k-*` in `ui/src/style.css`, held equal by
/// a test) and every export that colours (DOT, Mermaid, the HTML map).
pub fn colour(k: Kind) -> &'static str {
    match k {
        Kind::Note => "#8a94a6",
        Kind::Signal => "#e0a03a",
        Kind::Insight => "#2fae8f",
        Kind::Friction => "#e0605a",
        Kind::Resolution => "#6f8cff",
        Kind::Goal => "#b57bee",
        Kind::Meeting => "#5fb0d8",
    }
}

pub fn write(g: &KnowledgeGraph, w: &mut dyn Write) -> Result<()> {
    writeln!(w, "digraph mellanrum {{")?;
    writeln!(w, "  graph [rankdir=LR, fontname=\"Helvetica\"];")?;
    writeln!(w, "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];")?;
    writeln!(w, "  edge [fontname=\"Helvetica\", fontsize=10];")?;
    for k in Kind::ALL {
        let mut nodes = g.nodes().filter(|n| n.kind == k).peekable();
        if nodes.peek().is_none() {
            continue;
        }
        writeln!(w, "  subgraph cluster_{k} {{")?;
        writeln!(w, "    label={};", quoted(&format!("{k}s")))?;
        for n in nodes {
            let mut tip = format!("{} · {}", n.kind, n.perspective);
            if let Some(s) = &n.status {
                tip += &format!(" · {s}");
            }
            writeln!(w, "    {} [label={}, tooltip={}, fillcolor=\"{}\"];", quoted(&n.id), quoted(&n.title), quoted(&tip), colour(k))?;
        }
        writeln!(w, "  }}")?;
    }
    for (a, b, e) in g.edges() {
        writeln!(w, "  {} -> {} [label={}];", quoted(&a.id), quoted(&b.id), quoted(e.rel.as_str()))?;
    }
    writeln!(w, "}}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoting() {
        assert_eq!(super::quoted("a \"b\" \\ c\nd\u{7}"), "\"a \\\"b\\\" \\\\ c\\nd\"");
        assert_eq!(super::quoted("&lt; & b"), "\"&amp;lt; &amp; b\"");
    }
}
