//! Knowledge out: every map format read back by a real reader (networkx, Graphviz, headless
//! Chromium, the vault importer), filtered exports, redaction and hostile content.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::util::{fixtures, Ws};
use chrono::TimeZone;
use serde_json::Value;

/// A small workspace whose map is known by hand: 5 items, 4 distinct resolved links.
fn small() -> Ws {
    let ws = Ws::new();
    ws.ok(&["person", "add", "Erik Berg", "--perspective", "Engineering"]);
    ws.add("signal", "Exports are slow", &["--set", "source=interview", "--set", "customer=Acme", "--tag", "speed"]);
    ws.add(
        "insight",
        "Speed matters",
        &["--body", "evidence:: [[Exports are slow]]\nSee [[Exports are slow]] again.", "--set", "status=validated"],
    );
    ws.add("friction", "Release date", &["--position", "Sales=March", "--position", "Engineering=May"]);
    ws.add(
        "resolution",
        "Ship in May",
        &[
            "--body",
            "resolves:: [[Release date]]\nAgreed by Erik Berg and Anna after [[Speed matters]].",
            "--set",
            "agreed_by=Anna, Erik Berg",
        ],
    );
    ws.add("note", "Lonely <note> & \"friends\"", &["--body", "Nothing links here. [[Missing]]", "--as", "Erik Berg"]);
    ws
}

fn export(ws: &Ws, format: &str, out: &Path, extra: &[&str]) -> Value {
    let mut a = vec!["export", format, "--out", out.to_str().unwrap()];
    a.extend_from_slice(extra);
    ws.json(&a)
}

