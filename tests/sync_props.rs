//! Convergence, property-tested: 3–5 replicas make random changes of every kind (fields, bodies,
//! links, tags, aliases, deletes, restores, renames) under clocks skewed by up to ±1 h, and
//! exchange them by random partial syncs through a shared folder and by direct delivery that
//! duplicates and reorders ops, with restarts in between. In the end every replica is in the same
//! state, and that state equals a full replay of the change log into a fresh workspace. Replicas
//! compact at random (snapshot, segments every active device has read removed), new members join
//! mid-way from the newest snapshot, and one more joins after a final compaction: they end equal too.

use std::path::PathBuf;

use mellanrum::hlc::set_clock_skew;
use mellanrum::model::Kind;
use mellanrum::sync::KeyChoice;
use mellanrum::workspace::{Edit, NewItem, Workspace};
use proptest::prelude::*;

const NAMES: [&str; 8] = ["Anna", "Erik", "Maja", "Omar", "Lena", "Sara", "Nils", "Vera"];
const TITLES: [&str; 6] = ["Leverans", "Release cadence", "Kund A", "Pricing", "Onboarding", "Flags"];
const WORDS: [&str; 6] = ["kund", "leverans ", "customer\n", "[[Pricing]] ", "evidence:: [[Kund A]]\n", "## Rubrik\n"];
const TAGS: [&str; 4] = ["sales", "eng", "kund", "q3"];

#[derive(Debug, Clone)]
enum Step {
    Create { r: usize, kind: usize, title: usize, word: usize, tag: usize },
    Body { r: usize, item: usize, word: usize, at: usize, cut: bool },
    Field { r: usize, item: usize, value: usize },
    Rename { r: usize, item: usize, title: usize },
    Tag { r: usize, item: usize, tag: usize, add: bool },
    Alias { r: usize, item: usize, title: usize, add: bool },
    Delete { r: usize, item: usize },
    Sync { r: usize },
    Deliver { from: usize, to: usize, seed: u64 },
    Restart { r: usize },
    Compact { r: usize },
    Join,
}

fn step() -> impl Strategy<Value = Step> {
    let r = 0..5usize;
    prop_oneof![
        3 => (r.clone(), 0..7usize, 0..6usize, 0..6usize, 0..4usize).prop_map(|(r, kind, title, word, tag)| Step::Create { r, kind, title, word, tag }),
        4 => (r.clone(), 0..50usize, 0..6usize, 0..400usize, any::<bool>()).prop_map(|(r, item, word, at, cut)| Step::Body { r, item, word, at, cut }),
        3 => (r.clone(), 0..50usize, 0..8usize).prop_map(|(r, item, value)| Step::Field { r, item, value }),
        1 => (r.clone(), 0..50usize, 0..6usize).prop_map(|(r, item, title)| Step::Rename { r, item, title }),
        2 => (r.clone(), 0..50usize, 0..4usize, any::<bool>()).prop_map(|(r, item, tag, add)| Step::Tag { r, item, tag, add }),
        1 => (r.clone(), 0..50usize, 0..6usize, any::<bool>()).prop_map(|(r, item, title, add)| Step::Alias { r, item, title, add }),
        1 => (r.clone(), 0..50usize).prop_map(|(r, item)| Step::Delete { r, item }),
        3 => r.clone().prop_map(|r| Step::Sync { r }),
        2 => (r.clone(), 0..5usize, any::<u64>()).prop_map(|(from, to, seed)| Step::Deliver { from, to, seed }),
        1 => r.clone().prop_map(|r| Step::Restart { r }),
        1 => r.prop_map(|r| Step::Compact { r }),
        1 => Just(Step::Join),
    ]
}

struct Replica {
    dir: PathBuf,
    ws: Option<Workspace>,
    skew: i64,
    name: &'static str,
}

impl Replica {
    fn ws(&mut self) -> &mut Workspace {
        set_clock_skew(self.skew);
        self.ws.as_mut().unwrap()
    }
    fn restart(&mut self) {
        self.ws = None;
        let mut ws = Workspace::open(&self.dir).unwrap();
        ws.act_as(self.name).unwrap();
        self.ws = Some(ws);
    }
    fn items(&mut self) -> Vec<String> {
        let mut ids: Vec<String> = self.ws().list(None, None, true).unwrap().into_iter().map(|i| i.id).collect();
        ids.sort();
        ids
    }
}

