//! The built-in export-controls rule pack.
//!
//! It reads the sentences that really changed (blocks and sentences present on both sides — moved
//! or untouched — cancel out), extracts facts from each side (quantities bound to their metric,
//! country tiers and groups, dated effective or compliance words, rescission language, review
//! policies, license exceptions, bill stages, ECCNs, chip models), and compares the facts as
//! values. A fact that is only reworded ("4800" → "4,800", "4.8 TB/s" → "4,800 GB/s") compares
//! equal and yields nothing.

mod bills;
mod dates;
mod facts;
mod licensing;
mod memo;
mod named;
mod quantities;
mod rescission;
mod tiers;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use serde_json::Value;

use super::text::{guess_lang, norm, sentences};
use crate::model::{Hunk, Lang, Tag};

/// One changed sentence with what surrounds it.
#[derive(Clone)]
struct Sent<'a> {
    /// It only considers, rumours or asks for a change: it states no fact, though the things it
    /// names (chips, ECCNs) are still named.
    hypothetical: bool,
    /// As written.
    text: &'a str,
    /// Normalized.
    norm: String,
    /// Normalized block and heading, for context checks (shared by the block's sentences).
    context: Rc<str>,
}

/// The sentences of a side's blocks that the other side does not also have (counted in
/// `seen_other`), each with its normalized context.
fn side<'a>(
    blocks: &[(&'a str, Option<&'a str>)],
    mut seen_other: BTreeMap<String, usize>,
) -> Vec<Sent<'a>> {
    let mut out = Vec::new();
    // Under a recap label ("Key takeaways", « À retenir », „Das Wichtigste in Kürze“, the pack's
    // `recap_labels`), as a heading or a label line of its own, the blocks restate what the
    // document says: they state and name nothing new.
    let mut recap = false;
    let mut recap_listed = false;
    for (block, heading) in blocks {
        if is_label(block) {
            recap = crate::tag::packs::any_in("recap_labels", &memo::norm(block));
            recap_listed = false;
            if recap {
                continue;
            }
        }
        if recap {
            // The recap is the list after its label, or else one paragraph.
            let item = block.trim_start().starts_with(['-', '•', '*', '–', '·']);
            if item {
                recap_listed = true;
                continue;
            }
            recap = false;
            if !recap_listed {
                continue;
            }
        }
        if heading.is_some_and(|h| crate::tag::packs::any_in("recap_labels", &memo::norm(h))) {
            continue;
        }
        let block_norm = memo::norm(block);
        let context: Rc<str> = match heading {
            Some(h) => format!("{block_norm} {}", memo::norm(h)).into(),
            None => block_norm.into(),
        };
        let sents = units(block);
        for (k, s) in sents.iter().copied().enumerate() {
            let n = memo::norm(s);
            // A sentence also present on the other side did not change.
            if let Some(c) = seen_other.get_mut(&n)
                && *c > 0
            {
                *c -= 1;
                continue;
            }
            let n = with_country_named(n, &sents[..k]);
            // A change only considered or rumoured ("may lower the threshold", « pourrait
            // abaisser », „erwägt“) states no fact on either side.
            // A question ("Should Washington rescind the rule?") asks, it does not state.
            let hypothetical = s.trim_end().ends_with('?')
                || crate::tag::packs::any_in("hypothetical_markers", main_part(&n))
                // "In 2022, the first rule had instead combined …": history, not today's rule.
                || (crate::tag::packs::any_in("history_markers", &n)
                    && !crate::tag::packs::any_in("present_markers", &n));
            out.push(Sent {
                hypothetical,
                text: s,
                norm: n,
                context: Rc::clone(&context),
            });
        }
    }
    out
}

/// Whether a block is a label of its own: a heading, or a short line (six words at most) that
/// ends with no sentence mark.
fn is_label(block: &str) -> bool {
    let b = block.trim();
    b.starts_with('#')
        || (!b.is_empty()
            && !b.ends_with(['.', '!', '?', ';', ','])
            && b.split_whitespace().count() <= 6
            && !b.contains('|')
            && !b.contains('\t'))
}

