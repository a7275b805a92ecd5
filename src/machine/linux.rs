//! Linux probe: reads sysfs and procfs under an injectable root, so tests can
//! replay recorded machines (`tests/fixtures/*`) and the live probe reads `/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{Cache, CacheKind, Frequency, Virtualization};
use crate::error::{Fact, Unavailable};

/// A filesystem root holding `sys/` and `proc/` (normally `/`).
#[derive(Debug, Clone)]
pub struct Root(PathBuf);

impl Root {
    /// A root at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Root(path.into())
    }

    /// The path of the root itself.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Read a file under the root, trimmed; `None` if absent or unreadable.
    pub fn read(&self, rel: &str) -> Option<String> {
        let p = self.0.join(rel.trim_start_matches('/'));
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
    }

    fn read_num<T: std::str::FromStr>(&self, rel: &str) -> Option<T> {
        self.read(rel)?.parse().ok()
    }

    fn exists(&self, rel: &str) -> bool {
        self.0.join(rel.trim_start_matches('/')).exists()
    }
}

const CPU: &str = "sys/devices/system/cpu";

/// Parse a kernel CPU list such as `0-3,8,10-11`.
pub fn parse_cpu_list(text: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if b < a || b - a > 1 << 16 {
                    return None;
                }
                out.extend(a..=b);
            }
            None => out.push(part.trim().parse().ok()?),
        }
    }
    if out.is_empty() { None } else { Some(out) }
}

/// The online logical CPUs, by number.
pub fn online_cpus(root: &Root) -> Option<Vec<usize>> {
    parse_cpu_list(&root.read(&format!("{CPU}/online"))?)
}

/// Physical cores, threads per core and packages from `cpuN/topology`.
pub fn topology(root: &Root, cpus: &[usize]) -> (Fact<usize>, Fact<usize>, Fact<usize>) {
    let mut cores = BTreeSet::new();
    let mut packages = BTreeSet::new();
    let mut max_threads = 0usize;
    for &c in cpus {
        let t = format!("{CPU}/cpu{c}/topology");
        let siblings = root
            .read(&format!("{t}/core_cpus_list"))
            .or_else(|| root.read(&format!("{t}/thread_siblings_list")));
        let Some(siblings) = siblings.as_deref().and_then(parse_cpu_list) else {
            let why = "no CPU topology in sysfs";
            return (
                Fact::unavailable(why),
                Fact::unavailable(why),
                Fact::unavailable(why),
            );
        };
        max_threads = max_threads.max(siblings.len());
        cores.insert(siblings);
        if let Some(p) = root.read_num::<i64>(&format!("{t}/physical_package_id")) {
            packages.insert(p);
        }
    }
    if cores.is_empty() {
        let why = "no online CPUs listed in sysfs";
        return (
            Fact::unavailable(why),
            Fact::unavailable(why),
            Fact::unavailable(why),
        );
    }
    let packages = if packages.is_empty() {
        Fact::unavailable("no physical_package_id in sysfs")
    } else {
        Fact::Known(packages.len())
    };
    (Fact::Known(cores.len()), Fact::Known(max_threads), packages)
}

/// The logical CPUs sharing a core with `cpu` (itself included), from
/// `core_cpus_list` or the older `thread_siblings_list`.
pub fn siblings_of(root: &Root, cpu: usize) -> Option<Vec<usize>> {
    let t = format!("{CPU}/cpu{cpu}/topology");
    root.read(&format!("{t}/core_cpus_list"))
        .or_else(|| root.read(&format!("{t}/thread_siblings_list")))
        .and_then(|s| parse_cpu_list(&s))
}

