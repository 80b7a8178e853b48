//! The library's one error type. Each error is a code and its parameters (the item, person, file
//! or value that was wrong), so every front end words it in its own language and names its own
//! way out: the command line prints `Display` — one clear line in English — and adds a hint that
//! names its commands (`src/bin/mellanrum/hint.rs`); the window gets the code and the parameters
//! (serialised as `{ "code": …, "params": … }`) and words them from its message catalogue
//! (`ui/src/lib/i18n.ts`, Swedish and English). So no text here names a command or a flag.

use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};

use crate::model::{Kind, Rel};

/// Errors of the Mellanrum core. The variant is the code (`Code`, snake_case), its fields the
/// parameters; a one-field variant's parameter is a text (`detail` in the window's catalogue).
#[derive(Debug, thiserror::Error, Serialize, strum::EnumDiscriminants)]
#[serde(tag = "code", content = "params", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "CoreError"))]
#[strum_discriminants(
    name(Code),
    derive(strum::EnumIter, strum::IntoStaticStr, Serialize, Hash),
    strum(serialize_all = "snake_case"),
    serde(rename_all = "snake_case")
)]
pub enum Error {
    /// The input was wrong: an unknown kind or field, a value that does not validate, a broken
    /// rule. Its text is English in every front end: the errors that reach people most often have
    /// codes of their own below, and more move out of this one over time.
    #[error("{0}")]
    Invalid(String),

    /// A reference (id, id prefix or title) matched nothing.
    #[error("no item matches '{0}' (give an id, a unique id prefix or a title)")]
    NotFound(String),

    /// A reference matched several items.
    #[error("'{reference}' is ambiguous: it matches {candidates}; give the id instead")]
    Ambiguous { reference: String, candidates: String },

    /// The folder is not a workspace.
    #[error("{} is not a Mellanrum workspace", .0.display())]
    NotAWorkspace(
        #[serde(serialize_with = "path_text")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        PathBuf,
    ),

