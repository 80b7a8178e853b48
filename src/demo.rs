//! A demo workspace that shows every kind of item and every kind of link, so a first look at
//! Mellanrum is never an empty screen. Written through the same API as everything else.

use std::path::Path;

use crate::error::Result;
use crate::model::Kind;
use crate::workspace::{NewItem, Workspace};

fn item(kind: Kind, title: &str, body: &str, tags: &[&str], set: &[(&str, &str)]) -> NewItem {
    NewItem {
        kind: Some(kind),
        title: title.into(),
        body: body.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        set: set.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..Default::default()
    }
}

// long: the demo's script — every item and link of the demo written in turn, read top to bottom.
/// Creates a demo workspace in `dir`.
pub fn create(dir: &Path) -> Result<Workspace> {
    let mut ws = Workspace::init(dir, Some("Demo: Leveranser 2027"))?;
    for (name, perspective) in [
        ("Anna Lind", "Sales"),
        ("Erik Berg", "Engineering"),
        ("Sara Holm", "Support"),
        ("Johan Ek", "Product"),
        ("Maria Nilsson", "Leadership"),
    ] {
        ws.add_person(name, perspective)?;
    }
    let as_ = |ws: &mut Workspace, who: &str| ws.act_as(who);

    as_(&mut ws, "Maria Nilsson")?;
    ws.create(item(
        Kind::Goal,
        "Kortare ledtid till kund",
        "Halve the time from a customer's request to a delivered change.\n\nThe red thread for 2027.",
        &["strategy"],
        &[("horizon", "2027"), ("owner", "Maria Nilsson")],
    ))?;
    ws.create(item(
        Kind::Goal,
        "Customers trust our releases",
        "Fewer regressions reach customers.",
        &["strategy", "quality"],
        &[("horizon", "2027"), ("owner", "Erik Berg")],
    ))?;

    as_(&mut ws, "Sara Holm")?;
    ws.create(item(
        Kind::Signal,
        "Kunden väntar på leveransen",
        "Support call: the customer has waited six weeks for a promised export feature.",
        &["delivery"],
        &[
            ("source", "support"),
            ("customer", "Acme AB"),
            ("date", "2026-09-14"),
            ("ref", "ZD-1042"),
            ("quote", "Vi har väntat i sex veckor på leveransen."),
        ],
    ))?;
    ws.create(item(
        Kind::Signal,
        "Release broke our integration",
        "After the August release the customer's integration stopped syncing.",
        &["quality"],
        &[
            ("source", "support"),
            ("customer", "Nordbank"),
            ("date", "2026-08-30"),
            ("ref", "ZD-0988"),
            ("quote", "Every release breaks something for us."),
        ],
    ))?;
    as_(&mut ws, "Anna Lind")?;
    ws.create(item(
        Kind::Signal,
        "Competitor ships monthly",
        "Lost a deal: the buyer cited the competitor's monthly release notes.\n\nsupports:: [[Release cadence]]",
        &["delivery", "sales"],
        &[
            ("source", "sales"),
            ("customer", "Kommun X"),
            ("date", "2026-10-02"),
            ("quote", "They ship every month, you ship twice a year."),
        ],
    ))?;
    ws.create(item(
        Kind::Signal,
        "Nobody reads the release notes",
        "Survey: 8 of 40 respondents read release notes.",
        &["communication"],
        &[("source", "survey"), ("customer", "Survey Q3"), ("date", "2026-09-20")],
    ))?;

    as_(&mut ws, "Johan Ek")?;
    ws.create(item(
        Kind::Insight,
        "Kunder vill ha små, täta leveranser",
        "Customers value frequent small deliveries over big releases.\n\nevidence:: [[Kunden väntar på leveransen]]\nevidence:: [[Competitor ships monthly]]",
        &["delivery"],
        &[("status", "validated")],
    ))?;
    ws.create(item(
        Kind::Insight,
        "Big releases carry big risk",
        "Large releases bundle many changes and break integrations.\n\nevidence:: [[Release broke our integration]]",
        &["quality"],
        &[("status", "hypothesis")],
    ))?;

    as_(&mut ws, "Erik Berg")?;
    let mut f = item(
        Kind::Friction,
        "Release cadence",
        "Sales wants monthly releases to win deals; Engineering fears more regressions.\n\nderived-from:: [[Kunder vill ha små, täta leveranser]]",
        &["delivery"],
        &[("severity", "high"), ("status", "exploring")],
    );
    f.positions = vec![
        ("Sales".into(), "Ship every month: buyers compare release notes.".into()),
        ("Engineering".into(), "Every release costs two weeks of stabilisation; monthly means permanent firefighting.".into()),
        ("Support".into(), "Fewer, calmer releases: each one floods us with tickets.".into()),
    ];
    ws.create(f)?;
    let mut f2 = item(
        Kind::Friction,
        "Who owns the release notes",
        "Product writes them, Support answers for them.",
        &["communication"],
        &[("severity", "low")],
    );
    f2.positions = vec![
        ("Product".into(), "Notes are a product artefact.".into()),
        ("Support".into(), "We hear the questions; we should write them.".into()),
    ];
    ws.create(f2)?;

    as_(&mut ws, "Maria Nilsson")?;
    ws.create(item(
        Kind::Resolution,
        "Monthly releases behind feature flags",
        "Agreed in the planning workshop.\n\nresolves:: [[Release cadence]]\nadvances:: [[Kortare ledtid till kund]]\nadvances:: [[Customers trust our releases]]\nderived-from:: [[Big releases carry big risk]]",
        &["delivery"],
        &[
            ("decision", "Release monthly; unfinished work ships dark behind feature flags."),
            ("rationale", "Customers get small, frequent deliveries; flags keep risky changes off until they are stable."),
            ("agreed_by", "Anna Lind, Erik Berg, Sara Holm"),
            ("decided_on", "2026-10-15"),
            ("retires", "Twice-yearly big-bang releases"),
        ],
    ))?;
    ws.create(item(
        Kind::Meeting,
        "Planning workshop",
        "Sales, Engineering and Support on release cadence.\n\nadvances:: [[Kortare ledtid till kund]]",
        &[],
        &[
            ("start", "2026-10-15 09:00"),
            ("end", "2026-10-15 12:00"),
            ("attendees", "Anna Lind, Erik Berg, Sara Holm, Maria Nilsson"),
            ("location", "Mellanrummet"),
        ],
    ))?;
    as_(&mut ws, "Anna Lind")?;
    ws.create(item(
        Kind::Note,
        "Mellanrum — how we work",
        "We write linked notes together. See [[Release cadence]] for a friction we resolved, \
         and [[Kunder vill ha små, täta leveranser|the insight behind it]].\n\n\
         Open questions live in [[Backlog grooming]] (not written yet).",
        &["handbook"],
        &[],
    ))?;
    Ok(ws)
}
