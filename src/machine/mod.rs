//! PROBES: what is this machine? Every fact is read or measured here, or is
//! `Unavailable` with the reason; nothing is typed in.
//!
//! # Platforms
//! Linux: sysfs and procfs (caches, topology, cpufreq, memory), CPUID on x86
//! as a second source. Elsewhere: CPUID on x86, `sysinfo` for memory, brand and
//! cores; caches unavailable. With the `force-fallback` feature nothing is
//! read, as on an unknown platform.

mod build_info;
pub mod buses;
pub mod huge_pages;
pub mod interpreters;
pub mod linux;
pub(crate) mod perf;
mod simd;
mod system;
mod timer;
pub mod uarch;
pub mod x86;

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use build_info::BuildInfo;
pub use simd::{Simd, SimdFeature};
pub use timer::Timer;

use crate::error::Fact;

/// Everything hpp knows about the machine it runs on. Build one with
/// [`machine()`]; it is plain data, displayed as a banner in a notebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// Processor identity and topology.
    pub cpu: Cpu,
    /// Every cache level, smallest first.
    pub caches: Fact<Vec<Cache>>,
    /// Where the cache facts came from ("sysfs", "CPUID leaf 4", …).
    pub cache_source: Option<String>,
    /// Vector features detected at run time.
    pub simd: Simd,
    /// Main memory.
    pub memory: Memory,
    /// Operating system.
    pub os: Os,
    /// Whether this is a virtual machine, and under what.
    pub virtualization: Fact<Virtualization>,
    /// Frequency scaling, where the OS exposes it.
    pub frequency: Frequency,
    /// Whether hardware performance counters can be opened.
    pub perf_counters: Fact<String>,
    /// The clock every timing uses.
    pub timer: Timer,
    /// How the hpp crate in this process was compiled.
    pub build: BuildInfo,
    /// hpp's version.
    pub hpp_version: String,
}

/// Processor identity and topology.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cpu {
    /// Marketing name, e.g. "AMD EPYC 7B13 64-Core Processor".
    pub brand: Fact<String>,
    /// Vendor, e.g. "AuthenticAMD", "GenuineIntel", "ARM".
    pub vendor: Fact<String>,
    /// Instruction set, e.g. "x86_64", "aarch64".
    pub arch: String,
    /// Logical CPUs online.
    pub logical_cpus: Fact<usize>,
    /// Logical CPUs this process may run on (affinity and cgroup quota).
    pub available_parallelism: Fact<usize>,
    /// Physical cores.
    pub physical_cores: Fact<usize>,
    /// Hardware threads per core (2 with SMT / Hyper-Threading).
    pub threads_per_core: Fact<usize>,
    /// CPU packages (sockets).
    pub packages: Fact<usize>,
    /// Online logical CPUs, by number (for pinning threads).
    pub online: Fact<Vec<usize>>,
    /// The logical CPUs sharing the first online CPU's core (itself
    /// included): two or more with SMT / Hyper-Threading.
    pub smt_siblings: Fact<Vec<usize>>,
    /// x86 family and model numbers (what a per-model table is keyed by).
    #[serde(default = "no_family_model")]
    pub family_model: Fact<FamilyModel>,
}

fn no_family_model() -> Fact<FamilyModel> {
    Fact::unavailable("not recorded")
}

/// An x86 CPU's display family and model, as /proc/cpuinfo prints them
/// ("cpu family: 25", "model: 1" is AMD Zen 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyModel {
    /// Display family (base + extended).
    pub family: u32,
    /// Display model (extended model × 16 + base model where it applies).
    pub model: u32,
}

/// Data, instruction or unified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheKind {
    /// Holds data only (L1d).
    Data,
    /// Holds instructions only (L1i).
    Instruction,
    /// Holds both (L2, L3 on most CPUs).
    Unified,
}

/// One cache level as one CPU sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cache {
    /// 1, 2, 3, …
    pub level: u8,
    /// Data, instruction or unified.
    pub kind: CacheKind,
    /// Capacity of one instance.
    pub size_bytes: u64,
    /// Line (coherency unit) size.
    pub line_bytes: Option<u32>,
    /// Associativity.
    pub ways: Option<u32>,
    /// Logical CPUs sharing one instance.
    pub shared_by_cpus: Option<usize>,
    /// Instances in the machine (e.g. one L2 per core).
    pub instances: Option<usize>,
}

impl Cache {
    /// "L1d", "L1i", "L2", "L3".
    pub fn label(&self) -> String {
        match self.kind {
            CacheKind::Data => format!("L{}d", self.level),
            CacheKind::Instruction => format!("L{}i", self.level),
            CacheKind::Unified => format!("L{}", self.level),
        }
    }
}

