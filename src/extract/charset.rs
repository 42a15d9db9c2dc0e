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
    let enc = declared.unwrap_or(encoding_rs::UTF_8);
    enc.decode_without_bom_handling(body).0.into_owned()
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
        assert_eq!(decode(b"a\xffb", None), "a\u{FFFD}b");
    }
}
