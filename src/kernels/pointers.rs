//! Pointer-chasing layouts of the same numbers: what a CPython list is made
//! of. A list holds pointers to float objects; after the program has run a
//! while, the objects are wherever the allocator found room, so walking the
//! list jumps around memory. A linked list is worse: the next address is
//! only known after the current node has loaded.

use super::rng::{SplitMix64, single_cycle};

/// The same boxes as [`super::memory::make_boxed`] with values `i % 1024`,
/// allocated in order and then visited in a shuffled order: what a list of
/// objects looks like after churn has scattered them.
///
/// # Errors
/// As [`super::memory::make_boxed`].
pub fn make_boxed_shuffled(n: usize, seed: u64) -> crate::Result<Vec<Box<f64>>> {
    let mut v = super::memory::make_boxed(n)?;
    SplitMix64::new(seed).shuffle(&mut v);
    Ok(v)
}

/// One node of [`LinkedList`]: a value and the index of the next node.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
pub struct Node {
    /// The element.
    pub value: f64,
    /// Index of the next node in the arena.
    pub next: usize,
}

/// A singly linked list whose nodes sit in one arena in random order (one
/// random cycle, so the walk visits every node once and no prefetcher can
/// guess the next address).
#[derive(Debug, Clone)]
pub struct LinkedList {
    nodes: Vec<Node>,
}

impl LinkedList {
    /// `n` nodes (≥ 1) holding `i % 1024` for the i-th node visited.
    pub fn shuffled(n: usize, seed: u64) -> Self {
        let next = single_cycle(n.max(1), seed);
        let mut nodes: Vec<Node> = next
            .iter()
            .map(|&j| Node {
                value: 0.0,
                next: j,
            })
            .collect();
        let mut at = 0;
        for i in 0..nodes.len() {
            nodes[at].value = (i % 1024) as f64;
            at = nodes[at].next;
        }
        LinkedList { nodes }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Never empty (at least one node is always built).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Bytes the nodes occupy.
    pub fn bytes(&self) -> usize {
        std::mem::size_of_val(self.nodes.as_slice())
    }

    /// Sum by walking the links from node 0, in visiting order.
    pub fn sum(&self) -> f64 {
        self.walk(self.nodes.len())
    }

    /// Sum the first `steps` nodes in visiting order (wrapping round the
    /// cycle past the end): the whole list stays the working set, so a
    /// shorter walk times the same per-node latency in less time.
    pub fn walk(&self, steps: usize) -> f64 {
        let mut s = 0.0;
        let mut at = 0;
        for _ in 0..steps {
            let node = self.nodes[at];
            s += node.value;
            at = node.next;
        }
        s
    }
}

/// Reference for [`LinkedList::sum`] and every layout here: the values
/// `i % 1024` for `i` in `0..n`, summed in order.
pub fn sum_reference(n: usize) -> f64 {
    (0..n).map(|i| (i % 1024) as f64).sum()
}
