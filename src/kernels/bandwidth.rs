//! STREAM-style bandwidth kernels over `f64` arrays: read, write, copy and
//! triad, plus copy/write/triad with non-temporal (streaming) stores that
//! bypass the caches on x86_64. Each has a plain `_reference` twin.

/// Which bandwidth kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BwKernel {
    /// Sum an array (8 bytes read per element).
    Read,
    /// Fill an array (8 bytes written per element).
    Write,
    /// `a = b` (16 bytes per element).
    Copy,
    /// `a = b + s·c` (24 bytes per element).
    Triad,
    /// `Write` with streaming stores.
    WriteNt,
    /// `Copy` with streaming stores.
    CopyNt,
    /// `Triad` with streaming stores.
    TriadNt,
}

impl BwKernel {
    /// Every kernel, in display order.
    pub const ALL: [BwKernel; 7] = [
        BwKernel::Read,
        BwKernel::Write,
        BwKernel::Copy,
        BwKernel::Triad,
        BwKernel::WriteNt,
        BwKernel::CopyNt,
        BwKernel::TriadNt,
    ];

    /// Name as the JSON and the plot spell it.
    pub fn name(self) -> &'static str {
        match self {
            BwKernel::Read => "read",
            BwKernel::Write => "write",
            BwKernel::Copy => "copy",
            BwKernel::Triad => "triad",
            BwKernel::WriteNt => "write_nt",
            BwKernel::CopyNt => "copy_nt",
            BwKernel::TriadNt => "triad_nt",
        }
    }

    /// Arrays the kernel touches (each of equal length).
    pub fn arrays(self) -> usize {
        match self {
            BwKernel::Read | BwKernel::Write | BwKernel::WriteNt => 1,
            BwKernel::Copy | BwKernel::CopyNt => 2,
            BwKernel::Triad | BwKernel::TriadNt => 3,
        }
    }

    /// Whether this kernel uses streaming stores.
    pub fn non_temporal(self) -> bool {
        matches!(
            self,
            BwKernel::WriteNt | BwKernel::CopyNt | BwKernel::TriadNt
        )
    }
}

/// Whether streaming-store kernels really stream on this CPU (x86_64: SSE2's
/// `movntpd`); elsewhere they fall back to ordinary stores and say so.
pub fn streaming_stores_available() -> bool {
    cfg!(target_arch = "x86_64")
}

