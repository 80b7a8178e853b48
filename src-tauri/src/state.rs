//! The shell's state: at most one open workspace, behind a mutex, and the folder the app opens.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};

use mellanrum::Workspace;

/// The environment variable naming the workspace to open (shared with the CLI).
pub const WORKSPACE_ENV: &str = "MELLANRUM_WORKSPACE";

/// Where the app looks for its workspace: `MELLANRUM_WORKSPACE` when set, else
/// `<data dir>/mellanrum/default` (the same folder `scripts/run` and the CLI use).
pub fn startup_target(data_dir: &Path) -> PathBuf {
    match std::env::var_os(WORKSPACE_ENV) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => data_dir.join("mellanrum").join("default"),
    }
}

/// A file or folder the user chose in the system dialog to import from: the page refers to it
/// only as "the chosen source", never by its path.
#[derive(Debug, Clone)]
pub struct Picked {
    pub kind: ImportKind,
    pub path: PathBuf,
    /// For a JSON signals file: where its records are (`--records`), `None` for the file itself.
    pub records: Option<String>,
}

/// What an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ImportKind {
    Vault,
    Signals,
    Calendar,
}

#[cfg(test)]
impl ImportKind {
    /// In the order the window offers them.
    pub const ALL: [ImportKind; 3] = [ImportKind::Vault, ImportKind::Signals, ImportKind::Calendar];
}

pub struct AppState {
    /// The folder a first start creates its workspace in.
    pub target: Mutex<PathBuf>,
    ws: Mutex<Option<Workspace>>,
    /// A second connection to the open workspace, for the lens alone. Its first view reads the
    /// whole graph (a third of a second at 100k items): on a connection of its own that neither
    /// waits for the lists and edits on the first one nor holds them up, and it is read while the
    /// window starts. Follows the first: reopened when another workspace is opened.
    lens: Mutex<Option<Workspace>>,
    /// The folder of the open workspace, read without waiting for the first connection.
    root: Mutex<Option<PathBuf>>,
    /// False while the workspace named at start is being opened: commands wait for it.
    opened: (Mutex<bool>, Condvar),
    pub picked: Mutex<Option<Picked>>,
    pub syncer: crate::sync::Syncer,
}

impl AppState {
    /// The state with the workspace in `target` opened (or none there yet).
    #[cfg(test)]
    pub fn new(target: PathBuf) -> AppState {
        let s = AppState::opening(target);
        s.finish_opening();
        s
    }

    /// The state before the workspace in `target` is opened: `finish_opening` (on another thread,
    /// so the window starts drawing meanwhile) opens it, and until then every command waits.
    pub fn opening(target: PathBuf) -> AppState {
        AppState {
            target: Mutex::new(target),
            ws: Mutex::new(None),
            lens: Mutex::new(None),
            root: Mutex::new(None),
            opened: (Mutex::new(false), Condvar::new()),
            picked: Mutex::new(None),
            syncer: Default::default(),
        }
    }