fn python(script: &str, arg: &Path) -> String {
    let o = Command::new("python3").arg("-c").arg(script).arg(arg).output().expect("python3");
    assert!(o.status.success(), "python failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

const NX: &str = "import sys, json, networkx as nx
g = nx.read_graphml(sys.argv[1])
print(json.dumps({'directed': g.is_directed(), 'nodes': g.number_of_nodes(), 'edges': g.number_of_edges(),
  'node_data': {d['title']: d for _, d in g.nodes(data=True)},
  'edge_rels': sorted((g.nodes[a]['title'], g.nodes[b]['title'], d['rel']) for a, b, d in g.edges(data=True))}))";

#[test]
fn graphml_is_read_by_networkx_with_kinds_and_relations() {
    let ws = small();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("map.graphml");
    let r = export(&ws, "graphml", &p, &[]);
    assert_eq!((r["nodes"].as_u64(), r["edges"].as_u64()), (Some(5), Some(4)));
    let g: Value = serde_json::from_str(&python(NX, &p)).unwrap();
    assert_eq!(g["directed"], true);
    assert_eq!(g["nodes"], 5);
    // By hand: the insight's two mentions of the signal are one evidence edge and one references
    // edge; the resolution resolves the friction and references the insight; [[Missing]] is no edge.
    assert_eq!(
        g["edge_rels"],
        serde_json::json!([
            ["Ship in May", "Release date", "resolves"],
            ["Ship in May", "Speed matters", "references"],
            ["Speed matters", "Exports are slow", "evidence"],
            ["Speed matters", "Exports are slow", "references"]
        ])
    );
    let f = &g["node_data"]["Release date"];
    assert_eq!((f["kind"].as_str(), f["status"].as_str(), f["perspective"].as_str()), (Some("friction"), Some("resolved"), Some("Sales")));
    assert_eq!(g["node_data"]["Exports are slow"]["tags"], "speed");
    assert_eq!(g["node_data"]["Lonely <note> & \"friends\""]["author"], "Erik Berg");
}

#[test]
fn a_real_vault_exports_to_every_format_with_matching_counts() {
    let ws = Ws::new();
    ws.json(&["import", "vault", fixtures().join("vaults/kepano-obsidian/vault").to_str().unwrap()]);
    // The edges, counted through `show` (one per source, target and relation between items).
    let list = ws.json(&["list"]);
    let mut edges = BTreeSet::new();
    for it in list.as_array().unwrap() {
        let id = it["id"].as_str().unwrap();
        for l in ws.show(id)["links"].as_array().unwrap() {
            if let Some(t) = l["id"].as_str() {
                edges.insert((id.to_string(), t.to_string(), l["rel"].as_str().unwrap().to_string()));
            }
        }
    }
    let nodes = list.as_array().unwrap().len();
    assert_eq!(nodes, 103);
    let dir = tempfile::tempdir().unwrap();

    let gml = dir.path().join("kepano.graphml");
    export(&ws, "graphml", &gml, &[]);
    let g: Value = serde_json::from_str(&python(NX, &gml)).unwrap();
    assert_eq!((g["nodes"].as_u64(), g["edges"].as_u64()), (Some(nodes as u64), Some(edges.len() as u64)));

    let cy = dir.path().join("kepano.cyjs");
    export(&ws, "cytoscape", &cy, &[]);
    let c: Value = serde_json::from_str(&std::fs::read_to_string(&cy).unwrap()).unwrap();
    let cnodes = c["elements"]["nodes"].as_array().unwrap();
    let ids: BTreeSet<&str> = cnodes.iter().map(|n| n["data"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), nodes);
    let cedges: BTreeSet<(String, String, String)> = c["elements"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let d = &e["data"];
            (d["source"].as_str().unwrap().into(), d["target"].as_str().unwrap().into(), d["rel"].as_str().unwrap().into())
        })
        .collect();
    assert_eq!(cedges, edges);

    let dot = dir.path().join("kepano.dot");
    export(&ws, "dot", &dot, &[]);
    let svg = Command::new("dot").arg("-Tsvg").arg(&dot).output().expect("graphviz dot");
    assert!(svg.status.success(), "dot failed: {}", String::from_utf8_lossy(&svg.stderr));
    let svg = String::from_utf8(svg.stdout).unwrap();
    assert_eq!(svg.matches("class=\"node\"").count(), nodes);
    assert_eq!(svg.matches("class=\"edge\"").count(), edges.len());
    assert!(svg.contains("class=\"cluster\"") && svg.contains(">notes</text>"));

    let mmd = dir.path().join("kepano.mmd");
    export(&ws, "mermaid", &mmd, &[]);
    let m = std::fs::read_to_string(&mmd).unwrap();
    assert!(m.starts_with("graph LR\n"));
    let node_lines = m.lines().filter(|l| l.starts_with("  n") && l.contains("[\"")).count();
    let edge_lines = m.lines().filter(|l| l.contains(" -->|")).count();
    assert_eq!((node_lines, edge_lines), (nodes, edges.len()));
}

#[test]
fn hostile_titles_stay_text_in_dot_and_mermaid() {
    let ws = Ws::new();
    ws.add("note", "A \"quoted\" \\ back]slash\"] --> x", &["--body", "[[B<script>]]"]);
    ws.add("note", "B<script>", &[]);
    let dir = tempfile::tempdir().unwrap();
    let dot = dir.path().join("m.dot");
    export(&ws, "dot", &dot, &[]);
    let svg = Command::new("dot").arg("-Tsvg").arg(&dot).output().unwrap();
    assert!(svg.status.success(), "{}", String::from_utf8_lossy(&svg.stderr));
    let svg = String::from_utf8(svg.stdout).unwrap();
    assert!(svg.contains("B&lt;script&gt;") && !svg.contains("<script"));
    let mmd = dir.path().join("m.mmd");
    export(&ws, "mermaid", &mmd, &[]);
    let m = std::fs::read_to_string(&mmd).unwrap();
    for l in m.lines().filter(|l| l.contains("[\"")) {
        let label = &l[l.find("[\"").unwrap() + 2..l.rfind("\"]").unwrap()];
        assert!(!label.contains(['"', '[', ']', '<', '>', '|', '-']), "{l}");
    }
    assert_eq!(m.lines().filter(|l| l.contains(" -->|references| ")).count(), 1);
}

fn chromium(url: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let o = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium");
    assert!(o.status.success(), "chromium failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_html_map_draws_offline_and_injected_script_stays_text() {
    let ws = small();
    let hostile = "<script>document.documentElement.setAttribute('data-pwned','script')</script>\n<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">\n[[Speed matters]]";
    let id = ws.add("note", "Hostile </script> note", &["--body", hostile]);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("map.html");
    let r = export(&ws, "html", &p, &[]);
    assert_eq!(r["nodes"], 6);
    let html = std::fs::read_to_string(&p).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"), "no network addresses");
    assert!(!html.contains("<img") && !html.contains("<link") && !html.contains("<iframe"), "nothing to fetch");
    assert_eq!(html.matches("<script").count(), 2, "the data block and the map's own script, nothing else");
    assert!(html.contains("Content-Security-Policy") && html.contains("default-src 'none'"));

    let url = format!("file://{}#id={id}", p.display());
    let dom = chromium(&url, &["--dump-dom"]);
    // The scripts would mark the root element; the map marks it with how many items it drew.
    let root = &dom[dom.find("<html").expect("an html element")..];
    let root = &root[..root.find('>').unwrap()];
    assert!(root.contains("data-drawn=\"6\""), "the map drew its 6 items: {root}");
    assert!(!root.contains("data-pwned"), "an injected script ran: {root}");
    // The note opened from the link shows its body as text.
    assert!(dom.contains("&lt;script&gt;document.documentElement.setAttribute"), "body shown as text");
    assert!(dom.contains("<h2 id=\"title\">Hostile &lt;/script&gt; note</h2>"));
    assert!(!dom.contains("<img"), "no element came from note content");

    // A look at the map itself (kept beside the export for a human to open).
    let shot = dir.path().join("map.png");
    chromium(&format!("file://{}", p.display()), &["--window-size=1200,800", &format!("--screenshot={}", shot.display())]);
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "a screenshot with something drawn");
}

#[test]
fn a_vault_export_imports_back_to_the_same_items_fields_and_links() {
    let ws = small();
    ws.add("goal", "Faster exports ⚡ / Q3?", &["--set", "horizon=2026", "--body", "Backed by [[Speed matters]]"]);
    ws.add("note", "Plan", &["--body", "advances:: [[Faster exports ⚡ / Q3?]]"]);
    ws.add("note", "CON", &["--alias", "console", "--body", "A reserved file name."]);
    ws.add("note", "../../escape", &["--body", "Stays inside."]);
    ws.add("note", "con", &["--body", "Same name, other case."]);
    // Properties beyond the kind's fields come from an imported note's front matter.
    let src = tempfile::tempdir().unwrap();
    std::fs::write(src.path().join("Rated.md"), "---\nrating: 4\nyear: \"1999\"\nlist: [a, b]\nstatus: draft\n---\nBody of [[CON]]\n")
        .unwrap();
    ws.json(&["import", "vault", src.path().to_str().unwrap()]);

    let out = tempfile::tempdir().unwrap();
    let vault = out.path().join("vault");
    let r = export(&ws, "vault", &vault, &[]);
    assert_eq!(r["files"], 11);
    // Every file is inside the vault, named safely.
    let mut names = Vec::new();
    for d in std::fs::read_dir(&vault).unwrap() {
        for f in std::fs::read_dir(d.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            assert!(p.starts_with(&vault));
            names.push(p.strip_prefix(&vault).unwrap().to_string_lossy().into_owned());
        }
    }
    names.sort();
    assert!(names.contains(&"Notes/_CON.md".to_string()) && names.contains(&"Notes/_con (2).md".to_string()), "{names:?}");
    assert!(names.contains(&"Goals/Faster exports ⚡ - Q3-.md".to_string()), "{names:?}");
    assert!(names.contains(&"Notes/-..-escape.md".to_string()), "{names:?}");

    // Into a new workspace: the same items, fields, tags, aliases, properties, bodies and links.
    let other = Ws::new();
    let r2 = other.json(&["import", "vault", vault.to_str().unwrap()]);
    assert_eq!((r2["created"].as_u64(), r2["warnings"].as_array().unwrap().len()), (Some(11), 0), "{r2}");
    let view = |w: &Ws| -> Vec<Value> {
        let mut items: Vec<Value> = w
            .json(&["list"])
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let s = w.show(i["id"].as_str().unwrap());
                let links: Vec<Value> =
                    s["links"].as_array().unwrap().iter().map(|l| serde_json::json!([l["rel"], l["title"], l["id"].is_null()])).collect();
                serde_json::json!({"id": s["id"], "kind": s["kind"], "title": s["title"], "body": s["body"], "tags": s["tags"],
                    "aliases": s["aliases"], "fields": s["fields"], "links": links})
            })
            .collect();
        items.sort_by_key(|v| v["id"].as_str().unwrap().to_string());
        items
    };
    let before = view(&ws);
    assert_eq!(view(&other), before);
    let rated = before.iter().find(|v| v["title"] == "Rated").unwrap();
    assert_eq!(rated["fields"]["properties"], serde_json::json!({"rating": 4, "year": "1999", "list": ["a", "b"], "status": "draft"}));
    // And into the same workspace: nothing changes.
    let r3 = ws.json(&["import", "vault", vault.to_str().unwrap()]);
    assert_eq!((r3["unchanged"].as_u64(), r3["created"].as_u64()), (Some(11), Some(0)));
    // A second export never overwrites.
    assert!(ws.fails(&["export", "vault", "--out", vault.to_str().unwrap()]).contains("not empty"));
}

