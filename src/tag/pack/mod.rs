//! The built-in export-controls rule pack.
//!
//! It reads the sentences that really changed (blocks and sentences present on both sides — moved
//! or untouched — cancel out), extracts facts from each side (quantities bound to their metric,
//! country tiers and groups, dated effective or compliance words, rescission language, review
//! policies, license exceptions, bill stages, ECCNs, chip models), and compares the facts as
//! values. A fact that is only reworded ("4800" → "4,800", "4.8 TB/s" → "4,800 GB/s") compares
//! equal and yields nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Value, json};

use super::countries::{Placement, placements};
use super::dates::dated_kinds;
use super::numbers::{format_value, json_value};
use super::phrases;
use super::quantity::{QKind, quantities};
use super::text::{any_word, guess_lang, norm, sentences};
use crate::model::{Evidence, Hunk, Lang, Severity, Tag};

/// One changed sentence with what surrounds it.
struct Sent<'a> {
    /// As written.
    text: &'a str,
    /// Normalized.
    norm: String,
    /// Normalized block and heading, for context checks.
    context: String,
}

fn side<'a>(
    blocks: &[(&'a str, Option<&'a str>)],
    mut seen_other: BTreeMap<String, usize>,
) -> Vec<Sent<'a>> {
    let mut out = Vec::new();
    for (block, heading) in blocks {
        let block_norm = norm(block);
        let context = match heading {
            Some(h) => format!("{block_norm} {}", norm(h)),
            None => block_norm.clone(),
        };
        for s in sentences(block) {
            let n = norm(s);
            // A sentence also present on the other side did not change.
            if let Some(c) = seen_other.get_mut(&n)
                && *c > 0
            {
                *c -= 1;
                continue;
            }
            out.push(Sent {
                text: s,
                norm: n,
                context: context.clone(),
            });
        }
    }
    out
}

fn sentence_counts(blocks: &[(&str, Option<&str>)]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for (b, _) in blocks {
        for s in sentences(b) {
            *m.entry(norm(s)).or_insert(0) += 1;
        }
    }
    m
}

/// A block with the heading it sits under.
type Placed<'a> = (&'a str, Option<&'a str>);

/// Drops the blocks present on both sides (moved paragraphs), as many times as they appear on both.
fn cancel_common<'a>(
    old: Vec<Placed<'a>>,
    new: Vec<Placed<'a>>,
) -> (Vec<Placed<'a>>, Vec<Placed<'a>>) {
    let count = |v: &[(&'a str, Option<&'a str>)]| {
        let mut m: HashMap<&'a str, usize> = HashMap::new();
        for (b, _) in v {
            *m.entry(*b).or_insert(0) += 1;
        }
        m
    };
    let (co, cn) = (count(&old), count(&new));
    let common: HashMap<&str, usize> = co
        .iter()
        .filter_map(|(b, n)| cn.get(b).map(|m| (*b, (*n).min(*m))))
        .collect();
    let keep = |v: Vec<(&'a str, Option<&'a str>)>| {
        let mut left = common.clone();
        v.into_iter()
            .filter(|(b, _)| match left.get_mut(b) {
                Some(c) if *c > 0 => {
                    *c -= 1;
                    false
                }
                _ => true,
            })
            .collect::<Vec<_>>()
    };
    (keep(old), keep(new))
}

