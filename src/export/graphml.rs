//! GraphML (Gephi, yEd, networkx): nodes with kind, title, status, tags, author and perspective;
//! edges with their relation and how often the body makes the link.

use std::io::{Result, Write};

use crate::graph::KnowledgeGraph;

/// Text for XML: escaped, with the characters XML 1.0 cannot hold dropped.
pub fn xml_text(s: &str) -> String {
    let clean: String =
        s.chars().filter(|&c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)).collect();
    quick_xml::escape::escape(clean.as_str()).replace('\r', "&#13;").replace('\n', "&#10;")
}

pub fn write(g: &KnowledgeGraph, w: &mut dyn Write) -> Result<()> {
    w.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">
  <key id="kind" for="node" attr.name="kind" attr.type="string"/>
  <key id="title" for="node" attr.name="title" attr.type="string"/>
  <key id="label" for="node" attr.name="label" attr.type="string"/>
  <key id="status" for="node" attr.name="status" attr.type="string"/>
  <key id="tags" for="node" attr.name="tags" attr.type="string"/>
  <key id="author" for="node" attr.name="author" attr.type="string"/>
  <key id="perspective" for="node" attr.name="perspective" attr.type="string"/>
  <key id="created" for="node" attr.name="created" attr.type="string"/>
  <key id="round" for="node" attr.name="round" attr.type="string"/>
  <key id="retires" for="node" attr.name="retires" attr.type="string"/>
  <key id="hours_freed" for="node" attr.name="hours_freed" attr.type="double"/>
  <key id="decided_on" for="node" attr.name="decided_on" attr.type="string"/>
  <key id="rel" for="edge" attr.name="rel" attr.type="string"/>
  <key id="count" for="edge" attr.name="count" attr.type="int"/>
  <graph id="mellanrum" edgedefault="directed">
"#,
    )?;
    for n in g.nodes() {
        let title = xml_text(&n.title);
        write!(
            w,
            "    <node id=\"{}\"><data key=\"kind\">{}</data><data key=\"title\">{title}</data><data key=\"label\">{title}</data>",
            xml_text(&n.id),
            n.kind
        )?;
        if let Some(s) = &n.status {
            write!(w, "<data key=\"status\">{}</data>", xml_text(s))?;
        }
        if !n.tags.is_empty() {
            write!(w, "<data key=\"tags\">{}</data>", xml_text(&n.tags.join(",")))?;
        }
        write!(w, "<data key=\"created\">{}</data>", xml_text(&n.created))?;
        for (key, v) in [("round", &n.round), ("retires", &n.retires), ("hours_freed", &n.hours_freed), ("decided_on", &n.decided_on)] {
            if let Some(v) = v {
                write!(w, "<data key=\"{key}\">{}</data>", xml_text(v))?;
            }
        }
        writeln!(
            w,
            "<data key=\"author\">{}</data><data key=\"perspective\">{}</data></node>",
            xml_text(&n.author),
            xml_text(&n.perspective)
        )?;
    }
    for (i, (a, b, e)) in g.edges().enumerate() {
        writeln!(
            w,
            "    <edge id=\"e{i}\" source=\"{}\" target=\"{}\"><data key=\"rel\">{}</data><data key=\"count\">{}</data></edge>",
            xml_text(&a.id),
            xml_text(&b.id),
            e.rel,
            e.count
        )?;
    }
    w.write_all(b"  </graph>\n</graphml>\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_cleaned() {
        assert_eq!(xml_text("a<b>&\"c\" \u{1}d\ne"), "a&lt;b&gt;&amp;&quot;c&quot; d&#10;e");
    }
}
