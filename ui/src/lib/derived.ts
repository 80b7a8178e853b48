// The trace's and the lens's shapes (src/trace.rs, src/lens.rs), written by hand: every other type
// the shell's commands take or return is generated from the Rust types into ./bindings.ts.
import type { Kind, Rel, Thresholds } from "./bindings";

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

/** An item waiting between chairs (src/chairs.rs `Waiting`): its author's perspective; for a round, those not answered. */
export interface ChairsWaiting {
  item: ItemRef;
  since: string;
  age_days: number;
  perspectives: string[];
}

/** A link from one perspective's item to another's that got no answer (src/chairs.rs `Handover`). */
export interface ChairsHandover {
  from: ItemRef;
  to: ItemRef;
  from_perspective: string;
  to_perspective: string;
  since: string;
  age_days: number;
}

/** What falls between chairs (src/chairs.rs `BetweenChairs`); each list oldest first. */
export interface BetweenChairs {
  /** The days after which each list counts an item. */
  thresholds: Thresholds;
  signals: Listing<ChairsWaiting>;
  insights: Listing<ChairsWaiting>;
  frictions: Listing<ChairsWaiting>;
  rounds: Listing<ChairsWaiting>;
  handovers: Listing<ChairsHandover>;
}

/** A median of signal-to-decision days over a group (src/chairs.rs `Median`). */
export interface DecisionMedian {
  name: string;
  resolutions: number;
  median_days: number;
}

/** One resolution's signal-to-decision time (src/chairs.rs `Decided`). */
export interface Decided {
  resolution: ItemRef;
  decided_on: string;
  earliest_signal: string;
  days: number;
  signals: number;
  customers: string[];
}

/** Signal-to-decision time (src/chairs.rs `DecisionTime`); `resolutions` slowest first. */
export interface DecisionTime {
  count: number;
  median_days: number | null;
  per_perspective: DecisionMedian[];
  per_customer: DecisionMedian[];
  per_month: DecisionMedian[];
  resolutions: Decided[];
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
  /** The hours per month the retired practices freed (the teams' estimates), summed. */
  retired_hours_freed: number;
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
  between_chairs: BetweenChairs;
  decision_time: DecisionTime;
}
