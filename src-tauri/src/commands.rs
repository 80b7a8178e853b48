//! The commands the window may call. Each is a thin call into [`mellanrum::Workspace`]: argument
//! shapes in, the core's view types out, errors as the core's one-line messages. No rules here.

use std::collections::BTreeMap;
use std::path::Path;

use mellanrum::graph::MapView;
use mellanrum::workspace::{Edit, ItemSummary, LinkView, NewItem, RenameReport, RevisionView, SaveReport, Unresolved};
use mellanrum::{ItemView, Kind, Person, Rel, Workspace};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::state::{AppState, ImportKind, Picked};

type Res<T> = Result<T, String>;

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        session,
        create_workspace,
        choose_workspace,
        info,
        last_change,
        list_items,
        show_item,
        create_item,
        update_item,
        rename_item,
        link_items,
        unlink_items,
        delete_item,
        restore_item,
        backlinks,
        unresolved,
        history,
        unused_signals,
        graph,
        search,
        filter_items,
        link_many,
        update_many,
        preview_import,
        similar,
        round_open,
        round_answer,
        round_show,
        round_close,
        round_waiting,
        resolve_ref,
        people,
        add_person,
        use_person,
        set_perspective,
        trace_item,
        lens,
        set_chairs_days,
        conflicts,
        activity,
        sync_state,
        sync_now,
        pick_import,
        choose_records,
        run_import,
        export_map,
        attachment,
        open_attachment,
        attach_bytes,
    ]
}

/// Runs `f` on the open workspace. Waiting for it (another command holds it, or it is still
/// opening) and the work itself block this thread, not the async runtime: the runtime's other
/// tasks move to another worker meanwhile, so a long command (the lists of 100k items) never
/// holds up a quick one on another connection (the lens).
fn with<T>(state: &AppState, f: impl FnOnce(&mut Workspace) -> mellanrum::Result<T>) -> Res<T> {
    tokio::task::block_in_place(|| {
        let mut guard = state.lock();
        let ws = guard.as_mut().ok_or_else(|| "no workspace is open".to_string())?;
        f(ws).map_err(|e| e.to_string())
    })
}

/// What the window shows about the open workspace.
#[derive(Serialize, TS)]
pub struct Info {
    pub name: String,
    pub root: String,
    pub me: Option<Person>,
    pub people: Vec<Person>,
    pub counts: BTreeMap<Kind, i64>,
    pub last_change: i64,
}

fn info_of(ws: &mut Workspace) -> mellanrum::Result<Info> {
    Ok(Info {
        name: ws.name()?,
        root: ws.root().display().to_string(),
        me: ws.current_person().ok(),
        people: ws.people()?,
        counts: ws.counts()?,
        last_change: ws.last_change()?,
    })
}

/// The app's state at start: the open workspace, or the folder a first start would create.
#[derive(Serialize, TS)]
pub struct Session {
    pub open: Option<Info>,
    pub target: String,
}

fn session_of(state: &AppState) -> Res<Session> {
    // Waits for the workspace off the async runtime, as `with` does.
    let open = tokio::task::block_in_place(|| state.lock().as_mut().map(info_of).transpose()).map_err(|e| e.to_string())?;
    Ok(Session { open, target: state.target().display().to_string() })
}

#[tauri::command(rename_all = "snake_case")]
async fn session(state: State<'_, AppState>) -> Res<Session> {
    session_of(&state)
}

/// Creates the workspace in the target folder: the demo one, or an empty one with its first person.
#[tauri::command(rename_all = "snake_case")]
async fn create_workspace(
    state: State<'_, AppState>,
    demo: bool,
    name: Option<String>,
    person: Option<String>,
    perspective: Option<String>,
) -> Res<Session> {
    let target = state.target();
    let ws = create_at(&target, demo, name.as_deref(), person.as_deref(), perspective.as_deref()).map_err(|e| e.to_string())?;
    state.replace(Some(ws));
    session_of(&state)
}

fn create_at(dir: &Path, demo: bool, name: Option<&str>, person: Option<&str>, perspective: Option<&str>) -> mellanrum::Result<Workspace> {
    if demo {
        return mellanrum::demo::create(dir);
    }
    let mut ws = Workspace::init(dir, name.filter(|n| !n.trim().is_empty()))?;
    if let Some(p) = person.filter(|p| !p.trim().is_empty()) {
        ws.add_person(p, perspective.unwrap_or_default())?;
    }
    Ok(ws)
}

