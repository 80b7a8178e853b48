//! Background sync: when the open workspace has a shared storage set (`mellanrum remote set`), a
//! thread syncs it every [`INTERVAL`] on its own connection to the workspace (so the window stays
//! responsive while a sync talks to the storage) and keeps the state the status bar shows.

use std::path::PathBuf;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mellanrum::Workspace;
use serde::Serialize;

/// How often the thread syncs when nothing asks it to sooner.
pub const INTERVAL: Duration = Duration::from_secs(20);

/// What the status bar shows about sync.
#[derive(Debug, Clone, Serialize, Default, ts_rs::TS)]
pub struct SyncStatus {
    /// The storage, or `None` for a workspace that is only local.
    pub remote: Option<String>,
    pub encrypted: bool,
    /// A sync is running now.
    pub running: bool,
    /// When the last sync finished (milliseconds since the epoch), and whether it failed.
    pub last_at: Option<u64>,
    pub error: Option<String>,
    /// What the last successful sync moved.
    pub sent: usize,
    pub received: usize,
    pub merged: usize,
    pub quarantined: usize,
    pub warnings: Vec<String>,
    /// Conflicts recorded in the workspace (merged by rule, shown in the conflicts list).
    pub conflicts: usize,
    /// Conflicts the last sync found.
    pub new_conflicts: usize,
}

/// The shared sync state and the bell that wakes the thread early.
#[derive(Default)]
pub struct Syncer {
    status: Mutex<SyncStatus>,
    wake: Mutex<bool>,
    bell: Condvar,
}

impl Syncer {
    pub fn status(&self) -> SyncStatus {
        self.status.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn update(&self, f: impl FnOnce(&mut SyncStatus)) {
        f(&mut self.status.lock().unwrap_or_else(|e| e.into_inner()));
    }

    /// Asks the thread to sync now.
    pub fn ring(&self) {
        *self.wake.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.bell.notify_all();
    }

    fn sleep(&self, d: Duration) {
        let guard = self.wake.lock().unwrap_or_else(|e| e.into_inner());
        let (mut woken, _) = self.bell.wait_timeout_while(guard, d, |w| !*w).unwrap_or_else(|e| e.into_inner());
        *woken = false;
    }

    /// One round: reads the remote setting of the workspace at `root` and syncs when one is set.
    /// `conn` is the thread's own connection, kept while the workspace stays the same.
    pub fn round(&self, root: Option<PathBuf>, conn: &mut Option<Workspace>) {
        let Some(root) = root else {
            *conn = None;
            self.update(|s| *s = SyncStatus::default());
            return;
        };
        if conn.as_ref().map(|w| w.root() != root.as_path()).unwrap_or(true) {
            *conn = Workspace::open(&root).ok();
        }
        let Some(ws) = conn.as_mut() else { return };
        let remote = match ws.remote() {
            Ok(r) => r,
            Err(e) => {
                self.update(|s| s.error = Some(e.to_string()));
                return;
            }
        };
        let Some(remote) = remote else {
            let conflicts = ws.conflicts().map(|c| c.len()).unwrap_or(0);
            self.update(|s| *s = SyncStatus { conflicts, ..SyncStatus::default() });
            return;
        };
        self.update(|s| {
            s.remote = Some(remote.remote.clone());
            s.encrypted = remote.encrypted;
            s.running = true;
        });
        let result = ws.sync();
        let conflicts = ws.conflicts().map(|c| c.len()).unwrap_or(0);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        self.update(|s| {
            s.running = false;
            s.last_at = Some(now);
            s.conflicts = conflicts;
            match result {
                Ok(r) => {
                    s.error = None;
                    s.sent = r.sent;
                    s.received = r.received;
                    s.merged = r.merged.len();
                    s.quarantined = r.quarantined.len();
                    s.warnings = r.warnings;
                    s.new_conflicts = r.conflicts.len();
                }
                Err(e) => s.error = Some(e.to_string()),
            }
        });
    }

    /// The thread's loop: a round, then sleep until the interval passes or someone rings.
    pub fn run(&self, root: impl Fn() -> Option<PathBuf>) -> ! {
        let mut conn = None;
        loop {
            self.round(root(), &mut conn);
            self.sleep(INTERVAL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workspace_with_a_shared_folder_syncs_and_a_local_one_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let mut ws = Workspace::init(&a, Some("Team")).unwrap();
        ws.add_person("Anna", "Sales").unwrap();
        let s = Syncer::default();
        let mut conn = None;
        s.round(Some(a.clone()), &mut conn);
        assert_eq!(s.status().remote, None);
        assert_eq!(s.status().last_at, None);

        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        ws.set_remote(shared.to_str().unwrap(), mellanrum::sync::KeyChoice::Plain).unwrap();
        s.round(Some(a.clone()), &mut conn);
        let st = s.status();
        assert_eq!(st.error, None);
        assert!(st.remote.is_some() && st.last_at.is_some() && !st.running);
        assert!(st.sent > 0, "the first sync sends the workspace's changes: {st:?}");
        s.round(None, &mut conn);
        assert_eq!(s.status().remote, None);
    }
}