/// Everything a person sees of a workspace, canonically ordered.
fn dump(ws: &mut Workspace) -> String {
    let mut out = String::new();
    let mut ids: Vec<String> = ws.list(None, None, true).unwrap().into_iter().map(|i| i.id).collect();
    ids.sort();
    for id in ids {
        let it = ws.item(&id).unwrap();
        let links: Vec<String> =
            ws.show(&id).unwrap().links.iter().map(|l| format!("{}>{}:{:?}:{:?}", l.rel, l.title, l.id, l.problem)).collect();
        out += &format!("{}\n", serde_json::to_string(&it).unwrap());
        out += &format!("  links {links:?}\n");
    }
    for p in ws.people().unwrap() {
        out += &format!("person {} {} {}\n", p.id, p.name, p.perspective);
    }
    out
}

fn kind(i: usize) -> Kind {
    Kind::ALL[i % Kind::ALL.len()]
}

fn field_value(k: Kind, v: usize) -> Option<(String, String)> {
    let (f, vals): (&str, &[&str]) = match k {
        Kind::Note => return None,
        Kind::Signal => ("source", &["interview", "support", "sales", "usage"]),
        Kind::Insight => ("status", &["hypothesis", "validated", "invalidated"]),
        Kind::Friction if v % 2 == 0 => ("severity", &["low", "medium", "high", "critical"]),
        Kind::Friction => ("status", &["open", "exploring", "parked"]),
        Kind::Resolution => ("decision", &["Ship monthly", "Ship when stable", "Wait"]),
        Kind::Goal => ("owner", &["Anna", "Erik", ""]),
        Kind::Meeting => ("location", &["Rum 1", "Zoom", ""]),
    };
    Some((f.to_string(), vals[v % vals.len()].to_string()))
}

fn new_replica(root: &std::path::Path, shared: &std::path::Path, i: usize, skew: i64, person: bool) -> Replica {
    let dir = root.join(format!("r{i}"));
    set_clock_skew(skew);
    let mut ws = Workspace::init(&dir, Some("P")).unwrap();
    if person {
        ws.add_person(NAMES[i], "Team").unwrap();
    }
    ws.set_remote(shared.to_str().unwrap(), KeyChoice::Plain).unwrap();
    Replica { dir, ws: Some(ws), skew, name: NAMES[i] }
}

/// A new member joining through the shared folder: its first sync starts from the newest snapshot
/// when there is one.
fn join(root: &std::path::Path, shared: &std::path::Path, i: usize, person: bool) -> Replica {
    let mut rep = new_replica(root, shared, i, 0, person);
    let r = rep.ws().sync().unwrap();
    let has_snapshot = shared.join("snap").is_dir() && walk_count(&shared.join("snap")) > 0;
    assert_eq!(r.snapshot.is_some(), has_snapshot, "a joiner starts from the newest snapshot: {r:?}");
    assert!(r.quarantined.is_empty() && r.waiting.is_empty(), "{r:?}");
    rep
}

fn walk_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk_count(&p)
            } else {
                1
            }
        })
        .sum()
}

