//! The machine card: the facts every number depends on, as a compact HTML
//! banner in a notebook, text in a terminal and JSON for comparison.

use std::fmt;

use crate::error::{Error, Fact, Result};
use crate::machine::{Cache, Machine};
use crate::units::{fmt_bytes, fmt_sig};

use super::html::escape;

fn cache_text(c: &Cache) -> String {
    let mut extra = Vec::new();
    if let Some(w) = c.ways {
        extra.push(format!("{w}-way"));
    }
    if let Some(l) = c.line_bytes {
        extra.push(format!("{l} B line"));
    }
    match c.shared_by_cpus {
        Some(1) => extra.push("per CPU".to_string()),
        Some(n) => extra.push(format!("shared by {n} CPUs")),
        None => {}
    }
    format!(
        "{} {} ({})",
        c.label(),
        fmt_bytes(c.size_bytes),
        extra.join(", ")
    )
}

impl Machine {
    /// The card as `(heading, text)` rows, shared by the text and HTML forms.
    /// A reason for something unknown is said once: parts of a row show "?"
    /// and the reasons follow in a last row.
    pub fn card_rows(&self) -> Vec<(&'static str, String)> {
        // Reasons behind a "?" (listed in a last row), and reasons a whole
        // row has already spelled out (later rows say "as above").
        let marks = std::cell::RefCell::new(Vec::<String>::new());
        let spelled = std::cell::RefCell::new(Vec::<String>::new());
        let add = |set: &std::cell::RefCell<Vec<String>>, reason: &str| {
            let mut v = set.borrow_mut();
            let new = !v.iter().any(|r| r == reason);
            if new {
                v.push(reason.to_string());
            }
            new
        };
        // Part of a row: the value, or "?" with the reason kept for the end.
        let q = |f: Fact<String>| match f {
            Fact::Known(v) => v,
            Fact::Unavailable(u) => {
                add(&marks, u.reason());
                "?".to_string()
            }
        };
        // A whole row: the value, or the reason the first time it comes up.
        let whole = |f: Fact<String>| match f {
            Fact::Known(v) => v,
            Fact::Unavailable(u) => {
                if add(&spelled, u.reason()) {
                    format!("unavailable ({})", u.reason())
                } else {
                    "unavailable (as above)".to_string()
                }
            }
        };
        let c = &self.cpu;
        let n = |f: &Fact<usize>| q(f.clone().map(|v| v.to_string()));
        let topo = match (c.physical_cores.known(), c.threads_per_core.known()) {
            (Some(p), Some(t)) => {
                format!("{p} cores × {t} thread{}", if *t == 1 { "" } else { "s" })
            }
            _ => format!("{} cores", n(&c.physical_cores)),
        };
        let fm = c
            .family_model
            .known()
            .map(|f| format!(", family {} model {}", f.family, f.model))
            .unwrap_or_default();
        let cpu = format!(
            "{} ({}{fm}), {} · {} logical CPUs ({} usable) · {} · {} package(s)",
            q(c.brand.clone()),
            q(c.vendor.clone()),
            c.arch,
            n(&c.logical_cpus),
            n(&c.available_parallelism),
            topo,
            n(&c.packages)
        );
        let caches = whole(self.caches.clone().map(|cs| {
            format!(
                "{}  [{}]",
                cs.iter().map(cache_text).collect::<Vec<_>>().join(" · "),
                self.cache_source.as_deref().unwrap_or("?")
            )
        }));
        let simd = if self.simd.features.is_empty() {
            "none that hpp knows how to ask for on this architecture".to_string()
        } else {
            format!(
                "{} · widest {}-bit",
                self.simd.detected().join(" "),
                self.simd.widest_bits
            )
        };
        let mem = format!(
            "{} total, {} available",
            q(self.memory.total_bytes.clone().map(fmt_bytes)),
            q(self.memory.available_bytes.clone().map(fmt_bytes))
        );
        let os = format!(
            "{} ({}), kernel {}",
            q(self.os.name.clone()),
            self.os.family,
            q(self.os.kernel.clone())
        );
        let vm = whole(self.virtualization.clone().map(|v| {
            if v.virtualised {
                format!(
                    "yes{}",
                    v.hypervisor.map(|h| format!(" ({h})")).unwrap_or_default()
                )
            } else {
                "no (bare metal)".to_string()
            }
        }));
        let f = &self.frequency;
        let freq = if f.governor.is_known() || f.turbo.is_known() || f.max_mhz.is_known() {
            format!(
                "governor {}, driver {}, turbo {}, max {}",
                q(f.governor.clone()),
                q(f.driver.clone()),
                q(f.turbo
                    .clone()
                    .map(|t| if t { "on" } else { "off" }.to_string())),
                q(f.max_mhz.clone().map(|m| format!("{} MHz", fmt_sig(m, 4))))
            )
        } else {
            whole(f.governor.clone())
        };
        let counters = whole(self.perf_counters.clone());
        let timer = format!(
            "{} · resolution {} · {} ns per reading",
            self.timer.source,
            q(self
                .timer
                .resolution_ns
                .clone()
                .map(|r| format!("{} ns", fmt_sig(r, 3)))),
            fmt_sig(self.timer.overhead_ns, 3)
        );
        let build = format!(
            "{}{}",
            self.build.summary(),
            if self
                .build
                .target_features
                .iter()
                .any(|f| f == "avx2" || f == "neon")
            {
                format!(" · compiled for {}", self.build.target_features.join(","))
            } else {
                String::new()
            }
        );
        let mut rows = vec![
            ("CPU", cpu),
            ("Caches", caches),
            ("SIMD", simd),
            ("Memory", mem),
            ("OS", os),
            ("Virtual", vm),
            ("Frequency", freq),
            ("Counters", counters),
            ("Timer", timer),
            ("hpp build", build),
        ];
        let marks = marks.into_inner();
        if !marks.is_empty() {
            rows.push(("?", format!("not known: {}", marks.join("; "))));
        }
        rows
    }