/// Runs the pack over a change's hunks.
#[must_use]
pub fn tag(hunks: &[Hunk], lang: Option<Lang>) -> Vec<Tag> {
    // Blocks on each side, with their heading; blocks present on both sides (moved) cancel.
    let mut old: Vec<(&str, Option<&str>)> = Vec::new();
    let mut new: Vec<(&str, Option<&str>)> = Vec::new();
    for h in hunks {
        old.extend(h.old.iter().map(|b| (b.as_str(), h.old_heading.as_deref())));
        new.extend(h.new.iter().map(|b| (b.as_str(), h.new_heading.as_deref())));
    }
    let (old_kept, new_kept) = cancel_common(old, new);
    if old_kept.is_empty() && new_kept.is_empty() {
        return Vec::new();
    }
    let lang = lang.unwrap_or_else(|| {
        let sample: String = old_kept
            .iter()
            .chain(new_kept.iter())
            .map(|(b, _)| *b)
            .collect::<Vec<_>>()
            .join(" ");
        guess_lang(&sample)
    });
    let old_s = side(&old_kept, sentence_counts(&new_kept));
    let new_s = side(&new_kept, sentence_counts(&old_kept));
    // Whether the change as a whole speaks of export controls: a short sentence ("France is
    // relegated to the second tier") takes its meaning from the paragraphs around it.
    let doc_context = hunks.iter().any(|h| {
        h.old
            .iter()
            .chain(h.new.iter())
            .chain(h.context.iter())
            .chain(h.old_heading.iter())
            .chain(h.new_heading.iter())
            .any(|b| super::countries::tier_context(&norm(b)))
    });

    let mut tags = Vec::new();
    quantity_tags(&old_s, &new_s, lang, &mut tags);
    tier_tags(&old_s, &new_s, doc_context, &mut tags);
    date_tags(&old_s, &new_s, &mut tags);
    rescission_tags(&old_s, &new_s, &mut tags);
    policy_tags(&old_s, &new_s, &mut tags);
    bill_tags(&old_s, &new_s, &mut tags);
    set_tags(&old_s, &new_s, &mut tags);
    // One tag per meaning.
    let mut seen = BTreeSet::new();
    tags.retain(|t: &Tag| seen.insert(format!("{}|{}", t.tag, t.detail)));
    tags
}

fn mk(tag: &str, severity: Severity, summary: String, detail: Value, old: &str, new: &str) -> Tag {
    Tag {
        tag: tag.to_string(),
        severity,
        summary,
        detail,
        evidence: Evidence {
            old: old.to_string(),
            new: new.to_string(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Quantities

struct QFact<'a> {
    kind: QKind,
    value: f64,
    from: Option<f64>,
    comparator: bool,
    evidence: &'a str,
}

fn q_facts<'a>(side: &[Sent<'a>], lang: Lang) -> Vec<QFact<'a>> {
    let mut out = Vec::new();
    for s in side {
        for q in quantities(&s.norm, &s.context, lang) {
            out.push(QFact {
                kind: q.kind,
                value: q.value,
                from: q.from,
                comparator: q.has_comparator,
                evidence: s.text,
            });
        }
    }
    out
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn metric_label(metric: &str) -> &'static str {
    match metric {
        "tpp" => "TPP",
        "performance_density" => "Performance density",
        "dram_bandwidth" => "DRAM bandwidth",
        "interconnect_bandwidth" => "Interconnect bandwidth",
        "memory_bandwidth_density" => "Memory bandwidth density",
        _ => "Training operations",
    }
}

fn scope_label(scope: &str) -> &'static str {
    match scope {
        "per_consignee" => " per consignee",
        "per_country" => " per country",
        "per_order" => " per order",
        _ => "",
    }
}

fn show(v: Option<f64>) -> String {
    v.map_or_else(|| "none".to_string(), format_value)
}

fn quantity_tag(
    kind: &QKind,
    old: Option<f64>,
    new: Option<f64>,
    old_ev: &str,
    new_ev: &str,
) -> Tag {
    let jv = |v: Option<f64>| v.map_or(Value::Null, json_value);
    match kind {
        QKind::Threshold { metric } => {
            let unit = kind.unit();
            let shown_unit = if *metric == "tpp" {
                String::new()
            } else {
                format!(" {unit}")
            };
            mk(
                "threshold_changed",
                Severity::High,
                format!(
                    "{} threshold {} → {}{shown_unit}",
                    metric_label(metric),
                    show(old),
                    show(new)
                ),
                json!({ "metric": metric, "old": jv(old), "new": jv(new), "unit": unit }),
                old_ev,
                new_ev,
            )
        }
        QKind::Quota { unit, scope } => mk(
            "quota_changed",
            Severity::High,
            format!(
                "Quota{} {} → {} {unit}",
                scope_label(scope),
                show(old),
                show(new)
            ),
            json!({ "old": jv(old), "new": jv(new), "unit": unit, "scope": scope }),
            old_ev,
            new_ev,
        ),
        QKind::Tariff => mk(
            "tariff_changed",
            Severity::Medium,
            format!("Tariff {}% → {}%", show(old), show(new)),
            json!({ "old": jv(old), "new": jv(new), "unit": "%" }),
            old_ev,
            new_ev,
        ),
    }
}

