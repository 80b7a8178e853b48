//! `bench/run search [--items N] [--json] [--rg-sample N]` (and `bench/run precedents`, see
//! [`precedents`]): Mellanrum's search against SQLite
//! FTS5 and ripgrep, on one deterministic corpus and one set of queries. Each engine runs in its
//! own process so that its peak memory is its own.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use mellanrum::model::Kind;
use mellanrum::workspace::{Edit, NewItem, Workspace};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

mod precedents;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// The allocator of the `mellanrum` binary and the desktop app, so the figures are theirs.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = run(&args) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(args: &[String]) -> Res<()> {
    let flag = |name: &str| args.iter().any(|a| a == name);
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    match args.first().map(String::as_str) {
        Some("search") => {
            let items: usize = value("--items").map(|v| v.parse()).transpose()?.unwrap_or(100_000);
            let rg_sample: Option<usize> = value("--rg-sample").map(|v| v.parse()).transpose()?;
            if flag("--prepare-only") {
                return prepare(&corpus_dir(items), items);
            }
            search(items, rg_sample, flag("--json"), value("--save").map(PathBuf::from))
        }
        Some("precedents") => precedents::run(&args[1..]),
        Some("child") => {
            let dir = PathBuf::from(value("--dir").ok_or("--dir")?);
            let engine = value("--engine").ok_or("--engine")?;
            let out = match engine.as_str() {
                "mellanrum-build" => mellanrum_build(&dir)?,
                "mellanrum" => mellanrum_queries(&dir)?,
                "fts5" => fts5(&dir)?,
                "ripgrep" => ripgrep(&dir, value("--sample").map(|v| v.parse()).transpose()?)?,
                other => return Err(format!("unknown engine {other}").into()),
            };
            println!("{out}");
            Ok(())
        }
        _ => Err("usage: bench/run search [--items N] [--json] [--rg-sample N] [--save FILE] [--prepare-only]\n       bench/run precedents [--tracker hadoop|seamonkey] [--json] [--latency-items N[,N]] [--data DIR]".into()),
    }
}

// ---- the corpus -------------------------------------------------------------------------------

/// SplitMix64: a small deterministic generator, so every run makes the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// Zipf-like: low indices much more often.
    fn skewed(&mut self, n: usize) -> usize {
        let a = self.below(n);
        let b = self.below(n);
        let c = self.below(n);
        a.min(b).min(c)
    }
}

const SV: &[&str] = &[
    "kund",
    "kunden",
    "kunder",
    "kundens",
    "kunderna",
    "leverans",
    "leveransen",
    "leveranser",
    "priset",
    "priser",
    "avtal",
    "avtalet",
    "möte",
    "mötet",
    "beslut",
    "beslutet",
    "problem",
    "problemet",
    "team",
    "teamet",
    "försäljning",
    "utveckling",
    "kvalitet",
    "support",
    "ärende",
    "ärendet",
    "ärenden",
    "vecka",
    "veckan",
    "månad",
    "kvartal",
    "mål",
    "målet",
    "strategi",
    "frågan",
    "svar",
    "tid",
    "tiden",
    "arbete",
    "arbetet",
    "rabatt",
    "rabatten",
    "faktura",
    "fakturan",
    "lansering",
    "lanseringen",
    "funktion",
    "funktionen",
    "användare",
    "användarna",
    "prioritet",
    "risk",
    "risken",
    "budget",
    "plan",
    "planen",
    "säljare",
    "ingenjör",
    "produkt",
    "produkten",
    "organisation",
    "samarbete",
    "glapp",
    "mellanrum",
    "kunskap",
    "får",
    "far",
    "år",
    "vill",
    "behöver",
    "måste",
    "snabbare",
    "bättre",
];
const EN: &[&str] = &[
    "customer",
    "customers",
    "delivery",
    "deliveries",
    "pricing",
    "price",
    "contract",
    "meeting",
    "decision",
    "problem",
    "team",
    "sales",
    "engineering",
    "quality",
    "support",
    "ticket",
    "tickets",
    "week",
    "month",
    "quarter",
    "goal",
    "strategy",
    "question",
    "answer",
    "time",
    "work",
    "discount",
    "invoice",
    "launch",
    "feature",
    "features",
    "user",
    "users",
    "priority",
    "risk",
    "budget",
    "plan",
    "roadmap",
    "release",
    "onboarding",
    "churn",
    "renewal",
    "feedback",
    "interview",
    "survey",
    "insight",
    "signal",
    "friction",
    "resolution",
    "need",
    "want",
    "faster",
    "better",
];
/// Phrases that occur in bodies; phrase queries come from here.
/// Function words, the most frequent words of both languages.
const FUNCTION: &[&str] = &[
    "och", "att", "det", "som", "i", "på", "är", "en", "för", "med", "inte", "till", "av", "den", "vi", "har", "the", "and", "to", "of",
    "a", "is", "we", "in", "for", "on", "it", "that", "with", "this",
];
const PHRASES: &[&str] = &[
    "customer feedback",
    "pricing model",
    "release date",
    "support ticket",
    "sales call",
    "onboarding flow",
    "annual contract",
    "feature request",
    "renewal risk",
    "usage data",
    "kundens leverans",
    "sen leverans",
    "nytt avtal",
    "högt pris",
    "långa ledtider",
    "bättre kvalitet",
    "nästa kvartal",
    "support ärende",
    "beslut om rabatt",
    "mål för året",
];
const TAGS: &[&str] = &[
    "pricing",
    "churn",
    "onboarding",
    "release",
    "support",
    "sales",
    "enterprise",
    "smb",
    "eu",
    "nordics",
    "q1",
    "q2",
    "q3",
    "q4",
    "ux",
    "api",
    "billing",
    "security",
    "performance",
    "mobile",
    "strategy",
    "hiring",
    "partners",
    "docs",
    "roadmap",
];
const PEOPLE: &[(&str, &str)] = &[
    ("Anna Berg", "Sales"),
    ("Erik Lind", "Engineering"),
    ("Sara Holm", "Design"),
    ("Johan Ek", "Support"),
    ("Maria Sund", "Product"),
    ("Lars Dahl", "Leadership"),
    ("Åsa Nord", "Customer Success"),
    ("Peter Wall", "Marketing"),
];

