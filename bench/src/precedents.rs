//! `bench/run precedents [--tracker hadoop|seamonkey] [--json] [--latency-items N[,N]]`: how often
//! `similar` finds the earlier report of a duplicate pair, against SQLite FTS5's BM25 over the
//! title words OR'ed (a naive baseline), in one run.
//!
//! A tracker from `../shared/testdata/signals/gitbugs/` (or `--data DIR`) is imported as signals
//! the way a user would (`--map title=Summary --map body=Description --map ref="Issue id"`).
//! Each row of its duplicates file whose two reports are both in the tracker is one question:
//! `similar` for the first report, where is the second? Reported: recall@1/5/10 (the share of
//! questions whose answer is among the first k) and MRR (the mean of 1/rank, 0 past 10).
//! With `--latency-items N,4N`, `similar` is also timed on the `bench/run search` corpus of each size.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use mellanrum::import::signals;
use mellanrum::model::Kind;
use mellanrum::similar::Tuning;
use mellanrum::workspace::Workspace;
use serde_json::{json, Value};

use crate::{corpus_dir, ms, percentile, prepare, Res};

/// The trackers: (name, file stem).
const TRACKERS: &[(&str, &str)] = &[("hadoop", "hadoop_bugs"), ("seamonkey", "SeaMonkey_bugs")];
const K: usize = 10;

fn data_dir(given: Option<String>) -> PathBuf {
    given.map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata/signals/gitbugs"))
}

/// Recall@1/5/10 and MRR from the rank (1-based) of each answer, `None` past [`K`].
fn scores(ranks: &[Option<usize>]) -> Value {
    let n = ranks.len().max(1) as f64;
    let at = |k: usize| ranks.iter().filter(|r| r.is_some_and(|r| r <= k)).count() as f64 / n;
    let mrr = ranks.iter().map(|r| r.map_or(0.0, |r| 1.0 / r as f64)).sum::<f64>() / n;
    json!({"recall_at_1": at(1), "recall_at_5": at(5), "recall_at_10": at(10), "mrr": mrr})
}

struct Ticket {
    id: String,
    title: String,
    body: String,
}

fn read_tracker(file: &Path) -> Res<Vec<Ticket>> {
    let mut r = csv::Reader::from_path(file)?;
    let h = r.headers()?.clone();
    let col = |name: &str| h.iter().position(|c| c == name).ok_or_else(|| format!("{}: no column {name}", file.display()));
    let (s, i, d) = (col("Summary")?, col("Issue id")?, col("Description")?);
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec?;
        out.push(Ticket { id: rec[i].to_string(), title: rec[s].to_string(), body: rec[d].to_string() });
    }
    Ok(out)
}

fn read_pairs(file: &Path) -> Res<Vec<(String, String)>> {
    let mut r = csv::Reader::from_path(file)?;
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec?;
        out.push((rec[0].to_string(), rec[1].to_string()));
    }
    Ok(out)
}

/// The FTS5 baseline: BM25 over title and body, the query being the title's words OR'ed.
fn fts5(tickets: &[Ticket], pairs: &[(String, String)]) -> Res<Vec<Option<usize>>> {
    let db = rusqlite::Connection::open_in_memory()?;
    db.execute_batch("CREATE VIRTUAL TABLE fts USING fts5(ref UNINDEXED, title, body, tokenize = 'porter unicode61');")?;
    {
        let mut ins = db.prepare("INSERT INTO fts(ref, title, body) VALUES (?1, ?2, ?3)")?;
        for t in tickets {
            ins.execute((&t.id, &t.title, &t.body))?;
        }
    }
    let title: HashMap<&str, &str> = tickets.iter().map(|t| (t.id.as_str(), t.title.as_str())).collect();
    let mut q = db.prepare("SELECT ref FROM fts WHERE fts MATCH ?1 ORDER BY bm25(fts) LIMIT ?2")?;
    let mut ranks = Vec::new();
    for (a, b) in pairs {
        let words: Vec<String> = title[a.as_str()]
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{}\"", w.to_lowercase()))
            .collect();
        if words.is_empty() {
            ranks.push(None);
            continue;
        }
        let found: Vec<String> = q.query_map((words.join(" OR "), (K + 1) as i64), |r| r.get::<_, String>(0))?.collect::<Result<_, _>>()?;
        ranks.push(found.iter().filter(|r| *r != a).position(|r| r == b).map(|p| p + 1));
    }
    Ok(ranks)
}

