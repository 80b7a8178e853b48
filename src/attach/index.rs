//! How links reach files, Obsidian's way: a target reaches the newest file whose path ends with
//! it (whole parts, ignoring case), the shortest path of several.

use std::collections::HashMap;

use crate::store::AttachmentRow;

/// A link's path made comparable: decoded, `\` as `/`, `.` and `..` parts dropped (a relative
/// path from a note's folder names the same file from the root), lower-cased.
pub fn normalize_target(target: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(target).decode_utf8().map(|c| c.into_owned()).unwrap_or_else(|_| target.to_string());
    let mut parts: Vec<&str> = Vec::new();
    for p in decoded.split(['/', '\\']) {
        match p.trim() {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(p),
        }
    }
    parts.join("/").to_lowercase()
}

/// The files of a workspace as links find them: the newest row of each path.
pub struct Index {
    pub(super) rows: Vec<AttachmentRow>,
    pub(super) by_name: HashMap<String, Vec<usize>>,
}

impl Index {
    /// From every row, oldest first (as `Tx::attachments` gives them).
    pub fn new(all: Vec<AttachmentRow>) -> Index {
        let mut at: HashMap<String, usize> = HashMap::new();
        let mut rows: Vec<AttachmentRow> = Vec::new();
        for r in all {
            match at.get(&r.path.to_lowercase()) {
                Some(&i) => rows[i] = r,
                None => {
                    at.insert(r.path.to_lowercase(), rows.len());
                    rows.push(r);
                }
            }
        }
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            by_name.entry(name_of(&r.path).to_lowercase()).or_default().push(i);
        }
        Index { rows, by_name }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The newest row of each path, in the order they were first added.
    pub fn rows(&self) -> &[AttachmentRow] {
        &self.rows
    }

    /// The file a link's target reaches: the newest file whose path ends with the target (whole
    /// parts, ignoring case); of several, the shortest path.
    pub fn resolve(&self, target: &str) -> Option<&AttachmentRow> {
        let want = normalize_target(target);
        let name = want.rsplit('/').next().unwrap_or(&want);
        let candidates = self.by_name.get(name)?;
        candidates
            .iter()
            .map(|&i| &self.rows[i])
            .filter(|r| {
                let key = r.path.to_lowercase();
                key == want || key.ends_with(&format!("/{want}"))
            })
            .min_by_key(|r| (r.path.matches('/').count(), r.path.len(), r.path.to_lowercase()))
    }

    /// An index of paths alone (a vault's files before they are added), to find what links reach.
    pub fn of_paths<'a>(paths: impl IntoIterator<Item = &'a String>) -> Index {
        Index::new(
            paths
                .into_iter()
                .map(|p| AttachmentRow {
                    id: p.clone(),
                    path: p.clone(),
                    hash: String::new(),
                    size: 0,
                    media_type: String::new(),
                    added_by: String::new(),
                    added_at: String::new(),
                })
                .collect(),
        )
    }

    /// The rows whose name is `name` (ignoring case).
    pub fn named(&self, name: &str) -> Vec<&AttachmentRow> {
        self.by_name.get(&name.to_lowercase()).map(|v| v.iter().map(|&i| &self.rows[i]).collect()).unwrap_or_default()
    }
}

/// The last part of a path.
pub fn name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
