//! Trace, evidence strength, the review flag and the integration lens, on a small organisation
//! built by hand: every figure is checked against what the organisation says.
//!
//! The organisation: four perspectives — Sales (Anna, Bo), Engineering (Erik), Support (Sara),
//! Product (Johan). Engineering and Support never meet (the silo pair); Johan is the only one who
//! connects them (the bridge person). Signals come from three customers (Acme AB, Beta, Gamma)
//! plus one more (Delta) heard by Sales.

use chrono::{Duration, Local, NaiveDate};
use serde_json::{json, Value};

use crate::util::Ws;

pub struct Org {
    pub ws: Ws,
    pub today: NaiveDate,
}

pub fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn add_as(ws: &Ws, who: &str, kind: &str, title: &str, extra: &[&str]) -> String {
    let mut a = vec!["--as", who, "add", kind, "--title", title];
    a.extend_from_slice(extra);
    ws.json(&a)["id"].as_str().expect("id").to_string()
}

/// Builds the organisation. Signal and decision dates are relative to `today`.
pub fn org() -> Org {
    let ws = Ws::new();
    for (name, p) in [("Bo", "Sales"), ("Erik", "Engineering"), ("Sara", "Support"), ("Johan", "Product")] {
        ws.ok(&["person", "add", name, "--perspective", p]);
    }
    let today = Local::now().date_naive();
    let ago = |d: i64| day(today - Duration::days(d));
    let set = |k: &str, v: &str| format!("{k}={v}");

    add_as(&ws, "Johan", "goal", "Kortare ledtid till kund", &["--set", "horizon=2027"]);
    add_as(&ws, "Johan", "goal", "Customers trust our releases", &[]);
    let sig = |who: &str, title: &str, source: &str, customer: &str, date: &str, body: &str| {
        add_as(
            &ws,
            who,
            "signal",
            title,
            &["--set", &set("source", source), "--set", &set("customer", customer), "--set", &set("date", date), "--body", body],
        )
    };
    sig("Sara", "Acme waits for the export", "support", "Acme AB", &ago(0), "");
    sig("Sara", "Beta wants faster delivery", "interview", "Beta", &ago(180), "");
    sig("Sara", "Acme: the export is late again", "support", "acme ab", &ago(360), "");
    sig("Sara", "Gamma likes the current cadence", "sales", "Gamma", &ago(20), "");
    sig(
        "Sara",
        "Gamma: monthly releases break our integration",
        "support",
        "Gamma",
        &ago(0),
        "contradicts:: [[Customers want faster delivery]]",
    );
    add_as(
        &ws,
        "Johan",
        "insight",
        "Customers want faster delivery",
        &[
            "--body",
            "evidence:: [[Acme waits for the export]], [[Beta wants faster delivery]]\nevidence:: [[Acme: the export is late again]]",
        ],
    );
    add_as(&ws, "Johan", "insight", "Nobody reads release notes", &["--body", "A hunch."]);
    ws.ok(&["--as", "Sara", "edit", "Nobody reads release notes", "--body", "A hunch; support sees the same."]);
    add_as(
        &ws,
        "Erik",
        "friction",
        "Release cadence",
        &[
            "--position",
            "Sales=Ship monthly",
            "--position",
            "Engineering=Ship when stable",
            "--body",
            "derived-from:: [[Customers want faster delivery]]",
        ],
    );
    add_as(&ws, "Bo", "friction", "Support escalation path", &["--body", "See [[Gamma likes the current cadence]]."]);
    add_as(&ws, "Anna", "friction", "Pricing page ownership", &[]);
    add_as(&ws, "Sara", "friction", "Who answers Gamma", &[]);
    ws.ok(&["--as", "Sara", "edit", "Who answers Gamma", "--set", "status=exploring"]);
    add_as(
        &ws,
        "Anna",
        "resolution",
        "Monthly releases behind flags",
        &[
            "--set",
            "decision=Release monthly behind feature flags",
            "--set",
            &set("decided_on", &ago(30)),
            "--set",
            "retires=Quarterly big-bang releases",
            "--body",
            "resolves:: [[Release cadence]]\nadvances:: [[Kortare ledtid till kund]]",
        ],
    );
    add_as(
        &ws,
        "Anna",
        "resolution",
        "Sales owns the pricing page",
        &["--set", &set("decided_on", &ago(60)), "--body", "resolves:: [[Pricing page ownership]]"],
    );
    sig("Anna", "Delta finds prices unclear", "sales", "Delta", &ago(10), "About [[Pricing page ownership]].");
    add_as(
        &ws,
        "Johan",
        "note",
        "Release notes practice",
        &["--body", "derived-from:: [[Monthly releases behind flags]]\nsupports:: [[Customers want faster delivery]]"],
    );
    add_as(
        &ws,
        "Erik",
        "meeting",
        "Release planning",
        &[
            "--set",
            "start=2026-03-02T09:00:00Z",
            "--set",
            "end=2026-03-02T10:30:00Z",
            "--set",
            "attendees=Erik, Anna",
            "--body",
            "advances:: [[Kortare ledtid till kund]]",
        ],
    );
    add_as(
        &ws,
        "Sara",
        "meeting",
        "Support sync",
        &["--set", "start=2026-03-03 13:00", "--set", "end=2026-03-03 14:00", "--set", "attendees=Sara, Bo, Kim External"],
    );
    add_as(
        &ws,
        "Johan",
        "meeting",
        "Strategy day",
        &[
            "--set",
            "start=2026-03-05T00:00:00Z",
            "--set",
            "end=2026-03-06T00:00:00Z",
            "--set",
            "attendees=Johan, anna, Sara",
            "--tag",
            "all-day",
            "--body",
            "advances:: [[Customers trust our releases]]",
        ],
    );
    Org { ws, today }
}

