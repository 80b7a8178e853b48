// Generated from the Rust types by `cargo test -p mellanrum-desktop bindings` (src-tauri/src/bindings.rs).
// Do not edit: change the Rust types and run that test.
import type { Channel } from "@tauri-apps/api/core";

/**
 * What other people changed since the current person last looked (`Workspace::activity`).
 */
export type Activity = { 
/**
 * How many changes by others are newer than the last look (the list may be shorter).
 */
unseen: number, 
/**
 * Newest first.
 */
changes: Array<ActivityEntry>, };

/**
 * One change by someone else: "Erik Berg changed status, severity of Release cadence".
 */
export type ActivityEntry = { item_id: string, title: string, kind: Kind, author: string, perspective: string, 
/**
 * create, update, delete or restore.
 */
op: "create" | "update" | "delete" | "restore", 
/**
 * The fields the change touched (`title`, `body`, `tags`, a kind's own fields, …).
 */
fields: Array<string>, at: string, };

export type AgeBuckets = { under_7_days: number, under_30_days: number, under_90_days: number, over_90_days: number, };

/**
 * What answering did: the round after it, and the child friction made of an objection.
 */
export type Answered = { round: RoundView, friction: string | null, 
/**
 * Frictions whose status followed (title, status).
 */
frictions: Array<[string, string]>, };

/**
 * What `attach` did.
 */
export type AttachReport = { id: string, title: string, files: Array<AttachmentView>, 
/**
 * Files whose content the workspace did not hold yet.
 */
stored: number, };

/**
 * A file as front ends show it.
 */
export type AttachmentView = { name: string, path: string, media_type: string, size: number, sha256: string, 
/**
 * The name of the person who added it.
 */
added_by: string, added_at: string, };

/**
 * What falls between chairs, each list oldest first.
 */
export type BetweenChairs = { thresholds: Thresholds, signals: Listing<Waiting>, insights: Listing<Waiting>, frictions: Listing<Waiting>, rounds: Listing<Waiting>, handovers: Listing<Handover>, };

export type BridgeItem = { id: string, kind: Kind, title: string, 
/**
 * The perspectives of each part the graph falls into without this item.
 */
parts: Array<Array<string>>, pairs_separated: number, };

export type BridgePerson = { name: string, perspective: string, betweenness: number, 
/**
 * Pairs of perspectives that are connected through this person and not without them.
 */
connects: Array<[string, string]>, };

export type Bridges = { people: Array<BridgePerson>, items: Listing<BridgeItem>, };

export type CalendarFigures = { from: string | null, to: string | null, meetings: number, hours: number, 
/**
 * Hours of meetings with a goal downstream.
 */
traced_hours: number, share: number | null, per_goal: Array<GoalHours>, per_person: Array<PersonHours>, per_perspective: Array<PerspectiveHours>, 
/**
 * Attendees who are not people of the workspace, with their hours.
 */
unmatched_attendees: Array<NameHours>, };

/**
 * What an import did.
 */
export type CalendarReport = { file: string, from: string, to: string, 
/**
 * Events (UIDs) in the file.
 */
events: number, 
/**
 * Occurrences inside the window.
 */
occurrences: number, created: number, updated: number, unchanged: number, 
/**
 * Meetings whose occurrence is gone (cancelled or excluded).
 */
deleted: number, 
/**
 * Occurrences whose meeting was deleted by someone, left deleted.
 */
kept_deleted: number, 
/**
 * Cancelled events and occurrences that were not imported.
 */
cancelled: number, };

/**
 * A concurrent change to the same field, merged by rule: the winner is what the item shows.
 */
export type Conflict = { item: string, title: string, field: string, winner: ConflictSide, loser: ConflictSide, 
/**
 * "Anna and Erik both changed the status of Release cadence: kept …"
 */
text: string, };

export type ConflictSide = { value: JsonValue, author: string, hlc: string, };

/**
 * Errors of the Mellanrum core. The variant is the code (`Code`, snake_case), its fields the
 * parameters; a one-field variant's parameter is a text (`detail` in the window's catalogue).
 */