/// One generated item, as every engine gets it.
#[derive(Serialize, Deserialize, Clone)]
struct GenItem {
    kind: Kind,
    title: String,
    body: String,
    tags: Vec<String>,
    person: usize,
    set: Vec<(String, String)>,
    positions: Vec<(String, String)>,
}

/// The long tail of the vocabulary: made-up Swedish-looking words, most of them rare.
fn tail() -> &'static [String] {
    static TAIL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TAIL.get_or_init(|| {
        const SYL: &[&str] = &[
            "ka", "lo", "mer", "tri", "sven", "bo", "ra", "ning", "het", "dal", "berg", "sto", "vik", "lund", "pa", "ri", "ser", "tel",
            "man", "ko", "sjö", "gå", "rä", "fors", "nä", "li", "ta", "mo", "ve", "hus", "ström", "ne",
        ];
        let mut rng = Rng(0x7461_696c);
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        while out.len() < TAIL_WORDS {
            let n = 2 + rng.below(3);
            let w: String = (0..n).map(|_| *rng.pick(SYL)).collect();
            if seen.insert(w.clone()) {
                out.push(w);
            }
        }
        out
    })
}

const TAIL_WORDS: usize = 30_000;

/// A rank in 0..n, roughly Zipf-distributed (log-uniform).
fn zipf(rng: &mut Rng, n: usize) -> usize {
    let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
    ((n as f64).powf(u) as usize).saturating_sub(1).min(n - 1)
}

fn words(rng: &mut Rng, n: usize) -> String {
    let mut out: Vec<&str> = Vec::with_capacity(n);
    while out.len() < n {
        let r = rng.below(1000);
        if r < 15 {
            out.extend(rng.pick(PHRASES).split(' '));
        } else if r < 365 {
            out.push(FUNCTION[zipf(rng, FUNCTION.len())]);
        } else if r < 490 {
            out.push(SV[rng.skewed(SV.len())]);
        } else if r < 615 {
            out.push(EN[rng.skewed(EN.len())]);
        } else {
            out.push(&tail()[zipf(rng, TAIL_WORDS)]);
        }
    }
    out.join(" ")
}

fn sentences(rng: &mut Rng, n_words: usize) -> String {
    let mut s = String::new();
    let mut left = n_words;
    while left > 0 {
        let n = (6 + rng.below(10)).min(left);
        let mut sentence = words(rng, n);
        if let Some(c) = sentence.get(0..1) {
            sentence.replace_range(0..1, &c.to_uppercase());
        }
        s.push_str(&sentence);
        s.push_str(". ");
        left -= n;
    }
    s.trim_end().to_string()
}

