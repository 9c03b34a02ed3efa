//! Figures as printed: latency percentiles, rates, memory and CPU.

use std::fmt;
use std::time::Duration;

/// Latency percentiles of a set of samples in microseconds.
#[derive(Debug, Clone, Copy)]
pub struct Percentiles {
    pub p50: u32,
    pub p90: u32,
    pub p99: u32,
    pub p999: u32,
    pub max: u32,
}

impl Percentiles {
    /// Sorts the samples and reads the percentiles (nearest rank); `None` for no samples.
    pub fn of(samples: &mut [u32]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        samples.sort_unstable();
        // In integers (per mille), so that 99.9 % of 1,000 is rank 999, not 1,000.
        let at = |per_mille: usize| {
            let rank = (per_mille * samples.len()).div_ceil(1000);
            samples[rank.clamp(1, samples.len()) - 1]
        };
        Some(Self {
            p50: at(500),
            p90: at(900),
            p99: at(990),
            p999: at(999),
            max: samples[samples.len() - 1],
        })
    }
}

/// Microseconds as milliseconds with two decimals.
pub fn ms(micros: u32) -> String {
    format!("{:.2} ms", f64::from(micros) / 1000.0)
}

impl fmt::Display for Percentiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "p50 {}, p90 {}, p99 {}, p99.9 {}, max {}",
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.p999),
            ms(self.max)
        )
    }
}

/// `count` per second over `elapsed`.
pub fn per_second(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// KiB as MiB with one decimal.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// An optional reading, or `n/a`.
pub fn or_na<T: fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "n/a".into(), |v| v.to_string())
}

/// CPU seconds spent over a wall-clock interval, as cores busy and per `unit`.
pub fn cpu(
    before: Option<f64>,
    after: Option<f64>,
    wall: Duration,
    events: usize,
    unit: &str,
) -> String {
    match (before, after) {
        (Some(b), Some(a)) => format!(
            "{:.2} cores, {:.1} µs per {unit}",
            (a - b) / wall.as_secs_f64().max(1e-9),
            (a - b) * 1e6 / events.max(1) as f64,
        ),
        _ => "n/a".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut samples: Vec<u32> = (1..=1000).rev().collect();
        let p = Percentiles::of(&mut samples).expect("samples");
        assert_eq!(
            (p.p50, p.p90, p.p99, p.p999, p.max),
            (500, 900, 990, 999, 1000)
        );
    }

    #[test]
    fn no_samples_have_no_percentiles() {
        assert!(Percentiles::of(&mut []).is_none());
    }
}