export type CoreError = { "code": "invalid", "params": string } | { "code": "not_found", "params": string } | { "code": "ambiguous", "params": { reference: string, candidates: string, } } | { "code": "not_a_workspace", "params": string } | { "code": "already_a_workspace", "params": string } | { "code": "io", "params": { path: string, source: string, } } | { "code": "sqlite", "params": string } | { "code": "migration", "params": string } | { "code": "too_new", "params": { found: number, known: number, } } | { "code": "index", "params": string } | { "code": "sync", "params": string } | { "code": "corrupt", "params": string } | { "code": "unknown_person", "params": { name: string, } } | { "code": "no_current_person" } | { "code": "deleted", "params": { title: string, id: string, } } | { "code": "no_round", "params": { title: string, } } | { "code": "not_a_resolution", "params": { title: string, kind: Kind, } } | { "code": "round_open_already", "params": { title: string, } } | { "code": "round_closed", "params": { title: string, closed: string, } } | { "code": "nothing_to_ask", "params": { title: string, } } | { "code": "not_an_answer", "params": { answer: string, } } | { "code": "reason_needed", "params": { answer: string, } } | { "code": "only_objection_becomes_friction" } | { "code": "override_needs_reason" } | { "code": "objection_stands", "params": { title: string, objections: string, } } | { "code": "resolved_by_resolution", "params": { title: string, } } | { "code": "no_attachment", "params": { name: string, } } | { "code": "too_large", "params": { file: string, size: string | null, limit: string, } } | { "code": "file_damaged", "params": { file: string, } } | { "code": "depth_out_of_range", "params": { depth: number, max: number, } } | { "code": "no_results" } | { "code": "empty_window", "params": { from: string, to: string, } } | { "code": "no_such_file", "params": { file: string, } } | { "code": "not_a_file", "params": { file: string, } } | { "code": "cannot_read", "params": { file: string, reason: string, } } | { "code": "file_empty", "params": { file: string, } } | { "code": "file_exists", "params": { file: string, } } | { "code": "not_a_size", "params": { text: string, } } | { "code": "no_link_to_file", "params": { title: string, file: string, } } | { "code": "file_missing", "params": { file: string, } } | { "code": "note_as_attachment", "params": { name: string, } } | { "code": "empty_title" } | { "code": "title_not_one_line" } | { "code": "title_breaks_links", "params": { title: string, bad: string, } } | { "code": "title_too_long", "params": { max: number, } } | { "code": "link_kind", "params": { from: string, to: string, rel: Rel, from_kind: Kind, to_kind: Kind, } } | { "code": "not_one_of", "params": { kind: Kind, field: string, value: string, allowed: string, } } | { "code": "not_a_date", "params": { kind: Kind, field: string, value: string, } } | { "code": "not_a_date_time", "params": { kind: Kind, field: string, value: string, } } | { "code": "not_hours", "params": { kind: Kind, field: string, value: string, } } | { "code": "unknown_field", "params": { kind: Kind, field: string, fields: string, } } | { "code": "field_required", "params": { kind: Kind, field: string, } } | { "code": "end_before_start", "params": { start: string, end: string, } } | { "code": "starts_resolved", "params": { title: string, } } | { "code": "title_shared", "params": { title: string, } } | { "code": "breaks_link_rule", "params": { title: string, line: number, rel: Rel, target: string, problem: string, } } | { "code": "body_too_large", "params": { title: string, size: number, limit: number, } } | { "code": "status_step", "params": { title: string, from_status: string, to_status: string, } } | { "code": "resolved_by", "params": { title: string, resolution: string, } } | { "code": "position_as_field" } | { "code": "position_without_perspective" } | { "code": "not_a_name", "params": { name: string, } } | { "code": "no_perspective", "params": { name: string, } } | { "code": "empty_perspective" } | { "code": "person_exists", "params": { name: string, } } | { "code": "already_deleted", "params": { title: string, } } | { "code": "not_deleted", "params": { title: string, } } | { "code": "no_remote" } | { "code": "not_this_device", "params": { path: string, } };

export type Decided = { resolution: ItemRef, decided_on: string, earliest_signal: string, days: number, signals: number, customers: Array<string>, };

export type DecisionTime = { 
/**
 * Resolutions with a signal upstream.
 */
count: number, median_days: number | null, per_perspective: Array<Median>, per_customer: Array<Median>, per_month: Array<Median>, 
/**
 * Slowest first.
 */
resolutions: Array<Decided>, };

/**
 * Where an export goes.
 */
export type Destination = "workspace" | "dialog";

/**
 * A change as the window sends it; absent parts stay as they are.
 */
export type EditInput = { title?: string, body?: string, set?: Array<[string, string]>, positions?: Array<[string, string]>, add_tags?: Array<string>, remove_tags?: Array<string>, };

/**
 * The evidence strength of an insight, with its parts.
 *
 * The formula (documented in the README):
 * - `n` distinct signals back the insight (it links them with `evidence`, or they link it with `supports`);
 * - `c` distinct customers and `s` distinct sources among them (customers compared case-insensitively);
 * - each signal's weight halves every 180 days since it was observed; `recency` is their mean (0 without signals);
 * - `k` signals contradict it (a `contradicts` link either way);
 * - score = (30·min(n,5)/5 + 30·min(c,3)/3 + 20·min(s,3)/3 + 20·recency) · n/(n+k), rounded, 0–100;
 * - level: `none` without signals, `weak` under 40, `moderate` under 70, `strong` from 70.
 */
export type Evidence = { score: number, level: string, signals: number, customers: Array<string>, sources: Array<string>, contradicting: number, newest: string | null, oldest: string | null, 
/**
 * Mean weight of the signals by age, 0–1.
 */
recency: number, 
/**
 * What each part adds to the score, before the contradiction factor.
 */
parts: EvidenceParts, 
/**
 * The day ages are counted to.
 */
as_of: string, };

export type EvidenceParts = { signals: number, customers: number, sources: number, recency: number, contradiction_factor: number, };

/**
 * What an export wrote.
 */
export type ExportReport = { format: string, path: string, nodes: number, edges: number, 
/**
 * Files written (1 except for a vault).
 */
files: number, bytes: number, };

/**
 * What a command that failed returns to the window.
 */