fn titles(v: &Value) -> Vec<String> {
    v.as_array().expect("array").iter().map(|x| x["title"].as_str().expect("title").to_string()).collect()
}

/// A trace tree flattened to `(depth, rel, title, repeat)` lines in order.
fn flat(nodes: &Value, depth: usize, out: &mut Vec<(usize, String, String, bool)>) {
    for n in nodes.as_array().expect("array") {
        out.push((depth, n["rel"].as_str().unwrap().into(), n["title"].as_str().unwrap().into(), n["repeat"] == json!(true)));
        flat(&n["children"], depth + 1, out);
    }
}

fn flattened(nodes: &Value) -> Vec<(usize, String, String, bool)> {
    let mut out = Vec::new();
    flat(nodes, 0, &mut out);
    out
}

fn line(d: usize, rel: &str, title: &str, repeat: bool) -> (usize, String, String, bool) {
    (d, rel.into(), title.into(), repeat)
}

#[test]
fn a_plain_link_to_an_insight_brings_its_evidence_into_the_trace() {
    let o = org();
    add_as(&o.ws, "Erik", "friction", "Export keeps slipping", &["--body", "We keep hearing [[Customers want faster delivery]]."]);
    let t = o.ws.json(&["trace", "Export keeps slipping"]);
    let up = flattened(&t["up"]);
    assert_eq!(up[0], line(0, "references", "Customers want faster delivery", false), "{up:?}");
    for s in ["Acme waits for the export", "Acme: the export is late again", "Beta wants faster delivery"] {
        assert!(up.contains(&line(1, "evidence", s, false)), "{s}: {up:?}");
    }
    assert_eq!(t["summary"]["signals"], 4);
    assert_eq!(t["summary"]["customers"], json!(["Acme AB", "Beta", "Gamma"]));
    // The insight sees the friction downstream; a plain link to a note stays a mention.
    let t = o.ws.json(&["trace", "Customers want faster delivery"]);
    assert!(flattened(&t["down"]).contains(&line(0, "references", "Export keeps slipping", false)));
    add_as(&o.ws, "Erik", "friction", "Pricing again", &["--body", "As in [[Release notes practice]]."]);
    let t = o.ws.json(&["trace", "Pricing again"]);
    assert_eq!(t["up"], json!([]));
    assert_eq!(t["summary"]["signals"], 0);
}

