//! Work shared among the cores: one scoped thread per share, results in the order of the shares.
//! The simulator and the best-path search both split their work this way.

/// Runs `work` on each share on a thread of its own and returns the results in order. A single
/// share runs on the calling thread. A panic in a share is passed on to the caller.
pub(crate) fn each_share<T: Send, R: Send>(shares: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    if shares.len() <= 1 {
        return shares.into_iter().map(work).collect();
    }
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|share| scope.spawn(move || work(share)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// The cores this machine offers (1 when it cannot tell).
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