fn run(n: usize, skews: &[i64], steps: &[Step]) {
    let shared = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let mut reps: Vec<Replica> = (0..n).map(|i| new_replica(root.path(), shared.path(), i, skews[i], true)).collect();
    let originals = n;
    let mut n = n;
    for st in steps {
        match st.clone() {
            Step::Create { r, kind: k, title, word, tag } => {
                let rep = &mut reps[r % n];
                let new = NewItem {
                    kind: Some(kind(k)),
                    title: TITLES[title].into(),
                    body: WORDS[word].into(),
                    tags: vec![TAGS[tag].into()],
                    ..Default::default()
                };
                let _ = rep.ws().create(new);
            }
            Step::Body { r, item, word, at, cut } => {
                let rep = &mut reps[r % n];
                let ids = rep.items();
                let Some(id) = ids.get(item % ids.len().max(1)) else { continue };
                let Ok(it) = rep.ws().item(id) else { continue };
                let chars: Vec<char> = it.body.chars().collect();
                let p = at % (chars.len() + 1);
                let body: String = if cut && !chars.is_empty() {
                    chars[..p.min(chars.len() - 1)].iter().chain(&chars[(p + 3).min(chars.len())..]).collect()
                } else {
                    chars[..p].iter().collect::<String>() + WORDS[word] + &chars[p..].iter().collect::<String>()
                };
                let _ = rep.ws().update(id, Edit { body: Some(body), ..Default::default() });
            }
            Step::Field { r, item, value } => {
                let rep = &mut reps[r % n];
                let ids = rep.items();
                let Some(id) = ids.get(item % ids.len().max(1)) else { continue };
                let Ok(it) = rep.ws().item(id) else { continue };
                let edit = match field_value(it.kind, value) {
                    Some(fv) => Edit { set: vec![fv], ..Default::default() },
                    None => Edit { title: Some(format!("{} {value}", TITLES[value % 6])), ..Default::default() },
                };
                let edit = if it.kind == Kind::Friction && value % 3 == 0 {
                    Edit { positions: vec![(["Sales", "Eng"][value % 2].into(), ["Ship", "Wait", ""][value % 3].into())], ..edit }
                } else {
                    edit
                };
                let _ = rep.ws().update(id, edit);
            }
            Step::Rename { r, item, title } => {
                let rep = &mut reps[r % n];
                let ids = rep.items();
                let Some(id) = ids.get(item % ids.len().max(1)) else { continue };
                let _ = rep.ws().rename(id, TITLES[title]);
            }
            Step::Tag { r, item, tag, add } => {
                let rep = &mut reps[r % n];
                let ids = rep.items();
                let Some(id) = ids.get(item % ids.len().max(1)) else { continue };
                let t = vec![TAGS[tag].to_string()];
                let edit = if add { Edit { add_tags: t, ..Default::default() } } else { Edit { remove_tags: t, ..Default::default() } };
                let _ = rep.ws().update(id, edit);
            }
            Step::Alias { r, item, title, add } => {
                let rep = &mut reps[r % n];
                let ids = rep.items();
                let Some(id) = ids.get(item % ids.len().max(1)) else { continue };
                let a = vec![format!("{} alias", TITLES[title])];
                let edit =
                    if add { Edit { add_aliases: a, ..Default::default() } } else { Edit { remove_aliases: a, ..Default::default() } };
                let _ = rep.ws().update(id, edit);
            }
            Step::Delete { r, item } => {
                let rep = &mut reps[r % n];
                let ids = rep.items();
                let Some(id) = ids.get(item % ids.len().max(1)) else { continue };
                let deleted = rep.ws().item(id).map(|i| i.deleted).unwrap_or(false);
                let _ = if deleted { rep.ws().restore(id) } else { rep.ws().delete(id) };
            }
            Step::Sync { r } => {
                let rep = &mut reps[r % n];
                let rep_ = rep.ws().sync().unwrap();
                assert!(rep_.quarantined.is_empty(), "{:?}", rep_.quarantined);
                // The lens's rows follow what merging wrote (and are encoded anew from here on).
                lens_rows_agree(rep.ws());
            }
            Step::Deliver { from, to, seed } => {
                let (from, to) = (from % n, to % n);
                if from == to {
                    continue;
                }
                // A random subset of the sender's log, shuffled, some ops twice.
                let log = reps[from].ws().change_log().unwrap();
                let mut x = seed | 1;
                let mut rnd = || {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x
                };
                let mut batch: Vec<_> = log.into_iter().filter(|_| rnd() % 3 != 0).collect();
                let dups: Vec<_> = batch.iter().filter(|_| rnd() % 4 == 0).cloned().collect();
                batch.extend(dups);
                for i in (1..batch.len()).rev() {
                    batch.swap(i, (rnd() % (i as u64 + 1)) as usize);
                }
                reps[to].ws().merge_ops(batch).unwrap();
            }
            Step::Restart { r } => reps[r % n].restart(),
            Step::Compact { r } => {
                let rep = &mut reps[r % n];
                let r = rep.ws().compact().unwrap();
                assert!(r.quarantined.is_empty(), "{:?}", r.quarantined);
                assert!(r.compacted.is_some());
            }
            Step::Join => {
                if n < originals + 2 {
                    reps.push(join(root.path(), shared.path(), n, true));
                    n += 1;
                }
            }
        }
    }
    // Everyone syncs until nothing moves: twice round is enough for a folder everyone reads.
    for _ in 0..2 {
        for rep in reps.iter_mut() {
            let r = rep.ws().sync().unwrap();
            assert!(r.quarantined.is_empty() && r.waiting.is_empty() && r.held == 0, "{r:?}");
        }
    }
    let first = dump(reps[0].ws());
    for (i, rep) in reps.iter_mut().enumerate().skip(1) {
        let d = dump(rep.ws());
        assert!(d == first, "replica {i} differs from replica 0:\n--- 0\n{first}\n--- {i}\n{d}");
    }
    // After a compaction by the first replica, a new member starts from its snapshot and equals
    // everyone, and everyone still agrees after syncing again.
    let c = reps[0].ws().compact().unwrap();
    assert!(c.compacted.is_some());
    let mut late = join(root.path(), shared.path(), n, false);
    let d = dump(late.ws());
    assert!(d == first, "a member joining from the snapshot differs:\n--- replica\n{first}\n--- joiner\n{d}");
    for rep in reps.iter_mut() {
        let r = rep.ws().sync().unwrap();
        assert!(r.quarantined.is_empty() && r.waiting.is_empty() && r.held == 0, "{r:?}");
        let d = dump(rep.ws());
        assert!(d == first, "after compaction a replica differs:\n--- before\n{first}\n--- after\n{d}");
    }
    // A full replay of the log into a fresh workspace gives the same state. (A replica that
    // started from a snapshot holds only the later ops, so the log is the union of everyone's.)
    let mut log = late.ws().change_log().unwrap();
    for rep in reps.iter_mut() {
        log.extend(rep.ws().change_log().unwrap());
    }
    set_clock_skew(0);
    let mut fresh = Workspace::init(&root.path().join("replay"), Some("P")).unwrap();
    fresh.merge_ops(log).unwrap();
    let d = dump(&mut fresh);
    assert!(d == first, "a full replay differs:\n--- replica\n{first}\n--- replay\n{d}");
    for ws in reps.iter_mut().map(|r| r.ws()).chain([late.ws(), &mut fresh]) {
        lens_rows_agree(ws);
    }
    set_clock_skew(0);
}

