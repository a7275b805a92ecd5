//! The book's lazy anomaly hunt (chapter 5): a stream of one reading per
//! second, grouped into days, each day tested for normality, the days that
//! fail reported — without ever holding more than a day in memory.
//!
//! The readings are made the same way in Rust and in Python
//! (`python/ch05_iterators.py`): SplitMix64 draws, and about once a week
//! (one chance in 7 × 86,400 per second) a reading of 100 instead of a
//! normal value (Box–Muller, from two draws).
//!
//! The test is D'Agostino and Pearson's K² (D'Agostino, Belanger &
//! D'Agostino, *The American Statistician* 44(4), 1990), what
//! `scipy.stats.normaltest` computes: the sample's skewness and kurtosis,
//! each turned into a standard normal score, squared and added; under
//! normality K² follows a χ² law with two degrees of freedom, so the
//! p-value is exp(−K²/2).

use std::iter::Peekable;

use crate::kernels::rng::SplitMix64;

/// Seconds in a day: readings per day.
pub const SECONDS_PER_DAY: u64 = 86_400;

/// One chance in this many, per second, of an anomalous reading.
pub const ANOMALY_ODDS: usize = 7 * 86_400;

/// The value of an anomalous reading.
pub const ANOMALY_VALUE: f64 = 100.0;

/// One reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// Seconds since the stream began.
    pub timestamp: u64,
    /// The value.
    pub value: f64,
}

/// The endless stream of readings from `seed`.
#[derive(Debug, Clone)]
pub struct Readings {
    rng: SplitMix64,
    timestamp: u64,
}

/// A uniform draw in [0, 1) with 53 random bits.
fn unit(rng: &mut SplitMix64) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

impl Iterator for Readings {
    type Item = Reading;

    fn next(&mut self) -> Option<Reading> {
        let value = if self.rng.below(ANOMALY_ODDS) == 1 {
            ANOMALY_VALUE
        } else {
            // Box–Muller: 1 − u keeps the logarithm's argument in (0, 1].
            let u1 = 1.0 - unit(&mut self.rng);
            let u2 = unit(&mut self.rng);
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        };
        let r = Reading {
            timestamp: self.timestamp,
            value,
        };
        self.timestamp += 1;
        Some(r)
    }
}

/// Readings from `seed`, one per second from time 0.
pub fn readings(seed: u64) -> Readings {
    Readings {
        rng: SplitMix64::new(seed),
        timestamp: 0,
    }
}

/// Consecutive readings of the same day, one `Vec` per day (Python's
/// `groupby` followed by `list`): holds one day at a time.
#[derive(Debug, Clone)]
pub struct ByDay<I: Iterator<Item = Reading>> {
    inner: Peekable<I>,
}

impl<I: Iterator<Item = Reading>> Iterator for ByDay<I> {
    type Item = Vec<Reading>;

    fn next(&mut self) -> Option<Vec<Reading>> {
        let first = self.inner.next()?;
        let day = first.timestamp / SECONDS_PER_DAY;
        let mut group = vec![first];
        while let Some(r) = self.inner.next_if(|r| r.timestamp / SECONDS_PER_DAY == day) {
            group.push(r);
        }
        Some(group)
    }
}

/// Group a stream of readings by day.
pub fn by_day<I: Iterator<Item = Reading>>(readings: I) -> ByDay<I> {
    ByDay {
        inner: readings.peekable(),
    }
}

