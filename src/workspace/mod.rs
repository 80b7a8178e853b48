//! A workspace: a folder holding the database and the data derived from it, and every operation
//! on it. This is where the rules of the domain live (link rules, the friction lifecycle,
//! attribution); the SQL is in [`crate::store`].

use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};

use crate::error::{Error, Result};
use crate::model::Person;
use crate::store::{Store, UpgradeReport};
pub(crate) use crate::write::{derive_links, next_hlc, save, settle, Ctx};
pub use crate::write::{SaveReport, MAX_BODY};

mod derived;
mod items;
mod reading;
mod rules;
mod search;
mod views;

use rules::*;
pub(crate) use rules::{live_item, resolve_ref};
pub use views::*;

/// The database file inside a workspace folder.
pub const DB_FILE: &str = "mellanrum.db";
/// The database and the files SQLite keeps beside it (write-ahead log, shared memory).
pub const DB_FILES: [&str; 3] = [DB_FILE, "mellanrum.db-wal", "mellanrum.db-shm"];

/// An open workspace.
pub struct Workspace {
    pub(crate) root: PathBuf,
    pub(crate) store: Store,
    pub(crate) device: String,
    pub(crate) actor: Option<Person>,
    /// The search index, opened on first use (see [`crate::index`]).
    pub(crate) index: crate::index::Slot,
    /// What the lens reads from the store, kept while the store has not changed (see [`crate::lens`]).
    pub(crate) lens: Option<Box<crate::lens::Loaded>>,
}

pub(crate) fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Today in the local calendar: what ages and recency are counted to.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

impl Workspace {
    /// Makes `dir` a new workspace named `name` (the folder's name when `None`).
    pub fn init(dir: &Path, name: Option<&str>) -> Result<Workspace> {
        let db = dir.join(DB_FILE);
        if db.exists() {
            return Err(Error::AlreadyAWorkspace(dir.to_path_buf()));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let name = match name {
            Some(n) if !n.trim().is_empty() => n.trim().to_string(),
            Some(_) => return Err(Error::invalid("a workspace name cannot be empty")),
            None => dir
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "Mellanrum".into()),
        };
        let mut store = Store::open(&db)?;
        let device = new_id();
        store.write(|tx| {
            tx.set_meta("name", &name)?;
            tx.set_meta("device", &device)?;
            tx.set_meta("created", &now_text())?;
            Ok(())
        })?;
        Ok(Workspace { root: dir.to_path_buf(), store, device, actor: None, index: Default::default(), lens: None })
    }

    /// Opens the workspace in `dir`.
    pub fn open(dir: &Path) -> Result<Workspace> {
        Workspace::open_reporting(dir, &mut |_, _| {}).map(|(ws, _)| ws)
    }

    /// Opens a workspace as [`Workspace::open`] does; a workspace written by an older Mellanrum
    /// has its record rewritten in the compact layout first (`Store::upgrade`), `progress(done,
    /// total)` following it, and what that did is returned.
    pub fn open_reporting(dir: &Path, progress: &mut dyn FnMut(u64, u64)) -> Result<(Workspace, Option<UpgradeReport>)> {
        let db = dir.join(DB_FILE);
        if !db.is_file() {
            return Err(Error::NotAWorkspace(dir.to_path_buf()));
        }
        let mut store = Store::open(&db)?;
        let upgraded = store.upgrade(progress)?;
        let device = store.write(|tx| match tx.meta("device")? {
            Some(d) => Ok(d),
            None => {
                let d = new_id();
                tx.set_meta("device", &d)?;
                Ok(d)
            }
        })?;
        Ok((Workspace { root: dir.to_path_buf(), store, device, actor: None, index: Default::default(), lens: None }, upgraded))
    }