/// Main memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    /// Installed (visible to the OS).
    pub total_bytes: Fact<u64>,
    /// Available to new allocations without swapping, at probe time.
    pub available_bytes: Fact<u64>,
}

/// Operating system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Os {
    /// Family from the compiler: "linux", "macos", "windows", …
    pub family: String,
    /// Distribution or product name.
    pub name: Fact<String>,
    /// Kernel version.
    pub kernel: Fact<String>,
}

/// Virtual machine or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Virtualization {
    /// True under a hypervisor.
    pub virtualised: bool,
    /// Its name, when it says.
    pub hypervisor: Option<String>,
}

/// Frequency scaling as the OS exposes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frequency {
    /// cpufreq governor ("performance", "powersave", …).
    pub governor: Fact<String>,
    /// cpufreq driver ("intel_pstate", "acpi-cpufreq", …).
    pub driver: Fact<String>,
    /// Whether turbo / boost is enabled.
    pub turbo: Fact<bool>,
    /// Highest frequency the OS may select, in MHz.
    pub max_mhz: Fact<f64>,
    /// The frequency the OS last reported for the first CPU ("cpu MHz" in
    /// `/proc/cpuinfo`), in MHz: a snapshot, not a measurement.
    pub reported_mhz: Fact<f64>,
}

/// What the Linux probe read under one filesystem root: the part of the card
/// that comes from files, testable against recorded machines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinuxFacts {
    /// Brand from /proc/cpuinfo.
    pub brand: Fact<String>,
    /// Vendor from /proc/cpuinfo.
    pub vendor: Fact<String>,
    /// Online logical CPUs.
    pub logical_cpus: Fact<usize>,
    /// Physical cores.
    pub physical_cores: Fact<usize>,
    /// Threads per core.
    pub threads_per_core: Fact<usize>,
    /// Packages.
    pub packages: Fact<usize>,
    /// Online CPUs by number.
    pub online: Fact<Vec<usize>>,
    /// Siblings of the first online CPU's core.
    pub smt_siblings: Fact<Vec<usize>>,
    /// x86 family and model from /proc/cpuinfo.
    pub family_model: Fact<FamilyModel>,
    /// Caches of the first online CPU.
    pub caches: Fact<Vec<Cache>>,
    /// Memory from /proc/meminfo.
    pub memory: Memory,
    /// Hypervisor flag and name.
    pub virtualization: Fact<Virtualization>,
    /// cpufreq.
    pub frequency: Frequency,
    /// /proc/sys/kernel/perf_event_paranoid.
    pub perf_event_paranoid: Option<i32>,
}

/// Read the Linux facts under `root` (`/` for this machine, a fixture folder in
/// tests). Never fails: what is missing is `Unavailable`.
pub fn probe_linux_root(root: &Path) -> LinuxFacts {
    let r = linux::Root::new(root);
    let cpus = linux::online_cpus(&r);
    let info = linux::cpuinfo(&r);
    let (brand, vendor) = match &info {
        Some(i) => linux::brand_vendor(i),
        None => (
            Fact::unavailable("/proc/cpuinfo not readable"),
            Fact::unavailable("/proc/cpuinfo not readable"),
        ),
    };
    let family_model = match &info {
        Some(i) => linux::family_model(i),
        None => Fact::unavailable("/proc/cpuinfo not readable"),
    };
    let no_cpus = "no online CPU list in sysfs";
    let (physical_cores, threads_per_core, packages, caches) = match &cpus {
        Some(c) => {
            let (p, t, k) = linux::topology(&r, c);
            (p, t, k, linux::caches(&r, c).into())
        }
        None => (
            Fact::unavailable(no_cpus),
            Fact::unavailable(no_cpus),
            Fact::unavailable(no_cpus),
            Fact::unavailable(no_cpus),
        ),
    };
    let (total, avail) = linux::meminfo(&r);
    LinuxFacts {
        brand,
        vendor,
        family_model,
        logical_cpus: cpus
            .as_ref()
            .map(|c| Fact::Known(c.len()))
            .unwrap_or_else(|| Fact::unavailable(no_cpus)),
        physical_cores,
        threads_per_core,
        packages,
        online: cpus
            .clone()
            .map(Fact::Known)
            .unwrap_or_else(|| Fact::unavailable(no_cpus)),
        smt_siblings: cpus
            .as_ref()
            .and_then(|c| c.first())
            .and_then(|&c| linux::siblings_of(&r, c))
            .map(Fact::Known)
            .unwrap_or_else(|| Fact::unavailable("no core sibling list in sysfs")),
        caches,
        memory: Memory {
            total_bytes: total,
            available_bytes: avail,
        },
        virtualization: linux::virtualization(&r, info.as_ref()),
        frequency: linux::frequency(&r, cpus.as_deref().unwrap_or(&[]), info.as_ref()),
        perf_event_paranoid: linux::perf_event_paranoid(&r),
    }
}

