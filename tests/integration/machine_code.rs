//! The machine-code reader against recorded compiler output
//! (`tests/fixtures/machine_code/`).

use hpp::measure::machine_code::{
    Isa, Kind, classify, hottest_loop, innermost_loops, mix, parse_asm, parse_objdump,
};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/machine_code/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn kinds_of_x86_and_arm_instructions() {
    use Kind::*;
    let x = |m: &str, o: &str| classify(Isa::X86, m, o);
    assert_eq!(x("mulpd", "%xmm2,%xmm2"), Packed(128, 64, false));
    assert_eq!(x("vaddpd", "%ymm1,%ymm2,%ymm3"), Packed(256, 64, false));
    assert_eq!(x("vfmadd231pd", "%zmm1,%zmm2,%zmm3"), Packed(512, 64, true));
    assert_eq!(x("vmulps", "%ymm1,%ymm2,%ymm3"), Packed(256, 32, false));
    assert_eq!(x("vmulsd", "%xmm1,%xmm4,%xmm5"), Scalar(false));
    assert_eq!(x("ucomisd", "%xmm5,%xmm0"), Scalar(false));
    assert_eq!(x("vfmadd213sd", "%xmm1,%xmm2,%xmm3"), Scalar(true));
    assert_eq!(x("unpckhpd", "%xmm2,%xmm4"), Shuffle);
    assert_eq!(x("vpermilpd", "$1,%xmm2,%xmm4"), Shuffle);
    // Moves, integer work and jumps are "other", whatever their suffix.
    for (m, o) in [
        ("movupd", "(%rsi),%xmm3"),
        ("movsd", "(%rax),%xmm6"),
        ("addq", "$2,%r12"),
        ("cmpq", "%r12,%rsi"),
        ("xorpd", "%xmm0,%xmm0"),
        ("jne", "58740"),
    ] {
        assert_eq!(x(m, o), Other, "{m}");
    }
    let a = |m: &str, o: &str| classify(Isa::Arm, m, o);
    assert_eq!(a("fmul", "v0.2d, v1.2d, v2.2d"), Packed(128, 64, false));
    assert_eq!(a("fmla", "v0.4s, v1.4s, v2.4s"), Packed(128, 32, true));
    assert_eq!(a("fmul", "d5, d0, d0"), Scalar(false));
    assert_eq!(a("fmadd", "d0, d1, d2, d3"), Scalar(true));
    assert_eq!(a("zip1", "v0.2d, v1.2d, v2.2d"), Shuffle);
    assert_eq!(a("fmov", "d4, #4.00000000"), Other);
    assert_eq!(a("add", "w8, w8, #1"), Other);
}

#[test]
fn the_modules_julia_loop_pairs_re_and_im_in_one_register() {
    // hpp's Python module as maturin builds it (generic x86-64: SSE2),
    // disassembled by GNU objdump 2.40.
    let text = fixture("hpp-module-x86_64-gnu-objdump.txt");
    let functions = parse_objdump(&text);
    let names: Vec<&str> = functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(names[0], "hpp_calculate_z");
    assert!(names[2].contains("step_fused"), "{names:?}");
    let julia = &functions[..1];
    let inner = hottest_loop(Isa::X86, julia).unwrap();
    assert_eq!(inner.first().unwrap().at, 0x58740);
    assert_eq!(inner.last().unwrap().at, 0x58780);
    let m = mix(Isa::X86, inner);
    // mulpd ×2 and addpd ×2 on 128-bit xmm; addsd, subsd, ucomisd scalar;
    // unpckhpd ×2 and unpcklpd move re and im between lanes.
    assert_eq!((m.packed_fp, m.scalar_fp, m.shuffles), (4, 3, 3), "{m:?}");
    assert_eq!((m.widest_bits, m.lanes, m.fma), (128, 2, 0));
    assert_eq!(m.total(), inner.len());
    // The call from hpp_diffusion_step to the fused pass is named.
    let call = functions[1]
        .instructions
        .iter()
        .find(|i| i.mnemonic == "call" && i.callee.is_some())
        .unwrap();
    assert_eq!(call.callee.as_deref(), Some(names[2]));
    // The fused pass: its packed interior loop, not the scalar remainder.
    let fused = &functions[2..];
    assert!(innermost_loops(Isa::X86, fused).len() >= 2);
    let hot = mix(Isa::X86, hottest_loop(Isa::X86, fused).unwrap());
    assert!(hot.packed_fp >= 6 && hot.scalar_fp == 0, "{hot:?}");
    assert_eq!(hot.lanes, 2);
}

