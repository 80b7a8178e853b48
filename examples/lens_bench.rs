//! The lens benchmark: builds a workspace of N items (default 100 000) shaped like a real one —
//! signals, insights with evidence, frictions, resolutions, goals, meetings with attendees, notes
//! with references, several contributors — and times `lens`, `trace` and evidence strength on it.
//!
//! ```sh
//! cargo run --release --example lens_bench -- [ITEMS] [RUNS] [DIR]
//! ```
//! Prints one line per figure: median and slowest wall time of RUNS runs and the median CPU time
//! (user + system, every thread of the process), in milliseconds, and the load average before and
//! after. With DIR, the workspace is built there once and reused by later runs with the same ITEMS.
//! With `LENS_BENCH_JSON=FILE`, the lens's figures are written to FILE as JSON.

use std::time::Instant;

use mellanrum::lens::LensOptions;
use mellanrum::model::{Fields, Item, Kind, Link, Person, Rel};
use mellanrum::store::Store;
use mellanrum::trace::Graph;
use mellanrum::workspace::{Workspace, DB_FILE};

/// A small deterministic generator (xorshift64*), so every run builds the same workspace.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PERSPECTIVES: [&str; 8] = ["Sales", "Engineering", "Support", "Product", "Design", "Leadership", "Marketing", "Finance"];
const WORDS: [&str; 16] = [
    "kund",
    "leverans",
    "release",
    "pricing",
    "export",
    "stability",
    "onboarding",
    "support",
    "flags",
    "cadence",
    "roadmap",
    "churn",
    "integration",
    "kvalitet",
    "ledtid",
    "feedback",
];

fn id(n: usize) -> String {
    format!("01900000-0000-7000-8000-{n:012x}")
}