/// Sum with 8 independent accumulators (lets the compiler use SIMD and keeps
/// the add latency off the critical path, so memory is the limit). Uses
/// 256-bit AVX when the CPU has it (run-time dispatch), as `-march=native` C
/// would.
pub fn read_sum(a: &[f64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU supports AVX (checked just above).
        return unsafe { read_sum_avx(a) };
    }
    read_sum_portable(a)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn read_sum_avx(a: &[f64]) -> f64 {
    read_sum_portable(a)
}

#[inline(always)]
fn read_sum_portable(a: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let chunks = a.chunks_exact(8);
    let rem = chunks.remainder();
    for c in chunks {
        for k in 0..8 {
            acc[k] += c[k];
        }
    }
    acc.iter().sum::<f64>() + rem.iter().sum::<f64>()
}

/// Reference for [`read_sum`].
pub fn read_sum_reference(a: &[f64]) -> f64 {
    let mut s = 0.0;
    for x in a {
        s += x;
    }
    s
}

/// Set every element to `v`.
pub fn write(a: &mut [f64], v: f64) {
    a.fill(v);
}

/// `a[i] = b[i]` (lengths must match; the shorter length is used).
pub fn copy(a: &mut [f64], b: &[f64]) {
    let n = a.len().min(b.len());
    a[..n].copy_from_slice(&b[..n]);
}

/// `a[i] = b[i] + s * c[i]`, with 256-bit AVX when the CPU has it.
pub fn triad(a: &mut [f64], b: &[f64], c: &[f64], s: f64) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU supports AVX-512F (checked just above).
        return unsafe { triad_avx512(a, b, c, s) };
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU supports AVX (checked just above).
        return unsafe { triad_avx(a, b, c, s) };
    }
    triad_portable(a, b, c, s)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn triad_avx512(a: &mut [f64], b: &[f64], c: &[f64], s: f64) {
    triad_portable(a, b, c, s)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn triad_avx(a: &mut [f64], b: &[f64], c: &[f64], s: f64) {
    triad_portable(a, b, c, s)
}

#[inline(always)]
fn triad_portable(a: &mut [f64], b: &[f64], c: &[f64], s: f64) {
    for ((x, y), z) in a.iter_mut().zip(b).zip(c) {
        *x = y + s * z;
    }
}

/// Reference for [`write()`], [`copy`] and [`triad`] (and their streaming
/// twins): one plain index loop computing `a[i] = b[i] + s * c[i]`, where a
/// missing `b` or `c` counts as 0.
pub fn store_reference(a: &mut [f64], b: Option<&[f64]>, c: Option<&[f64]>, s: f64, fill: f64) {
    for i in 0..a.len() {
        a[i] = match (b, c) {
            (None, None) => fill,
            (Some(b), None) => b[i],
            (Some(b), Some(c)) => b[i] + s * c[i],
            (None, Some(c)) => s * c[i],
        };
    }
}

#[cfg(target_arch = "x86_64")]
mod nt {
    use std::arch::x86_64::{_mm_set_pd, _mm_set1_pd, _mm_sfence, _mm_stream_pd};

    /// Elements before the first 16-byte-aligned one (streaming stores of
    /// two doubles need 16-byte alignment).
    fn head(a: &[f64]) -> usize {
        let off = (a.as_ptr() as usize) % 16;
        if off == 0 { 0 } else { 1.min(a.len()) }
    }

    pub fn store(a: &mut [f64], f: impl Fn(usize) -> f64) {
        let h = head(a);
        for (i, x) in a.iter_mut().enumerate().take(h) {
            *x = f(i);
        }
        let body = (a.len() - h) / 2 * 2;
        let p = a.as_mut_ptr();
        let mut i = h;
        while i < h + body {
            // SAFETY: i + 1 < a.len(), and p + i is 16-byte aligned because
            // the slice is 8-aligned and `h` skipped to a 16-byte boundary.
            unsafe { _mm_stream_pd(p.add(i), _mm_set_pd(f(i + 1), f(i))) };
            i += 2;
        }
        for (k, x) in a.iter_mut().enumerate().skip(h + body) {
            *x = f(k);
        }
        // SAFETY: sfence has no preconditions; it orders the streaming stores.
        unsafe { _mm_sfence() };
    }

    pub fn fill(a: &mut [f64], v: f64) {
        let h = head(a);
        a[..h].fill(v);
        let body = (a.len() - h) / 2 * 2;
        let p = a.as_mut_ptr();
        // SAFETY: SSE2 is part of the x86_64 baseline.
        let vv = unsafe { _mm_set1_pd(v) };
        let mut i = h;
        while i < h + body {
            // SAFETY: as in `store`.
            unsafe { _mm_stream_pd(p.add(i), vv) };
            i += 2;
        }
        a[h + body..].fill(v);
        // SAFETY: as in `store`.
        unsafe { _mm_sfence() };
    }
}

/// [`write()`] with streaming stores.
pub fn write_nt(a: &mut [f64], v: f64) {
    #[cfg(target_arch = "x86_64")]
    nt::fill(a, v);
    #[cfg(not(target_arch = "x86_64"))]
    write(a, v);
}

/// [`copy`] with streaming stores.
pub fn copy_nt(a: &mut [f64], b: &[f64]) {
    let n = a.len().min(b.len());
    #[cfg(target_arch = "x86_64")]
    nt::store(&mut a[..n], |i| b[i]);
    #[cfg(not(target_arch = "x86_64"))]
    copy(&mut a[..n], &b[..n]);
}

/// [`triad`] with streaming stores.
pub fn triad_nt(a: &mut [f64], b: &[f64], c: &[f64], s: f64) {
    let n = a.len().min(b.len()).min(c.len());
    #[cfg(target_arch = "x86_64")]
    nt::store(&mut a[..n], |i| b[i] + s * c[i]);
    #[cfg(not(target_arch = "x86_64"))]
    triad(&mut a[..n], &b[..n], &c[..n], s);
}

/// Arrays for one thread's run of a kernel, filled so results are exact.
#[derive(Debug)]
pub struct BwArrays {
    a: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
}

impl BwArrays {
    /// Arrays of `n` elements each, as many as `k` needs, touched once so
    /// their pages are resident before timing.
    pub fn new(k: BwKernel, n: usize) -> Self {
        let make = |used: bool, f: fn(usize) -> f64| {
            if used {
                (0..n).map(f).collect()
            } else {
                Vec::new()
            }
        };
        BwArrays {
            a: make(true, |i| (i % 8) as f64),
            b: make(k.arrays() >= 2, |i| (i % 16) as f64),
            c: make(k.arrays() >= 3, |i| (i % 4) as f64),
        }
    }

    /// Run `k` once; returns a value that depends on the work (for
    /// `black_box` and validation).
    pub fn run(&mut self, k: BwKernel) -> f64 {
        let s = 3.0;
        match k {
            BwKernel::Read => return read_sum(&self.a),
            BwKernel::Write => write(&mut self.a, 1.0),
            BwKernel::WriteNt => write_nt(&mut self.a, 1.0),
            BwKernel::Copy => copy(&mut self.a, &self.b),
            BwKernel::CopyNt => copy_nt(&mut self.a, &self.b),
            BwKernel::Triad => triad(&mut self.a, &self.b, &self.c, s),
            BwKernel::TriadNt => triad_nt(&mut self.a, &self.b, &self.c, s),
        }
        self.a.last().copied().unwrap_or(0.0)
    }

    /// Check the destination holds what the kernel must have written (STREAM
    /// validates its results too); `Err` names the first wrong element.
    pub fn validate(&self, k: BwKernel) -> Result<(), String> {
        let mut want = vec![0.0; self.a.len()];
        match k {
            BwKernel::Read => return Ok(()),
            BwKernel::Write | BwKernel::WriteNt => store_reference(&mut want, None, None, 0.0, 1.0),
            BwKernel::Copy | BwKernel::CopyNt => {
                store_reference(&mut want, Some(&self.b), None, 0.0, 0.0)
            }
            BwKernel::Triad | BwKernel::TriadNt => {
                store_reference(&mut want, Some(&self.b), Some(&self.c), 3.0, 0.0)
            }
        }
        match self.a.iter().zip(&want).position(|(x, y)| x != y) {
            None => Ok(()),
            Some(i) => Err(format!(
                "{}: element {i} is {} but should be {}",
                k.name(),
                self.a[i],
                want[i]
            )),
        }
    }

    /// Bytes one run moves, as STREAM counts them (reads plus writes).
    pub fn bytes_moved(&self, k: BwKernel) -> u64 {
        (self.a.len() * k.arrays() * std::mem::size_of::<f64>()) as u64
    }

    /// The first array (for tests).
    pub fn a(&self) -> &[f64] {
        &self.a
    }
}
