//! Country Groups of the EAR (A:5, D:5 …): group symbols in a sentence, and the group each named
//! country is listed in, added to or removed from.

use super::Placement;

/// Country Group symbols in a sentence ("a:5", "d: 1"): (byte offset, "A:5"), in text order.
pub(super) fn group_mentions(s: &str) -> Vec<(usize, String)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    for i in 0..b.len() {
        if !(b'a'..=b'e').contains(&b[i]) || b.get(i + 1) != Some(&b':') {
            continue;
        }
        if i > 0 && b[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut j = i + 2;
        if b.get(j) == Some(&b' ') {
            j += 1;
        }
        let n = b[j.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if n == 1 && !b.get(j + 1).is_some_and(u8::is_ascii_alphanumeric) {
            out.push((
                i,
                format!("{}:{}", (b[i] as char).to_ascii_uppercase(), b[j] as char),
            ));
        }
    }
    out
}

/// The group each named country (`cs`, ISO code and byte offset) is placed in, when the sentence
/// names Country Groups.
pub(super) fn group_placements(
    s: &str,
    cs: &[(&'static str, usize)],
) -> Vec<(&'static str, Placement)> {
    let groups = group_mentions(s);
    if groups.is_empty() {
        return Vec::new();
    }
    let explicit = explicit_move(s, &groups);
    let mut out = Vec::new();
    for (iso, pos) in cs {
        // "D:1 continues to list China …, and this rule adds Malaysia to D:1": the addition is
        // the second clause's, not China's.
        let clause = crate::tag::text::clause_at(s, *pos);
        let removed = crate::tag::packs::any_in("group_removed", clause);
        let added = crate::tag::packs::any_in("group_added", clause);
        let p = match &explicit {
            Some((from, to)) => Placement::Group {
                group: to.clone(),
                added: Some(true),
                from_group: Some(from.clone()),
            },
            None => nearest_group(&groups, *pos, removed, added),
        };
        out.push((*iso, p));
    }
    out
}

/// "moved from D:3 to A:5": the first and last group named, when a from-word precedes the first.
fn explicit_move(s: &str, groups: &[(usize, String)]) -> Option<(String, String)> {
    if groups.len() >= 2 {
        let head = &s[..groups[0].0];
        let from = ["from", "de", "du", "von", "aus"]
            .iter()
            .any(|w| head.trim_end().ends_with(w) || head.contains(&format!("{w} country group")));
        (from || left_before(head))
            .then(|| (groups[0].1.clone(), groups[groups.len() - 1].1.clone()))
    } else {
        None
    }
}

/// „aus der Ländergruppe D:4 …“, « ont quitté le groupe de pays D:4 … »: a from-word or a verb of
/// leaving just before the first group, past the group's noun and article. The words are the
/// pack's (`group_left_markers`, `group_nouns`, `group_leave_words`).
fn left_before(head: &str) -> bool {
    let ws = crate::tag::text::words(head);
    // "no longer in Country Group D:4", „nicht mehr in der Ländergruppe D:4“.
    let tail = ws[ws.len().saturating_sub(6)..].join(" ");
    if crate::tag::packs::list("group_left_markers")
        .iter()
        .any(|m| tail.contains(m.as_str()))
    {
        return true;
    }
    let mut i = ws.len();
    while i > 0 {
        let w = ws[i - 1];
        // « groupe de pays »: the "de" belongs to the group's name.
        if w == "de" && i >= 2 && matches!(ws[i - 2], "groupe" | "groupes") {
            i -= 2;
            continue;
        }
        if crate::tag::packs::has("group_nouns", w) {
            i -= 1;
            continue;
        }
        return crate::tag::packs::has("group_leave_words", w);
    }
    false
}

/// The group named nearest a country at byte offset `pos`; removal words win over addition words.
fn nearest_group(groups: &[(usize, String)], pos: usize, removed: bool, added: bool) -> Placement {
    let g = groups
        .iter()
        .min_by_key(|(gp, _)| gp.abs_diff(pos))
        .map(|(_, g)| g.clone())
        .unwrap_or_default();
    let change = if removed {
        Some(false)
    } else if added {
        Some(true)
    } else {
        None
    };
    Placement::Group {
        group: g,
        added: change,
        from_group: None,
    }
}

#[cfg(test)]
mod tests {
    use super::{explicit_move, group_mentions};

    fn mv(s: &str) -> Option<(String, String)> {
        explicit_move(s, &group_mentions(s))
    }

    #[test]
    fn moves_between_groups_in_three_languages() {
        let to = Some(("D:4".to_string(), "A:5".to_string()));
        assert_eq!(mv("the uae moved from country group d:4 to a:5"), to);
        assert_eq!(
            mv("die vae wurden aus der ländergruppe d:4 in die ländergruppe a:5 verschoben"),
            to
        );
        assert_eq!(
            mv("les eau ont quitté le groupe de pays d:4 pour rejoindre le groupe a:5"),
            to
        );
        // Two groups a country is in, in a list: no move (« groupe de pays » is a name).
        assert_eq!(
            mv("la chine figure dans les groupes de pays d:1 et d:4"),
            None
        );
        assert_eq!(mv("china is in country groups d:1 and d:4"), None);
    }
}
