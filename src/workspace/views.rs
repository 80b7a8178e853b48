//! What front ends render and what `--json` prints: the view types of items, links, history and activity.

use serde::Serialize;
use serde_json::Value;

use crate::model::{Kind, Rel};
use crate::store::ItemRow;

/// What a new item is made of.
#[derive(Debug, Clone, Default)]
pub struct NewItem {
    pub kind: Option<Kind>,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    /// `(field, value)` pairs, validated against the kind.
    pub set: Vec<(String, String)>,
    /// `(perspective, position)` pairs for a friction.
    pub positions: Vec<(String, String)>,
}

/// A change to an item; `None` and empty lists leave that part as it is.
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub title: Option<String>,
    pub body: Option<String>,
    pub set: Vec<(String, String)>,
    /// `(perspective, position)`; an empty position removes that perspective.
    pub positions: Vec<(String, String)>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub add_aliases: Vec<String>,
    pub remove_aliases: Vec<String>,
}

impl Edit {
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.body.is_none()
            && self.set.is_empty()
            && self.positions.is_empty()
            && self.add_tags.is_empty()
            && self.remove_tags.is_empty()
            && self.add_aliases.is_empty()
            && self.remove_aliases.is_empty()
    }
}

/// A person as other views show them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonRef {
    pub name: String,
    pub perspective: String,
}

/// A link as the user sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LinkView {
    pub rel: Rel,
    /// The other item's id; `null` while the link is unresolved.
    pub id: Option<String>,
    /// The other item's title (for an unresolved link: the target as written).
    pub title: String,
    pub kind: Option<Kind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub heading: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub embed: bool,
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub problem: Option<String>,
    /// For a link to a file of the workspace (`![[chart.png]]`), the file's path.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub file: Option<String>,
}

/// Everything `show` tells about an item.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ItemView {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    /// The creator's name.
    pub author: String,
    pub contributors: Vec<PersonRef>,
    pub created: String,
    pub updated: String,
    pub deleted: bool,
    /// Lower-case, without `#`.
    pub tags: Vec<String>,
    /// Other titles `[[links]]` may use for this item.
    pub aliases: Vec<String>,
    /// Every field of the kind (`null` where empty); a friction's `positions`, and `properties`
    /// kept from an import.
    pub fields: serde_json::Map<String, Value>,
    /// The Markdown as written, links and all.
    pub body: String,
    pub links: Vec<LinkView>,
    pub backlinks: Vec<LinkView>,
    /// An insight's evidence strength, with its parts.
    pub evidence: Option<crate::trace::Evidence>,
    /// Whether a resolution should be reviewed because what it rests on was contradicted later.
    pub review: Option<crate::trace::Review>,
}

/// One line of a list.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ItemSummary {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub status: Option<String>,
    pub updated: String,
    /// A signal's day observed, else the day it was recorded.
    pub observed: Option<String>,
    pub customer: Option<String>,
    pub source: Option<String>,
    /// A signal's first line of text: its quote's, else its body's (a fence line skipped).
    pub line: Option<String>,
}

impl From<ItemRow> for ItemSummary {
    fn from(r: ItemRow) -> Self {
        let mut s = ItemSummary {
            id: r.id,
            kind: r.kind,
            title: r.title,
            status: r.status,
            observed: None,
            customer: None,
            source: None,
            line: None,
            updated: r.updated,
        };
        if let Some(sig) = r.signal {
            s.observed = sig.date;
            s.customer = sig.customer.filter(|c| !c.trim().is_empty());
            s.source = sig.source.filter(|c| !c.trim().is_empty());
            s.line = first_line(&sig.text);
        }
        s
    }
}

/// The first line of text worth showing in a row: not blank, not a code fence; at most 160 characters.
fn first_line(text: &str) -> Option<String> {
    let l = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("```") && !l.starts_with("~~~"))?;
    Some(if l.chars().count() > 160 { l.chars().take(159).collect::<String>() + "…" } else { l.to_string() })
}

/// One revision in an item's history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RevisionView {
    pub rev: i64,
    pub at: String,
    pub author: String,
    pub op: String,
    /// `{field: {"old": …, "new": …}}`
    #[cfg_attr(feature = "ts", ts(type = "Record<string, { old?: unknown; new?: unknown }>"))]
    pub changes: Value,
}

/// What other people changed since the current person last looked (`Workspace::activity`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Activity {
    /// How many changes by others are newer than the last look (the list may be shorter).
    pub unseen: i64,
    /// Newest first.
    pub changes: Vec<ActivityEntry>,
}

/// One change by someone else: "Erik Berg changed status, severity of Release cadence".
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActivityEntry {
    pub item_id: String,
    pub title: String,
    pub kind: Kind,
    pub author: String,
    pub perspective: String,
    /// create, update, delete or restore.
    #[cfg_attr(feature = "ts", ts(type = "\"create\" | \"update\" | \"delete\" | \"restore\""))]
    pub op: String,
    /// The fields the change touched (`title`, `body`, `tags`, a kind's own fields, …).
    pub fields: Vec<String>,
    pub at: String,
}

/// An unresolved target and the items that link to it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Unresolved {
    pub target: String,
    pub sources: Vec<UnresolvedSource>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct UnresolvedSource {
    pub id: String,
    pub title: String,
    pub rel: Rel,
    pub line: usize,
    pub problem: Option<String>,
}

/// What a rename did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RenameReport {
    pub id: String,
    pub old_title: String,
    pub new_title: String,
    /// Items whose bodies had their `[[links]]` rewritten.
    pub rewritten: Vec<String>,
}
