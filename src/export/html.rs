//! One self-contained HTML file with an interactive map: pan (drag), zoom (wheel), click a node to
//! read its note, filter by kind, search box. It works offline in any browser: the script and the
//! style are inline (no CDN, no network), pinned by a strict Content-Security-Policy that allows
//! exactly them (by SHA-256) and nothing else — no other script, no connections, no images.
//!
//! Note content never becomes markup: the data travels as JSON inside
//! `<script type="application/json">` with `<`, `>` and `&` written as `\u003c`…, and the page
//! shows it with `textContent` only. A note containing `<script>` or `onerror=` stays text.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;

use serde_json::{json, Value};

use super::{each_item, Redactor};
use crate::error::{Error, Result};
use crate::graph::KnowledgeGraph;
use crate::model::Kind;
use crate::workspace::Workspace;

const STYLE: &str = r##"
:root{color-scheme:light dark;--bg:#fafafa;--fg:#1d1d1f;--muted:#6e6e73;--panel:#fff;--line:#d2d2d7}
@media (prefers-color-scheme:dark){:root{--bg:#161618;--fg:#f2f2f2;--muted:#a1a1a6;--panel:#1f1f22;--line:#3a3a3e}}
*{box-sizing:border-box}html,body{margin:0;height:100%;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
#bar{position:fixed;top:0;left:0;right:0;height:44px;display:flex;gap:12px;align-items:center;padding:0 12px;background:var(--panel);border-bottom:1px solid var(--line);z-index:2}
#bar h1{font-size:15px;margin:0;white-space:nowrap}#q{flex:0 1 260px;padding:5px 8px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
#kinds{display:flex;gap:8px;flex-wrap:wrap;font-size:12px}#kinds label{display:flex;gap:4px;align-items:center;cursor:pointer}
#kinds i{display:inline-block;width:10px;height:10px;border-radius:50%}
#status{margin-left:auto;color:var(--muted);font-size:12px;white-space:nowrap}
#map{position:fixed;top:44px;left:0;width:100vw;height:calc(100vh - 44px);display:block;cursor:grab}
#panel{position:fixed;top:56px;right:12px;bottom:12px;width:min(420px,45vw);overflow:auto;background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:14px 16px;z-index:1}
#panel[hidden]{display:none}#panel h2{margin:0 24px 4px 0;font-size:17px}#close{position:absolute;top:8px;right:10px;border:0;background:none;color:var(--muted);font-size:18px;cursor:pointer}
.meta{color:var(--muted);font-size:12px}.tags span{display:inline-block;margin:2px 4px 0 0;padding:0 6px;border-radius:8px;background:var(--bg);border:1px solid var(--line);font-size:12px}
dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;font-size:13px}dt{color:var(--muted)}dd{margin:0;white-space:pre-wrap}
#files img{max-width:100%;display:block;margin:8px 0;border-radius:4px}#body{white-space:pre-wrap;word-wrap:break-word;font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--bg);padding:8px;border-radius:6px}
#links a{color:inherit;cursor:pointer;text-decoration:underline dotted}#links li{font-size:13px}
"##;

const SCRIPT: &str = r##"
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("data").textContent);
  var canvas = document.getElementById("map"), ctx = canvas.getContext("2d");
  var kindColour = {}, kindOn = {};
  D.kinds.forEach(function (k) { kindColour[k[0]] = k[1]; kindOn[k[0]] = true; });
  var nodes = D.nodes.map(function (a, i) {
    return { i: i, id: a[0], kind: a[1], title: a[2], status: a[3], tags: a[4], persp: a[5], author: a[6],
             fields: a[7], body: a[8], files: a[9] || [], x: 0, y: 0, vx: 0, vy: 0, deg: 0, out: [], inc: [] };
  });
  var byId = {};
  nodes.forEach(function (n) { byId[n.id] = n; });
  var edges = D.edges.map(function (e) {
    var s = nodes[e[0]], t = nodes[e[1]];
    s.deg++; t.deg++;
    var ed = { s: s, t: t, rel: e[2] };
    s.out.push(ed); t.inc.push(ed);
    return ed;
  });
  var N = nodes.length;
  // Initial places: each kind around its own point on a circle (deterministic).
  var seed = 7;
  function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647; }
  var kindIx = {};
  D.kinds.forEach(function (k, i) { kindIx[k[0]] = i; });
  var R = Math.sqrt(N) * 18 + 60;
  nodes.forEach(function (n) {
    var a = 2 * Math.PI * kindIx[n.kind] / D.kinds.length;
    n.x = Math.cos(a) * R * 0.6 + (rnd() - 0.5) * R;
    n.y = Math.sin(a) * R * 0.6 + (rnd() - 0.5) * R;
  });
  // A force layout: springs along links, repulsion between nearby nodes (a grid keeps it linear).
  var alpha = 1, ticks = 0, CELL = 60;
  function tick() {
    var i, n, m, dx, dy, d2, d, f;
    edges.forEach(function (e) {
      dx = e.t.x - e.s.x; dy = e.t.y - e.s.y; d = Math.sqrt(dx * dx + dy * dy) || 1;
      f = (d - 40) * 0.04 * alpha / d;
      e.s.vx += dx * f; e.s.vy += dy * f; e.t.vx -= dx * f; e.t.vy -= dy * f;
    });
    var grid = new Map();
    for (i = 0; i < N; i++) {
      n = nodes[i];
      var key = Math.floor(n.x / CELL) + "," + Math.floor(n.y / CELL);
      var c = grid.get(key);
      if (c) c.push(n); else grid.set(key, [n]);
    }
    for (i = 0; i < N; i++) {
      n = nodes[i];
      var gx = Math.floor(n.x / CELL), gy = Math.floor(n.y / CELL);
      for (var ox = -1; ox <= 1; ox++) for (var oy = -1; oy <= 1; oy++) {
        var cell = grid.get((gx + ox) + "," + (gy + oy));
        if (!cell) continue;
        for (var j = 0; j < cell.length; j++) {
          m = cell[j];
          if (m.i <= n.i) continue;
          dx = n.x - m.x; dy = n.y - m.y; d2 = dx * dx + dy * dy;
          if (d2 > CELL * CELL) continue;
          if (d2 < 0.01) { dx = rnd() - 0.5; dy = rnd() - 0.5; d2 = 0.5; }
          f = 60 * alpha / d2;
          n.vx += dx * f; n.vy += dy * f; m.vx -= dx * f; m.vy -= dy * f;
        }
      }
    }
    for (i = 0; i < N; i++) {
      n = nodes[i];
      n.vx -= n.x * 0.002 * alpha; n.vy -= n.y * 0.002 * alpha;
      n.vx = Math.max(-20, Math.min(20, n.vx)); n.vy = Math.max(-20, Math.min(20, n.vy));
      n.x += n.vx; n.y += n.vy; n.vx *= 0.55; n.vy *= 0.55;
    }
    alpha *= 0.985; ticks++;
  }
  // View: pan and zoom.
  var view = { x: 0, y: 0, k: 1 }, W = 0, H = 0, dpr = window.devicePixelRatio || 1;
  function resize() {
    W = canvas.clientWidth; H = canvas.clientHeight;
    canvas.width = Math.max(1, W * dpr); canvas.height = Math.max(1, H * dpr);
    draw();
  }
  function fit() {
    if (!N) return;
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    nodes.forEach(function (n) { x0 = Math.min(x0, n.x); y0 = Math.min(y0, n.y); x1 = Math.max(x1, n.x); y1 = Math.max(y1, n.y); });
    view.k = Math.min(4, 0.9 * Math.min(W / Math.max(1, x1 - x0), H / Math.max(1, y1 - y0)));
    view.x = W / 2 - view.k * (x0 + x1) / 2; view.y = H / 2 - view.k * (y0 + y1) / 2;
  }
  var query = "", selected = null, drawn = 0;
  function visible(n) { return kindOn[n.kind]; }
  function matches(n) { return query && n.title.toLowerCase().indexOf(query) >= 0; }
  function radius(n) { return 3 + Math.min(9, Math.sqrt(n.deg)); }
  function draw() {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.translate(view.x, view.y); ctx.scale(view.k, view.k);
    ctx.lineWidth = 1 / view.k;
    ctx.strokeStyle = "rgba(128,128,128,0.35)";
    ctx.beginPath();
    edges.forEach(function (e) {
      if (!visible(e.s) || !visible(e.t)) return;
      ctx.moveTo(e.s.x, e.s.y); ctx.lineTo(e.t.x, e.t.y);
    });
    ctx.stroke();
    if (selected) {
      ctx.strokeStyle = "#e4572e"; ctx.lineWidth = 2 / view.k; ctx.beginPath();
      selected.out.concat(selected.inc).forEach(function (e) { ctx.moveTo(e.s.x, e.s.y); ctx.lineTo(e.t.x, e.t.y); });
      ctx.stroke();
    }
    var count = 0, labels = N < 300 || view.k > 1.5, fg = getComputedStyle(document.body).color;
    ctx.font = (11 / view.k) + "px system-ui, sans-serif";
    nodes.forEach(function (n) {
      if (!visible(n)) return;
      count++;
      var dim = query && !matches(n);
      ctx.globalAlpha = dim ? 0.15 : 1;
      ctx.fillStyle = kindColour[n.kind] || "#999";
      ctx.beginPath(); ctx.arc(n.x, n.y, radius(n), 0, 2 * Math.PI); ctx.fill();
      ctx.lineWidth = (n === selected ? 3 : 1) / view.k;
      ctx.strokeStyle = n === selected ? "#e4572e" : "rgba(0,0,0,0.45)"; ctx.stroke();
      if ((labels && !dim) || n === selected || (query && !dim)) {
        ctx.fillStyle = fg;
        ctx.fillText(n.title.length > 48 ? n.title.slice(0, 47) + "…" : n.title, n.x + radius(n) + 2 / view.k, n.y + 4 / view.k);
      }
    });
    ctx.globalAlpha = 1;
    drawn = count;
    document.getElementById("status").textContent = count + " of " + N + " items · " + edges.length + " links";
    document.documentElement.setAttribute("data-drawn", String(count));
  }
  function at(px, py) {
    var x = (px - view.x) / view.k, y = (py - view.y) / view.k, best = null, bd = Infinity;
    nodes.forEach(function (n) {
      if (!visible(n)) return;
      var d = (n.x - x) * (n.x - x) + (n.y - y) * (n.y - y), r = radius(n) + 4 / view.k;
      if (d < r * r && d < bd) { bd = d; best = n; }
    });
    return best;
  }
  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
  function show(n) {
    selected = n;
    var p = document.getElementById("panel");
    if (!n) { p.hidden = true; draw(); return; }
    document.getElementById("title").textContent = n.title;
    var meta = [n.kind]; if (n.status) meta.push(n.status); if (n.persp) meta.push(n.persp); if (n.author && n.author !== n.persp) meta.push(n.author);
    document.getElementById("meta").textContent = meta.join(" · ");
    var tags = document.getElementById("tags"); tags.textContent = "";
    n.tags.forEach(function (t) { tags.appendChild(el("span", "#" + t)); });
    var dl = document.getElementById("fields"); dl.textContent = "";
    Object.keys(n.fields).forEach(function (k) {
      var v = n.fields[k]; dl.appendChild(el("dt", k)); dl.appendChild(el("dd", typeof v === "string" ? v : JSON.stringify(v)));
    });
    var ul = document.getElementById("links"); ul.textContent = "";
    function item(e, other, arrow) {
      var li = el("li"); li.appendChild(document.createTextNode(e.rel + " " + arrow + " "));
      var a = el("a", other.title); a.addEventListener("click", function () { center(other); show(other); }); li.appendChild(a); ul.appendChild(li);
    }
    n.out.forEach(function (e) { item(e, e.t, "→"); });
    n.inc.forEach(function (e) { item(e, e.s, "←"); });
    document.getElementById("body").textContent = n.body;
    var pics = document.getElementById("files"); pics.textContent = "";
    n.files.forEach(function (h) { if (D.files && D.files[h]) { var im = el("img"); im.src = D.files[h]; im.alt = ""; pics.appendChild(im); } });
    p.hidden = false;
    history.replaceState(null, "", "#id=" + encodeURIComponent(n.id));
    draw();
  }
  function center(n) { view.x = W / 2 - n.x * view.k; view.y = H / 2 - n.y * view.k; }
  // Controls.
  var drag = null;
  canvas.addEventListener("mousedown", function (e) { drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false }; canvas.style.cursor = "grabbing"; });
  window.addEventListener("mousemove", function (e) {
    if (!drag) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    view.x = drag.vx + dx; view.y = drag.vy + dy; draw();
  });
  window.addEventListener("mouseup", function (e) {
    if (drag && !drag.moved) { var r = canvas.getBoundingClientRect(); show(at(e.clientX - r.left, e.clientY - r.top)); }
    drag = null; canvas.style.cursor = "grab";
  });
  canvas.addEventListener("wheel", function (e) {
    e.preventDefault();
    var r = canvas.getBoundingClientRect(), px = e.clientX - r.left, py = e.clientY - r.top;
    var f = Math.exp(-e.deltaY * 0.0015), k = Math.max(0.02, Math.min(40, view.k * f));
    view.x = px - (px - view.x) * k / view.k; view.y = py - (py - view.y) * k / view.k; view.k = k; draw();
  }, { passive: false });
  var kinds = document.getElementById("kinds");
  D.kinds.forEach(function (k) {
    if (!nodes.some(function (n) { return n.kind === k[0]; })) return;
    var l = el("label"), c = el("input"), dot = el("i");
    c.type = "checkbox"; c.checked = true; c.setAttribute("data-kind", k[0]);
    c.addEventListener("change", function () { kindOn[k[0]] = c.checked; draw(); });
    dot.style.background = k[1];
    l.appendChild(c); l.appendChild(dot); l.appendChild(document.createTextNode(k[0])); kinds.appendChild(l);
  });
  var q = document.getElementById("q");
  q.addEventListener("input", function () { query = q.value.trim().toLowerCase(); draw(); });
  q.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") return;
    var hit = nodes.filter(function (n) { return visible(n) && matches(n); })[0];
    if (hit) { center(hit); show(hit); }
  });
  document.getElementById("close").addEventListener("click", function () { show(null); });
  window.addEventListener("resize", resize);
  // Lay out: a few steps at once, the rest animated.
  var budget = N > 20000 ? 40 : N > 2000 ? 120 : 300;
  for (var s = 0; s < Math.min(budget, 60); s++) tick();
  W = canvas.clientWidth; H = canvas.clientHeight; fit(); resize();
  function frame() {
    var t0 = Date.now();
    while (ticks < budget && Date.now() - t0 < 30) tick();
    if (!selected || ticks % 10 === 0) { fit(); if (selected) center(selected); }
    draw();
    if (ticks < budget) requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
  var m = /#id=([^&]+)/.exec(location.hash);
  if (m && byId[decodeURIComponent(m[1])]) show(byId[decodeURIComponent(m[1])]);
})();
"##;

