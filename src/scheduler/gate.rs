//! [`HostGate`]: per-host politeness. At most `per_host_concurrency` requests in flight to one
//! host (1 unless configured), each of them started at least `per_host_delay` after the request
//! that last used its slot ended.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Per-host politeness: at most N requests in flight per host, each slot `delay` apart.
#[derive(Debug)]
pub struct HostGate {
    delay: Duration,
    default_limit: usize,
    limits: HashMap<String, usize>,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

/// One host: its permits and, for each free slot, when the request that last used it ended.
#[derive(Debug)]
struct Host {
    permits: Arc<Semaphore>,
    ended: Mutex<Vec<Option<Instant>>>,
}

/// Permission to send one request to a host; dropping it records when the request ended.
pub struct HostPass {
    host: Arc<Host>,
    _permit: Option<OwnedSemaphorePermit>,
}

impl Drop for HostPass {
    fn drop(&mut self) {
        let mut ended = self
            .host
            .ended
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        ended.push(Some(Instant::now()));
    }
}

impl HostGate {
    /// A gate with this minimum gap between requests to one host, one request at a time.
    #[must_use]
    pub fn new(delay: Duration) -> HostGate {
        HostGate::with_limits(delay, 1, HashMap::new())
    }

    /// A gate with `default_limit` requests in flight per host, except for the hosts named in
    /// `limits` (host → requests in flight). Limits below 1 count as 1.
    #[must_use]
    pub fn with_limits(
        delay: Duration,
        default_limit: usize,
        limits: HashMap<String, usize>,
    ) -> HostGate {
        HostGate {
            delay,
            default_limit: default_limit.max(1),
            limits,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// How many requests may be in flight to `host` at once.
    #[must_use]
    pub fn limit(&self, host: &str) -> usize {
        self.limits
            .get(host)
            .copied()
            .unwrap_or(self.default_limit)
            .max(1)
    }

    /// Waits until a request to `host` may start.
    pub async fn enter(&self, host: &str) -> HostPass {
        let host = {
            let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(hosts.entry(host.to_string()).or_insert_with(|| {
                let n = self.limit(host);
                Arc::new(Host {
                    permits: Arc::new(Semaphore::new(n)),
                    ended: Mutex::new(vec![None; n]),
                })
            }))
        };
        // Acquiring fails only on a closed semaphore, and this one is never closed.
        let permit = Arc::clone(&host.permits).acquire_owned().await.ok();
        // The slot that has rested longest: with N permits there are N slots, so one is free.
        let last = {
            let mut ended = host.ended.lock().unwrap_or_else(PoisonError::into_inner);
            let oldest = ended
                .iter()
                .enumerate()
                .min_by_key(|(_, t)| **t)
                .map(|(i, _)| i);
            oldest.and_then(|i| ended.swap_remove(i))
        };
        // A deadline already past is not slept on: tokio's timer would still hold the task until
        // its next tick (about a millisecond), which caps one host at ~800 requests/s.
        if let Some(last) = last
            && last + self.delay > Instant::now()
        {
            tokio::time::sleep_until(last + self.delay).await;
        }
        HostPass {
            host,
            _permit: permit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn host_gate_serializes_and_spaces_requests_per_host() {
        let gate = Arc::new(HostGate::new(Duration::from_secs(2)));
        let start = Instant::now();
        let first = gate.enter("a.example").await;
        // Another host is not held back.
        drop(gate.enter("b.example").await);
        assert_eq!(start.elapsed(), Duration::ZERO);
        let g = Arc::clone(&gate);
        let second = tokio::spawn(async move {
            let _p = g.enter("a.example").await;
            Instant::now()
        });
        tokio::time::advance(Duration::from_secs(5)).await;
        drop(first); // the first request ends at t = 5 s
        let entered = second.await.unwrap();
        assert_eq!(
            entered - start,
            Duration::from_secs(7),
            "2 s after the first request ended"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_host_with_a_limit_of_three_takes_three_at_once_and_spaces_each_slot() {
        let limits = HashMap::from([("many.example".to_string(), 3)]);
        let gate = Arc::new(HostGate::with_limits(Duration::from_secs(1), 1, limits));
        assert_eq!(gate.limit("many.example"), 3);
        assert_eq!(gate.limit("other.example"), 1);
        let start = Instant::now();
        let passes = [
            gate.enter("many.example").await,
            gate.enter("many.example").await,
            gate.enter("many.example").await,
        ];
        assert_eq!(start.elapsed(), Duration::ZERO, "three at once");
        let g = Arc::clone(&gate);
        let fourth = tokio::spawn(async move {
            let _p = g.enter("many.example").await;
            Instant::now()
        });
        tokio::time::advance(Duration::from_secs(4)).await;
        assert!(!fourth.is_finished(), "the fourth waits for a slot");
        let [a, b, c] = passes;
        drop(a); // a slot frees at t = 4 s
        let entered = fourth.await.unwrap();
        assert_eq!(
            entered - start,
            Duration::from_secs(5),
            "1 s after it ended"
        );
        drop((b, c));
    }
}