fn tracker(data: &Path, name: &str, stem: &str, show: bool, tuning: &Tuning) -> Res<Value> {
    let file = data.join(format!("{stem}.csv"));
    let tickets = read_tracker(&file)?;
    let known: std::collections::HashSet<&str> = tickets.iter().map(|t| t.id.as_str()).collect();
    let pairs: Vec<(String, String)> = read_pairs(&data.join(format!("{stem}-duplicates.csv")))?
        .into_iter()
        .filter(|(a, b)| known.contains(a.as_str()) && known.contains(b.as_str()))
        .collect();

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("out").join(format!("precedents-{name}"));
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    eprintln!("==> {name}: importing {} tickets", tickets.len());
    let mut ws = Workspace::init(&dir, Some("Precedents"))?;
    ws.add_person("Triage", "Support")?;
    ws.act_as("Triage")?;
    let opts = signals::Options {
        format: None,
        map: vec![("title".into(), "Summary".into()), ("body".into(), "Description".into()), ("ref".into(), "Issue id".into())],
        records: None,
    };
    let t = Instant::now();
    signals::import(&mut ws, &file, &opts, None)?;
    let import_s = t.elapsed().as_secs_f64();
    ws.flush_index()?;
    let mut by_ref: HashMap<String, String> = HashMap::new();
    for s in ws.list(Some(Kind::Signal), None, false)? {
        let item = ws.item(&s.id)?;
        if let Some(r) = item.fields.get("ref") {
            by_ref.insert(r.to_string(), s.id.clone());
        }
    }
    let id_of = |r: &str| by_ref.get(r).cloned().ok_or_else(|| format!("{name}: ticket {r} was not imported"));

    eprintln!("==> {name}: {} questions", pairs.len());
    let mut ranks = Vec::new();
    let mut lat = Vec::new();
    for (a, b) in &pairs {
        let (ia, ib) = (id_of(a)?, id_of(b)?);
        let t = Instant::now();
        let r = ws.similar_tuned(&ia, K, tuning)?;
        lat.push(ms(t));
        let rank = r.items.iter().position(|x| x.id == ib).map(|p| p + 1);
        if show {
            let want = &r.terms;
            eprintln!("{a} -> {b}: {rank:?}  [{}]", want.join(" "));
        }
        ranks.push(rank);
    }
    let base = fts5(&tickets, &pairs)?;
    Ok(json!({
        "tracker": name, "tickets": tickets.len(), "questions": pairs.len(), "import_s": import_s,
        "similar": scores(&ranks), "fts5": scores(&base),
        "similar_p50_ms": percentile(&mut lat.clone(), 50.0), "similar_p99_ms": percentile(&mut lat, 99.0),
    }))
}

/// `similar` timed on the search benchmark's corpus of `n` items: 500 items, every 1/500th.
fn latency(n: usize) -> Res<Value> {
    let root = corpus_dir(n);
    prepare(&root, n)?;
    let mut ws = Workspace::open(&root.join("ws"))?;
    ws.open_index()?;
    let mut ids: Vec<String> = ws.list(None, None, false)?.into_iter().map(|s| s.id).collect();
    ids.sort();
    let step = (ids.len() / 500).max(1);
    let chosen: Vec<&String> = ids.iter().step_by(step).take(500).collect();
    for id in chosen.iter().take(20) {
        ws.similar(id, K)?;
    }
    let mut lat = Vec::new();
    for id in &chosen {
        let t = Instant::now();
        ws.similar(id, K)?;
        lat.push(ms(t));
    }
    Ok(json!({"items": n, "asked": chosen.len(), "p50_ms": percentile(&mut lat.clone(), 50.0), "p99_ms": percentile(&mut lat, 99.0)}))
}