#[test]
fn llvm_objdump_reads_the_same_loop() {
    let gnu = parse_objdump(&fixture("hpp-module-x86_64-gnu-objdump.txt"));
    let llvm = parse_objdump(&fixture("hpp-module-x86_64-llvm-objdump.txt"));
    assert_eq!(llvm.len(), 1);
    // LLVM also lists the padding after the function (int3).
    assert!(llvm[0].instructions.len() >= gnu[0].instructions.len());
    let a = mix(Isa::X86, hottest_loop(Isa::X86, &gnu[..1]).unwrap());
    let b = mix(Isa::X86, hottest_loop(Isa::X86, &llvm).unwrap());
    assert_eq!(a, b);
}

#[test]
fn a_512_bit_build_and_an_arm_build() {
    // The same two kernels built by rustc for Zen 4 (AVX-512) and for
    // AArch64 (Cortex-A76's instruction set, read by llvm-objdump).
    let zen = parse_objdump(&fixture("rustc-znver4-gnu-objdump.txt"));
    let smooth: Vec<_> = zen.iter().filter(|f| f.name == "smooth").cloned().collect();
    let m = mix(Isa::X86, hottest_loop(Isa::X86, &smooth).unwrap());
    assert_eq!((m.widest_bits, m.lanes), (512, 8), "{m:?}");
    let julia: Vec<_> = zen
        .iter()
        .filter(|f| f.name == "julia_point")
        .cloned()
        .collect();
    let j = mix(Isa::X86, hottest_loop(Isa::X86, &julia).unwrap());
    assert_eq!((j.packed_fp, j.shuffles), (0, 0), "{j:?}");
    assert!(j.scalar_fp >= 6);

    let arm = parse_objdump(&fixture("rustc-aarch64-llvm-objdump.txt"));
    let julia: Vec<_> = arm
        .iter()
        .filter(|f| f.name == "julia_point")
        .cloned()
        .collect();
    let inner = hottest_loop(Isa::Arm, &julia).unwrap();
    assert_eq!(inner.first().unwrap().at, 0xc);
    assert_eq!(inner.last().unwrap().mnemonic, "b.ne");
    let j = mix(Isa::Arm, inner);
    assert_eq!((j.packed_fp, j.scalar_fp), (0, 9), "{j:?}");
    let smooth: Vec<_> = arm.iter().filter(|f| f.name == "smooth").cloned().collect();
    let s = mix(Isa::Arm, hottest_loop(Isa::Arm, &smooth).unwrap());
    assert_eq!((s.widest_bits, s.lanes), (128, 2), "{s:?}");
}

#[test]
fn numbas_own_assembly_is_read_too() {
    // numba 0.68's inspect_asm for the chapter's @njit kernel on this VM's
    // CPU (AVX-512 available, the loop scalar).
    let functions = parse_asm(Isa::X86, &fixture("numba-julia-x86_64.s"));
    assert!(functions.len() >= 3);
    assert!(functions[0].name.contains("kernel"));
    let loops = innermost_loops(Isa::X86, &functions[..1]);
    assert_eq!(loops.len(), 3, "unrolled by two, plus the odd point");
    let m = mix(Isa::X86, hottest_loop(Isa::X86, &functions[..1]).unwrap());
    assert_eq!((m.packed_fp, m.shuffles), (0, 0), "{m:?}");
    assert_eq!(m.scalar_fp, 11, "{m:?}");
    assert!(loops[0][0].text().starts_with("cmpq"));
}

#[test]
fn nothing_to_read_is_no_loop() {
    assert!(parse_objdump("").is_empty());
    assert!(parse_asm(Isa::X86, "\t.text\n").is_empty());
    let f = parse_objdump("0000000000000000 <f>:\n   0:\tret\n");
    assert_eq!(f[0].instructions.len(), 1);
    assert!(hottest_loop(Isa::X86, &f).is_none());
}