/// D'Agostino–Pearson's K² and its p-value for `values` (at least 20 of
/// them; fewer gives `None`).
pub fn normal_test(values: impl Iterator<Item = f64> + Clone) -> Option<(f64, f64)> {
    let (n, sum) = values
        .clone()
        .fold((0usize, 0.0), |(n, s), v| (n + 1, s + v));
    if n < 20 {
        return None;
    }
    let nf = n as f64;
    let mean = sum / nf;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for v in values {
        let d = v - mean;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    let (m2, m3, m4) = (m2 / nf, m3 / nf, m4 / nf);
    if m2 <= 0.0 {
        return None;
    }
    let z_skew = skew_score(m3 / m2.powf(1.5), nf);
    let z_kurt = kurtosis_score(m4 / (m2 * m2), nf);
    let k2 = z_skew * z_skew + z_kurt * z_kurt;
    Some((k2, (-k2 / 2.0).exp()))
}

/// D'Agostino's transformation of the sample skewness to a normal score.
fn skew_score(skew: f64, n: f64) -> f64 {
    let y = skew * ((n + 1.0) * (n + 3.0) / (6.0 * (n - 2.0))).sqrt();
    let beta2 = 3.0 * (n * n + 27.0 * n - 70.0) * (n + 1.0) * (n + 3.0)
        / ((n - 2.0) * (n + 5.0) * (n + 7.0) * (n + 9.0));
    let w2 = -1.0 + (2.0 * (beta2 - 1.0)).sqrt();
    let delta = 1.0 / (0.5 * w2.ln()).sqrt();
    let alpha = (2.0 / (w2 - 1.0)).sqrt();
    let y = if y == 0.0 { 1.0 } else { y };
    delta * (y / alpha + ((y / alpha).powi(2) + 1.0).sqrt()).ln()
}

/// Anscombe and Glynn's transformation of the sample kurtosis to a normal
/// score.
fn kurtosis_score(kurtosis: f64, n: f64) -> f64 {
    let expected = 3.0 * (n - 1.0) / (n + 1.0);
    let variance = 24.0 * n * (n - 2.0) * (n - 3.0) / ((n + 1.0).powi(2) * (n + 3.0) * (n + 5.0));
    let x = (kurtosis - expected) / variance.sqrt();
    let root_beta1 = 6.0 * (n * n - 5.0 * n + 2.0) / ((n + 7.0) * (n + 9.0))
        * (6.0 * (n + 3.0) * (n + 5.0) / (n * (n - 2.0) * (n - 3.0))).sqrt();
    let a = 6.0
        + 8.0 / root_beta1 * (2.0 / root_beta1 + (1.0 + 4.0 / (root_beta1 * root_beta1)).sqrt());
    let term1 = 1.0 - 2.0 / (9.0 * a);
    let denom = 1.0 + x * (2.0 / (a - 4.0)).sqrt();
    let term2 = denom.signum() * ((1.0 - 2.0 / a) / denom.abs()).cbrt();
    (term1 - term2) / (2.0 / (9.0 * a)).sqrt()
}

/// Whether a day's readings pass the normality test at `threshold` (a day
/// too short to test passes).
pub fn is_normal(day: &[Reading], threshold: f64) -> bool {
    normal_test(day.iter().map(|r| r.value)).is_none_or(|(_, p)| p >= threshold)
}

/// The pipeline, lazily: the days of `readings` that fail the test, each
/// named by its day number (timestamp ÷ 86,400).
pub fn anomalous_days<I: Iterator<Item = Reading>>(
    readings: I,
    threshold: f64,
) -> impl Iterator<Item = u64> {
    by_day(readings)
        .filter(move |day| !is_normal(day, threshold))
        .map(|day| day[0].timestamp / SECONDS_PER_DAY)
}

/// The reference: every reading in one `Vec` first, then the days cut
/// from it with `chunk_by`.
pub fn anomalous_days_reference(seed: u64, days: u64, threshold: f64) -> Vec<u64> {
    let all: Vec<Reading> = readings(seed)
        .take((days * SECONDS_PER_DAY) as usize)
        .collect();
    all.chunk_by(|a, b| a.timestamp / SECONDS_PER_DAY == b.timestamp / SECONDS_PER_DAY)
        .filter(|day| !is_normal(day, threshold))
        .map(|day| day[0].timestamp / SECONDS_PER_DAY)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_grouped_whole_and_in_order() {
        let days: Vec<Vec<Reading>> = by_day(readings(1).take(2 * 86_400 + 5)).collect();
        assert_eq!(days.len(), 3);
        assert_eq!(days[0].len(), 86_400);
        assert_eq!(days[1][0].timestamp, 86_400);
        assert_eq!(days[2].len(), 5);
    }

    #[test]
    fn normal_readings_pass_and_a_spike_fails() {
        let day: Vec<Reading> = readings(3)
            .take(86_400)
            .filter(|r| r.value != ANOMALY_VALUE)
            .collect();
        let (k2, p) = normal_test(day.iter().map(|r| r.value)).unwrap();
        assert!(p > 1e-3, "k2 {k2} p {p}");
        let mean = day.iter().map(|r| r.value).sum::<f64>() / day.len() as f64;
        assert!(mean.abs() < 0.02, "{mean}");
        let mut spiked = day.clone();
        spiked[100].value = ANOMALY_VALUE;
        assert!(!is_normal(&spiked, 1e-3));
        // Uniform values are far from normal (kurtosis 1.8).
        let uniform: Vec<f64> = (0..10_000).map(|i| i as f64).collect();
        assert!(normal_test(uniform.iter().copied()).unwrap().1 < 1e-10);
        assert_eq!(normal_test([1.0; 5].into_iter()), None);
    }

    #[test]
    fn the_scores_match_scipy() {
        // scipy.stats.normaltest on the squares of 1..=50, divided by 100
        // (scipy 1.16.3): statistic 6.703871284694388, p-value
        // 0.0350165090224099.
        let values: Vec<f64> = (1..=50).map(|i| (i * i) as f64 / 100.0).collect();
        let (k2, p) = normal_test(values.iter().copied()).unwrap();
        assert!((k2 - 6.703_871_284_694_388).abs() < 1e-9, "{k2}");
        assert!((p - 0.035_016_509_022_409_9).abs() < 1e-12, "{p}");
    }

    #[test]
    fn the_lazy_pipeline_finds_what_the_reference_finds() {
        let days = 9;
        let lazy: Vec<u64> =
            anomalous_days(readings(5).take((days * SECONDS_PER_DAY) as usize), 1e-3).collect();
        assert_eq!(lazy, anomalous_days_reference(5, days, 1e-3));
        // Every day holding a 100 is flagged.
        let spiked: Vec<u64> = readings(5)
            .take((days * SECONDS_PER_DAY) as usize)
            .filter(|r| r.value == ANOMALY_VALUE)
            .map(|r| r.timestamp / SECONDS_PER_DAY)
            .collect();
        assert!(
            spiked.iter().all(|d| lazy.contains(d)),
            "{spiked:?} {lazy:?}"
        );
    }
}
