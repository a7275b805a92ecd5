//! Number formatting the reader sees.

use hpp::units::{fmt_bytes, fmt_count, fmt_seconds, fmt_sig, parse_bytes};

#[test]
fn ipython_time_units() {
    assert_eq!(fmt_seconds(1.234e-3), "1.23 ms");
    assert_eq!(fmt_seconds(0.0123), "12.3 ms");
    assert_eq!(fmt_seconds(0.123), "123 ms");
    assert_eq!(fmt_seconds(4.56e-6), "4.56 µs");
    assert_eq!(fmt_seconds(7.5e-10), "0.75 ns");
    assert_eq!(fmt_seconds(2.5), "2.5 s");
    assert_eq!(fmt_seconds(0.0), "0 ns");
    assert_eq!(fmt_seconds(125.0), "2 min 5 s");
}

#[test]
fn significant_digits_like_percent_g() {
    assert_eq!(fmt_sig(1.0, 3), "1");
    assert_eq!(fmt_sig(0.5271, 3), "0.527");
    assert_eq!(fmt_sig(999.96, 3), "1000");
    assert_eq!(fmt_sig(12812.0, 3), "12800");
    assert_eq!(fmt_sig(1e20, 3), "1e+20");
    assert_eq!(fmt_sig(1.5e-7, 3), "1.5e-07");
    assert_eq!(fmt_sig(-2.26, 2), "-2.3");
}

#[test]
fn binary_sizes() {
    assert_eq!(fmt_bytes(512), "512 B");
    assert_eq!(fmt_bytes(32 << 10), "32 KiB");
    assert_eq!(fmt_bytes(1536 << 10), "1.5 MiB");
    assert_eq!(fmt_bytes(8 << 30), "8 GiB");
    assert_eq!(parse_bytes("32K"), Some(32 << 10));
    assert_eq!(parse_bytes("32768K"), Some(32 << 20));
    assert_eq!(parse_bytes("1 GiB"), Some(1 << 30));
    assert_eq!(parse_bytes("4096"), Some(4096));
    assert_eq!(parse_bytes("12 parsecs"), None);
    assert_eq!(parse_bytes(""), None);
}

#[test]
fn counts_get_thousands_separators() {
    assert_eq!(fmt_count(0), "0");
    assert_eq!(fmt_count(999), "999");
    assert_eq!(fmt_count(1000), "1,000");
    assert_eq!(fmt_count(31_623), "31,623");
    assert_eq!(fmt_count(10_000_000), "10,000,000");
}