mod compiled_code {
    use super::fixture;
    use hpp::experiments::Outcome;
    use hpp::experiments::compiling::compiled_code::{
        CompiledCode, DIFFUSION, Inferred, JULIA, NUMBA, RUSTC, read,
    };
    use hpp::measure::machine_code::{Isa, parse_asm, parse_objdump};

    fn recorded(cpu_widest_bits: u32) -> CompiledCode {
        let module = parse_objdump(&fixture("hpp-module-x86_64-gnu-objdump.txt"));
        let numba = parse_asm(Isa::X86, &fixture("numba-julia-x86_64.s"));
        CompiledCode {
            experiment: "compiled_code".into(),
            isa: "x86-64".into(),
            cpu_widest_bits,
            kernels: vec![
                read(Isa::X86, JULIA, RUSTC, &module[..1]).unwrap(),
                read(Isa::X86, DIFFUSION, RUSTC, &module[1..]).unwrap(),
                read(Isa::X86, JULIA, NUMBA, &numba[..1]).unwrap(),
            ],
            numba_types: vec![
                Inferred {
                    variable: "n".into(),
                    numba_type: "int64".into(),
                },
                Inferred {
                    variable: "z".into(),
                    numba_type: "complex128".into(),
                },
            ],
            unavailable: vec![],
            python: None,
            budget: "quick".into(),
        }
    }

    #[test]
    fn the_reading_follows_the_code() {
        let c = recorded(512);
        let text = c.reading();
        assert!(
            text.contains("Julia loop by rustc (hpp's module): 18 instructions in its innermost loop, 4 of them packed (2 numbers at once in 128-bit registers) and 3 scalar, with 3 shuffles"),
            "{text}"
        );
        assert!(
            text.contains("its 7 floating-point ones all packed"),
            "{text}"
        );
        assert!(
            text.contains("Numba (at the first call): 16 instructions in its innermost loop, its 11 floating-point ones all scalar"),
            "{text}"
        );
        assert!(
            text.contains("This CPU has 512-bit vector registers; hpp's module used 128-bit ones"),
            "{text}"
        );
        assert!(text.contains("(Numba's 2 fewer)"), "{text}");
        assert!(
            text.contains("Numba gave every variable a machine type"),
            "{text}"
        );
        c.plot().unwrap();
        assert!(c.table_html().0.contains("complex128"));
        assert!(c.listings().contains("unpckhpd"));

        assert!(text.contains("rustc's default"), "{text}");
        // A build that used 256 of 512 bits: the facts, no guess at why.
        let mut wide = recorded(512);
        wide.kernels[1].mix.widest_bits = 256;
        wide.kernels[1].mix.lanes = 4;
        let text = wide.reading();
        assert!(text.contains("hpp's module used 256-bit ones."), "{text}");
        assert!(!text.contains("target-cpu"), "{text}");
        // A CPU no wider than the build: nothing to tell the reader to turn on.
        let plain = recorded(128);
        assert!(
            !plain.reading().contains("target-cpu"),
            "{}",
            plain.reading()
        );

        // Numba falling back to Python objects is named.
        let mut objects = recorded(128);
        objects.numba_types[1].numba_type = "pyobject".into();
        let text = objects.reading();
        assert!(text.contains("Numba left z as Python objects"), "{text}");
        assert!(!text.contains("machine type"), "{text}");

        // Nothing read: the reasons, and no chart.
        let mut none = recorded(512);
        none.kernels.clear();
        none.numba_types.clear();
        none.unavailable = vec!["objdump is not installed".into()];
        assert_eq!(none.reading(), "Unavailable: objdump is not installed.");
        assert!(none.plot().is_err());
    }

    #[test]
    fn it_runs_or_says_why() {
        let m = hpp::machine::machine();
        let budget = hpp::measure::Budget::quick();
        match hpp::experiments::compiled_code_with(&m, &budget, None) {
            Ok(c) => {
                // Every kernel read has a loop, and its kinds add up.
                for k in &c.kernels {
                    assert_eq!(k.mix.total(), k.inner_loop.len(), "{k:?}");
                    assert!(k.mix.packed_fp + k.mix.scalar_fp > 0);
                }
                assert!(!c.kernels.is_empty() || !c.unavailable.is_empty());
            }
            Err(e) => assert!(e.to_string().contains("unavailable"), "{e}"),
        }
    }
}