#[test]
fn a_query_with_hops_exports_part_of_the_map() {
    let ws = Ws::new();
    ws.add("note", "Alpha pricing", &["--body", "[[Beta]]"]);
    ws.add("note", "Beta", &["--body", "[[Gamma]]"]);
    ws.add("note", "Gamma", &["--body", "[[Delta]]"]);
    ws.add("note", "Delta", &["--body", "zebra"]);
    ws.add("note", "Unrelated", &[]);
    let dir = tempfile::tempdir().unwrap();
    let titles = |hops: &str| -> Vec<String> {
        let p = dir.path().join(format!("q{hops}.cyjs"));
        export(&ws, "cytoscape", &p, &["--query", "pricing", "--hops", hops]);
        let c: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let mut t: Vec<String> =
            c["elements"]["nodes"].as_array().unwrap().iter().map(|n| n["data"]["label"].as_str().unwrap().to_string()).collect();
        t.sort();
        t
    };
    assert_eq!(titles("0"), ["Alpha pricing"]);
    assert_eq!(titles("1"), ["Alpha pricing", "Beta"]);
    assert_eq!(titles("2"), ["Alpha pricing", "Beta", "Gamma"]);
    // Hops go both ways along links: from Delta, one hop reaches Gamma.
    let p = dir.path().join("d.cyjs");
    let r = export(&ws, "cytoscape", &p, &["--query", "zebra", "--hops", "1"]);
    assert_eq!((r["nodes"].as_u64(), r["edges"].as_u64()), (Some(2), Some(1)));
    assert!(ws
        .fails(&["export", "dot", "--out", dir.path().join("x.dot").to_str().unwrap(), "--hops", "2"])
        .contains("needs --query or --around"));
    // Around one item (by title, as the app's "export the map around this" does): Gamma and the
    // items one link away, whatever words they hold; an unknown item is named in the error and
    // nothing is written.
    let p = dir.path().join("around.cyjs");
    export(&ws, "cytoscape", &p, &["--around", "gamma", "--hops", "1"]);
    let c: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    let mut t: Vec<&str> = c["elements"]["nodes"].as_array().unwrap().iter().map(|n| n["data"]["label"].as_str().unwrap()).collect();
    t.sort();
    assert_eq!(t, ["Beta", "Delta", "Gamma"]);
    let missing = dir.path().join("missing.cyjs");
    let err = ws.fails(&["export", "cytoscape", "--out", missing.to_str().unwrap(), "--around", "Epsilon", "--hops", "1"]);
    assert!(err.contains("Epsilon"), "{err}");
    assert!(!missing.exists());
}

