//! The lab's allocator on wasm32: free lists by size class in front of the system allocator
//! (Rust's dlmalloc port there).
//!
//! Why: the simulator allocates and frees small blocks all the time (message payloads, reply
//! lists, strings of keys and bodies), and in V8 dlmalloc's `malloc`, `free`, `unlink_chunk`
//! and the `__rust_dealloc` shim were about 11 % of the report's time (`node --cpu-prof` on
//! the lab built with names). dlmalloc coalesces a freed block with its neighbours and splits
//! it again on the next request; here a freed small block waits on its size's list, and the
//! next request of that size takes it back, so both calls are a few instructions. Blocks come
//! from 64 KiB chunks, carved once.
//!
//! Why hand-written: the crates that do this on wasm32 are either general allocators that
//! still coalesce (talc, measured: within noise of dlmalloc, `docs/size.md`) or unmaintained
//! (wee_alloc); the fast size-class allocators (mimalloc, snmalloc) need a C toolchain.
//!
//! It is installed only where there is exactly one thread (wasm32 without the atomics
//! feature, which the lab's workers are built as): the lists are plain fields, not locked.
//! Memory of a small size is never handed back to the system allocator, only reused for the
//! same size; a worker's footprint is the peak of each size, which a report run reaches early.
//! Which address a block gets never reaches the simulation, so results do not change.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::ptr::{self, null_mut};

/// Size classes are multiples of this (also their alignment).
const GRAIN: usize = 16;
/// Classes of 16, 32, ..., 2048 bytes; larger blocks go to the system allocator. Why up to
/// 2 KiB: the queue benchmarks' message bodies are 0.5 to 2 KiB, allocated per message.
const CLASSES: usize = 128;
/// What the carving of new small blocks takes from the system allocator at a time.
const CHUNK: usize = 64 * 1024;

struct Lists {
    /// The head of each class's free list; a free block's first word points to the next.
    free: [*mut u8; CLASSES],
    /// The unused rest of the current chunk.
    bump: *mut u8,
    end: *mut u8,
}

pub struct SizeClasses<A> {
    inner: A,
    lists: UnsafeCell<Lists>,
}

// SAFETY: installed only on single-threaded wasm32 (see the module docs and `main.rs`);
// the tests use an instance from one thread.
unsafe impl<A: Sync> Sync for SizeClasses<A> {}

impl<A> SizeClasses<A> {
    pub const fn new(inner: A) -> Self {
        SizeClasses {
            inner,
            lists: UnsafeCell::new(Lists {
                free: [null_mut(); CLASSES],
                bump: null_mut(),
                end: null_mut(),
            }),
        }
    }
}

/// The class of a layout, or `None` for the system allocator. Deallocation gets the same
/// layout as allocation, so a block always goes back where it came from.
#[inline(always)]
fn class_of(layout: &Layout) -> Option<usize> {
    (layout.size() <= GRAIN * CLASSES && layout.align() <= GRAIN)
        .then(|| layout.size().max(1).div_ceil(GRAIN) - 1)
}

unsafe impl<A: GlobalAlloc> GlobalAlloc for SizeClasses<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(&layout) else {
            return self.inner.alloc(layout);
        };
        let lists = &mut *self.lists.get();
        let head = lists.free[class];
        if !head.is_null() {
            lists.free[class] = head.cast::<*mut u8>().read();
            return head;
        }
        let size = (class + 1) * GRAIN;
        if (lists.end as usize) - (lists.bump as usize) < size {
            // The rest of the old chunk (under 2 KiB) is left unused.
            let chunk = self
                .inner
                .alloc(Layout::from_size_align_unchecked(CHUNK, GRAIN));
            if chunk.is_null() {
                return null_mut();
            }
            lists.bump = chunk;
            lists.end = chunk.add(CHUNK);
        }
        let block = lists.bump;
        lists.bump = block.add(size);
        block
    }

    #[inline]
    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        let Some(class) = class_of(&layout) else {
            return self.inner.dealloc(block, layout);
        };
        let lists = &mut *self.lists.get();
        block.cast::<*mut u8>().write(lists.free[class]);
        lists.free[class] = block;
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = Layout::from_size_align_unchecked(new_size, layout.align());
        match (class_of(&layout), class_of(&new)) {
            // The system allocator may grow a large block in place.
            (None, None) => self.inner.realloc(block, layout, new_size),
            (Some(a), Some(b)) if a == b => block,
            _ => {
                let moved = self.alloc(new);
                if !moved.is_null() {
                    ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                    self.dealloc(block, layout);
                }
                moved
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::System;

    fn fill(p: *mut u8, len: usize, byte: u8) {
        unsafe { ptr::write_bytes(p, byte, len) };
    }

    fn holds(p: *mut u8, len: usize, byte: u8) -> bool {
        (0..len).all(|i| unsafe { *p.add(i) } == byte)
    }

    #[test]
    fn classes_cover_small_layouts_and_leave_the_rest_to_the_system() {
        let l = |size, align| Layout::from_size_align(size, align).unwrap();
        assert_eq!(class_of(&l(1, 1)), Some(0));
        assert_eq!(class_of(&l(16, 8)), Some(0));
        assert_eq!(class_of(&l(17, 8)), Some(1));
        assert_eq!(class_of(&l(512, 16)), Some(31));
        assert_eq!(class_of(&l(2048, 8)), Some(127));
        assert_eq!(class_of(&l(2049, 8)), None);
        assert_eq!(class_of(&l(64, 32)), None);
    }

    #[test]
    fn a_freed_block_is_reused_for_the_same_size_only() {
        let a = SizeClasses::new(System);
        let small = Layout::from_size_align(40, 8).unwrap();
        let other = Layout::from_size_align(100, 8).unwrap();
        unsafe {
            let p = a.alloc(small);
            fill(p, 40, 1);
            a.dealloc(p, small);
            let q = a.alloc(other);
            assert_ne!(p, q, "another class must not take the block");
            let r = a.alloc(small);
            assert_eq!(p, r, "the same class takes the freed block back");
            a.dealloc(q, other);
            a.dealloc(r, small);
        }
    }

    #[test]
    fn live_blocks_never_overlap_and_keep_their_contents() {
        let a = SizeClasses::new(System);
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        // Sizes across the small classes and above, allocated, freed and reallocated in a
        // fixed pattern; every live block is filled with its own byte and checked at the end.
        for i in 0..5000usize {
            let size = 1 + (i * 37) % 2500;
            let layout = Layout::from_size_align(size, 8).unwrap();
            let byte = (i % 251) as u8;
            let p = unsafe { a.alloc(layout) };
            assert!(!p.is_null());
            assert_eq!(p as usize % 8, 0);
            fill(p, size, byte);
            live.push((p, layout, byte));
            if i % 3 == 0 {
                let (p, layout, byte) = live.swap_remove(i % live.len());
                assert!(holds(p, layout.size(), byte));
                unsafe { a.dealloc(p, layout) };
            }
            if i % 7 == 0 && !live.is_empty() {
                let k = (i / 7) % live.len();
                let (p, layout, byte) = live[k];
                let new_size = 1 + (i * 13) % 3000;
                let q = unsafe { a.realloc(p, layout, new_size) };
                assert!(holds(q, layout.size().min(new_size), byte));
                fill(q, new_size, byte);
                live[k] = (q, Layout::from_size_align(new_size, 8).unwrap(), byte);
            }
        }
        for &(p, layout, byte) in &live {
            assert!(holds(p, layout.size(), byte), "a block was overwritten");
        }
        for (p, layout, _) in live {
            unsafe { a.dealloc(p, layout) };
        }
    }
}
