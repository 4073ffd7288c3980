//! Stable sorting through one shared instance of the standard library's sort.
//!
//! `slice::sort_by_key` and friends are instantiated once per element type and comparator, and
//! each instance (driftsort: quicksort, merges, small sorts) adds about 3 KB to the WebAssembly
//! build; `collect::<BTreeMap<_, _>>()` sorts too. [`sort_by`] sorts a permutation of indices
//! instead (always `[usize]` with one comparator type), then moves the elements into that order:
//! the per-type code left is a short loop. The result is the same as `sort_by`'s (a stable sort
//! has only one possible output), at the cost of an index vector, which does not matter for the
//! short lists (views, console history, chart series) it is used on.

use std::cmp::Ordering;

/// `v.sort_by(cmp)`: stable, same result.
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = sorted_indices(v.len(), &|a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// `v.sort_by_key(key)`: stable, same result.
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// `v.sort()`: stable, same result. Also used for `sort_unstable()` on integers, where equal
/// elements are identical and every correct sort gives the same output.
pub fn sort<T: Ord>(v: &mut Vec<T>) {
    sort_by(v, T::cmp);
}

/// The indices `0..n` in the stable order `cmp` defines on them.
#[inline(never)]
fn sorted_indices(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::SimRng;

    #[test]
    fn same_result_as_the_standard_stable_sort() {
        let mut rng = SimRng::new(5);
        for len in [0usize, 1, 2, 3, 7, 20, 33, 100, 1000] {
            // Few distinct keys, so stability is exercised.
            let v: Vec<(u64, usize)> = (0..len).map(|i| (rng.next_u64() % 5, i)).collect();
            let mut ours = v.clone();
            sort_by_key(&mut ours, |p| p.0);
            let mut std = v.clone();
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std);
            let mut ours = v.clone();
            sort_by(&mut ours, |a, b| b.0.cmp(&a.0));
            let mut std = v;
            std.sort_by_key(|p| std::cmp::Reverse(p.0));
            assert_eq!(ours, std);
        }
    }
}