/// The lens read from its rows (encoded again where changed) equals the lens read from the tables.
fn lens_rows_agree(ws: &mut Workspace) {
    use mellanrum::lens::{rows, LensOptions, Loaded};
    let opt = LensOptions { limit: 0, ..LensOptions::new(chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()) };
    let from_rows = Loaded::read(ws.store()).unwrap().lens(&opt).unwrap();
    assert!(ws.store().read(rows::current).unwrap(), "the lens read its rows");
    let from_tables = Loaded::read_tables(ws.store()).unwrap().lens(&opt).unwrap();
    assert_eq!(
        serde_json::to_value(from_rows).unwrap(),
        serde_json::to_value(from_tables).unwrap(),
        "the lens's rows differ from the tables"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, max_shrink_iters: 300, ..ProptestConfig::default() })]
    #[test]
    fn replicas_converge_to_the_full_replay_of_the_log(
        n in 3..=5usize,
        skews in proptest::collection::vec(-3_600_000i64..=3_600_000, 5),
        steps in proptest::collection::vec(step(), 15..90),
    ) {
        run(n, &skews, &steps);
    }
}

// ---- consent rounds ------------------------------------------------------------------------------

/// A step of three people, one per perspective, each on their own device, in one consent round.
#[derive(Debug, Clone)]
enum RoundStep {
    /// Answer: consent, concern, objection; an objection with `child` becomes a friction.
    Answer {
        r: usize,
        answer: usize,
        child: bool,
    },
    Close {
        r: usize,
        overriding: bool,
    },
    Sync {
        r: usize,
    },
}

