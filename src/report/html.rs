//! Small HTML pieces: escaped text and tables.

/// Escape text for HTML.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A table with a header row; every cell is escaped.
pub fn table<R: AsRef<[String]>>(headers: &[&str], rows: &[R]) -> String {
    let mut h = String::from("<table class=\"hpp\">\n<thead><tr>");
    for c in headers {
        h.push_str(&format!("<th>{}</th>", escape(c)));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        h.push_str("<tr>");
        for c in r.as_ref() {
            h.push_str(&format!("<td>{}</td>", escape(c)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>");
    h
}

/// HTML to show in a notebook as it is (tables from the experiments).
#[derive(Debug, Clone, PartialEq)]
pub struct Html(pub String);

impl Html {
    /// Show in a notebook.
    pub fn evcxr_display(&self) {
        println!(
            "{}",
            crate::display::evcxr_content(&[("text/html", &self.0)])
        );
    }
}