/// Lets the user pick a folder in the system dialog (the page never names a path): a workspace
/// is opened; any other folder becomes the target a new workspace is created in.
#[tauri::command(rename_all = "snake_case")]
async fn choose_workspace(app: tauri::AppHandle, state: State<'_, AppState>) -> Res<Session> {
    use tauri_plugin_dialog::DialogExt;
    let Some(picked) = app.dialog().file().blocking_pick_folder() else {
        return session_of(&state);
    };
    let dir = picked.into_path().map_err(|e| e.to_string())?;
    state.replace(Workspace::open(&dir).ok());
    state.set_target(dir);
    session_of(&state)
}

#[tauri::command(rename_all = "snake_case")]
async fn info(state: State<'_, AppState>) -> Res<Info> {
    with(&state, info_of)
}

#[tauri::command(rename_all = "snake_case")]
async fn last_change(state: State<'_, AppState>) -> Res<i64> {
    with(&state, |ws| ws.last_change())
}

#[tauri::command(rename_all = "snake_case")]
async fn list_items(state: State<'_, AppState>, kind: Option<Kind>, tag: Option<String>, deleted: Option<bool>) -> Res<Vec<ItemSummary>> {
    with(&state, |ws| ws.list(kind, tag.as_deref(), deleted.unwrap_or(false)))
}

#[tauri::command(rename_all = "snake_case")]
async fn show_item(state: State<'_, AppState>, id: String) -> Res<ItemView> {
    with(&state, |ws| ws.show(&id))
}

/// A new item as the window sends it.
#[derive(Deserialize, TS)]
pub struct NewItemInput {
    pub kind: Kind,
    pub title: String,
    #[serde(default)]
    #[ts(as = "Option<String>", optional)]
    pub body: String,
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[ts(as = "Option<Vec<(String, String)>>", optional)]
    pub set: Vec<(String, String)>,
    #[serde(default)]
    #[ts(as = "Option<Vec<(String, String)>>", optional)]
    pub positions: Vec<(String, String)>,
    /// Typed links to existing items, written into the body in the same transaction.
    #[serde(default)]
    #[ts(as = "Option<Vec<(Rel, String)>>", optional)]
    pub links: Vec<(Rel, String)>,
}

#[tauri::command(rename_all = "snake_case")]
async fn create_item(state: State<'_, AppState>, item: NewItemInput) -> Res<SaveReport> {
    let new = NewItem {
        kind: Some(item.kind),
        title: item.title,
        body: item.body,
        tags: item.tags,
        set: item.set,
        positions: item.positions,
        ..Default::default()
    };
    with(&state, |ws| ws.create_linked(new, &item.links))
}

/// A change as the window sends it; absent parts stay as they are.
#[derive(Deserialize, Default, TS)]
#[serde(default)]
pub struct EditInput {
    #[ts(optional)]
    pub title: Option<String>,
    #[ts(optional)]
    pub body: Option<String>,
    #[ts(as = "Option<Vec<(String, String)>>", optional)]
    pub set: Vec<(String, String)>,
    #[ts(as = "Option<Vec<(String, String)>>", optional)]
    pub positions: Vec<(String, String)>,
    #[ts(as = "Option<Vec<String>>", optional)]
    pub add_tags: Vec<String>,
    #[ts(as = "Option<Vec<String>>", optional)]
    pub remove_tags: Vec<String>,
}

#[tauri::command(rename_all = "snake_case")]
async fn update_item(state: State<'_, AppState>, id: String, edit: EditInput) -> Res<SaveReport> {
    let edit = Edit {
        title: edit.title,
        body: edit.body,
        set: edit.set,
        positions: edit.positions,
        add_tags: edit.add_tags,
        remove_tags: edit.remove_tags,
        ..Default::default()
    };
    with(&state, |ws| ws.update(&id, edit))
}

#[tauri::command(rename_all = "snake_case")]
async fn rename_item(state: State<'_, AppState>, id: String, title: String) -> Res<RenameReport> {
    with(&state, |ws| ws.rename(&id, &title))
}