fn build(dir: &std::path::Path, n: usize) -> mellanrum::Result<()> {
    Workspace::init(dir, Some("Lens benchmark"))?;
    let mut store = Store::open(&dir.join(DB_FILE))?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let people: Vec<Person> = (0..48)
        .map(|i| Person {
            id: format!("01800000-0000-7000-8000-{i:012x}"),
            name: format!("Person {i}"),
            perspective: PERSPECTIVES[i % PERSPECTIVES.len()].to_string(),
            created: "2026-01-01T00:00:00.000Z".into(),
        })
        .collect();
    // Kinds by position: a fixed mix.
    let kind_of = |i: usize| match i % 100 {
        0 => Kind::Goal,
        1..=30 => Kind::Signal,
        31..=40 => Kind::Insight,
        41..=50 => Kind::Friction,
        51..=55 => Kind::Resolution,
        56..=70 => Kind::Meeting,
        _ => Kind::Note,
    };
    let of_kind = |k: Kind| -> Vec<usize> { (0..n).filter(|&i| kind_of(i) == k).collect() };
    let (signals, insights, frictions, goals, all) =
        (of_kind(Kind::Signal), of_kind(Kind::Insight), of_kind(Kind::Friction), of_kind(Kind::Goal), (0..n).collect::<Vec<_>>());
    store.write(|tx| {
        // Links go in after every item exists (a resolved link refers to its target row).
        let mut pending: Vec<(String, Vec<Link>)> = Vec::new();
        for p in &people {
            tx.insert_person(p)?;
        }
        for i in 0..n {
            let kind = kind_of(i);
            let mut fields = Fields::defaults(kind);
            let mut links: Vec<(Rel, usize)> = Vec::new();
            let day = 1 + rng.below(28);
            let month = 1 + rng.below(9);
            let pick = |v: &Vec<usize>, rng: &mut Rng| v[rng.below(v.len())];
            match kind {
                Kind::Signal => {
                    fields.values.insert("source".into(), ["interview", "support", "sales", "usage"][rng.below(4)].into());
                    fields.values.insert("customer".into(), format!("Customer {}", rng.below(500)));
                    fields.values.insert("date".into(), format!("2026-{month:02}-{day:02}"));
                }
                Kind::Insight => {
                    for _ in 0..3 {
                        links.push((Rel::Evidence, pick(&signals, &mut rng)));
                    }
                }
                Kind::Friction => {
                    if rng.below(3) > 0 {
                        fields.values.insert("status".into(), "resolved".into());
                    }
                    fields.positions.insert(PERSPECTIVES[rng.below(8)].into(), "One way".into());
                    fields.positions.insert(PERSPECTIVES[rng.below(8)].into(), "Another way".into());
                    links.push((Rel::DerivedFrom, pick(&insights, &mut rng)));
                }
                Kind::Resolution => {
                    fields.values.insert("decision".into(), "Do it the new way".into());
                    fields.values.insert("decided_on".into(), format!("2026-{month:02}-{day:02}"));
                    if rng.below(4) == 0 {
                        fields.values.insert("retires".into(), format!("Old practice {}", rng.below(50)));
                    }
                    links.push((Rel::Resolves, pick(&frictions, &mut rng)));
                    links.push((Rel::Advances, pick(&goals, &mut rng)));
                }
                Kind::Meeting => {
                    fields.values.insert("start".into(), format!("2026-{month:02}-{day:02}T09:00:00Z"));
                    fields.values.insert("end".into(), format!("2026-{month:02}-{day:02}T10:30:00Z"));
                    let names: Vec<String> = (0..3).map(|_| people[rng.below(people.len())].name.clone()).collect();
                    fields.values.insert("attendees".into(), names.join(", "));
                    if rng.below(2) == 0 {
                        links.push((Rel::Advances, pick(&goals, &mut rng)));
                    }
                }
                Kind::Note => {
                    for _ in 0..2 {
                        links.push((Rel::References, pick(&all, &mut rng)));
                    }
                }
                Kind::Goal => {}
            }
            let body: String = (0..20).map(|_| WORDS[rng.below(WORDS.len())]).collect::<Vec<_>>().join(" ");
            let author = &people[rng.below(people.len())];
            let item = Item {
                id: id(i),
                kind,
                title: format!("{kind} {i}"),
                body,
                tags: Vec::new(),
                aliases: Vec::new(),
                fields,
                author: author.id.clone(),
                created: format!("2026-{month:02}-{day:02}T08:00:00.000Z"),
                updated: format!("2026-{month:02}-{day:02}T08:00:00.000Z"),
                deleted: false,
            };
            tx.put_item(&item)?;
            let links: Vec<Link> = links
                .into_iter()
                .enumerate()
                .map(|(line, (rel, t))| Link {
                    source_id: item.id.clone(),
                    rel,
                    target: format!("{} {t}", kind_of(t)),
                    target_id: Some(id(t)),
                    heading: None,
                    alias: None,
                    embed: false,
                    line: line + 1,
                    problem: None,
                })
                .collect();
            pending.push((item.id.clone(), links));
            let rec = mellanrum::history::Record { changes: "{}".into(), body_back: None, keyframe: None };
            tx.insert_revision(&item.id, 1, &item.created, "0", &author.id, "create", &rec)?;
            if rng.below(5) == 0 {
                let other = &people[rng.below(people.len())];
                tx.insert_revision(&item.id, 2, &item.created, "0", &other.id, "update", &rec)?;
            }
        }
        for (source, links) in &pending {
            tx.replace_links(source, links)?;
        }
        Ok(())
    })
}

/// CPU time of the whole process so far (user + system, threads that ended included), in ms.
fn cpu_ms() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid timespec for the call to fill in.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 * 1000.0 + t.tv_nsec as f64 / 1e6
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg").map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" ")).unwrap_or_default()
}

