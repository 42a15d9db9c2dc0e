//! Table-driven tagging corpus: before/after texts written for regwatch (EN, FR, DE), the tags each
//! must yield (every detail field checked), and negative cases that must yield no tag or not a
//! given tag. Prints precision and recall; both must be at least 0.95.
//!
//! Blocks are separated by `\n` in `old` and `new`, as regwatch stores them.
//!
//! Runs with `harness = false` (see Cargo.toml): it prints its figures on every `cargo test`.

use regwatch::diff::diff_blocks;
use regwatch::model::Lang;
use regwatch::tag::{TagContext, tag_hunks};
use serde_json::{Value, json};

enum Expect {
    /// Exactly these tags (any extra tag is a false positive).
    Tags(Vec<(&'static str, Value)>),
    /// These tag ids must not appear; others are not judged.
    Not(&'static [&'static str]),
}

struct Case {
    name: &'static str,
    lang: Option<Lang>,
    old: &'static str,
    new: &'static str,
    expect: Expect,
}

fn yes(
    name: &'static str,
    lang: Option<Lang>,
    old: &'static str,
    new: &'static str,
    tags: Vec<(&'static str, Value)>,
) -> Case {
    Case {
        name,
        lang,
        old,
        new,
        expect: Expect::Tags(tags),
    }
}

fn none(name: &'static str, lang: Option<Lang>, old: &'static str, new: &'static str) -> Case {
    Case {
        name,
        lang,
        old,
        new,
        expect: Expect::Tags(Vec::new()),
    }
}

fn not(
    name: &'static str,
    lang: Option<Lang>,
    old: &'static str,
    new: &'static str,
    ids: &'static [&'static str],
) -> Case {
    Case {
        name,
        lang,
        old,
        new,
        expect: Expect::Not(ids),
    }
}

const EN: Option<Lang> = Some(Lang::En);
const FR: Option<Lang> = Some(Lang::Fr);
const DE: Option<Lang> = Some(Lang::De);
const AUTO: Option<Lang> = None;

/// The fields docs/ARCHITECTURE.md ("Tags") names for each tag: every expectation must check all of them.
fn required_fields(tag: &str) -> &'static [&'static str] {
    match tag {
        "rule_rescinded" => &["kind"],
        "threshold_changed" => &["metric", "old", "new", "unit"],
        "quota_changed" | "tariff_changed" => &["old", "new", "unit"],
        "tier_move" => &["country", "from", "to"],
        "effective_date_changed" | "license_policy_changed" => &["old", "new"],
        "bill_stage_changed" => &["from", "to"],
        "eccn_changed" => &["eccn", "change"],
        "chip_added" | "chip_removed" => &["chip"],
        _ => &[],
    }
}

fn thr(metric: &str, old: Value, new: Value, unit: &str) -> Value {
    json!({ "metric": metric, "old": old, "new": new, "unit": unit })
}

