//! Chapter 2: the Julia set kernels against their reference and the book's
//! own check.

use hpp::kernels::julia::*;

#[test]
fn the_book_grid_gives_the_book_sum() {
    let g = Grid::new(BOOK_WIDTH).unwrap();
    assert_eq!(
        (g.xs.len(), g.ys.len()),
        (1000, 1000),
        "the book prints 1,000"
    );
    let counts = julia_reference(&g, MAX_ITER);
    assert_eq!(output_sum(&counts), BOOK_SUM);
}

#[test]
fn every_variant_matches_the_reference_point_for_point() {
    for width in [1, 7, 64, 203] {
        let g = Grid::new(width).unwrap();
        let want = julia_reference(&g, MAX_ITER);
        let got = [
            ("abs", julia_abs(&g, MAX_ITER)),
            ("norm", julia_norm(&g, MAX_ITER)),
            ("cheap_first", julia_cheap_first(&g, MAX_ITER)),
            ("lanes", julia_lanes(&g, MAX_ITER)),
            ("static 3", julia_static(&g, MAX_ITER, 3)),
            ("dynamic 2", julia_dynamic(&g, MAX_ITER, 2).unwrap()),
        ];
        for (name, counts) in got {
            assert_eq!(counts, want, "{name} at width {width}");
        }
    }
    assert!(Grid::new(0).is_err());
    assert!(Grid::new(1 << 20).is_err());
}
