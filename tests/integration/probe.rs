//! The Linux probe against recorded machines, the CPUID parser against a
//! recorded dump, and the live card's honesty (unknown is never zero).

use hpp::Fact;
use hpp::machine::{CacheKind, machine, probe_linux_root};

use crate::fixture;

fn sizes(f: &hpp::machine::LinuxFacts) -> Vec<(String, u64)> {
    f.caches
        .known()
        .expect("caches known")
        .iter()
        .map(|c| (c.label(), c.size_bytes))
        .collect()
}

#[test]
fn amd_epyc_kvm_vm() {
    let f = probe_linux_root(&fixture("amd-epyc-kvm-2cpu"));
    assert_eq!(f.brand, Fact::Known("AMD EPYC".to_string()));
    assert_eq!(f.vendor, Fact::Known("AuthenticAMD".to_string()));
    assert_eq!(f.logical_cpus, Fact::Known(2));
    assert_eq!(f.physical_cores, Fact::Known(2));
    assert_eq!(f.threads_per_core, Fact::Known(1));
    assert_eq!(f.packages, Fact::Known(1));
    assert_eq!(f.smt_siblings, Fact::Known(vec![0]), "no SMT in this VM");
    assert_eq!(
        sizes(&f),
        vec![
            ("L1d".to_string(), 32 << 10),
            ("L1i".to_string(), 32 << 10),
            ("L2".to_string(), 512 << 10),
            ("L3".to_string(), 32 << 20),
        ]
    );
    let caches = f.caches.known().unwrap();
    let l3 = &caches[3];
    assert_eq!(l3.shared_by_cpus, Some(2));
    assert_eq!(l3.instances, Some(1));
    assert_eq!(l3.ways, Some(16));
    assert_eq!(caches[0].instances, Some(2));
    assert!(caches.iter().all(|c| c.line_bytes == Some(64)));
    let v = f.virtualization.known().expect("cpuinfo has flags");
    assert!(
        v.virtualised,
        "the hypervisor flag is set in this VM's cpuinfo"
    );
    // No cpufreq in this VM: unavailable with a reason, never 0 MHz.
    assert!(!f.frequency.governor.is_known());
    assert!(!f.frequency.max_mhz.is_known());
    assert!(f.memory.total_bytes.known().unwrap() > &(20u64 << 30));
    assert_eq!(f.perf_event_paranoid, Some(2));
}

#[test]
fn intel_laptop_with_smt() {
    let f = probe_linux_root(&fixture("intel-i7-8550u-smt"));
    assert_eq!(
        f.brand,
        Fact::Known("Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz".to_string())
    );
    assert_eq!(f.logical_cpus, Fact::Known(8));
    assert_eq!(f.physical_cores, Fact::Known(4));
    assert_eq!(f.threads_per_core, Fact::Known(2));
    assert_eq!(
        f.smt_siblings,
        Fact::Known(vec![0, 4]),
        "cpu0 shares its core with cpu4"
    );
    assert_eq!(f.online, Fact::Known((0..8).collect::<Vec<_>>()));
    assert_eq!(
        sizes(&f),
        vec![
            ("L1d".to_string(), 32 << 10),
            ("L1i".to_string(), 32 << 10),
            ("L2".to_string(), 256 << 10),
            ("L3".to_string(), 8 << 20),
        ]
    );
    let c = f.caches.known().unwrap();
    assert_eq!(c[0].shared_by_cpus, Some(2), "SMT siblings share L1d");
    assert_eq!(c[0].instances, Some(4), "one L1d per core");
    assert_eq!(c[3].instances, Some(1));
    assert_eq!(f.frequency.governor, Fact::Known("powersave".to_string()));
    assert_eq!(f.frequency.driver, Fact::Known("intel_pstate".to_string()));
    assert_eq!(f.frequency.turbo, Fact::Known(true), "no_turbo = 0");
    assert_eq!(f.frequency.max_mhz, Fact::Known(4000.0));
    assert_eq!(f.frequency.reported_mhz, Fact::Known(1800.0));
    let v = f.virtualization.known().unwrap();
    assert!(!v.virtualised, "a laptop: no hypervisor flag");
    assert_eq!(f.memory.available_bytes, Fact::Known(12650112 * 1024));
}