#[tauri::command(rename_all = "snake_case")]
async fn link_items(state: State<'_, AppState>, from: String, to: String, rel: Rel) -> Res<SaveReport> {
    with(&state, |ws| ws.link(&from, &to, rel))
}

/// Links `from` to each of `to` in one save (an insight taking a selection of signals as evidence).
#[tauri::command(rename_all = "snake_case")]
async fn link_many(state: State<'_, AppState>, from: String, to: Vec<String>, rel: Rel) -> Res<SaveReport> {
    with(&state, |ws| ws.link_many(&from, &to, rel))
}

/// Applies one edit (tags added or removed) to each of `ids` in one transaction; how many changed.
#[tauri::command(rename_all = "snake_case")]
async fn update_many(state: State<'_, AppState>, ids: Vec<String>, add_tags: Vec<String>, remove_tags: Vec<String>) -> Res<usize> {
    with(&state, |ws| ws.update_many(&ids, Edit { add_tags, remove_tags, ..Default::default() }))
}

/// The ids of every item matching `query` (the search's language), best first: a list's filter.
#[tauri::command(rename_all = "snake_case")]
async fn filter_items(state: State<'_, AppState>, query: String, lang: Option<mellanrum::search::Lang>) -> Res<Vec<String>> {
    with(&state, |ws| ws.search_ids(&query, lang.unwrap_or_default()))
}

#[tauri::command(rename_all = "snake_case")]
async fn unlink_items(state: State<'_, AppState>, from: String, to: String, rel: Rel) -> Res<SaveReport> {
    with(&state, |ws| ws.unlink(&from, &to, rel))
}

#[tauri::command(rename_all = "snake_case")]
async fn delete_item(state: State<'_, AppState>, id: String) -> Res<SaveReport> {
    with(&state, |ws| ws.delete(&id))
}

#[tauri::command(rename_all = "snake_case")]
async fn restore_item(state: State<'_, AppState>, id: String) -> Res<SaveReport> {
    with(&state, |ws| ws.restore(&id))
}

#[tauri::command(rename_all = "snake_case")]
async fn backlinks(state: State<'_, AppState>, id: String) -> Res<Vec<LinkView>> {
    with(&state, |ws| ws.backlinks(&id))
}

#[tauri::command(rename_all = "snake_case")]
async fn unresolved(state: State<'_, AppState>) -> Res<Vec<Unresolved>> {
    with(&state, |ws| ws.unresolved())
}

#[tauri::command(rename_all = "snake_case")]
async fn history(state: State<'_, AppState>, id: String) -> Res<Vec<RevisionView>> {
    with(&state, |ws| ws.history(&id))
}

#[tauri::command(rename_all = "snake_case")]
async fn unused_signals(state: State<'_, AppState>) -> Res<Vec<String>> {
    with(&state, |ws| ws.unused_signals())
}

#[tauri::command(rename_all = "snake_case")]
async fn graph(state: State<'_, AppState>) -> Res<MapView> {
    with(&state, |ws| ws.graph().map(|g| g.to_map()))
}

/// Searches the workspace (the core's query syntax: words, "phrases", -exclusions, OR, filters).
#[tauri::command(rename_all = "snake_case")]
async fn search(
    state: State<'_, AppState>,
    query: String,
    limit: Option<usize>,
    lang: Option<mellanrum::search::Lang>,
) -> Res<mellanrum::search::SearchResults> {
    with(&state, |ws| ws.search_in(&query, limit.unwrap_or(30).min(200), lang.unwrap_or_default()))
}

/// The items most like one, precedents (resolved frictions with their resolutions) first, each
/// with the words it shares with it.
#[tauri::command(rename_all = "snake_case")]
async fn similar(state: State<'_, AppState>, id: String, limit: Option<usize>) -> Res<mellanrum::similar::SimilarResults> {
    with(&state, |ws| ws.similar(&id, limit.unwrap_or(8).clamp(1, 50)))
}

/// Resolves a reference as `[[links]]` do (title or alias, case-insensitive; or an id).
#[tauri::command(rename_all = "snake_case")]
async fn resolve_ref(state: State<'_, AppState>, reference: String) -> Res<String> {
    with(&state, |ws| ws.resolve_ref(&reference))
}

