//! The benchmark vault: N Markdown notes (notes, signals, insights, frictions and resolutions with
//! front matter, tags, ~120 words and three to four `[[links]]` each, all resolving) and a CSV and a JSON
//! array of N signals. Shared by the benchmarks that import it; deterministic, so every run sees the same text.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

pub const WORDS: &[&str] = &[
    "customer",
    "kund",
    "release",
    "leverans",
    "pricing",
    "pris",
    "onboarding",
    "support",
    "latency",
    "export",
    "search",
    "sync",
    "team",
    "sales",
    "engineering",
    "design",
    "roadmap",
    "friction",
    "decision",
    "quality",
    "feedback",
    "invoice",
    "contract",
    "mobile",
    "desktop",
    "offline",
    "meeting",
    "goal",
    "strategy",
    "signal",
    "insight",
    "workflow",
    "dashboard",
    "report",
    "integration",
    "security",
    "privacy",
    "performance",
    "beslut",
    "möte",
    "mål",
    "kvalitet",
    "återkoppling",
    "avtal",
    "faktura",
    "säkerhet",
    "prestanda",
    "arbetsflöde",
];

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub fn kind_of(i: usize) -> &'static str {
    match i % 20 {
        0..=11 => "note",
        12..=15 => "signal",
        16 | 17 => "insight",
        18 => "friction",
        _ => "resolution",
    }
}

pub fn title(i: usize) -> String {
    format!("{} {i:06} {}", kind_of(i), WORDS[i % WORDS.len()])
}

/// The nearest item before `i` of `kind` (links only point backwards, so every one resolves).
fn earlier(i: usize, kind: &str, rng: &mut Rng) -> Option<usize> {
    let back = 1 + rng.below(2000.min(i.max(1)));
    let mut j = i.checked_sub(back)?;
    loop {
        if kind_of(j) == kind {
            return Some(j);
        }
        j = j.checked_sub(1)?;
    }
}

/// The path of note `i` in a vault.
pub fn note_path(vault: &Path, i: usize) -> std::path::PathBuf {
    vault.join(format!("{:03}", i / 1000)).join(format!("{}.md", title(i)))
}

/// Writes the vault (`dir/vault`), the CSV (`dir/signals.csv`) and the JSON (`dir/signals.json`)
/// unless a complete set is there.
pub fn generate(dir: &Path, n: usize) -> std::io::Result<()> {
    let vault = dir.join("vault");
    if vault.join(".complete").exists() && dir.join("signals.json").exists() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(&vault);
    let mut rng = Rng(0x9e3779b97f4a7c15);
    for i in 0..n {
        if i % 1000 == 0 {
            std::fs::create_dir_all(vault.join(format!("{:03}", i / 1000)))?;
        }
        let kind = kind_of(i);
        let mut s = format!("---\nkind: {kind}\ntags: [{}, area/{}]\n", WORDS[rng.below(WORDS.len())], WORDS[rng.below(WORDS.len())]);
        match kind {
            "signal" => {
                s += &format!(
                    "source: interview\ncustomer: Customer {}\ndate: 2026-0{}-1{}\n",
                    rng.below(500),
                    1 + rng.below(9),
                    rng.below(10)
                )
            }
            "insight" => s += "status: hypothesis\n",
            "friction" => s += "severity: high\npositions:\n  Sales: ship now\n  Engineering: ship later\n",
            "resolution" => s += "decision: ship in two steps\nagreed_by: Anna, Erik\n",
            _ => {}
        }
        s += &format!("rating: {}\n---\n", rng.below(5));
        for w in 0..120 {
            s += WORDS[rng.below(WORDS.len())];
            s.push(if w % 15 == 14 { '\n' } else { ' ' });
        }
        for _ in 0..3 {
            if i > 0 {
                s += &format!("\nSee [[{}]].", title(rng.below(i)));
            }
        }
        let typed = match kind {
            "insight" => earlier(i, "signal", &mut rng).map(|j| ("evidence", j)),
            "resolution" => earlier(i, "friction", &mut rng).map(|j| ("resolves", j)),
            _ => None,
        };
        if let Some((rel, j)) = typed {
            s += &format!("\n{rel}:: [[{}]]\n", title(j));
        }
        std::fs::write(note_path(&vault, i), s)?;
    }
    let mut csv = std::io::BufWriter::new(std::fs::File::create(dir.join("signals.csv"))?);
    let mut json = std::io::BufWriter::new(std::fs::File::create(dir.join("signals.json"))?);
    writeln!(csv, "Id,Summary,Customer,Created,Text")?;
    writeln!(json, "[")?;
    for i in 0..n {
        let text: Vec<&str> = (0..60).map(|_| WORDS[rng.below(WORDS.len())]).collect();
        let summary = format!("Ticket {i}: {} {}", WORDS[i % WORDS.len()], WORDS[rng.below(WORDS.len())]);
        let customer = format!("Customer {}", rng.below(500));
        let text = text.join(" ");
        writeln!(csv, "S{i},\"{summary}\",{customer},30/Sep/21 17:20,\"{text}\"")?;
        let record = serde_json::json!({"id": format!("S{i}"), "summary": summary, "customer": customer,
            "created": "2021-09-30T17:20:00Z", "text": text});
        writeln!(json, "{record}{}", if i + 1 < n { "," } else { "" })?;
    }
    writeln!(json, "]")?;
    csv.flush()?;
    json.flush()?;
    std::fs::write(vault.join(".complete"), "")?;
    Ok(())
}

/// The size of every file under `dir` (bytes).
pub fn dir_bytes(dir: &Path) -> u64 {
    let mut n = 0;
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            n += if p.is_dir() { dir_bytes(&p) } else { e.metadata().map_or(0, |m| m.len()) };
        }
    }
    n
}

/// Peak resident memory of this process, in MiB.
pub fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}