/// Median and slowest wall time, and median CPU time, of `runs` calls of `f`, in milliseconds.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, f64, f64) {
    let (mut wall, mut cpu): (Vec<f64>, Vec<f64>) = (0..runs)
        .map(|_| {
            let (t, c) = (Instant::now(), cpu_ms());
            std::hint::black_box(f());
            (t.elapsed().as_secs_f64() * 1000.0, cpu_ms() - c)
        })
        .unzip();
    wall.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    (wall[wall.len() / 2], wall[wall.len() - 1], cpu[cpu.len() / 2])
}

fn report(what: &str, (p50, max, cpu): (f64, f64, f64)) {
    println!("{what:<42} median {p50:>6.1} ms  slowest {max:>6.1} ms  CPU {cpu:>6.1} ms");
}

/// The allocator of the `mellanrum` binary and the desktop app, so the figures are theirs.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(100_000);
    let runs: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(7).max(1);
    let temp = tempfile::tempdir()?;
    let dir = match args.get(3) {
        Some(d) => std::path::PathBuf::from(d),
        None => temp.path().to_path_buf(),
    };
    let marker = dir.join(format!("lens-bench-{n}"));
    if marker.is_file() {
        println!("reusing the workspace of {n} items in {}", dir.display());
    } else {
        if dir.join(DB_FILE).exists() {
            return Err(format!("{} holds another workspace", dir.display()).into());
        }
        std::fs::create_dir_all(&dir)?;
        let t = Instant::now();
        build(&dir, n)?;
        std::fs::write(&marker, "")?;
        println!("built {n} items in {:.1} s", t.elapsed().as_secs_f64());
    }
    println!("load average before: {}", loadavg());

    let mut ws = Workspace::open(&dir)?;
    let opt = LensOptions::new(chrono::NaiveDate::from_ymd_opt(2026, 10, 1).ok_or("date")?);
    let l = ws.lens(&opt)?;
    println!(
        "lens: {} perspectives, {} silos, {} bridge people, {} bridge items, {} unused signals, {} open frictions, red thread {}/{}, {:.0} meeting hours",
        l.perspectives.len(),
        l.silos.len(),
        l.bridges.people.len(),
        l.bridges.items.count,
        l.unused_signals.count,
        l.open_frictions.count,
        l.red_thread.traced,
        l.red_thread.items,
        l.calendar.hours
    );
    // With LENS_BENCH_JSON=FILE, every figure (lists unlimited, then with the default limit) is
    // written to FILE, to compare the lens of two builds on the same workspace.
    if let Some(out) = std::env::var_os("LENS_BENCH_JSON") {
        let all = ws.lens(&LensOptions { limit: 0, ..opt.clone() })?;
        std::fs::write(&out, serde_json::to_string_pretty(&[serde_json::to_value(&all)?, serde_json::to_value(&l)?])?)?;
    }
    // A workspace opened anew each run: the first view, as `mellanrum lens` or a starting app has it.
    report(
        "lens, first view of a freshly opened store",
        time(runs, || Workspace::open(&dir).and_then(|mut w| w.lens(&opt)).map(|l| l.items)),
    );
    report("  of which opening the workspace", time(runs, || Workspace::open(&dir).map(|w| w.root().to_path_buf())));
    // An empty write transaction changes the store's generation, so each run reads the store again.
    report("lens (all figures, from the store)", time(runs, || ws.store().write(|_| Ok(())).and_then(|()| ws.lens(&opt)).map(|l| l.items)));
    report("  loading from SQLite", time(runs, || ws.store().read(Graph::load).map(|g| g.edges.len())));
    ws.lens(&opt)?;
    report("lens again, store unchanged", time(runs, || ws.lens(&opt).map(|l| l.items)));
    let insight = id(31);
    report("trace of an insight, depth 10", time(runs, || ws.trace(&insight, 10, opt.today).map(|t| t.up.len())));
    report("evidence strength of an insight", time(runs, || ws.evidence(&insight, opt.today).map(|e| e.score)));
    report("show a resolution (with review)", time(runs, || ws.show(&id(51)).map(|v| v.review.is_some())));
    println!("load average after: {}", loadavg());
    Ok(())
}
