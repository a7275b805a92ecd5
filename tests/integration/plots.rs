//! Figures are well-formed SVG with a title, axis labels and the machine's
//! cache markers; bad data gives an error, not a panic.

use hpp::experiments::{Outcome, Sweep, sum_layout};
use hpp::measure::Budget;
use hpp::measure::plan::{cache_markers, size_steps};
use hpp::plot::{Marker, Series, SizeChart, bar_chart, size_chart};

fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect()
}

fn series() -> Vec<Series> {
    vec![
        Series {
            label: "flat".into(),
            points: vec![(4096, 1.0), (1 << 20, 1.1), (64 << 20, 1.2)],
        },
        Series {
            label: "rising".into(),
            points: vec![(4096, 1.0), (1 << 20, 2.0), (64 << 20, 9.0)],
        },
    ]
}

#[test]
fn size_chart_has_title_axes_ticks_legend_and_markers() {
    let markers = vec![
        Marker {
            label: "L1d 32 KiB".into(),
            size_bytes: 32 << 10,
        },
        Marker {
            label: "L2 512 KiB".into(),
            size_bytes: 512 << 10,
        },
    ];
    for log_y in [false, true] {
        let s = series();
        let fig = size_chart(&SizeChart {
            title: "A title",
            x_label: "working set",
            y_label: "ns per element",
            series: &s,
            markers: &markers,
            log_y,
        })
        .unwrap();
        let t = texts(fig.svg());
        for want in [
            "A title",
            "working set",
            "ns per element",
            "flat",
            "rising",
            "L1d 32 KiB",
            "L2 512 KiB",
            "4 KiB",
            "1 MiB",
            "64 MiB",
        ] {
            assert!(t.iter().any(|x| x == want), "missing {want:?} in {t:?}");
        }
    }
}

#[test]
fn empty_or_broken_data_is_an_error() {
    let empty: Vec<Series> = vec![Series {
        label: "none".into(),
        points: vec![],
    }];
    let e = size_chart(&SizeChart {
        title: "Nothing",
        x_label: "x",
        y_label: "y",
        series: &empty,
        markers: &[],
        log_y: true,
    })
    .unwrap_err();
    assert!(e.to_string().contains("no points"), "{e}");
    assert!(bar_chart("b", "y", &[]).is_err());
    assert!(bar_chart("b", "y", &[("nan".into(), f64::NAN)]).is_err());
}

#[test]
fn bar_chart_labels_every_bar() {
    let fig = bar_chart(
        "Speed",
        "GB/s",
        &[
            ("read".into(), 12.0),
            ("write".into(), 7.5),
            ("copy".into(), 9.0),
        ],
    )
    .unwrap();
    let t = texts(fig.svg());
    for want in ["Speed", "GB/s", "read", "write", "copy"] {
        assert!(t.iter().any(|x| x == want), "missing {want:?} in {t:?}");
    }
}

#[test]
fn figures_save_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let fig = bar_chart("S", "y", &[("a".into(), 1.0)]).unwrap();
    let p = dir.path().join("a.svg");
    fig.save(&p).unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), fig.svg);
    let bad = fig.save(dir.path().join("no/such/dir/a.svg")).unwrap_err();
    assert!(bad.to_string().contains("writing"), "{bad}");
}

#[test]
fn size_steps_cover_the_range() {
    assert_eq!(size_steps(4096, 65536, 4), vec![4096, 16384, 65536]);
    assert_eq!(
        size_steps(4096, 40000, 2),
        vec![4096, 8192, 16384, 32768, 40000]
    );
    assert_eq!(size_steps(8, 4, 2), Vec::<u64>::new());
}

#[test]
fn markers_come_from_the_machine() {
    let m = hpp::machine();
    let markers = cache_markers(&m);
    assert_eq!(markers.len(), m.data_caches().len());
    for (mk, c) in markers.iter().zip(m.data_caches()) {
        assert_eq!(mk.size_bytes, c.size_bytes);
    }
}

#[test]
fn sum_layout_sweep_shape_and_plot() {
    let m = hpp::machine();
    let b = Budget {
        level: hpp::measure::Level::Quick,
        min_run_s: 0.001,
        runs: 3,
        max_working_set_bytes: 256 << 10,
    };
    let s: Sweep = sum_layout(&m, &b).unwrap();
    assert_eq!(s.series.len(), 2);
    for series in &s.series {
        let sizes: Vec<u64> = series.points.iter().map(|p| p.0).collect();
        assert_eq!(sizes, vec![4096, 16384, 65536, 262144]);
        assert!(series.points.iter().all(|p| p.1.is_finite() && p.1 > 0.0));
    }
    assert!(
        s.reading
            .starts_with("On this machine the boxed floats cost"),
        "{}",
        s.reading
    );
    let t = texts(s.plot().unwrap().svg());
    assert!(t.iter().any(|x| x == &s.title));
    let json: serde_json::Value = serde_json::from_str(&s.to_json().unwrap()).unwrap();
    assert_eq!(json["experiment"], "sum_layout");
    assert!(s.to_string().contains("256 KiB"));
}

