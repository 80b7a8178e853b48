//! What falls between chairs and signal-to-decision time, on a small organisation built by hand
//! whose answers are known: every figure is checked against what the organisation says.
//!
//! Sales (Anna), Engineering (Erik), Support (Sara). Everything is made today; ages are counted
//! with `lens --as-of` a number of days ahead.

use chrono::{Duration, Local};
use serde_json::{json, Value};

use crate::lens::add_as;
use crate::util::Ws;

fn org() -> Ws {
    let ws = Ws::new();
    ws.ok(&["person", "add", "Erik", "--perspective", "Engineering"]);
    ws.ok(&["person", "add", "Sara", "--perspective", "Support"]);
    // A signal nobody has looked at.
    add_as(&ws, "Sara", "signal", "Export times out", &["--set", "customer=Gamma"]);
    // An insight with evidence and no decision.
    add_as(&ws, "Anna", "signal", "Wants single sign-on", &["--set", "customer=Acme AB", "--set", "date=2026-02-15"]);
    add_as(&ws, "Anna", "insight", "Enterprise needs SSO", &["--body", "evidence:: [[Wants single sign-on]]"]);
    // Two decisions traced to signals of known dates.
    add_as(&ws, "Sara", "signal", "Release slipped again", &["--set", "customer=Acme AB", "--set", "date=2026-01-10"]);
    add_as(&ws, "Sara", "signal", "Cannot plan rollout", &["--set", "customer=Beta", "--set", "date=2026-02-01"]);
    add_as(
        &ws,
        "Erik",
        "insight",
        "Releases are unpredictable",
        &["--body", "evidence:: [[Release slipped again]]\nevidence:: [[Cannot plan rollout]]"],
    );
    add_as(
        &ws,
        "Erik",
        "friction",
        "Release date",
        &[
            "--body",
            "derived-from:: [[Releases are unpredictable]]",
            "--position",
            "Sales=May",
            "--position",
            "Engineering=June",
            "--position",
            "Support=After the docs",
        ],
    );
    add_as(&ws, "Erik", "resolution", "Fixed release train", &["--body", "resolves:: [[Release date]]", "--set", "decided_on=2026-03-01"]);
    add_as(&ws, "Anna", "signal", "Price list unclear", &["--set", "customer=Acme AB", "--set", "date=2026-02-20"]);
    add_as(&ws, "Anna", "insight", "Prices confuse buyers", &["--body", "evidence:: [[Price list unclear]]"]);
    add_as(
        &ws,
        "Anna",
        "friction",
        "Pricing page",
        &["--body", "derived-from:: [[Prices confuse buyers]]", "--position", "Sales=Show prices"],
    );
    add_as(&ws, "Anna", "resolution", "One price list", &["--body", "resolves:: [[Pricing page]]", "--set", "decided_on=2026-03-10"]);
    // A friction whose consent round waits for Support.
    add_as(&ws, "Sara", "friction", "Onboarding", &["--position", "Support=Thorough", "--position", "Sales=Fast"]);
    let r = add_as(&ws, "Anna", "resolution", "Two-step onboarding", &["--body", "resolves:: [[Onboarding]]"]);
    ws.ok(&["round", "open", &r]);
    ws.ok(&["round", "answer", &r, "consent"]);
    // Handed across: Sales asks Engineering and hears nothing; Support asks and Erik answers.
    add_as(&ws, "Erik", "note", "Rate limit design", &[]);
    add_as(&ws, "Anna", "note", "Ask engineering about limits", &["--body", "See [[Rate limit design]]"]);
    add_as(&ws, "Sara", "note", "Customers hit the limit", &["--body", "See [[Rate limit design]]"]);
    ws.ok(&["--as", "Erik", "edit", "Customers hit the limit", "--body", "See [[Rate limit design]]\n\nErik: raised to 100/s."]);
    ws
}

fn lens_in(ws: &Ws, days: i64) -> Value {
    let day = (Local::now().date_naive() + Duration::days(days)).format("%Y-%m-%d").to_string();
    ws.json(&["lens", "--as-of", &day])
}

fn titles(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|w| w["item"]["title"].as_str().unwrap().to_string()).collect()
}