fn quantity_tags(old: &[Sent<'_>], new: &[Sent<'_>], lang: Lang, tags: &mut Vec<Tag>) {
    let mut old_f = q_facts(old, lang);
    let new_f = q_facts(new, lang);
    // Transitions written out in the new text ("lowered from 4,800 to 4,000").
    let mut rest_new = Vec::new();
    for f in new_f {
        if let Some(from) = f.from {
            if let Some(i) = old_f
                .iter()
                .position(|o| o.kind.key() == f.kind.key() && same(o.value, f.value))
            {
                // The old text already stated the new value: nothing moved.
                old_f.remove(i);
                continue;
            }
            let old_ev = old_f
                .iter()
                .position(|o| o.kind.key() == f.kind.key() && same(o.value, from))
                .map(|i| old_f.remove(i).evidence)
                .unwrap_or("");
            if !same(from, f.value) {
                tags.push(quantity_tag(
                    &f.kind,
                    Some(from),
                    Some(f.value),
                    old_ev,
                    f.evidence,
                ));
            }
        } else {
            rest_new.push(f);
        }
    }
    let mut keys: Vec<String> = old_f
        .iter()
        .chain(rest_new.iter())
        .map(|f| f.kind.key())
        .collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let mut o: Vec<&QFact<'_>> = old_f.iter().filter(|f| f.kind.key() == key).collect();
        let mut n: Vec<&QFact<'_>> = rest_new.iter().filter(|f| f.kind.key() == key).collect();
        // Equal values on both sides are the same fact, however written.
        o.retain(|of| {
            if let Some(i) = n.iter().position(|nf| same(nf.value, of.value)) {
                n.remove(i);
                false
            } else {
                true
            }
        });
        let pairs = o.len().min(n.len());
        for i in 0..pairs {
            tags.push(quantity_tag(
                &n[i].kind,
                Some(o[i].value),
                Some(n[i].value),
                o[i].evidence,
                n[i].evidence,
            ));
        }
        let strong = |f: &QFact<'_>| !matches!(f.kind, QKind::Threshold { .. }) || f.comparator;
        for f in n.iter().skip(pairs).filter(|f| strong(f)) {
            tags.push(quantity_tag(&f.kind, None, Some(f.value), "", f.evidence));
        }
        for f in o.iter().skip(pairs).filter(|f| strong(f)) {
            tags.push(quantity_tag(&f.kind, Some(f.value), None, f.evidence, ""));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tiers and Country Groups

fn country_name(iso: &str) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("KR", "Republic of Korea"),
        ("GB", "United Kingdom"),
        ("US", "United States"),
        ("AE", "United Arab Emirates"),
        ("NL", "Netherlands"),
        ("CZ", "Czechia"),
        ("NZ", "New Zealand"),
        ("KP", "North Korea"),
        ("SA", "Saudi Arabia"),
        ("ZA", "South Africa"),
        ("HK", "Hong Kong"),
        ("TR", "Türkiye"),
    ];
    if let Some((_, n)) = NAMES.iter().find(|(i, _)| *i == iso) {
        return (*n).to_string();
    }
    super::countries::english_name(iso)
}

fn tier_label(t: u8) -> String {
    format!("tier {t}")
}

