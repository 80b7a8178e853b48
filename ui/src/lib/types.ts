// The shapes the shell's commands return: the core's view types (src/workspace.rs), as JSON.

export const KINDS = ["note", "signal", "insight", "friction", "resolution", "goal", "meeting"] as const;
export type Kind = (typeof KINDS)[number];

export const RELS = ["references", "evidence", "resolves", "advances", "supports", "contradicts", "derived-from"] as const;
export type Rel = (typeof RELS)[number];

export const SIGNAL_SOURCES = ["interview", "support", "survey", "sales", "review", "usage", "market", "other"] as const;
export const INSIGHT_STATUSES = ["hypothesis", "validated", "invalidated"] as const;
export const FRICTION_STATUSES = ["open", "exploring", "resolved", "parked"] as const;
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;

/** Each kind's own fields, in display order (mirrors `Kind::field_names`). */
export const FIELDS: Record<Kind, readonly string[]> = {
  note: [],
  signal: ["source", "customer", "date", "ref", "quote"],
  insight: ["status"],
  friction: ["status", "severity"],
  resolution: ["decision", "rationale", "agreed_by", "decided_on", "retires"],
  goal: ["horizon", "owner"],
  meeting: ["start", "end", "attendees", "location"],
};

export interface Person {
  id: string;
  name: string;
  perspective: string;
  created: string;
}

export interface PersonRef {
  name: string;
  perspective: string;
}

export interface Info {
  name: string;
  root: string;
  me: Person | null;
  people: Person[];
  counts: Partial<Record<Kind, number>>;
  last_change: number;
}

export interface Session {
  open: Info | null;
  target: string;
}

export interface ItemSummary {
  id: string;
  kind: Kind;
  title: string;
  status?: string;
  updated: string;
  /** A signal's day observed (else the day recorded), customer, source and first line of text. */
  observed?: string;
  customer?: string;
  source?: string;
  line?: string;
}

export interface LinkView {
  rel: Rel;
  id: string | null;
  title: string;
  kind: Kind | null;
  heading?: string;
  embed?: boolean;
  line: number;
  problem?: string;
  /** For a link to a file of the workspace, the file's path. */
  file?: string;
}

/** A file in the workspace (the core's `attach::AttachmentView`). */
export interface AttachmentView {
  name: string;
  path: string;
  media_type: string;
  size: number;
  sha256: string;
  added_by: string;
  added_at: string;
}

/** What adding files did (`attach::AttachReport`). */
export interface AttachReport {
  id: string;
  title: string;
  files: AttachmentView[];
  stored: number;
}

/** A file a link reaches, with a picture's bytes as a `data:` URL (`attach::FilePreview`). */
export interface FilePreview {
  file: AttachmentView;
  data_url?: string;
}

export interface ItemView {
  id: string;
  kind: Kind;
  title: string;
  body: string;
  tags: string[];
  aliases: string[];
  fields: Record<string, unknown>;
  author: string;
  contributors: PersonRef[];
  created: string;
  updated: string;
  deleted: boolean;
  links: LinkView[];
  backlinks: LinkView[];
}

export interface SaveReport {
  id: string;
  frictions: [string, string][];
  same_title: string[];
  /** The saved item's `updated` after the save. */
  updated: string;
}

export interface RevisionView {
  rev: number;
  at: string;
  author: string;
  op: string;
  changes: Record<string, { old?: unknown; new?: unknown }>;
}

export interface Unresolved {
  target: string;
  sources: { id: string; title: string; rel: Rel; line: number; problem?: string }[];
}

export interface NewItemInput {
  kind: Kind;
  title: string;
  body?: string;
  tags?: string[];
  set?: [string, string][];
  positions?: [string, string][];
  links?: [Rel, string][];
}

export interface EditInput {
  title?: string;
  body?: string;
  set?: [string, string][];
  positions?: [string, string][];
  add_tags?: string[];
  remove_tags?: string[];
}

export interface SearchHit {
  id: string;
  kind: Kind;
  title: string;
  score: number;
  /** HTML: escaped text with matches in <b>. */
  snippet: string;
}

export interface SearchResults {
  total: number;
  took_ms: number;
  hits: SearchHit[];
}

/** A resolution of a precedent (src/similar.rs). */
export interface PastResolution {
  id: string;
  title: string;
  decision: string | null;
  decided_on: string | null;
}

/** An item like the open one: a precedent (a resolved friction with its resolutions) or related. */
export interface SimilarItem {
  id: string;
  kind: Kind;
  title: string;
  status?: string;
  score: number;
  group: "precedent" | "related";
  /** HTML: escaped text with matches in <b>. */
  snippet: string;
  /** Why it matched: the words it shares with the open item, most distinctive first. */
  shared: string[];
  resolutions?: PastResolution[];
}

/** A consent round on a resolution (src/round.rs). */
export type RoundAnswer = "consent" | "concern" | "objection";
export interface RoundAnswerView {
  person: string;
  perspective: string;
  answer: RoundAnswer;
  reason: string | null;
  friction: string | null;
  standing: boolean;
  at: string;
}
export interface RoundView {
  resolution: string;
  title: string;
  state: "open" | "closed";
  opened: string;
  closed: string | null;
  frictions: string[];
  asked: string[];
  with: string[];
  answers: RoundAnswerView[];
  waiting: string[];
  outcome: string | null;
  override: { by: string; reason: string } | null;
}
export interface Answered {
  round: RoundView;
  friction: string | null;
  frictions: [string, string][];
}

