//! The calendar's red thread: an iCalendar file with a weekly meeting across a daylight-saving
//! change, an excluded and a moved occurrence, an all-day event, a call with a DURATION and a
//! cancelled event, imported as meetings whose hours the lens measures.

use serde_json::{json, Value};

use crate::util::{fixtures, Ws};

fn ics() -> String {
    fixtures().join("calendar").join("team.ics").to_string_lossy().into_owned()
}

fn team() -> Ws {
    let ws = Ws::new();
    for (name, p) in [("Anna Lind", "Sales"), ("Erik Berg", "Engineering"), ("Sara Holm", "Support")] {
        ws.ok(&["person", "add", name, "--perspective", p]);
    }
    ws.add("goal", "Kortare ledtid till kund", &[]);
    ws.add("goal", "Customers trust our releases", &[]);
    ws
}

fn import(ws: &Ws, file: &str, to: &str) -> Value {
    ws.json(&["import", "calendar", file, "--from", "2026-03-01", "--to", to])
}

/// `(title, start, end, attendees, tags)` of every live meeting, by start.
fn meetings(ws: &Ws) -> Vec<(String, String, String, String, Vec<String>)> {
    let mut out: Vec<_> = ws
        .json(&["list", "--kind", "meeting"])
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let v = ws.show(m["id"].as_str().unwrap());
            let f = &v["fields"];
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            let tags = v["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
            (v["title"].as_str().unwrap().to_string(), s("start"), s("end"), s("attendees"), tags)
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

fn m(title: &str, start: &str, end: &str, attendees: &str, tags: &[&str]) -> (String, String, String, String, Vec<String>) {
    (title.into(), start.into(), end.into(), attendees.into(), tags.iter().map(|t| t.to_string()).collect())
}

#[test]
fn a_calendar_imports_with_the_right_hours_and_reimporting_changes_nothing() {
    let ws = team();
    let r = import(&ws, &ics(), "2026-05-01");
    assert_eq!(
        (&r["events"], &r["occurrences"], &r["created"], &r["updated"], &r["unchanged"], &r["deleted"], &r["cancelled"]),
        (&json!(4), &json!(5), &json!(5), &json!(0), &json!(0), &json!(0), &json!(1))
    );
    // 09:00 in Stockholm is 08:00 UTC before the change to summer time (29 March) and 07:00 after;
    // 23 March is excluded and 6 April moved to 13:00.
    assert_eq!(
        meetings(&ws),
        [
            m("Weekly delivery sync", "2026-03-16T08:00:00Z", "2026-03-16T09:30:00Z", "Anna Lind, Erik Berg", &[]),
            m("Strategy offsite", "2026-03-25T00:00:00Z", "2026-03-27T00:00:00Z", "Anna Lind, Sara Holm", &["all-day"]),
            m("Weekly delivery sync", "2026-03-30T07:00:00Z", "2026-03-30T08:30:00Z", "Anna Lind, Erik Berg", &[]),
            m("Call with Acme AB", "2026-04-01T13:00:00Z", "2026-04-01T13:45:00Z", "Sara Holm, buyer", &[]),
            m("Weekly delivery sync (moved after Easter)", "2026-04-06T11:00:00Z", "2026-04-06T12:00:00Z", "Anna Lind", &[]),
        ]
    );
    let weekly =
        ws.json(&["list", "--kind", "meeting"]).as_array().unwrap().iter().find(|x| x["title"] == "Weekly delivery sync").cloned().unwrap();
    let v = ws.show(weekly["id"].as_str().unwrap());
    assert_eq!(v["fields"]["location"], "Rum Glappet, plan 3");
    assert_eq!(v["body"], "Where are we against the lead-time goal?\nadvances:: [[Kortare ledtid till kund]]");
    assert_eq!(v["links"][0]["title"], "Kortare ledtid till kund");

    // The lens: the weekly series (1.5 + 1.5 + 1 h) advances the goal; the offsite counts two
    // workdays (16 h); the call 45 minutes.
    let c = &ws.json(&["lens", "--from", "2026-03-01", "--to", "2026-04-30"])["calendar"];
    assert_eq!(
        (c["meetings"].as_u64(), c["hours"].as_f64(), c["traced_hours"].as_f64(), c["share"].as_f64()),
        (Some(5), Some(20.75), Some(4.0), Some(0.193))
    );
    assert_eq!(c["per_goal"][0]["goal"]["title"], "Kortare ledtid till kund");
    assert_eq!((c["per_goal"][0]["meetings"].as_u64(), c["per_goal"][0]["hours"].as_f64()), (Some(3), Some(4.0)));
    assert_eq!((c["per_goal"][1]["meetings"].as_u64(), c["per_goal"][1]["hours"].as_f64()), (Some(0), Some(0.0)));
    assert_eq!(
        c["per_person"],
        json!([
            {"name": "Anna Lind", "perspective": "Sales", "meetings": 4, "hours": 20.0, "traced_hours": 4.0, "share": 0.2},
            {"name": "Sara Holm", "perspective": "Support", "meetings": 2, "hours": 16.75, "traced_hours": 0.0, "share": 0.0},
            {"name": "Erik Berg", "perspective": "Engineering", "meetings": 2, "hours": 3.0, "traced_hours": 3.0, "share": 1.0},
        ])
    );
    assert_eq!(
        c["per_perspective"],
        json!([
            {"perspective": "Engineering", "hours": 3.0, "traced_hours": 3.0, "share": 1.0},
            {"perspective": "Sales", "hours": 20.0, "traced_hours": 4.0, "share": 0.2},
            {"perspective": "Support", "hours": 16.75, "traced_hours": 0.0, "share": 0.0},
        ])
    );
    assert_eq!(c["unmatched_attendees"], json!([{"name": "buyer", "hours": 0.75}]));

    // Importing the same file again changes nothing: no new items, no new revisions.
    let before: Vec<Value> = ws
        .json(&["list", "--kind", "meeting"])
        .as_array()
        .unwrap()
        .iter()
        .map(|x| ws.json(&["history", x["id"].as_str().unwrap()]))
        .collect();
    let r = import(&ws, &ics(), "2026-05-01");
    assert_eq!((&r["created"], &r["updated"], &r["unchanged"], &r["deleted"]), (&json!(0), &json!(0), &json!(5), &json!(0)));
    let after: Vec<Value> = ws
        .json(&["list", "--kind", "meeting"])
        .as_array()
        .unwrap()
        .iter()
        .map(|x| ws.json(&["history", x["id"].as_str().unwrap()]))
        .collect();
    assert_eq!(before, after);
    assert!(after.iter().all(|h| h.as_array().unwrap().len() == 1));
    assert_eq!(ws.json(&["info"])["counts"]["meeting"], 5);
}

#[test]
fn reimporting_a_changed_calendar_updates_and_removes_and_keeps_the_teams_links() {
    let ws = team();
    import(&ws, &ics(), "2026-05-01");
    // The team links the offsite to a goal; that is theirs and survives every import.
    ws.ok(&["link", "Strategy offsite", "Customers trust our releases", "--rel", "advances"]);
    let changed = std::fs::read_to_string(ics())
        .unwrap()
        .replace("SUMMARY:Call with Acme AB", "SUMMARY:Call with Acme AB about the export")
        .replace("EXDATE;TZID=Europe/Stockholm:20260323T090000", "EXDATE;TZID=Europe/Stockholm:20260323T090000,20260330T090000");
    let file = ws.path().join("changed.ics");
    std::fs::write(&file, changed).unwrap();
    let r = import(&ws, file.to_str().unwrap(), "2026-05-01");
    assert_eq!(
        (&r["occurrences"], &r["created"], &r["updated"], &r["unchanged"], &r["deleted"]),
        (&json!(4), &json!(0), &json!(1), &json!(3), &json!(1))
    );
    let titles: Vec<String> = meetings(&ws).into_iter().map(|x| x.0).collect();
    assert_eq!(
        titles,
        ["Weekly delivery sync", "Strategy offsite", "Call with Acme AB about the export", "Weekly delivery sync (moved after Easter)"]
    );
    assert_eq!(ws.show("Strategy offsite")["body"], "advances:: [[Customers trust our releases]]\n");
    let c = &ws.json(&["lens"])["calendar"];
    assert_eq!((c["hours"].as_f64(), c["traced_hours"].as_f64()), (Some(19.25), Some(18.5)));

    // A meeting someone deleted stays deleted.
    ws.ok(&["delete", "Strategy offsite"]);
    let r = import(&ws, file.to_str().unwrap(), "2026-05-01");
    assert_eq!((&r["kept_deleted"], &r["created"], &r["updated"]), (&json!(1), &json!(0), &json!(0)));
    assert_eq!(ws.json(&["info"])["counts"]["meeting"], 3);
}

#[test]
fn a_wider_window_adds_occurrences_that_keep_the_series_goals() {
    let ws = team();
    let r = import(&ws, &ics(), "2026-03-20");
    assert_eq!((&r["occurrences"], &r["created"]), (&json!(1), &json!(1)));
    ws.ok(&["link", "Weekly delivery sync", "Customers trust our releases", "--rel", "advances"]);
    let r = import(&ws, &ics(), "2026-05-01");
    assert_eq!((&r["created"], &r["unchanged"]), (&json!(4), &json!(1)));
    let later = ws.json(&["list", "--kind", "meeting"]);
    let moved = later.as_array().unwrap().iter().find(|x| x["title"] == "Weekly delivery sync (moved after Easter)").unwrap();
    let body = ws.show(moved["id"].as_str().unwrap())["body"].as_str().unwrap().to_string();
    assert_eq!(body, "advances:: [[Kortare ledtid till kund]]\nadvances:: [[Customers trust our releases]]\n");
    let goals: Vec<(String, f64)> = ws.json(&["lens"])["calendar"]["per_goal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["goal"]["title"].as_str().unwrap().to_string(), g["hours"].as_f64().unwrap()))
        .collect();
    // Equal hours: ordered by title.
    assert_eq!(goals, [("Customers trust our releases".to_string(), 4.0), ("Kortare ledtid till kund".to_string(), 4.0)]);
}

#[test]
fn a_broken_calendar_is_refused_whole() {
    let ws = team();
    let dir = ws.path();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let good = "BEGIN:VEVENT\r\nUID:ok@x\r\nDTSTART:20260310T090000Z\r\nDTEND:20260310T100000Z\r\nSUMMARY:Fine\r\nEND:VEVENT\r\n";
    let cases = [
        (write("notes.ics", "just some text\n"), "not"),
        (write("nouid.ics", &format!("BEGIN:VCALENDAR\r\n{good}BEGIN:VEVENT\r\nDTSTART:20260311T090000Z\r\nSUMMARY:Lost\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")), "has no UID"),
        (
            write("zone.ics", &format!("BEGIN:VCALENDAR\r\n{good}BEGIN:VEVENT\r\nUID:z@x\r\nDTSTART;TZID=Mars/Olympus:20260311T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")),
            "unknown time zone 'Mars/Olympus'",
        ),
        (
            write("rule.ics", &format!("BEGIN:VCALENDAR\r\n{good}BEGIN:VEVENT\r\nUID:r@x\r\nDTSTART:20260311T090000Z\r\nRRULE:FREQ=SOMETIMES\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")),
            "RRULE",
        ),
        (
            write("back.ics", &format!("BEGIN:VCALENDAR\r\n{good}BEGIN:VEVENT\r\nUID:b@x\r\nDTSTART:20260311T090000Z\r\nDTEND:20260311T080000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")),
            "ends before it starts",
        ),
    ];
    for (file, needle) in cases {
        let err = ws.fails(&["import", "calendar", &file, "--from", "2026-03-01", "--to", "2026-04-01"]);
        assert!(err.contains(needle), "{file}: {err}");
    }
    assert!(ws.fails(&["import", "calendar", "/no/such/file.ics"]).contains("/no/such/file.ics"));
    assert!(ws.fails(&["import", "calendar", &ics(), "--from", "2026-04-01", "--to", "2026-03-01"]).contains("window is empty"));
    assert_eq!(ws.json(&["info"])["counts"]["meeting"], 0);
}

/// Without `--from` and `--to` a calendar is read from a year before today to 90 days after it
/// (the core's window, which the app's import uses too).
#[test]
fn without_from_and_to_the_window_is_a_year_back_and_90_days_ahead() {
    let ws = team();
    let r = ws.json(&["import", "calendar", &ics()]);
    let today = chrono::Local::now().date_naive();
    assert_eq!(r["from"], json!((today - chrono::Duration::days(365)).to_string()));
    assert_eq!(r["to"], json!((today + chrono::Duration::days(90)).to_string()));
}
