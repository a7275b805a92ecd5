//! evcxr's display protocol, written in one place: a value shows itself in
//! a notebook by printing `EVCXR_BEGIN_CONTENT <mime>` … `EVCXR_END_CONTENT`
//! blocks; the front end picks the richest type it can render.

/// The blocks for `parts`, each a (MIME type, content) pair, richest first.
pub fn evcxr_content(parts: &[(&str, &str)]) -> String {
    parts
        .iter()
        .map(|(mime, body)| format!("EVCXR_BEGIN_CONTENT {mime}\n{body}\nEVCXR_END_CONTENT"))
        .collect::<Vec<_>>()
        .join("\n")
}
