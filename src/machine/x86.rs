//! x86 CPUID: brand, vendor, hypervisor and cache geometry, as a second source
//! beside sysfs. The parser reads through an injectable `Cpuid` function so
//! tests replay a recorded dump (`hpp machine --cpuid-dump`).

use std::collections::BTreeMap;

use super::{Cache, CacheKind};

/// One CPUID answer: eax, ebx, ecx, edx.
pub type Regs = [u32; 4];

/// Something that answers CPUID (leaf, subleaf).
pub trait Cpuid {
    /// The registers for `leaf`/`subleaf`.
    fn query(&self, leaf: u32, subleaf: u32) -> Regs;
}

/// The CPU this code runs on.
#[cfg(target_arch = "x86_64")]
pub struct LiveCpuid;

#[cfg(target_arch = "x86_64")]
impl Cpuid for LiveCpuid {
    fn query(&self, leaf: u32, subleaf: u32) -> Regs {
        // CPUID exists on every x86_64 CPU, so the intrinsic is safe to call.
        let r = std::arch::x86_64::__cpuid_count(leaf, subleaf);
        [r.eax, r.ebx, r.ecx, r.edx]
    }
}

/// A recorded dump: lines of `leaf subleaf eax ebx ecx edx` in hex.
#[derive(Debug, Clone, Default)]
pub struct Dump(BTreeMap<(u32, u32), Regs>);

impl Dump {
    /// Parse the text written by [`dump`]. Unknown lines are skipped.
    pub fn parse(text: &str) -> Self {
        let mut map = BTreeMap::new();
        for line in text.lines() {
            let v: Vec<u32> = line
                .split_whitespace()
                .filter_map(|w| u32::from_str_radix(w.trim_start_matches("0x"), 16).ok())
                .collect();
            if v.len() == 6 {
                map.insert((v[0], v[1]), [v[2], v[3], v[4], v[5]]);
            }
        }
        Dump(map)
    }
}

impl Cpuid for Dump {
    fn query(&self, leaf: u32, subleaf: u32) -> Regs {
        // Leaves that do not use a subleaf are recorded at subleaf 0.
        self.0
            .get(&(leaf, subleaf))
            .or_else(|| self.0.get(&(leaf, 0)).filter(|_| !uses_subleaf(leaf)))
            .copied()
            .unwrap_or([0; 4])
    }
}

fn uses_subleaf(leaf: u32) -> bool {
    matches!(leaf, 4 | 7 | 0xb | 0xd | 0x8000_001d)
}

/// Record the leaves hpp reads, one `leaf subleaf eax ebx ecx edx` line each.
pub fn dump(c: &dyn Cpuid) -> String {
    let mut out = String::new();
    let mut push = |leaf: u32, sub: u32| {
        let r = c.query(leaf, sub);
        out.push_str(&format!(
            "{leaf:08x} {sub:02x} {:08x} {:08x} {:08x} {:08x}\n",
            r[0], r[1], r[2], r[3]
        ));
        r
    };
    let mut push_leaf = |leaf: u32| {
        let first = push(leaf, 0);
        if uses_subleaf(leaf) {
            for sub in 1..8 {
                push(leaf, sub);
            }
        }
        first
    };
    let max = push_leaf(0)[0];
    (1..=max.min(0x20)).for_each(|l| {
        push_leaf(l);
    });
    push_leaf(0x4000_0000);
    let ext = push_leaf(0x8000_0000)[0];
    (0x8000_0001..=ext.min(0x8000_0021)).for_each(|l| {
        push_leaf(l);
    });
    out
}

fn regs_str(regs: &[u32]) -> String {
    let bytes: Vec<u8> = regs.iter().flat_map(|r| r.to_le_bytes()).collect();
    String::from_utf8_lossy(&bytes)
        .trim_matches(char::from(0))
        .trim()
        .to_string()
}