fn generate(n: usize) -> Vec<GenItem> {
    let mut rng = Rng(0x6d65_6c6c_616e_7275);
    let mut items: Vec<GenItem> = Vec::with_capacity(n);
    let mut frictions: Vec<usize> = Vec::new();
    let mut signals: Vec<usize> = Vec::new();
    let mut goals: Vec<usize> = Vec::new();
    for i in 0..n {
        let r = rng.below(100);
        let kind = match r {
            0..=34 => Kind::Note,
            35..=59 => Kind::Signal,
            60..=69 => Kind::Insight,
            70..=79 => Kind::Friction,
            80..=86 if !frictions.is_empty() => Kind::Resolution,
            87..=88 => Kind::Goal,
            _ => Kind::Meeting,
        };
        let title = format!("{} {} {i}", capitalise(&words(&mut rng, 2)), words(&mut rng, 1));
        let n_words = 140 + rng.below(20);
        let mut body = sentences(&mut rng, n_words);
        let mut set: Vec<(String, String)> = Vec::new();
        let mut positions = Vec::new();
        let date = format!("20{}-{:02}-{:02}", 24 + rng.below(3), 1 + rng.below(12), 1 + rng.below(28));
        match kind {
            Kind::Signal => {
                set.push(("source".into(), rng.pick(&["interview", "support", "survey", "sales", "review", "usage"]).to_string()));
                set.push(("customer".into(), format!("Kund {}", rng.below(2000))));
                set.push(("date".into(), date));
                set.push(("quote".into(), sentences(&mut rng, 12)));
            }
            Kind::Insight => {
                set.push(("status".into(), rng.pick(&["hypothesis", "validated", "invalidated"]).to_string()));
                for _ in 0..2 {
                    if !signals.is_empty() {
                        let s = signals[signals.len() - 1 - rng.below(signals.len().min(500))];
                        body.push_str(&format!("\nevidence:: [[{}]]", items[s].title));
                    }
                }
            }
            Kind::Friction => {
                set.push(("severity".into(), rng.pick(&["low", "medium", "high", "critical"]).to_string()));
                if rng.below(3) == 0 {
                    set.push(("status".into(), "exploring".into()));
                }
                for _ in 0..2 {
                    positions.push((PEOPLE[rng.below(PEOPLE.len())].1.to_string(), sentences(&mut rng, 10)));
                }
            }
            Kind::Resolution => {
                let f = frictions[frictions.len() - 1 - rng.below(frictions.len().min(300))];
                set.push(("decision".into(), sentences(&mut rng, 12)));
                set.push(("rationale".into(), sentences(&mut rng, 16)));
                set.push(("decided_on".into(), date));
                body.push_str(&format!("\nresolves:: [[{}]]", items[f].title));
            }
            Kind::Goal => {
                set.push(("horizon".into(), rng.pick(&["2026", "Q3", "3 years"]).to_string()));
            }
            Kind::Meeting => {
                set.push(("start".into(), format!("{date} 09:00")));
                set.push(("location".into(), rng.pick(&["Göteborg", "Stockholm", "Online"]).to_string()));
            }
            Kind::Note => {}
        }
        if i > 10 && rng.below(3) == 0 {
            let target = rng.below(i);
            if items[target].kind != Kind::Goal {
                body.push_str(&format!("\nSee [[{}]].", items[target].title));
            }
        }
        if !goals.is_empty() && rng.below(5) == 0 {
            body.push_str(&format!("\nadvances:: [[{}]]", items[*rng.pick(&goals)].title));
        }
        let tags: BTreeSet<String> = (0..rng.below(4)).map(|_| TAGS[rng.skewed(TAGS.len())].to_string()).collect();
        items.push(GenItem { kind, title, body, tags: tags.into_iter().collect(), person: rng.below(PEOPLE.len()), set, positions });
        match kind {
            Kind::Signal => signals.push(i),
            Kind::Friction => frictions.push(i),
            Kind::Goal => goals.push(i),
            _ => {}
        }
    }
    items
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// One benchmark query, in each engine's terms.
#[derive(Serialize, Deserialize, Clone)]
struct BQuery {
    /// single, and, phrase, kind, tag
    class: String,
    /// Mellanrum's query string.
    mellanrum: String,
    /// The words or phrases every engine must find (AND).
    terms: Vec<String>,
    kind: Option<String>,
    tag: Option<String>,
}

fn queries(count: usize) -> Vec<BQuery> {
    let mut rng = Rng(0x7175_6572_7973);
    let vocab: Vec<&str> = SV.iter().chain(EN.iter()).copied().filter(|w| w.chars().count() > 3).collect();
    // Half the query words are domain words (frequent), half from the tail (the top 3,000: rarer).
    let word = |rng: &mut Rng| -> String {
        if rng.below(2) == 0 {
            vocab[rng.skewed(vocab.len())].to_string()
        } else {
            tail()[zipf(rng, 3000)].clone()
        }
    };
    let kinds = ["note", "signal", "insight", "friction", "resolution", "meeting"];
    (0..count)
        .map(|i| {
            let a = word(&mut rng);
            let b = word(&mut rng);
            match i % 5 {
                0 => BQuery { class: "single".into(), mellanrum: a.clone(), terms: vec![a], kind: None, tag: None },
                1 => BQuery { class: "and".into(), mellanrum: format!("{a} {b}"), terms: vec![a, b], kind: None, tag: None },
                2 => {
                    let p = rng.pick(PHRASES).to_string();
                    BQuery { class: "phrase".into(), mellanrum: format!("\"{p}\""), terms: vec![p], kind: None, tag: None }
                }
                3 => {
                    let k = rng.pick(&kinds).to_string();
                    BQuery { class: "kind".into(), mellanrum: format!("kind:{k} {a}"), terms: vec![a], kind: Some(k), tag: None }
                }
                _ => {
                    let t = TAGS[rng.skewed(TAGS.len())].to_string();
                    BQuery { class: "tag".into(), mellanrum: format!("tag:{t} {a}"), terms: vec![a], kind: None, tag: Some(t) }
                }
            }
        })
        .collect()
}

/// Makes (or reuses) the corpus folder: the items, the queries, and the Mellanrum workspace.
fn prepare(dir: &Path, n: usize) -> Res<()> {
    if dir.join("complete").is_file() {
        eprintln!("==> reusing the corpus in {}", dir.display());
        return Ok(());
    }
    if dir.exists() {
        fs::remove_dir_all(dir)?;
    }
    fs::create_dir_all(dir)?;
    let started = Instant::now();
    let items = generate(n);
    let mut f = std::io::BufWriter::new(fs::File::create(dir.join("items.jsonl"))?);
    for it in &items {
        serde_json::to_writer(&mut f, it)?;
        f.write_all(b"\n")?;
    }
    f.flush()?;
    let mut q = std::io::BufWriter::new(fs::File::create(dir.join("queries.jsonl"))?);
    for it in queries(1000) {
        serde_json::to_writer(&mut q, &it)?;
        q.write_all(b"\n")?;
    }
    q.flush()?;
    eprintln!("==> saving {n} items into a Mellanrum workspace (once; reused by later runs)");
    let ws_dir = dir.join("ws");
    let mut ws = Workspace::init(&ws_dir, Some("Bench"))?;
    for (name, p) in PEOPLE {
        ws.add_person(name, p)?;
    }
    let mut current = usize::MAX;
    for (i, it) in items.iter().enumerate() {
        if it.person != current {
            ws.act_as(PEOPLE[it.person].0)?;
            current = it.person;
        }
        ws.create(NewItem {
            kind: Some(it.kind),
            title: it.title.clone(),
            body: it.body.clone(),
            tags: it.tags.clone(),
            aliases: Vec::new(),
            set: it.set.clone(),
            positions: it.positions.clone(),
        })?;
        if (i + 1) % 10_000 == 0 {
            eprintln!("    {} items ({:.0} s)", i + 1, started.elapsed().as_secs_f64());
        }
    }
    // The markdown files ripgrep searches: one per item, in a folder per kind.
    for (i, it) in items.iter().enumerate() {
        let d = dir.join("md").join(it.kind.as_str());
        fs::create_dir_all(&d)?;
        fs::write(d.join(format!("{i:06}.md")), markdown(it))?;
    }
    fs::write(dir.join("complete"), "")?;
    Ok(())
}

fn markdown(it: &GenItem) -> String {
    let mut s = format!("---\nkind: {}\ntags: [{}]\n", it.kind, it.tags.join(", "));
    for (k, v) in &it.set {
        s += &format!("{k}: {v}\n");
    }
    s += &format!("---\n# {}\n\n", it.title);
    for (p, pos) in &it.positions {
        s += &format!("{p}: {pos}\n");
    }
    s += &it.body;
    s.push('\n');
    s
}

fn load<T: for<'de> Deserialize<'de>>(path: &Path) -> Res<Vec<T>> {
    Ok(fs::read_to_string(path)?.lines().map(serde_json::from_str).collect::<Result<_, _>>()?)
}

// ---- measuring ------------------------------------------------------------------------------

fn percentile(xs: &mut [f64], p: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let i = ((p / 100.0) * (xs.len() as f64 - 1.0)).round() as usize;
    xs[i]
}

/// The peak resident memory of this process so far, in MB.
fn peak_rss_mb() -> f64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The peak resident memory of the largest child process waited for, in MB.
fn children_peak_rss_mb() -> f64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) } == 0 {
        u.ru_maxrss as f64 / 1024.0
    } else {
        f64::NAN
    }
}

