//! CSS selectors of `select` and `remove`: parsed once at load time, and explained in plain words
//! when they are wrong (the parser's own errors name its internals, such as
//! `DanglingCombinator`, and ask the reader to report a bug).

use cssparser::{BasicParseErrorKind, ParseErrorKind};
use scraper::Selector;
use selectors::parser::{ParseRelative, SelectorList, SelectorParseErrorKind};
use toml::Spanned;

use super::error::{ConfigError, Ctx};
use crate::extract::Css;

/// `select` and `remove` of one source, parsed.
pub(super) fn css(
    ctx: &Ctx<'_>,
    select: &[Spanned<String>],
    remove: &[Spanned<String>],
) -> Result<Css, ConfigError> {
    let mut css = Css::default();
    for (key, list, parsed) in [
        ("select", select, &mut css.select),
        ("remove", remove, &mut css.remove),
    ] {
        for sel in list {
            parsed.push(parse_selector(sel.get_ref()).map_err(|why| {
                ctx.err(
                    sel.span(),
                    format!(
                        "`{key}`: invalid CSS selector \"{}\": {why}; expected e.g. \"main article\" or \".content p\"",
                        sel.get_ref()
                    ),
                )
            })?);
        }
    }
    Ok(css)
}

/// Parses a selector list, or says in plain words what is wrong with it and where.
///
/// # Errors
/// What is wrong, e.g. `a combinator (>, +, ~) must be followed by a selector`.
pub(super) fn parse_selector(text: &str) -> Result<Selector, String> {
    Selector::parse(text).map_err(|_| explain(text))
}

/// Parses `text` again with the parser scraper uses, keeping what scraper drops: the error kind
/// and where the parser stopped.
fn explain(text: &str) -> String {
    if text.trim().is_empty() {
        return "the selector is empty: expected at least one element, class or id".into();
    }
    if let Some(why) = list_problem(text) {
        return why;
    }
    let mut parser = cssparser::Parser::new(text);
    let error =
        match SelectorList::parse(&scraper::selector::Parser, &mut parser, ParseRelative::No) {
            Ok(_) => return GENERIC.into(),
            Err(e) => e,
        };
    let read = text.get(..parser.position().byte_index()).unwrap_or(text);
    match &error.kind {
        ParseErrorKind::Basic(kind) => basic(kind, read),
        ParseErrorKind::Custom(SelectorParseErrorKind::EmptySelector) => nothing_selected(read),
        ParseErrorKind::Custom(kind) => custom(kind).to_string(),
    }
}

/// The fallback, for errors without a plainer explanation.
const GENERIC: &str = "not a valid CSS selector";

/// Errors of the tokenizer level; `read` is the text the parser had read when it stopped.
fn basic(kind: &BasicParseErrorKind, read: &str) -> String {
    match kind {
        BasicParseErrorKind::UnexpectedToken => {
            let read = read.trim_end();
            let token = last_token(read);
            let at = read.chars().count() - token.chars().count() + 1;
            match token {
                "" => GENERIC.into(),
                ")" => format!(
                    "what is inside the parentheses closed at character {at} is not valid there: expected e.g. :nth-child(2n+1) or :not(.ad)"
                ),
                "]" => format!(
                    "the attribute selector closed at character {at} is not valid: expected e.g. [href] or [lang=\"fr\"]"
                ),
                _ => format!("unexpected \"{token}\" at character {at}"),
            }
        }
        BasicParseErrorKind::EndOfInput => ends_early(read).into(),
        BasicParseErrorKind::AtRuleInvalid | BasicParseErrorKind::AtRuleBodyInvalid => {
            "@-rules (such as @media) are not selectors".into()
        }
        BasicParseErrorKind::TooManyNestedBlocks => {
            "brackets or parentheses are nested too deeply".into()
        }
        BasicParseErrorKind::QualifiedRuleInvalid => GENERIC.into(),
    }
}

/// A selector of the comma-separated list that is empty or starts with a combinator (the parser
/// reads ahead, so its position would point past the problem).
fn list_problem(text: &str) -> Option<String> {
    let mut depth = 0usize;
    let mut items = vec![String::new()];
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push(String::new());
                continue;
            }
            _ => {}
        }
        items.last_mut()?.push(c);
    }
    let several = items.len() > 1;
    items.iter().find_map(|item| match item.trim().chars().next() {
        None if several => Some("a selector in the comma-separated list is empty".to_string()),
        Some(c @ ('>' | '+' | '~')) => Some(format!(
            "a selector cannot start with a combinator (\"{c}\"): put the element it relates to first, e.g. \"main {c} p\""
        )),
        _ => None,
    })
}