#[test]
fn raspberry_pi_5_aarch64() {
    let f = probe_linux_root(&fixture("rpi5-cortex-a76"));
    assert_eq!(f.brand, Fact::Known("ARM Cortex-A76".to_string()));
    assert_eq!(f.vendor, Fact::Known("ARM".to_string()));
    assert_eq!(f.logical_cpus, Fact::Known(4));
    assert_eq!(f.physical_cores, Fact::Known(4));
    assert_eq!(f.threads_per_core, Fact::Known(1));
    assert_eq!(
        sizes(&f),
        vec![
            ("L1d".to_string(), 64 << 10),
            ("L1i".to_string(), 64 << 10),
            ("L2".to_string(), 512 << 10),
            ("L3".to_string(), 2 << 20),
        ]
    );
    assert_eq!(f.frequency.max_mhz, Fact::Known(2400.0));
    // No boost switch on this board, and ARM cpuinfo has no "cpu MHz".
    assert!(!f.frequency.turbo.is_known());
    assert!(!f.frequency.reported_mhz.is_known());
    // ARM cpuinfo has no flags line: whether it is a VM cannot be told.
    assert!(!f.virtualization.is_known());
}

#[test]
fn an_empty_root_is_all_unavailable_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let f = probe_linux_root(dir.path());
    for (what, fact) in [
        ("brand", f.brand.as_result().map(|_| ())),
        ("cpus", f.logical_cpus.as_result().map(|_| ())),
        ("cores", f.physical_cores.as_result().map(|_| ())),
        ("caches", f.caches.as_result().map(|_| ())),
        ("memory", f.memory.total_bytes.as_result().map(|_| ())),
        ("governor", f.frequency.governor.as_result().map(|_| ())),
    ] {
        let u = fact.expect_err(what);
        assert!(!u.reason().is_empty(), "{what} needs a reason");
    }
}

#[test]
fn unavailable_serialises_as_a_reason_not_a_zero() {
    let f = probe_linux_root(&fixture("amd-epyc-kvm-2cpu"));
    let json = serde_json::to_value(&f.frequency).unwrap();
    assert!(json["max_mhz"]["unavailable"].is_string(), "{json}");
    let back: hpp::machine::Frequency = serde_json::from_value(json).unwrap();
    assert_eq!(back, f.frequency);
}