export type Failure = { 
/**
 * The core's error as a code and its parameters; none for the shell's own messages.
 */
error: CoreError | null, 
/**
 * The error's line in English (`Display`), as the command line would print it.
 */
message: string, };

/**
 * One of a kind's own fields: its name, how its value is written and, for a choice, the values it takes.
 */
export type FieldSpec = { name: string, input: Input, 
/**
 * The values of a choice; empty for the other inputs.
 */
options: Array<string>, 
/**
 * The values of a choice that only a rule sets, never a hand: a form offers them only while
 * the field holds them (a friction becomes `resolved` when a resolution resolves it).
 */
by_rule: Array<string>, };

/**
 * A file as the window shows it: what it is and, for a picture, its bytes as a `data:` URL (an
 * SVG too: shown through an `<img>`, a picture's script never runs).
 */
export type FilePreview = { file: AttachmentView, data_url?: string, };

export type FrictionRow = { id: string, title: string, status: string, severity: string | null, created: string, age_days: number, };

export type GoalHours = { goal: ItemRef, meetings: number, hours: number, };

export type Handover = { from: ItemRef, to: ItemRef, from_perspective: string, to_perspective: string, since: string, age_days: number, };

/**
 * What an import reads.
 */
export type ImportKind = "vault" | "signals" | "calendar";

/**
 * What an import did, whatever it read.
 */
export type ImportOutcome = ImportReport | CalendarReport;

/**
 * What an import did.
 */
export type ImportReport = { 
/**
 * Items the source holds that are now in the workspace (created, updated or unchanged).
 */
items: number, created: number, updated: number, unchanged: number, 
/**
 * Links out of the imported items, and how many of them reach an item.
 */
links: number, resolved: number, unresolved: number, 
/**
 * Links to a file of the vault that is not a note (an image, a PDF) that the workspace now holds.
 */
attachments: number, 
/**
 * Files of the vault that its notes link to, now in the workspace, and how many of them
 * were not there before (a file imported again is not stored twice).
 */
files: number, files_new: number, 
/**
 * Frictions whose status followed an imported resolution.
 */
frictions: Array<[string, string]>, warnings: Array<Problem>, 
/**
 * Parts of the source that could not be imported (the rest was).
 */
errors: Array<Problem>, };

/**
 * What the window shows about the open workspace.
 */
export type Info = { name: string, root: string, me: Person | null, people: Array<Person>, counts: { [key in Kind]?: number }, last_change: number, };

/**
 * How a field's value is written: what a form offers for it.
 */
export type Input = "text" | "long" | "choice" | "date" | "date_time" | "hours" | "people";

/**
 * An item as a list shows it.
 */
export type ItemRef = { id: string, kind: Kind, title: string, };

export type ItemRow = { id: string, kind: Kind, title: string, status?: string, };

/**
 * One line of a list.
 */
export type ItemSummary = { id: string, kind: Kind, title: string, status?: string, updated: string, 
/**
 * A signal's day observed, else the day it was recorded.
 */
observed?: string, customer?: string, source?: string, 
/**
 * A signal's first line of text: its quote's, else its body's (a fence line skipped).
 */
line?: string, };

/**
 * Everything `show` tells about an item.
 */
export type ItemView = { id: string, kind: Kind, title: string, 
/**
 * The creator's name.
 */
author: string, contributors: Array<PersonRef>, created: string, updated: string, deleted: boolean, 
/**
 * Lower-case, without `#`.
 */
tags: Array<string>, 
/**
 * Other titles `[[links]]` may use for this item.
 */
aliases: Array<string>, 
/**
 * Every field of the kind (`null` where empty); a friction's `positions`, and `properties`
 * kept from an import.
 */
fields: { [key in string]: JsonValue }, 
/**
 * The Markdown as written, links and all.
 */
body: string, links: Array<LinkView>, backlinks: Array<LinkView>, 
/**
 * An insight's evidence strength, with its parts.
 */
evidence?: Evidence, 
/**
 * Whether a resolution should be reviewed because what it rests on was contradicted later.
 */
review?: Review, };

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

/**
 * What an item is.
 */
export type Kind = "note" | "signal" | "insight" | "friction" | "resolution" | "goal" | "meeting";

export type KindShare = { items: number, traced: number, };

/**
 * The language of a query's error messages. Swedish filter names and values (`typ:friktion`,
 * `status:löst`) are accepted whatever the language.
 */
export type Lang = "en" | "sv";

export type Lens = { as_of: string, 
/**
 * Live items.
 */
items: number, perspectives: Array<PerspectiveRow>, matrix: Array<PairRow>, silos: Array<[string, string]>, bridges: Bridges, unused_signals: Listing<SignalRow>, unused_insights: Listing<ItemRow>, open_frictions: OpenFrictions, red_thread: RedThread, retired_practices: Array<Retired>, 
/**
 * The hours per month the retired practices freed (the teams' estimates), summed.
 */
retired_hours_freed: number, to_review: Array<ToReview>, calendar: CalendarFigures, between_chairs: BetweenChairs, decision_time: DecisionTime, };

/**
 * A link as the user sees it.
 */