#[tauri::command(rename_all = "snake_case")]
async fn people(state: State<'_, AppState>) -> Res<Vec<Person>> {
    with(&state, |ws| ws.people())
}

#[tauri::command(rename_all = "snake_case")]
async fn add_person(state: State<'_, AppState>, name: String, perspective: String) -> Res<Person> {
    with(&state, |ws| ws.add_person(&name, &perspective))
}

#[tauri::command(rename_all = "snake_case")]
async fn use_person(state: State<'_, AppState>, name: String) -> Res<Person> {
    with(&state, |ws| ws.use_person(&name))
}

#[tauri::command(rename_all = "snake_case")]
async fn set_perspective(state: State<'_, AppState>, name: String, perspective: String) -> Res<Person> {
    with(&state, |ws| ws.set_perspective(&name, &perspective))
}

/// The trace of an item: upstream to its evidence, downstream to the goals it serves.
#[tauri::command(rename_all = "snake_case")]
async fn trace_item(state: State<'_, AppState>, id: String, depth: Option<usize>) -> Res<mellanrum::trace::Trace> {
    with(&state, |ws| ws.trace(&id, depth.unwrap_or(6), mellanrum::workspace::today()))
}

/// Opens a consent round on a resolution (every perspective with a position in the frictions it
/// resolves, plus the persons named).
#[tauri::command(rename_all = "snake_case")]
async fn round_open(state: State<'_, AppState>, id: String, people: Option<Vec<String>>) -> Res<mellanrum::round::RoundView> {
    with(&state, |ws| ws.round_open(&id, &people.unwrap_or_default()).map(|r| r.0))
}

/// The current person's answer in a round: consent, concern or objection (an objection may become
/// a child friction).
#[tauri::command(rename_all = "snake_case")]
async fn round_answer(
    state: State<'_, AppState>,
    id: String,
    answer: String,
    reason: Option<String>,
    new_friction: Option<String>,
) -> Res<mellanrum::round::Answered> {
    with(&state, |ws| ws.round_answer(&id, &answer, reason.as_deref(), new_friction.as_deref()))
}

/// The round on a resolution; `null` when it has none.
#[tauri::command(rename_all = "snake_case")]
async fn round_show(state: State<'_, AppState>, id: String) -> Res<Option<mellanrum::round::RoundView>> {
    with(&state, |ws| ws.round_find(&id))
}

/// Closes a round (an override needs its reason).
#[tauri::command(rename_all = "snake_case")]
async fn round_close(state: State<'_, AppState>, id: String, override_reason: Option<String>) -> Res<mellanrum::round::RoundView> {
    with(&state, |ws| ws.round_close(&id, override_reason.as_deref()).map(|r| r.0))
}

/// The open rounds waiting for the current person's answer.
#[tauri::command(rename_all = "snake_case")]
async fn round_waiting(state: State<'_, AppState>) -> Res<Vec<mellanrum::round::RoundView>> {
    with(&state, |ws| ws.round_waiting())
}

/// The integration lens, computed from the store now, with the workspace's between-chairs days.
#[tauri::command(rename_all = "snake_case")]
async fn lens(state: State<'_, AppState>) -> Res<mellanrum::lens::Lens> {
    // On the lens's own connection: see `AppState::with_lens`.
    tokio::task::block_in_place(|| {
        state.with_lens(|ws| {
            let opt = mellanrum::lens::LensOptions { thresholds: ws.chairs_thresholds()?, ..crate::state::lens_options() };
            ws.lens(&opt)
        })
    })
    .map_err(|e| e.to_string())?
    .ok_or_else(|| "no workspace is open".to_string())
}

/// Keeps the days after which something falls between chairs as the workspace's setting
/// (`null`: back to the defaults), as `lens --keep-days` does.
#[tauri::command(rename_all = "snake_case")]
async fn set_chairs_days(state: State<'_, AppState>, days: Option<mellanrum::chairs::Thresholds>) -> Res<()> {
    with(&state, |ws| ws.set_chairs_thresholds(days))
}

/// Concurrent changes merged by rule ("Anna and Erik both changed the status of X").
#[tauri::command(rename_all = "snake_case")]
async fn conflicts(state: State<'_, AppState>) -> Res<Vec<mellanrum::sync::Conflict>> {
    with(&state, |ws| ws.conflicts())
}