#[test]
fn trace_both_ways_with_a_cycle_shown_once() {
    let o = org();
    let t = o.ws.json(&["trace", "Customers want faster delivery"]);
    assert_eq!(t["root"]["kind"], "insight");
    assert_eq!(t["root"]["title"], "Customers want faster delivery");
    assert_eq!(
        flattened(&t["up"]),
        [
            line(0, "supports", "Release notes practice", false),
            line(1, "derived-from", "Monthly releases behind flags", false),
            line(2, "resolves", "Release cadence", false),
            line(3, "derived-from", "Customers want faster delivery", true),
            line(0, "evidence", "Acme waits for the export", false),
            line(0, "evidence", "Acme: the export is late again", false),
            line(0, "evidence", "Beta wants faster delivery", false),
            line(0, "contradicts", "Gamma: monthly releases break our integration", false),
        ]
    );
    assert_eq!(
        flattened(&t["down"]),
        [
            line(0, "derived-from", "Release cadence", false),
            line(1, "resolves", "Monthly releases behind flags", false),
            line(2, "derived-from", "Release notes practice", false),
            line(3, "supports", "Customers want faster delivery", true),
            line(2, "advances", "Kortare ledtid till kund", false),
        ]
    );
    // Signals carry their customer, source and date.
    let acme = &t["up"][1];
    assert_eq!((acme["customer"].as_str(), acme["source"].as_str()), (Some("Acme AB"), Some("support")));
    assert_eq!(acme["date"], day(o.today));
    let s = &t["summary"];
    assert_eq!(s["signals"], 4);
    assert_eq!(s["customers"], json!(["Acme AB", "Beta", "Gamma"]));
    assert_eq!(s["sources"], json!(["interview", "support"]));
    assert_eq!(titles(&s["goals"]), ["Kortare ledtid till kund"]);

    // From a signal down to the goal, and from a goal up to the signals.
    let t = o.ws.json(&["trace", "Beta wants faster delivery"]);
    assert_eq!(t["up"], json!([]));
    assert_eq!(titles(&t["summary"]["goals"]), ["Kortare ledtid till kund"]);
    assert_eq!(t["down"][0]["rel"], "evidence");
    let t = o.ws.json(&["trace", "Kortare ledtid till kund"]);
    assert_eq!(t["down"], json!([]));
    assert_eq!(titles(&t["up"]), ["Monthly releases behind flags", "Release planning"]);
    assert_eq!(t["summary"]["signals"], 4);

    // The depth limit stops the walk and says there is more.
    let t = o.ws.json(&["trace", "Kortare ledtid till kund", "--depth", "2"]);
    assert_eq!(
        flattened(&t["up"]),
        [
            line(0, "advances", "Monthly releases behind flags", false),
            line(1, "resolves", "Release cadence", false),
            line(0, "advances", "Release planning", false)
        ]
    );
    assert_eq!(t["up"][0]["children"][0]["more"], true);
    assert!(t["up"][1].get("more").is_none());

    // The text form names both directions and the cycle.
    let text = o.ws.ok(&["trace", "Customers want faster delivery"]);
    assert!(text.contains("Upstream") && text.contains("Downstream") && text.contains("↺ shown above"), "{text}");
    assert!(o.ws.fails(&["trace", "Release cadence", "--depth", "0"]).contains("--depth"));
    assert!(o.ws.fails(&["trace", "No such thing"]).contains("no item matches"));
}