    /// Opens the workspace in the target folder (none when there is none yet) and lets the
    /// waiting commands in, whatever happens.
    pub fn finish_opening(&self) {
        struct Done<'a>(&'a (Mutex<bool>, Condvar));
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                *self.0 .0.lock().unwrap_or_else(|e| e.into_inner()) = true;
                self.0 .1.notify_all();
            }
        }
        let done = Done(&self.opened);
        let ws = Workspace::open(&self.target()).ok();
        let open = ws.is_some();
        *self.root.lock().unwrap_or_else(|e| e.into_inner()) = ws.as_ref().map(|ws| ws.root().to_path_buf());
        *self.ws.lock().unwrap_or_else(|e| e.into_inner()) = ws;
        drop(done);
        // The lens is the first view: its graph is read now, on its own connection, while the
        // window starts (an error shows when the view asks again).
        if open {
            let _ = self.with_lens(|ws| ws.lens(&lens_options()));
        }
    }

    /// Replaces the open workspace (none: the target folder has none yet).
    pub fn replace(&self, ws: Option<Workspace>) {
        let mut main = self.lock();
        *self.lens.lock().unwrap_or_else(|e| e.into_inner()) = None;
        *self.root.lock().unwrap_or_else(|e| e.into_inner()) = ws.as_ref().map(|ws| ws.root().to_path_buf());
        *main = ws;
    }

    /// Runs `f` on the lens's connection to the open workspace; `None` when no workspace is open.
    pub fn with_lens<T>(&self, f: impl FnOnce(&mut Workspace) -> mellanrum::Result<T>) -> mellanrum::Result<Option<T>> {
        let Some(root) = self.root() else { return Ok(None) };
        let mut lens = self.lens.lock().unwrap_or_else(|e| e.into_inner());
        if lens.as_ref().is_none_or(|ws| ws.root() != root) {
            *lens = None;
            *lens = Some(Workspace::open(&root)?);
        }
        f(lens.as_mut().expect("opened above")).map(Some)
    }

    /// Waits until the workspace named at start has been opened (or found missing).
    fn wait_opened(&self) {
        let (opened, ready) = &self.opened;
        let mut done = opened.lock().unwrap_or_else(|e| e.into_inner());
        while !*done {
            done = ready.wait(done).unwrap_or_else(|e| e.into_inner());
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, Option<Workspace>> {
        self.wait_opened();
        // A panic while holding the lock cannot leave the workspace half-written (every write is one
        // SQLite transaction), so a poisoned lock is safe to take over.
        self.ws.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The folder of the open workspace (waits while it opens).
    pub fn root(&self) -> Option<PathBuf> {
        self.wait_opened();
        self.root.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn picked(&self) -> MutexGuard<'_, Option<Picked>> {
        self.picked.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn target(&self) -> PathBuf {
        self.target.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_target(&self, p: PathBuf) {
        *self.target.lock().unwrap_or_else(|e| e.into_inner()) = p;
    }
}

/// The lens as the window shows it: today's, with the 30 first of each list.
pub fn lens_options() -> mellanrum::lens::LensOptions {
    mellanrum::lens::LensOptions { limit: 30, ..mellanrum::lens::LensOptions::new(mellanrum::workspace::today()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_an_existing_workspace_and_waits_for_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        let missing = AppState::new(dir.path().join("none"));
        assert!(missing.lock().is_none());
        mellanrum::demo::create(&dir.path().join("demo")).unwrap();
        let s = AppState::new(dir.path().join("demo"));
        assert!(s.lock().as_mut().unwrap().name().unwrap().starts_with("Demo"));
    }

    #[test]
    fn commands_wait_while_the_workspace_opens_on_another_thread() {
        let dir = tempfile::tempdir().unwrap();
        mellanrum::demo::create(&dir.path().join("demo")).unwrap();
        let s = std::sync::Arc::new(AppState::opening(dir.path().join("demo")));
        let waiting = {
            let s = s.clone();
            std::thread::spawn(move || s.lock().as_mut().map(|ws| ws.name().unwrap()))
        };
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!waiting.is_finished(), "a command went ahead before the workspace was open");
        s.finish_opening();
        assert!(waiting.join().unwrap().unwrap().starts_with("Demo"));
    }

    #[test]
    fn the_lens_reads_on_its_own_connection_and_follows_the_open_workspace() {
        let dir = tempfile::tempdir().unwrap();
        mellanrum::demo::create(&dir.path().join("demo")).unwrap();
        let s = std::sync::Arc::new(AppState::new(dir.path().join("demo")));
        let items = |s: &AppState| s.with_lens(|ws| ws.lens(&lens_options())).unwrap().unwrap().items;
        let before = items(&s);
        assert!(before > 0);

        // While the first connection is busy (the lists, an edit), the lens still answers.
        let busy = s.lock();
        let lens = {
            let s = s.clone();
            std::thread::spawn(move || items(&s))
        };
        assert_eq!(lens.join().unwrap(), before);

        // A save on the first connection is seen by the lens's.
        let mut busy = busy;
        let new = mellanrum::workspace::NewItem {
            kind: Some(mellanrum::model::Kind::Note),
            title: "Seen by the lens".into(),
            ..Default::default()
        };
        busy.as_mut().unwrap().create(new).unwrap();
        drop(busy);
        assert_eq!(items(&s), before + 1);

        // Another workspace opened: the lens follows it.
        let other = mellanrum::Workspace::init(&dir.path().join("empty"), Some("Empty")).unwrap();
        s.replace(Some(other));
        assert_eq!(items(&s), 0);
        s.replace(None);
        assert!(s.with_lens(|ws| ws.lens(&lens_options())).unwrap().is_none());
    }
}