export type LinkView = { rel: Rel, 
/**
 * The other item's id; `null` while the link is unresolved.
 */
id: string | null, 
/**
 * The other item's title (for an unresolved link: the target as written).
 */
title: string, kind: Kind | null, heading?: string, embed?: boolean, line: number, problem?: string, 
/**
 * For a link to a file of the workspace (`![[chart.png]]`), the file's path.
 */
file?: string, };

/**
 * A count and (up to the limit) the items behind it.
 */
export type Listing<T> = { count: number, items: Array<T>, };

export type MapEdge = { source: string, target: string, rel: Rel, };

/**
 * An item as a node of the map.
 */
export type MapNode = { id: string, kind: Kind, title: string, 
/**
 * An insight's or a friction's status.
 */
status: string | null, tags: Array<string>, 
/**
 * The name of the person who created the item.
 */
author: string, 
/**
 * That person's perspective (discipline or department).
 */
perspective: string, 
/**
 * The day it was made (its age).
 */
created: string, 
/**
 * A resolution's consent round (`open`, `closed`), the practice it retires, the hours per
 * month that freed and its decision day.
 */
round?: string, retires?: string, hours_freed?: string, decided_on?: string, };

/**
 * Which part of the map an export draws (all empty: the whole map).
 */
export type MapPart = { 
/**
 * The items a search matches…
 */
query: string | null, 
/**
 * …and the item with this id…
 */
around: string | null, 
/**
 * …with the items this many links away.
 */
hops: number, };

/**
 * The graph as a front end draws it: nodes, and edges by id (self-links left out).
 */
export type MapView = { nodes: Array<MapNode>, edges: Array<MapEdge>, };

export type Median = { name: string, resolutions: number, median_days: number, };

export type NameHours = { name: string, hours: number, };

/**
 * A new item as the window sends it.
 */
export type NewItemInput = { kind: Kind, title: string, body?: string, tags?: Array<string>, set?: Array<[string, string]>, positions?: Array<[string, string]>, 
/**
 * Typed links to existing items, written into the body in the same transaction.
 */
links?: Array<[Rel, string]>, };

export type OpenFrictions = { count: number, by_age: AgeBuckets, 
/**
 * Oldest first.
 */
items: Array<FrictionRow>, };

export type OverrideView = { by: string, reason: string, };

export type PairRow = { a: string, b: string, links: number, co_authored: number, 
/**
 * Frictions where both perspectives stated a position.
 */
positions: number, 
/**
 * Resolutions both agreed to.
 */
agreed: number, };

/**
 * A resolution of a precedent.
 */
export type PastResolution = { id: string, title: string, decision: string | null, decided_on: string | null, };

/**
 * A person: a name and a perspective (discipline or department).
 */
export type Person = { id: string, name: string, perspective: string, created: string, };

export type PersonHours = { name: string, perspective: string, meetings: number, hours: number, traced_hours: number, share: number | null, };

/**
 * A person as other views show them.
 */
export type PersonRef = { name: string, perspective: string, };

export type PerspectiveHours = { perspective: string, hours: number, traced_hours: number, share: number | null, };

export type PerspectiveRow = { name: string, people: Array<string>, 
/**
 * Live items authored by its people.
 */
items: number, };

/**
 * The import source the user chose, as the page sees it: a name, never a path.
 */
export type PickedSource = { kind: ImportKind, name: string, 
/**
 * The columns of a signals file, for the mapping.
 */
columns: Array<string>, 
/**
 * The signal fields a column can fill.
 */
fields: Array<string>, 
/**
 * For a JSON file with nested lists: where the records may be, best first (a path inside
 * the file, such as `hits.hits[]._source`; "" for the document itself).
 */
record_paths: Array<RecordPath>, 
/**
 * The one the columns were read from.
 */
records: string, 
/**
 * A mapping guessed from the column names (`(field, column)`).
 */
guessed: Array<[string, string]>, };

/**
 * One row as it will be imported: what the signal gets, or why the row is skipped.
 */
export type PreviewRow = { row: number, title: string, 
/**
 * The day observed (YYYY-MM-DD).
 */
date: string, customer: string, source: string, ref: string, 
/**
 * The first line of the body as it will be kept.
 */
body: string, 
/**
 * Why the row would be skipped or a field left empty, if so.
 */
problem: string, };

/**
 * A warning or an error, naming the place in the source.
 */
export type Problem = { 
/**
 * The file, relative to the imported folder (or the file given).
 */
file: string, 
/**
 * 1-based line in the file, when known.
 */
line?: number, 
/**
 * 1-based record number (a CSV row after the header, a JSON record), when the source has rows.
 */
row?: number, message: string, };

/**
 * Progress of a running import, sent to the window over the channel it passed.
 */
export type Progress = { done: number, 
/**
 * 0 when the total is not known ahead.
 */
total: number, };

/**
 * A place in a JSON document where the records may be, as `--records` takes it (empty: the
 * document itself is the list of records, or each line is one).
 */
export type RecordPath = { path: string, 
/**
 * How many records are there (in the first document, for JSON Lines).
 */
records: number, 
/**
 * How many distinct keys those records have.
 */
columns: number, };

export type RedThread = { 
/**
 * Live items that are not goals.
 */
items: number, 
/**
 * Of them, those with a goal downstream.
 */
traced: number, share: number | null, by_kind: { [key in Kind]?: KindShare }, not_traced: Listing<ItemRow>, };