/// A sentence that names no country but takes one up ("Nach der Regel wird das Land nun der
/// Stufe 3 zugeordnet", "the country now sits in Tier 1", « le pays relève désormais … »; the
/// pack's `country_anaphors`) names the one country the nearest earlier sentence of its block
/// names; with none there, or several, it stays as it is.
fn with_country_named(n: String, before: &[&str]) -> String {
    // One pass of the list's automaton first: most sentences take up no country.
    if !crate::tag::packs::any_in("country_anaphors", &n) {
        return n;
    }
    let Some((at, len)) = crate::tag::packs::list("country_anaphors")
        .iter()
        .filter_map(|a| crate::tag::text::find_word(&n, a).map(|i| (i, a.len())))
        .min()
    else {
        return n;
    };
    if !crate::tag::countries::countries(&n).is_empty() {
        return n;
    }
    let Some(named) = before.iter().rev().find_map(|b| {
        let cs = crate::tag::countries::countries(&memo::norm(b));
        (!cs.is_empty()).then_some(cs)
    }) else {
        return n;
    };
    let mut isos: Vec<&str> = named.iter().map(|(iso, _)| *iso).collect();
    isos.dedup();
    let [iso] = isos[..] else {
        return n;
    };
    let name = crate::tag::countries::english_name(iso).to_lowercase();
    format!("{}{}{}", &n[..at], name, &n[at + len..])
}

/// A block's sentences, a sentence that takes up the one before it through an anaphor read with
/// it as one ("Singapore was in Tier 2. It now sits in Tier 1.", "The threshold was 4,800. The
/// amending rule has lowered it to 4,000."): the first states the old value in the past, the
/// second the new one without naming what it changes. The pack's `past_state_markers` and
/// `anaphors` say which pairs.
fn units(block: &str) -> Vec<&str> {
    let ss = sentences(block);
    let mut out: Vec<&str> = Vec::with_capacity(ss.len());
    let mut i = 0;
    while i < ss.len() {
        let s = ss[i];
        if let Some(next) = ss.get(i + 1)
            && crate::tag::packs::any_in("past_state_markers", &memo::norm(s))
            && crate::tag::packs::any_in("anaphors", &memo::norm(next))
        {
            // Both are slices of `block`: the pair is the span from the first's start to the
            // second's end.
            let a = (s.as_ptr() as usize).wrapping_sub(block.as_ptr() as usize);
            let z = (next.as_ptr() as usize).wrapping_sub(block.as_ptr() as usize) + next.len();
            if let Some(pair) = block.get(a..z) {
                out.push(pair);
                i += 2;
                continue;
            }
        }
        out.push(s);
        i += 1;
    }
    out
}

/// A sentence without its trailing consequence clause (", which could slow …", „, was … bremsen
/// könnte“, « , ce qui pourrait … »): a conditional there speaks of effects, not of the rule.
fn main_part(n: &str) -> &str {
    crate::tag::packs::list("consequence_openers")
        .iter()
        .filter_map(|o| super::text::find_str(n, o))
        .min()
        .map_or(n, |i| &n[..i])
}

/// The words of a sentence with every number made `#` (a run of number tokens counts once).
fn skeleton(n: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for w in super::text::words(n) {
        let w = if w.chars().any(|c| c.is_ascii_digit()) {
            "#"
        } else {
            w
        };
        if !(w == "#" && out.last() == Some(&"#")) {
            out.push(w);
        }
    }
    out
}

/// Whether a hypothetical sentence is so only by a modal verb of a reported draft (« pourrait »,
/// „könnte“): no rumour, wish or question word.
fn draft_modal_only(s: &Sent<'_>) -> bool {
    !s.text.trim_end().ends_with('?')
        && crate::tag::packs::list("hypothetical_markers")
            .iter()
            .filter(|m| !crate::tag::packs::has("draft_modals", m))
            .all(|m| !super::text::has_word(main_part(&s.norm), m))
}

/// A draft reported in the conditional on both sides, only its numbers edited (« chaque pays
/// pourrait importer au plus 50 000 GPU » → « … 40 000 GPU »): the text's own figure moved, so
/// both sentences are read as stated and compared.
fn pair_drafts(old: &mut [Sent<'_>], new: &mut [Sent<'_>]) {
    for n in new.iter_mut().filter(|s| s.hypothetical) {
        if !draft_modal_only(n) {
            continue;
        }
        let sk = skeleton(&n.norm);
        if let Some(o) = old
            .iter_mut()
            .find(|o| o.hypothetical && draft_modal_only(o) && skeleton(&o.norm) == sk)
        {
            o.hypothetical = false;
            n.hypothetical = false;
        }
    }
}

