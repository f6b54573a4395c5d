//! The deadline of the request whose database work runs on this thread, so a transaction
//! whose caller has already been answered 503 is rolled back instead of committed late (a
//! stalled network can hold a transaction's statements and release them after the caller gave
//! up). Set by the HTTP layer around each unit of work; absent for the CLI.

use std::cell::Cell;
use std::time::{Duration, Instant};

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// How long a request's database work may take before the caller gets 503 (API.md §6: within
/// 2 s). The HTTP layer applies it to pooled work (`http::blocking::DEADLINE`), the pipelined
/// reader (`db::reader`) to its own.
pub const REQUEST: Duration = Duration::from_millis(1900);

/// Time a COMMIT needs to reach the server and be answered; below it the commit is not tried.
pub const COMMIT_MARGIN: Duration = Duration::from_millis(250);

/// Runs `work` with `deadline` set for this thread.
pub fn within<T>(deadline: Instant, work: impl FnOnce() -> T) -> T {
    struct Reset(Option<Instant>);
    impl Drop for Reset {
        fn drop(&mut self) {
            DEADLINE.with(|d| d.set(self.0));
        }
    }
    let _reset = Reset(DEADLINE.with(|d| d.replace(Some(deadline))));
    work()
}

/// True when this thread's work has a deadline closer than `margin`.
pub fn too_late(margin: Duration) -> bool {
    DEADLINE.with(|d| d.get()).is_some_and(|at| Instant::now() + margin >= at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_applies_only_inside_within() {
        assert!(!too_late(COMMIT_MARGIN), "no deadline: never too late");
        within(Instant::now() + Duration::from_secs(5), || assert!(!too_late(COMMIT_MARGIN)));
        within(Instant::now() + Duration::from_millis(100), || assert!(too_late(COMMIT_MARGIN)));
        assert!(!too_late(COMMIT_MARGIN));
    }
}
