//! `doctor`, backups and restores: checking that a workspace is sound, mending what can be
//! mended from the source of truth, and copying the source of truth safely.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{self, Kind};
use crate::store::{Peek, MIGRATIONS};
use crate::workspace::{derive_links, now_text, settle, SaveReport, Workspace, DB_FILE};

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing wrong.
    Ok,
    /// Something is wrong and was left as it is (run with repair, or see the details).
    Problem,
    /// Something was wrong and has been mended.
    Repaired,
}

/// One check of `doctor`.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    /// What was found (and, after a repair, what was done), one line each.
    pub details: Vec<String>,
}

/// Everything `doctor` found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// True when nothing is left wrong.
    pub ok: bool,
    pub checks: Vec<Check>,
}

/// What a backup wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub bytes: u64,
    pub items: i64,
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreInfo {
    pub from: PathBuf,
    /// Where the database as it was before the restore was kept.
    pub previous: PathBuf,
    pub items: i64,
}

fn check(name: &'static str, problems: Vec<String>, repaired: bool) -> Check {
    let status = match (problems.is_empty(), repaired) {
        (true, _) => Status::Ok,
        (false, true) => Status::Repaired,
        (false, false) => Status::Problem,
    };
    Check { name, status, details: problems }
}

impl Workspace {
    fn check_files(&mut self, repair: bool) -> Result<(Vec<String>, bool)> {
        use crate::attach::Health;
        let rows = self.store.read(|tx| tx.attachments())?;
        let files = self.files();
        let mut problems = Vec::new();
        let mut known = BTreeSet::new();
        let mut unrepairable = false;
        for r in &rows {
            if !known.insert(r.hash.clone()) {
                continue;
            }
            match files.health(&r.hash)? {
                Health::Sound => {}
                Health::Missing => {
                    unrepairable = true;
                    problems.push(format!("{} (sha256 {}): the file is missing from files/", r.path, &r.hash[..12.min(r.hash.len())]))
                }
                Health::Damaged => {
                    unrepairable = true;
                    problems.push(format!(
                        "{} (sha256 {}): the file's content does not match its hash",
                        r.path,
                        &r.hash[..12.min(r.hash.len())]
                    ))
                }
            }
        }
        let strays = files.strays(&known)?;
        for (rel, path) in &strays {
            if repair {
                std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
                problems.push(format!("{rel}: no attachment holds this file (left by an interrupted add); removed"));
            } else {
                problems.push(format!("{rel}: no attachment holds this file (left by an interrupted add)"));
            }
        }
        Ok((problems, repair && !strays.is_empty() && !unrepairable))
    }