fn dir_mb(p: &Path) -> f64 {
    fn walk(p: &Path) -> u64 {
        match fs::symlink_metadata(p) {
            Ok(m) if m.is_dir() => fs::read_dir(p).map(|rd| rd.flatten().map(|e| walk(&e.path())).sum()).unwrap_or(0),
            Ok(m) => m.len(),
            Err(_) => 0,
        }
    }
    walk(p) as f64 / 1e6
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

const SAVES: usize = 200;

fn mellanrum_build(dir: &Path) -> Res<Value> {
    let mut ws = Workspace::open(&dir.join("ws"))?;
    let t = Instant::now();
    let n = ws.reindex(|_, _| {})?;
    let build_s = t.elapsed().as_secs_f64();
    Ok(json!({"build_s": build_s, "items": n, "build_peak_rss_mb": peak_rss_mb(), "index_mb": dir_mb(&dir.join("ws").join("index"))}))
}

fn mellanrum_queries(dir: &Path) -> Res<Value> {
    let qs: Vec<BQuery> = load(&dir.join("queries.jsonl"))?;
    let mut ws = Workspace::open(&dir.join("ws"))?;
    ws.open_index()?;
    let mut hits = 0usize;
    // Queries searched before in this process (the warm-up's, and repeats: the 1,000 hold each
    // of the 20 phrases about ten times): the first searches are reported apart, so a cache of
    // results would not pass for a faster search.
    let mut seen: std::collections::HashSet<&str> = Default::default();
    for q in qs.iter().take(100) {
        ws.search(&q.mellanrum, 10)?;
        seen.insert(&q.mellanrum);
    }
    let mut first = Vec::new();
    let mut lat = Vec::with_capacity(qs.len());
    let mut by_class: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    let mut each: Vec<(f64, &str, usize)> = Vec::with_capacity(qs.len());
    for q in &qs {
        let t = Instant::now();
        let r = ws.search(&q.mellanrum, 10)?;
        let took = ms(t);
        lat.push(took);
        if seen.insert(&q.mellanrum) {
            first.push(took);
        }
        each.push((took, &q.mellanrum, r.total));
        by_class.entry(q.class.clone()).or_default().push(took);
        hits += r.total;
    }
    let p50 = percentile(&mut lat.clone(), 50.0);
    let p99 = percentile(&mut lat, 99.0);
    // The slowest queries (what p99 is made of), with how many items each matched.
    each.sort_by(|a, b| b.0.total_cmp(&a.0));
    let slowest: Vec<Value> = each.iter().take(12).map(|(t, q, n)| json!({"ms": t, "query": q, "total": n})).collect();
    let by_class: serde_json::Map<String, Value> = by_class
        .into_iter()
        .map(|(c, mut v)| (c, json!({"p50_ms": percentile(&mut v.clone(), 50.0), "p99_ms": percentile(&mut v, 99.0)})))
        .collect();
    // Save to searchable: edit an item, then search for the word the edit added. The index
    // commits every 10 saves, outside the timing, as the app does when idle.
    // Each edit is undone afterwards (untimed), so the corpus stays the same from run to run.
    let mut notes: Vec<(String, String)> = ws.list(Some(Kind::Note), None, false)?.into_iter().map(|s| (s.id, s.title)).collect();
    notes.sort();
    let nonce = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let mut stos = Vec::new();
    let mut commits = Vec::new();
    for (i, (id, title)) in notes.iter().take(SAVES).enumerate() {
        let word = format!("zqx{nonce}n{i}");
        let t = Instant::now();
        ws.update(id, Edit { title: Some(format!("{title} {word}")), ..Default::default() })?;
        let r = ws.search(&word, 10)?;
        let found = r.hits.first().is_some_and(|h| &h.id == id);
        stos.push(ms(t));
        if !found {
            return Err(format!("an edit was not searchable: {word}").into());
        }
        ws.update(id, Edit { title: Some(title.clone()), ..Default::default() })?;
        if (i + 1) % 10 == 0 {
            let t = Instant::now();
            ws.flush_index()?;
            commits.push(ms(t));
        }
    }
    let s50 = percentile(&mut stos.clone(), 50.0);
    let s99 = percentile(&mut stos, 99.0);
    Ok(
        json!({"p50_ms": p50, "p99_ms": p99, "first_queries": first.len(), "first_p50_ms": percentile(&mut first.clone(), 50.0), "first_p99_ms": percentile(&mut first, 99.0), "by_class": by_class, "slowest": slowest, "save_to_searchable_p50_ms": s50, "save_to_searchable_p99_ms": s99,
        "commit_p50_ms": percentile(&mut commits, 50.0), "peak_rss_mb": peak_rss_mb(), "total_hits": hits}),
    )
}

fn fts5(dir: &Path) -> Res<Value> {
    let items: Vec<GenItem> = load(&dir.join("items.jsonl"))?;
    let qs: Vec<BQuery> = load(&dir.join("queries.jsonl"))?;
    let path = dir.join("fts5.db");
    for ext in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{ext}", path.display()));
    }
    let mut db = rusqlite::Connection::open(&path)?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "NORMAL")?;
    let t = Instant::now();
    db.execute_batch(
        "CREATE TABLE docs(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, tags TEXT NOT NULL);
         CREATE INDEX docs_kind ON docs(kind);
         CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 0');",
    )?;
    {
        let tx = db.transaction()?;
        {
            let mut d = tx.prepare("INSERT INTO docs(id, kind, tags) VALUES (?1, ?2, ?3)")?;
            let mut f = tx.prepare("INSERT INTO fts(rowid, title, body) VALUES (?1, ?2, ?3)")?;
            for (i, it) in items.iter().enumerate() {
                let own: Vec<String> =
                    it.set.iter().map(|(_, v)| v.clone()).chain(it.positions.iter().map(|(p, v)| format!("{p}: {v}"))).collect();
                d.execute(rusqlite::params![i as i64, it.kind.as_str(), format!("|{}|", it.tags.join("|"))])?;
                f.execute(rusqlite::params![i as i64, it.title, format!("{}\n{}", own.join("\n"), it.body)])?;
            }
        }
        tx.commit()?;
    }
    db.execute_batch("INSERT INTO fts(fts) VALUES ('optimize');")?;
    let build_s = t.elapsed().as_secs_f64();
    let fts_query = |q: &BQuery| q.terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" ");
    let run = |db: &rusqlite::Connection, q: &BQuery| -> Res<usize> {
        let m = fts_query(q);
        let filter = match (&q.kind, &q.tag) {
            (Some(_), _) => " AND d.kind = ?2",
            (_, Some(_)) => " AND d.tags LIKE ?2",
            _ => " AND ?2 IS NULL",
        };
        let arg: Option<String> = q.kind.clone().or_else(|| q.tag.as_ref().map(|t| format!("%|{t}|%")));
        let total: i64 = db
            .prepare_cached(&format!("SELECT count(*) FROM fts JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ?1{filter}"))?
            .query_row(rusqlite::params![m, arg], |r| r.get(0))?;
        let mut st = db.prepare_cached(&format!(
            "SELECT d.id, highlight(fts, 0, '<b>', '</b>'), snippet(fts, 1, '<b>', '</b>', '…', 24), bm25(fts, 4.0, 1.0)
             FROM fts JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ?1{filter} ORDER BY bm25(fts, 4.0, 1.0) LIMIT 10"
        ))?;
        let rows = st.query_map(rusqlite::params![m, arg], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(2)?)))?;
        let fetched = rows.collect::<Result<Vec<_>, _>>()?;
        std::hint::black_box(&fetched);
        Ok(total as usize)
    };
    for q in qs.iter().take(100) {
        run(&db, q)?;
    }
    let mut lat = Vec::new();
    let mut hits = 0;
    for q in &qs {
        let t = Instant::now();
        hits += run(&db, q)?;
        lat.push(ms(t));
    }
    let mut stos = Vec::new();
    for i in 0..SAVES {
        let word = format!("zqx{i}saved");
        let row = ((i * 37) % items.len()) as i64;
        let t = Instant::now();
        let tx = db.transaction()?;
        tx.execute("UPDATE fts SET title = ?2 WHERE rowid = ?1", rusqlite::params![row, format!("Edited {i} {word}")])?;
        tx.commit()?;
        let found: i64 = db.query_row("SELECT count(*) FROM fts WHERE fts MATCH ?1", [format!("\"{word}\"")], |r| r.get(0))?;
        stos.push(ms(t));
        if found != 1 {
            return Err(format!("fts5: an edit was not searchable: {word}").into());
        }
    }
    drop(db);
    Ok(json!({"p50_ms": percentile(&mut lat.clone(), 50.0), "p99_ms": percentile(&mut lat, 99.0), "build_s": build_s,
        "save_to_searchable_p50_ms": percentile(&mut stos.clone(), 50.0), "save_to_searchable_p99_ms": percentile(&mut stos, 99.0),
        "index_mb": dir_mb(&path) + dir_mb(Path::new(&format!("{}-wal", path.display()))), "peak_rss_mb": peak_rss_mb(), "total_hits": hits}))
}