#[allow(clippy::too_many_lines)]
fn corpus() -> Vec<Case> {
    vec![
        // ---- thresholds ------------------------------------------------------------------
        yes(
            "en tpp threshold lowered",
            EN,
            "An integrated circuit is controlled when its TPP is 4,800 or more.",
            "An integrated circuit is controlled when its TPP is 4,000 or more.",
            vec![(
                "threshold_changed",
                thr("tpp", json!(4800), json!(4000), "TPP"),
            )],
        ),
        yes(
            "fr tpp threshold with spaces",
            FR,
            "Les puces dont la performance totale de traitement (TPP) atteint 4 800 ou plus sont soumises à licence.",
            "Les puces dont la performance totale de traitement (TPP) atteint 4 000 ou plus sont soumises à licence.",
            vec![(
                "threshold_changed",
                thr("tpp", json!(4800), json!(4000), "TPP"),
            )],
        ),
        yes(
            "de tpp threshold raised",
            DE,
            "Chips mit einer Gesamtverarbeitungsleistung (TPP) von 4.800 oder mehr sind kontrolliert.",
            "Chips mit einer Gesamtverarbeitungsleistung (TPP) von 6.000 oder mehr sind kontrolliert.",
            vec![(
                "threshold_changed",
                thr("tpp", json!(4800), json!(6000), "TPP"),
            )],
        ),
        yes(
            "en performance density",
            EN,
            "A chip is also covered with a TPP of 1,600 or more and a performance density of 5.92 or more.",
            "A chip is also covered with a TPP of 1,600 or more and a performance density of 3.2 or more.",
            vec![(
                "threshold_changed",
                thr("performance_density", json!(5.92), json!(3.2), "TPP/mm²"),
            )],
        ),
        yes(
            "fr performance density decimal comma",
            FR,
            "Sont aussi visées les puces avec une densité de performance de 5,92 ou plus.",
            "Sont aussi visées les puces avec une densité de performance de 6,5 ou plus.",
            vec![(
                "threshold_changed",
                thr("performance_density", json!(5.92), json!(6.5), "TPP/mm²"),
            )],
        ),
        yes(
            "en dram bandwidth ceiling",
            EN,
            "Chips whose total DRAM bandwidth is less than 6,500 GB/s are reviewed case by case.",
            "Chips whose total DRAM bandwidth is less than 8,000 GB/s are reviewed case by case.",
            vec![(
                "threshold_changed",
                thr("dram_bandwidth", json!(6500), json!(8000), "GB/s"),
            )],
        ),
        yes(
            "en tb/s to gb/s with a real change",
            EN,
            "The bill covers chips with a DRAM bandwidth of at least 1.4 TB/s.",
            "The bill covers chips with a DRAM bandwidth of at least 1,600 GB/s.",
            vec![(
                "threshold_changed",
                thr("dram_bandwidth", json!(1400), json!(1600), "GB/s"),
            )],
        ),
        yes(
            "en interconnect",
            EN,
            "Also covered: chips with an interconnect bandwidth of 1,100 GB/s or more.",
            "Also covered: chips with an interconnect bandwidth of 900 GB/s or more.",
            vec![(
                "threshold_changed",
                thr("interconnect_bandwidth", json!(1100), json!(900), "GB/s"),
            )],
        ),
        yes(
            "en memory bandwidth density",
            EN,
            "HBM with a memory bandwidth density greater than 2 GB/s/mm² is controlled.",
            "HBM with a memory bandwidth density greater than 3.3 GB/s/mm² is controlled.",
            vec![(
                "threshold_changed",
                thr("memory_bandwidth_density", json!(2), json!(3.3), "GB/s/mm²"),
            )],
        ),
        yes(
            "en training operations",
            EN,
            "ECCN 4E091 covers weights of models trained on more than 10^26 computational operations.",
            "ECCN 4E091 covers weights of models trained on more than 10^27 computational operations.",
            vec![(
                "threshold_changed",
                thr(
                    "training_operations",
                    json!(1e26),
                    json!(1e27),
                    "operations",
                ),
            )],
        ),
        yes(
            "de training operations spelled out",
            DE,
            "Kontrolliert sind Modelle, die mit mehr als 10 hoch 26 Rechenoperationen trainiert wurden.",
            "Kontrolliert sind Modelle, die mit mehr als 10 hoch 25 Rechenoperationen trainiert wurden.",
            vec![(
                "threshold_changed",
                thr(
                    "training_operations",
                    json!(1e26),
                    json!(1e25),
                    "operations",
                ),
            )],
        ),
        yes(
            "en transition in one sentence",
            EN,
            "The TPP threshold for advanced chips stays at 4,800.",
            "The TPP threshold for advanced chips was lowered from 4,800 to 4,000.",
            vec![(
                "threshold_changed",
                thr("tpp", json!(4800), json!(4000), "TPP"),
            )],
        ),
        yes(
            "en parameter added",
            EN,
            "A chip is covered if its TPP is 4,800 or more.",
            "A chip is covered if its TPP is 4,800 or more, or if its DRAM bandwidth is 1,400 GB/s or more.",
            vec![(
                "threshold_changed",
                thr("dram_bandwidth", Value::Null, json!(1400), "GB/s"),
            )],
        ),
        yes(
            "fr narrow no-break space",
            FR,
            "Pour les puces, le seuil est fixé à une TPP de 4\u{202F}800.",
            "Pour les puces, le seuil est fixé à une TPP de 2\u{202F}400.",
            vec![(
                "threshold_changed",
                thr("tpp", json!(4800), json!(2400), "TPP"),
            )],
        ),
        yes(
            "auto language german",
            AUTO,
            "Für die Chips gilt eine Schwelle von 4.800 TPP.",
            "Für die Chips gilt eine Schwelle von 5.000 TPP.",
            vec![(
                "threshold_changed",
                thr("tpp", json!(4800), json!(5000), "TPP"),
            )],
        ),
        // ---- quotas ---------------------------------------------------------------------
        yes(
            "en lpp per consignee",
            EN,
            "License Exception LPP allows up to 26,900,000 TPP per consignee per calendar year.",
            "License Exception LPP allows up to 30,000,000 TPP per consignee per calendar year.",
            vec![(
                "quota_changed",
                json!({"old": 26_900_000, "new": 30_000_000, "unit": "TPP", "scope": "per_consignee"}),
            )],
        ),
        yes(
            "fr country cap in millions",
            FR,
            "Chaque pays est plafonné à 790 millions de TPP sur trois ans.",
            "Chaque pays est plafonné à 1,58 milliard de TPP sur trois ans.",
            vec![(
                "quota_changed",
                json!({"old": 790_000_000, "new": 1_580_000_000_i64, "unit": "TPP", "scope": "per_country"}),
            )],
        ),
        yes(
            "de cap per country in gpus",
            DE,
            "Die Obergrenze pro Land liegt bei 50.000 GPUs.",
            "Die Obergrenze pro Land liegt bei 100.000 GPUs.",
            vec![(
                "quota_changed",
                json!({"old": 50000, "new": 100_000, "unit": "GPU", "scope": "per_country"}),
            )],
        ),
        yes(
            "en h100 equivalents",
            EN,
            "Orders of up to 1,700 H100-equivalents per consignee need no license.",
            "Orders of up to 2,000 H100-equivalents per consignee need no license.",
            vec![(
                "quota_changed",
                json!({"old": 1700, "new": 2000, "unit": "H100-equivalent", "scope": "per_consignee"}),
            )],
        ),
        yes(
            "fr plafond national",
            FR,
            "Le plafond national est de 50 000 GPU sur trois ans.",
            "Le plafond national est de 100 000 GPU sur trois ans.",
            vec![(
                "quota_changed",
                json!({"old": 50000, "new": 100_000, "unit": "GPU", "scope": "per_country"}),
            )],
        ),
        yes(
            "en doubled allocation",
            EN,
            "Countries that sign an agreement may receive up to 100,000 GPUs.",
            "Countries that sign an agreement may receive up to 150,000 GPUs.",
            vec![(
                "quota_changed",
                json!({"old": 100_000, "new": 150_000, "unit": "GPU", "scope": "unspecified"}),
            )],
        ),
        yes(
            "de tpp quota in millions",
            DE,
            "Ohne Lizenz sind bis zu 26,9 Mio. TPP pro Empfänger und Jahr erlaubt.",
            "Ohne Lizenz sind bis zu 20 Mio. TPP pro Empfänger und Jahr erlaubt.",
            vec![(
                "quota_changed",
                json!({"old": 26_900_000, "new": 20_000_000, "unit": "TPP", "scope": "per_consignee"}),
            )],
        ),
        // ---- tariffs --------------------------------------------------------------------
        yes(
            "en tariff",
            EN,
            "A 25 % tariff applies to H200 imports.",
            "A 15 % tariff applies to H200 imports.",
            vec![("tariff_changed", json!({"old": 25, "new": 15, "unit": "%"}))],
        ),
        yes(
            "fr revenue share",
            FR,
            "Une part des revenus de 15 % revient au gouvernement américain.",
            "Une part des revenus de 25 % revient au gouvernement américain.",
            vec![("tariff_changed", json!({"old": 15, "new": 25, "unit": "%"}))],
        ),
        yes(
            "de zoll",
            DE,
            "Auf diese Chips wird ein Zoll von 25 Prozent erhoben.",
            "Auf diese Chips wird ein Zoll von 10 Prozent erhoben.",
            vec![("tariff_changed", json!({"old": 25, "new": 10, "unit": "%"}))],
        ),
        // ---- tiers and country groups ---------------------------------------------------
        yes(
            "en table row",
            EN,
            "Country | Tier\nFrance | Tier 1\nGermany | Tier 1",
            "Country | Tier\nFrance | Tier 2\nGermany | Tier 1",
            vec![(
                "tier_move",
                json!({"country": "FR", "from": "tier 1", "to": "tier 2"}),
            )],
        ),
        yes(
            "en sentence upgrade",
            EN,
            "Poland is a tier 2 country under the AI diffusion rule.",
            "Poland is a tier 1 country under the AI diffusion rule.",
            vec![(
                "tier_move",
                json!({"country": "PL", "from": "tier 2", "to": "tier 1"}),
            )],
        ),
        yes(
            "fr reléguée",
            FR,
            "La France figure au premier niveau du dispositif américain sur les puces.",
            "La France est reléguée au deuxième niveau du dispositif américain sur les puces.",
            vec![(
                "tier_move",
                json!({"country": "FR", "from": "tier 1", "to": "tier 2"}),
            )],
        ),
        yes(
            "fr relegated with no old statement",
            FR,
            "Le texte américain sur les puces d'IA a été publié.",
            "Le texte américain sur les puces d'IA a été publié.\nLa France est reléguée au deuxième niveau.",
            vec![(
                "tier_move",
                json!({"country": "FR", "from": "tier 1", "to": "tier 2"}),
            )],
        ),
        yes(
            "de herabgestuft",
            DE,
            "Deutschland gehört zur ersten Stufe der US-Exportkontrollen.",
            "Deutschland wird in die zweite Stufe der US-Exportkontrollen herabgestuft.",
            vec![(
                "tier_move",
                json!({"country": "DE", "from": "tier 1", "to": "tier 2"}),
            )],
        ),
        yes(
            "fr explicit move",
            FR,
            "Les règles américaines classent les pays en trois niveaux.",
            "Les règles américaines classent les pays en trois niveaux.\nLe Portugal passe du deuxième niveau au premier niveau.",
            vec![(
                "tier_move",
                json!({"country": "PT", "from": "tier 2", "to": "tier 1"}),
            )],
        ),
        yes(
            "en group added",
            EN,
            "Country Group A:5 lists close allies.",
            "Country Group A:5 lists close allies.\nThe United Arab Emirates is added to Country Group A:5.",
            vec![(
                "tier_move",
                json!({"country": "AE", "from": null, "to": "A:5"}),
            )],
        ),
        yes(
            "en group removed",
            EN,
            "The rule applies to Country Group D:5.",
            "The rule applies to Country Group D:5.\nCambodia is removed from Country Group D:5.",
            vec![(
                "tier_move",
                json!({"country": "KH", "from": "D:5", "to": null}),
            )],
        ),
        yes(
            "en group list shrinks",
            EN,
            "Country Group D:5: Belarus, Cambodia, China, Iran, Russia.",
            "Country Group D:5: Belarus, China, Iran, Russia.",
            vec![(
                "tier_move",
                json!({"country": "KH", "from": "D:5", "to": null}),
            )],
        ),
        yes(
            "de group aufgenommen",
            DE,
            "Die Ländergruppe A:5 umfasst enge Verbündete.",
            "Die Ländergruppe A:5 umfasst enge Verbündete.\nKatar wird in die Ländergruppe A:5 aufgenommen.",
            vec![(
                "tier_move",
                json!({"country": "QA", "from": null, "to": "A:5"}),
            )],
        ),
        yes(
            "fr table row niveau",
            FR,
            "Pays | Niveau\nPologne | Niveau 2",
            "Pays | Niveau\nPologne | Niveau 1",
            vec![(
                "tier_move",
                json!({"country": "PL", "from": "tier 2", "to": "tier 1"}),
            )],
        ),
        yes(
            "en list moves one country",
            EN,
            "Tier 1: Australia, Belgium, Canada, Denmark.",
            "Tier 1: Australia, Belgium, Canada.\nTier 2: Denmark.",
            vec![(
                "tier_move",
                json!({"country": "DK", "from": "tier 1", "to": "tier 2"}),
            )],
        ),
        yes(
            "en korea alias",
            EN,
            "The Republic of Korea is in tier 1 for AI chips.",
            "South Korea is in tier 2 for AI chips.",
            vec![(
                "tier_move",
                json!({"country": "KR", "from": "tier 1", "to": "tier 2"}),
            )],
        ),
        // ---- dates ------------------------------------------------------------------------
        yes(
            "en compliance date",
            EN,
            "Compliance with the rule is required from May 15, 2025.",
            "Compliance with the rule is required from January 15, 2026.",
            vec![(
                "effective_date_changed",
                json!({"old": "2025-05-15", "new": "2026-01-15", "kind": "compliance"}),
            )],
        ),
        yes(
            "fr entrée en vigueur",
            FR,
            "Les nouvelles règles entreront en vigueur le 15 mai 2025.",
            "Les nouvelles règles entreront en vigueur le 15 septembre 2025.",
            vec![(
                "effective_date_changed",
                json!({"old": "2025-05-15", "new": "2025-09-15", "kind": "effective"}),
            )],
        ),
        yes(
            "de in kraft",
            DE,
            "Die Regeln sollten am 15. Mai 2025 in Kraft treten.",
            "Die Regeln sollen am 1. Oktober 2025 in Kraft treten.",
            vec![(
                "effective_date_changed",
                json!({"old": "2025-05-15", "new": "2025-10-01", "kind": "effective"}),
            )],
        ),
        yes(
            "en iso dates",
            EN,
            "Effective date: 2026-01-15.",
            "Effective date: 2026-02-01.",
            vec![(
                "effective_date_changed",
                json!({"old": "2026-01-15", "new": "2026-02-01", "kind": "effective"}),
            )],
        ),
        yes(
            "en date newly set",
            EN,
            "The rule was published in the Federal Register.",
            "The rule was published in the Federal Register.\nIt takes effect on January 13, 2025.",
            vec![(
                "effective_date_changed",
                json!({"old": null, "new": "2025-01-13", "kind": "effective"}),
            )],
        ),
        yes(
            "fr premier du mois",
            FR,
            "Le règlement délégué s'applique à partir du 15 novembre 2025.",
            "Le règlement délégué s'applique à partir du 1er décembre 2025.",
            vec![(
                "effective_date_changed",
                json!({"old": "2025-11-15", "new": "2025-12-01", "kind": "effective"}),
            )],
        ),
        // ---- rescission -----------------------------------------------------------------
        yes(
            "en not enforced",
            EN,
            "The AI Diffusion Rule was published on January 15, 2025.",
            "The AI Diffusion Rule was published on January 15, 2025.\nCommerce announced it will not enforce the AI Diffusion Rule.",
            vec![("rule_rescinded", json!({"kind": "not_enforced"}))],
        ),
        yes(
            "en rescinded",
            EN,
            "The interim final rule remains in place.",
            "The Department has rescinded the interim final rule.",
            vec![("rule_rescinded", json!({"kind": "rescinded"}))],
        ),
        yes(
            "fr abrogé",
            FR,
            "La règle de diffusion de l'IA reste en place.",
            "Le ministère a abrogé la règle de diffusion de l'IA.",
            vec![("rule_rescinded", json!({"kind": "rescinded"}))],
        ),
        yes(
            "de aufgehoben",
            DE,
            "Die KI-Diffusionsregel gilt weiterhin.",
            "Das Handelsministerium hat die KI-Diffusionsregel aufgehoben.",
            vec![("rule_rescinded", json!({"kind": "rescinded"}))],
        ),
        yes(
            "de ausgesetzt",
            DE,
            "Die Vorschrift zu Tochterfirmen gilt ab sofort.",
            "Die Vorschrift zu Tochterfirmen wird für ein Jahr ausgesetzt.",
            vec![("rule_rescinded", json!({"kind": "suspended"}))],
        ),
        yes(
            "en suspended",
            EN,
            "The affiliates rule applies to entities owned 50 % or more by listed parties.",
            "The affiliates rule applies to entities owned 50 % or more by listed parties.\nBIS suspended the affiliates rule for one year.",
            vec![("rule_rescinded", json!({"kind": "suspended"}))],
        ),
        yes(
            "fr ne sera pas appliquée",
            FR,
            "La règle sur la diffusion de l'IA a été publiée en janvier.",
            "Washington a annoncé que la règle sur la diffusion de l'IA ne sera pas appliquée.",
            vec![("rule_rescinded", json!({"kind": "not_enforced"}))],
        ),
        // ---- license policy ---------------------------------------------------------------
        yes(
            "en denial to case by case",
            EN,
            "Exports of such chips to China are reviewed under a presumption of denial.",
            "Exports of such chips to China are now reviewed case by case.",
            vec![(
                "license_policy_changed",
                json!({"old": "presumption of denial", "new": "case-by-case"}),
            )],
        ),
        yes(
            "en move stated in one sentence",
            EN,
            "Applications for these exports to China face a presumption of denial.",
            "Applications for these exports to China moved from a presumption of denial to case-by-case review.",
            vec![(
                "license_policy_changed",
                json!({"old": "presumption of denial", "new": "case-by-case"}),
            )],
        ),
        yes(
            "fr cas par cas",
            FR,
            "Les demandes sont examinées selon une présomption de refus.",
            "Les demandes sont désormais examinées au cas par cas.",
            vec![(
                "license_policy_changed",
                json!({"old": "presumption of denial", "new": "case-by-case"}),
            )],
        ),
        yes(
            "de einzelfall",
            DE,
            "Für diese Ausfuhren gilt eine Ablehnungsvermutung.",
            "Für diese Ausfuhren gilt nun eine Einzelfallprüfung.",
            vec![(
                "license_policy_changed",
                json!({"old": "presumption of denial", "new": "case-by-case"}),
            )],
        ),
        yes(
            "en exception added",
            EN,
            "Exporters may use License Exception NAC for these items.",
            "Exporters may use License Exception NAC or License Exception ACA for these items.",
            vec![(
                "license_policy_changed",
                json!({"old": null, "new": "License Exception ACA", "exception": "ACA", "change": "added"}),
            )],
        ),
        yes(
            "en exception withdrawn",
            EN,
            "Shipments may be made under License Exception LPP.",
            "License Exception LPP is no longer available for these shipments.",
            vec![(
                "license_policy_changed",
                json!({"old": "License Exception LPP", "new": null, "exception": "LPP", "change": "removed"}),
            )],
        ),
        yes(
            "fr exception added",
            FR,
            "Les exportations de mémoire sont soumises à licence.",
            "Les exportations de mémoire sont soumises à licence.\nCertaines exportations peuvent bénéficier de l'exception de licence HBM.",
            vec![(
                "license_policy_changed",
                json!({"old": null, "new": "License Exception HBM", "exception": "HBM", "change": "added"}),
            )],
        ),
        // ---- bills --------------------------------------------------------------------------
        yes(
            "en action line",
            EN,
            "S. 3150 — Introduced in Senate (11/06/2025).",
            "S. 3150 — Passed Senate (12/01/2025).",
            vec![(
                "bill_stage_changed",
                json!({"from": "introduced", "to": "passed_senate"}),
            )],
        ),
        yes(
            "en dropped from ndaa",
            EN,
            "The GAIN AI Act rides on the Senate NDAA.",
            "The GAIN AI Act rides on the Senate NDAA.\nThe GAIN AI Act was dropped from the final NDAA text.",
            vec![("bill_stage_changed", json!({"from": null, "to": "dropped"}))],
        ),
        yes(
            "fr adoptée par le sénat",
            FR,
            "La proposition de loi GAIN AI a été déposée au Sénat.",
            "La proposition de loi GAIN AI a été adoptée par le Sénat.",
            vec![(
                "bill_stage_changed",
                json!({"from": "introduced", "to": "passed_senate"}),
            )],
        ),
        yes(
            "de verabschiedet",
            DE,
            "Der Gesetzentwurf zu KI-Chips wurde eingebracht.",
            "Der Gesetzentwurf zu KI-Chips wurde vom Senat verabschiedet.",
            vec![(
                "bill_stage_changed",
                json!({"from": "introduced", "to": "passed_senate"}),
            )],
        ),
        yes(
            "en signed into law",
            EN,
            "The House passed the NDAA on December 10.",
            "The NDAA was signed into law on December 18.",
            vec![(
                "bill_stage_changed",
                json!({"from": "passed_house", "to": "enacted"}),
            )],
        ),
        yes(
            "en congress actions page",
            EN,
            "# S.3150 - GAIN AI Act of 2025\n11/06/2025 Introduced in Senate",
            "# S.3150 - GAIN AI Act of 2025\n11/06/2025 Introduced in Senate\n12/02/2025 Read twice and referred to the Committee on Banking, Housing, and Urban Affairs.",
            vec![(
                "bill_stage_changed",
                json!({"from": null, "to": "referred"}),
            )],
        ),
        // ---- ECCNs ----------------------------------------------------------------------------
        yes(
            "en eccn added",
            EN,
            "The rule adds new controls.",
            "The rule adds new controls.\nECCN 4E091 controls the weights of certain closed AI models.",
            vec![("eccn_changed", json!({"eccn": "4E091", "change": "added"}))],
        ),
        yes(
            "en eccn removed",
            EN,
            "Items under 3A090 and 4A090 require a license.",
            "Items under 3A090 require a license.",
            vec![(
                "eccn_changed",
                json!({"eccn": "4A090", "change": "removed"}),
            )],
        ),
        yes(
            "fr eccn z paragraph",
            FR,
            "Les articles relevant de l'ECCN 3A090.a sont concernés.",
            "Les articles relevant des ECCN 3A090.a et 5A992.z sont concernés.",
            vec![(
                "eccn_changed",
                json!({"eccn": "5A992.z", "change": "added"}),
            )],
        ),
        // ---- chips ----------------------------------------------------------------------------
        yes(
            "en chip named",
            EN,
            "Exports to China need a license.",
            "Exports to China need a license.\nNvidia's H20 now needs a license for China.",
            vec![("chip_added", json!({"chip": "H20"}))],
        ),
        yes(
            "en ascend 910d added",
            EN,
            "The guidance names the Huawei Ascend 910B and Ascend 910C.",
            "The guidance names the Huawei Ascend 910B, Ascend 910C and Ascend 910D.",
            vec![("chip_added", json!({"chip": "Ascend 910D"}))],
        ),
        yes(
            "de mi308 named",
            DE,
            "Ausfuhren nach China sind genehmigungspflichtig.",
            "Ausfuhren nach China sind genehmigungspflichtig.\nDer Export des AMD MI308 nach China ist genehmigungspflichtig.",
            vec![("chip_added", json!({"chip": "MI308"}))],
        ),
        yes(
            "en chip dropped",
            EN,
            "Sales of the H20 and MI308 chips resume.",
            "Sales of the H20 chips resume.",
            vec![("chip_removed", json!({"chip": "MI308"}))],
        ),
        yes(
            "fr chips and policy",
            FR,
            "Washington révise sa politique.",
            "Washington révise sa politique.\nLes puces H200 et MI325X pourront être exportées au cas par cas.",
            vec![
                ("chip_added", json!({"chip": "H200"})),
                ("chip_added", json!({"chip": "MI325X"})),
                (
                    "license_policy_changed",
                    json!({"old": null, "new": "case-by-case"}),
                ),
            ],
        ),
        // ---- a realistic page edit with several meanings ----------------------------------------
        yes(
            "en rules page several edits",
            EN,
            "## Which chips are covered\nAn integrated circuit falls under ECCN 3A090.a when its total processing performance (TPP) is 4,800 or more.\nCountry | Tier\nFrance | Tier 1\n## Dates\nCompliance with the rule is required from May 15, 2025.",
            "## Which chips are covered\nAn integrated circuit falls under ECCN 3A090.a when its total processing performance (TPP) is 4,000 or more.\nCountry | Tier\nFrance | Tier 2\n## Status\nOn May 13, 2025 the Department announced that it will not enforce the rule and has initiated its rescission.\n## Dates\nCompliance with the rule is required from January 15, 2026.",
            vec![
                ("rule_rescinded", json!({"kind": "not_enforced"})),
                (
                    "threshold_changed",
                    thr("tpp", json!(4800), json!(4000), "TPP"),
                ),
                (
                    "tier_move",
                    json!({"country": "FR", "from": "tier 1", "to": "tier 2"}),
                ),
                (
                    "effective_date_changed",
                    json!({"old": "2025-05-15", "new": "2026-01-15", "kind": "compliance"}),
                ),
            ],
        ),
        yes(
            "en withdrawing with replacement",
            EN,
            "Officials said the rule stays.",
            "Officials said Commerce is withdrawing the AI diffusion rule and will issue a replacement.",
            vec![("rule_rescinded", json!({"kind": "rescinded"}))],
        ),
        yes(
            "fr renonce à appliquer",
            FR,
            "Washington maintient la règle.",
            "Washington renonce à appliquer la règle sur la diffusion de l'IA.",
            vec![("rule_rescinded", json!({"kind": "not_enforced"}))],
        ),
        yes(
            "de nicht mehr durchsetzen",
            DE,
            "Die Regel bleibt bestehen.",
            "Washington will die Regel nicht mehr durchsetzen.",
            vec![("rule_rescinded", json!({"kind": "not_enforced"}))],
        ),
        yes(
            "en second date in the same sentence",
            EN,
            "The rule took effect on January 13, 2025.",
            "The rule took effect on January 13, 2025, and compliance begins May 15, 2025.",
            vec![(
                "effective_date_changed",
                json!({"old": null, "new": "2025-05-15", "kind": "compliance"}),
            )],
        ),
        yes(
            "en comparator symbol",
            EN,
            "The GAIN AI Act would cover chips with TPP ≥ 4,800.",
            "The GAIN AI Act would cover chips with TPP ≥ 2,400.",
            vec![(
                "threshold_changed",
                thr("tpp", json!(4800), json!(2400), "TPP"),
            )],
        ),
        yes(
            "en moves to tier 1",
            EN,
            "Singapore remains in Tier 2.",
            "Singapore moves to Tier 1.",
            vec![(
                "tier_move",
                json!({"country": "SG", "from": "tier 2", "to": "tier 1"}),
            )],
        ),
        yes(
            "en fee on licenses",
            EN,
            "Export licenses for the H200 carry a 25% fee paid to the U.S. government.",
            "Export licenses for the H200 carry a 15% fee paid to the U.S. government.",
            vec![("tariff_changed", json!({"old": 25, "new": 15, "unit": "%"}))],
        ),
        yes(
            "fr plafond par client",
            FR,
            "Le plafond par client est fixé à 1 700 puces.",
            "Le plafond par client est fixé à 2 000 puces.",
            vec![(
                "quota_changed",
                json!({"old": 1700, "new": 2000, "unit": "GPU", "scope": "per_consignee"}),
            )],
        ),
        // ---- negative cases: no tag at all -------------------------------------------------------
        none(
            "en trade pact duties",
            EN,
            "The TPP agreement, which Vietnam joined, cut duties by 5 %.",
            "The TPP agreement, which Vietnam joined, cut duties by 7 %.",
        ),
        none(
            "en price cut percent",
            EN,
            "AMD cut prices on its MI300X by 10 %.",
            "AMD cut prices on its MI300X by 15 %.",
        ),
        none(
            "en funding and cluster size",
            EN,
            "The company raised $2 billion to build data centers with 20,000 H100s.",
            "The company raised $3 billion to build data centers with 30,000 H100s.",
        ),
        none(
            "en reformatted number",
            EN,
            "An integrated circuit is controlled when its TPP is 4800 or more.",
            "An integrated circuit is controlled when its TPP is 4,800 or more.",
        ),
        none(
            "fr narrow space reformat",
            FR,
            "Le seuil reste fixé à une TPP de 4 800 pour les puces.",
            "Le seuil reste fixé à une TPP de 4\u{202F}800 pour les puces.",
        ),
        none(
            "de dotted thousands",
            DE,
            "Für Chips gilt eine Schwelle von 4800 TPP.",
            "Für Chips gilt eine Schwelle von 4.800 TPP.",
        ),
        none(
            "en tb/s equals gb/s",
            EN,
            "The bill covers chips with a DRAM bandwidth of at least 1.4 TB/s.",
            "The bill covers chips with a DRAM bandwidth of at least 1,400 GB/s.",
        ),
        none(
            "en trans-pacific partnership share",
            EN,
            "Japan wants to revive the TPP, which once covered 40 % of world trade.",
            "Japan wants to revive the TPP, which once covered 38 % of world trade.",
        ),
        none(
            "en tpp trade pact members",
            EN,
            "The TPP trade pact counted 12 members.",
            "The TPP trade pact counted 11 members after one left.",
        ),
        none(
            "en company purchase",
            EN,
            "Mistral bought 18,000 GPUs for its Paris cluster.",
            "Mistral bought 20,000 GPUs for its Paris cluster.",
        ),
        none(
            "en public comments",
            EN,
            "BIS received 4,800 public comments on the rule.",
            "BIS received 5,100 public comments on the rule.",
        ),
        none(
            "en moved paragraphs",
            EN,
            "Chips are controlled when their TPP is 4,800 or more.\nFrance | Tier 1\nCompliance is required from May 15, 2025.",
            "France | Tier 1\nCompliance is required from May 15, 2025.\nChips are controlled when their TPP is 4,800 or more.",
        ),
        none(
            "en timestamp",
            EN,
            "Last updated: May 5, 2025",
            "Last updated: June 2, 2025",
        ),
        none(
            "en data center tier",
            EN,
            "Our Frankfurt site in Germany is a Tier III data center for AI chips.",
            "Our Frankfurt site in Germany is a Tier IV data center for AI chips.",
        ),
        none(
            "en tier-1 supplier",
            EN,
            "Bosch, a tier-1 supplier in Germany, expanded its chip plant.",
            "Bosch, a tier-2 supplier in Germany, expanded its chip plant.",
        ),
        none(
            "en rescinded job offer",
            EN,
            "The company hired a new CEO.",
            "The company hired a new CEO.\nThe company rescinded the offer to its new CEO.",
        ),
        none(
            "en negated rescission",
            EN,
            "The AI Diffusion Rule was announced in January.",
            "The AI Diffusion Rule was announced in January.\nNo formal rescission notice for the AI Diffusion Rule has been published.",
        ),
        none(
            "en reflowed whitespace",
            EN,
            "The TPP threshold is 4,800 or more for chips.",
            "The TPP  threshold is 4,800  or more for chips.",
        ),
        none(
            "fr cloud providers rank",
            FR,
            "Les fournisseurs de cloud de premier rang investissent en France dans l'IA.",
            "Les fournisseurs de cloud de second rang investissent en France dans l'IA.",
        ),
        none(
            "en chip spec bandwidth",
            EN,
            "The H200 offers 141 GB of HBM3e and 4.8 TB/s of bandwidth.",
            "The H200 offers 141 GB of HBM3e and 4.9 TB/s of bandwidth.",
        ),
        none(
            "en publication date",
            EN,
            "The rule was published on January 15, 2025.",
            "The rule was published on January 16, 2025.",
        ),
        none(
            "en unrelated bill",
            EN,
            "The Senate met on Monday.",
            "The Senate met on Monday.\nThe Senate passed a bill on farm subsidies.",
        ),
        none(
            "de autobahn a100",
            DE,
            "Verkehrsmeldung für Berlin.",
            "Verkehrsmeldung für Berlin.\nStau auf der A100 in Berlin am Montag.",
        ),
        none(
            "en compute share percent",
            EN,
            "About 75 % of the compute must stay in tier 1 countries.",
            "About 80 % of the compute must stay in tier 1 countries.",
        ),
        none(
            "en years near tpp",
            EN,
            "The TPP cap for 2025 to 2027 stays in place.",
            "The TPP cap for 2026 to 2028 stays in place.",
        ),
        none(
            "de decimal comma reformat",
            DE,
            "Die Leistungsdichte von 5,92 gilt weiter für Chips.",
            "Die Leistungsdichte von 5,920 gilt weiter für Chips.",
        ),
        none(
            "fr press rewording",
            FR,
            "Selon Reuters, Nvidia vend toujours des H20 en Chine.",
            "D'après Reuters, Nvidia vend toujours des H20 en Chine.",
        ),
        none(
            "en tariffs on products count",
            EN,
            "The Trans-Pacific Partnership (TPP) would cut tariffs on 18,000 products.",
            "The Trans-Pacific Partnership (TPP) would cut tariffs on 18,500 products.",
        ),
        none(
            "en export growth percent",
            EN,
            "Exports of chips to Malaysia rose 30 % in 2025.",
            "Exports of chips to Malaysia rose 35 % in 2025.",
        ),
        none(
            "en startup deploys up to",
            EN,
            "The startup plans to deploy up to 10,000 GPUs next year.",
            "The startup plans to deploy up to 12,000 GPUs next year.",
        ),
        none(
            "en moved date paragraph",
            EN,
            "Background on the rule.\nCompliance is required from May 15, 2025.",
            "Compliance is required from May 15, 2025.\nBackground on the rule.",
        ),
        none(
            "de press quote reworded",
            DE,
            "Nvidia darf laut Bericht wieder H20-Chips nach China liefern.",
            "Laut Bericht darf Nvidia wieder H20-Chips nach China liefern.",
        ),
        none(
            "fr date de publication",
            FR,
            "Le texte a été publié le 15 janvier 2025.",
            "Le texte a été publié le 16 janvier 2025.",
        ),
        // ---- negative cases: not a given tag ---------------------------------------------------
        not(
            "en company order is no quota",
            EN,
            "Nvidia reported strong demand.",
            "Nvidia reported strong demand.\nA cloud firm said it will order 50,000 more chips for its data centres in Germany.",
            &["quota_changed", "tier_move"],
        ),
        not(
            "fr tiers mentioned loosely",
            FR,
            "Le texte américain fait débat.",
            "Le texte américain fait débat.\nLe texte classe les pays en trois niveaux, selon la presse.",
            &["tier_move"],
        ),
        not(
            "en revenue without percent",
            EN,
            "Nvidia's revenue was $30 billion.",
            "Nvidia's revenue was $35 billion.",
            &["tariff_changed", "quota_changed", "threshold_changed"],
        ),
        not(
            "de zeitstempel",
            DE,
            "Stand: 15. Mai 2025",
            "Stand: 20. Mai 2025",
            &["effective_date_changed"],
        ),
    ]
}

