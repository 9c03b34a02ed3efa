//! One event at a time per row: events that write the same user's or chat's rows take that
//! row's lock first, so concurrent events of this handler queue instead of colliding and
//! retrying against the store. (Several handler instances still meet only at the store,
//! whose version checks keep them correct.)
//!
//! The locks are striped: a fixed set of mutexes, a row taking the one its key hashes to, so
//! memory stays bounded whatever the number of rows; two rows sharing a stripe only wait for
//! each other. Stripes are taken in ascending order, so two events never wait on each other.
//! The handler keeps two sets, users' and chats', and an event takes all its users' stripes
//! before any of its chats' (and lets the chats' go first), so the two sets never form a
//! cycle either (`process.rs`).
//!
//! [`CallGates`] order a chat's service calls once its lock is let go: an event that empties
//! a chat's group (a delete) passes its gate alone, after the calls of every event of that chat
//! stored before it (joins putting connections in), which pass it together.

use std::collections::BTreeSet;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher, Hash};
use std::sync::Arc;

use tokio::sync::{Mutex, OwnedMutexGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock};

/// How many stripes: far more than the events one handler runs at once.
pub const STRIPES: usize = 1024;

/// The striped locks of one handler.
pub struct RowLocks {
    stripes: Vec<Arc<Mutex<()>>>,
}

/// The locks an event holds; dropping it lets the next event of those rows go.
pub struct Held {
    _guards: Vec<OwnedMutexGuard<()>>,
}

impl Default for RowLocks {
    fn default() -> Self {
        Self {
            stripes: (0..STRIPES).map(|_| Arc::new(Mutex::new(()))).collect(),
        }
    }
}

/// The stripe of `n` that a key takes.
fn stripe(key: impl Hash, n: usize) -> usize {
    let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(key);
    usize::try_from(hash % n as u64).unwrap_or_default()
}

impl RowLocks {
    /// The stripe a key takes.
    fn stripe_of(&self, key: impl Hash) -> usize {
        stripe(key, self.stripes.len())
    }

    /// Waits for the lock of every key (in stripe order) and holds them all.
    pub async fn lock<K: Hash>(&self, keys: impl IntoIterator<Item = K>) -> Held {
        let stripes: BTreeSet<usize> = keys.into_iter().map(|k| self.stripe_of(k)).collect();
        let mut guards = Vec::with_capacity(stripes.len());
        for i in stripes {
            guards.push(Arc::clone(&self.stripes[i]).lock_owned().await);
        }
        Held { _guards: guards }
    }
}

/// The gates on chats' service calls (striped like the locks).
pub struct CallGates {
    stripes: Vec<Arc<RwLock<()>>>,
}

/// The gates an event's service calls passed; dropping it lets a waiting delete through.
pub struct Passed {
    _shared: Vec<OwnedRwLockReadGuard<()>>,
    _alone: Vec<OwnedRwLockWriteGuard<()>>,
}

impl Default for CallGates {
    fn default() -> Self {
        Self {
            stripes: (0..STRIPES).map(|_| Arc::new(RwLock::new(()))).collect(),
        }
    }
}

impl CallGates {
    /// Passes the gate of every key (in stripe order): `alone` waits until no other event's
    /// calls are past them, and keeps every later one out until dropped.
    pub async fn pass<K: Hash>(&self, keys: impl IntoIterator<Item = K>, alone: bool) -> Passed {
        let stripes: BTreeSet<usize> = keys
            .into_iter()
            .map(|k| stripe(k, self.stripes.len()))
            .collect();
        let mut passed = Passed {
            _shared: Vec::new(),
            _alone: Vec::new(),
        };
        for i in stripes {
            let gate = Arc::clone(&self.stripes[i]);
            if alone {
                passed._alone.push(gate.write_owned().await);
            } else {
                passed._shared.push(gate.read_owned().await);
            }
        }
        passed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn a_second_event_on_the_same_row_waits_for_the_first() {
        let locks = Arc::new(RowLocks::default());
        let first = locks.lock(["user:alice"]).await;
        let waiting = {
            let locks = Arc::clone(&locks);
            tokio::spawn(async move {
                let _held = locks.lock(["chat:room", "user:alice"]).await;
            })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiting.is_finished(), "the second event waits");
        drop(first);
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("goes once the first is done")
            .expect("task");
    }

    #[tokio::test(start_paused = true)]
    async fn events_on_other_rows_do_not_wait_and_crossed_orders_never_deadlock() {
        let locks = Arc::new(RowLocks::default());
        let a = Arc::clone(&locks);
        let b = Arc::clone(&locks);
        let one = tokio::spawn(async move {
            for _ in 0..100 {
                let _held = a.lock(["user:x", "chat:y"]).await;
                tokio::task::yield_now().await;
            }
        });
        let two = tokio::spawn(async move {
            for _ in 0..100 {
                let _held = b.lock(["chat:y", "user:x"]).await;
                tokio::task::yield_now().await;
            }
        });
        tokio::time::timeout(Duration::from_secs(5), async {
            one.await.expect("one");
            two.await.expect("two");
        })
        .await
        .expect("no deadlock");
        // A key on another stripe than a held one is taken at once.
        let _held = locks.lock(["user:x"]).await;
        let other = (0..)
            .map(|i| format!("user:{i}"))
            .find(|k| locks.stripe_of(k) != locks.stripe_of("user:x"))
            .expect("another stripe");
        let taken = tokio::time::timeout(Duration::from_millis(1), locks.lock([other])).await;
        assert!(taken.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_delete_passes_after_the_calls_in_flight_and_joins_pass_together() {
        let gates = Arc::new(CallGates::default());
        let join = gates.pass(["room"], false).await;
        let another_join =
            tokio::time::timeout(Duration::from_millis(1), gates.pass(["room"], false))
                .await
                .expect("joins do not wait for each other");
        let delete = {
            let gates = Arc::clone(&gates);
            tokio::spawn(async move {
                let _alone = gates.pass(["room"], true).await;
            })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(
            !delete.is_finished(),
            "the delete waits for the joins' calls"
        );
        drop((join, another_join));
        tokio::time::timeout(Duration::from_secs(1), delete)
            .await
            .expect("then passes")
            .expect("task");
    }
}