#[test]
fn an_export_is_named_by_its_format_and_time() {
    use mellanrum::export::{file_name, Format};
    let at = chrono::Local.with_ymd_and_hms(2026, 9, 14, 15, 30, 0).unwrap();
    assert_eq!(file_name(Format::Html, at), "map-20260914-153000.html");
    assert_eq!(file_name(Format::GraphMl, at), "map-20260914-153000.graphml");
    assert_eq!(file_name(Format::Cytoscape, at), "map-20260914-153000.cyjs");
    assert_eq!(file_name(Format::Vault, at), "map-20260914-153000", "a vault is a folder");
}

#[test]
fn redacted_exports_name_perspectives_not_people() {
    let ws = small();
    let dir = tempfile::tempdir().unwrap();
    for (format, file) in [("graphml", "r.graphml"), ("html", "r.html"), ("cytoscape", "r.cyjs"), ("dot", "r.dot"), ("mermaid", "r.mmd")] {
        let p = dir.path().join(file);
        export(&ws, format, &p, &["--redact-people"]);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(!text.contains("Anna") && !text.contains("Erik"), "{format} names a person");
    }
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("Agreed by Engineering and Sales after"), "names in bodies become perspectives");
    assert!(html.contains("\"agreed_by\":\"Sales, Engineering\""));
    let vault = dir.path().join("v");
    export(&ws, "vault", &vault, &["--redact-people"]);
    let res = std::fs::read_to_string(vault.join("Resolutions/Ship in May.md")).unwrap();
    assert!(res.contains("agreed_by: Sales, Engineering") && !res.contains("Erik"), "{res}");
    // Without the flag the names are there.
    let p = dir.path().join("plain.graphml");
    export(&ws, "graphml", &p, &[]);
    assert!(std::fs::read_to_string(&p).unwrap().contains("Erik Berg"));
}