/**
 * The relation of a typed, directed link.
 */
export type Rel = "references" | "evidence" | "resolves" | "advances" | "supports" | "contradicts" | "derived-from";

/**
 * What a rename did.
 */
export type RenameReport = { id: string, old_title: string, new_title: string, 
/**
 * Items whose bodies had their `[[links]]` rewritten.
 */
rewritten: Array<string>, };

export type Retired = { practice: string, resolution: ItemRef, decided_on: string, };

/**
 * Whether a resolution should be looked at again because what it rests on has been contradicted.
 */
export type Review = { needed: boolean, 
/**
 * The day the decision counts from: `decided_on`, else the day the resolution was recorded.
 */
decided_on: string, reasons: Array<ReviewReason>, };

export type ReviewReason = { 
/**
 * The newer item.
 */
id: string, kind: Kind, title: string, date: string, 
/**
 * What it did: `contradicts` (an item the resolution rests on) or `linked-to-friction`.
 */
why: string, 
/**
 * The item it contradicts or the friction it is linked to.
 */
about: ItemRef, };

/**
 * One revision in an item's history.
 */
export type RevisionView = { rev: number, at: string, author: string, op: string, 
/**
 * `{field: {"old": …, "new": …}}`
 */
changes: Record<string, { old?: unknown; new?: unknown }>, };

export type RoundAnswerView = { person: string, perspective: string, 
/**
 * One of `model::ANSWERS`.
 */
answer: RoundAnswer, reason: string | null, 
/**
 * The child friction an objection became (its title).
 */
friction: string | null, 
/**
 * Whether this objection blocks the close.
 */
standing: boolean, at: string, };

/**
 * A round as front ends show it (`round show --json`).
 */
export type RoundView = { 
/**
 * The resolution's id and title.
 */
resolution: string, title: string, 
/**
 * `open` or `closed`.
 */
state: "open" | "closed", opened: string, closed: string | null, 
/**
 * The frictions the resolution resolves.
 */
frictions: Array<string>, 
/**
 * The perspectives asked and the persons added (names).
 */
asked: Array<string>, with: Array<string>, answers: Array<RoundAnswerView>, 
/**
 * The perspectives and persons that have not answered yet.
 */
waiting: Array<string>, 
/**
 * Once closed: `agreed`, `agreed with concerns` or `overridden`.
 */
outcome: string | null, override: OverrideView | null, };

/**
 * What a save did besides the item itself, for the caller to tell the user.
 */
export type SaveReport = { id: string, 
/**
 * Frictions whose status followed a resolution (e.g. marked resolved).
 */
frictions: Array<[string, string]>, 
/**
 * Other items that now share this item's title.
 */
same_title: Array<string>, 
/**
 * The saved item's `updated` after this save: a window that gets a copy of the item older
 * than its own last save (a refresh that began before it) knows to leave what it shows.
 */
updated: string, };

/**
 * One matching item.
 */
export type SearchHit = { id: string, kind: Kind, title: string, score: number, 
/**
 * A fragment of the item's text as HTML: the text is escaped and matched words are
 * wrapped in `<b>…</b>`. A friction's snippet ends with its resolution (decision and
 * rationale).
 */
snippet: string, 
/**
 * For a search by likeness: the index forms of the searched words this item holds.
 */
matched?: Array<string>, };

/**
 * What a search found.
 */
export type SearchResults = { 
/**
 * How many items match (all of them, not only the hits returned).
 */
total: number, 
/**
 * How long the search took, in milliseconds.
 */
took_ms: number, 
/**
 * The best matches, best first.
 */
hits: Array<SearchHit>, };

/**
 * The app's state at start: the open workspace, or the folder a first start would create.
 */
export type Session = { open: Info | null, target: string, };

export type SignalRow = { id: string, title: string, customer: string | null, source: string | null, date: string, };

/**
 * One similar item.
 */
export type SimilarItem = { id: string, kind: Kind, title: string, status?: string, score: number, 
/**
 * `precedent` (a resolved friction with its resolutions) or `related`.
 */
group: string, snippet: string, 
/**
 * Why it matched: the searched words it shares with the item asked about, most distinctive
 * first, as the item asked about writes them.
 */
shared: Array<string>, resolutions?: Array<PastResolution>, };

export type SimilarResults = { id: string, title: string, 
/**
 * The words the search was made of, most distinctive first.
 */
terms: Array<string>, items: Array<SimilarItem>, };

/**
 * What the status bar shows about sync.
 */
export type SyncStatus = { 
/**
 * The storage, or `None` for a workspace that is only local.
 */
remote: string | null, encrypted: boolean, 
/**
 * A sync is running now.
 */
running: boolean, 
/**
 * When the last sync finished (milliseconds since the epoch), and whether it failed.
 */
last_at: number | null, error: string | null, 
/**
 * What the last successful sync moved.
 */
sent: number, received: number, merged: number, quarantined: number, warnings: Array<string>, 
/**
 * Conflicts recorded in the workspace (merged by rule, shown in the conflicts list).
 */
conflicts: number, 
/**
 * Conflicts the last sync found.
 */
new_conflicts: number, };

