//! `mellanrum`, the command line: every capability of the workspace, for scripting, automation
//! and headless use. Thin: it parses arguments, calls the library and prints. Each command (or
//! group of commands) is a module of its own with its arguments and its text and JSON output;
//! this file only lists them and hands each to its module.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

mod add;
mod attach;
mod calendar;
mod common;
mod doctor;
mod export;
mod hint;
mod history;
mod import;
mod info;
mod init;
mod item;
mod lens;
mod list;
mod person;
mod remote;
mod retired;
mod round;
mod search;
mod show;
mod similar;
mod sync;
mod trace;

pub(crate) use common::{as_of, open, out, out_json, tell};

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

// The item named by a command's one argument.
#[derive(clap::Args)]
struct Reference {
    /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
    #[arg(value_name = "REF")]
    reference: String,
}

#[derive(Subcommand)]
enum Command {
    /// Make a folder a new workspace.
    Init(init::InitArgs),
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
    Person(person::PersonCommand),
    /// Create an item: note, signal, insight, friction, resolution, goal or meeting.
    Add(add::AddArgs),
    /// Show an item with its fields, links and backlinks.
    Show(Reference),
    /// Change an item.
    Edit(add::EditArgs),
    /// Rename an item; [[links]] to it in other items are rewritten.
    Rename {
        /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
        #[arg(value_name = "REF")]
        reference: String,
        new_title: String,
    },
    /// Add a typed link (written into FROM's body as `REL:: [[TO]]`).
    Link(item::LinkArgs),
    /// Remove a typed link from FROM's body.
    Unlink(item::LinkArgs),
    /// List items, newest first.
    List(list::ListArgs),
    /// Items that link to an item.
    Backlinks(Reference),
    /// Links whose target does not exist (yet).
    Unresolved,
    /// Every revision of an item: who changed what, when.
    History(Reference),
    /// Delete an item (it stays in history; `restore` brings it back).
    Delete(Reference),
    /// The shared storage this workspace syncs through.
    #[command(subcommand)]
    Remote(remote::RemoteCommand),
    /// Send this device's changes to the shared storage and merge everyone else's.
    Sync(sync::SyncArgs),
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
    Trace(trace::TraceArgs),
    /// Precedents: the items most like this one, resolved frictions with their resolutions first.
    Similar(similar::SimilarArgs),
    /// The integration lens: silos and bridges, unused signals and insights, open frictions,
    /// the share of work and of meeting hours that traces to a goal.
    Lens(lens::LensArgs),
    /// Bring back a deleted item (`restore REF`), or the whole workspace from a backup (`restore --from FILE`).
    Restore(item::RestoreArgs),
    /// Retired practices: who owns them, the hours they freed, their reviews, and new items that mention them.
    Retired(retired::RetiredArgs),
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
    Attach(attach::AttachArgs),
    /// The files in the workspace, or the files an item links to (and those it names but the workspace lacks).
    Attachments(attach::AttachmentsArgs),
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
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", hint::line(&e));
            ExitCode::from(1)
        }
    }
}

/// Hands each command to its module.
fn run(cli: &Cli) -> Result<()> {
    match &cli.command {
        Command::Init(a) => init::init(cli, a),
        Command::Demo { dir } => init::demo(dir),
        Command::Import(cmd) => import::run(cli, cmd),
        Command::Export(a) => export::run(cli, a),
        Command::Info => info::run(cli),
        Command::Person(pc) => person::run(cli, pc),
        Command::Add(a) => add::add(cli, a),
        Command::Show(r) => show::run(cli, &r.reference),
        Command::Edit(a) => add::edit(cli, a),
        Command::Rename { reference, new_title } => item::rename(cli, reference, new_title),
        Command::Link(a) => item::link(cli, a, false),
        Command::Unlink(a) => item::link(cli, a, true),
        Command::List(a) => list::list(cli, a),
        Command::Backlinks(r) => list::backlinks(cli, &r.reference),
        Command::Unresolved => list::unresolved(cli),
        Command::History(r) => history::history(cli, &r.reference),
        Command::Delete(r) => item::delete(cli, &r.reference),
        Command::Remote(rc) => remote::remote(cli, rc),
        Command::Sync(a) => sync::sync(cli, a),
        Command::Conflicts => sync::conflicts(cli),
        Command::Activity { limit, peek } => history::activity(cli, *limit, *peek),
        Command::Search(a) => search::search(cli, a),
        Command::Reindex => search::reindex(cli),
        Command::Trace(a) => trace::run(cli, a),
        Command::Similar(a) => similar::run(cli, a),
        Command::Lens(a) => lens::run(cli, a),
        Command::Restore(a) => item::restore(cli, a),
        Command::Retired(a) => retired::run(cli, a),
        Command::Round(rc) => round::run(cli, rc),
        Command::Doctor { repair } => doctor::doctor(cli, *repair),
        Command::Attach(a) => attach::attach(cli, a),
        Command::Attachments(a) => attach::list(cli, a),
        Command::SaveAs { name, dest } => attach::save_as(cli, name, dest),
        Command::Open { name } => attach::open_file(cli, name),
        Command::Detach { reference, name } => attach::detach(cli, reference, name),
        Command::Backup { out: path } => doctor::backup(cli, path),
    }
}