pub fn run(args: &[String]) -> Res<()> {
    let flag = |name: &str| args.iter().any(|a| a == name);
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let data = data_dir(value("--data"));
    if !data.is_dir() {
        return Err(format!("no tracker data in {}: pass --data DIR (the folder of hadoop_bugs.csv)", data.display()).into());
    }
    let only = value("--tracker");
    // `--tuning terms=20,coord=0.5`: other weights than the shipped ones, for tuning.
    let mut tuning = Tuning::default();
    for kv in value("--tuning").iter().flat_map(|v| v.split(',')) {
        let (k, v) = kv.split_once('=').ok_or("--tuning: name=value,…")?;
        let x: f32 = v.parse()?;
        match k {
            "terms" => tuning.terms = x as usize,
            "title" => tuning.title = x,
            "title_boost" => tuning.title_boost = x,
            "part" => tuning.part = x,
            "k1" => tuning.k1 = x,
            "idf_power" => tuning.idf_power = x,
            "coord" => tuning.coord = x,
            "lemma" => tuning.lemma = x,
            other => return Err(format!("--tuning: unknown weight {other}").into()),
        }
    }
    let mut results = Vec::new();
    for (name, stem) in TRACKERS {
        if only.as_deref().is_some_and(|o| o != *name) {
            continue;
        }
        results.push(tracker(&data, name, stem, flag("--show"), &tuning)?);
    }
    if results.is_empty() {
        return Err(format!("unknown tracker (known: {})", TRACKERS.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")).into());
    }
    let mut lat = Vec::new();
    for n in value("--latency-items").iter().flat_map(|v| v.split(',')) {
        lat.push(latency(n.trim().parse()?)?);
    }
    let result = json!({"trackers": results, "latency": lat});
    if flag("--json") {
        println!("{}", serde_json::to_string_pretty(&result)?);
        return Ok(());
    }
    let f = |v: &Value| format!("{:.3}", v.as_f64().unwrap_or(f64::NAN));
    let mut s =
        String::from("| tracker | questions | engine | recall@1 | recall@5 | recall@10 | MRR |\n|---|---:|---|---:|---:|---:|---:|\n");
    for r in &results {
        for (label, key) in [("mellanrum similar", "similar"), ("SQLite FTS5 BM25, title words OR'ed", "fts5")] {
            let m = &r[key];
            s += &format!(
                "| {} | {} | {label} | {} | {} | {} | {} |\n",
                r["tracker"].as_str().unwrap_or(""),
                r["questions"],
                f(&m["recall_at_1"]),
                f(&m["recall_at_5"]),
                f(&m["recall_at_10"]),
                f(&m["mrr"])
            );
        }
    }
    for r in &results {
        s += &format!(
            "\n{}: {} tickets imported in {:.1} s; similar p50 {:.1} ms, p99 {:.1} ms",
            r["tracker"].as_str().unwrap_or(""),
            r["tickets"],
            r["import_s"].as_f64().unwrap_or(f64::NAN),
            r["similar_p50_ms"].as_f64().unwrap_or(f64::NAN),
            r["similar_p99_ms"].as_f64().unwrap_or(f64::NAN)
        );
    }
    for l in &lat {
        s += &format!(
            "\nsimilar at {} items ({} asked): p50 {:.1} ms, p99 {:.1} ms",
            l["items"],
            l["asked"],
            l["p50_ms"].as_f64().unwrap_or(f64::NAN),
            l["p99_ms"].as_f64().unwrap_or(f64::NAN)
        );
    }
    println!("{s}");
    Ok(())
}