#[test]
fn evidence_strength_shows_its_parts() {
    let o = org();
    let v = o.ws.show("Customers want faster delivery");
    let e = &v["evidence"];
    assert_eq!(e["signals"], 3);
    assert_eq!(e["customers"], json!(["Acme AB", "Beta"]));
    assert_eq!(e["sources"], json!(["interview", "support"]));
    assert_eq!(e["contradicting"], 1);
    let as_of = NaiveDate::parse_from_str(e["as_of"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert_eq!(e["newest"], day(o.today));
    assert_eq!(e["oldest"], day(o.today - Duration::days(360)));
    // show counts to today; trace --as-of the same day gives the same evidence.
    let t = o.ws.json(&["trace", "Customers want faster delivery", "--as-of", &day(as_of)]);
    assert_eq!(&t["root"]["evidence"], e);

    // As of the day the signals were recorded: weights 1, ½, ¼.
    let t = o.ws.json(&["trace", "Customers want faster delivery", "--as-of", &day(o.today)]);
    let e = &t["root"]["evidence"];
    assert_eq!(e["recency"], 0.58);
    assert_eq!(e["parts"], json!({"signals": 18.0, "customers": 20.0, "sources": 13.33, "recency": 11.67, "contradiction_factor": 0.75}));
    assert_eq!(e["score"], 47);
    assert_eq!(e["level"], "moderate");
    // 180 days later every signal weighs half as much: ½, ¼, ⅛.
    let t = o.ws.json(&["trace", "Customers want faster delivery", "--as-of", &day(o.today + Duration::days(180))]);
    let e = &t["root"]["evidence"];
    assert_eq!(e["recency"], 0.29);
    assert_eq!(e["parts"]["recency"], 5.83);
    assert_eq!(e["score"], 43);

    // An insight without signals has no evidence; other kinds show none at all.
    let e = &o.ws.show("Nobody reads release notes")["evidence"];
    assert_eq!((e["signals"].as_u64(), e["score"].as_u64(), e["level"].as_str()), (Some(0), Some(0), Some("none")));
    assert!(o.ws.show("Release cadence").get("evidence").is_none());
}

#[test]
fn resolutions_contradicted_by_newer_signals_are_flagged() {
    let o = org();
    let r = &o.ws.show("Monthly releases behind flags")["review"];
    assert_eq!(r["needed"], true);
    assert_eq!(r["decided_on"], day(o.today - Duration::days(30)));
    let reasons = r["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0]["title"], "Gamma: monthly releases break our integration");
    assert_eq!(reasons[0]["why"], "contradicts");
    assert_eq!(reasons[0]["about"]["title"], "Customers want faster delivery");

    let r = &o.ws.show("Sales owns the pricing page")["review"];
    assert_eq!(r["needed"], true);
    assert_eq!(r["reasons"][0]["title"], "Delta finds prices unclear");
    assert_eq!(r["reasons"][0]["why"], "linked-to-friction");
    assert_eq!(r["reasons"][0]["about"]["title"], "Pricing page ownership");
    assert_eq!(r["reasons"][0]["date"], day(o.today - Duration::days(10)));

    // A decision taken after the newer signal is not flagged by it.
    o.ws.ok(&["edit", "Sales owns the pricing page", "--set", &format!("decided_on={}", day(o.today))]);
    let r = &o.ws.show("Sales owns the pricing page")["review"];
    assert_eq!((r["needed"].as_bool(), r["reasons"].as_array().map(Vec::len)), (Some(false), Some(0)));
    // Nor is one whose contradicting signal goes away.
    o.ws.ok(&["delete", "Gamma: monthly releases break our integration"]);
    assert_eq!(o.ws.show("Monthly releases behind flags")["review"]["needed"], false);
    let text = o.ws.ok(&["trace", "Monthly releases behind flags"]);
    assert!(!text.contains("REVIEW"), "{text}");
}

#[test]
fn the_lens_shows_every_figure() {
    let o = org();
    let l = o.ws.json(&["lens"]);
    assert_eq!(l["as_of"], day(o.today));
    assert_eq!(l["items"], 20);
    assert_eq!(
        l["perspectives"],
        json!([
            {"name": "Engineering", "people": ["Erik"], "items": 2},
            {"name": "Product", "people": ["Johan"], "items": 6},
            {"name": "Sales", "people": ["Anna", "Bo"], "items": 5},
            {"name": "Support", "people": ["Sara"], "items": 7},
        ])
    );
    assert_eq!(
        l["matrix"],
        json!([
            {"a": "Engineering", "b": "Product", "links": 2, "co_authored": 0, "positions": 0, "agreed": 0},
            // Release cadence holds Sales' and Engineering's positions.
            {"a": "Engineering", "b": "Sales", "links": 1, "co_authored": 1, "positions": 1, "agreed": 0},
            {"a": "Engineering", "b": "Support", "links": 0, "co_authored": 0, "positions": 0, "agreed": 0},
            {"a": "Product", "b": "Sales", "links": 2, "co_authored": 0, "positions": 0, "agreed": 0},
            {"a": "Product", "b": "Support", "links": 4, "co_authored": 1, "positions": 0, "agreed": 0},
            {"a": "Sales", "b": "Support", "links": 1, "co_authored": 0, "positions": 0, "agreed": 0},
        ])
    );
    assert_eq!(l["silos"], json!([["Engineering", "Support"]]));

    // Johan is the one person through whom Engineering and Support meet.
    assert_eq!(
        l["bridges"]["people"],
        json!([{"name": "Johan", "perspective": "Product", "betweenness": 4.0, "connects": [["Engineering", "Support"]]}])
    );
    let items = &l["bridges"]["items"];
    assert_eq!(items["count"], 3);
    assert_eq!(titles(&items["items"]), ["Customers want faster delivery", "Monthly releases behind flags", "Kortare ledtid till kund"]);
    assert_eq!(items["items"][0]["pairs_separated"], 26);
    assert_eq!(
        items["items"][0]["parts"],
        json!([["Engineering", "Product", "Sales"], ["Support"], ["Support"], ["Support"], ["Support"]])
    );
    assert_eq!(items["items"][1]["pairs_separated"], 14);
    assert_eq!(items["items"][1]["parts"], json!([["Engineering", "Product"], ["Engineering", "Product", "Support"]]));
    assert_eq!(items["items"][2]["pairs_separated"], 8);
    assert_eq!(items["items"][2]["parts"], json!([["Engineering"], ["Engineering", "Product", "Sales", "Support"]]));

    assert_eq!(l["unused_signals"]["count"], 3);
    assert_eq!(
        titles(&l["unused_signals"]["items"]),
        ["Gamma: monthly releases break our integration", "Delta finds prices unclear", "Gamma likes the current cadence"]
    );
    assert_eq!(l["unused_insights"]["count"], 1);
    assert_eq!(titles(&l["unused_insights"]["items"]), ["Nobody reads release notes"]);

    let f = &l["open_frictions"];
    assert_eq!(f["count"], 2);
    assert_eq!(titles(&f["items"]), ["Support escalation path", "Who answers Gamma"]);
    assert_eq!(f["items"][1]["status"], "exploring");
    assert_eq!(f["items"][0]["age_days"], 0);
    assert_eq!(f["by_age"], json!({"under_7_days": 2, "under_30_days": 0, "under_90_days": 0, "over_90_days": 0}));
    let later = o.ws.json(&["lens", "--as-of", &day(o.today + Duration::days(40))]);
    assert_eq!(later["open_frictions"]["items"][0]["age_days"], 40);
    assert_eq!(later["open_frictions"]["by_age"], json!({"under_7_days": 0, "under_30_days": 0, "under_90_days": 2, "over_90_days": 0}));

    let r = &l["red_thread"];
    assert_eq!((r["items"].as_u64(), r["traced"].as_u64(), r["share"].as_f64()), (Some(18), Some(9), Some(0.5)));
    assert_eq!(
        r["by_kind"],
        json!({
            "note": {"items": 1, "traced": 1},
            "signal": {"items": 6, "traced": 3},
            "insight": {"items": 2, "traced": 1},
            "friction": {"items": 4, "traced": 1},
            "resolution": {"items": 2, "traced": 1},
            "meeting": {"items": 3, "traced": 2},
        })
    );
    let mut not_traced = titles(&r["not_traced"]["items"]);
    not_traced.sort();
    assert_eq!(
        not_traced,
        [
            "Delta finds prices unclear",
            "Gamma likes the current cadence",
            "Gamma: monthly releases break our integration",
            "Nobody reads release notes",
            "Pricing page ownership",
            "Sales owns the pricing page",
            "Support escalation path",
            "Support sync",
            "Who answers Gamma",
        ]
    );

    assert_eq!(l["retired_practices"].as_array().unwrap().len(), 1);
    assert_eq!(l["retired_practices"][0]["practice"], "Quarterly big-bang releases");
    assert_eq!(l["retired_practices"][0]["resolution"]["title"], "Monthly releases behind flags");
    assert_eq!(l["retired_practices"][0]["decided_on"], day(o.today - Duration::days(30)));

    let rv: Vec<&str> = l["to_review"].as_array().unwrap().iter().map(|x| x["resolution"]["title"].as_str().unwrap()).collect();
    assert_eq!(rv, ["Sales owns the pricing page", "Monthly releases behind flags"]);

    let c = &l["calendar"];
    assert_eq!((c["meetings"].as_u64(), c["hours"].as_f64(), c["traced_hours"].as_f64()), (Some(3), Some(10.5), Some(9.5)));
    assert_eq!(c["share"], 0.905);
    assert_eq!(
        c["per_goal"],
        json!([
            {"goal": {"id": c["per_goal"][0]["goal"]["id"], "kind": "goal", "title": "Customers trust our releases"}, "meetings": 1, "hours": 8.0},
            {"goal": {"id": c["per_goal"][1]["goal"]["id"], "kind": "goal", "title": "Kortare ledtid till kund"}, "meetings": 1, "hours": 1.5},
        ])
    );
    assert_eq!(
        c["per_person"],
        json!([
            {"name": "Anna", "perspective": "Sales", "meetings": 2, "hours": 9.5, "traced_hours": 9.5, "share": 1.0},
            {"name": "Sara", "perspective": "Support", "meetings": 2, "hours": 9.0, "traced_hours": 8.0, "share": 0.889},
            {"name": "Johan", "perspective": "Product", "meetings": 1, "hours": 8.0, "traced_hours": 8.0, "share": 1.0},
            {"name": "Erik", "perspective": "Engineering", "meetings": 1, "hours": 1.5, "traced_hours": 1.5, "share": 1.0},
            {"name": "Bo", "perspective": "Sales", "meetings": 1, "hours": 1.0, "traced_hours": 0.0, "share": 0.0},
        ])
    );
    assert_eq!(
        c["per_perspective"],
        json!([
            {"perspective": "Engineering", "hours": 1.5, "traced_hours": 1.5, "share": 1.0},
            {"perspective": "Product", "hours": 8.0, "traced_hours": 8.0, "share": 1.0},
            {"perspective": "Sales", "hours": 10.5, "traced_hours": 9.5, "share": 0.905},
            {"perspective": "Support", "hours": 9.0, "traced_hours": 8.0, "share": 0.889},
        ])
    );
    assert_eq!(c["unmatched_attendees"], json!([{"name": "Kim External", "hours": 1.0}]));

    // A window narrows the calendar figures; a longer workday lengthens the all-day event.
    let w = o.ws.json(&["lens", "--from", "2026-03-03", "--to", "2026-03-04"]);
    assert_eq!((w["calendar"]["meetings"].as_u64(), w["calendar"]["hours"].as_f64()), (Some(1), Some(1.0)));
    assert_eq!(w["calendar"]["share"], 0.0);
    let w = o.ws.json(&["lens", "--workday-hours", "7.5"]);
    assert_eq!(w["calendar"]["hours"], 10.0);
    // Lists follow --limit; counts stay whole.
    let w = o.ws.json(&["lens", "--limit", "1"]);
    assert_eq!((w["unused_signals"]["count"].as_u64(), w["unused_signals"]["items"].as_array().map(Vec::len)), (Some(3), Some(1)));

    let text = o.ws.ok(&["lens"]);
    for needle in ["Engineering", "silo", "Johan (Product)", "Red thread: 9 of 18", "Quarterly big-bang releases", "10.5 h"] {
        assert!(text.contains(needle), "missing '{needle}' in:\n{text}");
    }
    assert!(o.ws.fails(&["lens", "--from", "someday"]).contains("--from"));
    assert!(o.ws.fails(&["lens", "--workday-hours", "30"]).contains("workday hours"));
}

#[test]
fn a_new_link_closes_the_silo_and_the_bridge_is_no_longer_needed() {
    let o = org();
    // Sara (Support) links her signal to Erik's (Engineering) friction.
    o.ws.ok(&["--as", "Sara", "link", "Gamma likes the current cadence", "Release cadence", "--rel", "references"]);
    let l = o.ws.json(&["lens"]);
    assert_eq!(l["silos"], json!([]));
    assert_eq!(l["matrix"][2], json!({"a": "Engineering", "b": "Support", "links": 1, "co_authored": 0, "positions": 0, "agreed": 0}));
    assert_eq!(l["bridges"]["people"], json!([]));
}

#[test]
fn positions_in_one_friction_and_agreement_on_its_resolution_close_the_silo() {
    let o = org();
    // Johan (Product) writes down where Engineering and Support stand; neither touches an item of
    // the other, and no link joins their items.
    add_as(
        &o.ws,
        "Johan",
        "friction",
        "Who triages Gamma's bugs",
        &["--position", "Engineering=Triage in the sprint", "--position", "Support=Triage the same day"],
    );
    let silo = |l: &Value| l["matrix"][2].clone();
    let l = o.ws.json(&["lens"]);
    assert_eq!(silo(&l), json!({"a": "Engineering", "b": "Support", "links": 0, "co_authored": 0, "positions": 1, "agreed": 0}));
    assert_eq!(l["silos"], json!([]));
    // They settle it: a resolution agreed by Erik and Sara (names; a perspective's name counts too,
    // a name nobody has does not).
    add_as(
        &o.ws,
        "Johan",
        "resolution",
        "Support triages, Engineering fixes",
        &["--set", "agreed_by=Erik, Sara, Nobody", "--body", "resolves:: [[Who triages Gamma's bugs]]"],
    );
    add_as(&o.ws, "Johan", "resolution", "Sales and Support share the queue", &["--set", "agreed_by=Sales, support"]);
    let l = o.ws.json(&["lens"]);
    assert_eq!(silo(&l), json!({"a": "Engineering", "b": "Support", "links": 0, "co_authored": 0, "positions": 1, "agreed": 1}));
    assert_eq!(l["matrix"][5], json!({"a": "Sales", "b": "Support", "links": 1, "co_authored": 0, "positions": 0, "agreed": 1}));
    // The text view says what the figures count.
    let text = o.ws.ok(&["lens"]);
    assert!(text.contains("positions"), "{text}");
    // A deleted friction's positions no longer count.
    o.ws.ok(&["delete", "Who triages Gamma's bugs"]);
    let l = o.ws.json(&["lens"]);
    assert_eq!(silo(&l)["positions"], 0);
}

#[test]
fn similar_puts_past_resolutions_first() {
    let ws = Ws::new();
    ws.ok(&["person", "add", "Erik", "--perspective", "Engineering"]);
    ws.add(
        "friction",
        "Release cadence for the web app",
        &[
            "--position",
            "Sales=Ship every month",
            "--position",
            "Engineering=Ship when stable",
            "--body",
            "Monthly releases against stability.",
        ],
    );
    ws.add(
        "resolution",
        "Monthly web releases behind flags",
        &[
            "--set",
            "decision=Release monthly behind feature flags",
            "--set",
            "decided_on=2026-01-15",
            "--body",
            "resolves:: [[Release cadence for the web app]]",
        ],
    );
    ws.add("friction", "Pricing page ownership", &["--body", "Who writes the prices on the website?"]);
    ws.add(
        "resolution",
        "Sales owns pricing",
        &["--set", "decision=Sales owns the page", "--body", "resolves:: [[Pricing page ownership]]"],
    );
    ws.add("friction", "Release timing for the API", &["--body", "Sales wants monthly releases; Engineering wants stability first."]);
    ws.add("note", "Release checklist", &["--body", "How we release: feature flags, a monthly cadence, stability checks."]);
    ws.add("note", "Office plants", &["--body", "Water them on Fridays."]);
    let new = ws.add(
        "friction",
        "Release cadence for the mobile app",
        &[
            "--position",
            "Sales=Ship every month like the web app",
            "--position",
            "Engineering=Ship when stable",
            "--body",
            "Monthly releases or stability?",
        ],
    );

    let r = ws.json(&["similar", &new]);
    let items = r["items"].as_array().unwrap();
    assert_eq!(items[0]["title"], "Release cadence for the web app");
    assert_eq!(items[0]["group"], "precedent");
    assert_eq!(items[0]["status"], "resolved");
    assert_eq!(
        items[0]["resolutions"],
        json!([{"id": items[0]["resolutions"][0]["id"], "title": "Monthly web releases behind flags", "decision": "Release monthly behind feature flags", "decided_on": "2026-01-15"}])
    );
    let rest: Vec<&str> = items[1..].iter().map(|x| x["title"].as_str().unwrap()).collect();
    assert!(items[1..].iter().all(|x| x["group"] == "related"), "{items:?}");
    assert!(rest.contains(&"Release timing for the API") && rest.contains(&"Release checklist"), "{rest:?}");
    // The resolution is shown with its friction, not on its own; the item itself and unrelated ones are not shown.
    for absent in ["Monthly web releases behind flags", "Release cadence for the mobile app", "Office plants", "Pricing page ownership"] {
        assert!(!rest.contains(&absent), "{absent} in {rest:?}");
    }
    assert!(r["terms"].as_array().unwrap().iter().any(|t| t == "monthly"), "{}", r["terms"]);
    assert_eq!(ws.json(&["similar", &new, "--limit", "1"])["items"].as_array().unwrap().len(), 1);
    assert!(ws.fails(&["similar", &new, "--limit", "0"]).contains("--limit"));
    let text = ws.ok(&["similar", &new]);
    assert!(text.contains("resolved by 'Monthly web releases behind flags' on 2026-01-15: Release monthly behind feature flags"), "{text}");
}

#[test]
fn an_open_workspace_sees_every_change_in_its_lens() {
    use mellanrum::lens::LensOptions;
    use mellanrum::model::Kind;
    use mellanrum::workspace::{NewItem, Workspace};

    let o = org();
    let mut ws = Workspace::open(o.ws.path()).unwrap();
    ws.act_as("Sara").unwrap();
    let opt = LensOptions::new(o.today);
    let before = ws.lens(&opt).unwrap();
    assert_eq!(before.silos, vec![["Engineering".to_string(), "Support".to_string()]]);
    assert_eq!(before.unused_signals.count, 3);
    // Asked again with nothing changed: the same figures.
    assert_eq!(ws.lens(&opt).unwrap().silos, before.silos);

    // Another process closes the silo while this workspace stays open.
    o.ws.ok(&["--as", "Sara", "link", "Gamma likes the current cadence", "Release cadence", "--rel", "references"]);
    let after_other = ws.lens(&opt).unwrap();
    assert!(after_other.silos.is_empty());

    // A save through this workspace: one more signal that no insight uses.
    ws.create(NewItem { kind: Some(Kind::Signal), title: "Delta asks for exports".into(), ..Default::default() }).unwrap();
    let after_own = ws.lens(&opt).unwrap();
    assert_eq!(after_own.unused_signals.count, 4);
    assert!(after_own.silos.is_empty());
}

#[test]
fn the_lens_reads_every_item_as_a_single_read_does() {
    use mellanrum::store::{EdgeLink, NodeField};
    use mellanrum::trace::{Graph, View};
    use mellanrum::workspace::Workspace;

    // Edits after the fact put field rows out of their items' order; a deleted item and an
    // all-day meeting are there too.
    let o = org();
    o.ws.ok(&["--as", "Sara", "edit", "Acme waits for the export", "--set", "customer=Acme Group", "--set", "source=review"]);
    o.ws.ok(&["--as", "Erik", "edit", "Release cadence", "--set", "severity=critical"]);
    o.ws.ok(&["--as", "Bo", "delete", "Beta wants faster delivery"]);
    let start = format!("{}T00:00:00Z", day(o.today));
    let end = format!("{}T00:00:00Z", day(o.today + Duration::days(2)));
    let offsite = add_as(
        &o.ws,
        "Johan",
        "meeting",
        "Offsite",
        &["--tag", "all-day", "--set", &format!("start={start}"), "--set", &format!("end={end}")],
    );
    o.ws.ok(&["--as", "Anna", "edit", "Offsite", "--set", "attendees=Anna, Johan", "--body", "advances:: [[Kortare ledtid till kund]]"]);

    let mut ws = Workspace::open(o.ws.path()).unwrap();
    ws.store()
        .read(|tx| {
            let g = Graph::load(tx)?;
            let live = tx.list_items(None, None, false)?.len();
            assert_eq!(g.len(), live);
            for i in 0..g.len() {
                let id = g.id(i).to_string();
                assert_eq!(g.pos(&id), Some(i));
                let one = tx.node(&id)?.expect("live item");
                assert_eq!(g.node_row(i), one, "{}", one.title);
                let mut from_graph: Vec<EdgeLink> = (&g).edges(&id)?;
                let mut one_by_one = tx.edges_at(&id)?;
                from_graph.sort();
                one_by_one.sort();
                assert_eq!(from_graph, one_by_one, "{}", one.title);
            }
            let offsite = g.pos(&offsite).expect("the offsite");
            assert!(g.all_day(offsite) && g.field(offsite, NodeField::Attendees) == Some("Anna, Johan"));
            assert!(tx.node(g.id(offsite))?.is_some_and(|n| n.all_day));
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_read_split_over_two_connections_sees_one_state_while_another_process_writes() {
    use mellanrum::store::Store;
    use mellanrum::workspace::DB_FILE;

    let o = org();
    let db = o.ws.path().join(DB_FILE);
    // Another process saves note after note meanwhile.
    let mut writer = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"i=0; while [ $i -lt 400 ]; do i=$((i+1)); "$M" --as Sara add note --title "n$i" >/dev/null || exit 3; done"#)
        .env("M", crate::util::bin())
        .current_dir(o.ws.path())
        .env("MELLANRUM_WORKSPACE", o.ws.path())
        .spawn()
        .unwrap();
    let mut store = Store::open(&db).unwrap();
    let count = |tx: &mellanrum::store::Tx| -> mellanrum::Result<i64> { Ok(tx.counts()?.iter().map(|(_, n)| n).sum()) };
    let (mut reads, mut seen) = (0, std::collections::BTreeSet::new());
    while writer.try_wait().unwrap().is_none() || reads < 20 {
        let (here, beside) = store.read_beside(count, count).unwrap();
        assert_eq!(here, beside, "both halves of one read see the same items");
        seen.insert(here);
        reads += 1;
    }
    assert!(writer.wait().unwrap().success());
    // The reads did run while the count moved.
    assert!(seen.len() > 5, "{reads} reads saw {} states", seen.len());
}

/// The lens as read from its rows and as read from the tables, lists unlimited: they must agree.
fn rows_and_tables(ws: &Ws, today: NaiveDate) -> (Value, Value) {
    use mellanrum::lens::{rows, LensOptions, Loaded};
    let mut store = mellanrum::store::Store::open(&ws.path().join(mellanrum::workspace::DB_FILE)).expect("open the store");
    let opt = LensOptions { limit: 0, ..LensOptions::new(today) };
    let from_rows = Loaded::read(&mut store).expect("read from the rows").lens(&opt).expect("lens");
    assert!(store.read(rows::current).expect("rows current"), "the lens read its rows, brought up to date");
    let from_tables = Loaded::read_tables(&mut store).expect("read from the tables").lens(&opt).expect("lens");
    (serde_json::to_value(from_rows).unwrap(), serde_json::to_value(from_tables).unwrap())
}

#[test]
fn the_lens_rows_follow_every_change_to_the_tables() {
    let o = org();
    let ws = &o.ws;
    let check = |what: &str| {
        let (rows, tables) = rows_and_tables(ws, o.today);
        assert_eq!(rows, tables, "after {what}: the lens from its rows differs from the lens from the tables");
    };
    check("the organisation was built");
    // A renamed target: links to it are rewritten in their sources' bodies.
    ws.ok(&["rename", "Customers want faster delivery", "Customers want shorter lead times"]);
    check("a rename");
    // A link added, and one removed.
    ws.ok(&["--as", "Erik", "link", "Pricing page ownership", "Release cadence", "--rel", "references"]);
    check("a new link");
    ws.ok(&["unlink", "Pricing page ownership", "Release cadence", "--rel", "references"]);
    check("a removed link");
    // A deleted signal and a deleted insight, one brought back.
    let acme = ws.json(&["show", "Acme waits for the export"])["id"].as_str().expect("id").to_string();
    ws.ok(&["delete", "Acme waits for the export"]);
    ws.ok(&["delete", "Nobody reads release notes"]);
    check("two deletions");
    ws.ok(&["restore", &acme]);
    check("a restore");
    // Another contributor, a status and a position changed.
    ws.ok(&["--as", "Bo", "edit", "Who answers Gamma", "--set", "status=open", "--position", "Sales=We answer within a day"]);
    check("an edit by someone new");
    // A new item whose link resolves at once, and an unresolved link that resolves later.
    add_as(ws, "Sara", "note", "Waiting on", &["--body", "references:: [[A note written later]]"]);
    check("an unresolved link");
    add_as(ws, "Erik", "note", "A note written later", &["--body", "See [[Release cadence]]."]);
    check("the link's target written");
    // The rows' format changed (a newer build): every row is encoded again.
    let mut store = mellanrum::store::Store::open(&ws.path().join(mellanrum::workspace::DB_FILE)).expect("open the store");
    store.write(|tx| tx.set_meta("lens.rows_format", "0")).expect("set the format");
    drop(store);
    check("a format change");
}