/// Why the parser found no selector where one starts (at the start, after a comma or inside
/// parentheses); `read` is the text it had read, which may run a token past the problem.
fn nothing_selected(read: &str) -> String {
    let start = read.rfind([',', '(']).map_or(0, |i| i + 1);
    let rest = read[start..].trim_start();
    let at = read.len() - rest.len();
    let at = read[..at].chars().count() + 1;
    match first_token(rest) {
        "" | ")" if read.ends_with('(') || read.replace(' ', "").ends_with("()") => {
            "the parentheses are empty: expected a selector inside, e.g. :not(.ad)".into()
        }
        "" => "the selector is empty: expected at least one element, class or id".into(),
        "#" => "\"#\" must be followed by an id, e.g. \"#main\"".into(),
        "." => "\".\" must be followed by a class name, e.g. \".content\" (names cannot start with a digit)".into(),
        "@" => "@-rules (such as @media) are not selectors".into(),
        t if t.starts_with(|c: char| c.is_ascii_digit()) => format!(
            "\"{t}\" at character {at}: names of elements, classes and ids cannot start with a digit"
        ),
        t => format!(
            "unexpected \"{t}\" at character {at}: expected an element name, .class, #id, [attribute] or :pseudo-class"
        ),
    }
}

/// Why a selector that ends too early is incomplete.
fn ends_early(text: &str) -> &'static str {
    let open = |o: char, c: char| text.matches(o).count() > text.matches(c).count();
    match text.trim_end().chars().next_back() {
        Some('.') => "\".\" must be followed by a class name, e.g. \".content\"",
        Some('#') => "\"#\" must be followed by an id, e.g. \"#main\"",
        Some(':') => "\":\" must be followed by a pseudo-class name, e.g. \":first-child\"",
        Some('>' | '+' | '~') => "a combinator (>, +, ~) must be followed by a selector",
        Some(',') => "a comma must be followed by another selector",
        Some(']') if text.replace(' ', "").contains("=]") => {
            "the value in [name=value] is missing: expected e.g. [lang=\"fr\"]"
        }
        _ if open('[', ']') => "a \"[\" is not closed by \"]\"",
        _ if open('(', ')') => "a \"(\" is not closed by \")\"",
        _ => {
            "the selector ends too early: a quote is not closed, or something is missing at the end"
        }
    }
}