#[test]
fn cpu_lists_parse() {
    use hpp::machine::linux::parse_cpu_list;
    assert_eq!(
        parse_cpu_list("0-3,8,10-11"),
        Some(vec![0, 1, 2, 3, 8, 10, 11])
    );
    assert_eq!(parse_cpu_list("5"), Some(vec![5]));
    assert_eq!(parse_cpu_list(""), None);
    assert_eq!(parse_cpu_list("3-1"), None);
    assert_eq!(parse_cpu_list("x"), None);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn cpuid_dump_of_the_epyc_vm() {
    use hpp::machine::x86;
    let text = std::fs::read_to_string(fixture("cpuid/amd-epyc-kvm-2cpu.txt")).unwrap();
    let d = x86::Dump::parse(&text);
    assert_eq!(x86::vendor(&d).as_deref(), Some("AuthenticAMD"));
    assert_eq!(x86::brand(&d).as_deref(), Some("AMD EPYC"));
    assert_eq!(x86::hypervisor(&d), (true, Some("KVM".to_string())));
    let c = x86::caches(&d);
    let got: Vec<(String, u64, Option<u32>)> = c
        .iter()
        .map(|c| (c.label(), c.size_bytes, c.ways))
        .collect();
    assert_eq!(
        got,
        vec![
            ("L1d".to_string(), 32 << 10, Some(8)),
            ("L1i".to_string(), 32 << 10, Some(8)),
            ("L2".to_string(), 512 << 10, Some(8)),
            ("L3".to_string(), 32 << 20, Some(16)),
        ],
        "CPUID must agree with the same machine's sysfs"
    );
    assert_eq!(c[3].shared_by_cpus, Some(2));
    // The dump round-trips through its own text format.
    assert_eq!(x86::dump(&d), text);
}

#[test]
fn the_live_card_is_honest() {
    let m = machine();
    let json = serde_json::to_value(&m).unwrap();
    // Anything the card claims to know is a real value, not a zero stand-in.
    for path in [
        &json["cpu"]["logical_cpus"],
        &json["cpu"]["physical_cores"],
        &json["memory"]["total_bytes"],
        &json["memory"]["available_bytes"],
    ] {
        assert!(
            path.get("unavailable").is_some() || path.as_u64().is_some_and(|v| v > 0),
            "a fact is either a positive number or unavailable: {path}"
        );
    }
    assert!(m.usable_cpus() >= 1);
    assert_eq!(m.cpu.arch, std::env::consts::ARCH);
    // The test binary is a debug build: the card must say so, loudly.
    assert!(m.build.debug_assertions);
    assert!(m.build.overflow_checks, "tests build with overflow checks");
    assert!(!m.build.optimised());
    assert!(m.to_string().contains("NOT built optimised"));
    assert!(m.to_html().contains("NOT built optimised"));
    if cfg!(feature = "force-fallback") {
        assert!(!m.caches.is_known());
        assert!(!m.memory.total_bytes.is_known());
        assert!(!m.cpu.brand.is_known());
        let card = m.to_string();
        assert!(card.contains("force-fallback"));
        // Said once (plus the "?" legend), not once per unknown field.
        assert!(card.matches("force-fallback").count() <= 2, "{card}");
    } else if cfg!(target_os = "linux") {
        assert!(m.memory.total_bytes.is_known());
        assert!(m.cpu.logical_cpus.is_known());
    }
    for c in m.data_caches() {
        assert!(c.size_bytes > 0 && c.kind != CacheKind::Instruction);
    }
}

#[test]
fn family_and_model_from_cpuinfo_and_cpuid_agree() {
    use hpp::machine::FamilyModel;
    use hpp::machine::x86;
    let epyc = probe_linux_root(&fixture("amd-epyc-kvm-2cpu"));
    let want = FamilyModel {
        family: 25,
        model: 1,
    };
    assert_eq!(epyc.family_model.known(), Some(&want));
    let text = std::fs::read_to_string(fixture("cpuid").join("amd-epyc-kvm-2cpu.txt")).unwrap();
    assert_eq!(x86::family_model(&x86::Dump::parse(&text)), want);
    let intel = probe_linux_root(&fixture("intel-i7-8550u-smt"));
    assert_eq!(
        intel.family_model.known(),
        Some(&FamilyModel {
            family: 6,
            model: 142
        })
    );
    let pi = probe_linux_root(&fixture("rpi5-cortex-a76"));
    let why = serde_json::to_string(&pi.family_model).unwrap();
    assert!(why.contains("not x86"), "{why}");
}

#[test]
fn fma_unit_table_parses_and_answers_for_recorded_cpus() {
    use hpp::machine::FamilyModel;
    use hpp::machine::uarch::{lookup, parse_table};
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/fma_units.csv"),
    )
    .unwrap();
    let data_rows = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .count()
        - 1;
    assert_eq!(parse_table(&text).len(), data_rows, "every row parses");
    let fm = |family, model| FamilyModel { family, model };
    let zen3 = lookup("AuthenticAMD", fm(25, 1)).unwrap();
    assert_eq!(zen3.uarch, "Zen 3");
    // 256-bit f64: 2 FMAs × 4 lanes × 2 operations.
    assert_eq!(zen3.flops_per_cycle(256, 8), Some(16.0));
    assert_eq!(zen3.flops_per_cycle(512, 8), None);
    assert_eq!(zen3.flops_per_cycle(64, 4), Some(4.0));
    let zen1 = lookup("AuthenticAMD", fm(23, 1)).unwrap();
    assert_eq!(zen1.flops_per_cycle(256, 4), Some(16.0));
    assert_eq!(
        lookup("GenuineIntel", fm(6, 142)).unwrap().uarch,
        "Kaby/Coffee/Whiskey/Comet Lake (mobile)"
    );
    assert_eq!(
        lookup("GenuineIntel", fm(6, 0x97)),
        None,
        "hybrid parts are left out"
    );
}
