//! A value stated by an appended update ("Update: the allowance has been halved, to …", "Poland
//! … is now a Tier 1 destination") replaces the one the unchanged body still states: the tag
//! takes its old value from the old version, and a tier move with no tier to leave is none.

#[path = "common/tagging.rs"]
mod tagging;

use tagging::tags_of_lines as tags;

const BODY: &str = "\
How the AI diffusion rule caps shipments
License Exception LPP lets each ultimate consignee receive up to 26,900,000 TPP per calendar year without a license.
Tier 1 covers the United States and 18 allies. Poland, Austria and Portugal are in Tier 2 and share national allocations.
Singapore and Malaysia are Tier 2 destinations as well.";

#[test]
fn an_update_that_halves_the_allowance_names_the_old_one_from_the_body() {
    let new = format!(
        "{BODY}\nUpdate, June 2, 2025: the per-consignee LPP allowance has been halved, to 13,450,000 TPP per calendar year."
    );
    let t = tags(BODY, &new);
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(t[0].tag, "quota_changed");
    assert_eq!(t[0].detail["old"], 26_900_000);
    assert_eq!(t[0].detail["new"], 13_450_000);
    assert_eq!(t[0].detail["scope"], "per_consignee");
}

#[test]
fn an_update_that_moves_a_country_takes_its_old_tier_from_the_body() {
    let new = format!(
        "{BODY}\nUpdate: Singapore has been moved into Tier 1 by a notice published on Monday; Malaysia is unaffected."
    );
    let t = tags(BODY, &new);
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(t[0].tag, "tier_move");
    assert_eq!(t[0].detail["country"], "SG");
    assert_eq!(t[0].detail["from"], "tier 2");
    assert_eq!(t[0].detail["to"], "tier 1");
}

#[test]
fn a_country_the_old_version_never_placed_is_not_moved() {
    let new = format!("{BODY}\nUpdate: Chile is now treated as a Tier 1 destination.");
    let t = tags(BODY, &new);
    assert!(t.iter().all(|t| t.tag != "tier_move"), "{t:?}");
}
