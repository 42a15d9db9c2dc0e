//! A minimal PDF writer for tests: pages of ASCII paragraphs in Helvetica, each page with a
//! running header and a "Page N of M" footer, as official PDFs have.

/// Builds a PDF whose pages hold these paragraphs (each paragraph one or more lines).
pub fn pdf(header: &str, pages: &[Vec<Vec<&str>>]) -> Vec<u8> {
    let n = pages.len();
    // Objects: 1 catalog, 2 pages, 3 font, then per page: page object and content stream.
    let mut objects: Vec<String> = Vec::new();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {n} >>",
        kids.join(" ")
    ));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into());
    for (i, paragraphs) in pages.iter().enumerate() {
        let mut content = String::new();
        content.push_str(&format!("BT /F1 9 Tf 72 770 Td ({}) Tj ET\n", esc(header)));
        content.push_str("BT /F1 11 Tf 72 720 Td 14 TL\n");
        for para in paragraphs {
            for line in para {
                content.push_str(&format!("({}) Tj T*\n", esc(line)));
            }
            content.push_str("T* T*\n");
        }
        content.push_str("ET\n");
        content.push_str(&format!(
            "BT /F1 9 Tf 280 40 Td (Page {} of {n}) Tj ET\n",
            i + 1
        ));
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ));
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{obj}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}
