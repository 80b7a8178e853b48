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
