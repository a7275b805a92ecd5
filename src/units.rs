//! Readable units, chosen once per number: binary sizes (KiB, MiB, GiB),
//! IPython-style times (s, ms, µs, ns at three significant digits) and
//! decimal rates (GB/s).

/// Like C's `%.*g` with `digits` significant digits and trailing zeros
/// removed, except that large numbers stay plain ("12800", not "1.28e+04"):
/// readers compare MB/s, not exponents.
pub fn fmt_sig(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let digits = digits.max(1);
    // Rust's `{:e}` rounds to the requested digits and tells us the exponent.
    let sci = format!("{:.*e}", digits - 1, x);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp >= digits as i32 && exp < 16 {
        let m: f64 = mantissa.parse().unwrap_or(0.0);
        return format!("{}", (m * 10f64.powi(exp)).round());
    }
    if exp < -4 || exp >= digits as i32 {
        let m = strip_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{m}e{sign}{:02}", exp.abs());
    }
    let decimals = (digits as i32 - 1 - exp).max(0) as usize;
    strip_zeros(&format!("{x:.decimals$}"))
}

fn strip_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// A share (0.25) as a percentage ("25%"), to two significant figures
/// (whole numbers from 10% up).
pub fn fmt_percent(share: f64) -> String {
    let p = share * 100.0;
    if p == 0.0 || p.abs() >= 10.0 {
        format!("{}%", p.round())
    } else {
        format!("{}%", fmt_sig(p, 2))
    }
}

/// A duration in seconds as IPython's `%timeit` prints it: "1.23 ms".
pub fn fmt_seconds(s: f64) -> String {
    if s >= 60.0 {
        let min = (s / 60.0).floor();
        return format!("{} min {} s", min, fmt_sig(s - 60.0 * min, 3));
    }
    let units = ["s", "ms", "µs", "ns"];
    // IPython: order = min(-(floor(log10(t)) // 3), 3), with floor division.
    let order = if s > 0.0 {
        let l = s.log10().floor() as i64;
        (-l.div_euclid(3)).clamp(0, 3) as usize
    } else {
        3
    };
    let scale = [1.0, 1e3, 1e6, 1e9][order];
    format!("{} {}", fmt_sig(s * scale, 3), units[order])
}

/// Nanoseconds, formatted through [`fmt_seconds`].
pub fn fmt_ns(ns: f64) -> String {
    fmt_seconds(ns * 1e-9)
}

/// A byte count in binary units: "512 KiB", "1.5 MiB", "32 GiB".
pub fn fmt_bytes(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{bytes} B")
    } else {
        format!("{} {}", fmt_sig(v, 3), units[i])
    }
}

/// A short axis label for a power-of-two-ish size: "4K", "512K", "8M", "1G".
pub fn fmt_bytes_short(bytes: u64) -> String {
    let units = ["", "K", "M", "G", "T"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    format!("{}{}", fmt_sig(v, 3), units[i])
}

/// A decimal rate in GB/s (10^9 bytes per second), as STREAM reports.
pub fn fmt_gb_per_s(bytes_per_s: f64) -> String {
    format!("{} GB/s", fmt_sig(bytes_per_s / 1e9, 3))
}

/// Parse a size such as "64K", "512KiB", "8M", "1 GiB", "4096" into bytes.
/// K/M/G are binary (1024-based), as Linux sysfs writes cache sizes.
pub fn parse_bytes(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num: f64 = num.parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let mult: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return None,
    };
    let v = num * mult as f64;
    if v.is_finite() && v >= 0.0 && v < u64::MAX as f64 {
        Some(v.round() as u64)
    } else {
        None
    }
}

/// `s` cut to at most `max` characters, the last one an ellipsis when
/// anything was cut (labels in fixed-width tables and charts).
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A Unix time as "YYYY-MM-DD HH:MM UTC" (proleptic Gregorian calendar).
pub fn fmt_utc(unix_s: u64) -> String {
    let days = (unix_s / 86_400) as i64;
    let secs = unix_s % 86_400;
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        (secs % 3600) / 60
    )
}

/// A count with thousands separated: 1000000 → "1,000,000".
pub fn fmt_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