export interface SimilarResults {
  id: string;
  title: string;
  terms: string[];
  items: SimilarItem[];
}

// ---- trace, lens, sync, import and export (src/trace.rs, src/lens.rs, src/sync, src/import, src/export)

export interface TraceNode {
  id: string;
  kind: Kind;
  title: string;
  rel: Rel;
  status?: string;
  customer?: string;
  source?: string;
  date?: string;
  repeat?: boolean;
  more?: boolean;
  children: TraceNode[];
}

export interface EvidenceStrength {
  score: number;
  level: string;
  signals: number;
  customers: string[];
  sources: string[];
  contradicting: number;
  newest: string | null;
  oldest: string | null;
  recency: number;
  parts: { signals: number; customers: number; sources: number; recency: number; contradiction_factor: number };
  as_of: string;
}

export interface ItemRef {
  id: string;
  kind: Kind;
  title: string;
}

export interface ReviewReason {
  id: string;
  kind: Kind;
  title: string;
  date: string;
  why: string;
  about: ItemRef;
}

export interface Trace {
  root: { id: string; kind: Kind; title: string; evidence?: EvidenceStrength; review?: { needed: boolean; decided_on: string; reasons: ReviewReason[] } };
  up: TraceNode[];
  down: TraceNode[];
  summary: { signals: number; customers: string[]; sources: string[]; goals: ItemRef[] };
}

export interface Listing<T> {
  count: number;
  items: T[];
}

export interface LensData {
  as_of: string;
  items: number;
  perspectives: { name: string; people: string[]; items: number }[];
  /** Per pair: links, co-authored items, frictions where both stated a position, resolutions both agreed to. */
  matrix: { a: string; b: string; links: number; co_authored: number; positions: number; agreed: number }[];
  silos: [string, string][];
  bridges: {
    people: { name: string; perspective: string; betweenness: number; connects: [string, string][] }[];
    items: Listing<{ id: string; kind: Kind; title: string; parts: string[][]; pairs_separated: number }>;
  };
  unused_signals: Listing<{ id: string; title: string; customer: string | null; source: string | null; date: string }>;
  unused_insights: Listing<{ id: string; kind: Kind; title: string; status?: string }>;
  open_frictions: {
    count: number;
    by_age: { under_7_days: number; under_30_days: number; under_90_days: number; over_90_days: number };
    items: { id: string; title: string; status: string; severity: string | null; created: string; age_days: number }[];
  };
  red_thread: {
    items: number;
    traced: number;
    share: number | null;
    by_kind: Partial<Record<Kind, { items: number; traced: number }>>;
    not_traced: Listing<{ id: string; kind: Kind; title: string; status?: string }>;
  };
  retired_practices: { practice: string; resolution: ItemRef; decided_on: string }[];
  to_review: { resolution: ItemRef; decided_on: string; reasons: ReviewReason[] }[];
  calendar: {
    from: string | null;
    to: string | null;
    meetings: number;
    hours: number;
    traced_hours: number;
    share: number | null;
    per_goal: { goal: ItemRef; meetings: number; hours: number }[];
    per_person: { name: string; perspective: string; meetings: number; hours: number; traced_hours: number; share: number | null }[];
    per_perspective: { perspective: string; hours: number; traced_hours: number; share: number | null }[];
    unmatched_attendees: { name: string; hours: number }[];
  };
}

export interface Conflict {
  item: string;
  title: string;
  field: string;
  winner: { value: unknown; author: string; hlc: string };
  loser: { value: unknown; author: string; hlc: string };
  text: string;
}

export interface ActivityEntry {
  item_id: string;
  title: string;
  kind: Kind;
  author: string;
  perspective: string;
  op: "create" | "update" | "delete" | "restore";
  fields: string[];
  at: string;
}

export interface Activity {
  unseen: number;
  changes: ActivityEntry[];
}

export interface SyncStatus {
  remote: string | null;
  encrypted: boolean;
  running: boolean;
  last_at: number | null;
  error: string | null;
  sent: number;
  received: number;
  merged: number;
  quarantined: number;
  warnings: string[];
  conflicts: number;
  new_conflicts: number;
}

export const IMPORT_KINDS = ["vault", "signals", "calendar"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const EXPORT_FORMATS = ["html", "graphml", "cytoscape", "dot", "mermaid", "vault"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface PickedSource {
  kind: ImportKind;
  name: string;
  columns: string[];
  fields: string[];
  /** For JSON with nested lists: where the records may be, best first ("" = the file itself). */
  record_paths: { path: string; records: number; columns: number }[];
  /** The place the columns were read from. */
  records: string;
  /** A mapping guessed from the column names: `[field, column]`. */
  guessed: [string, string][];
}

/** An import's report: items (vault, signals) or meetings (calendar). */
export interface ImportOutcome {
  items?: number;
  created: number;
  updated: number;
  unchanged: number;
  occurrences?: number;
  events?: number;
  deleted?: number;
  warnings?: { message: string; file?: string; row?: number; line?: number }[];
  errors?: { message: string; file?: string; row?: number; line?: number }[];
}

export interface ExportReport {
  format: string;
  path: string;
  nodes: number;
  edges: number;
  files: number;
  bytes: number;
}

/** One row of a signals file as it will be imported. */
export interface PreviewRow {
  row: number;
  title: string;
  date: string;
  customer: string;
  source: string;
  ref: string;
  body: string;
  problem: string;
}