/// SHA-256 of `data` (for the Content-Security-Policy hashes).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
        0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
        0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
        0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
        0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
        0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];
    let mut h: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for chunk in msg.chunks(64) {
        let mut w = [0u32; 64];
        for (i, c) in chunk.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7].wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), v[0], v[1], v[2], v[3].wrapping_add(t1), v[4], v[5], v[6]];
        }
        for (a, b) in h.iter_mut().zip(v) {
            *a = a.wrapping_add(b);
        }
    }
    let mut out = [0u8; 32];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// JSON safe inside a `<script>` element: `<`, `>`, `&` and the JavaScript line separators escaped.
fn script_json(v: &Value) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

pub fn write(
    ws: &mut Workspace,
    g: &KnowledgeGraph,
    only: Option<&BTreeSet<String>>,
    redactor: &Redactor,
    files: Option<&crate::attach::Index>,
    name: &str,
    w: &mut dyn Write,
) -> Result<()> {
    let io = |e: std::io::Error| Error::io("html export", e);
    // Pictures, when included, are in the file as data: URLs; nothing is ever fetched.
    let img_src = if files.is_some() { "data:" } else { "'none'" };
    let csp = format!(
        "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; img-src {img_src}; connect-src 'none'; base-uri 'none'; form-action 'none'",
        base64(&sha256(SCRIPT.as_bytes())),
        base64(&sha256(STYLE.as_bytes()))
    );
    let mut title = String::new();
    crate::index::snippets::escape_html_into(&mut title, &format!("{name} — knowledge map"));
    write!(
        w,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"Mellanrum\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <div id=\"bar\"><h1>{title}</h1><input id=\"q\" type=\"search\" placeholder=\"Search titles…\" aria-label=\"Search titles\"><div id=\"kinds\"></div><span id=\"status\">Drawing…</span></div>\n\
         <canvas id=\"map\" aria-label=\"Knowledge map\"></canvas>\n\
         <aside id=\"panel\" hidden><button id=\"close\" aria-label=\"Close\">×</button><h2 id=\"title\"></h2><div class=\"meta\" id=\"meta\"></div>\
         <div class=\"tags\" id=\"tags\"></div><dl id=\"fields\"></dl><ul id=\"links\"></ul><div id=\"files\"></div><div id=\"body\"></div></aside>\n\
         <noscript>This map needs JavaScript.</noscript>\n<script type=\"application/json\" id=\"data\">"
    )
    .map_err(io)?;
    let kinds: Vec<Value> = Kind::ALL.iter().map(|k| json!([k.as_str(), super::dot::colour(*k)])).collect();
    write!(w, "{{\"name\":{},\"kinds\":{},\"nodes\":[", script_json(&json!(name)), script_json(&json!(kinds))).map_err(io)?;
    // Nodes in id order with their bodies, streamed; edges refer to them by position.
    let mut pos: HashMap<String, usize> = HashMap::with_capacity(g.node_count());
    // The pictures each note embeds (by hash), and every such picture once.
    let mut pictures: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    each_item(ws, only, redactor, |e| {
        let Some(node) = g.node(&e.item.id) else { return Ok(()) };
        let it = e.item;
        let mut fields = serde_json::Map::new();
        for (k, v) in &it.fields.values {
            fields.insert(k.clone(), json!(v));
        }
        for (k, v) in &it.fields.positions {
            fields.insert(format!("position: {k}"), json!(v));
        }
        for (k, v) in &it.fields.props {
            fields.insert(k.clone(), v.clone());
        }
        if !it.aliases.is_empty() {
            fields.insert("aliases".into(), json!(it.aliases.join(", ")));
        }
        if let Some(r) = &e.round {
            fields.insert("consent round".into(), json!(r));
        }
        fields.insert("created".into(), json!(node.created));
        let mut row = json!([it.id, it.kind, node.title, node.status, it.tags, node.perspective, node.author, fields, it.body]);
        if let Some(index) = files {
            let mut shown: Vec<String> = Vec::new();
            for l in crate::links::file_links(&it.body).into_iter().filter(|l| l.embed) {
                if let Some(r) =
                    index.resolve(&l.target).filter(|r| r.media_type.starts_with("image/") && r.size <= crate::attach::MAX_INLINE)
                {
                    if !shown.contains(&r.hash) {
                        shown.push(r.hash.clone());
                    }
                    pictures.insert(r.hash.clone(), r.media_type.clone());
                }
            }
            if let Some(a) = row.as_array_mut() {
                a.push(json!(shown));
            }
        }
        if !pos.is_empty() {
            w.write_all(b",\n").map_err(io)?;
        }
        w.write_all(script_json(&row).as_bytes()).map_err(io)?;
        pos.insert(it.id, pos.len());
        Ok(())
    })?;
    w.write_all(b"],\"edges\":[").map_err(io)?;
    let mut first = true;
    for (a, b, e) in g.edges() {
        let (Some(x), Some(y)) = (pos.get(&a.id), pos.get(&b.id)) else { continue };
        if !first {
            w.write_all(b",").map_err(io)?;
        }
        first = false;
        write!(w, "[{x},{y},\"{}\"]", e.rel).map_err(io)?;
    }
    w.write_all(b"],\"files\":{").map_err(io)?;
    let store = ws.files();
    for (i, (hash, media_type)) in pictures.iter().enumerate() {
        let path = store.path_of(hash);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        if i > 0 {
            w.write_all(b",").map_err(io)?;
        }
        write!(w, "\"{hash}\":\"data:{media_type};base64,{}\"", base64(&bytes)).map_err(io)?;
    }
    write!(w, "}}}}</script>\n<script>{SCRIPT}</script>\n</body>\n</html>\n").map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_and_base64_match_known_values() {
        let hex = |b: [u8; 32]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(hex(sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(hex(sha256(b"")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex(sha256(&[b'a'; 1000])), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
    }

    #[test]
    fn data_cannot_close_its_script() {
        let s = script_json(&json!(["</script><script>alert(1)</script>", "a & b"]));
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert_eq!(serde_json::from_str::<Value>(&s).unwrap()[0], "</script><script>alert(1)</script>");
    }
}