/// What others changed since the current person last looked; `mark_seen` makes this look the last.
#[tauri::command(rename_all = "snake_case")]
async fn activity(state: State<'_, AppState>, mark_seen: bool) -> Res<mellanrum::workspace::Activity> {
    with(&state, |ws| ws.activity(50, mark_seen))
}

#[tauri::command(rename_all = "snake_case")]
async fn sync_state(state: State<'_, AppState>) -> Res<crate::sync::SyncStatus> {
    Ok(state.syncer.status())
}

/// Asks the background sync to run now.
#[tauri::command(rename_all = "snake_case")]
async fn sync_now(state: State<'_, AppState>) -> Res<crate::sync::SyncStatus> {
    state.syncer.ring();
    Ok(state.syncer.status())
}

/// The import source the user chose, as the page sees it: a name, never a path.
#[derive(Serialize, Debug, TS)]
pub struct PickedSource {
    pub kind: ImportKind,
    pub name: String,
    /// The columns of a signals file, for the mapping.
    pub columns: Vec<String>,
    /// The signal fields a column can fill.
    pub fields: Vec<String>,
    /// For a JSON file with nested lists: where the records may be, best first (a path inside
    /// the file, such as `hits.hits[]._source`; "" for the document itself).
    pub record_paths: Vec<mellanrum::import::signals::RecordPath>,
    /// The one the columns were read from.
    pub records: String,
    /// A mapping guessed from the column names (`(field, column)`).
    pub guessed: Vec<(String, String)>,
}

/// Lets the user choose what to import in the system dialog: a vault folder, a signals file
/// (CSV or JSON) or a calendar (.ics). Nothing is imported yet; `run_import` does it.
#[tauri::command(rename_all = "snake_case")]
async fn pick_import(app: tauri::AppHandle, state: State<'_, AppState>, kind: ImportKind) -> Res<Option<PickedSource>> {
    use tauri_plugin_dialog::DialogExt;
    let dialog = app.dialog().file();
    let picked = match kind {
        ImportKind::Vault => dialog.blocking_pick_folder(),
        ImportKind::Signals => dialog.add_filter("CSV, JSON", &["csv", "tsv", "json", "jsonl", "ndjson"]).blocking_pick_file(),
        ImportKind::Calendar => dialog.add_filter("iCalendar", &["ics"]).blocking_pick_file(),
    };
    let Some(picked) = picked else { return Ok(None) };
    let path = picked.into_path().map_err(|e| e.to_string())?;
    let (source, records) = describe(kind, &path, None).map_err(|e| e.to_string())?;
    *state.picked() = Some(Picked { kind, path, records });
    Ok(Some(source))
}

/// Reads the chosen JSON signals file's records from another place inside it (one of
/// `record_paths`, or a path the user typed, as `--records` takes it).
#[tauri::command(rename_all = "snake_case")]
async fn choose_records(state: State<'_, AppState>, records: String) -> Res<PickedSource> {
    let picked = state.picked().clone().ok_or_else(|| "choose what to import first".to_string())?;
    let (source, records) = describe(picked.kind, &picked.path, Some(records.trim())).map_err(|e| e.to_string())?;
    if let Some(p) = state.picked().as_mut() {
        p.records = records;
    }
    Ok(source)
}

/// What the page shows of a chosen source, and where its records are read from: `records` when
/// given, else the best place found in the file.
fn describe(kind: ImportKind, path: &Path, records: Option<&str>) -> mellanrum::Result<(PickedSource, Option<String>)> {
    use mellanrum::import::signals;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let record_paths = match kind {
        ImportKind::Signals => signals::record_paths(path)?,
        _ => Vec::new(),
    };
    let chosen = records.map(str::to_string).or_else(|| record_paths.first().map(|p| p.path.clone())).filter(|p| !p.is_empty());
    let columns = match kind {
        ImportKind::Signals => signals::columns(path, &signals::Options { records: chosen.clone(), ..Default::default() })?,
        _ => Vec::new(),
    };
    let fields = signals::FIELDS.iter().map(|f| f.to_string()).collect();
    let guessed = signals::guess_mapping(&columns);
    let source = PickedSource { kind, name, columns, fields, record_paths, records: chosen.clone().unwrap_or_default(), guessed };
    Ok((source, chosen))
}