fn tier_tags(old: &[Sent<'_>], new: &[Sent<'_>], doc_context: bool, tags: &mut Vec<Tag>) {
    let collect = |side: &[Sent<'_>]| {
        let mut v = Vec::new();
        for (i, s) in side.iter().enumerate() {
            for (iso, p) in placements(&s.norm, &s.context, doc_context) {
                v.push((iso, p, i));
            }
        }
        v
    };
    let old_p = collect(old);
    let new_p = collect(new);
    // Tiers.
    let old_tier: HashMap<&str, (u8, usize)> = old_p
        .iter()
        .filter_map(|(iso, p, i)| match p {
            Placement::Tier { tier, .. } => Some((*iso, (*tier, *i))),
            Placement::Group { .. } => None,
        })
        .collect();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    for (iso, p, i) in &new_p {
        let Placement::Tier { tier, from, moved } = p else {
            continue;
        };
        if done.contains(iso) {
            continue;
        }
        let (prev, old_ev) = match old_tier.get(iso) {
            Some((t, oi)) => (Some(*t), old[*oi].text),
            None => (*from, ""),
        };
        let from_tier =
            if *moved && from.is_some() && old_tier.get(iso).is_none_or(|(t, _)| t == tier) {
                *from
            } else {
                prev
            };
        if let Some(f) = from_tier
            && f != *tier
        {
            done.insert(iso);
            tags.push(mk(
                "tier_move",
                Severity::High,
                format!(
                    "{}: {} → {}",
                    country_name(iso),
                    tier_label(f),
                    tier_label(*tier)
                ),
                json!({ "country": iso, "from": tier_label(f), "to": tier_label(*tier) }),
                old_ev,
                new[*i].text,
            ));
        }
    }
    // Country Groups: explicit additions and removals in the new text, and list differences.
    let mut old_lists: BTreeMap<String, BTreeMap<&str, usize>> = BTreeMap::new();
    for (iso, p, i) in &old_p {
        if let Placement::Group {
            group, added: None, ..
        } = p
        {
            old_lists.entry(group.clone()).or_default().insert(iso, *i);
        }
    }
    let mut new_lists: BTreeMap<String, BTreeMap<&str, usize>> = BTreeMap::new();
    for (iso, p, i) in &new_p {
        match p {
            Placement::Group {
                group, added: None, ..
            } => {
                new_lists.entry(group.clone()).or_default().insert(iso, *i);
            }
            Placement::Group {
                group,
                added: Some(add),
                from_group,
            } => {
                let (from, to) = if *add {
                    (from_group.clone(), Some(group.clone()))
                } else {
                    (Some(group.clone()), None)
                };
                push_group_tag(tags, iso, from, to, "", new[*i].text);
            }
            Placement::Tier { .. } => {}
        }
    }
    for (group, olds) in &old_lists {
        let Some(news) = new_lists.get(group) else {
            continue;
        };
        for (iso, i) in news {
            if !olds.contains_key(iso) {
                push_group_tag(tags, iso, None, Some(group.clone()), "", new[*i].text);
            }
        }
        for (iso, i) in olds {
            if !news.contains_key(iso) {
                push_group_tag(tags, iso, Some(group.clone()), None, old[*i].text, "");
            }
        }
    }
}

fn push_group_tag(
    tags: &mut Vec<Tag>,
    iso: &str,
    from: Option<String>,
    to: Option<String>,
    old_ev: &str,
    new_ev: &str,
) {
    let label = |g: &Option<String>| {
        g.as_ref()
            .map_or_else(|| "none".to_string(), |g| format!("Country Group {g}"))
    };
    tags.push(mk(
        "tier_move",
        Severity::High,
        format!("{}: {} → {}", country_name(iso), label(&from), label(&to)),
        json!({ "country": iso, "from": from, "to": to }),
        old_ev,
        new_ev,
    ));
}

// ---------------------------------------------------------------------------------------------
// Dates

