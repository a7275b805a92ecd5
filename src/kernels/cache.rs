//! Cache and latency kernels: a pointer chase through cache-line-sized nodes
//! in one random cycle, so every load depends on the one before and the
//! hardware prefetchers cannot guess the next address.

use super::rng::single_cycle;
use crate::error::{Error, Result};

/// Size of a transparent huge page on x86_64 and most aarch64 kernels.
pub const HUGE_PAGE: usize = 2 << 20;

fn advise_huge(region: &mut [usize]) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: the range is memory this process owns (a live slice); the
        // advice changes only how the kernel backs it, never its contents.
        unsafe {
            libc::madvise(
                region.as_mut_ptr().cast(),
                std::mem::size_of_val(region),
                libc::MADV_HUGEPAGE,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = region;
}

/// A chain of nodes, `node_bytes` apart, each holding the address of the
/// next in one random cycle over all nodes.
#[derive(Debug)]
pub struct Chain {
    // Word 0 of each node holds the address of the next node's word 0; the
    // other words pad the node to its size. Private, so the addresses in it
    // always point into `buf` itself (what makes `chase` sound).
    buf: Vec<usize>,
    // Word index in `buf` where node 0 starts (non-zero when aligned for
    // huge pages).
    start: usize,
    words_per_node: usize,
    nodes: usize,
}

impl Chain {
    /// `nodes` nodes of `node_bytes` (a multiple of the word size, ≥ one
    /// word), linked in a random single cycle from `seed`.
    ///
    /// # Errors
    /// [`Error::BadInput`] if `nodes` is 0 or `node_bytes` is not a positive
    /// multiple of the word size.
    pub fn new(nodes: usize, node_bytes: usize, seed: u64) -> Result<Self> {
        Self::build(nodes, node_bytes, seed, false)
    }

    /// Like [`Chain::new`], but the nodes sit in memory aligned to 2 MiB and
    /// the kernel is asked to back it with transparent huge pages
    /// (`madvise(MADV_HUGEPAGE)`), so far fewer TLB entries cover it. The
    /// kernel may decline; [`crate::machine::huge_pages::huge_pages_state`] says whether it can agree.
    ///
    /// # Errors
    /// As for [`Chain::new`].
    pub fn new_huge(nodes: usize, node_bytes: usize, seed: u64) -> Result<Self> {
        Self::build(nodes, node_bytes, seed, true)
    }

    fn build(nodes: usize, node_bytes: usize, seed: u64, huge: bool) -> Result<Self> {
        let w = std::mem::size_of::<usize>();
        if nodes == 0 {
            return Err(Error::bad_input("a chain needs at least one node"));
        }
        if node_bytes < w || !node_bytes.is_multiple_of(w) {
            return Err(Error::bad_input(format!(
                "a node of {node_bytes} bytes cannot hold addresses: use a positive multiple of {w}"
            )));
        }
        let words_per_node = node_bytes / w;
        let len = nodes * words_per_node;
        // Room to align the start to a huge page and to round the advised
        // region up to whole huge pages: the kernel only backs a huge page
        // that the advice covers entirely, so a chain smaller than 2 MiB still
        // gets one.
        let huge_words = HUGE_PAGE / w;
        let pad = if huge { 2 * huge_words } else { 0 };
        let mut buf = vec![0usize; len + pad];
        let start = if huge {
            let s = buf.as_ptr().align_offset(HUGE_PAGE).min(huge_words);
            let advised = len.div_ceil(huge_words) * huge_words;
            advise_huge(&mut buf[s..s + advised]);
            s
        } else {
            0
        };
        let next = single_cycle(nodes, seed);
        let base = buf[start..].as_mut_ptr();
        for (i, &n) in next.iter().enumerate() {
            // The address of node n's first word, as an integer.
            buf[start + i * words_per_node] = base.wrapping_add(n * words_per_node) as usize;
        }
        Ok(Chain {
            buf,
            start,
            words_per_node,
            nodes,
        })
    }

    fn words(&self) -> &[usize] {
        &self.buf[self.start..self.start + self.nodes * self.words_per_node]
    }

    /// Nodes in the chain.
    pub fn nodes(&self) -> usize {
        self.nodes
    }

    /// Bytes the chain occupies.
    pub fn bytes(&self) -> usize {
        std::mem::size_of_val(self.words())
    }

    fn node_ptr(&self, node: usize) -> *const usize {
        // Out-of-range nodes wrap, so any index is a valid start.
        self.words()
            .as_ptr()
            .wrapping_add((node % self.nodes) * self.words_per_node)
    }

    fn node_of(&self, p: *const usize) -> usize {
        (p as usize - self.words().as_ptr() as usize)
            / (self.words_per_node * std::mem::size_of::<usize>())
    }

    /// Follow `steps` links from node `start`; returns the node reached. Each
    /// load waits for the previous one: time / steps = load-to-use latency.
    /// Continue from the returned node so that repeated calls walk the whole
    /// cycle, not the same first stretch of it.
    pub fn chase(&self, start: usize, steps: usize) -> usize {
        let mut p = self.node_ptr(start);
        let mut left = steps;
        // Unrolled by 8 so loop bookkeeping stays off the load chain.
        while left >= 8 {
            for _ in 0..8 {
                // SAFETY: every node's word 0 holds the address of a node's
                // word 0 inside `self.buf` (set in `new`, never changed), `p`
                // starts at a node inside it, and `&self` keeps the buffer
                // alive and unmoved.
                p = unsafe { *p } as *const usize;
            }
            left -= 8;
        }
        for _ in 0..left {
            // SAFETY: as above.
            p = unsafe { *p } as *const usize;
        }
        self.node_of(p)
    }

    /// Reference for [`Chain::chase`]: the same walk by index.
    pub fn chase_reference(&self, start: usize, steps: usize) -> usize {
        let base = self.words().as_ptr() as usize;
        let node_bytes = self.words_per_node * std::mem::size_of::<usize>();
        let mut i = start % self.nodes;
        for _ in 0..steps {
            i = (self.words()[i * self.words_per_node] - base) / node_bytes;
        }
        i
    }

    /// `k` starting nodes spread evenly along the cycle (for
    /// [`Chain::chase_parallel`]).
    pub fn spread_starts(&self, k: usize) -> Vec<usize> {
        let k = k.clamp(1, self.nodes);
        let stride = self.nodes / k;
        let mut at = 0;
        let mut out = Vec::with_capacity(k);
        for _ in 0..k {
            out.push(at);
            at = self.chase_reference(at, stride);
        }
        out
    }

    /// Advance every chase in `positions` (node indices, at most 16) by
    /// `steps` links, interleaved: independent loads the CPU can overlap
    /// (memory-level parallelism). Positions are updated in place.
    pub fn chase_parallel(&self, positions: &mut [usize], steps: usize) {
        let k = positions.len().min(16);
        let mut ps = [self.words().as_ptr(); 16];
        for (slot, &pos) in ps.iter_mut().zip(positions.iter()) {
            *slot = self.node_ptr(pos);
        }
        for _ in 0..steps {
            for slot in ps.iter_mut().take(k) {
                // SAFETY: as in `chase`.
                *slot = unsafe { **slot } as *const usize;
            }
        }
        for (pos, &p) in positions.iter_mut().zip(ps.iter()).take(k) {
            *pos = self.node_of(p);
        }
    }
}

/// Sum every `stride_words`-th element (a strided read): when the stride
/// reaches the cache line, every access brings in a line of its own. Four
/// independent sums keep the adds from being the limit.
pub fn strided_sum(a: &[u64], stride_words: usize) -> u64 {
    let s = stride_words.max(1);
    let mut acc = [0u64; 4];
    let chunks = a.chunks_exact(4 * s);
    let rem = chunks.remainder();
    for c in chunks {
        acc[0] = acc[0].wrapping_add(c[0]);
        acc[1] = acc[1].wrapping_add(c[s]);
        acc[2] = acc[2].wrapping_add(c[2 * s]);
        acc[3] = acc[3].wrapping_add(c[3 * s]);
    }
    let mut total = acc.iter().fold(0u64, |x, &y| x.wrapping_add(y));
    for x in rem.iter().step_by(s) {
        total = total.wrapping_add(*x);
    }
    total
}

/// Reference for [`strided_sum`].
pub fn strided_sum_reference(a: &[u64], stride_words: usize) -> u64 {
    let stride = stride_words.max(1);
    let mut s = 0u64;
    let mut i = 0;
    while i < a.len() {
        s = s.wrapping_add(a[i]);
        i += stride;
    }
    s
}

/// Sum `data[idx[i]]` for every `i`: a random gather whose loads are
/// independent (their addresses are known in advance), so the CPU can have
/// many misses in flight. Indices past the end count as 0.
pub fn gather_sum(data: &[u64], idx: &[u32]) -> u64 {
    let mut s = 0u64;
    for &i in idx {
        s = s.wrapping_add(data.get(i as usize).copied().unwrap_or(0));
    }
    s
}

/// [`gather_sum`] with a software prefetch `distance` elements ahead (x86_64
/// `prefetcht0`; elsewhere the plain gather).
pub fn gather_sum_prefetch(data: &[u64], idx: &[u32], distance: usize) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let mut s = 0u64;
        for (k, &i) in idx.iter().enumerate() {
            if let Some(&ahead) = idx.get(k + distance) {
                let p = data.as_ptr().wrapping_add(ahead as usize);
                // SAFETY: prefetch is only a hint and never faults, whatever
                // the address; SSE is part of the x86_64 baseline.
                unsafe { _mm_prefetch::<_MM_HINT_T0>(p as *const i8) };
            }
            s = s.wrapping_add(data.get(i as usize).copied().unwrap_or(0));
        }
        s
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = distance;
        gather_sum(data, idx)
    }
}

/// Whether [`gather_sum_prefetch`] really prefetches on this CPU.
pub fn software_prefetch_available() -> bool {
    cfg!(target_arch = "x86_64")
}

/// Reference for both gathers.
pub fn gather_sum_reference(data: &[u64], idx: &[u32]) -> u64 {
    let mut s = 0u64;
    for &i in idx {
        if (i as usize) < data.len() {
            s = s.wrapping_add(data[i as usize]);
        }
    }
    s
}
