//! Sync benchmark: merging 10,000 remote changes into a 100k-item workspace, and a sync with
//! nothing new against a local folder. Run: `cargo run --release --example sync_bench [ITEMS] [CHANGES]`.
//! Results go in docs/BENCHMARKS.md.

use std::time::Instant;

use mellanrum::store::ChangeRow;
use mellanrum::sync::{text, KeyChoice};
use mellanrum::workspace::{NewItem, Workspace};
use serde_json::json;

fn hlc(ms: u64, counter: u32, device: &str) -> String {
    format!("{ms:015}-{counter:010}-{device}")
}

fn op(h: String, device: &str, author: &str, entity: &str, id: &str, kind: &str, payload: serde_json::Value) -> ChangeRow {
    ChangeRow {
        seq: 0,
        hlc: h,
        device: device.into(),
        author: author.into(),
        entity: entity.into(),
        entity_id: id.into(),
        op: kind.into(),
        payload: payload.to_string(),
    }
}

/// The allocator of the `mellanrum` binary and the desktop app, so the figures are theirs.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let items = args.first().copied().unwrap_or(100_000);
    let changes = args.get(1).copied().unwrap_or(10_000);
    let root = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(&root.path().join("ws"), Some("Bench")).unwrap();
    ws.add_person("Anna", "Sales").unwrap();

    // Another device's history: a person and `items` notes (what a member joining sees).
    let d1 = "0190aaaa-0000-7000-8000-0000000000d1";
    let erik = "0190aaaa-0000-7000-8000-00000000e41c";
    let t0 = mellanrum::hlc::Hlc::now_ms() - 3_600_000;
    let mut ops = vec![op(
        hlc(t0, 0, d1),
        d1,
        erik,
        "person",
        erik,
        "create",
        json!({"@v": 2, "@at": "2026-01-01T00:00:00.000Z", "@base": {}, "name": "Erik", "perspective": "Engineering", "@created": "2026-01-01T00:00:00.000Z"}),
    )];
    let ids: Vec<String> = (0..items).map(|i| format!("0190bbbb-0000-7000-8000-{i:012}")).collect();
    for (i, id) in ids.iter().enumerate() {
        let doc = text::load(d1, None).unwrap();
        let body = text::edit(&doc, &format!("Anteckning {i} om kunden och leveransen. [[Note {}]]", (i * 7) % items)).unwrap();
        use base64::Engine;
        let p = json!({"@v": 2, "@at": "2026-01-01T00:00:00.000Z", "@base": {}, "kind": "note", "title": format!("Note {i}"),
            "deleted": false, "@created": "2026-01-01T00:00:00.000Z",
            "@body": base64::engine::general_purpose::STANDARD.encode(body), "@tags": {"add": ["bench"], "rm": {}}});
        ops.push(op(hlc(t0, i as u32 + 1, d1), d1, erik, "item", id, "create", p));
    }
    let t = Instant::now();
    ws.merge_ops(ops).unwrap();
    println!("initial merge of {items} items from another device: {:.2} s", t.elapsed().as_secs_f64());

    // 10,000 remote changes from a third device: titles, fields-free notes' tags, and body edits.
    let d2 = "0190aaaa-0000-7000-8000-0000000000d2";
    let t1 = t0 + 1000;
    let mut batch = Vec::new();
    for c in 0..changes {
        let n = (c * 9973) % items;
        let id = &ids[n];
        let p = if c % 2 == 0 {
            json!({"@v": 2, "@at": "2026-01-02T00:00:00.000Z", "@base": {"title": hlc(t0, n as u32 + 1, d1)}, "title": format!("Renamed {c}")})
        } else {
            json!({"@v": 2, "@at": "2026-01-02T00:00:00.000Z", "@base": {}, "@tags": {"add": [format!("t{}", c % 10)], "rm": {}}})
        };
        batch.push(op(hlc(t1, c as u32, d2), d2, erik, "item", id, "update", p));
    }
    let t = Instant::now();
    let r = ws.merge_ops(batch).unwrap();
    println!("merge of {changes} remote changes into {items} items: {:.3} s ({} items changed)", t.elapsed().as_secs_f64(), r.merged.len());

    // A sync with nothing new against a local folder holding this workspace's log.
    let shared = root.path().join("shared");
    ws.set_remote(shared.to_str().unwrap(), KeyChoice::Plain).unwrap();
    ws.create(NewItem { kind: Some(mellanrum::Kind::Note), title: "Local".into(), ..Default::default() }).unwrap();
    let t = Instant::now();
    let first = ws.sync().unwrap();
    println!("first sync (adopts and pushes {} ops): {:.3} s", first.sent, t.elapsed().as_secs_f64());
    let mut times = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let r = ws.sync().unwrap();
        assert_eq!(r.sent + r.received, 0);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("no-op sync against a local folder: median {:.1} ms, max {:.1} ms (21 runs)", times[10], times[20]);
}
