//! Reading and validating pack files.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::{CitationRule, Group, Pack, PackError, SymbolRule, TagSpec};
use crate::model::Severity;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    pack: RawMeta,
    #[serde(default)]
    tag: Vec<RawTag>,
    #[serde(default)]
    labels: HashMap<String, HashMap<String, String>>,
    #[serde(default)]
    lists: Option<Spanned<BTreeMap<String, Vec<String>>>>,
    #[serde(default)]
    groups: HashMap<String, Vec<Group>>,
    #[serde(default)]
    pairs: HashMap<String, Vec<(String, u8)>>,
    #[serde(default)]
    symbols: Vec<RawSymbols>,
    #[serde(default)]
    citations: Vec<RawCitation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    languages: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTag {
    id: Spanned<String>,
    severity: Spanned<String>,
    fields: Vec<String>,
    summary: Spanned<String>,
    #[serde(default)]
    summary_if: Vec<RawCond>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    example: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCond {
    field: String,
    summary: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSymbols {
    tag: Spanned<String>,
    field: Spanned<String>,
    pattern: Spanned<String>,
    #[serde(default)]
    context: Vec<String>,
    #[serde(default)]
    not_after: Vec<String>,
    #[serde(default)]
    removed_words: Vec<String>,
    #[serde(default)]
    skip_words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCitation {
    tag: Spanned<String>,
    pattern: Spanned<String>,
}

/// What the export-controls recognizers read; a pack with that id must define each.
const REQUIRED_LISTS: &[&str] = &[
    "bill_words",
    "chip_context",
    "rule_nouns",
    "comparators",
    "cap_words",
    "weak_cap",
    "regulatory_words",
    "tariff_words",
    "chip_units",
    "h100_units",
    "chip_adjectives",
    "percent_units",
    "bandwidth_density",
    "terabytes_per_second",
    "gigabytes_per_second",
    "operation_units",
    "tpp_words",
    "pd_words",
    "metric_fillers",
    "metric_name_parts",
    "metric_endings",
    "compliance_cues",
    "effective_cues",
    "negations",
    "group_removed",
    "group_added",
    "not_country_tier",
    "tier_down",
    "tier_up",
    "move_words",
    "threshold_words",
    "other_date_cues",
    "date_start_words",
    "date_shift_words",
    "date_shift_from",
    "other_laws",
    "old_value_markers",
    "other_authorities",
    "purchase_words",
    "reference_words",
    "tier_change_words",
    "draft_modals",
    "old_value_after",
    "date_new_words",
    "cap_anaphors",
    "recap_labels",
    "deadline_words",
    "aside_openers",
    "list_item_openers",
    "country_anaphors",
    "chip_measure_prefixes",
    "chip_measure_suffixes",
    "replaced_value_markers",
    "tier_left_phrases",
    "private_actors",
    "but_words",
    "unaffected_words",
    "superseding_words",
    "value_added_words",
    "value_removed_words",
    "old_value_copulas",
    "tier_old_phrases",
    "past_state_markers",
    "anaphors",
    "tier_old_markers",
    "rule_noun_parts",
    "date_new_labels",
    "bill_summary_words",
    "law_openers",
    "loi_not_a_name",
    "bill_unnamed",
    "limit_at_words",
    "move_to_words",
    "from_words",
    "rule_pronouns",
    "possessives",
    "clause_joiners",
    "example_labels",
    "group_leave_words",
    "group_nouns",
    "group_left_markers",
    "dram_words",
    "interconnect_words",
    "amend_in_place",
    "scope_locatives",
    "country_cap_words",
    "country_nouns",
    "distributive_words",
    "stage_negations",
    "limit_copulas",
    "elapsed_words",
    "example_words",
    "non_rule_date_subjects",
    "chip_spec_words",
    "foreign_legislatures",
    "rate_pronouns",
    "tier_other_contexts",
    "tracked_excluded",
    "limit_set_verbs",
    "date_old_markers",
    "related_bill_markers",
    "vehicle_carries",
    "history_markers",
    "present_markers",
    "us_rule_words",
    "percent_not_tariff",
    "restatement_words",
    "eu_list_context",
    "rescission_pending",
    "consequence_openers",
    "share_of_goods",
    "limit_move_verbs",
    "export_rule_words",
    "exception_withdrawn",
    "past_markers",
    "bill_domain",
    "rescission_not",
    "tariff_other_goods",
    "trade_pact_words",
    "quantity_negations",
    "hypothetical_markers",
    "vehicle_bills",
    "tracked_bills",
    "tier_context_words",
    "law_words",
];
const REQUIRED_GROUPS: &[&str] = &[
    "bill_stages",
    "tracked_bill_names",
    "chips",
    "rescission",
    "countries",
    "quota_scopes",
    "unit_words",
];
const REQUIRED_PAIRS: &[&str] = &["tier_words"];

/// 1-based line and column of a byte offset.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, message: impl Into<String>) -> PackError {
        let (line, column) = line_col(self.text, span.start);
        PackError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// Parses and validates one pack file.
///
/// # Errors
/// TOML syntax, unknown keys, bad severities, templates naming unknown fields or tables, patterns
/// that do not compile, rules for tags the pack does not declare.
pub fn parse_pack(file: &str, text: &str) -> Result<Pack, PackError> {
    let ctx = Ctx { file, text };
    let raw: RawPack = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        ctx.err(span, e.message().to_string())
    })?;
    let mut tags = Vec::new();
    let mut seen = HashSet::new();
    for t in raw.tag {
        if !seen.insert(t.id.get_ref().clone()) {
            return Err(ctx.err(
                t.id.span(),
                format!("tag `{}` declared twice", t.id.get_ref()),
            ));
        }
        tags.push(tag_spec(&ctx, t, &raw.labels)?);
    }
    let symbols = raw
        .symbols
        .into_iter()
        .map(|s| symbol_rule(&ctx, s, &tags))
        .collect::<Result<Vec<_>, _>>()?;
    let citations = raw
        .citations
        .into_iter()
        .map(|c| citation_rule(&ctx, c, &tags))
        .collect::<Result<Vec<_>, _>>()?;
    let lists_span = raw.lists.as_ref().map_or(0..0, Spanned::span);
    let lists: super::Map<String, Vec<String>> = raw
        .lists
        .map(|l| l.into_inner().into_iter().collect())
        .unwrap_or_default();
    let id = raw.pack.id.get_ref().clone();
    if id == super::EXPORT_CONTROLS {
        required(&ctx, lists_span, &lists, &raw.groups, &raw.pairs)?;
    }
    let matchers = lists
        .iter()
        .map(|(k, v)| (k.clone(), super::matcher::ListMatcher::new(v)))
        .collect();
    let finders = raw
        .groups
        .iter()
        .map(|(k, gs)| {
            let words: Vec<&str> = gs
                .iter()
                .flat_map(|g| g.words.iter().map(String::as_str))
                .collect();
            let cut: Vec<&str> = words
                .iter()
                .map(|w| w.strip_suffix('*').unwrap_or(w))
                .collect();
            (
                k.clone(),
                (
                    super::matcher::WordFinder::new(&words),
                    super::matcher::WordFinder::new(&cut),
                ),
            )
        })
        .collect();
    let group_matchers = raw
        .groups
        .iter()
        .map(|(k, gs)| {
            let words: Vec<String> = gs.iter().flat_map(|g| g.words.iter().cloned()).collect();
            (k.clone(), super::matcher::ListMatcher::new(&words))
        })
        .collect();
    let pair_finders = raw
        .pairs
        .iter()
        .map(|(k, v)| {
            let words: Vec<&str> = v.iter().map(|(w, _)| w.as_str()).collect();
            (k.clone(), super::matcher::WordFinder::new(&words))
        })
        .collect();
    let sets = lists
        .iter()
        .map(|(k, v)| (k.clone(), v.iter().cloned().collect()))
        .collect();
    Ok(Pack {
        sets,
        finders,
        group_matchers,
        pair_finders,
        matchers,
        id,
        title: raw.pack.title,
        languages: raw.pack.languages,
        file: file.to_string(),
        tags,
        labels: raw.labels,
        lists,
        groups: raw.groups.into_iter().collect(),
        pairs: raw.pairs.into_iter().collect(),
        symbols,
        citations,
    })
}

fn tag_spec(
    ctx: &Ctx<'_>,
    t: RawTag,
    labels: &HashMap<String, HashMap<String, String>>,
) -> Result<TagSpec, PackError> {
    let severity: Severity = t.severity.get_ref().parse().map_err(|_| {
        ctx.err(
            t.severity.span(),
            format!(
                "severity: expected one of low, medium, high, critical, found {:?}",
                t.severity.get_ref()
            ),
        )
    })?;
    let check = |s: &Spanned<String>| {
        super::summary::check_template(s.get_ref(), &t.fields, labels)
            .map_err(|m| ctx.err(s.span(), format!("summary of `{}`: {m}", t.id.get_ref())))
    };
    check(&t.summary)?;
    let mut summary_if = Vec::new();
    for c in &t.summary_if {
        check(&c.summary)?;
        summary_if.push((c.field.clone(), c.summary.get_ref().clone()));
    }
    Ok(TagSpec {
        id: t.id.get_ref().clone(),
        severity,
        fields: t.fields,
        summary: t.summary.into_inner(),
        summary_if,
        description: t.description,
        example: t.example,
    })
}

fn pattern(ctx: &Ctx<'_>, p: &Spanned<String>) -> Result<Regex, PackError> {
    let re = Regex::new(p.get_ref())
        .map_err(|e| ctx.err(p.span(), format!("pattern does not compile: {e}")))?;
    if re.captures_len() != 2 {
        return Err(ctx.err(
            p.span(),
            "pattern: expected exactly one capture group (the code or number)",
        ));
    }
    Ok(re)
}

fn declared<'a>(
    ctx: &Ctx<'_>,
    tag: &Spanned<String>,
    tags: &'a [TagSpec],
) -> Result<&'a TagSpec, PackError> {
    tags.iter().find(|t| t.id == *tag.get_ref()).ok_or_else(|| {
        ctx.err(
            tag.span(),
            format!(
                "tag `{}` is not in this pack's catalog (add a [[tag]])",
                tag.get_ref()
            ),
        )
    })
}