fn detail_matches(expected: &Value, got: &Value) -> bool {
    let (Some(e), Some(g)) = (expected.as_object(), got.as_object()) else {
        return false;
    };
    e.iter().all(
        |(k, v)| match (v.as_f64(), g.get(k).and_then(Value::as_f64)) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
            _ => g.get(k) == Some(v),
        },
    )
}

/// A plain `main` (the target has `harness = false`) so that the precision and recall lines show
/// in every `cargo test` run, not only with `--nocapture`.
fn main() {
    let cases = corpus();
    let negatives = cases
        .iter()
        .filter(|c| match &c.expect {
            Expect::Tags(t) => t.is_empty(),
            Expect::Not(_) => true,
        })
        .count();
    assert!(cases.len() >= 80, "only {} cases", cases.len());
    assert!(
        negatives * 4 >= cases.len(),
        "only {negatives} negative cases"
    );
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut report = String::new();
    for c in &cases {
        let old: Vec<String> = c.old.split('\n').map(str::to_string).collect();
        let new: Vec<String> = c.new.split('\n').map(str::to_string).collect();
        let diff = diff_blocks(&old, &new);
        let got = tag_hunks(
            &diff.hunks,
            &TagContext {
                lang: c.lang,
                source_id: "corpus",
                rules: &[],
            },
        );
        for t in &got {
            assert!(!t.summary.is_empty(), "{}: empty summary", c.name);
            assert!(
                !(t.evidence.old.is_empty() && t.evidence.new.is_empty()),
                "{}: no evidence",
                c.name
            );
        }
        match &c.expect {
            Expect::Tags(expected) => {
                let mut used = vec![false; got.len()];
                for (tag, detail) in expected {
                    for f in required_fields(tag) {
                        assert!(
                            detail.get(f).is_some(),
                            "{}: expectation for {tag} lacks {f}",
                            c.name
                        );
                    }
                    let hit = got.iter().enumerate().find(|(i, g)| {
                        !used[*i] && g.tag == *tag && detail_matches(detail, &g.detail)
                    });
                    if let Some((i, _)) = hit {
                        used[i] = true;
                        tp += 1;
                    } else {
                        fn_ += 1;
                        report.push_str(&format!("MISSED {}: {tag} {detail}\n", c.name));
                    }
                }
                for (i, g) in got.iter().enumerate() {
                    if !used[i] {
                        fp += 1;
                        report.push_str(&format!(
                            "EXTRA  {}: {} {} ({})\n",
                            c.name, g.tag, g.detail, g.summary
                        ));
                    }
                }
            }
            Expect::Not(ids) => {
                for g in got.iter().filter(|g| ids.contains(&g.tag.as_str())) {
                    fp += 1;
                    report.push_str(&format!(
                        "EXTRA  {}: {} {} ({})\n",
                        c.name, g.tag, g.detail, g.summary
                    ));
                }
            }
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    println!(
        "tag corpus: {} cases ({negatives} negative), {tp} expected tags found, {fp} false positives, {fn_} missed",
        cases.len()
    );
    println!("precision {precision:.3}  recall {recall:.3}");
    if !report.is_empty() {
        println!("{report}");
    }
    assert!(
        precision >= 0.95 && recall >= 0.95,
        "precision {precision:.3}, recall {recall:.3}\n{report}"
    );
}
