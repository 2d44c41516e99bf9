//! An order-keeping parallel map over a slice on scoped threads, for work that is many
//! independent items (loading and compiling thousands of rules).

/// `items.iter().map(f).collect()`, on up to `threads` threads, each taking a contiguous run
/// of the items; the results keep the items' order. One thread (or one item) maps in place.
pub fn map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(part) => part,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_for_any_thread_count() {
        let items: Vec<usize> = (0..1000).collect();
        for threads in [0, 1, 2, 3, 7, 1000, 5000] {
            let out = super::map(&items, threads, |i| i * 2);
            assert_eq!(
                out,
                items.iter().map(|i| i * 2).collect::<Vec<_>>(),
                "{threads}"
            );
        }
        assert!(super::map(&[] as &[u8], 4, |b| *b).is_empty());
    }
}