/// How many times each normalized sentence occurs in the blocks.
fn sentence_counts(blocks: &[(&str, Option<&str>)]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for (b, _) in blocks {
        for s in units(b) {
            *m.entry(memo::norm(s)).or_insert(0) += 1;
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

/// Runs the pack over a change's hunks. `old_all` and `new_all` are the whole versions (empty
/// when unknown): a tag stands only when its fact differs between them (see [`facts`]).
#[must_use]
pub fn tag(hunks: &[Hunk], lang: Option<Lang>, old_all: &[String], new_all: &[String]) -> Vec<Tag> {
    // Recognizer outputs are remembered for this call only: the facts check reads the changed
    // sentences again.
    let _memo = memo::Scope::enter();
    // Blocks on each side, with their heading; blocks present on both sides (moved) cancel. A
    // bare list of countries is read with the line that introduces it ("The following
    // destinations are in Country Group D:5:").
    // A before/after table's header may sit in another hunk or in the context.
    let any_header = hunks
        .iter()
        .flat_map(|h| h.context.iter().chain(h.new.iter()).chain(h.old.iter()))
        .find_map(|b| before_after_columns(b));
    // The document's one table header, looked for only when a hunk changes a table row whose
    // header the context does not reach (a long table).
    let doc_header = std::cell::OnceCell::new();
    let doc_header = || {
        doc_header
            .get_or_init(|| {
                let heads: Vec<&String> = new_all
                    .iter()
                    .filter(|b| is_row(b) && is_header(b))
                    .take(2)
                    .collect();
                match heads[..] {
                    [one] => column_names(std::slice::from_ref(one)),
                    _ => None,
                }
            })
            .clone()
    };
    let led: Vec<(Vec<String>, Vec<String>)> = hunks
        .iter()
        .map(|h| {
            // « Liste actualisée : … », "Updated list: …": a list that says it is one.
            let labelled = |b: &String| {
                b.split_once(':').is_some_and(|(label, _)| {
                    label.split_whitespace().count() <= 4
                        && ["list", "liste"].iter().any(|w| norm(label).contains(w))
                })
            };
            // The list test first (most blocks are not lists), then the lead in the context.
            let lead_of = |b: &String| {
                if bare_country_list(b) {
                    list_lead(&h.context, labelled(b))
                } else {
                    None
                }
            };
            let with = |b: &String| match lead_of(b) {
                // One sentence: the lead's own full stop or colon gives way to one colon.
                Some(l) => {
                    let list = match b.split_once(':') {
                        Some((label, rest)) if label.split_whitespace().count() <= 4 => rest,
                        _ => b.as_str(),
                    };
                    // "Afghanistan; Belarus; …": one list, whatever its separator.
                    format!(
                        "{}: {}",
                        l.trim_end().trim_end_matches(['.', ':']),
                        list.trim().replace(';', ",")
                    )
                }
                _ => b.clone(),
            };
            let header = h
                .context
                .iter()
                .find_map(|c| before_after_columns(c))
                .or(any_header);
            // The header row in the hunk's context, else the document's one table header (a
            // long table's header sits further up than the context reaches).
            let names = column_names(&h.context).or_else(|| {
                h.old
                    .iter()
                    .chain(&h.new)
                    .any(|b| is_row(b))
                    .then(doc_header)
                    .flatten()
            });
            let label = |v: Vec<String>| -> Vec<String> {
                match (&names, header) {
                    (Some(n), None) => v.into_iter().map(|b| labelled_row(b, n)).collect(),
                    _ => v,
                }
            };
            (
                label(before_after_rows(h.old.iter().map(with).collect(), header)),
                label(before_after_rows(h.new.iter().map(with).collect(), header)),
            )
        })
        .collect();
    let mut old: Vec<Placed<'_>> = Vec::new();
    let mut new: Vec<Placed<'_>> = Vec::new();
    for (h, (o, n)) in hunks.iter().zip(&led) {
        old.extend(o.iter().map(|b| (b.as_str(), h.old_heading.as_deref())));
        new.extend(n.iter().map(|b| (b.as_str(), h.new_heading.as_deref())));
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
    // Whether the change as a whole speaks of export controls: a short sentence ("France is
    // relegated to the second tier") takes its meaning from the paragraphs around it.
    let doc_context = hunks.iter().any(|h| {
        h.old
            .iter()
            .chain(h.new.iter())
            .chain(h.context.iter())
            .chain(h.old_heading.iter())
            .chain(h.new_heading.iter())
            .any(|b| super::countries::tier_context(&memo::norm(b)))
    });
    let about = About {
        hunks,
        new_all,
        known: std::cell::OnceCell::new(),
        subject: std::cell::OnceCell::new(),
    };
    let mut tags = compare(
        &old_kept,
        &new_kept,
        lang,
        Doc {
            tiers: doc_context,
            about: &about,
            whole: false,
            wanted: None,
        },
    );
    amend_in_place(&mut tags, &new_kept, lang);
    // "The density test in 3A090.a.2 is unchanged": an ECCN first named as left alone is not
    // added (a version's facts still count it as named).
    tags.retain(|t| {
        !(t.tag == "eccn_changed" && t.detail["change"] == "added" && named_unchanged(t))
    });
    // On a bill's page, a limit stated for the first time by the bill's summary ("This bill …
    // defines such circuits by a TPP of 4,800 or more") describes the bill; it moves nothing.
    let first_stated = |t: &Tag| {
        matches!(t.tag.as_str(), "threshold_changed" | "quota_changed") && t.detail["old"].is_null()
    };
    if tags.iter().any(first_stated) && about.bill() {
        tags.retain(|t| {
            !(first_stated(t)
                && crate::tag::packs::any_in("bill_summary_words", &norm(&t.evidence.new)))
        });
    }
    // "4,800" → "4.800" in an English text quoting the continental style, "4.8" → "4 800": a
    // value that moved by exactly a thousandfold was written in another style, not changed.
    tags.retain(|t| {
        let (Some(o), Some(n)) = (t.detail["old"].as_f64(), t.detail["new"].as_f64()) else {
            return true;
        };
        let thousandfold = |a: f64, b: f64| b > 0.0 && (a / b - 1000.0).abs() < 1e-9;
        !(matches!(t.tag.as_str(), "threshold_changed" | "quota_changed")
            && (thousandfold(o, n) || thousandfold(n, o)))
    });
    drop_eu_entries(&mut tags, hunks, old_all, new_all);
    bills::fill_from(&mut tags, old_all, &about);
    if !(tags.is_empty() || (old_all.is_empty() && new_all.is_empty())) {
        facts::keep_differences(&mut tags, old_all, new_all, lang);
        facts::drop_one_sided_still_written(&mut tags, old_all, new_all);
    }
    facts::fill_superseded(&mut tags, old_all, lang);
    rescission::strip_pending(&mut tags);
    tags
}

/// Whether the clause that adds an ECCN says it is left alone ("The density test in 3A090.a.2 is
/// unchanged"; not "BIS adds 3A090.c, while 3A090.a remains").
fn named_unchanged(t: &Tag) -> bool {
    let n = norm(&t.evidence.new);
    let code = t.detail["eccn"].as_str().unwrap_or_default().to_lowercase();
    let Some(at) = crate::tag::text::find_word(&n, &code) else {
        return false;
    };
    let rest = &n[at..];
    let clause = rest.find([',', ';']).map_or(rest, |k| &rest[..k]);
    crate::tag::packs::any_in("unaffected_words", clause)
}

/// An amendatory instruction ('by removing "26,900,000" and adding in its place "13,450,000"',
/// « en remplaçant « 4 800 » par « 4 000 » », „wird „4.800“ durch „4.000“ ersetzt“) replaces a
/// value the old text stated: a figure that seemed to vanish (old value, no new one) takes the
/// value put in its place. The instruction words are the pack's `amend_in_place`.
fn amend_in_place(tags: &mut [Tag], new: &[Placed<'_>], lang: Lang) {
    let mut pairs: Vec<(f64, f64)> = Vec::new();
    for (b, _) in new {
        let n = norm(b);
        if !crate::tag::packs::any_in("amend_in_place", &n) {
            continue;
        }
        // Quoted figures in order: each removed one is followed by the one put in its place.
        let quoted: Vec<f64> = n
            .split(['"', '“', '”', '«', '»', '„'])
            .skip(1)
            .step_by(2)
            .filter_map(|q| {
                let nums = crate::tag::numbers::numbers(q.trim(), lang);
                (nums.len() == 1).then(|| nums[0].value)
            })
            .collect();
        pairs.extend(quoted.chunks_exact(2).map(|c| (c[0], c[1])));
    }
    if pairs.is_empty() {
        return;
    }
    for t in tags.iter_mut().filter(|t| {
        matches!(
            t.tag.as_str(),
            "threshold_changed" | "quota_changed" | "tariff_changed"
        ) && t.detail["new"].is_null()
    }) {
        let Some(old) = t.detail["old"].as_f64() else {
            continue;
        };
        if let Some((_, put)) = pairs.iter().find(|(from, _)| (from - old).abs() < 1e-9) {
            let mut detail = t.detail.clone();
            detail["new"] = crate::tag::numbers::json_value(*put);
            let ev = t.evidence.clone();
            *t = mk(&t.tag.clone(), detail, &ev.old, &ev.new);
        }
    }
}

/// The columns of a table's header row that hold the value before and after a change
/// ("Mesure | Avant | Après", "Criterion | Before | After", „Maßnahme | Bisher | Neu“), with the
/// number of cells (remembered for the call: the whole versions share most rows).
fn before_after_columns(row: &str) -> Option<(usize, usize, usize)> {
    // Most blocks are no table row: nothing to remember for them.
    if !row.contains('|') {
        return None;
    }
    memo::before_after_columns(row)
}

/// [`before_after_columns`], computed.
fn before_after_columns_of(row: &str) -> Option<(usize, usize, usize)> {
    const BEFORE: &[&str] = &[
        "before",
        "old",
        "previous",
        "previously",
        "avant",
        "ancien",
        "ancienne",
        "auparavant",
        "bisher",
        "alt",
        "vorher",
        "früher",
    ];
    const AFTER: &[&str] = &[
        "after",
        "new",
        "now",
        "après",
        "nouveau",
        "nouvelle",
        "désormais",
        "neu",
        "nachher",
        "künftig",
        "jetzt",
    ];
    if !row.contains('|') {
        return None;
    }
    let cells: Vec<String> = table_cells(row).iter().map(|c| norm(c)).collect();
    let b = cells.iter().position(|c| BEFORE.contains(&c.as_str()))?;
    let a = cells.iter().position(|c| AFTER.contains(&c.as_str()))?;
    (b != a).then_some((b, a, cells.len()))
}

/// The cells of a table row ("| a | b |" or "a | b").
fn table_cells(row: &str) -> Vec<&str> {
    // A tab-separated row (copied from a spreadsheet) has the same cells.
    let sep = if row.contains('|') { '|' } else { '\t' };
    row.trim()
        .trim_matches('|')
        .split(sep)
        .map(str::trim)
        .collect()
}

/// Whether a table row names columns: words and no figures (not the "|---|---|" rule under it).
fn is_header(row: &str) -> bool {
    // "Maximum TPP per country (cumulative, 2025 through 2027)": years name a period, not a
    // value; any other digit makes a data row.
    let digits_only_in_years = row
        .split(|c: char| !c.is_ascii_digit())
        .filter(|d| !d.is_empty())
        .all(|d| d.len() == 4 && d.parse::<u32>().is_ok_and(|y| (1990..=2100).contains(&y)));
    digits_only_in_years && row.chars().any(char::is_alphabetic)
}

/// Whether a row is a table's row: cells between pipes, or separated by tabs.
fn is_row(row: &str) -> bool {
    row.contains('|') || row.trim().contains('\t')
}

/// Rows under a before/after header (in the blocks, or `header` from the context) read as a move:
/// "Plafond par commande | 1 700 GPU | 1 000 GPU" → "Plafond par commande: from 1 700 GPU to
/// 1 000 GPU", so the old column is the old value and not a value still stated.
fn before_after_rows(blocks: Vec<String>, header: Option<(usize, usize, usize)>) -> Vec<String> {
    let mut cols = header;
    blocks
        .into_iter()
        .map(|b| {
            if let Some(h) = before_after_columns(&b) {
                cols = Some(h);
                return b;
            }
            match cols {
                Some((bi, ai, n)) if b.contains('|') => {
                    let cells = table_cells(&b);
                    if cells.len() != n {
                        return b;
                    }
                    let label: Vec<&str> = cells
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != bi && *i != ai)
                        .map(|(_, c)| *c)
                        .collect();
                    format!(
                        "{}{}{} to {}",
                        label.join(" "),
                        crate::tag::quantity::ROW_MOVE,
                        cells[bi],
                        cells[ai]
                    )
                }
                _ => b,
            }
        })
        .collect()
}

/// The column names of a table whose header row is in the hunk's context (a row of two or more
/// cells without digits: "Parameter | Threshold", "Provision | Compliance date").
fn column_names(context: &[String]) -> Option<Vec<String>> {
    context
        .iter()
        .find(|c| is_row(c) && is_header(c))
        .map(|c| {
            table_cells(c)
                .iter()
                .map(|x| (*x).to_string())
                .collect::<Vec<_>>()
        })
        .filter(|v| v.len() >= 2)
}

/// A row read with its column names, so a cell's value sits next to what it is: "Interconnect
/// bandwidth | 900 GB/s" under "Parameter | Threshold" → "Parameter Interconnect bandwidth,
/// Threshold 900 GB/s"; a unit column is written right after the value before it.
fn labelled_row(row: String, names: &[String]) -> String {
    if !is_row(&row) || !row.bytes().any(|b| b.is_ascii_digit()) {
        return row;
    }
    let cells = table_cells(&row);
    if cells.len() != names.len() {
        return row;
    }
    let mut parts: Vec<String> = Vec::new();
    for (name, cell) in names.iter().zip(&cells) {
        // « Niveau (tier) »: a tier word glossed in brackets is the column's name.
        let name = ["(tier)", "(stufe)", "(niveau)"]
            .iter()
            .find_map(|g| {
                // Compared in place: a lower-cased copy may differ in length ("İ").
                let at = name.len().checked_sub(g.len())?;
                let head = name.get(..at)?;
                name.get(at..)?
                    .eq_ignore_ascii_case(g)
                    .then(|| format!("{} {}", head.trim_end(), &g[1..g.len() - 1]))
            })
            .unwrap_or_else(|| name.clone());
        let n = norm(&name);
        if matches!(
            n.as_str(),
            "unit" | "unité" | "einheit" | "units" | "unités"
        ) && let Some(last) = parts.last_mut()
        {
            last.push(' ');
            last.push_str(cell);
            continue;
        }
        parts.push(format!("{name} {cell}"));
    }
    parts.join(", ")
}

/// The unchanged line that introduces a list, if the hunk's context has one: it ends with a colon
/// and names one Country Group or tier ("The following destinations are in Country Group D:5:").
fn list_lead(context: &[String], labelled: bool) -> Option<&str> {
    const GROUP_WORDS: &[&str] = &[
        "group",
        "groupe",
        "gruppe",
        "tier",
        "niveau",
        "stufe",
        "catégorie",
    ];
    let names_group = |n: &str| GROUP_WORDS.iter().any(|w| n.contains(w));
    // A line ending with a colon first; else one that names exactly one Country Group (« Le
    // groupe D:5 réunit les pays soumis à un embargo … »).
    let colon = context.iter().rev().find(|c| {
        let n = norm(c);
        n.trim_end().ends_with(':') && names_group(&n) && !bare_country_list(c)
    });
    colon
        .or_else(|| {
            // Only for a list that says it is one (« Liste actualisée : … »), or under a title
            // that names the group ("Country Group D:5 — U.S. Arms Embargoed Countries").
            context.iter().find(|c| {
                let n = norm(c);
                let title = n.split_whitespace().count() <= 12 && !n.trim_end().ends_with('.');
                (labelled || title)
                    && super::countries::group_symbols(&n).len() == 1
                    && names_group(&n)
                    && !bare_country_list(c)
            })
        })
        .map(String::as_str)
}

/// A block that is only a list of countries (three or more, commas, nothing else of length).
fn bare_country_list(b: &str) -> bool {
    // Cheap test first: a list of three names has two separators.
    if b.matches(',').count()
        + b.matches(';').count()
        + b.matches(" and ").count()
        + b.matches(" und ").count()
        + b.matches(" et ").count()
        < 2
    {
        return false;
    }
    let n = norm(b);
    // A short label before the list (« Liste actualisée : … ») is part of it; a label that
    // names a tier or group ("Tier 1: …") is the list's own lead.
    let n = match n.split_once(':') {
        Some((label, rest))
            if label.split_whitespace().count() <= 4
                && ["list", "liste"].iter().any(|w| label.contains(w)) =>
        {
            rest.to_string()
        }
        _ => n,
    };
    let cs = super::countries::countries(&n);
    if cs.len() < 3 || n.contains(':') {
        return false;
    }
    let words = super::text::words(&n).len();
    words <= cs.len() * 4 + 2
}

/// In a text about the EU dual-use list (Annex I of Regulation (EU) 2021/821), "3A001" is an EU
/// control entry, not a US ECCN: an ECCN tag stands there only for a code written after "ECCN".
fn drop_eu_entries(tags: &mut Vec<Tag>, hunks: &[Hunk], old_all: &[String], new_all: &[String]) {
    if !tags.iter().any(|t| t.tag == "eccn_changed") {
        return;
    }
    let blocks = || {
        old_all.iter().chain(new_all.iter()).chain(
            hunks
                .iter()
                .flat_map(|h| h.old.iter().chain(h.new.iter()).chain(h.context.iter())),
        )
    };
    let eu = blocks().any(|b| crate::tag::packs::any_in("eu_list_context", &norm(b)));
    if !eu {
        return;
    }
    tags.retain(|t| {
        if t.tag != "eccn_changed" {
            return true;
        }
        let code = t.detail["eccn"].as_str().unwrap_or_default().to_lowercase();
        blocks().any(|b| {
            let n = norm(b);
            n.match_indices(&code).any(|(i, _)| {
                let head = n[..i].trim_end();
                head.ends_with("eccn") || head.ends_with("eccns")
            })
        })
    });
}

/// What the whole document says about itself.
#[derive(Clone, Copy)]
struct Doc<'a> {
    /// It speaks of the AI rule's tiers.
    tiers: bool,
    /// Whether it is about a tracked bill, or names one.
    about: &'a About<'a>,
    /// A whole version read for its facts, not a change.
    whole: bool,
    /// The tags whose recognizers must read the sentences (`None`: all).
    wanted: Option<&'a [&'a str]>,
}

impl Doc<'_> {
    /// Whether a recognizer that gives one of these tags must run.
    fn wants(&self, ids: &[&str]) -> bool {
        self.wanted
            .is_none_or(|w| ids.iter().any(|i| w.contains(i)))
    }
}

/// The tracked bills (keys of the pack's `tracked_bill_names`) a normalized text names.
fn tracked_bills_named(n: &str) -> Vec<&'static str> {
    crate::tag::packs::groups("tracked_bill_names")
        .iter()
        .filter(|g| crate::tag::text::any_word(n, &g.words))
        .map(|g| g.key.as_str())
        .collect()
}

