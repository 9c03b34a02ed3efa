//! Figures as printed: latency percentiles, rates, memory and CPU.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
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

/// The first and the last `width` positions of a run of `n` requests (fewer when `n` is
/// smaller): the early and late windows whose latencies a scenario compares.
pub fn edges(n: usize, width: usize) -> (Range<usize>, Range<usize>) {
    (0..width.min(n), n.saturating_sub(width)..n)
}

/// Percentiles of the latencies (µs) whose position is in `range`, positions past the end
/// ignored; failed requests (`None`) are left out.
pub fn window(latencies: &[Option<u32>], range: Range<usize>) -> Option<Percentiles> {
    let mut samples: Vec<u32> = latencies
        .get(range.start.min(latencies.len())..range.end.min(latencies.len()))?
        .iter()
        .flatten()
        .copied()
        .collect();
    Percentiles::of(&mut samples)
}

/// "p50/p99" in ms of every run of `width` positions in turn (`-` where all failed): the
/// trend between the two compared windows, so that one slow stretch is told from growth.
pub fn trend(latencies: &[Option<u32>], width: usize) -> String {
    let width = width.max(1);
    (0..latencies.len().div_ceil(width))
        .map(|k| match window(latencies, k * width..(k + 1) * width) {
            Some(p) => format!(
                "{:.1}/{:.1}",
                f64::from(p.p50) / 1000.0,
                f64::from(p.p99) / 1000.0
            ),
            None => "-".into(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How many times `early` the `late` figure is (infinite when `early` is 0).
pub fn growth(early: u32, late: u32) -> f64 {
    if early == 0 {
        f64::INFINITY
    } else {
        f64::from(late) / f64::from(early)
    }
}

/// "p50 …, p99 …" of the early and late windows of a run, and whether the late window's
/// p50 and p99 are both within `goal` times the early one's.
#[derive(Debug, Clone, Copy)]
pub struct Windows {
    pub early: Percentiles,
    pub late: Percentiles,
    pub goal: f64,
}

impl Windows {
    /// The two windows of `latencies` (by position), `width` each; `None` when either has no
    /// successful request.
    pub fn of(latencies: &[Option<u32>], width: usize, goal: f64) -> Option<Self> {
        let (early, late) = edges(latencies.len(), width);
        Some(Self {
            early: window(latencies, early)?,
            late: window(latencies, late)?,
            goal,
        })
    }

    /// The late window's p50 and p99 over the early one's.
    pub fn ratios(&self) -> (f64, f64) {
        (
            growth(self.early.p50, self.late.p50),
            growth(self.early.p99, self.late.p99),
        )
    }

    /// Both ratios are within the goal.
    pub fn met(&self) -> bool {
        let (p50, p99) = self.ratios();
        p50 <= self.goal && p99 <= self.goal
    }
}

impl fmt::Display for Windows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (p50, p99) = self.ratios();
        write!(
            f,
            "later/earlier p50 {p50:.2}×, p99 {p99:.2}× (goal ≤ {:.1}×: {})",
            self.goal,
            if self.met() { "met" } else { "missed" }
        )
    }
}

/// Failed requests counted by reason.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Failures(BTreeMap<String, usize>);

impl Failures {
    /// Counts one failure for `reason`.
    pub fn add(&mut self, reason: String) {
        *self.0.entry(reason).or_default() += 1;
    }

    /// How many failed, whatever the reason.
    pub fn total(&self) -> usize {
        self.0.values().sum()
    }
}

impl fmt::Display for Failures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("0 failed");
        }
        write!(f, "{} failed (", self.total())?;
        for (i, (reason, n)) in self.0.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{n} × {reason}")?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_windows_are_the_first_and_last_width_positions() {
        assert_eq!(edges(10_000, 1000), (0..1000, 9000..10_000));
        assert_eq!(edges(5000, 1000), (0..1000, 4000..5000));
        assert_eq!(edges(500, 1000), (0..500, 0..500));
    }

    #[test]
    fn a_window_reads_only_its_positions_and_leaves_failures_out() {
        let latencies: Vec<Option<u32>> = (0..10)
            .map(|i| if i == 8 { None } else { Some(i * 10) })
            .collect();
        let early = window(&latencies, 0..5).expect("samples");
        assert_eq!((early.p50, early.max), (20, 40));
        let late = window(&latencies, 5..10).expect("samples");
        assert_eq!((late.p50, late.max), (60, 90));
        assert!(window(&latencies, 8..9).is_none());
        assert!(window(&latencies, 20..30).is_none());
    }

    #[test]
    fn the_goal_is_met_only_when_p50_and_p99_both_stay_within_it() {
        // 100 early requests at 100 µs, then 100 late ones: 98 at `p50`, 2 at `p99`.
        let run = |p50: u32, p99: u32| {
            let latencies: Vec<Option<u32>> = (0..200)
                .map(|i| {
                    Some(if i < 100 {
                        100
                    } else if i < 198 {
                        p50
                    } else {
                        p99
                    })
                })
                .collect();
            Windows::of(&latencies, 100, 1.5).expect("samples")
        };
        assert_eq!(run(140, 150).ratios(), (1.4, 1.5));
        assert!(run(140, 150).met());
        assert!(!run(160, 160).met(), "p50 grew 1.6×");
        assert!(!run(100, 151).met(), "p99 grew past 1.5×");
    }

    #[test]
    fn the_trend_has_one_entry_per_window_in_order() {
        let latencies: Vec<Option<u32>> = vec![Some(1000), Some(3000), None, None, Some(2500)];
        assert_eq!(trend(&latencies, 2), "1.0/3.0 - 2.5/2.5");
    }

    #[test]
    fn growth_from_zero_is_infinite() {
        assert_eq!(growth(0, 5), f64::INFINITY);
        assert_eq!(growth(4, 6), 1.5);
    }

    #[test]
    fn failures_are_counted_by_reason() {
        let mut failures = Failures::default();
        assert_eq!(failures.to_string(), "0 failed");
        failures.add("HTTP 503".into());
        failures.add("refused: chatFull".into());
        failures.add("HTTP 503".into());
        assert_eq!(failures.total(), 3);
        assert_eq!(
            failures.to_string(),
            "3 failed (2 × HTTP 503, 1 × refused: chatFull)"
        );
    }

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
