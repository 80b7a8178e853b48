// The trace's and the lens's shapes (src/trace.rs, src/lens.rs), written by hand: every other type
// the shell's commands take or return is generated from the Rust types into ./bindings.ts.
import type { Kind, Rel } from "./bindings";

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

/** Whether a resolution should be reviewed because what it rests on was contradicted later (`trace::Review`). */
export interface Review {
  needed: boolean;
  decided_on: string;
  reasons: ReviewReason[];
}

export interface Trace {
  root: { id: string; kind: Kind; title: string; evidence?: EvidenceStrength; review?: Review };
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
