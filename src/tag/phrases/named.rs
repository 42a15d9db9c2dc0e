//! Items a sentence names: ECCNs ("3A090.a") and accelerator models ("H100", "Ascend 910C").

use crate::tag::text::{any_word, find_word};

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

/// Accelerator models, canonical, with the normalized names that denote them.
const MODELS: &[(&str, &[&str])] = &[
    ("GB200", &["gb200"]),
    ("GB300", &["gb300"]),
    ("H100", &["h100", "h100s"]),
    ("H200", &["h200", "h200s"]),
    ("H800", &["h800"]),
    ("H20", &["h20", "h20s"]),
    ("A100", &["a100", "a100s"]),
    ("A800", &["a800"]),
    ("B100", &["b100"]),
    ("B200", &["b200"]),
    ("B300", &["b300"]),
    ("B30A", &["b30a"]),
    ("RTX 4090", &["rtx 4090", "rtx4090"]),
    ("RTX 6000D", &["rtx pro 6000d", "rtx 6000d"]),
    ("L20", &["l20"]),
    ("MI250X", &["mi250x"]),
    ("MI300X", &["mi300x", "mi 300x", "instinct mi300x"]),
    ("MI300A", &["mi300a"]),
    ("MI308", &["mi308", "mi308x"]),
    ("MI325X", &["mi325x", "mi 325x"]),
    ("MI350", &["mi350", "mi350x"]),
    ("MI355X", &["mi355x"]),
    ("Ascend 910B", &["ascend 910b", "ascend910b"]),
    ("Ascend 910C", &["ascend 910c", "ascend910c"]),
    ("Ascend 910D", &["ascend 910d", "ascend910d"]),
    ("Gaudi 3", &["gaudi 3", "gaudi3"]),
];

/// Words that show a sentence speaks of chips, so that a short model name is one.
const CHIP_CONTEXT: &[&str] = &[
    "chip*",
    "gpu*",
    "nvidia",
    "amd",
    "huawei",
    "intel",
    "accelerator*",
    "processor*",
    "puce*",
    "processeur*",
    "semi-conducteur*",
    "semiconductor*",
    "halbleiter*",
    "prozessor*",
    "beschleuniger*",
    "ki-chip*",
    "export*",
    "ausfuhr*",
    "3a090*",
    "license*",
    "licen*",
    "lizenz*",
    "h100",
    "h200",
    "h20",
    "mi300x",
    "mi325x",
    "b200",
];

/// Accelerator models named in a sentence, canonical ("H100", "MI325X", "Ascend 910C").
#[must_use]
pub fn chips(s: &str) -> Vec<&'static str> {
    // Chip names collide with roads (A100), chemistry and models of other things: require a
    // chip context in the sentence unless the name is unmistakable.
    let context = any_word(s, CHIP_CONTEXT);
    MODELS
        .iter()
        .filter(|(name, ws)| {
            let found = ws.iter().any(|w| find_word(s, w).is_some());
            found && (context || name.len() > 5)
        })
        .map(|(name, _)| *name)
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
