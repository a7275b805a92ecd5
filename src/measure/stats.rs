//! Small statistics over samples: what a timing reports.

/// Arithmetic mean; `None` for no samples.
pub fn mean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        None
    } else {
        Some(xs.iter().sum::<f64>() / xs.len() as f64)
    }
}

/// Population standard deviation (what IPython's `%timeit` reports).
pub fn std_dev(xs: &[f64]) -> Option<f64> {
    let m = mean(xs)?;
    Some((xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / xs.len() as f64).sqrt())
}

/// Median (mean of the middle two for an even count).
pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Smallest sample.
pub fn min(xs: &[f64]) -> Option<f64> {
    xs.iter().copied().min_by(f64::total_cmp)
}

/// Largest sample.
pub fn max(xs: &[f64]) -> Option<f64> {
    xs.iter().copied().max_by(f64::total_cmp)
}

/// Coefficient of variation: standard deviation over mean.
pub fn cv(xs: &[f64]) -> Option<f64> {
    let m = mean(xs)?;
    (m != 0.0).then(|| std_dev(xs).unwrap_or(0.0) / m)
}

/// Amdahl's law: the speed-up on `n` workers of a job whose share
/// `serial` (0 to 1) cannot be split, the rest splitting perfectly.
pub fn amdahl_speedup(serial: f64, n: f64) -> f64 {
    1.0 / (serial + (1.0 - serial) / n)
}

/// Fit Amdahl's serial fraction `s` from speed-ups `S(n)`: each point with
/// n > 1 gives s = (1/S − 1/n) / (1 − 1/n), clamped to [0, 1]; the mean.
/// `None` without a point beyond one worker.
pub fn amdahl_fit(points: &[(usize, f64)]) -> Option<f64> {
    let est: Vec<f64> = points
        .iter()
        .filter(|(n, s)| *n > 1 && *s > 0.0)
        .map(|&(n, s)| {
            let inv_n = 1.0 / n as f64;
            ((1.0 / s - inv_n) / (1.0 - inv_n)).clamp(0.0, 1.0)
        })
        .collect();
    mean(&est)
}