/// Whether the document is about a tracked bill (a status page names it in its title, far from
/// the action lines that change) and whether it names one, read from its first blocks and the
/// hunks' blocks on first use: most changes state no bill stage and never need it.
struct About<'a> {
    hunks: &'a [Hunk],
    new_all: &'a [String],
    known: std::cell::OnceCell<(bool, bool)>,
    subject: std::cell::OnceCell<Vec<&'static str>>,
}

impl About<'_> {
    /// A document known to be about no bill (a version read whole by the facts check).
    fn nothing() -> About<'static> {
        About {
            hunks: &[],
            new_all: &[],
            known: std::cell::OnceCell::from((false, false)),
            subject: std::cell::OnceCell::from(Vec::new()),
        }
    }

    /// The tracked bills (keys of the pack's `tracked_bill_names`) the document's opening
    /// sentence names: the bills it is about (none: no one bill).
    fn subject(&self) -> &[&'static str] {
        self.subject.get_or_init(|| {
            let first = self
                .new_all
                .iter()
                .find(|b| !b.trim().is_empty())
                .map(|b| norm(crate::tag::text::sentences(b).first().copied().unwrap_or(b)))
                .unwrap_or_default();
            tracked_bills_named(&first)
        })
    }

    /// (about a tracked bill, names a tracked bill), read once.
    fn read(&self) -> (bool, bool) {
        *self.known.get_or_init(|| {
            // Each block normalized once for the call: the hunks' blocks were read for the tier
            // context, and the first blocks are mostly those the facts check reads again.
            let text = self
                .new_all
                .iter()
                .take(12)
                .chain(
                    self.hunks
                        .iter()
                        .flat_map(|h| h.context.iter().chain(h.new.iter())),
                )
                .map(|b| memo::norm(b))
                .collect::<Vec<_>>()
                .join(" ");
            (
                bills::domain(&text) && crate::tag::phrases::speaks_of_bill(&text),
                crate::tag::packs::any_in("tracked_bills", &text),
            )
        })
    }

    /// It is about a tracked bill.
    fn bill(&self) -> bool {
        self.read().0
    }

    /// It names a tracked bill (then a vehicle bill's stages are not its own).
    fn tracked(&self) -> bool {
        self.read().1
    }
}