/**
 * The days after which something falls between chairs: a setting of the workspace
 * ([`crate::workspace::Workspace::chairs_thresholds`]), the defaults until changed.
 */
export type Thresholds = { signal_days: number, insight_days: number, friction_days: number, round_days: number, handover_days: number, };

export type ToReview = { resolution: ItemRef, decided_on: string, reasons: Array<ReviewReason>, };

/**
 * A trace in both directions.
 */
export type Trace = { root: TraceRoot, up: Array<TraceNode>, down: Array<TraceNode>, summary: TraceSummary, };

/**
 * One item in a trace, with the items beyond it.
 */
export type TraceNode = { id: string, kind: Kind, title: string, 
/**
 * The relation of the link that leads from the item before to this one.
 */
rel: Rel, status?: string, customer?: string, source?: string, date?: string, 
/**
 * Shown before in this direction (a cycle or a second path): not expanded again.
 */
repeat?: boolean, 
/**
 * The depth limit stopped here although the thread goes on.
 */
more?: boolean, children: Array<TraceNode>, };

/**
 * The item a trace starts from.
 */
export type TraceRoot = { id: string, kind: Kind, title: string, evidence?: Evidence, review?: Review, };

/**
 * What the trace reaches: the evidence at its upstream end, the goals at its downstream end.
 */
export type TraceSummary = { 
/**
 * Distinct signals upstream.
 */
signals: number, 
/**
 * Their distinct customers and sources.
 */
customers: Array<string>, sources: Array<string>, 
/**
 * Goals downstream.
 */
goals: Array<ItemRef>, };

/**
 * An unresolved target and the items that link to it.
 */
export type Unresolved = { target: string, sources: Array<UnresolvedSource>, };

export type UnresolvedSource = { id: string, title: string, rel: Rel, line: number, problem?: string, };

/**
 * An item waiting: since when, how many days, and the perspectives involved (its author's; for
 * a round, those not answered yet).
 */
export type Waiting = { item: ItemRef, since: string, age_days: number, perspectives: Array<string>, };