    /// Checks the database, the kind fields, the links against the bodies, frictions against their
    /// resolutions, the history, the search index against the database and the sync log against
    /// the shared storage; with `repair`, mends what can be derived again (the index is rebuilt).
    pub fn doctor(&mut self, repair: bool) -> Result<Report> {
        let mut checks = Vec::new();

        // The file itself.
        let mut problems: Vec<String> = self.store.integrity_check()?.into_iter().filter(|l| l != "ok").collect();
        problems.extend(self.store.foreign_key_problems()?);
        if !problems.is_empty() {
            problems.push("the database file is damaged: restore the latest backup".into());
        }
        let db_ok = problems.is_empty();
        checks.push(check("database", problems, false));
        if !db_ok {
            return Ok(Report { ok: false, checks });
        }

        // Every item of a kind with fields has its field row.
        let missing = self.store.read(|tx| tx.items_missing_fields())?;
        let problems: Vec<String> = missing.iter().map(|id| format!("{id}: its kind's fields are missing")).collect();
        if repair && !missing.is_empty() {
            self.store.write(|tx| {
                for id in &missing {
                    if let Some(item) = tx.item(id)? {
                        let mut fixed = item.clone();
                        for (k, v) in model::Fields::defaults(item.kind).values {
                            fixed.fields.values.entry(k).or_insert(v);
                        }
                        tx.put_item(&fixed)?;
                    }
                }
                Ok(())
            })?;
        }
        checks.push(check("fields", problems, repair));

        checks.push(self.check_links(repair)?);

        // Frictions follow their resolutions.
        let wrong = self.store.read(|tx| {
            let mut wrong = Vec::new();
            for row in tx.list_items(Some(Kind::Friction), None, false)? {
                let status = row.status.clone().unwrap_or_default();
                if let Some(want) = crate::write::status_from_resolutions(tx, &row.id, &status)? {
                    let why = match (want, crate::write::resolutions_of(tx, &row.id)?) {
                        ("resolved", _) => "although a resolution resolves it",
                        (_, (_, true)) => "although the consent round on its resolution is open",
                        _ => "but no resolution resolves it",
                    };
                    wrong.push((row.id, row.title, status, why));
                }
            }
            Ok(wrong)
        })?;
        let problems: Vec<String> = wrong.iter().map(|(id, t, s, why)| format!("friction '{t}' ({id}) is {s} {why}")).collect();
        let mut repaired = false;
        if repair && !wrong.is_empty() {
            let ctx = self.ctx()?;
            self.store.write(|tx| {
                let mut report = SaveReport::default();
                for (id, ..) in &wrong {
                    report.recheck_friction(id);
                }
                settle(tx, &ctx, &mut report)
            })?;
            repaired = true;
        }
        checks.push(check("frictions", problems, repaired));

        // Every item has its history.
        let bare = self.store.read(|tx| tx.items_without_revision())?;
        let mut problems: Vec<String> = bare.iter().map(|id| format!("{id} has no revision (its history was lost)")).collect();
        // Every past body can be read back from the current one.
        self.store.read(|tx| {
            tx.each_body_history(|id, current, stored| {
                if let Err(e) = crate::history::expand(stored, current) {
                    problems.push(format!("{id}: a past body cannot be read back ({e})"));
                }
                Ok(())
            })
        })?;
        checks.push(check("history", problems, false));

        // Every file an attachment row names is there and holds what its hash says; files no row
        // holds (left by an add interrupted before its transaction) are listed, and removed by a
        // repair — a file any row holds never is, so every file a revision links to stays.
        let (problems, repaired) = self.check_files(repair)?;
        checks.push(check("attachments", problems, repaired));

        // The search index holds what the database holds.
        let mut problems = self.verify_index()?;
        let mut repaired = false;
        if repair && !problems.is_empty() {
            let n = self.reindex(|_, _| {})?;
            let left = self.verify_index()?;
            repaired = left.is_empty();
            problems.push(format!("rebuilt the search index from the database ({n} items)"));
            problems.extend(left.into_iter().map(|l| format!("after the rebuild: {l}")));
        }
        checks.push(check("index", problems, repaired));

        // The lens's rows say what the tables say; a repair encodes every item again.
        let mut problems = self.verify_lens_rows()?;
        let mut repaired = false;
        if repair && !problems.is_empty() {
            self.store.write(|tx| tx.reset_lens_rows())?;
            let left = self.verify_lens_rows()?;
            repaired = left.is_empty();
            problems.push("encoded every item's lens row again".into());
            problems.extend(left.into_iter().map(|l| format!("after encoding: {l}")));
        }
        checks.push(check("lens", problems, repaired));

        // The sync log is whole, on this side and on the shared storage.
        let problems = self.verify_sync_log()?;
        checks.push(check("sync", problems, false));

        let ok = checks.iter().all(|c| c.status != Status::Problem);
        Ok(Report { ok, checks })
    }

    /// Where the lens read from its rows differs from the lens read from the tables (none when
    /// they agree): the figures, lists unlimited, as of today.
    fn verify_lens_rows(&mut self) -> Result<Vec<String>> {
        use crate::lens::{LensOptions, Loaded};
        let opt = LensOptions { limit: 0, ..LensOptions::new(chrono::Local::now().date_naive()) };
        let as_json = |l: crate::lens::Lens| serde_json::to_value(l).map_err(|e| Error::Corrupt(format!("the lens as JSON: {e}")));
        let rows = as_json(Loaded::read(&mut self.store)?.lens(&opt)?)?;
        let tables = as_json(Loaded::read_tables(&mut self.store)?.lens(&opt)?)?;
        let (Some(rows), Some(tables)) = (rows.as_object(), tables.as_object()) else { return Ok(Vec::new()) };
        Ok(tables
            .iter()
            .filter(|(k, v)| rows.get(*k) != Some(v))
            .map(|(k, _)| format!("the lens's rows give another '{k}' than the tables"))
            .collect())
    }