/// ripgrep over the items as Markdown files: case-insensitive words (no stemming), the first
/// matching line of each file as its snippet, a folder per kind for `kind:`, the front matter for `tag:`.
fn ripgrep(dir: &Path, sample: Option<usize>) -> Res<Value> {
    let qs: Vec<BQuery> = load(&dir.join("queries.jsonl"))?;
    let md = dir.join("md");
    let step = sample.map_or(1, |s| (qs.len() / s.max(1)).max(1));
    let chosen: Vec<&BQuery> = qs.iter().step_by(step).collect();
    let rg = |args: &[String]| -> Res<String> {
        let out = Command::new("rg").args(args).stdin(Stdio::null()).output()?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let pattern = |t: &str| -> String {
        let words: Vec<&str> = t.split(' ').collect();
        format!(r"\b{}\b", words.join(r"\s+"))
    };
    let run = |q: &BQuery| -> Res<usize> {
        let root = match &q.kind {
            Some(k) => md.join(k),
            None => md.clone(),
        };
        // ripgrep has no AND across lines: the first term lists files, each further term (and a
        // tag) keeps those that also hold it, a thousand paths per call.
        let mut patterns: Vec<(bool, String)> = q.terms.iter().map(|t| (true, pattern(t))).collect();
        if let Some(tag) = &q.tag {
            patterns.push((false, format!(r"^tags: \[.*\b{tag}\b")));
        }
        let mut files: Vec<String> = rg(&["-l".into(), "-i".into(), "-e".into(), patterns[0].1.clone(), root.display().to_string()])?
            .lines()
            .map(str::to_string)
            .collect();
        for (case_insensitive, p) in &patterns[1..] {
            let mut kept = Vec::new();
            for chunk in files.chunks(1000) {
                let mut args: Vec<String> = vec!["-l".into()];
                if *case_insensitive {
                    args.push("-i".into());
                }
                args.extend(["-e".to_string(), p.clone(), "--".to_string()]);
                args.extend(chunk.iter().cloned());
                kept.extend(rg(&args)?.lines().map(str::to_string));
            }
            files = kept;
        }
        // The snippets: the first matching line of ten files.
        if !files.is_empty() {
            let mut args: Vec<String> = vec!["-i".into(), "-m".into(), "1".into(), "-e".into(), pattern(&q.terms[0]), "--".into()];
            args.extend(files.iter().take(10).cloned());
            rg(&args)?;
        }
        Ok(files.len())
    };
    let t = Instant::now();
    let mut lat = Vec::new();
    let mut hits = 0;
    for q in &chosen {
        let t = Instant::now();
        hits += run(q)?;
        lat.push(ms(t));
    }
    let total_s = t.elapsed().as_secs_f64();
    // Save to searchable: write the file, then find it.
    let mut stos = Vec::new();
    for i in 0..5 {
        let word = format!("zqx{i}saved");
        let p = md.join("note").join(format!("edited-{i}.md"));
        let t = Instant::now();
        fs::write(&p, format!("---\nkind: note\ntags: []\n---\n# Edited {i} {word}\n"))?;
        let found = rg(&["-l".into(), "-i".into(), word.clone(), md.display().to_string()])?;
        stos.push(ms(t));
        fs::remove_file(&p)?;
        if found.lines().count() != 1 {
            return Err(format!("ripgrep: an edit was not found: {word}").into());
        }
    }
    Ok(json!({"p50_ms": percentile(&mut lat.clone(), 50.0), "p99_ms": percentile(&mut lat, 99.0), "build_s": 0.0,
        "queries_run": chosen.len(), "seconds": total_s,
        "save_to_searchable_p50_ms": percentile(&mut stos.clone(), 50.0), "save_to_searchable_p99_ms": percentile(&mut stos, 99.0),
        "index_mb": dir_mb(&md), "peak_rss_mb": children_peak_rss_mb(), "total_hits": hits}))
}

// ---- the run ------------------------------------------------------------------------------------

fn child(dir: &Path, engine: &str, extra: &[String]) -> Res<Value> {
    eprintln!("==> {engine}");
    let exe = std::env::current_exe()?;
    let mut args = vec!["child".to_string(), "--dir".into(), dir.display().to_string(), "--engine".into(), engine.into()];
    args.extend_from_slice(extra);
    let out = Command::new(exe).args(&args).stderr(Stdio::inherit()).output()?;
    if !out.status.success() {
        return Err(format!("the {engine} run failed").into());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn corpus_dir(n: usize) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("out").join(format!("search-{n}"))
}

fn search(n: usize, rg_sample: Option<usize>, as_json: bool, save: Option<PathBuf>) -> Res<()> {
    let root = corpus_dir(n);
    prepare(&root, n)?;
    let build = child(&root, "mellanrum-build", &[])?;
    let mut m = child(&root, "mellanrum", &[])?;
    for k in ["build_s", "index_mb", "build_peak_rss_mb"] {
        m[k] = build[k].clone();
    }
    let f = child(&root, "fts5", &[])?;
    let extra: Vec<String> = rg_sample.map(|s| vec!["--sample".into(), s.to_string()]).unwrap_or_default();
    let r = child(&root, "ripgrep", &extra)?;
    let queries = 1000;
    let result = json!({"items": n, "queries": queries, "engines": {"mellanrum": m, "fts5": f, "ripgrep": r},
        "ripgrep_queries": r["queries_run"], "machine": machine()});
    if let Some(p) = save {
        fs::write(p, serde_json::to_string_pretty(&result)?)?;
    }
    if as_json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        println!("{}", table(&result));
    }
    Ok(())
}

fn machine() -> Value {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    json!({"cpu": cpu, "cores": cores, "memory_gb": (mem * 10.0).round() / 10.0})
}

fn table(r: &Value) -> String {
    let e = &r["engines"];
    let m = &e["mellanrum"];
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let cell = |v: &Value, unit: &str| if v.is_null() { "—".to_string() } else { format!("{:.2} {unit}", num(v)) };
    let ratio = |peer: &Value, key: &str| {
        let (a, b) = (num(&m[key]), num(&peer[key]));
        if a > 0.0 && b > 0.0 {
            format!("{:.1}×", b / a)
        } else {
            "—".into()
        }
    };
    let mut s = format!(
        "{} items, {} queries (ripgrep: {} of them), {} ({} cores)\n\n",
        r["items"],
        r["queries"],
        r["ripgrep_queries"],
        r["machine"]["cpu"].as_str().unwrap_or(""),
        r["machine"]["cores"]
    );
    s += "| metric | Mellanrum | SQLite FTS5 | ripgrep | FTS5 / Mellanrum | ripgrep / Mellanrum |\n|---|---|---|---|---|---|\n";
    for (label, key, unit) in [
        ("query p50", "p50_ms", "ms"),
        ("query p99", "p99_ms", "ms"),
        ("index build", "build_s", "s"),
        ("save → searchable p50", "save_to_searchable_p50_ms", "ms"),
        ("save → searchable p99", "save_to_searchable_p99_ms", "ms"),
        ("index size", "index_mb", "MB"),
        ("peak RSS (searching)", "peak_rss_mb", "MB"),
    ] {
        s += &format!(
            "| {label} | {} | {} | {} | {} | {} |\n",
            cell(&m[key], unit),
            cell(&e["fts5"][key], unit),
            cell(&e["ripgrep"][key], unit),
            ratio(&e["fts5"], key),
            ratio(&e["ripgrep"], key)
        );
    }
    let items = num(&r["items"]);
    s += &format!(
        "\nMellanrum: full reindex {:.0} items/s (peak RSS while indexing {:.0} MB); index commit p50 {:.0} ms (every 10 saves, off the save path).\n",
        items / num(&m["build_s"]),
        num(&m["build_peak_rss_mb"]),
        num(&m["commit_p50_ms"])
    );
    s += "ripgrep has no index: its build time is 0 and its size is the Markdown files it reads.\n";
    s
}