    /// `init` on a folder that already is one.
    #[error("{} is already a Mellanrum workspace", .0.display())]
    AlreadyAWorkspace(
        #[serde(serialize_with = "path_text")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        PathBuf,
    ),

    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        #[serde(serialize_with = "path_text")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        path: PathBuf,
        #[source]
        #[serde(serialize_with = "display_text")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        source: std::io::Error,
    },

    /// The database refused an operation.
    #[error("database: {0}")]
    Sqlite(
        #[from]
        #[serde(serialize_with = "display_text")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        rusqlite::Error,
    ),

    /// The database could not be brought to the current schema.
    #[error("database schema: {0}")]
    Migration(
        #[from]
        #[serde(serialize_with = "display_text")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        rusqlite_migration::Error,
    ),

    /// The database was written by a newer Mellanrum.
    #[error("this workspace was written by a newer Mellanrum (schema {found}, this build knows {known}); upgrade Mellanrum")]
    TooNew { found: i64, known: i64 },

    /// The search index failed; it is derived and can be rebuilt.
    #[error("search index: {0}")]
    Index(String),

    /// The shared storage could not be read or written, or is set up differently (sync).
    #[error("sync: {0}")]
    Sync(String),

    /// Stored data did not decode (a corrupt row); the workspace's check reports it.
    #[error("corrupt data in the workspace: {0}")]
    Corrupt(String),

    /// No person has this name.
    #[error("unknown person '{name}'")]
    UnknownPerson { name: String },

    /// Nobody is the current person yet, and every change is attributed.
    #[error("no current person: every change is attributed, so add yourself first")]
    NoCurrentPerson,

    /// The item is deleted (it can be restored).
    #[error("'{title}' is deleted")]
    Deleted { title: String, id: String },

    /// The resolution has no consent round.
    #[error("'{title}' has no consent round")]
    NoRound { title: String },

    /// A consent round is held on a resolution, and this is something else.
    #[error("'{title}' is a {kind}, not a resolution: a consent round is held on a resolution")]
    NotAResolution { title: String, kind: Kind },

    /// A second round opened on a resolution whose round is open.
    #[error("a consent round on '{title}' is open already")]
    RoundOpenAlready { title: String },

    /// A round opened, answered or closed after it closed.
    #[error("the consent round on '{title}' is closed already (on {closed}); answers are no longer taken")]
    RoundClosed { title: String, closed: String },

    /// A round that would ask nobody: the resolution resolves no friction with positions and no
    /// person was named.
    #[error("'{title}' resolves no friction with positions, so no perspective would be asked: name the people to ask")]
    NothingToAsk { title: String },

    /// An answer that is not consent, concern or objection.
    #[error("'{answer}' is not an answer (expected one of: consent, concern, objection)")]
    NotAnAnswer { answer: String },

    /// A concern or an objection without its reason.
    #[error("an answer of {answer} needs its reason")]
    ReasonNeeded { answer: String },

    /// A new friction asked for with an answer other than an objection.
    #[error("only an objection is turned into a friction")]
    OnlyObjectionBecomesFriction,

    /// A round closed over a standing objection without the override's reason.
    #[error("an override needs its reason")]
    OverrideNeedsReason,

    /// A round closed while an objection stands (and not overridden).
    #[error("the consent round on '{title}' cannot close while an objection stands — {objections}")]
    ObjectionStands { title: String, objections: String },

    /// A friction's status set to resolved by hand: a resolution resolves it.
    #[error("friction '{title}' becomes resolved when a resolution resolves it: write `resolves:: [[{title}]]` in a resolution")]
    ResolvedByResolution { title: String },

    /// No attachment has this name (or hash prefix).
    #[error("no attachment named '{name}'")]
    NoAttachment { name: String },

    /// A file over the workspace's size limit for attachments (`size` when known before reading).
    #[error("{}", too_large(file, size.as_deref(), limit))]
    TooLarge { file: String, size: Option<String>, limit: String },

    /// A stored file's bytes do not match its hash; nothing was written from it.
    #[error("{file}: the stored file is damaged; nothing was written")]
    FileDamaged { file: String },

    /// A trace asked for a depth out of range.
    #[error("a trace goes 1 to {max} links deep, not {depth}")]
    DepthOutOfRange { depth: usize, max: usize },

    /// A list asked for with no room for anything.
    #[error("the number of results must be at least 1")]
    NoResults,

    /// A calendar window that ends before it begins.
    #[error("the window is empty: its end {to} is not after its start {from}")]
    EmptyWindow { from: String, to: String },

    /// A file to read is not there.
    #[error("{file}: no such file")]
    NoSuchFile { file: String },

    /// A path to read is a folder or something else that is not a file.
    #[error("{file}: not a file")]
    NotAFile { file: String },

    /// A file to attach that could not be read.
    #[error("{file}: cannot read: {reason}")]
    CannotRead { file: String, reason: String },

    /// An empty file offered as an attachment.
    #[error("{file}: the file is empty; nothing to attach")]
    FileEmpty { file: String },

    /// A file copied out of the workspace onto one that exists.
    #[error("{file}: already exists; nothing is overwritten")]
    FileExists { file: String },

    /// A size that does not read as one (`500KB`, `100MB`, `2GB`), or out of range.
    #[error("'{text}' is not a size between 1 byte and 1000 TB (say 500KB, 100MB or 2GB)")]
    NotASize { text: String },

    /// An item whose body holds no link to the attachment named.
    #[error("'{title}' has no link to '{file}'")]
    NoLinkToFile { title: String, file: String },

    /// A stored file is not in the workspace's files.
    #[error("the file {file} is missing from the workspace")]
    FileMissing { file: String },

    /// A Markdown file given as an attachment: it is a note.
    #[error("'{name}': a .md file is a note: import it rather than attach it")]
    NoteAsAttachment { name: String },

    /// A title that is empty (or only spaces).
    #[error("a title cannot be empty")]
    EmptyTitle,

    /// A title with a line break.
    #[error("a title must be a single line")]
    TitleNotOneLine,

    /// A title holding `[[`, `]]` or `|`, which would break links to it.
    #[error("title '{title}': '{bad}' cannot appear in a title because it breaks [[links]]")]
    TitleBreaksLinks { title: String, bad: String },

    /// A title over the most characters a title may have.
    #[error("a title can be at most {max} characters")]
    TitleTooLong { max: usize },

    /// A typed link between kinds its relation does not join (`rule` says which it joins).
    #[error("cannot link '{from}' to '{to}': {rule}")]
    LinkKind {
        from: String,
        to: String,
        rel: Rel,
        from_kind: Kind,
        to_kind: Kind,
        #[serde(skip)]
        rule: String,
    },

    /// A field's value that is not one of the field's choices.
    #[error("{kind} field '{field}': '{value}' is not one of: {allowed}")]
    NotOneOf { kind: Kind, field: String, value: String, allowed: String },

    /// A field's value that is not a date.
    #[error("{kind} field '{field}': '{value}' is not a date (use YYYY-MM-DD)")]
    NotADate { kind: Kind, field: String, value: String },

    /// A field's value that is not a date and time.
    #[error("{kind} field '{field}': '{value}' is not a date and time (use e.g. 2026-03-01T09:00:00Z or 2026-03-01 09:00)")]
    NotADateTime { kind: Kind, field: String, value: String },

    /// A field's value that is not a number of hours per month.
    #[error("{kind} field '{field}': '{value}' is not a number of hours per month (e.g. 12 or 7.5)")]
    NotHours { kind: Kind, field: String, value: String },

    /// A field the kind does not have (`fields`: the ones it has, may be empty).
    #[error("{}", unknown_field(kind, field, fields))]
    UnknownField { kind: Kind, field: String, fields: String },

    /// A field that must have a value was emptied.
    #[error("{kind} field '{field}' cannot be empty")]
    FieldRequired { kind: Kind, field: String },

    /// A meeting that ends before it starts.
    #[error("meeting field 'end': {end} is before its start {start}")]
    EndBeforeStart { start: String, end: String },

    /// A friction created resolved: it becomes resolved when a resolution resolves it.
    #[error("friction '{title}' cannot start resolved: create it, then a resolution with `resolves:: [[{title}]]`")]
    StartsResolved { title: String },

    /// A link by title to an item whose title another item shares.
    #[error("another item is also titled '{title}', so a [[link]] by title would be ambiguous; rename one of them first")]
    TitleShared { title: String },

    /// A typed link in a body that joins kinds its relation does not join.
    #[error("'{title}' line {line}: {rel}:: [[{target}]] breaks a link rule: {problem}")]
    BreaksLinkRule { title: String, line: usize, rel: Rel, target: String, problem: String },

    /// A body over the size limit.
    #[error("'{title}': the body is {size} bytes; the limit is {limit} bytes")]
    BodyTooLarge { title: String, size: usize, limit: usize },

    /// A friction's status changed in a way its lifecycle does not go.
    #[error("friction '{title}' cannot go from {from_status} to {to_status} (open → exploring → resolved/parked)")]
    StatusStep { title: String, from_status: String, to_status: String },

    /// A friction a resolution resolves: its status follows that resolution.
    #[error("friction '{title}' is resolved by '{resolution}': unlink that resolution before changing its status")]
    ResolvedBy { title: String, resolution: String },

    /// A friction's positions set as a field rather than as positions.
    #[error("a friction's positions are not a field: set each as a position of a perspective")]
    PositionAsField,

    /// A position given without the perspective it belongs to.
    #[error("a position needs a perspective")]
    PositionWithoutPerspective,

    /// A person's name that is not one (empty, several lines, a comma).
    #[error("'{name}' is not a person's name (one line, no commas)")]
    NotAName { name: String },

    /// A person added without a perspective.
    #[error("person '{name}': give a perspective")]
    NoPerspective { name: String },

    /// A perspective changed to nothing.
    #[error("a perspective cannot be empty")]
    EmptyPerspective,

    /// A person's name that another person has.
    #[error("a person named '{name}' exists already")]
    PersonExists { name: String },

    /// An item deleted again.
    #[error("'{title}' is already deleted")]
    AlreadyDeleted { title: String },

    /// An item restored that is not deleted.
    #[error("'{title}' is not deleted")]
    NotDeleted { title: String },

    /// A sync asked of a workspace that shares through no storage.
    #[error("no shared storage set")]
    NoRemote,

    /// The shared storage holds a segment in this device's name that this device did not write.
    #[error("sync: {path} exists and is not this device's: another machine writes as this device (was this workspace folder copied?). Nothing was overwritten; make a fresh workspace on that machine")]
    NotThisDevice { path: String },
}

