//! `mellanrum`, the command line: every capability of the workspace, for scripting, automation
//! and headless use. Thin: it parses arguments, calls the library and prints.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use mellanrum::model::Kind;
use mellanrum::workspace::{Edit, ItemView, LinkView, NewItem, SaveReport, Workspace};
use serde_json::json;

mod attach;
mod calendar;
mod export;
mod import;
mod lens;
mod retired;
mod round;
mod search;
mod sync;

#[derive(Parser)]
#[command(
    name = "mellanrum",
    version,
    about = "Linked notes, frictions and their resolutions, customer signals and insights — a workspace for knowledge created together"
)]
struct Cli {
    /// The workspace folder (default: the folder you are in, or one of its parents).
    #[arg(long, global = true, env = "MELLANRUM_WORKSPACE", value_name = "DIR")]
    workspace: Option<PathBuf>,

    /// Act as this person (changes are attributed to them).
    #[arg(long = "as", global = true, value_name = "PERSON")]
    as_person: Option<String>,

    /// Print data as JSON.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make a folder a new workspace.
    Init {
        dir: PathBuf,
        /// The workspace's name (default: the folder's name).
        #[arg(long)]
        name: Option<String>,
        /// Join a shared workspace: a folder or s3://bucket/prefix; pulls what is there.
        #[arg(long)]
        remote: Option<String>,
        /// The workspace key of an encrypted shared workspace.
        #[arg(long, requires = "remote", env = "MELLANRUM_KEY", hide_env_values = true)]
        key: Option<String>,
        /// Encrypt a new shared storage with a fresh key (shown once).
        #[arg(long, requires = "remote", conflicts_with = "key")]
        encrypt: bool,
    },
    /// Create a demo workspace showing every kind of item and link.
    Demo { dir: PathBuf },
    /// Bring knowledge in: an Obsidian or Logseq vault, customer signals from CSV or JSON, meetings from a calendar.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Export the knowledge map: graphml, cytoscape, dot, mermaid, vault or html (whole, or --query plus --hops).
    Export(export::ExportArgs),
    /// The workspace's name, people and item counts.
    Info,
    /// People and their perspectives.
    #[command(subcommand)]
    Person(PersonCommand),
    /// Create an item: note, signal, insight, friction, resolution, goal or meeting.
    Add {
        kind: String,
        #[arg(long)]
        title: String,
        #[command(flatten)]
        body: BodyArgs,
        /// A tag (repeatable).
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// Another name [[links]] may use (repeatable).
        #[arg(long = "alias", value_name = "ALIAS")]
        aliases: Vec<String>,
        /// A field of the kind, e.g. --set source=interview (repeatable).
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        /// A friction's position for one perspective, e.g. --position Sales="Ship in March" (repeatable).
        #[arg(long = "position", value_name = "PERSPECTIVE=TEXT")]
        positions: Vec<String>,
    },
    /// Show an item with its fields, links and backlinks.
    Show {
        /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
        #[arg(value_name = "REF")]
        reference: String,
    },
    /// Change an item.
    Edit {
        /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
        #[arg(value_name = "REF")]
        reference: String,
        #[arg(long)]
        title: Option<String>,
        #[command(flatten)]
        body: BodyArgs,
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        /// Set (or with an empty TEXT remove) a friction's position.
        #[arg(long = "position", value_name = "PERSPECTIVE=TEXT")]
        positions: Vec<String>,
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        #[arg(long = "untag", value_name = "TAG")]
        untags: Vec<String>,
        #[arg(long = "alias", value_name = "ALIAS")]
        aliases: Vec<String>,
        #[arg(long = "unalias", value_name = "ALIAS")]
        unaliases: Vec<String>,
    },
    /// Rename an item; [[links]] to it in other items are rewritten.
    Rename {
        /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
        #[arg(value_name = "REF")]
        reference: String,
        new_title: String,
    },
    /// Add a typed link (written into FROM's body as `REL:: [[TO]]`).
    Link {
        from: String,
        to: String,
        /// references, evidence, resolves, advances, supports, contradicts or derived-from.
        #[arg(long)]
        rel: String,
    },
    /// Remove a typed link from FROM's body.
    Unlink {
        from: String,
        to: String,
        #[arg(long)]
        rel: String,
    },
    /// List items, newest first.
    List {
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        tag: Option<String>,
        /// Include deleted items.
        #[arg(long)]
        deleted: bool,
    },
    /// Items that link to an item.
    Backlinks {
        /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
        #[arg(value_name = "REF")]
        reference: String,
    },
    /// Links whose target does not exist (yet).
    Unresolved,
    /// Every revision of an item: who changed what, when.
    History {
        /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
        #[arg(value_name = "REF")]
        reference: String,
    },
    /// Delete an item (it stays in history; `restore` brings it back).
    Delete {
        /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
        #[arg(value_name = "REF")]
        reference: String,
    },
    /// The shared storage this workspace syncs through.
    #[command(subcommand)]
    Remote(sync::RemoteCommand),
    /// Send this device's changes to the shared storage and merge everyone else's.
    Sync {
        /// Keep syncing until stopped.
        #[arg(long)]
        watch: bool,
        /// Seconds between syncs with --watch.
        #[arg(long, default_value_t = 5, value_name = "SECONDS")]
        interval: u64,
        /// Also write a snapshot of the merged state and remove the segments every active device
        /// has read (new members start from the snapshot).
        #[arg(long, conflicts_with = "watch")]
        compact: bool,
    },
    /// Concurrent changes to the same field that were merged by rule.
    Conflicts,
    /// What other people changed since you last looked (here, from the app, or through sync).
    Activity {
        /// The most changes to list (the count of unseen changes is always whole).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Only look: the next `activity` shows the same changes again.
        #[arg(long)]
        peek: bool,
    },
    /// Search: words, "phrases", -exclusions, OR, and filters such as kind:friction status:resolved tag:pricing.
    Search(search::SearchArgs),
    /// Rebuild the search index from the database.
    Reindex,
    /// Follow the red thread from an item: upstream to its evidence, downstream to the goals.
    Trace {
        /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
        #[arg(value_name = "REF")]
        reference: String,
        /// How many links deep to follow each way.
        #[arg(long, default_value_t = 10)]
        depth: usize,
        /// Count ages and recency to this day (default: today).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
    /// Precedents: the items most like this one, resolved frictions with their resolutions first.
    Similar {
        /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
        #[arg(value_name = "REF")]
        reference: String,
        /// How many items to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// The integration lens: silos and bridges, unused signals and insights, open frictions,
    /// the share of work and of meeting hours that traces to a goal.
    Lens {
        /// Count ages to this day (default: today).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Only meetings from this day on count for the calendar figures.
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Only meetings up to this day count.
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// The longest list of items per figure (0: all); counts are always whole.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Hours an all-day event counts per day.
        #[arg(long, default_value_t = 8.0)]
        workday_hours: f64,
        /// What falls between chairs: days a signal waits without a link (default 14)…
        #[arg(long, value_name = "DAYS")]
        signal_days: Option<i64>,
        /// …an insight with evidence waits for a decision (30)…
        #[arg(long, value_name = "DAYS")]
        insight_days: Option<i64>,
        /// …an open friction waits without a change (30)…
        #[arg(long, value_name = "DAYS")]
        friction_days: Option<i64>,
        /// …a consent round waits for a perspective (7)…
        #[arg(long, value_name = "DAYS")]
        round_days: Option<i64>,
        /// …and an item handed to another perspective waits for its answer (14).
        #[arg(long, value_name = "DAYS")]
        handover_days: Option<i64>,
    },
    /// Bring back a deleted item (`restore REF`), or the whole workspace from a backup (`restore --from FILE`).
    Restore {
        /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
        #[arg(value_name = "REF")]
        reference: Option<String>,
        /// A backup file written by `mellanrum backup`.
        #[arg(long, value_name = "FILE", conflicts_with = "reference")]
        from: Option<PathBuf>,
    },
    /// Retired practices: who owns them, the hours they freed, their reviews, and new items that mention them.
    Retired {
        #[command(subcommand)]
        command: Option<retired::RetiredCommand>,
        /// Count reviews due as of this day (default: today).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
    /// Consent rounds on resolutions: open, answer, show, close, and the rounds waiting for you.
    #[command(subcommand)]
    Round(round::RoundCommand),
    /// Check the workspace: the database, fields, links against bodies, frictions, history.
    Doctor {
        /// Mend what can be derived again, and say what was done.
        #[arg(long)]
        repair: bool,
    },
    /// Add files to an item: stored in the workspace (once per content) and linked from its body.
    Attach {
        /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
        #[arg(value_name = "REF")]
        reference: String,
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The name to give the file (default: its own name); with one file.
        #[arg(long)]
        name: Option<String>,
    },
    /// The files in the workspace, or the files an item links to (and those it names but the workspace lacks).
    Attachments {
        /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
        #[arg(value_name = "REF")]
        reference: Option<String>,
        /// Set the largest file this workspace takes (e.g. 250MB; the default is 100MB).
        #[arg(long, value_name = "SIZE", conflicts_with = "reference")]
        max_size: Option<String>,
    },
    /// Write a copy of an attachment to a new file, or into a folder under its name.
    SaveAs {
        /// The attachment: its name, its path, or a sha256 prefix (8+ characters).
        name: String,
        dest: PathBuf,
    },
    /// Open an attachment in the system's default application.
    Open {
        /// The attachment: its name, its path, or a sha256 prefix (8+ characters).
        name: String,
    },
    /// Remove an item's links to an attachment (the file stays: past revisions link to it).
    Detach {
        /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
        #[arg(value_name = "REF")]
        reference: String,
        /// The attachment: its name, its path, or a sha256 prefix (8+ characters).
        name: String,
    },
    /// Write a consistent copy of the workspace's database (safe while the app runs).
    Backup {
        /// The backup file to write (it must not exist yet).
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum PersonCommand {
    /// Add a person; the first one becomes the current person.
    Add {
        name: String,
        #[arg(long)]
        perspective: String,
    },
    /// List people.
    List,
    /// Make a person the current one in this workspace.
    Use { name: String },
    /// Change a person's perspective.
    Set {
        name: String,
        #[arg(long)]
        perspective: String,
    },
}

#[derive(Args)]
struct BodyArgs {
    /// The Markdown body.
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    /// Read the Markdown body from a file (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
}

impl BodyArgs {
    fn read(&self) -> Result<Option<String>> {
        if let Some(b) = &self.body {
            return Ok(Some(b.clone()));
        }
        let Some(path) = &self.body_file else { return Ok(None) };
        let mut bytes = Vec::new();
        if path == Path::new("-") {
            std::io::stdin().read_to_end(&mut bytes).context("reading the body from standard input")?;
        } else {
            bytes = std::fs::read(path).with_context(|| format!("{}: cannot read the body", path.display()))?;
        }
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|e| anyhow!("{}: the body is not UTF-8 text (byte {})", path.display(), e.utf8_error().valid_up_to()))
    }
}

/// mimalloc: an import or a lens spent a fifth of its time in the system allocator's
/// bookkeeping (docs/BENCHMARKS.md, "Import with ref, sixth round").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error ({info}); nothing was written. Please report this.");
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

pub(crate) fn out(text: &str) -> Result<()> {
    let mut o = std::io::stdout().lock();
    o.write_all(text.as_bytes())?;
    if !text.is_empty() && !text.ends_with('\n') {
        o.write_all(b"\n")?;
    }
    o.flush()?;
    Ok(())
}

pub(crate) fn out_json(v: &impl serde::Serialize) -> Result<()> {
    out(&serde_json::to_string_pretty(v)?)
}

fn workspace_dir(cli: &Cli) -> Result<PathBuf> {
    match &cli.workspace {
        Some(d) => Ok(d.clone()),
        None => {
            let cwd = std::env::current_dir().context("cannot read the current folder")?;
            Workspace::discover(&cwd).map_err(|_| {
                anyhow!("no workspace here: pass --workspace DIR, set MELLANRUM_WORKSPACE, or create one with `mellanrum init DIR`")
            })
        }
    }
}

fn open(cli: &Cli) -> Result<Workspace> {
    let dir = workspace_dir(cli)?;
    // A workspace written by an older Mellanrum is upgraded once, as it opens.
    let mut pb: Option<indicatif::ProgressBar> = None;
    let (mut ws, upgraded) = Workspace::open_reporting(&dir, &mut |done, total| {
        let b = pb.get_or_insert_with(|| {
            let b = if std::io::stderr().is_terminal() { indicatif::ProgressBar::new(total) } else { indicatif::ProgressBar::hidden() };
            b.set_style(
                indicatif::ProgressStyle::with_template("{spinner} upgrading the history {pos}/{len} [{bar:30}] {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b
        });
        b.set_length(total);
        b.set_position(done);
    })?;
    if let Some(b) = pb {
        b.finish_and_clear();
    }
    if let Some(u) = upgraded {
        let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
        eprintln!(
            "upgraded the workspace's record: {} revisions as deltas, {} change-log entries and {} body documents compressed; the database went from {:.1} MiB to {:.1} MiB",
            u.revisions,
            u.changes,
            u.documents,
            mib(u.bytes_before),
            mib(u.bytes_after)
        );
    }
    if let Some(p) = &cli.as_person {
        ws.act_as(p)?;
    }
    Ok(ws)
}

fn pairs(values: &[String], what: &str) -> Result<Vec<(String, String)>> {
    values
        .iter()
        .map(|v| match v.split_once('=') {
            Some((k, val)) if !k.trim().is_empty() => Ok((k.trim().to_string(), val.to_string())),
            _ => bail!("'{v}' is not {what}"),
        })
        .collect()
}

fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Init { dir, name, remote, key, encrypt } => {
            let mut ws = Workspace::init(dir, name.as_deref())?;
            if let Some(r) = remote {
                let choice = sync::key_choice(*encrypt, key.as_deref());
                let joined = ws.set_remote(r, choice).and_then(|info| Ok((info, ws.sync()?)));
                let (info, report) = match joined {
                    Ok(x) => x,
                    Err(e) => {
                        // Leave no half-joined workspace behind.
                        drop(ws);
                        for f in [mellanrum::workspace::DB_FILE, "mellanrum.db-wal", "mellanrum.db-shm"] {
                            let _ = std::fs::remove_file(dir.join(f));
                        }
                        return Err(e.into());
                    }
                };
                let name = ws.name()?;
                if cli.json {
                    return out_json(&json!({"path": dir, "name": name, "remote": info, "sync": report}));
                }
                if let Some(k) = &info.new_key {
                    out(&format!("Workspace key (shown only now — give it to each member):\n  {k}"))?;
                }
                out(&format!("Created workspace '{name}' in {}, shared through {}", dir.display(), info.remote))?;
                return sync::print_report(&report, false, false);
            }
            let name = ws.name()?;
            if cli.json {
                out_json(&json!({"path": dir, "name": name}))
            } else {
                out(&format!(
                    "Created workspace '{name}' in {}\nNext: mellanrum --workspace {} person add YOUR_NAME --perspective YOUR_PERSPECTIVE",
                    dir.display(),
                    dir.display()
                ))
            }
        }
        Command::Import(cmd) => import::run(&cli, cmd),
        Command::Export(args) => export::run(&cli, args),
        Command::Demo { dir } => {
            let mut ws = mellanrum::demo::create(dir)?;
            let n: i64 = ws.counts()?.values().sum();
            out(&format!("Created the demo workspace in {} with {n} items", dir.display()))
        }
        Command::Info => {
            let mut ws = open(&cli)?;
            let name = ws.name()?;
            let counts = ws.counts()?;
            let people = ws.people()?;
            let me = ws.current_person().ok();
            let record = ws.record_stats()?;
            if cli.json {
                let counts: serde_json::Map<_, _> =
                    Kind::ALL.iter().map(|k| (k.to_string(), json!(counts.get(k).copied().unwrap_or(0)))).collect();
                out_json(&json!({"name": name, "path": ws.root(), "device": ws.device(), "counts": counts,
                    "people": people.len(), "current_person": me.map(|p| p.name), "record": record}))
            } else {
                let mut s = format!("{name}  ({})\n", ws.root().display());
                for k in Kind::ALL {
                    s += &format!("  {:<11} {}\n", plural(k), counts.get(&k).copied().unwrap_or(0));
                }
                s += &format!("  people      {}\n", people.len());
                let kib = |b: u64| (b as f64 / 1024.0).round();
                s += &format!(
                    "  record      {} revisions: bodies {} KiB, history {} KiB, change log {} KiB, text documents {} KiB; database {} KiB\n",
                    record.revisions,
                    kib(record.body_bytes),
                    kib(record.history_bytes),
                    kib(record.log_bytes),
                    kib(record.document_bytes),
                    kib(record.database_bytes)
                );
                s += &format!(
                    "You are {}",
                    me.map(|p| format!("{} ({})", p.name, p.perspective))
                        .unwrap_or_else(|| "nobody yet (mellanrum person add NAME --perspective P)".into())
                );
                out(&s)
            }
        }
        Command::Person(pc) => {
            let mut ws = open(&cli)?;
            match pc {
                PersonCommand::Add { name, perspective } => {
                    let p = ws.add_person(name, perspective)?;
                    if cli.json {
                        out_json(&p)
                    } else {
                        out(&format!("Added {} ({})", p.name, p.perspective))
                    }
                }
                PersonCommand::List => {
                    let people = ws.people()?;
                    let me = ws.current_person().ok().map(|p| p.id);
                    if cli.json {
                        out_json(&people)
                    } else {
                        let mut s = String::new();
                        for p in people {
                            let star = if Some(&p.id) == me.as_ref() { "*" } else { " " };
                            s += &format!("{star} {:<24} {}\n", p.name, p.perspective);
                        }
                        out(&s)
                    }
                }
                PersonCommand::Use { name } => {
                    let p = ws.use_person(name)?;
                    out(&format!("You are now {} ({})", p.name, p.perspective))
                }
                PersonCommand::Set { name, perspective } => {
                    let p = ws.set_perspective(name, perspective)?;
                    out(&format!("{} is now {}", p.name, p.perspective))
                }
            }
        }
        Command::Add { kind, title, body, tags, aliases, set, positions } => {
            let kind: Kind = kind.parse()?;
            let body = body.read()?.unwrap_or_default();
            let mut ws = open(&cli)?;
            let new = NewItem {
                kind: Some(kind),
                title: title.clone(),
                body,
                tags: tags.clone(),
                aliases: aliases.clone(),
                set: pairs(set, "FIELD=VALUE")?,
                positions: pairs(positions, "PERSPECTIVE=TEXT")?,
            };
            let report = ws.create(new)?;
            if cli.json {
                out_json(&json!({"id": report.id}))?;
            } else {
                out(&report.id)?;
            }
            // The item is saved: a failing look for retired practices is not the save's error.
            for (practice, by, on) in ws.mentions_retired(&report.id).unwrap_or_default() {
                eprintln!("note: this mentions '{practice}', a practice retired by '{by}' on {on} — is the old way coming back?");
            }
            tell(&mut ws, &report)
        }
        Command::Show { reference } => {
            let mut ws = open(&cli)?;
            let id = ws.resolve_ref(reference)?;
            let view = ws.show(&id)?;
            if cli.json {
                out_json(&view)
            } else {
                out(&render_item(&view))
            }
        }
        Command::Edit { reference, title, body, set, positions, tags, untags, aliases, unaliases } => {
            let body = body.read()?;
            let mut ws = open(&cli)?;
            let id = ws.resolve_ref(reference)?;
            let edit = Edit {
                title: title.clone(),
                body,
                set: pairs(set, "FIELD=VALUE")?,
                positions: pairs(positions, "PERSPECTIVE=TEXT")?,
                add_tags: tags.clone(),
                remove_tags: untags.clone(),
                add_aliases: aliases.clone(),
                remove_aliases: unaliases.clone(),
            };
            if edit.is_empty() {
                bail!("nothing to change: give --title, --body, --set, --position, --tag, --untag, --alias or --unalias");
            }
            let report = ws.update(&id, edit)?;
            if cli.json {
                out_json(&json!({"id": report.id}))?;
            }
            tell(&mut ws, &report)
        }
        Command::Rename { reference, new_title } => {
            let mut ws = open(&cli)?;
            let id = ws.resolve_ref(reference)?;
            let r = ws.rename(&id, new_title)?;
            if cli.json {
                out_json(&r)
            } else {
                out(&format!("Renamed '{}' to '{}'; rewrote links in {} item(s)", r.old_title, r.new_title, r.rewritten.len()))
            }
        }
        Command::Link { from, to, rel } => {
            let rel = rel.parse()?;
            let mut ws = open(&cli)?;
            let (f, t) = (ws.resolve_ref(from)?, ws.resolve_ref(to)?);
            let report = ws.link(&f, &t, rel)?;
            if cli.json {
                out_json(&json!({"id": report.id}))?;
            }
            tell(&mut ws, &report)
        }
        Command::Unlink { from, to, rel } => {
            let rel = rel.parse()?;
            let mut ws = open(&cli)?;
            let (f, t) = (ws.resolve_ref(from)?, ws.resolve_ref(to)?);
            let report = ws.unlink(&f, &t, rel)?;
            if cli.json {
                out_json(&json!({"id": report.id}))?;
            }
            tell(&mut ws, &report)
        }
        Command::List { kind, tag, deleted } => {
            let kind = kind.as_deref().map(str::parse::<Kind>).transpose()?;
            let mut ws = open(&cli)?;
            let items = ws.list(kind, tag.as_deref(), *deleted)?;
            if cli.json {
                out_json(&items)
            } else {
                let mut s = String::new();
                for i in items {
                    let status = i.status.map(|s| format!(" [{s}]")).unwrap_or_default();
                    s += &format!("{}  {:<10} {}{status}\n", &i.id[..13], i.kind, i.title);
                }
                out(&s)
            }
        }
        Command::Backlinks { reference } => {
            let mut ws = open(&cli)?;
            let id = ws.resolve_ref(reference)?;
            let links = ws.backlinks(&id)?;
            if cli.json {
                out_json(&links)
            } else {
                out(&links.iter().map(|l| format!("{:<13} ← {}\n", l.rel, l.title)).collect::<String>())
            }
        }
        Command::Unresolved => {
            let mut ws = open(&cli)?;
            let u = ws.unresolved()?;
            if cli.json {
                out_json(&u)
            } else {
                let mut s = String::new();
                for t in u {
                    let srcs: Vec<String> = t
                        .sources
                        .iter()
                        .map(|x| match &x.problem {
                            Some(p) => format!("{} (line {}: {p})", x.title, x.line),
                            None => format!("{} (line {})", x.title, x.line),
                        })
                        .collect();
                    s += &format!("[[{}]]  ← {}\n", t.target, srcs.join(", "));
                }
                out(&s)
            }
        }
        Command::History { reference } => {
            let mut ws = open(&cli)?;
            let id = ws.resolve_ref(reference)?;
            let h = ws.history(&id)?;
            if cli.json {
                out_json(&h)
            } else {
                let names: std::collections::HashMap<String, String> = ws.people()?.into_iter().map(|p| (p.id, p.name)).collect();
                let mut s = String::new();
                for r in h {
                    s += &format!("#{:<3} {}  {:<8} {}\n", r.rev, r.at, r.op, r.author);
                    if let Some(obj) = r.changes.as_object() {
                        for (field, ch) in obj {
                            let empty = matches!(&ch["new"], serde_json::Value::Null | serde_json::Value::Bool(false))
                                || ch["new"].as_array().is_some_and(|a| a.is_empty())
                                || ch["new"].as_str().is_some_and(str::is_empty);
                            if r.op == "create" && (empty || field == "kind") {
                                continue;
                            }
                            match field.strip_prefix("round.answer.") {
                                // A consent round's answer: whose, and what, in words.
                                Some(pid) => {
                                    let who = names.get(pid).map_or(pid, String::as_str);
                                    s += &format!("      answer of {who}: {} → {}\n", answer_text(&ch["old"]), answer_text(&ch["new"]));
                                }
                                None => s += &format!("      {field}: {}\n", describe_change(field, ch)),
                            }
                        }
                    }
                }
                out(&s)
            }
        }
        Command::Delete { reference } => {
            let mut ws = open(&cli)?;
            let id = ws.resolve_ref(reference)?;
            let report = ws.delete(&id)?;
            if cli.json {
                out_json(&json!({"id": report.id}))?;
            } else {
                out(&format!("Deleted {} (bring it back with `mellanrum restore {}`)", report.id, report.id))?;
            }
            tell(&mut ws, &report)
        }
        Command::Remote(rc) => sync::remote(&cli, rc),
        Command::Sync { watch, interval, compact } => sync::sync(&cli, *watch, *interval, *compact),
        Command::Conflicts => sync::conflicts(&cli),
        Command::Activity { limit, peek } => {
            let mut ws = open(&cli)?;
            let a = ws.activity(*limit, !*peek)?;
            if cli.json {
                return out_json(&a);
            }
            if a.unseen == 0 {
                return out("Nothing new from others since you last looked.");
            }
            let mut s = format!("{} change(s) by others since you last looked:\n", a.unseen);
            for c in &a.changes {
                let what = match c.op.as_str() {
                    "create" => "created".to_string(),
                    "delete" => "deleted".to_string(),
                    "restore" => "restored".to_string(),
                    _ if c.fields.is_empty() => "changed".to_string(),
                    _ => format!("changed {} of", c.fields.join(", ")),
                };
                let who = if c.perspective.is_empty() { c.author.clone() } else { format!("{} ({})", c.author, c.perspective) };
                s += &format!("  {} {who} {what} {} '{}'\n", c.at, c.kind, c.title);
            }
            out(s.trim_end())
        }
        Command::Restore { reference: None, from: Some(from) } => {
            let mut ws = open(&cli)?;
            let r = ws.restore_backup(from)?;
            if cli.json {
                out_json(&r)
            } else {
                out(&format!(
                    "Restored {} items from {}; the workspace as it was is kept in {}",
                    r.items,
                    r.from.display(),
                    r.previous.display()
                ))
            }
        }
        Command::Restore { reference: None, from: None } => {
            bail!("give the item to restore (`restore REF`) or a backup (`restore --from FILE`)")
        }
        Command::Doctor { repair } => {
            let mut ws = open(&cli)?;
            let report = ws.doctor(*repair)?;
            if cli.json {
                out_json(&report)?;
            } else {
                let mut s = String::new();
                for c in &report.checks {
                    let mark = match c.status {
                        mellanrum::doctor::Status::Ok => "ok      ",
                        mellanrum::doctor::Status::Problem => "PROBLEM ",
                        mellanrum::doctor::Status::Repaired => "repaired",
                    };
                    s += &format!("{mark} {}\n", c.name);
                    for d in &c.details {
                        s += &format!("         {d}\n");
                    }
                }
                if !report.ok {
                    s += "Problems remain; `mellanrum doctor --repair` mends what can be derived again.\n";
                }
                out(&s)?;
            }
            if report.ok {
                Ok(())
            } else {
                std::process::exit(2)
            }
        }
        Command::Attach { reference, files, name } => attach::attach(&cli, reference, files, name.as_deref()),
        Command::Attachments { reference, max_size } => attach::list(&cli, reference.as_deref(), max_size.as_deref()),
        Command::SaveAs { name, dest } => attach::save_as(&cli, name, dest),
        Command::Open { name } => attach::open_file(&cli, name),
        Command::Detach { reference, name } => attach::detach(&cli, reference, name),
        Command::Backup { out: path } => {
            let mut ws = open(&cli)?;
            let b = ws.backup(path)?;
            if cli.json {
                out_json(&b)
            } else {
                out(&format!("Backed up {} items ({} bytes) to {}", b.items, b.bytes, b.path.display()))
            }
        }
        Command::Restore { reference: Some(reference), .. } => {
            let mut ws = open(&cli)?;
            let id = ws.resolve_ref(reference)?;
            let report = ws.restore(&id)?;
            if cli.json {
                out_json(&json!({"id": report.id}))?;
            } else {
                out(&format!("Restored {}", report.id))?;
            }
            tell(&mut ws, &report)
        }
        Command::Retired { command, as_of } => retired::run(&mut open(&cli)?, command.as_ref(), as_of.as_deref(), cli.json),
        Command::Round(rc) => round::run(&mut open(&cli)?, rc, cli.json),
        Command::Search(args) => search::search(&cli, args),
        Command::Reindex => search::reindex(&cli),
        Command::Similar { reference, limit } => lens::similar(&mut open(&cli)?, reference, *limit, cli.json),
        Command::Lens { as_of, from, to, limit, workday_hours, signal_days, insight_days, friction_days, round_days, handover_days } => {
            let mut t = mellanrum::chairs::Thresholds::default();
            for (v, slot) in [
                (signal_days, &mut t.signal_days),
                (insight_days, &mut t.insight_days),
                (friction_days, &mut t.friction_days),
                (round_days, &mut t.round_days),
                (handover_days, &mut t.handover_days),
            ] {
                if let Some(v) = v {
                    if *v < 0 {
                        bail!("a number of days cannot be negative ({v})");
                    }
                    *slot = *v;
                }
            }
            let a = lens::LensArgs {
                thresholds: t,
                as_of: as_of.as_deref(),
                from: from.as_deref(),
                to: to.as_deref(),
                limit: *limit,
                workday_hours: *workday_hours,
            };
            lens::lens(&mut open(&cli)?, a, cli.json)
        }
        Command::Trace { reference, depth, as_of } => lens::trace(&mut open(&cli)?, reference, *depth, as_of.as_deref(), cli.json),
    }
}

/// Tells, on stderr, what a save did besides the item itself.
pub(crate) fn tell(ws: &mut Workspace, r: &SaveReport) -> Result<()> {
    for (title, status) in &r.frictions {
        eprintln!("friction '{title}' is now {status}");
    }
    if !r.same_title.is_empty() {
        let title = ws.item(&r.id)?.title;
        eprintln!("note: {} other item(s) are also titled '{title}'; [[{title}]] links reach the oldest", r.same_title.len());
    }
    Ok(())
}

fn plural(k: Kind) -> String {
    format!("{k}s")
}

/// A consent round's answer as a revision stores it (the register's JSON text), in words.
fn answer_text(v: &serde_json::Value) -> String {
    let Some(a) = v.as_str().and_then(|s| serde_json::from_str::<mellanrum::model::Answer>(s).ok()) else { return "—".into() };
    let mut t = a.answer.clone();
    if let Some(r) = &a.reason {
        t += &format!(" ({r})");
    }
    if a.friction.is_some() {
        t += ", turned into a friction";
    }
    t
}

fn describe_change(field: &str, ch: &serde_json::Value) -> String {
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "—".to_string(),
        serde_json::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    let (o, n) = (&ch["old"], &ch["new"]);
    if field == "body" {
        let (os, ns) = (o.as_str().unwrap_or(""), n.as_str().unwrap_or(""));
        let diff = similar::TextDiff::from_lines(os, ns);
        let (mut add, mut del) = (0, 0);
        for c in diff.iter_all_changes() {
            match c.tag() {
                similar::ChangeTag::Insert => add += 1,
                similar::ChangeTag::Delete => del += 1,
                similar::ChangeTag::Equal => {}
            }
        }
        return format!("+{add} −{del} lines");
    }
    let short = |s: String| if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s };
    format!("{} → {}", short(show(o)), short(show(n)))
}

fn render_item(v: &ItemView) -> String {
    let bold = std::io::stdout().is_terminal();
    let b = |s: &str| if bold { format!("\x1b[1m{s}\x1b[0m") } else { s.to_string() };
    let mut s = format!("{}\n{} · {}{}\n", b(&v.title), v.kind, v.id, if v.deleted { " · DELETED" } else { "" });
    for (k, val) in &v.fields {
        if k == "positions" {
            if let Some(obj) = val.as_object() {
                if !obj.is_empty() {
                    s += "positions:\n";
                    for (p, pos) in obj {
                        s += &format!("  {p}: {}\n", pos.as_str().unwrap_or_default());
                    }
                }
            }
        } else if let Some(x) = val.as_str() {
            s += &format!("{k}: {x}\n");
        }
    }
    if !v.tags.is_empty() {
        s += &format!("tags: {}\n", v.tags.join(", "));
    }
    if !v.aliases.is_empty() {
        s += &format!("aliases: {}\n", v.aliases.join(", "));
    }
    let contributors: Vec<String> = v.contributors.iter().map(|p| format!("{} ({})", p.name, p.perspective)).collect();
    s += &format!("author: {} · contributors: {}\n", v.author, contributors.join(", "));
    s += &format!("created {} · updated {}\n", v.created, v.updated);
    if !v.body.is_empty() {
        s += &format!("\n{}\n", v.body.trim_end());
    }
    let line = |l: &LinkView, arrow: &str| {
        let kind = l.kind.map(|k| format!(" [{k}]")).unwrap_or_else(|| " (unresolved)".into());
        let problem = l.problem.as_ref().map(|p| format!(" — {p}")).unwrap_or_default();
        format!("  {:<13} {arrow} {}{kind}{problem}\n", l.rel.as_str(), l.title)
    };
    if !v.links.is_empty() {
        s += &format!("\n{}\n", b("Links"));
        for l in &v.links {
            s += &line(l, "→");
        }
    }
    if !v.backlinks.is_empty() {
        s += &format!("\n{}\n", b("Backlinks"));
        for l in &v.backlinks {
            s += &line(l, "←");
        }
    }
    s
}