fn symbol_rule(ctx: &Ctx<'_>, s: RawSymbols, tags: &[TagSpec]) -> Result<SymbolRule, PackError> {
    let spec = declared(ctx, &s.tag, tags)?;
    for f in [s.field.get_ref().as_str(), "change"] {
        if !spec.fields.iter().any(|x| x == f) {
            return Err(ctx.err(
                s.field.span(),
                format!("field `{f}` is not a detail field of `{}`", spec.id),
            ));
        }
    }
    Ok(SymbolRule {
        tag: spec.id.clone(),
        field: s.field.into_inner(),
        pattern: pattern(ctx, &s.pattern)?,
        context: s.context,
        not_after: s.not_after,
        removed_words: s.removed_words,
        skip_words: s.skip_words,
    })
}

fn citation_rule(
    ctx: &Ctx<'_>,
    c: RawCitation,
    tags: &[TagSpec],
) -> Result<CitationRule, PackError> {
    let spec = declared(ctx, &c.tag, tags)?;
    if !["old", "new"]
        .iter()
        .all(|f| spec.fields.iter().any(|x| x == f))
    {
        return Err(ctx.err(
            c.tag.span(),
            format!("`{}` needs detail fields `old` and `new`", spec.id),
        ));
    }
    Ok(CitationRule {
        tag: spec.id.clone(),
        pattern: pattern(ctx, &c.pattern)?,
    })
}

