//! Practices that stay retired: the register, its reviews, and the old way found coming back in a
//! new meeting note.

use chrono::{Duration, Local};
use serde_json::json;

use crate::util::Ws;

#[test]
fn a_retired_practice_mentioned_in_a_new_meeting_note_is_found_and_its_reviews_are_recorded() {
    let ws = Ws::new();
    let decided = (Local::now().date_naive() - Duration::days(40)).format("%Y-%m-%d").to_string();
    ws.add("note", "How we work", &["--body", "Every Monday we hold the weekly status meeting."]);
    ws.add(
        "resolution",
        "Async status updates",
        &[
            "--set",
            "retires=Weekly status meeting; veckomöte",
            "--set",
            "practice_owner=Anna",
            "--set",
            "hours_freed=12.5",
            "--set",
            &format!("decided_on={decided}"),
        ],
    );
    ws.add("resolution", "No more release forms", &["--set", "retires=Release sign-off form", "--set", "hours_freed=4"]);
    assert_eq!(ws.json(&["lens"])["retired_hours_freed"], 16.5);

    // Nothing mentions them since they were retired: the note from before does not count.
    let reg = ws.json(&["retired"]);
    assert_eq!(reg["hours_freed"], 16.5);
    assert_eq!(reg["mentions"], 0, "{reg}");
    let p = &reg["practices"][0];
    assert_eq!(p["practice"], "Weekly status meeting");
    assert_eq!(p["aliases"], json!(["veckomöte"]));
    assert_eq!(p["owner"], "Anna");
    assert_eq!(p["reviews"][0]["due_now"], true, "30 days have passed");
    assert_eq!(p["reviews"][1]["due_now"], false);
    assert_eq!(reg["reviews_due"], 1);

    // A new meeting note brings the old way back, in another form of the words: found, and said
    // when it is saved.
    let r = ws.run(&[
        "add",
        "meeting",
        "--title",
        "Team planning",
        "--body",
        "Should we bring back the weekly status meetings? Many miss them.",
        "--set",
        "start=2026-12-01 09:00",
        "--set",
        "end=2026-12-01 10:00",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("mentions 'Weekly status meeting', a practice retired by 'Async status updates'"), "{}", r.stderr);
    let quiet = ws.run(&["add", "note", "--title", "Lunch", "--body", "Pizza on Friday"]);
    assert!(!quiet.stderr.contains("mentions"), "{}", quiet.stderr);
    ws.add("signal", "Kunden saknar veckomötet", &[]);
    let reg = ws.json(&["retired"]);
    let mentions: Vec<(String, String)> = reg["practices"][0]["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["item"]["title"].as_str().unwrap().to_string(), m["name"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        mentions,
        [
            ("Kunden saknar veckomötet".to_string(), "veckomöte".to_string()),
            ("Team planning".to_string(), "Weekly status meeting".to_string())
        ]
    );
    assert_eq!(reg["practices"][1]["mentions"], json!([]));
    let text = ws.ok(&["retired"]);
    assert!(text.contains("MENTIONED in meeting 'Team planning'"), "{text}");

    // "Still retired?" — the answers go to the 30-day review, then the 90-day one.
    ws.ok(&["retired", "review", "Async status updates", "still", "--note", "the meeting note was a question"]);
    let reg = ws.json(&["retired"]);
    let rev = &reg["practices"][0]["reviews"];
    assert!(rev[0]["answer"].as_str().unwrap().starts_with("still retired ("), "{rev}");
    assert!(rev[0]["answer"].as_str().unwrap().ends_with("Anna): the meeting note was a question"), "{rev}");
    assert_eq!(reg["reviews_due"], 0);
    ws.ok(&["retired", "review", "Async status updates", "back"]);
    assert!(ws.show("Async status updates")["fields"]["review_90"].as_str().unwrap().starts_with("came back"));
    assert!(ws.fails(&["retired", "review", "Async status updates", "still"]).contains("both reviews"));
    assert!(ws.fails(&["retired", "review", "Team planning", "still"]).contains("not a resolution"));
    assert!(ws.fails(&["retired", "review", "No more release forms", "maybe"]).contains("still or back"));
    assert!(ws.fails(&["edit", "No more release forms", "--set", "hours_freed=-3"]).contains("hours per month"));
    // A practice named without a word to search for flags nothing.
    ws.add("resolution", "Dashes", &["--set", "retires=- ; **"]);
    let quiet = ws.run(&["add", "note", "--title", "Plain", "--body", "Nothing here"]);
    assert!(!quiet.stderr.contains("mentions"), "{}", quiet.stderr);
    let reg = ws.json(&["retired"]);
    let dashes = reg["practices"].as_array().unwrap().iter().find(|p| p["practice"] == "-").expect("the practice '-'");
    assert_eq!(dashes["mentions"], json!([]));
    // The answers are in the history, attributed.
    let h = ws.json(&["history", "Async status updates"]);
    assert!(h.as_array().unwrap().len() >= 3);
}