fn date_tags(old: &[Sent<'_>], new: &[Sent<'_>], tags: &mut Vec<Tag>) {
    let facts = |side: &[Sent<'_>]| {
        let mut v = Vec::new();
        for (i, s) in side.iter().enumerate() {
            for (d, kind) in dated_kinds(&s.norm) {
                v.push((kind, d, i));
            }
        }
        v
    };
    let mut o = facts(old);
    let mut n = facts(new);
    // The same date on both sides is no change, whatever cue word stands next to it.
    o.retain(|(_, d, _)| {
        if let Some(i) = n.iter().position(|(_, nd, _)| nd == d) {
            n.remove(i);
            false
        } else {
            true
        }
    });
    // Pair by kind, in order; then any leftovers across kinds.
    let mut used_old = vec![false; o.len()];
    for (kind, nd, ni) in &n {
        let pick = o
            .iter()
            .enumerate()
            .position(|(j, (k, _, _))| !used_old[j] && k == kind)
            .or_else(|| (0..o.len()).find(|j| !used_old[*j]));
        let (old_date, old_ev) = match pick {
            Some(j) => {
                used_old[j] = true;
                (Some(o[j].1), old[o[j].2].text)
            }
            None => (None, ""),
        };
        let label = if *kind == "compliance" {
            "Compliance date"
        } else {
            "Effective date"
        };
        let show =
            |d: Option<chrono::NaiveDate>| d.map_or_else(|| "none".into(), |d| d.to_string());
        tags.push(mk(
            "effective_date_changed",
            Severity::High,
            format!("{label} {} → {}", show(old_date), nd),
            json!({ "old": old_date.map(|d| d.to_string()), "new": nd.to_string(), "kind": kind }),
            old_ev,
            new[*ni].text,
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Rescission

fn rescission_tags(old: &[Sent<'_>], new: &[Sent<'_>], tags: &mut Vec<Tag>) {
    let old_kinds: BTreeSet<&str> = old
        .iter()
        .filter_map(|s| phrases::rescission(&s.norm))
        .collect();
    for s in new {
        if let Some(kind) = phrases::rescission(&s.norm)
            && !old_kinds.contains(kind)
        {
            let summary = match kind {
                "not_enforced" => "Non-enforcement announced",
                "suspended" => "Suspension announced",
                _ => "Rescission announced",
            };
            tags.push(mk(
                "rule_rescinded",
                Severity::Critical,
                summary.into(),
                json!({ "kind": kind }),
                "",
                s.text,
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Review policies and license exceptions

fn policy_tags(old: &[Sent<'_>], new: &[Sent<'_>], tags: &mut Vec<Tag>) {
    let old_set: Vec<(&str, &str)> = old
        .iter()
        .flat_map(|s| {
            phrases::review_policies(&s.norm)
                .into_iter()
                .map(move |(p, _)| (p, s.text))
        })
        .collect();
    let old_names: BTreeSet<&str> = old_set.iter().map(|(p, _)| *p).collect();
    for s in new {
        // In text order: the last policy the old text did not state is the new one.
        let ps = phrases::review_policies(&s.norm);
        let Some(&(newest, newest_pos)) = ps.iter().rev().find(|(p, _)| !old_names.contains(p))
        else {
            continue;
        };
        // The old policy: one the old text had, or an earlier one in the same sentence
        // ("from a presumption of denial to case-by-case").
        let before = ps
            .iter()
            .find(|(p, pos)| *p != newest && *pos < newest_pos)
            .map(|(p, _)| *p);
        let (old_p, old_ev) = match old_set.iter().find(|(p, _)| *p != newest) {
            Some((p, ev)) => (Some(*p), *ev),
            None => (before, ""),
        };
        tags.push(mk(
            "license_policy_changed",
            Severity::High,
            format!(
                "License review policy: {} → {newest}",
                old_p.unwrap_or("none")
            ),
            json!({ "old": old_p, "new": newest }),
            old_ev,
            s.text,
        ));
    }
    // License exceptions.
    let old_ex: BTreeMap<&str, &str> = old
        .iter()
        .flat_map(|s| {
            phrases::license_exceptions(&s.norm)
                .into_iter()
                .map(move |e| (e, s.text))
        })
        .collect();
    let mut new_ex: BTreeMap<&str, (&str, bool)> = BTreeMap::new();
    for s in new {
        for e in phrases::license_exceptions(&s.norm) {
            new_ex
                .entry(e)
                .or_insert((s.text, phrases::exception_withdrawn(&s.norm)));
        }
    }
    let mut ex_tag = |e: &str, added: bool, old_ev: &str, new_ev: &str| {
        let name = format!("License Exception {e}");
        let (o, n) = if added {
            (Value::Null, json!(name))
        } else {
            (json!(name), Value::Null)
        };
        tags.push(mk(
            "license_policy_changed",
            Severity::High,
            format!("{name} {}", if added { "added" } else { "removed" }),
            json!({ "old": o, "new": n, "exception": e, "change": if added { "added" } else { "removed" } }),
            old_ev,
            new_ev,
        ));
    };
    for (e, (ev, withdrawn)) in &new_ex {
        match (old_ex.get(e), withdrawn) {
            (_, true) => ex_tag(e, false, old_ex.get(e).copied().unwrap_or(""), ev),
            (None, false) => ex_tag(e, true, "", ev),
            (Some(_), false) => {}
        }
    }
    for (e, ev) in &old_ex {
        if !new_ex.contains_key(e) && !new.is_empty() && !phrases::exception_withdrawn(&norm(ev)) {
            ex_tag(e, false, ev, "");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bills

fn stage_rank(s: &str) -> usize {
    if s == "dropped" {
        return 100;
    }
    phrases::STAGES.iter().position(|x| *x == s).unwrap_or(0)
}

fn bill_tags(old: &[Sent<'_>], new: &[Sent<'_>], tags: &mut Vec<Tag>) {
    let domain = |ctx: &str| {
        any_word(
            ctx,
            &[
                "ai",
                "artificial intelligence",
                "chip*",
                "export*",
                "gain",
                "ndaa",
                "semiconductor*",
                "ia",
                "ki",
                "puce*",
                "intelligence artificielle",
                "künstliche intelligenz",
                "halbleiter*",
                "overwatch",
                "defense authorization",
                "défense",
                "verteidigung*",
                "3150",
                "5885",
                "4456",
                "6875",
                "2296",
                "1071",
            ],
        )
    };
    let stages = |side: &[Sent<'_>]| {
        let mut v: Vec<(&'static str, usize)> = Vec::new();
        for (i, s) in side.iter().enumerate() {
            if domain(&s.context) {
                for st in phrases::bill_stages(&s.norm, &s.context) {
                    v.push((st, i));
                }
            }
        }
        v
    };
    let o = stages(old);
    let n = stages(new);
    let old_set: BTreeSet<&str> = o.iter().map(|(s, _)| *s).collect();
    let Some(&(to, ni)) = n
        .iter()
        .filter(|(s, _)| !old_set.contains(s))
        .max_by_key(|(s, _)| stage_rank(s))
    else {
        return;
    };
    let from = o
        .iter()
        .filter(|(s, _)| *s != "dropped")
        .max_by_key(|(s, _)| stage_rank(s));
    let label = |s: &str| s.replace('_', " ");
    tags.push(mk(
        "bill_stage_changed",
        Severity::High,
        format!(
            "Bill stage: {} → {}",
            from.map_or_else(|| "none".to_string(), |(s, _)| label(s)),
            label(to)
        ),
        json!({ "from": from.map(|(s, _)| *s), "to": to }),
        from.map_or("", |(_, i)| old[*i].text),
        new[ni].text,
    ));
}

// ---------------------------------------------------------------------------------------------
// ECCNs and chips: sets compared.

/// Each item named on a side, with the first sentence that names it.
fn named<T: Ord>(side: &[Sent<'_>], find: impl Fn(&str) -> Vec<T>) -> BTreeMap<T, usize> {
    let mut m = BTreeMap::new();
    for (i, s) in side.iter().enumerate() {
        for item in find(&s.norm) {
            m.entry(item).or_insert(i);
        }
    }
    m
}

fn set_tags(old: &[Sent<'_>], new: &[Sent<'_>], tags: &mut Vec<Tag>) {
    let (o, n) = (named(old, phrases::eccns), named(new, phrases::eccns));
    for (e, i) in &n {
        if !o.contains_key(e) {
            tags.push(mk(
                "eccn_changed",
                Severity::Medium,
                format!("ECCN {e} added"),
                json!({ "eccn": e, "change": "added" }),
                "",
                new[*i].text,
            ));
        }
    }
    for (e, i) in &o {
        let refined = n
            .keys()
            .any(|k| k.starts_with(&format!("{e}.")) || e.starts_with(&format!("{k}.")));
        if !n.contains_key(e) && !refined && !new.is_empty() {
            tags.push(mk(
                "eccn_changed",
                Severity::Medium,
                format!("ECCN {e} removed"),
                json!({ "eccn": e, "change": "removed" }),
                old[*i].text,
                "",
            ));
        }
    }
    let (o, n) = (named(old, phrases::chips), named(new, phrases::chips));
    for (c, i) in &n {
        if !o.contains_key(c) {
            tags.push(mk(
                "chip_added",
                Severity::Medium,
                format!("Chip named: {c}"),
                json!({ "chip": c }),
                "",
                new[*i].text,
            ));
        }
    }
    for (c, i) in &o {
        if !n.contains_key(c) {
            tags.push(mk(
                "chip_removed",
                Severity::Medium,
                format!("Chip no longer named: {c}"),
                json!({ "chip": c }),
                old[*i].text,
                "",
            ));
        }
    }
}