/// Describe this machine: read what the OS and CPU tell, measure the timer.
/// Takes a few milliseconds; cheap enough to call in every chapter.
///
/// # Platforms
/// Full on Linux; partial on macOS and Windows (no caches unless CPUID gives
/// them); everything-unavailable with the `force-fallback` feature.
pub fn machine() -> Machine {
    let parallelism = std::thread::available_parallelism()
        .map(|n| Fact::Known(n.get()))
        .unwrap_or_else(|e| Fact::unavailable(format!("the OS did not say: {e}")));
    let base = Machine {
        cpu: Cpu {
            brand: Fact::unavailable(FALLBACK),
            vendor: Fact::unavailable(FALLBACK),
            arch: std::env::consts::ARCH.to_string(),
            logical_cpus: Fact::unavailable(FALLBACK),
            available_parallelism: parallelism,
            physical_cores: Fact::unavailable(FALLBACK),
            threads_per_core: Fact::unavailable(FALLBACK),
            packages: Fact::unavailable(FALLBACK),
            online: Fact::unavailable(FALLBACK),
            smt_siblings: Fact::unavailable(FALLBACK),
            family_model: Fact::unavailable(FALLBACK),
        },
        caches: Fact::unavailable(FALLBACK),
        cache_source: None,
        simd: simd::detect(),
        memory: Memory {
            total_bytes: Fact::unavailable(FALLBACK),
            available_bytes: Fact::unavailable(FALLBACK),
        },
        os: Os {
            family: std::env::consts::OS.to_string(),
            name: Fact::unavailable(FALLBACK),
            kernel: Fact::unavailable(FALLBACK),
        },
        virtualization: Fact::unavailable(FALLBACK),
        frequency: Frequency {
            governor: Fact::unavailable(FALLBACK),
            driver: Fact::unavailable(FALLBACK),
            turbo: Fact::unavailable(FALLBACK),
            max_mhz: Fact::unavailable(FALLBACK),
            reported_mhz: Fact::unavailable(FALLBACK),
        },
        perf_counters: Fact::unavailable(FALLBACK),
        timer: timer::measure(),
        build: BuildInfo::current(),
        hpp_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    if cfg!(feature = "force-fallback") {
        base
    } else {
        read_platform(base)
    }
}

/// The reason every fact gives in a `force-fallback` build, and the starting
/// point before the platform's sources are read.
const FALLBACK: &str = "not read (force-fallback build, or no source on this platform)";

fn read_platform(mut m: Machine) -> Machine {
    let (os_name, kernel) = system::os();
    m.os.name = os_name;
    m.os.kernel = kernel;
    let mut paranoid = None;
    if cfg!(target_os = "linux") {
        let f = probe_linux_root(Path::new("/"));
        m.cpu.brand = f.brand;
        m.cpu.vendor = f.vendor;
        m.cpu.logical_cpus = f.logical_cpus;
        m.cpu.physical_cores = f.physical_cores;
        m.cpu.threads_per_core = f.threads_per_core;
        m.cpu.packages = f.packages;
        m.cpu.online = f.online;
        m.cpu.smt_siblings = f.smt_siblings;
        m.cpu.family_model = f.family_model;
        if f.caches.is_known() {
            m.cache_source = Some("Linux sysfs".to_string());
        }
        m.caches = f.caches;
        m.memory = f.memory;
        m.virtualization = f.virtualization;
        m.frequency = f.frequency;
        paranoid = f.perf_event_paranoid;
    } else {
        let (total, avail) = system::memory();
        m.memory = Memory {
            total_bytes: total,
            available_bytes: avail,
        };
        let (brand, cores) = system::cpu();
        m.cpu.brand = brand;
        m.cpu.physical_cores = cores;
        m.cpu.logical_cpus = m.cpu.available_parallelism.clone();
        let no_sysfs = "needs Linux sysfs";
        m.caches = Fact::unavailable(no_sysfs);
        m.frequency = Frequency {
            governor: Fact::unavailable(no_sysfs),
            driver: Fact::unavailable(no_sysfs),
            turbo: Fact::unavailable(no_sysfs),
            max_mhz: Fact::unavailable(no_sysfs),
            reported_mhz: Fact::unavailable(no_sysfs),
        };
        m.virtualization = Fact::unavailable("hpp asks the CPU (x86) or sysfs (Linux) only");
    }
    #[cfg(target_arch = "x86_64")]
    {
        let c = x86::LiveCpuid;
        if !m.cpu.brand.is_known() {
            m.cpu.brand = x86::brand(&c)
                .map(Fact::Known)
                .unwrap_or_else(|| Fact::unavailable("CPUID has no brand string"));
        }
        if !m.cpu.vendor.is_known() {
            m.cpu.vendor = x86::vendor(&c)
                .map(Fact::Known)
                .unwrap_or_else(|| Fact::unavailable("CPUID has no vendor"));
        }
        if !m.cpu.family_model.is_known() {
            m.cpu.family_model = Fact::Known(x86::family_model(&c));
        }
        if !m.caches.is_known() {
            let c = x86::caches(&c);
            if !c.is_empty() {
                m.caches = Fact::Known(c);
                m.cache_source = Some("CPUID".to_string());
            }
        }
        let (present, name) = x86::hypervisor(&c);
        m.virtualization = match m.virtualization {
            Fact::Known(v) => Fact::Known(Virtualization {
                virtualised: v.virtualised || present,
                hypervisor: v.hypervisor.or(name),
            }),
            Fact::Unavailable(_) => Fact::Known(Virtualization {
                virtualised: present,
                hypervisor: name,
            }),
        };
    }
    m.perf_counters = perf::hardware_counters(paranoid);
    m
}

impl Machine {
    /// Data and unified caches (what a working set lives in), smallest first.
    pub fn data_caches(&self) -> Vec<&Cache> {
        match &self.caches {
            Fact::Known(c) => c
                .iter()
                .filter(|c| c.kind != CacheKind::Instruction)
                .collect(),
            Fact::Unavailable(_) => Vec::new(),
        }
    }

    /// The largest data cache's size, if known.
    pub fn last_level_cache_bytes(&self) -> Option<u64> {
        self.data_caches().last().map(|c| c.size_bytes)
    }

    /// The cache line size of the first-level data cache, if known.
    pub fn line_bytes(&self) -> Option<u32> {
        self.data_caches().first().and_then(|c| c.line_bytes)
    }

    /// Memory available for a new allocation, if known.
    pub fn available_memory_bytes(&self) -> Option<u64> {
        self.memory.available_bytes.known().copied()
    }

    /// Logical CPUs this process may use (always known to std on the supported
    /// platforms; 1 if even that fails).
    pub fn usable_cpus(&self) -> usize {
        self.cpu.available_parallelism.known().copied().unwrap_or(1)
    }

    /// One-line verdicts that make results from this machine less trustworthy
    /// (an unoptimised build, a VM, no counters). Said once, in the banner.
    pub fn caveats(&self) -> Vec<String> {
        let mut c = self.build.warnings();
        if let Fact::Known(v) = &self.virtualization
            && v.virtualised
        {
            c.push(format!(
                "virtual machine{}: other guests share the cores, so timings are noisy",
                v.hypervisor
                    .as_ref()
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default()
            ));
        }
        c
    }
}

/// Refuse, before allocating, an input of `bytes` that would not fit: more
/// than 80% of the memory the OS says is available now (the same rule as
/// [`crate::measure::Budget::check_alloc`], for functions a notebook calls
/// without a machine card at hand). Asking the allocator for more than
/// there is aborts the process, and with it a notebook's kernel.
///
/// # Errors
/// [`crate::Error::TooBig`] naming `what`, what it needs and what is free.
pub fn room_for(what: &str, bytes: u64) -> crate::Result<()> {
    if let Fact::Known(avail) = system::memory().1 {
        let limit = avail / 10 * 8;
        if bytes > limit {
            return Err(crate::Error::TooBig {
                what: what.to_string(),
                needed_bytes: bytes,
                available_bytes: limit,
            });
        }
    }
    Ok(())
}

/// An empty `Vec` with room for `n` items, or the reason there is none
/// ([`room_for`], then the allocator's own answer instead of an abort).
///
/// # Errors
/// [`crate::Error::TooBig`] as [`room_for`]; [`crate::Error::BadInput`]
/// when the allocator refuses the request.
pub fn vec_with_room<T>(what: &str, n: usize, bytes_each: u64) -> crate::Result<Vec<T>> {
    let bytes = (n as u64).saturating_mul(bytes_each);
    room_for(what, bytes)?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|e| {
        crate::Error::bad_input(format!(
            "{what} needs {} and the allocator refused it ({e}): choose a smaller size",
            crate::units::fmt_bytes(bytes)
        ))
    })?;
    Ok(v)
}