/// Whether `c` can be part of a CSS name (roughly).
fn is_name(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// The first token of `text`, roughly as CSS reads it: a name, or one other character.
fn first_token(text: &str) -> &str {
    let end = match text.chars().next() {
        None => 0,
        Some(c) if is_name(c) => text.find(|c: char| !is_name(c)).unwrap_or(text.len()),
        Some(c) => c.len_utf8(),
    };
    &text[..end]
}

/// The last token of `text`, roughly as CSS reads it: a name (letters, digits, `-`, `_`), or one
/// other character.
fn last_token(text: &str) -> &str {
    let Some(last) = text.chars().next_back() else {
        return "";
    };
    let start = if is_name(last) {
        text.char_indices()
            .rev()
            .take_while(|(_, c)| is_name(*c))
            .last()
            .map_or(0, |(i, _)| i)
    } else {
        text.len() - last.len_utf8()
    };
    &text[start..]
}

/// Errors of the selector grammar, in plain words.
fn custom(kind: &SelectorParseErrorKind) -> &'static str {
    use SelectorParseErrorKind as K;
    match kind {
        K::DanglingCombinator => "a combinator (>, +, ~) must be followed by a selector",
        K::EmptySelector => "a selector is empty",
        K::ClassNeedsIdent => "\".\" must be followed by a class name, e.g. \".content\"",
        K::NoIdentForPseudo => {
            "\":\" must be followed by a pseudo-class name, e.g. \":first-child\""
        }
        K::PseudoElementExpectedColon | K::PseudoElementExpectedIdent => {
            "\"::\" must be followed by a pseudo-element name"
        }
        K::UnsupportedPseudoClassOrElement => {
            "unsupported pseudo-class or pseudo-element: only structural ones work on a fetched page (e.g. :first-child, :nth-child(2), :not(...), :has(...)), not :hover, :visited or ::before"
        }
        K::UnexpectedIdent => {
            "unexpected name: a name must follow \".\", \"#\", \":\" or a combinator, or be an element name at the start"
        }
        K::InvalidState => {
            "this is not allowed at this place (e.g. :has() inside :has(), or anything after a pseudo-element)"
        }
        K::NonCompoundSelector => "only a simple selector (no combinators) is allowed here",
        K::NonPseudoElementAfterSlotted
        | K::InvalidPseudoElementAfterSlotted
        | K::InvalidPseudoElementInsideWhere => "this pseudo-element is not allowed here",
        K::NoQualifiedNameInAttributeSelector => {
            "an attribute selector needs a name, e.g. [href] or [lang=\"fr\"]"
        }
        K::ExpectedBarInAttr | K::InvalidQualNameInAttr => {
            "invalid attribute name: expected e.g. [href] or [data-id=\"3\"]"
        }
        K::UnexpectedTokenInAttributeSelector => {
            "invalid attribute selector: expected [name], [name=\"value\"], [name~=\"value\"], [name^=\"value\"], [name$=\"value\"] or [name*=\"value\"]"
        }
        K::BadValueInAttr => "the value in [name=value] must be a word or a quoted string",
        K::ExpectedNamespace | K::ExplicitNamespaceUnexpectedToken => {
            "namespaces (ns|name) are not supported"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(text: &str) -> String {
        match parse_selector(text) {
            Ok(_) => panic!("{text:?} parsed"),
            Err(e) => e,
        }
    }

    #[test]
    fn good_selectors_parse() {
        for s in [
            "main",
            "main article",
            ".content p",
            "#x > p + ul ~ ol",
            "[role=main]",
            "li:first-child",
            "tr:nth-child(2n+1)",
            "div:not(.ad)",
            "section:has(> h2)",
        ] {
            assert!(parse_selector(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn bad_selectors_are_explained_in_plain_words() {
        let cases: &[(&str, &str)] = &[
            (
                "main >",
                "a combinator (>, +, ~) must be followed by a selector",
            ),
            ("", "the selector is empty"),
            ("div.", "\".\" must be followed by a class name"),
            ("a:hover", "unsupported pseudo-class"),
            ("div[", "a \"[\" is not closed by \"]\""),
            ("[a=]", "the value in [name=value] is missing"),
            ("> p", "cannot start with a combinator (\">\")"),
            ("a, + p", "cannot start with a combinator (\"+\")"),
            (
                "a:nth-child(x)",
                "inside the parentheses closed at character 14",
            ),
            (
                "section:has(> h2), > p",
                "cannot start with a combinator (\">\")",
            ),
            ("#", "\"#\" must be followed by an id"),
            ("a,,b", "a selector in the comma-separated list is empty"),
            ("1a", "cannot start with a digit"),
            (".1", "cannot start with a digit"),
            ("a:not()", "the parentheses are empty"),
            ("li:not(", "the parentheses are empty"),
            ("#", "\"#\" must be followed by an id"),
            ("a:", "\":\" must be followed by a pseudo-class name"),
            ("a,", "a selector in the comma-separated list is empty"),
            ("p!", "unexpected \"!\" at character 2"),
            (
                "main >> >",
                "a combinator (>, +, ~) must be followed by a selector",
            ),
            ("@media print", "@-rules"),
        ];
        for (text, expected) in cases {
            let e = why(text);
            assert!(e.contains(expected), "{text:?}: {e}");
        }
    }

    #[test]
    fn no_message_mentions_parser_internals() {
        for text in [
            "main >",
            "",
            " ",
            "a,,b",
            "div.",
            "a:hover",
            "div[",
            "p!",
            "main >> >",
            "::",
            "a::b",
            "[=x]",
            "[a=]",
            "[a~b]",
            "ns|a",
            "a::before p",
            ":not(",
            "#",
            "> p",
            "a:",
            "[a|=",
            "1a",
            "a b c >",
            "a:nth-child(x)",
            ".1",
            "a..b",
        ] {
            let e = why(text);
            for internal in [
                "report this",
                "developer",
                "Dangling",
                "Selector",
                "Token",
                "Kind",
                "Error",
            ] {
                assert!(!e.contains(internal), "{text:?}: {e}");
            }
            assert!(!e.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn last_tokens() {
        assert_eq!(last_token("main >>"), ">");
        assert_eq!(last_token("a:nth-child(foo"), "foo");
        assert_eq!(last_token("été"), "été");
        assert_eq!(last_token(""), "");
        assert_eq!(first_token("1a b"), "1a");
        assert_eq!(first_token("@media"), "@");
        assert_eq!(first_token(""), "");
    }
}