fn required(
    ctx: &Ctx<'_>,
    span: Range<usize>,
    lists: &super::Map<String, Vec<String>>,
    groups: &HashMap<String, Vec<Group>>,
    pairs: &HashMap<String, Vec<(String, u8)>>,
) -> Result<(), PackError> {
    let missing = REQUIRED_LISTS
        .iter()
        .find(|n| !lists.contains_key(**n))
        .map(|n| format!("[lists] has no `{n}` (the recognizers read it)"))
        .or_else(|| {
            REQUIRED_GROUPS
                .iter()
                .find(|n| !groups.contains_key(**n))
                .map(|n| format!("no [[groups.{n}]] (the recognizers read it)"))
        })
        .or_else(|| {
            REQUIRED_PAIRS
                .iter()
                .find(|n| !pairs.contains_key(**n))
                .map(|n| format!("[pairs] has no `{n}` (the recognizers read it)"))
        });
    match missing {
        Some(m) => Err(ctx.err(span, m)),
        None => Ok(()),
    }
}

/// Parses every embedded pack; tag ids must be unique across packs, and so must pack ids.
pub(super) fn load_all(files: &[(&str, &str)]) -> Result<Vec<Pack>, PackError> {
    let mut packs: Vec<Pack> = Vec::new();
    for (file, text) in files {
        let p = parse_pack(file, text)?;
        let clash = |msg: String| PackError {
            file: (*file).to_string(),
            line: 1,
            column: 1,
            message: msg,
        };
        if packs.iter().any(|q| q.id == p.id) {
            return Err(clash(format!("pack id `{}` is used twice", p.id)));
        }
        if let Some(t) = p
            .tags
            .iter()
            .find(|t| packs.iter().any(|q| q.tags.iter().any(|u| u.id == t.id)))
        {
            return Err(clash(format!("tag `{}` is declared by another pack", t.id)));
        }
        packs.push(p);
    }
    Ok(packs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = "[pack]\nid = \"x\"\ntitle = \"X\"\n\n[[tag]]\nid = \"a\"\nseverity = \"hgih\"\nfields = [\"old\"]\nsummary = \"A {old}\"\n";

    #[test]
    fn a_bad_severity_is_named_with_its_position() {
        let e = parse_pack("packs/x.toml", MINI).unwrap_err();
        assert_eq!((e.line, e.column), (7, 12), "{e}");
        assert!(e.message.contains("expected one of low"), "{e}");
    }

    #[test]
    fn a_template_naming_an_unknown_field_fails() {
        let t = MINI.replace("hgih", "high").replace("A {old}", "A {olde}");
        let e = parse_pack("packs/x.toml", &t).unwrap_err();
        assert_eq!(e.line, 9, "{e}");
        assert!(e.to_string().contains("olde"), "{e}");
    }

    #[test]
    fn syntax_errors_and_unknown_keys_have_positions() {
        let e = parse_pack(
            "packs/x.toml",
            "[pack]\nid = \"x\"\ntitle = \"X\"\nsevrity = 1\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        let e = parse_pack("packs/x.toml", "[pack\n").unwrap_err();
        assert_eq!(e.line, 1, "{e}");
    }

    #[test]
    fn a_pattern_must_compile_with_one_group() {
        let t = format!(
            "{}\n[[symbols]]\ntag = \"a\"\nfield = \"old\"\npattern = \"(x\"\n",
            MINI.replace("hgih", "high")
                .replace("[\"old\"]", "[\"old\", \"change\"]")
        );
        let e = parse_pack("packs/x.toml", &t).unwrap_err();
        assert!(e.message.contains("does not compile"), "{e}");
    }

    #[test]
    fn the_export_controls_pack_must_define_what_the_engine_reads() {
        let t = "[pack]\nid = \"export-controls\"\ntitle = \"X\"\n[lists]\nbill_words = []\n";
        let e = parse_pack("packs/x.toml", t).unwrap_err();
        assert!(e.message.contains("chip_context"), "{e}");
    }
}