/// The vendor string, e.g. "GenuineIntel", "AuthenticAMD".
pub fn vendor(c: &dyn Cpuid) -> Option<String> {
    let r = c.query(0, 0);
    let s = regs_str(&[r[1], r[3], r[2]]);
    (!s.is_empty()).then_some(s)
}

/// Display family and model from leaf 1, decoded as Intel's and AMD's
/// manuals describe: the extended family is added when the base family is
/// 0xF, and the extended model is the high nibble when the base family is 6
/// or 0xF.
pub fn family_model(c: &dyn Cpuid) -> super::FamilyModel {
    let eax = c.query(1, 0)[0];
    let base_family = (eax >> 8) & 0xf;
    let base_model = (eax >> 4) & 0xf;
    let ext_model = (eax >> 16) & 0xf;
    let ext_family = (eax >> 20) & 0xff;
    let family = if base_family == 0xf {
        base_family + ext_family
    } else {
        base_family
    };
    let model = if base_family == 6 || base_family == 0xf {
        (ext_model << 4) | base_model
    } else {
        base_model
    };
    super::FamilyModel { family, model }
}

/// The brand string, e.g. "AMD EPYC 7B13 64-Core Processor".
pub fn brand(c: &dyn Cpuid) -> Option<String> {
    if c.query(0x8000_0000, 0)[0] < 0x8000_0004 {
        return None;
    }
    let mut regs = Vec::new();
    for leaf in 0x8000_0002..=0x8000_0004 {
        regs.extend_from_slice(&c.query(leaf, 0));
    }
    let s = regs_str(&regs);
    (!s.is_empty()).then_some(s)
}

/// Whether the CPU says a hypervisor is present, and the hypervisor's name.
pub fn hypervisor(c: &dyn Cpuid) -> (bool, Option<String>) {
    let present = c.query(1, 0)[2] & (1 << 31) != 0;
    if !present {
        return (false, None);
    }
    let r = c.query(0x4000_0000, 0);
    let id = regs_str(&[r[1], r[2], r[3]]);
    let name = match id.as_str() {
        "KVMKVMKVM" => "KVM".to_string(),
        "Microsoft Hv" => "Hyper-V".to_string(),
        "VMwareVMware" => "VMware".to_string(),
        "XenVMMXenVMM" => "Xen".to_string(),
        "TCGTCGTCGTCG" => "QEMU (TCG)".to_string(),
        "" => return (true, None),
        other => other.to_string(),
    };
    (true, Some(name))
}

/// Cache geometry from the deterministic cache-parameters leaf: leaf 4 on
/// Intel, leaf 0x8000001D on AMD (same layout).
pub fn caches(c: &dyn Cpuid) -> Vec<Cache> {
    let max = c.query(0, 0)[0];
    let ext_max = c.query(0x8000_0000, 0)[0];
    let leaf = if vendor(c).as_deref() == Some("AuthenticAMD") {
        if ext_max < 0x8000_001d || c.query(0x8000_0001, 0)[2] & (1 << 22) == 0 {
            return Vec::new();
        }
        0x8000_001d
    } else if max >= 4 {
        4
    } else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for sub in 0..16 {
        let [eax, ebx, ecx, _] = c.query(leaf, sub);
        let kind = match eax & 0x1f {
            0 => break,
            1 => CacheKind::Data,
            2 => CacheKind::Instruction,
            3 => CacheKind::Unified,
            _ => continue,
        };
        let level = ((eax >> 5) & 0x7) as u8;
        let line = (ebx & 0xfff) + 1;
        let partitions = ((ebx >> 12) & 0x3ff) + 1;
        let ways = ((ebx >> 22) & 0x3ff) + 1;
        let sets = ecx as u64 + 1;
        let shared = ((eax >> 14) & 0xfff) + 1;
        out.push(Cache {
            level,
            kind,
            size_bytes: ways as u64 * partitions as u64 * line as u64 * sets,
            line_bytes: Some(line),
            ways: Some(ways),
            shared_by_cpus: Some(shared as usize),
            instances: None,
        });
    }
    out.sort_by_key(|c| (c.level, c.kind));
    out
}