#[test]
fn heatmaps_label_rows_and_columns_and_refuse_ragged_grids() {
    use hpp::plot::{HeatMap, heatmap};
    let cols = vec!["8".to_string(), "64".to_string()];
    let rows = vec!["16K".to_string(), "1M".to_string(), "64M".to_string()];
    let values = vec![vec![100.0, 50.0], vec![80.0, 20.0], vec![30.0, 2.0]];
    let h = HeatMap {
        title: "Grid",
        x_desc: "stride",
        y_desc: "size",
        cols: &cols,
        rows: &rows,
        values: &values,
        value_desc: "MB/s",
        log: true,
    };
    let t = texts(heatmap(&h).unwrap().svg());
    for want in [
        "Grid", "stride", "size", "8", "64", "16K", "1M", "64M", "MB/s", "100", "2",
    ] {
        assert!(t.iter().any(|x| x == want), "missing {want:?} in {t:?}");
    }
    let ragged = vec![vec![1.0], vec![1.0, 2.0], vec![1.0, 2.0]];
    assert!(
        heatmap(&HeatMap {
            values: &ragged,
            ..h.clone()
        })
        .is_err()
    );
    let zeros = vec![vec![0.0, 0.0]; 3];
    assert!(
        heatmap(&HeatMap {
            values: &zeros,
            ..h
        })
        .is_err()
    );
}

/// The text of every `<text>` element of an SVG, trimmed.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = t.split_once('>')?.1;
            Some(body.split_once("</text>")?.0.trim().to_string())
        })
        .collect()
}

#[test]
fn every_bar_shows_its_value_so_the_smallest_stays_readable() {
    use hpp::plot::bar_chart;
    // The network chart's case: one bar 1,400 times the other.
    let bars = vec![
        ("one stream".to_string(), 1.03),
        ("64-byte round trips".to_string(), 1440.0),
    ];
    let texts = svg_texts(&bar_chart("t", "ms", &bars).unwrap().svg);
    for v in ["1.03", "1440"] {
        assert!(texts.iter().any(|t| t == v), "value {v} missing: {texts:?}");
    }
    // Labels too long to stand under their bars turn the chart sideways,
    // each label still drawn once, each value beside its bar.
    let long: Vec<(String, f64)> = (0..6)
        .map(|i| (format!("a rather long label number {i}"), 0.5 + i as f64))
        .collect();
    let texts = svg_texts(&bar_chart("t", "ns", &long).unwrap().svg);
    for (l, v) in &long {
        assert_eq!(
            texts.iter().filter(|t| *t == l).count(),
            1,
            "{l}: {texts:?}"
        );
        let shown = hpp::units::fmt_sig(*v, 3);
        assert!(texts.contains(&shown), "value {shown} missing: {texts:?}");
    }
}

#[test]
fn the_legend_goes_where_it_hides_no_points() {
    // Legend box position from the SVG: the one rect drawn at 85% opacity.
    let legend_x = |svg: &str| -> u32 {
        let r = svg
            .split("<rect")
            .find(|r| r.contains("opacity=\"0.85\""))
            .expect("a legend");
        r.split("x=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let chart = |series: &[Series]| {
        size_chart(&SizeChart {
            title: "t",
            x_label: "x",
            y_label: "y",
            series,
            markers: &[],
            log_y: true,
        })
        .unwrap()
        .svg
    };
    let line = |label: &str, pts: &[(u64, f64)]| Series {
        label: label.into(),
        points: pts.to_vec(),
    };
    // Rising curves that fill the right half, top and bottom: the legend
    // moves to the empty upper left.
    let rising = [
        line("a", &[(1 << 12, 1.0), (1 << 20, 1.0), (1 << 26, 300.0)]),
        line("b", &[(1 << 12, 1.0), (1 << 20, 1.0), (1 << 26, 1.0)]),
        line("c", &[(1 << 12, 1.0), (1 << 22, 30.0), (1 << 26, 100.0)]),
    ];
    assert!(
        legend_x(&chart(&rising)) < 200,
        "legend should sit on the left"
    );
    // Nothing in the lower right: it stays there.
    let high = [
        line("a", &[(1 << 12, 1.0), (1 << 26, 300.0)]),
        line("b", &[(1 << 12, 1.0), (1 << 26, 200.0)]),
    ];
    assert!(
        legend_x(&chart(&high)) > 300,
        "legend should sit on the right"
    );
}

#[test]
fn a_long_legend_that_would_hide_points_goes_beside_the_chart() {
    // Ten series spread over the whole plot: every corner holds points.
    let many: Vec<Series> = (0..10)
        .map(|k| Series {
            label: format!("series number {k}"),
            points: (10..20)
                .map(|p| (1u64 << p, 10f64.powf(((p + k) % 10) as f64 / 2.0)))
                .collect(),
        })
        .collect();
    let chart = |s: &[Series]| {
        size_chart(&SizeChart {
            title: "Many",
            x_label: "x",
            y_label: "y",
            series: s,
            markers: &[],
            log_y: true,
        })
        .unwrap()
    };
    let width = |svg: &str| {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.root_element()
            .attribute("width")
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    let wide = chart(&many);
    // Wider than the usual 760 pixels, but within a notebook's ~950.
    assert!(
        (761..=950).contains(&width(wide.svg())),
        "{}",
        width(wide.svg())
    );
    let t = texts(wide.svg());
    assert!(t.iter().any(|x| x == "series number 9"), "{t:?}");
    // Two series leave a corner free: the usual size, legend inside.
    assert_eq!(width(chart(&many[..2]).svg()), 760);
}