fn path_text<S: Serializer>(p: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.display().to_string())
}

fn too_large(file: &str, size: Option<&str>, limit: &str) -> String {
    match size {
        Some(size) => format!("{file}: {size}, over the limit of {limit} a file"),
        None => format!("{file}: larger than the limit of {limit} a file"),
    }
}

fn display_text<S: Serializer, T: std::fmt::Display>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

impl Error {
    pub fn invalid(msg: impl Into<String>) -> Error {
        Error::Invalid(msg.into())
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }

    /// The error's code: what a front end words.
    pub fn code(&self) -> Code {
        Code::from(self)
    }

    /// True when the error is the user's input rather than the machine's state.
    pub fn is_user_error(&self) -> bool {
        !matches!(
            self,
            Error::Io { .. }
                | Error::Sqlite(_)
                | Error::Migration(_)
                | Error::TooNew { .. }
                | Error::Index(_)
                | Error::Sync(_)
                | Error::Corrupt(_)
                | Error::FileDamaged { .. }
                | Error::FileMissing { .. }
                | Error::NotThisDevice { .. }
        )
    }

    /// One error of every code, in the order of [`Code`]: what tests hold the front ends'
    /// wording to (every code worded, every placeholder a parameter).
    pub fn examples() -> Vec<Error> {
        let s = |v: &str| v.to_string();
        vec![
            Error::Invalid(s("a title cannot be empty")),
            Error::NotFound(s("Release cadence")),
            Error::Ambiguous { reference: s("01J"), candidates: s("'A' (01J1), 'B' (01J2)") },
            Error::NotAWorkspace(PathBuf::from("/tmp/nowhere")),
            Error::AlreadyAWorkspace(PathBuf::from("/tmp/team")),
            Error::io("/tmp/team/x.png", std::io::Error::other("permission denied")),
            Error::Sqlite(rusqlite::Error::InvalidQuery),
            Error::Migration(rusqlite_migration::Error::MigrationDefinition(
                rusqlite_migration::MigrationDefinitionError::NoMigrationsDefined,
            )),
            Error::TooNew { found: 20, known: 16 },
            Error::Index(s("the index is locked")),
            Error::Sync(s("the shared folder is gone")),
            Error::Corrupt(s("a row of friction_fields")),
            Error::UnknownPerson { name: s("Nobody") },
            Error::NoCurrentPerson,
            Error::Deleted { title: s("Release cadence"), id: s("01J0") },
            Error::NoRound { title: s("Ship on Fridays") },
            Error::NotAResolution { title: s("Release notes"), kind: Kind::Note },
            Error::RoundOpenAlready { title: s("Ship on Fridays") },
            Error::RoundClosed { title: s("Ship on Fridays"), closed: s("2026-05-04") },
            Error::NothingToAsk { title: s("Ship on Fridays") },
            Error::NotAnAnswer { answer: s("maybe") },
            Error::ReasonNeeded { answer: s("objection") },
            Error::OnlyObjectionBecomesFriction,
            Error::OverrideNeedsReason,
            Error::ObjectionStands { title: s("Ship on Fridays"), objections: s("Erik (Engineering) objects: no time to test") },
            Error::ResolvedByResolution { title: s("Release date") },
            Error::NoAttachment { name: s("nothing.png") },
            Error::TooLarge { file: s("big.png"), size: Some(s("3 KB")), limit: s("2 KB") },
            Error::FileDamaged { file: s("big.png") },
            Error::DepthOutOfRange { depth: 0, max: 10 },
            Error::NoResults,
            Error::EmptyWindow { from: s("2026-04-01"), to: s("2026-03-01") },
            Error::NoSuchFile { file: s("nope.png") },
            Error::NotAFile { file: s("shots") },
            Error::CannotRead { file: s("chart.png"), reason: s("permission denied") },
            Error::FileEmpty { file: s("empty.txt") },
            Error::FileExists { file: s("/tmp/chart.png") },
            Error::NotASize { text: s("lots") },
            Error::NoLinkToFile { title: s("Release notes"), file: s("chart.png") },
            Error::FileMissing { file: s("9f86d081") },
            Error::NoteAsAttachment { name: s("notes.md") },
            Error::EmptyTitle,
            Error::TitleNotOneLine,
            Error::TitleBreaksLinks { title: s("a [[b"), bad: s("[[") },
            Error::TitleTooLong { max: 500 },
            Error::LinkKind {
                from: s("Idea"),
                to: s("Pricing"),
                rel: Rel::Evidence,
                from_kind: Kind::Note,
                to_kind: Kind::Signal,
                rule: s("'evidence' goes from an insight to a signal, not from a note to a signal"),
            },
            Error::NotOneOf { kind: Kind::Friction, field: s("severity"), value: s("huge"), allowed: s("low, medium, high, critical") },
            Error::NotADate { kind: Kind::Signal, field: s("date"), value: s("yesterday") },
            Error::NotADateTime { kind: Kind::Meeting, field: s("start"), value: s("noon") },
            Error::NotHours { kind: Kind::Resolution, field: s("hours_freed"), value: s("-3") },
            Error::UnknownField { kind: Kind::Signal, field: s("colour"), fields: s("source, customer, date, ref, quote") },
            Error::FieldRequired { kind: Kind::Friction, field: s("status") },
            Error::EndBeforeStart { start: s("2026-03-01T10:00:00Z"), end: s("2026-03-01T09:00:00Z") },
            Error::StartsResolved { title: s("Release date") },
            Error::TitleShared { title: s("Pricing") },
            Error::BreaksLinkRule {
                title: s("Idea"),
                line: 3,
                rel: Rel::Resolves,
                target: s("Scope of export"),
                problem: s("'resolves' goes from a resolution to a friction"),
            },
            Error::BodyTooLarge { title: s("Notes"), size: 11_000_000, limit: 10_000_000 },
            Error::StatusStep { title: s("Release date"), from_status: s("resolved"), to_status: s("open") },
            Error::ResolvedBy { title: s("Release date"), resolution: s("Ship in May") },
            Error::PositionAsField,
            Error::PositionWithoutPerspective,
            Error::NotAName { name: s("Anna, Erik") },
            Error::NoPerspective { name: s("Anna") },
            Error::EmptyPerspective,
            Error::PersonExists { name: s("Anna") },
            Error::AlreadyDeleted { title: s("Old idea") },
            Error::NotDeleted { title: s("Old idea") },
            Error::NoRemote,
            Error::NotThisDevice { path: s("log/dev1/000000000001.seg") },
        ]
    }
}

impl Code {
    /// Every code, in the order of the variants.
    pub fn all() -> impl Iterator<Item = Code> {
        <Code as strum::IntoEnumIterator>::iter()
    }

    /// The code as the window and `--json` name it (`unknown_person`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        Error::Corrupt(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The one line of [`Error::UnknownField`].
fn unknown_field(kind: &Kind, field: &str, fields: &str) -> String {
    if fields.is_empty() {
        format!("a {kind} has no field '{field}'")
    } else {
        format!("a {kind} has no field '{field}' (its fields: {fields})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_an_example_and_serialises_under_its_name() {
        let examples = Error::examples();
        let codes: Vec<Code> = examples.iter().map(Error::code).collect();
        assert_eq!(codes, Code::all().collect::<Vec<_>>(), "Error::examples lists one error of every code, in order");
        for e in &examples {
            let v = serde_json::to_value(e).unwrap();
            assert_eq!(v["code"], e.code().as_str(), "{e}");
            assert_eq!(serde_json::to_value(e.code()).unwrap(), e.code().as_str());
            // One clear line, naming no command of any front end.
            let line = e.to_string();
            assert!(!line.contains('\n') && !line.contains("mellanrum "), "{line}");
        }
    }
}