/** Every kind, in the order the window lists them (`Kind::ALL`). */
export const KINDS = ["note","signal","insight","friction","resolution","goal","meeting"] as const satisfies readonly Kind[];
/** Every relation of a typed link (`Rel::ALL`). */
export const RELS = ["references","evidence","resolves","advances","supports","contradicts","derived-from"] as const satisfies readonly Rel[];
/** A signal's sources. */
export const SIGNAL_SOURCES = ["interview","support","survey","sales","review","usage","market","other"] as const;
/** An insight's statuses. */
export const INSIGHT_STATUSES = ["hypothesis","validated","invalidated"] as const;
/** A friction's statuses, in lifecycle order. */
export const FRICTION_STATUSES = ["open","exploring","resolved","parked"] as const;
/** A friction's severities. */
export const SEVERITIES = ["low","medium","high","critical"] as const;
/** The answers of a consent round. */
export const ANSWERS = ["consent","concern","objection"] as const;
export type RoundAnswer = (typeof ANSWERS)[number];
/** What the window imports. */
export const IMPORT_KINDS = ["vault","signals","calendar"] as const satisfies readonly ImportKind[];
/** The formats a map exports to. */
export const EXPORT_FORMATS = ["graphml","cytoscape","dot","mermaid","vault","html"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** The core's error codes (`error::Code`), each worded as `error.<code>` in the window's catalogue. */
export const ERROR_CODES = ["invalid","not_found","ambiguous","not_a_workspace","already_a_workspace","io","sqlite","migration","too_new","index","sync","corrupt","unknown_person","no_current_person","deleted","no_round","not_a_resolution","round_open_already","round_closed","nothing_to_ask","not_an_answer","reason_needed","only_objection_becomes_friction","override_needs_reason","objection_stands","resolved_by_resolution","no_attachment","too_large","file_damaged","depth_out_of_range","no_results","empty_window","no_such_file","not_a_file","cannot_read","file_empty","file_exists","not_a_size","no_link_to_file","file_missing","note_as_attachment","empty_title","title_not_one_line","title_breaks_links","title_too_long","link_kind","not_one_of","not_a_date","not_a_date_time","not_hours","unknown_field","field_required","end_before_start","starts_resolved","title_shared","breaks_link_rule","body_too_large","status_step","resolved_by","position_as_field","position_without_perspective","not_a_name","no_perspective","empty_perspective","person_exists","already_deleted","not_deleted","no_remote","not_this_device"] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
/** The parameters of each code's error; a one-text error's text is `detail`. */
export const ERROR_PARAMS: Record<ErrorCode, readonly string[]> = {
  invalid: ["detail"],
  not_found: ["detail"],
  ambiguous: ["candidates","reference"],
  not_a_workspace: ["detail"],
  already_a_workspace: ["detail"],
  io: ["path","source"],
  sqlite: ["detail"],
  migration: ["detail"],
  too_new: ["found","known"],
  index: ["detail"],
  sync: ["detail"],
  corrupt: ["detail"],
  unknown_person: ["name"],
  no_current_person: [],
  deleted: ["id","title"],
  no_round: ["title"],
  not_a_resolution: ["kind","title"],
  round_open_already: ["title"],
  round_closed: ["closed","title"],
  nothing_to_ask: ["title"],
  not_an_answer: ["answer"],
  reason_needed: ["answer"],
  only_objection_becomes_friction: [],
  override_needs_reason: [],
  objection_stands: ["objections","title"],
  resolved_by_resolution: ["title"],
  no_attachment: ["name"],
  too_large: ["file","limit","size"],
  file_damaged: ["file"],
  depth_out_of_range: ["depth","max"],
  no_results: [],
  empty_window: ["from","to"],
  no_such_file: ["file"],
  not_a_file: ["file"],
  cannot_read: ["file","reason"],
  file_empty: ["file"],
  file_exists: ["file"],
  not_a_size: ["text"],
  no_link_to_file: ["file","title"],
  file_missing: ["file"],
  note_as_attachment: ["name"],
  empty_title: [],
  title_not_one_line: [],
  title_breaks_links: ["bad","title"],
  title_too_long: ["max"],
  link_kind: ["from","from_kind","rel","to","to_kind"],
  not_one_of: ["allowed","field","kind","value"],
  not_a_date: ["field","kind","value"],
  not_a_date_time: ["field","kind","value"],
  not_hours: ["field","kind","value"],
  unknown_field: ["field","fields","kind"],
  field_required: ["field","kind"],
  end_before_start: ["end","start"],
  starts_resolved: ["title"],
  title_shared: ["title"],
  breaks_link_rule: ["line","problem","rel","target","title"],
  body_too_large: ["limit","size","title"],
  status_step: ["from_status","title","to_status"],
  resolved_by: ["resolution","title"],
  position_as_field: [],
  position_without_perspective: [],
  not_a_name: ["name"],
  no_perspective: ["name"],
  empty_perspective: [],
  person_exists: ["name"],
  already_deleted: ["title"],
  not_deleted: ["title"],
  no_remote: [],
  not_this_device: ["path"],
};
/** Each kind's own fields in display order, how each is written and a choice's values (`Kind::fields`). */
export const FIELDS: Record<Kind, readonly FieldSpec[]> = {
  note: [],
  signal: [{"by_rule":[],"input":"choice","name":"source","options":["interview","support","survey","sales","review","usage","market","other"]},{"by_rule":[],"input":"text","name":"customer","options":[]},{"by_rule":[],"input":"date","name":"date","options":[]},{"by_rule":[],"input":"text","name":"ref","options":[]},{"by_rule":[],"input":"long","name":"quote","options":[]}],
  insight: [{"by_rule":[],"input":"choice","name":"status","options":["hypothesis","validated","invalidated"]}],
  friction: [{"by_rule":["resolved"],"input":"choice","name":"status","options":["open","exploring","resolved","parked"]},{"by_rule":[],"input":"choice","name":"severity","options":["low","medium","high","critical"]}],
  resolution: [{"by_rule":[],"input":"long","name":"decision","options":[]},{"by_rule":[],"input":"long","name":"rationale","options":[]},{"by_rule":[],"input":"people","name":"agreed_by","options":[]},{"by_rule":[],"input":"date","name":"decided_on","options":[]},{"by_rule":[],"input":"text","name":"retires","options":[]},{"by_rule":[],"input":"text","name":"practice_owner","options":[]},{"by_rule":[],"input":"hours","name":"hours_freed","options":[]},{"by_rule":[],"input":"text","name":"review_30","options":[]},{"by_rule":[],"input":"text","name":"review_90","options":[]}],
  goal: [{"by_rule":[],"input":"text","name":"horizon","options":[]},{"by_rule":[],"input":"text","name":"owner","options":[]}],
  meeting: [{"by_rule":[],"input":"date_time","name":"start","options":[]},{"by_rule":[],"input":"date_time","name":"end","options":[]},{"by_rule":[],"input":"people","name":"attendees","options":[]},{"by_rule":[],"input":"text","name":"location","options":[]}],
};

/** Every command: the arguments the window sends and what it gets back. */
export interface Commands {
  /** The file a link in a note reaches (a picture with its bytes as a `data:` URL), or none. */
  attachment: { args: { target: string }; result: FilePreview | null };
  /** Opens a copy of a file in the system's default application. */
  open_attachment: { args: { target: string }; result: null };
  /** Adds a file dropped or pasted into the editor: its bytes are the request's body, the item and the file's name (percent-encoded) its `x-item` and `x-name` headers. Linked from the item's body. */
  attach_bytes: { args: Uint8Array; result: AttachReport };
  /** Exports the map in `format` (graphml, cytoscape, dot, mermaid, vault, html): the whole map, or the part `part` names. Returns `None` when the user cancelled the dialog. */
  export_map: { args: { format: string; destination: Destination; redact_people?: boolean | null; part?: MapPart | null }; result: ExportReport | null };
  /** Lets the user choose what to import in the system dialog: a vault folder, a signals file (CSV or JSON) or a calendar (.ics). Nothing is imported yet; `run_import` does it. */
  pick_import: { args: { kind: ImportKind }; result: PickedSource | null };
  /** Reads the chosen JSON signals file's records from another place inside it (one of `record_paths`, or a path the user typed, as `--records` takes it). */
  choose_records: { args: { records: string }; result: PickedSource };
  /** The first ten rows of the chosen signals file as `map` would import them. */
  preview_import: { args: { map: Array<[string, string]> }; result: Array<PreviewRow> };
  /** Imports the source chosen with `pick_import`, on a connection of its own so the window stays responsive; `map` pairs a signal field with a column. Progress goes to `on_progress`. */
  run_import: { args: { map?: Array<[string, string]> | null; on_progress: Channel<Progress> }; result: ImportOutcome };
  list_items: { args: { kind?: Kind | null; tag?: string | null; deleted?: boolean | null }; result: Array<ItemSummary> };
  show_item: { args: { id: string }; result: ItemView };
  create_item: { args: { item: NewItemInput }; result: SaveReport };
  update_item: { args: { id: string; edit: EditInput }; result: SaveReport };
  /** Applies one edit (tags added or removed) to each of `ids` in one transaction; how many changed. */
  update_many: { args: { ids: Array<string>; add_tags: Array<string>; remove_tags: Array<string> }; result: number };
  rename_item: { args: { id: string; title: string }; result: RenameReport };
  delete_item: { args: { id: string }; result: SaveReport };
  restore_item: { args: { id: string }; result: SaveReport };
  history: { args: { id: string }; result: Array<RevisionView> };
  /** The trace of an item: upstream to its evidence, downstream to the goals it serves. */
  trace_item: { args: { id: string; depth?: number | null }; result: Trace };
  /** The integration lens, computed from the store now, with the workspace's between-chairs days. */
  lens: { args: Record<string, never>; result: Lens };
  /** Keeps the days after which something falls between chairs as the workspace's setting (`null`: back to the defaults), as `lens --keep-days` does. */
  set_chairs_days: { args: { days?: Thresholds | null }; result: null };
  unused_signals: { args: Record<string, never>; result: Array<string> };
  link_items: { args: { from: string; to: string; rel: Rel }; result: SaveReport };
  /** Links `from` to each of `to` in one save (an insight taking a selection of signals as evidence). */
  link_many: { args: { from: string; to: Array<string>; rel: Rel }; result: SaveReport };
  unlink_items: { args: { from: string; to: string; rel: Rel }; result: SaveReport };
  backlinks: { args: { id: string }; result: Array<LinkView> };
  unresolved: { args: Record<string, never>; result: Array<Unresolved> };
  /** Resolves a reference as `[[links]]` do (title or alias, case-insensitive; or an id). */
  resolve_ref: { args: { reference: string }; result: string };
  graph: { args: Record<string, never>; result: MapView };
  /** Opens a consent round on a resolution (every perspective with a position in the frictions it resolves, plus the persons named). */
  round_open: { args: { id: string; people?: Array<string> | null }; result: RoundView };
  /** The current person's answer in a round: consent, concern or objection (an objection may become a child friction). */
  round_answer: { args: { id: string; answer: string; reason?: string | null; new_friction?: string | null }; result: Answered };
  /** The round on a resolution; `null` when it has none. */
  round_show: { args: { id: string }; result: RoundView | null };
  /** Closes a round (an override needs its reason). */
  round_close: { args: { id: string; override_reason?: string | null }; result: RoundView };
  /** The open rounds waiting for the current person's answer. */
  round_waiting: { args: Record<string, never>; result: Array<RoundView> };
  /** Searches the workspace (the core's query syntax: words, "phrases", -exclusions, OR, filters). */
  search: { args: { query: string; limit?: number | null; lang?: Lang | null }; result: SearchResults };
  /** The ids of every item matching `query` (the search's language), best first: a list's filter. */
  filter_items: { args: { query: string; lang?: Lang | null }; result: Array<string> };
  /** The items most like one, precedents (resolved frictions with their resolutions) first, each with the words it shares with it. */
  similar: { args: { id: string; limit?: number | null }; result: SimilarResults };
  sync_state: { args: Record<string, never>; result: SyncStatus };
  /** Asks the background sync to run now. */
  sync_now: { args: Record<string, never>; result: SyncStatus };
  /** What others changed since the current person last looked; `mark_seen` makes this look the last. */
  activity: { args: { mark_seen: boolean }; result: Activity };
  /** Concurrent changes merged by rule ("Anna and Erik both changed the status of X"). */
  conflicts: { args: Record<string, never>; result: Array<Conflict> };
  session: { args: Record<string, never>; result: Session };
  /** Creates the workspace in the target folder: the demo one, or an empty one with its first person. */
  create_workspace: { args: { demo: boolean; name?: string | null; person?: string | null; perspective?: string | null }; result: Session };
  /** Lets the user pick a folder in the system dialog (the page never names a path): a workspace is opened; any other folder becomes the target a new workspace is created in. */
  choose_workspace: { args: Record<string, never>; result: Session };
  info: { args: Record<string, never>; result: Info };
  last_change: { args: Record<string, never>; result: number };
  people: { args: Record<string, never>; result: Array<Person> };
  add_person: { args: { name: string; perspective: string }; result: Person };
  use_person: { args: { name: string }; result: Person };
  set_perspective: { args: { name: string; perspective: string }; result: Person };
}