fn round_step() -> impl Strategy<Value = RoundStep> {
    prop_oneof![
        4 => (0..3usize, 0..3usize, any::<bool>()).prop_map(|(r, answer, child)| RoundStep::Answer { r, answer, child }),
        2 => (0..3usize, any::<bool>()).prop_map(|(r, overriding)| RoundStep::Close { r, overriding }),
        3 => (0..3usize).prop_map(|r| RoundStep::Sync { r }),
    ]
}

fn run_round(skews: &[i64], steps: &[RoundStep]) {
    const PEOPLE: [(&str, &str); 3] = [("Anna", "Sales"), ("Erik", "Engineering"), ("Sara", "Support")];
    let root = tempfile::tempdir().unwrap();
    let shared = root.path().join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    let mut reps: Vec<Replica> = (0..3)
        .map(|i| {
            let dir = root.path().join(format!("r{i}"));
            set_clock_skew(skews[i]);
            let mut ws = Workspace::init(&dir, Some("P")).unwrap();
            ws.add_person(PEOPLE[i].0, PEOPLE[i].1).unwrap();
            ws.set_remote(shared.to_str().unwrap(), KeyChoice::Plain).unwrap();
            Replica { dir, ws: Some(ws), skew: skews[i], name: PEOPLE[i].0 }
        })
        .collect();
    let positions = PEOPLE.iter().map(|(_, p)| (p.to_string(), format!("{p} wants its way"))).collect();
    let ws = reps[0].ws();
    ws.create(NewItem { kind: Some(Kind::Friction), title: "Release date".into(), positions, ..Default::default() }).unwrap();
    let res = ws
        .create(NewItem {
            kind: Some(Kind::Resolution),
            title: "June".into(),
            body: "resolves:: [[Release date]]".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    ws.round_open(&res, &[]).unwrap();
    for rep in reps.iter_mut() {
        rep.ws().sync().unwrap();
    }
    for rep in reps.iter_mut() {
        rep.ws().sync().unwrap();
    }
    for (k, s) in steps.iter().enumerate() {
        match s {
            RoundStep::Answer { r, answer, child } => {
                let a = ["consent", "concern", "objection"][*answer];
                let title = format!("Objection {k}");
                // Refused once the round is closed here: nothing is written then.
                let _ =
                    reps[*r].ws().round_answer(&res, a, (*answer > 0).then_some("a reason"), (*answer == 2 && *child).then_some(&title));
            }
            RoundStep::Close { r, overriding } => {
                let _ = reps[*r].ws().round_close(&res, overriding.then_some("the team decided"));
            }
            RoundStep::Sync { r } => {
                reps[*r].ws().sync().unwrap();
            }
        }
    }
    for _ in 0..2 {
        for rep in reps.iter_mut() {
            rep.ws().sync().unwrap();
        }
    }
    let mut states = Vec::new();
    for rep in reps.iter_mut() {
        let ws = rep.ws();
        let round = ws.round_find(&res).unwrap().expect("the round");
        let friction = ws.resolve_ref("Release date").and_then(|id| ws.item(&id)).unwrap();
        for c in ws.conflicts().unwrap() {
            assert!(!c.field.starts_with("round.answer."), "answers never conflict: {}", c.text);
        }
        states.push((serde_json::to_string_pretty(&round).unwrap(), friction.fields.clone(), dump(ws)));
        // The friction follows the merged round: held while open, resolved once closed.
        let status = friction.fields.get("status").unwrap_or_default().to_string();
        assert_eq!(status, if round.state == "open" { "exploring" } else { "resolved" }, "{}", states.last().unwrap().0);
    }
    for s in &states[1..] {
        assert!(s == &states[0], "replicas differ:\n--- first\n{}\n--- other\n{}", states[0].0, s.0);
    }
    set_clock_skew(0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 200, ..ProptestConfig::default() })]
    #[test]
    fn answering_and_closing_a_round_on_three_devices_converges(
        skews in proptest::collection::vec(-3_600_000i64..=3_600_000, 3),
        steps in proptest::collection::vec(round_step(), 4..30),
    ) {
        run_round(&skews, &steps);
    }
}
