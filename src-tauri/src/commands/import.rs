//! Importing: choosing a source in the system dialog (the page sees a name, never a path), where
//! a JSON file's records are, a preview of a signals file's mapping, and the import itself.

use std::path::Path;

use mellanrum::Workspace;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use super::Res;
use crate::state::{AppState, ImportKind, Picked};

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
pub async fn pick_import(app: tauri::AppHandle, state: State<'_, AppState>, kind: ImportKind) -> Res<Option<PickedSource>> {
    use tauri_plugin_dialog::DialogExt;
    let dialog = app.dialog().file();
    let picked = match kind {
        ImportKind::Vault => dialog.blocking_pick_folder(),
        ImportKind::Signals => dialog.add_filter("CSV, JSON", &["csv", "tsv", "json", "jsonl", "ndjson"]).blocking_pick_file(),
        ImportKind::Calendar => dialog.add_filter("iCalendar", &["ics"]).blocking_pick_file(),
    };
    let Some(picked) = picked else { return Ok(None) };
    let path = picked.into_path().map_err(|e| e.to_string())?;
    let (source, records) = describe(kind, &path, None)?;
    *state.picked() = Some(Picked { kind, path, records });
    Ok(Some(source))
}

/// Reads the chosen JSON signals file's records from another place inside it (one of
/// `record_paths`, or a path the user typed, as `--records` takes it).
#[tauri::command(rename_all = "snake_case")]
pub async fn choose_records(state: State<'_, AppState>, records: String) -> Res<PickedSource> {
    let picked = state.picked().clone().ok_or_else(|| "choose what to import first".to_string())?;
    let (source, records) = describe(picked.kind, &picked.path, Some(records.trim()))?;
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
pub async fn preview_import(state: State<'_, AppState>, map: Vec<(String, String)>) -> Res<Vec<mellanrum::import::signals::PreviewRow>> {
    let picked = state.picked().clone().ok_or_else(|| "choose what to import first".to_string())?;
    let opts = mellanrum::import::signals::Options { map, records: picked.records.clone(), ..Default::default() };
    Ok(mellanrum::import::signals::preview(&picked.path, &opts, 10)?)
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
pub async fn run_import(
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
            // The core's window: a year back, 90 days ahead.
            ImportKind::Calendar => ImportOutcome::Calendar(ws.import_calendar(&picked.path, None, None)?),
        })
    })
    .await
    .map_err(|e| e.to_string())??;
    *state.picked() = None;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

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
