//! Bytes → UTF-8 text: byte-order mark, then the `Content-Type` charset, then a `<meta>` charset in
//! the first KiB, then UTF-8 (with replacement characters for invalid bytes, never a panic).

use encoding_rs::Encoding;

/// Decodes a body to text using, in order: BOM, the header's charset, a `<meta>` charset, UTF-8.
#[must_use]
pub fn decode(body: &[u8], content_type: Option<&str>) -> String {
    if let Some((enc, bom_len)) = Encoding::for_bom(body) {
        return enc
            .decode_without_bom_handling(&body[bom_len..])
            .0
            .into_owned();
    }
    let declared = content_type
        .and_then(charset_param)
        .or_else(|| meta_charset(body))
        .and_then(|label| Encoding::for_label(label.as_bytes()));
    let enc = declared.unwrap_or_else(|| detect(body));
    enc.decode_without_bom_handling(body).0.into_owned()
}

/// No BOM and no declaration: valid UTF-8 is UTF-8; anything else is guessed from the bytes
/// (chardetng, as browsers do), which tells ISO-8859-1/Windows-1252 French from the rest.
fn detect(body: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(body).is_ok() {
        return encoding_rs::UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(body, true);
    det.guess(None, chardetng::Utf8Detection::Allow)
}

fn charset_param(ct: &str) -> Option<String> {
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset")).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Finds `charset=…` inside a `<meta …>` tag in the first 1024 bytes.
fn meta_charset(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(1024)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let mut rest = head.as_str();
    while let Some(i) = rest.find("<meta") {
        rest = &rest[i + 5..];
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..tag_end];
        if let Some(j) = tag.find("charset=") {
            let v: String = tag[j + 8..]
                .trim_start_matches(['"', '\''])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
                .collect();
            if !v.is_empty() {
                return Some(v);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undeclared_latin1_is_detected() {
        let body = "<p>Le r\u{e8}glement d\u{e9}l\u{e9}gu\u{e9} modifie l'annexe I : les \u{e9}quipements \u{e0} double usage sont soumis \u{e0} autorisation.</p>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(body);
        let text = decode(&bytes, Some("text/html"));
        assert_eq!(text, body);
        assert_eq!(decode("d\u{e9}j\u{e0}".as_bytes(), None), "d\u{e9}j\u{e0}");
    }

    #[test]
    fn latin1_by_header_and_by_meta() {
        let bytes = b"r\xe9glement d\xe9l\xe9gu\xe9";
        assert_eq!(
            decode(bytes, Some("text/html; charset=ISO-8859-1")),
            "réglement délégué"
        );
        let page = b"<html><head><meta charset=\"iso-8859-1\"></head><body>\xe9t\xe9</body></html>";
        assert!(decode(page, Some("text/html")).contains("été"));
        let page = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">\x93x\x94";
        assert!(decode(page, None).contains("\u{201C}x\u{201D}"));
    }

    #[test]
    fn bom_wins_and_invalid_utf8_is_replaced() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFabc", Some("text/html; charset=latin1")),
            "abc"
        );
        // Declared UTF-8 that is not: replacement characters, never a failure.
        assert_eq!(
            decode(b"a\xffb", Some("text/html; charset=utf-8")),
            "a\u{FFFD}b"
        );
    }
}