/// The sentences that state facts (not the hypothetical ones).
fn stated<'a>(v: &[Sent<'a>]) -> Vec<Sent<'a>> {
    v.iter().filter(|s| !s.hypothetical).cloned().collect()
}

/// The tags between two sides' blocks: each recognizer reads the sentences only one side has.
fn compare(old: &[Placed<'_>], new: &[Placed<'_>], lang: Lang, doc: Doc<'_>) -> Vec<Tag> {
    let mut old_all = side(old, sentence_counts(new));
    let mut new_all = side(new, sentence_counts(old));
    pair_drafts(&mut old_all, &mut new_all);
    let (old_s, new_s) = (stated(&old_all), stated(&new_all));
    let mut tags = Vec::new();
    if doc.wants(&["threshold_changed", "quota_changed", "tariff_changed"]) {
        quantities::quantity_tags(&old_s, &new_s, lang, &mut tags);
    }
    if doc.wants(&["tier_move"]) {
        tiers::tier_tags(&old_s, &new_s, doc.tiers, &mut tags);
    }
    if doc.wants(&["effective_date_changed"]) {
        dates::date_tags(&old_s, &new_s, lang, &mut tags);
    }
    if doc.wants(&["rule_rescinded"]) {
        rescission::rescission_tags(&old_s, &new_s, doc.whole, &mut tags);
    }
    if doc.wants(&["license_policy_changed"]) {
        licensing::review_policy_tags(&old_s, &new_s, &mut tags);
        licensing::exception_tags(&old_s, &new_s, &mut tags);
        licensing::exception_to_policy(&new_s, &mut tags);
    }
    if doc.wants(&["bill_stage_changed"]) {
        bills::bill_tags(&old_s, &new_s, doc.about, &mut tags);
    }
    if doc.wants(&["eccn_changed", "chip_added", "chip_removed"]) {
        named::set_tags(&old_all, &new_all, &mut tags);
    }
    // One tag per meaning.
    let mut seen = BTreeSet::new();
    tags.retain(|t: &Tag| seen.insert(format!("{}|{}", t.tag, t.detail)));
    tags
}