/// Every cache level seen by the first online CPU, with how many CPUs share
/// each and how many instances the machine has.
pub fn caches(root: &Root, cpus: &[usize]) -> Result<Vec<Cache>, Unavailable> {
    let Some(&first) = cpus.first() else {
        return Err(Unavailable::new("no online CPUs listed in sysfs"));
    };
    let mut out = Vec::new();
    for index in 0..16 {
        let dir = format!("{CPU}/cpu{first}/cache/index{index}");
        if !root.exists(&dir) {
            break;
        }
        let (Some(level), Some(kind), Some(size)) = (
            root.read_num::<u8>(&format!("{dir}/level")),
            root.read(&format!("{dir}/type")),
            root.read(&format!("{dir}/size")),
        ) else {
            continue;
        };
        let kind = match kind.as_str() {
            "Data" => CacheKind::Data,
            "Instruction" => CacheKind::Instruction,
            "Unified" => CacheKind::Unified,
            _ => continue,
        };
        let Some(size_bytes) = crate::units::parse_bytes(&size).filter(|&b| b > 0) else {
            continue;
        };
        let shared = root
            .read(&format!("{dir}/shared_cpu_list"))
            .and_then(|s| parse_cpu_list(&s));
        // Distinct sharing sets across online CPUs = instances of this cache.
        let mut sets = BTreeSet::new();
        for &c in cpus {
            if let Some(l) = root
                .read(&format!("{CPU}/cpu{c}/cache/index{index}/shared_cpu_list"))
                .and_then(|s| parse_cpu_list(&s))
            {
                sets.insert(l);
            }
        }
        out.push(Cache {
            level,
            kind,
            size_bytes,
            line_bytes: root
                .read_num(&format!("{dir}/coherency_line_size"))
                .filter(|&l: &u32| l > 0),
            ways: root
                .read_num(&format!("{dir}/ways_of_associativity"))
                .filter(|&w: &u32| w > 0),
            shared_by_cpus: shared.map(|s| s.len()),
            instances: if sets.is_empty() {
                None
            } else {
                Some(sets.len())
            },
        });
    }
    if out.is_empty() {
        Err(Unavailable::new("sysfs lists no caches for this CPU"))
    } else {
        out.sort_by_key(|c| (c.level, c.kind));
        Ok(out)
    }
}

/// `/proc/cpuinfo` as `key → value` for the first processor block, plus the
/// machine-wide keys some ARM kernels print after the last block.
pub fn cpuinfo(root: &Root) -> Option<BTreeMap<String, String>> {
    let text = root.read("proc/cpuinfo")?;
    let mut map = BTreeMap::new();
    let mut seen_processor = 0;
    for line in text.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let k = k.trim().to_string();
        if k == "processor" {
            seen_processor += 1;
        }
        if seen_processor <= 1 || !map.contains_key(&k) {
            map.entry(k).or_insert_with(|| v.trim().to_string());
        }
    }
    Some(map)
}

/// Brand and vendor of the CPU from `/proc/cpuinfo`.
pub fn brand_vendor(info: &BTreeMap<String, String>) -> (Fact<String>, Fact<String>) {
    let brand = info
        .get("model name")
        .or_else(|| info.get("cpu model"))
        .cloned()
        .or_else(|| {
            let imp = info.get("CPU implementer")?;
            let part = info.get("CPU part")?;
            Some(arm_part_name(imp, part))
        });
    let vendor = info.get("vendor_id").cloned().or_else(|| {
        info.get("CPU implementer")
            .map(|imp| arm_implementer_name(imp).to_string())
    });
    let why = "no model name in /proc/cpuinfo";
    (
        brand
            .map(Fact::Known)
            .unwrap_or_else(|| Fact::unavailable(why)),
        vendor
            .map(Fact::Known)
            .unwrap_or_else(|| Fact::unavailable("no vendor in /proc/cpuinfo")),
    )
}

/// x86 family and model from `/proc/cpuinfo` ("cpu family", "model", both
/// decimal). ARM kernels print neither.
pub fn family_model(info: &BTreeMap<String, String>) -> Fact<super::FamilyModel> {
    let num = |k: &str| info.get(k).and_then(|v| v.trim().parse::<u32>().ok());
    match (num("cpu family"), num("model")) {
        (Some(family), Some(model)) => Fact::Known(super::FamilyModel { family, model }),
        _ => Fact::unavailable("no \"cpu family\"/\"model\" in /proc/cpuinfo (not x86)"),
    }
}

fn arm_implementer_name(imp: &str) -> &'static str {
    match imp.to_ascii_lowercase().as_str() {
        "0x41" => "ARM",
        "0x42" => "Broadcom",
        "0x43" => "Cavium",
        "0x48" => "HiSilicon",
        "0x4e" => "NVIDIA",
        "0x51" => "Qualcomm",
        "0x61" => "Apple",
        "0xc0" => "Ampere",
        _ => "unknown implementer",
    }
}

/// A readable name for the common Arm cores (from Arm's published part numbers).
fn arm_part_name(imp: &str, part: &str) -> String {
    let vendor = arm_implementer_name(imp);
    let core = match (
        imp.to_ascii_lowercase().as_str(),
        part.to_ascii_lowercase().as_str(),
    ) {
        ("0x41", "0xd03") => "Cortex-A53",
        ("0x41", "0xd07") => "Cortex-A57",
        ("0x41", "0xd08") => "Cortex-A72",
        ("0x41", "0xd0b") => "Cortex-A76",
        ("0x41", "0xd0c") => "Neoverse-N1",
        ("0x41", "0xd40") => "Neoverse-V1",
        ("0x41", "0xd49") => "Neoverse-N2",
        ("0x41", "0xd4f") => "Neoverse-V2",
        _ => return format!("{vendor} part {part}"),
    };
    format!("{vendor} {core}")
}

