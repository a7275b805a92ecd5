//! A flame graph: every sampled call stack stacked from the outermost call
//! (bottom) to the running function (top); a box's width is its share of
//! the samples, so wide boxes are where the time went. Siblings are placed
//! busiest first (left), and every label is cut to fit its box here, in the
//! SVG itself: a saved notebook or its HTML export runs no script, so a
//! label that only a script would trim would spill over its neighbours.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{Figure, draw_sized};
use crate::error::{Error, Result};
use crate::units::{fmt_sig, shorten};

/// A flame graph's data and words.
#[derive(Debug, Clone, PartialEq)]
pub struct FlameChart<'a> {
    /// Title.
    pub title: &'a str,
    /// The note under the boxes (what a width means, how many samples).
    pub caption: &'a str,
    /// Each distinct stack, outermost call first, and its samples.
    pub stacks: &'a [(Vec<String>, u64)],
}

/// Pixel height of one level.
const LEVEL_PX: i32 = 20;
/// Levels drawn at most (deeper frames are folded into their level-`MAX` parent).
const MAX_LEVELS: usize = 28;
/// About how wide one character of the 12-px label font is.
const CHAR_PX: f64 = 7.0;

#[derive(Debug, Default)]
struct Node {
    name: String,
    samples: u64,
    children: Vec<Node>,
}

impl Node {
    fn add(&mut self, path: &[String], samples: u64) {
        self.samples += samples;
        if let Some((first, rest)) = path.split_first() {
            let i = match self.children.iter().position(|c| &c.name == first) {
                Some(i) => i,
                None => {
                    self.children.push(Node {
                        name: first.clone(),
                        ..Node::default()
                    });
                    self.children.len() - 1
                }
            };
            self.children[i].add(rest, samples);
        }
    }

    fn depth(&self) -> usize {
        1 + self.children.iter().map(Node::depth).max().unwrap_or(0)
    }

    fn sort(&mut self) {
        self.children
            .sort_by(|a, b| b.samples.cmp(&a.samples).then_with(|| a.name.cmp(&b.name)));
        self.children.iter_mut().for_each(Node::sort);
    }
}

/// A warm colour chosen by the name (the same function has the same colour
/// in every graph), as flame graphs are traditionally drawn.
fn colour(name: &str) -> RGBColor {
    let h = name.bytes().fold(2166136261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16777619)
    });
    let t = f64::from(h % 1000) / 1000.0;
    RGBColor(
        (205.0 + 50.0 * t) as u8,
        (80.0 + 140.0 * (1.0 - t)) as u8,
        (40.0 + 30.0 * t) as u8,
    )
}

/// Draw `c`.
///
/// # Errors
/// [`Error::Plot`] when there are no samples.
pub fn flame_chart(c: &FlameChart<'_>) -> Result<Figure> {
    let mut root = Node {
        name: "all".into(),
        ..Node::default()
    };
    for (path, samples) in c.stacks {
        let path = if path.len() > MAX_LEVELS {
            &path[..MAX_LEVELS]
        } else {
            &path[..]
        };
        root.add(path, *samples);
    }
    if root.samples == 0 {
        return Err(Error::Plot(format!(
            "\"{}\" has no samples to draw",
            c.title
        )));
    }
    root.sort();
    let levels = root.depth() as i32; // "all" included
    let width = super::SIZE.0 + 140;
    let top = 44;
    let height = (top + levels * LEVEL_PX + 46) as u32;
    draw_sized(c.title, (width, height), |area| {
        area.draw(&Text::new(
            c.title,
            (width as i32 / 2, 14),
            ("sans-serif", 20)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        let x0 = 12.0;
        let span = f64::from(width) - 24.0;
        let base = top + levels * LEVEL_PX; // bottom edge of the lowest level
        let mut pending = vec![(&root, 0usize, x0)];
        while let Some((node, level, x)) = pending.pop() {
            let w = span * node.samples as f64 / root.samples as f64;
            if w < 1.0 {
                continue;
            }
            let y1 = base - level as i32 * LEVEL_PX;
            let y0 = y1 - LEVEL_PX + 1;
            let fill = if level == 0 {
                RGBColor(200, 200, 200)
            } else {
                colour(&node.name)
            };
            area.draw(&Rectangle::new(
                [(x as i32, y0), ((x + w) as i32 - 1, y1)],
                fill.filled(),
            ))?;
            let pct = 100.0 * node.samples as f64 / root.samples as f64;
            let label = format!("{} {}%", node.name, fmt_sig(pct, 2));
            let fits = ((w - 6.0) / CHAR_PX).floor() as usize;
            if fits >= 4 {
                area.draw(&Text::new(
                    shorten(&label, fits),
                    (x as i32 + 3, (y0 + y1) / 2),
                    ("monospace", 12)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
            let mut cx = x;
            for child in &node.children {
                pending.push((child, level + 1, cx));
                cx += span * child.samples as f64 / root.samples as f64;
            }
        }
        area.draw(&Text::new(
            c.caption,
            (12, base + 14),
            ("sans-serif", 13)
                .into_font()
                .color(&BLACK.mix(0.8))
                .pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stacks() -> Vec<(Vec<String>, u64)> {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        vec![
            (s(&["main", "julia_abs", "escape_abs", "hypot"]), 70),
            (s(&["main", "julia_abs", "escape_abs"]), 25),
            (
                s(&[
                    "main",
                    "a_function_with_a_very_long_name_that_cannot_fit_in_its_box",
                ]),
                1,
            ),
        ]
    }

    #[test]
    fn boxes_follow_the_samples_and_labels_fit() {
        let st = stacks();
        let fig = flame_chart(&FlameChart {
            title: "t",
            caption: "96 samples",
            stacks: &st,
        })
        .unwrap();
        let doc = roxmltree::Document::parse(&fig.svg).unwrap();
        let texts: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text().map(|t| t.trim().to_string()))
            .collect();
        assert!(
            texts.iter().any(|t| t.starts_with("hypot 73%")),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|t| t.starts_with("escape_abs 99%")),
            "{texts:?}"
        );
        // The 1-sample frame is about 9 px wide: no label at all.
        assert!(!texts.iter().any(|t| t.contains("a_function")), "{texts:?}");
        // Boxes: all, main, julia_abs, escape_abs, hypot, and the thin one.
        let rects = doc.descendants().filter(|n| n.has_tag_name("rect")).count();
        assert_eq!(rects, 1 + 6, "background + six boxes");
    }

    #[test]
    fn no_samples_is_an_error_not_an_empty_picture() {
        assert!(
            flame_chart(&FlameChart {
                title: "t",
                caption: "",
                stacks: &[]
            })
            .is_err()
        );
    }
}
