//! A token bucket, pure: the rate and the time (milliseconds on any monotonic clock) come in,
//! the verdict goes out. Whoever keeps the buckets (the handler, per user) reads the clock.

use crate::config::limits::Rate;

/// One user's bucket for one kind of event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    tokens: f64,
    at_ms: u64,
}

impl Bucket {
    /// A full bucket at `now_ms`.
    pub fn full(rate: &Rate, now_ms: u64) -> Self {
        Self {
            tokens: f64::from(rate.burst.get()),
            at_ms: now_ms,
        }
    }

    fn refill(&mut self, rate: &Rate, now_ms: u64) {
        let elapsed = now_ms.saturating_sub(self.at_ms) as f64;
        let per_ms = f64::from(rate.per_minute.get()) / 60_000.0;
        self.tokens = (self.tokens + elapsed * per_ms).min(f64::from(rate.burst.get()));
        self.at_ms = now_ms.max(self.at_ms);
    }

    /// Takes one token, or says in how many milliseconds one will be there.
    pub fn take(&mut self, rate: &Rate, now_ms: u64) -> Result<(), u64> {
        self.refill(rate, now_ms);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let per_ms = f64::from(rate.per_minute.get()) / 60_000.0;
        Err(((1.0 - self.tokens) / per_ms).ceil().max(1.0) as u64)
    }

    /// Whether the bucket has refilled completely by `now_ms` (forgetting it changes nothing).
    pub fn is_full(&self, rate: &Rate, now_ms: u64) -> bool {
        let mut probe = *self;
        probe.refill(rate, now_ms);
        probe.tokens >= f64::from(rate.burst.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(burst: u32, per_minute: u32) -> Rate {
        Rate::new(burst, per_minute).expect("a rate")
    }

    #[test]
    fn a_burst_then_the_sustained_rate_and_a_retry_time_that_is_right() {
        let r = rate(20, 300); // 5 per second
        let mut b = Bucket::full(&r, 0);
        for _ in 0..20 {
            assert_eq!(b.take(&r, 0), Ok(()));
        }
        assert_eq!(b.take(&r, 0), Err(200), "one token every 200 ms");
        assert_eq!(b.take(&r, 150), Err(50));
        assert_eq!(b.take(&r, 200), Ok(()));
        // A second later: five more, not more.
        let mut granted = 0;
        for _ in 0..10 {
            if b.take(&r, 1_200).is_ok() {
                granted += 1;
            }
        }
        assert_eq!(granted, 5);
    }

    #[test]
    fn twenty_thousand_at_once_get_the_burst_only() {
        let r = rate(20, 300);
        let mut b = Bucket::full(&r, 1_000);
        let granted = (0..20_000).filter(|_| b.take(&r, 1_000).is_ok()).count();
        assert_eq!(granted, 20);
    }

    #[test]
    fn a_bucket_is_full_again_after_the_burst_refills_and_never_above_it() {
        let r = rate(10, 10); // one every 6 s
        let mut b = Bucket::full(&r, 0);
        assert!(b.is_full(&r, 0));
        assert_eq!(b.take(&r, 0), Ok(()));
        assert!(!b.is_full(&r, 5_999));
        assert!(b.is_full(&r, 6_000));
        assert!(b.is_full(&r, 600_000));
        let mut later = Bucket::full(&r, 0);
        for _ in 0..10 {
            assert_eq!(later.take(&r, 600_000), Ok(()));
        }
        assert!(
            later.take(&r, 600_000).is_err(),
            "idle time never grows the burst"
        );
    }
}