    /// Finds the workspace holding `start` (the folder itself or one of its parents).
    pub fn discover(start: &Path) -> Result<PathBuf> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            if d.join(DB_FILE).is_file() {
                return Ok(d.to_path_buf());
            }
            dir = d.parent();
        }
        Err(Error::NotAWorkspace(start.to_path_buf()))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn device(&self) -> &str {
        &self.device
    }

    /// How much room the parts of the record take.
    pub fn record_stats(&mut self) -> Result<crate::store::RecordStats> {
        self.store.record_stats()
    }

    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn name(&mut self) -> Result<String> {
        self.store.read(|tx| Ok(tx.meta("name")?.unwrap_or_default()))
    }

    // ---- people -----------------------------------------------------------------------------

    /// Acts as `name` for the rest of this session (the CLI's `--as`).
    pub fn act_as(&mut self, name: &str) -> Result<()> {
        let p = self.store.read(|tx| tx.person_by_name(name))?;
        match p {
            Some(p) => {
                self.actor = Some(p);
                Ok(())
            }
            None => Err(Error::UnknownPerson { name: name.to_string() }),
        }
    }

    /// The person changes are attributed to.
    pub fn current_person(&mut self) -> Result<Person> {
        if let Some(p) = &self.actor {
            return Ok(p.clone());
        }
        let p = self.store.read(|tx| match tx.meta("current_person")? {
            Some(id) => tx.person(&id),
            None => Ok(None),
        })?;
        p.ok_or(Error::NoCurrentPerson)
    }

    /// Adds a person; the first person added becomes the current one.
    pub fn add_person(&mut self, name: &str, perspective: &str) -> Result<Person> {
        let name = name.trim();
        let perspective = perspective.trim();
        if name.is_empty() || name.contains(['\n', ',', ';']) {
            return Err(Error::NotAName { name: name.to_string() });
        }
        if perspective.is_empty() {
            return Err(Error::NoPerspective { name: name.to_string() });
        }
        let actor = self.current_person().ok();
        let device = self.device.clone();
        self.store.write(|tx| {
            if let Some(existing) = tx.person_by_name(name)? {
                return Err(Error::PersonExists { name: existing.name });
            }
            let p = Person { id: new_id(), name: name.to_string(), perspective: perspective.to_string(), created: now_text() };
            tx.insert_person(&p)?;
            let author = actor.as_ref().map(|a| a.id.clone()).unwrap_or_else(|| p.id.clone());
            let hlc = next_hlc(tx, &device)?;
            let payload = crate::sync::merge::record_local_person(tx, &hlc.to_string(), &author, &p.created, &p, true)?;
            tx.append_change(&hlc.to_string(), &device, &author, "person", &p.id, "create", &payload.to_string())?;
            if tx.meta("current_person")?.is_none() {
                tx.set_meta("current_person", &p.id)?;
            }
            Ok(p)
        })
    }

    /// Changes a person's perspective.
    pub fn set_perspective(&mut self, name: &str, perspective: &str) -> Result<Person> {
        let perspective = perspective.trim().to_string();
        if perspective.is_empty() {
            return Err(Error::EmptyPerspective);
        }
        let actor = self.current_person()?;
        let device = self.device.clone();
        self.store.write(|tx| {
            let mut p = tx.person_by_name(name)?.ok_or_else(|| Error::UnknownPerson { name: name.to_string() })?;
            p.perspective = perspective.clone();
            tx.update_person(&p)?;
            tx.queue_index_authored_by(&p.id)?;
            let hlc = next_hlc(tx, &device)?;
            let payload = crate::sync::merge::record_local_person(tx, &hlc.to_string(), &actor.id, &now_text(), &p, false)?;
            tx.append_change(&hlc.to_string(), &device, &actor.id, "person", &p.id, "update", &payload.to_string())?;
            Ok(p)
        })
    }

    /// Makes `name` the current person of this workspace.
    pub fn use_person(&mut self, name: &str) -> Result<Person> {
        self.store.write(|tx| {
            let p = tx.person_by_name(name)?.ok_or_else(|| Error::UnknownPerson { name: name.to_string() })?;
            tx.set_meta("current_person", &p.id)?;
            Ok(p)
        })
    }

    pub fn people(&mut self) -> Result<Vec<Person>> {
        self.store.read(|tx| tx.people())
    }

    pub(crate) fn ctx(&mut self) -> Result<Ctx> {
        Ok(Ctx { actor: self.current_person()?, device: self.device.clone(), now: now_text() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Rel};

    #[test]
    fn last_change_grows_with_writes_from_any_handle() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Workspace::init(dir.path(), Some("t")).unwrap();
        let start = a.last_change().unwrap();
        a.add_person("Anna", "Sales").unwrap();
        let after_person = a.last_change().unwrap();
        assert!(after_person > start);
        // A second handle (another process, e.g. the CLI) writes; the first one sees it.
        let mut b = Workspace::open(dir.path()).unwrap();
        b.create(NewItem { kind: Some(Kind::Note), title: "N".into(), ..Default::default() }).unwrap();
        assert!(a.last_change().unwrap() > after_person);
    }

    #[test]
    fn create_linked_writes_typed_links_in_one_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(dir.path(), Some("t")).unwrap();
        ws.add_person("Anna", "Sales").unwrap();
        let item = |kind, title: &str| NewItem { kind: Some(kind), title: title.into(), ..Default::default() };
        let f = ws.create(item(Kind::Friction, "Release cadence")).unwrap().id;
        let s = ws.create(item(Kind::Signal, "Customer waits")).unwrap().id;
        let r = ws.create_linked(item(Kind::Resolution, "Monthly"), &[(Rel::Resolves, f.clone())]).unwrap();
        assert_eq!(ws.show(&f).unwrap().fields["status"], "resolved");
        assert!(ws.show(&r.id).unwrap().body.contains("resolves:: [[Release cadence]]"));
        // A broken rule (evidence from a resolution) leaves nothing behind.
        let before = ws.list(None, None, false).unwrap().len();
        assert!(ws.create_linked(item(Kind::Resolution, "Bad"), &[(Rel::Evidence, s.clone())]).is_err());
        assert_eq!(ws.list(None, None, false).unwrap().len(), before);
        assert_eq!(ws.unused_signals().unwrap(), vec![s.clone()]);
        let i = ws.create_linked(item(Kind::Insight, "Waiting hurts"), &[(Rel::Evidence, s.clone())]).unwrap();
        assert_eq!(ws.backlinks(&s).unwrap()[0].id.as_deref(), Some(i.id.as_str()));
        assert!(ws.unused_signals().unwrap().is_empty());
        let g = ws.graph().unwrap().to_map();
        assert_eq!(g.nodes.len(), 4);
        assert!(g.nodes.iter().all(|n| n.perspective == "Sales"));
        assert_eq!(g.edges.len(), 2);
        assert!(g.edges.iter().any(|e| e.source == i.id && e.target == s && e.rel == Rel::Evidence));
        ws.delete(&i.id).unwrap();
        assert_eq!(ws.unused_signals().unwrap(), vec![s.clone()]);
        assert_eq!(ws.graph().unwrap().edge_count(), 1);
    }
}