/// Total and available memory from `/proc/meminfo`, in bytes.
pub fn meminfo(root: &Root) -> (Fact<u64>, Fact<u64>) {
    let Some(text) = root.read("proc/meminfo") else {
        let why = "/proc/meminfo not readable";
        return (Fact::unavailable(why), Fact::unavailable(why));
    };
    let get = |key: &str| -> Fact<u64> {
        text.lines()
            .find_map(|l| {
                let rest = l.strip_prefix(key)?.strip_prefix(':')?;
                let kb: u64 = rest.trim().trim_end_matches("kB").trim().parse().ok()?;
                kb.checked_mul(1024)
            })
            .map(Fact::Known)
            .unwrap_or_else(|| Fact::unavailable(format!("no {key} in /proc/meminfo")))
    };
    (get("MemTotal"), get("MemAvailable"))
}

/// Whether the kernel says it runs under a hypervisor, and which, if it says.
pub fn virtualization(
    root: &Root,
    info: Option<&BTreeMap<String, String>>,
) -> Fact<Virtualization> {
    let flags = info.and_then(|i| i.get("flags"));
    let name = root
        .read("sys/hypervisor/type")
        .or_else(|| {
            let v = root.read("sys/class/dmi/id/sys_vendor")?;
            let p = root
                .read("sys/class/dmi/id/product_name")
                .unwrap_or_default();
            let known = [
                "QEMU",
                "KVM",
                "VMware",
                "Xen",
                "Microsoft",
                "innotek",
                "Amazon EC2",
                "Google",
            ];
            known
                .iter()
                .any(|k| v.contains(k) || p.contains(k))
                .then(|| format!("{v} {p}").trim().to_string())
        })
        .filter(|s| !s.is_empty());
    match flags {
        Some(f) => Fact::Known(Virtualization {
            virtualised: f.split_whitespace().any(|x| x == "hypervisor") || name.is_some(),
            hypervisor: name,
        }),
        None if name.is_some() => Fact::Known(Virtualization {
            virtualised: true,
            hypervisor: name,
        }),
        None => Fact::unavailable("the kernel does not say (no cpuinfo flags, no DMI)"),
    }
}

/// The cpufreq governor, driver, turbo state and top frequency of the first CPU.
pub fn frequency(
    root: &Root,
    cpus: &[usize],
    info: Option<&BTreeMap<String, String>>,
) -> Frequency {
    let first = cpus.first().copied().unwrap_or(0);
    let d = format!("{CPU}/cpu{first}/cpufreq");
    let none = "no cpufreq in sysfs, as is common in VMs";
    let governor = root
        .read(&format!("{d}/scaling_governor"))
        .map(Fact::Known)
        .unwrap_or_else(|| Fact::unavailable(none));
    let driver = root
        .read(&format!("{d}/scaling_driver"))
        .map(Fact::Known)
        .unwrap_or_else(|| Fact::unavailable(none));
    let max_mhz = root
        .read_num::<f64>(&format!("{d}/cpuinfo_max_freq"))
        .map(|khz| Fact::Known(khz / 1000.0))
        .unwrap_or_else(|| Fact::unavailable(none));
    let turbo = if let Some(b) = root.read_num::<u8>(&format!("{CPU}/cpufreq/boost")) {
        Fact::Known(b == 1)
    } else if let Some(nt) = root.read_num::<u8>(&format!("{CPU}/intel_pstate/no_turbo")) {
        Fact::Known(nt == 0)
    } else {
        Fact::unavailable("no boost or no_turbo switch in sysfs")
    };
    let reported_mhz = info
        .and_then(|i| i.get("cpu MHz"))
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| *v > 0.0)
        .map(Fact::Known)
        .unwrap_or_else(|| Fact::unavailable("no \"cpu MHz\" in /proc/cpuinfo"));
    Frequency {
        governor,
        driver,
        turbo,
        max_mhz,
        reported_mhz,
    }
}

/// `perf_event_paranoid`, for explaining why counters cannot be opened.
pub fn perf_event_paranoid(root: &Root) -> Option<i32> {
    root.read_num("proc/sys/kernel/perf_event_paranoid")
}
