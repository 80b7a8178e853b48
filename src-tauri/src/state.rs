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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportKind {
    Vault,
    Signals,
    Calendar,
}

pub struct AppState {
    /// The folder a first start creates its workspace in.
    pub target: Mutex<PathBuf>,
    ws: Mutex<Option<Workspace>>,
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
        let _done = Done(&self.opened);
        let ws = Workspace::open(&self.target()).ok();
        *self.ws.lock().unwrap_or_else(|e| e.into_inner()) = ws;
    }

    pub fn lock(&self) -> MutexGuard<'_, Option<Workspace>> {
        let (opened, ready) = &self.opened;
        let mut done = opened.lock().unwrap_or_else(|e| e.into_inner());
        while !*done {
            done = ready.wait(done).unwrap_or_else(|e| e.into_inner());
        }
        drop(done);
        // A panic while holding the lock cannot leave the workspace half-written (every write is one
        // SQLite transaction), so a poisoned lock is safe to take over.
        self.ws.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The folder of the open workspace.
    pub fn root(&self) -> Option<PathBuf> {
        self.lock().as_ref().map(|ws| ws.root().to_path_buf())
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
}