    /// A compact HTML banner.
    pub fn to_html(&self) -> String {
        let mut h = String::from(
            "<div class=\"hpp-card\" style=\"font-family:sans-serif;font-size:13px;border:1px solid #bbb;border-radius:6px;padding:8px 12px;max-width:980px\">\n",
        );
        h.push_str(&format!(
            "<div style=\"font-weight:bold;margin-bottom:4px\">hpp {} · this machine</div>\n<table style=\"border-collapse:collapse\">\n",
            escape(&self.hpp_version)
        ));
        for (k, v) in self.card_rows() {
            h.push_str(&format!(
                "<tr><th style=\"text-align:left;padding:1px 10px 1px 0;vertical-align:top\">{}</th><td style=\"text-align:left\">{}</td></tr>\n",
                escape(k),
                escape(&v)
            ));
        }
        h.push_str("</table>\n");
        let caveats = self.caveats();
        if !caveats.is_empty() {
            let loud = !self.build.optimised();
            h.push_str(&format!(
                "<div style=\"margin-top:6px;padding:4px 8px;background:{};border-radius:4px\">",
                if loud { "#ffd7d7" } else { "#fff4d6" }
            ));
            if loud {
                h.push_str("<b>⚠ These kernels were NOT built optimised: every timing below is misleading.</b><br>");
            }
            for c in caveats {
                h.push_str(&format!("⚠ {}<br>", escape(&c)));
            }
            h.push_str("</div>\n");
        }
        h.push_str("</div>");
        h
    }

    /// JSON of the whole card.
    ///
    /// # Errors
    /// [`Error::Json`] if serialisation fails (it does not for this type).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Json(e.to_string()))
    }

    /// Show the banner in a notebook (HTML, with the text form as fallback).
    pub fn evcxr_display(&self) {
        println!(
            "{}",
            crate::display::evcxr_content(&[
                ("text/html", &self.to_html()),
                ("text/plain", &self.to_string()),
            ])
        );
    }
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "hpp {} · this machine", self.hpp_version)?;
        for (k, v) in self.card_rows() {
            writeln!(f, "{k:<10} {v}")?;
        }
        let caveats = self.caveats();
        if !self.build.optimised() {
            writeln!(
                f,
                "!! These kernels were NOT built optimised: every timing is misleading."
            )?;
        }
        for c in caveats {
            writeln!(f, "!  {c}")?;
        }
        Ok(())
    }
}