#[test]
fn bad_export_requests_fail_clearly_and_write_nothing() {
    let ws = small();
    let dir = tempfile::tempdir().unwrap();
    let err = ws.fails(&["export", "pdf", "--out", dir.path().join("x.pdf").to_str().unwrap()]);
    assert!(err.contains("unknown export format 'pdf'") && err.contains("graphml"), "{err}");
    let err = ws.fails(&["export", "dot", "--out", "/no/such/folder/x.dot"]);
    assert!(err.contains("/no/such/folder"), "{err}");
    let file = dir.path().join("file.txt");
    std::fs::write(&file, "keep").unwrap();
    assert!(ws.fails(&["export", "vault", "--out", file.to_str().unwrap()]).contains("a file"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary files left behind");
}

/// Titles, tags and bodies that try to break out of every format: quotes, angle brackets,
/// ampersands and entities, braces, `-->`, comments, backslash escapes; bodies add line breaks and
/// `]]` (which titles cannot hold: it would break [[links]]).
const HOSTILE: [&str; 6] = [
    "Quote \"double\" and 'single'",
    "<script>alert(1)</script> & <b>bold</b>",
    "Braces {x} [y] ] [z} {{",
    "Arrow --> and <!-- comment --> ]>",
    "Back\\slash \\n \\l \\\" end\\",
    "Entity &amp; &lt; %s ; &quot;",
];

const SVG_TEXT: &str = "import sys, json, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
out = []
for g in root.iter('{http://www.w3.org/2000/svg}g'):
    if g.get('class') == 'node':
        out.append(''.join(''.join(t.itertext()) for t in g.iter('{http://www.w3.org/2000/svg}text')))
print(json.dumps(sorted(out)))";

const HTML_DATA: &str = "import sys, json
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.scripts = []; self.cur = None; self.tags = []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == 'script': self.cur = [dict(attrs), '']
    def handle_data(self, d):
        if self.cur is not None: self.cur[1] += d
    def handle_endtag(self, tag):
        if tag == 'script' and self.cur is not None: self.scripts.append(self.cur); self.cur = None
p = P(); p.feed(open(sys.argv[1], encoding='utf-8').read()); p.close()
data = [json.loads(s) for a, s in p.scripts if a.get('type') == 'application/json']
print(json.dumps({'scripts': len(p.scripts), 'iframes': p.tags.count('iframe'), 'imgs': p.tags.count('img'),
  'nodes': [[n[2], n[4], n[8]] for n in data[0]['nodes']]}))";

#[test]
fn hostile_titles_tags_and_bodies_round_trip_through_real_parsers_of_every_export() {
    let ws = Ws::new();
    let mut titles: Vec<String> = Vec::new();
    for (i, t) in HOSTILE.iter().enumerate() {
        let body =
            format!("Line one {t} ]] --> }}}}\nline two </script><img src=x onerror=alert(1)> [[{}]]\n", HOSTILE[(i + 1) % HOSTILE.len()]);
        ws.add("note", t, &["--body", &body, "--tag", "x&y<z>", "--tag", "quote\"d"]);
        titles.push(t.to_string());
    }
    titles.sort();
    let tags: Vec<String> = ws.show(HOSTILE[0])["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
    let dir = tempfile::tempdir().unwrap();

    // GraphML through networkx (a strict XML parser underneath): titles and tags come back exactly.
    let gml = dir.path().join("m.graphml");
    export(&ws, "graphml", &gml, &[]);
    let g: Value = serde_json::from_str(&python(NX, &gml)).unwrap();
    let mut got: Vec<String> = g["node_data"].as_object().unwrap().keys().cloned().collect();
    got.sort();
    assert_eq!(got, titles);
    for t in HOSTILE {
        assert_eq!(g["node_data"][t]["label"], t);
        let mut back: Vec<String> = g["node_data"][t]["tags"].as_str().unwrap().split(',').map(String::from).collect();
        back.sort();
        let mut want = tags.clone();
        want.sort();
        assert_eq!(back, want, "{t}");
    }
    assert_eq!(g["edges"], HOSTILE.len());

    // DOT rendered by Graphviz to SVG, read by a strict XML parser: every label is the title.
    let dot = dir.path().join("m.dot");
    export(&ws, "dot", &dot, &[]);
    let svg = dir.path().join("m.svg");
    let r = Command::new("dot").arg("-Tsvg").arg(&dot).arg("-o").arg(&svg).output().unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let labels: Vec<String> = serde_json::from_str(&python(SVG_TEXT, &svg)).unwrap();
    assert_eq!(labels, titles);

    // Mermaid: each node line has the strict shape `nI["label"]:::kind` with no quote, bracket or
    // angle bracket inside the label, and decoding its entity codes gives the title back.
    let mmd = dir.path().join("m.mmd");
    export(&ws, "mermaid", &mmd, &[]);
    let m = std::fs::read_to_string(&mmd).unwrap();
    let mut decoded = Vec::new();
    for l in m.lines().filter(|l| l.contains("[\"")) {
        let rest = l.trim_start().strip_prefix('n').unwrap();
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let rest = rest[digits..].strip_prefix("[\"").unwrap_or_else(|| panic!("{l}"));
        let (label, tail) = rest.split_once("\"]:::").unwrap_or_else(|| panic!("{l}"));
        assert!(tail.chars().all(|c| c.is_ascii_lowercase()), "{l}");
        assert!(!label.contains(['"', '[', ']', '<', '>', '|', '{', '}', '\n']), "{l}");
        let mut out = String::new();
        let mut s = label;
        while let Some(i) = s.find('#') {
            out.push_str(&s[..i]);
            let end = s[i..].find(';').unwrap() + i;
            out.push(char::from_u32(s[i + 1..end].parse().unwrap()).unwrap());
            s = &s[end + 1..];
        }
        out.push_str(s);
        decoded.push(out);
    }
    decoded.sort();
    assert_eq!(decoded, titles);
    assert_eq!(m.lines().filter(|l| l.contains("-->")).count(), HOSTILE.len(), "only the edges hold an arrow:\n{m}");

    // HTML through Python's HTML parser: only the page's two scripts, no element from a note, and
    // the data block gives titles, tags and bodies back exactly.
    let html = dir.path().join("m.html");
    export(&ws, "html", &html, &[]);
    let h: Value = serde_json::from_str(&python(HTML_DATA, &html)).unwrap();
    assert_eq!(h["scripts"], 2, "{h}");
    assert_eq!(h["iframes"], 0);
    assert_eq!(h["imgs"], 0);
    let nodes = h["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), HOSTILE.len());
    for n in nodes {
        let t = n[0].as_str().unwrap();
        assert!(HOSTILE.contains(&t), "{t}");
        assert_eq!(ws.show(t)["body"], n[2]);
        assert_eq!(n[1].as_array().unwrap().len(), tags.len());
    }
}

#[test]
fn a_vault_export_never_writes_through_a_symlink_or_outside_its_folder() {
    let ws = Ws::new();
    for t in ["../../escape", "/etc/passwd", "CON", "..", "a/b\\c"] {
        ws.add("note", t, &["--body", "hostile name"]);
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("vault");
    export(&ws, "vault", &out, &[]);
    // Every file is inside the folder, one per item, and nothing appeared next to it.
    let mut files = Vec::new();
    let mut stack = vec![out.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            assert!(!std::fs::symlink_metadata(&p).unwrap().file_type().is_symlink());
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    assert_eq!(files.len(), 5, "{files:?}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // A vault folder that is not empty (here: a symlink leading outside) is refused, nothing written.
    let outside = tempfile::tempdir().unwrap();
    let trap = dir.path().join("trap");
    std::fs::create_dir(&trap).unwrap();
    std::os::unix::fs::symlink(outside.path(), trap.join("Notes")).unwrap();
    let err = ws.fails(&["export", "vault", "--out", trap.to_str().unwrap()]);
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    // The export imports back with the same titles, and no path from a title is followed.
    let other = Ws::new();
    other.json(&["import", "vault", out.to_str().unwrap()]);
    let mut got: Vec<String> = other.json(&["list"]).as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect();
    got.sort();
    let mut want: Vec<String> = ["../../escape", "/etc/passwd", "CON", "..", "a/b\\c"].map(String::from).to_vec();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn every_export_colours_kinds_with_the_windows_palette() {
    // The window's palette: `--k-KIND: #rrggbb;` in its style sheet.
    let css = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/style.css")).unwrap();
    let palette: Vec<(String, String)> = css
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--k-"))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().trim_end_matches(';').trim().to_string()))
        .collect();
    assert_eq!(palette.len(), 7, "{palette:?}");
    let ws = small();
    ws.add("goal", "Fast exports", &[]);
    ws.add("meeting", "Planning", &["--set", "start=2026-03-02T09:00:00Z", "--set", "end=2026-03-02T10:00:00Z"]);
    let dir = tempfile::tempdir().unwrap();
    let dot = dir.path().join("map.dot");
    export(&ws, "dot", &dot, &[]);
    let dot = std::fs::read_to_string(&dot).unwrap();
    let html = dir.path().join("map.html");
    export(&ws, "html", &html, &[]);
    let html = std::fs::read_to_string(&html).unwrap();
    let mmd = dir.path().join("map.mmd");
    export(&ws, "mermaid", &mmd, &[]);
    let mmd = std::fs::read_to_string(&mmd).unwrap();
    for (kind, colour) in &palette {
        assert!(html.contains(&format!("[\"{kind}\",\"{colour}\"]")), "html: {kind} {colour}");
        assert!(mmd.contains(&format!("classDef {kind} fill:{colour}")), "mermaid: {kind} {colour}");
        assert!(dot.contains(&format!("fillcolor=\"{colour}\"")), "dot: {kind} {colour}");
    }
}

#[test]
fn rounds_ages_and_retired_practices_are_attributes_of_every_map() {
    let ws = small();
    ws.ok(&["round", "open", "Ship in May"]);
    ws.ok(&["edit", "Ship in May", "--set", "retires=Big-bang releases", "--set", "hours_freed=6", "--set", "decided_on=2026-05-01"]);
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::Local::now().date_naive().format("%Y-%m-%d").to_string();
    let gml = dir.path().join("m.graphml");
    export(&ws, "graphml", &gml, &[]);
    let g: Value = serde_json::from_str(&python(NX, &gml)).unwrap();
    let r = &g["node_data"]["Ship in May"];
    assert_eq!(r["round"], "open");
    assert_eq!(r["retires"], "Big-bang releases");
    assert_eq!(r["hours_freed"], 6.0);
    assert_eq!(r["decided_on"], "2026-05-01");
    assert_eq!(r["created"], today.as_str());
    assert_eq!(g["node_data"]["Release date"]["status"], "exploring", "held by the open round");
    assert!(g["node_data"]["Release date"].get("round").is_none());
    let cy = dir.path().join("m.cyjs");
    export(&ws, "cytoscape", &cy, &[]);
    let c: Value = serde_json::from_str(&std::fs::read_to_string(&cy).unwrap()).unwrap();
    let node = c["elements"]["nodes"].as_array().unwrap().iter().find(|n| n["data"]["label"] == "Ship in May").unwrap().clone();
    assert_eq!(node["data"]["round"], "open");
    assert_eq!(node["data"]["hours_freed"], 6.0);
    assert_eq!(node["data"]["created"], today.as_str());
    let html = dir.path().join("m.html");
    export(&ws, "html", &html, &[]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("\"consent round\":\"open\""), "the HTML map's panel lists the round");
    assert!(page.contains("\"hours_freed\":\"6\""));
}
