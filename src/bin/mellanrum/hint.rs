//! What the command line adds to the core's errors: the way out, in its own commands and flags.
//! The core's error is a code and its parameters; its one line names no front end, so each front
//! end says what to run (the window words the same codes from its catalogue).

use mellanrum::Error;

/// The command or flag that helps with `e`, if any.
pub fn hint(e: &Error) -> Option<String> {
    Some(match e {
        Error::NotAWorkspace(dir) => format!("create one with `mellanrum init {}`", dir.display()),
        Error::Index(_) => "rebuild it with `mellanrum reindex`".into(),
        Error::Corrupt(_) | Error::FileDamaged { .. } | Error::FileMissing { .. } => "run `mellanrum doctor`".into(),
        Error::UnknownPerson { name } => format!("add them with `mellanrum person add \"{name}\" --perspective PERSPECTIVE`"),
        Error::NoCurrentPerson => "`mellanrum person add NAME --perspective PERSPECTIVE`, or pass --as NAME".into(),
        Error::Deleted { id, .. } => format!("bring it back with `mellanrum restore {id}`"),
        Error::NoRound { .. } => "open one with `mellanrum round open`".into(),
        Error::DepthOutOfRange { .. } => "--depth N".into(),
        Error::NoResults => "--limit N".into(),
        Error::EmptyWindow { .. } => "--from and --to".into(),
        Error::NothingToAsk { .. } => "name people with --with PERSON".into(),
        Error::ReasonNeeded { .. } => "give it with --reason TEXT".into(),
        Error::OnlyObjectionBecomesFriction => "`round answer RESOLUTION objection --reason TEXT --new-friction TITLE`".into(),
        Error::OverrideNeedsReason => "--override --reason TEXT".into(),
        Error::ObjectionStands { .. } => {
            "answer it, turn it into a friction (`round answer … objection --new-friction TITLE`), or close with --override --reason TEXT"
                .into()
        }
        Error::ResolvedByResolution { title } => format!("or `mellanrum link RESOLUTION \"{title}\" --rel resolves`"),
        Error::NoAttachment { .. } => "`mellanrum attachments` lists them".into(),
        Error::TooLarge { .. } => "`mellanrum attachments --max-size SIZE` changes it".into(),
        Error::NoteAsAttachment { .. } => "`mellanrum import vault` imports notes".into(),
        Error::NoRemote => "`mellanrum remote set FOLDER` or `mellanrum remote set s3://bucket/prefix`".into(),
        Error::NotThisDevice { .. } => "`mellanrum init DIR --remote …` makes one".into(),
        Error::PositionAsField | Error::PositionWithoutPerspective => "--position PERSPECTIVE=TEXT".into(),
        Error::NoPerspective { .. } => "e.g. --perspective Sales".into(),
        Error::AlreadyDeleted { .. } | Error::NotDeleted { .. } => "`mellanrum list --deleted` lists what is deleted".into(),
        _ => return None,
    })
}

/// The error's one line as the command line prints it: the message (with anyhow's context), then
/// the hint for the core error inside it, in parentheses.
pub fn line(e: &anyhow::Error) -> String {
    match e.chain().find_map(|c| c.downcast_ref::<Error>()).and_then(hint) {
        Some(h) => format!("{e:#} ({h})"),
        None => format!("{e:#}"),
    }
}