/// The first ten rows of the chosen signals file as `map` would import them.
#[tauri::command(rename_all = "snake_case")]
async fn preview_import(state: State<'_, AppState>, map: Vec<(String, String)>) -> Res<Vec<mellanrum::import::signals::PreviewRow>> {
    let picked = state.picked().clone().ok_or_else(|| "choose what to import first".to_string())?;
    let opts = mellanrum::import::signals::Options { map, records: picked.records.clone(), ..Default::default() };
    mellanrum::import::signals::preview(&picked.path, &opts, 10).map_err(|e| e.to_string())
}

/// What an import did, whatever it read.
#[derive(Serialize, TS)]
#[serde(untagged)]
pub enum ImportOutcome {
    Items(mellanrum::import::ImportReport),
    Calendar(mellanrum::calendar::CalendarReport),
}

/// Progress of a running import, sent to the window over the channel it passed.
#[derive(Serialize, Clone, TS)]
pub struct Progress {
    done: usize,
    /// 0 when the total is not known ahead.
    total: usize,
}

/// Imports the source chosen with `pick_import`, on a connection of its own so the window stays
/// responsive; `map` pairs a signal field with a column. Progress goes to `on_progress`.
#[tauri::command(rename_all = "snake_case")]
async fn run_import(
    state: State<'_, AppState>,
    map: Option<Vec<(String, String)>>,
    on_progress: tauri::ipc::Channel<Progress>,
) -> Res<ImportOutcome> {
    let picked = state.picked().clone().ok_or_else(|| "choose what to import first".to_string())?;
    let root = state.root().ok_or_else(|| "no workspace is open".to_string())?;
    let outcome = tauri::async_runtime::spawn_blocking(move || -> mellanrum::Result<ImportOutcome> {
        let mut ws = Workspace::open(&root)?;
        let mut last = std::time::Instant::now();
        let mut progress = |done: usize, total: usize| {
            if last.elapsed() > std::time::Duration::from_millis(100) || (total > 0 && done >= total) {
                last = std::time::Instant::now();
                let _ = on_progress.send(Progress { done, total });
            }
        };
        Ok(match picked.kind {
            ImportKind::Vault => ImportOutcome::Items(mellanrum::import::vault::import(&mut ws, &picked.path, None, Some(&mut progress))?),
            ImportKind::Signals => {
                let opts = mellanrum::import::signals::Options {
                    map: map.unwrap_or_default(),
                    records: picked.records.clone(),
                    ..Default::default()
                };
                ImportOutcome::Items(mellanrum::import::signals::import(&mut ws, &picked.path, &opts, Some(&mut progress))?)
            }
            ImportKind::Calendar => {
                let today = mellanrum::workspace::today();
                let (from, to) = (today - chrono::Duration::days(365), today + chrono::Duration::days(90));
                ImportOutcome::Calendar(ws.import_calendar(&picked.path, from, to)?)
            }
        })
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    *state.picked() = None;
    Ok(outcome)
}

/// Where an export goes.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, TS)]
#[serde(rename_all = "lowercase")]
pub enum Destination {
    /// `exports/` in the workspace folder, under a name with the time.
    Workspace,
    /// A file (a folder for `vault`) the user chooses in the system dialog.
    Dialog,
}

/// Which part of the map an export draws (all empty: the whole map).
#[derive(Deserialize, TS, Default)]
pub struct MapPart {
    /// The items a search matches…
    query: Option<String>,
    /// …and the item with this id…
    around: Option<String>,
    /// …with the items this many links away.
    #[serde(default)]
    hops: usize,
}

/// Exports the map in `format` (graphml, cytoscape, dot, mermaid, vault, html): the whole map, or
/// the part `part` names.
/// Returns `None` when the user cancelled the dialog.
#[tauri::command(rename_all = "snake_case")]
async fn export_map(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    format: String,
    destination: Destination,
    redact_people: Option<bool>,
    part: Option<MapPart>,
) -> Res<Option<mellanrum::export::ExportReport>> {
    use tauri_plugin_dialog::DialogExt;
    let fmt: mellanrum::export::Format = format.parse().map_err(|e: mellanrum::Error| e.to_string())?;
    let root = state.root().ok_or_else(|| "no workspace is open".to_string())?;
    let name = mellanrum::export::file_name(fmt, chrono::Local::now());
    let out = match destination {
        Destination::Workspace => {
            let dir = root.join("exports");
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            dir.join(name)
        }
        Destination::Dialog => {
            let dialog = app.dialog().file().set_file_name(&name);
            let chosen = if fmt == mellanrum::export::Format::Vault { dialog.blocking_pick_folder() } else { dialog.blocking_save_file() };
            let Some(chosen) = chosen else { return Ok(None) };
            chosen.into_path().map_err(|e| e.to_string())?
        }
    };
    let part = part.unwrap_or_default();
    let report = tauri::async_runtime::spawn_blocking(move || -> mellanrum::Result<mellanrum::export::ExportReport> {
        let mut ws = Workspace::open(&root)?;
        let only = mellanrum::export::selection(&mut ws, part.query.as_deref(), part.around.as_deref(), part.hops)?;
        let opts = mellanrum::export::Options { format: fmt, out, only, redact_people: redact_people.unwrap_or(false), attachments: false };
        mellanrum::export::export(&mut ws, &opts)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    Ok(Some(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The commands are the functions of this file marked as Tauri commands: the handler serves each
    /// (an unserved one is dead code, which the lints refuse), `build.rs` makes a permission of
    /// each, and the set the window is granted names exactly those.
    #[test]
    fn every_command_has_a_permission_and_the_capability_grants_only_those() {
        let commands = crate::command_names::of(include_str!("commands.rs"));
        assert!(commands.len() > 40 && commands.contains(&"attach_bytes".to_string()), "{commands:?}");
        let handler = include_str!("commands.rs").split("generate_handler![").nth(1).unwrap().split(']').next().unwrap();
        let mut commands = commands;
        commands.sort();
        let mut served: Vec<&str> = handler.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        served.sort();
        assert_eq!(served, commands, "the handler serves every command");
        for c in &commands {
            let generated = format!("{}/permissions/autogenerated/{c}.toml", env!("CARGO_MANIFEST_DIR"));
            assert!(std::path::Path::new(&generated).exists(), "no permission generated for {c}");
        }
        let cap: serde_json::Value = serde_json::from_str(include_str!("../capabilities/main.json")).unwrap();
        let perms: Vec<&str> = cap["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        assert_eq!(perms, vec!["allow-app-commands"], "the window gets the app's own commands and nothing else");
        let mut set: Vec<String> = include_str!("../permissions/app.toml")
            .lines()
            .filter_map(|l| l.trim().strip_prefix("\"allow-")?.strip_suffix("\",").map(|c| c.replace('-', "_")))
            .collect();
        set.sort();
        assert_eq!(set, commands, "permissions/app.toml grants every command and no other");
    }

    #[test]
    fn the_csp_allows_no_inline_script_no_eval_and_no_remote_origin() {
        let conf: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let csp = &conf["app"]["security"]["csp"];
        assert_eq!(csp["script-src"], "'self'", "scripts only from the bundle");
        assert_eq!(csp["default-src"], "'self'");
        for d in ["object-src", "frame-src", "form-action", "base-uri"] {
            assert_eq!(csp[d], "'none'", "{d}");
        }
        let all = csp.to_string();
        assert!(!all.contains("unsafe-eval"), "{all}");
        let sources: Vec<&str> = csp.as_object().unwrap().values().flat_map(|v| v.as_str().unwrap().split_whitespace()).collect();
        for src in sources {
            let remote = src.starts_with("http") && src != "http://ipc.localhost"
                || src == "*"
                || src.starts_with("https:")
                || src.starts_with("wss:");
            assert!(!remote, "a remote origin in the CSP: {src}");
        }
    }

    /// The page never names a file: no command takes a path or file name to read or write; files
    /// come from the system dialog (kept by the shell) or live in the workspace folder.
    #[test]
    fn no_command_takes_a_path_from_the_page() {
        let src = include_str!("commands.rs");
        for sig in src.split("#[tauri::command").skip(1) {
            let head = &sig[..sig.find(") -> ").unwrap_or(sig.len().min(400))];
            for bad in ["PathBuf", "&Path", "path:", "file:", "dir:", "out:"] {
                assert!(!head.contains(bad), "a command takes `{bad}`: {head}");
            }
        }
    }

    #[test]
    fn an_empty_workspace_gets_its_first_person() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = create_at(&dir.path().join("w"), false, Some("Team"), Some("Anna"), Some("Sales")).unwrap();
        assert_eq!(ws.name().unwrap(), "Team");
        assert_eq!(ws.current_person().unwrap().name, "Anna");
        let mut demo = create_at(&dir.path().join("d"), true, None, None, None).unwrap();
        assert!(info_of(&mut demo).unwrap().counts.len() >= 6);
    }

    #[test]
    fn a_chosen_signals_file_shows_its_columns_and_not_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("feedback.csv");
        std::fs::write(&f, "Summary,Customer\nSlow,Acme\n").unwrap();
        let (p, records) = describe(ImportKind::Signals, &f, None).unwrap();
        assert_eq!(p.name, "feedback.csv");
        assert_eq!(p.columns, ["Summary", "Customer"]);
        assert!(records.is_none() && p.record_paths.is_empty());
        assert!(p.fields.contains(&"title".to_string()));
        let json = serde_json::to_string(&p).unwrap();
        assert!(!json.contains(&dir.path().display().to_string()), "the page never sees the path: {json}");
    }

    #[test]
    fn a_search_answer_offers_where_its_records_are_and_reads_their_columns() {
        // A consumer-complaints search answer (tests/fixtures, CC0): the records are the hits' sources.
        let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/signals/cfpb-complaints/document_get-detail.json");
        let (p, records) = describe(ImportKind::Signals, &f, None).unwrap();
        assert_eq!(records.as_deref(), Some("hits.hits[]._source"));
        assert_eq!(p.records, "hits.hits[]._source");
        assert!(
            p.columns.contains(&"complaint_what_happened".to_string()) && p.columns.contains(&"company".to_string()),
            "{:?}",
            p.columns
        );
        assert!(p.record_paths.iter().any(|r| r.path == "hits.hits[]"), "{:?}", p.record_paths);
        // Another place, chosen by the user: the hits themselves.
        let (p, records) = describe(ImportKind::Signals, &f, Some("hits.hits[]")).unwrap();
        assert_eq!(records.as_deref(), Some("hits.hits[]"));
        assert!(p.columns.contains(&"_source".to_string()), "{:?}", p.columns);
        // A path that is not there is one clear line.
        let e = describe(ImportKind::Signals, &f, Some("hits.nope[]")).unwrap_err().to_string();
        assert!(e.contains("no key 'nope'"), "{e}");
    }
}

/// The file a link in a note reaches (a picture with its bytes as a `data:` URL), or none.
#[tauri::command(rename_all = "snake_case")]
async fn attachment(state: State<'_, AppState>, target: String) -> Res<Option<mellanrum::attach::FilePreview>> {
    with(&state, |ws| ws.attachment_preview(&target))
}

/// Opens a copy of a file in the system's default application.
#[tauri::command(rename_all = "snake_case")]
async fn open_attachment(state: State<'_, AppState>, target: String) -> Res<()> {
    let path = with(&state, |ws| ws.attachment_copy(&target))?;
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let mut cmd = if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new(opener)
    };
    let mut child = cmd.arg(&path).spawn().map_err(|e| format!("{}: cannot open it ({e})", path.display()))?;
    // The opener returns at once (the application runs on); reap it off this thread.
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// Adds a file dropped or pasted into the editor: its bytes are the request's body, the item and
/// the file's name (percent-encoded) its `x-item` and `x-name` headers. Linked from the item's body.
#[tauri::command(rename_all = "snake_case")]
async fn attach_bytes(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Res<mellanrum::attach::AttachReport> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err("the file's bytes did not arrive".into());
    };
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let id = header("x-item").ok_or("which item the file is for did not arrive")?;
    let name = header("x-name").ok_or("the file's name did not arrive")?;
    let name =
        percent_encoding::percent_decode_str(&name).decode_utf8().map_err(|_| "the file's name is not UTF-8".to_string())?.into_owned();
    with(&state, |ws| ws.attach_bytes(&id, &name, bytes))
}