#[test]
fn what_falls_between_chairs_is_what_the_organisation_left_waiting() {
    let ws = org();
    // Today nothing has waited long enough.
    let b = &lens_in(&ws, 0)["between_chairs"];
    for k in ["signals", "insights", "frictions", "rounds", "handovers"] {
        assert_eq!(b[k]["count"], 0, "{k}: {}", b[k]);
    }
    // After 20 days: the untouched signal (14), the round (7) and the hand-over (14); not yet
    // the insight or the friction (30).
    let b = &lens_in(&ws, 20)["between_chairs"];
    assert_eq!(titles(&b["signals"]), ["Export times out"]);
    assert_eq!(b["signals"]["items"][0]["age_days"], 20);
    assert_eq!(b["signals"]["items"][0]["perspectives"], json!(["Support"]));
    assert_eq!(b["insights"]["count"], 0);
    assert_eq!(b["frictions"]["count"], 0);
    assert_eq!(titles(&b["rounds"]), ["Two-step onboarding"]);
    assert_eq!(b["rounds"]["items"][0]["perspectives"], json!(["Support"]), "Sales answered, Support has not");
    let h = &b["handovers"];
    assert_eq!(h["count"], 1, "{h}");
    assert_eq!(h["items"][0]["from"]["title"], "Ask engineering about limits");
    assert_eq!(h["items"][0]["to"]["title"], "Rate limit design");
    assert_eq!(h["items"][0]["from_perspective"], "Sales");
    assert_eq!(h["items"][0]["to_perspective"], "Engineering");
    // After 40 days the insight with evidence and the friction held by its round join them.
    let b = &lens_in(&ws, 40)["between_chairs"];
    assert_eq!(titles(&b["insights"]), ["Enterprise needs SSO"]);
    assert_eq!(titles(&b["frictions"]), ["Onboarding"]);
    // The thresholds are settings.
    let day = (Local::now().date_naive() + Duration::days(20)).format("%Y-%m-%d").to_string();
    let b = &ws.json(&["lens", "--as-of", &day, "--signal-days", "30", "--round-days", "21"])["between_chairs"];
    assert_eq!(b["signals"]["count"], 0);
    assert_eq!(b["rounds"]["count"], 0);
    assert_eq!(b["thresholds"]["signal_days"], 30);
    assert!(ws.fails(&["lens", "--signal-days=-1"]).contains("signal days cannot be negative (-1)"));
    assert!(ws.fails(&["lens", "--round-days=-2", "--keep-days"]).contains("round days cannot be negative"));
    // Kept as the workspace's setting, the days hold for every lens after (the app's too) until
    // set back to the defaults; a refused value kept nothing.
    assert_eq!(lens_in(&ws, 20)["between_chairs"]["thresholds"]["signal_days"], 14, "not kept without --keep-days");
    ws.ok(&["lens", "--signal-days", "30", "--round-days", "21", "--keep-days"]);
    let b = &lens_in(&ws, 20)["between_chairs"];
    assert_eq!((b["signals"]["count"].clone(), b["rounds"]["count"].clone()), (json!(0), json!(0)));
    assert_eq!(b["thresholds"], json!({"signal_days": 30, "insight_days": 30, "friction_days": 30, "round_days": 21, "handover_days": 14}));
    let b = &ws.json(&["lens", "--default-days", "--as-of", &day])["between_chairs"];
    assert_eq!(b["thresholds"]["signal_days"], 14);
    assert_eq!(b["rounds"]["count"], 1);
    // Answering moves the round off the list.
    ws.ok(&["--as", "Sara", "round", "answer", "Two-step onboarding", "consent"]);
    assert_eq!(lens_in(&ws, 20)["between_chairs"]["rounds"]["count"], 0);
}

#[test]
fn signal_to_decision_time_counts_from_the_earliest_signal_traced() {
    let ws = org();
    let d = &lens_in(&ws, 0)["decision_time"];
    // Fixed release train: 2026-01-10 → 2026-03-01 = 50 days (Acme 50, Beta 28);
    // One price list: 2026-02-20 → 2026-03-10 = 18 days (Acme 18).
    assert_eq!(d["count"], 2, "{d}");
    assert_eq!(d["median_days"], 34.0);
    let r = &d["resolutions"];
    assert_eq!(r[0]["resolution"]["title"], "Fixed release train");
    assert_eq!(r[0]["days"], 50);
    assert_eq!(r[0]["earliest_signal"], "2026-01-10");
    assert_eq!(r[0]["signals"], 2);
    assert_eq!(r[0]["customers"], json!(["Acme AB", "Beta"]));
    assert_eq!(r[1]["days"], 18);
    let m = |v: &Value| -> Vec<(String, f64, u64)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| (x["name"].as_str().unwrap().to_string(), x["median_days"].as_f64().unwrap(), x["resolutions"].as_u64().unwrap()))
            .collect()
    };
    // Perspectives: those with a position in the friction resolved, and the resolution's author's.
    assert_eq!(
        m(&d["per_perspective"]),
        [("Engineering".to_string(), 50.0, 1), ("Sales".to_string(), 34.0, 2), ("Support".to_string(), 50.0, 1)]
    );
    assert_eq!(m(&d["per_customer"]), [("Acme AB".to_string(), 34.0, 2), ("Beta".to_string(), 28.0, 1)]);
    assert_eq!(m(&d["per_month"]), [("2026-03".to_string(), 34.0, 2)]);
    let text = ws.ok(&["lens"]);
    assert!(text.contains("Signal to decision: 2 resolution(s) trace to a signal, median 34 days"), "{text}");
}