/// A tag with its evidence; severity and summary come from the pack's catalog.
fn mk(tag: &str, detail: Value, old: &str, new: &str) -> Tag {
    crate::tag::packs::make(tag, detail, old, new)
}

#[cfg(test)]
mod tests {
    use super::{labelled_row, table_cells, units, with_country_named};

    #[test]
    fn a_country_taken_up_by_an_anaphor_is_the_one_named_before() {
        let n = with_country_named(
            "nach der regel wird das land nun der stufe 3 zugeordnet.".to_string(),
            &["Malaysia ist ein wichtiger Standort geworden."],
        );
        assert_eq!(
            n,
            "nach der regel wird malaysia nun der stufe 3 zugeordnet."
        );
        // Two countries before: which one is meant is unknown.
        let n = with_country_named(
            "the country now sits in tier 1.".to_string(),
            &["Poland and Austria asked for talks."],
        );
        assert_eq!(n, "the country now sits in tier 1.");
    }

    #[test]
    fn tab_separated_rows_are_read_with_their_column_names() {
        assert_eq!(
            table_cells("Portugal\t1\tnein"),
            vec!["Portugal", "1", "nein"]
        );
        let names: Vec<String> = ["Pays", "Niveau (tier)", "Plafond national"]
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            labelled_row("| Suisse | 1 | non |".to_string(), &names),
            "Pays Suisse, Niveau tier 1, Plafond national non"
        );
        // A header whose lower case is longer than itself is read without a panic.
        let names: Vec<String> = ["İİ", "Wert"].iter().map(ToString::to_string).collect();
        assert_eq!(
            labelled_row("| a | 1 |".to_string(), &names),
            "İİ a, Wert 1"
        );
    }

    #[test]
    fn a_sentence_taking_up_the_one_before_is_read_with_it() {
        assert_eq!(
            units("Singapore was in Tier 2. It now sits in Tier 1 after a deal. Malaysia stays."),
            vec![
                "Singapore was in Tier 2. It now sits in Tier 1 after a deal.",
                "Malaysia stays."
            ]
        );
        // No past state in the first: two sentences.
        assert_eq!(
            units("Singapore is in Tier 2 today. It has many data centres."),
            vec!["Singapore is in Tier 2 today.", "It has many data centres."]
        );
    }
}
