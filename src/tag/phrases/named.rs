//! Items a sentence names: ECCNs ("3A090.a") and accelerator models ("H100", "Ascend 910C").

use crate::tag::packs;
use crate::tag::text::find_word;

/// ECCNs in a normalized sentence, upper-cased ("3A090", "4A090.a", "5A992.z").
#[must_use]
pub fn eccns(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 5 <= b.len() {
        let ok = b[i].is_ascii_digit()
            && (b'a'..=b'e').contains(&b[i + 1])
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit()
            && b[i + 4].is_ascii_digit()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
        if !ok {
            i += 1;
            continue;
        }
        let mut j = i + 5;
        if b.get(j).is_some_and(u8::is_ascii_alphanumeric) {
            i = j;
            continue;
        }
        // Paragraph suffixes: .a, .a.1, .z
        while b.get(j) == Some(&b'.')
            && b.get(j + 1)
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && !b.get(j + 2).is_some_and(u8::is_ascii_alphanumeric)
        {
            j += 2;
        }
        let raw = &s[i..j];
        let mut e = raw[..5].to_ascii_uppercase();
        e.push_str(&raw[5..]);
        if !out.contains(&e) {
            out.push(e);
        }
        i = j;
    }
    out
}

/// Accelerator models named in a sentence, canonical ("H100", "MI325X", "Ascend 910C").
#[must_use]
pub fn chips(s: &str) -> Vec<&'static str> {
    // Chip names collide with roads (A100), chemistry and models of other things: require a
    // chip context in the sentence unless the name is unmistakable.
    let context = crate::tag::packs::any_in("chip_context", s);
    let found = chip_groups_found(s);
    packs::groups("chips")
        .iter()
        .zip(found)
        .filter(|(g, found)| *found && (context || g.key.len() > 4))
        .map(|(g, _)| g.key.as_str())
        .collect()
}

/// Per chip of the pack's `chips` group: whether the sentence names it (one of its words at
/// word boundaries), from one pass over the sentence.
#[must_use]
pub fn chip_groups_found(s: &str) -> Vec<bool> {
    let finder = packs::group_finder("chips", false);
    let occ = finder.map(|f| f.occurrences(s));
    let mut base = 0;
    packs::groups("chips")
        .iter()
        .map(|g| {
            let found = g
                .words
                .iter()
                .enumerate()
                .any(|(j, w)| match (finder, &occ) {
                    (Some(f), Some(o)) => f.find_word(o, s, base + j).is_some(),
                    _ => find_word(s, w).is_some(),
                });
            base += g.words.len();
            found
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::text::norm;

    #[test]
    fn eccns_and_chips() {
        assert_eq!(
            eccns(&norm("ECCN 3A090.a and 4A090, 5A992.z; not 3A0900")),
            vec!["3A090.a", "4A090", "5A992.z"]
        );
        assert_eq!(
            chips(&norm("Nvidia H20 and AMD MI308 chips")),
            vec!["H20", "MI308"]
        );
        assert!(chips(&norm("Traffic jam on the A100 near Berlin")).is_empty());
    }
}