    /// The links table is what the bodies say; a repair stores what they say.
    fn check_links(&mut self, repair: bool) -> Result<Check> {
        let stale = self.store.read(|tx| {
            let mut stale = Vec::new();
            for id in tx.item_ids(false)? {
                let Some(item) = tx.item(&id)? else { continue };
                let want = derive_links(tx, &item)?;
                let have = tx.links_from(&id)?;
                let key = |l: &model::Link| (l.rel, l.target.clone(), l.target_id.clone(), l.line, l.heading.clone(), l.embed);
                let w: BTreeSet<_> = want.iter().map(key).collect();
                let h: BTreeSet<_> = have.iter().map(key).collect();
                if w != h {
                    stale.push((id, item.title, want));
                }
            }
            Ok(stale)
        })?;
        let problems: Vec<String> = stale.iter().map(|(id, t, _)| format!("'{t}' ({id}): stored links differ from its body")).collect();
        if repair && !stale.is_empty() {
            self.store.write(|tx| {
                for (id, _, want) in &stale {
                    tx.replace_links(id, want)?;
                }
                Ok(())
            })?;
        }
        Ok(check("links", problems, repair))
    }

    /// Writes a consistent copy of the workspace's database to `out`. Safe while the app and
    /// other commands use the workspace.
    pub fn backup(&mut self, out: &Path) -> Result<BackupInfo> {
        if out.exists() {
            return Err(Error::invalid(format!("{} exists already; give a new file name", out.display())));
        }
        let dir = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(Error::invalid(format!("{}: no such folder", dir.display())));
        }
        let name = out.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| "backup".into());
        let tmp = dir.join(format!(".{name}.partial"));
        let _ = std::fs::remove_file(&tmp);
        self.store.backup_to(&tmp)?;
        let file = std::fs::File::open(&tmp).map_err(|e| Error::io(&tmp, e))?;
        file.sync_all().map_err(|e| Error::io(&tmp, e))?;
        let bytes = file.metadata().map_err(|e| Error::io(&tmp, e))?.len();
        let (_, items) = Peek::open(&tmp)?.describe()?;
        std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))?;
        Ok(BackupInfo { path: out.to_path_buf(), bytes, items })
    }

    /// Replaces the workspace's content by a backup. The database as it was is kept next to it,
    /// this device keeps its identity, and the derived search index is rebuilt.
    pub fn restore_backup(&mut self, from: &Path) -> Result<RestoreInfo> {
        if !from.is_file() {
            return Err(Error::invalid(format!("{}: no such backup file", from.display())));
        }
        let peek = Peek::open(from).map_err(|_| Error::invalid(format!("{}: not a Mellanrum backup", from.display())))?;
        let integrity = peek.integrity_check().map_err(|_| Error::invalid(format!("{}: not a Mellanrum backup", from.display())))?;
        if integrity != ["ok"] {
            return Err(Error::invalid(format!("{}: the backup is damaged ({})", from.display(), integrity.join("; "))));
        }
        let version = peek.schema_version()?;
        if version > MIGRATIONS.len() as i64 {
            return Err(Error::TooNew { found: version, known: MIGRATIONS.len() as i64 });
        }
        let (_, items) = peek.describe().map_err(|_| Error::invalid(format!("{}: not a Mellanrum backup", from.display())))?;
        drop(peek);

        let stamp = now_text().replace([':', '.'], "-");
        let previous = self.root.join(format!("{DB_FILE}.before-restore-{stamp}"));
        self.store.backup_to(&previous)?;
        let device = self.device.clone();
        let hlc = self.store.read(|tx| tx.meta("hlc"))?;
        self.store.restore_from(from)?;
        // Bring an older backup to the current schema, keep this device's identity and clock.
        drop(std::mem::replace(&mut self.store, crate::store::Store::open(&self.root.join(DB_FILE))?));
        self.store.write(|tx| {
            tx.set_meta("device", &device)?;
            let restored = tx.meta("hlc")?;
            if let Some(h) = hlc.into_iter().chain(restored).max() {
                tx.set_meta("hlc", &h)?;
            }
            tx.queue_all_items()?;
            Ok(())
        })?;
        // The index is derived: bring it level with what was restored now (rebuilt when it is
        // missing or unsound), so search and `doctor` see it whole. The restore itself is done
        // either way; a process holding the index catches it up otherwise.
        if let Err(e) = crate::index::flush(&mut self.index_on()) {
            tracing::warn!("the search index will catch up with the restored workspace later: {e}");
        }
        Ok(RestoreInfo { from: from.to_path_buf(), previous, items })
    }
}
