//! What a compiler made of a loop: a function's machine code, read back
//! with `objdump` (from a shared library) or from a compiler's own assembly
//! text (Numba's `inspect_asm`), its innermost loops found by their
//! backward jumps, and each instruction sorted by kind — packed
//! floating-point (SIMD: several numbers per instruction), scalar
//! floating-point, shuffles that move numbers between lanes, and the rest.
//!
//! x86-64 (AT&T syntax, as objdump and LLVM print it) and AArch64 are
//! read; other instruction sets are listed but not sorted.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::machine::interpreters::which_in;

/// One instruction.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// Its address (objdump) or its position in the text (assembly).
    pub at: u64,
    /// The mnemonic, as printed (`vmulpd`, `fmul`).
    pub mnemonic: String,
    /// The operands, as printed.
    pub operands: String,
    /// Where a jump or call goes, when it names a place.
    pub target: Option<u64>,
    /// The function a call names (objdump's `<name>`), if any.
    pub callee: Option<String>,
}

impl Instruction {
    /// `mnemonic operands`, as a line of a listing.
    pub fn text(&self) -> String {
        if self.operands.is_empty() {
            self.mnemonic.clone()
        } else {
            format!("{:<10} {}", self.mnemonic, self.operands)
        }
    }

    fn is_jump(&self, isa: Isa) -> bool {
        let m = self.mnemonic.as_str();
        match isa {
            Isa::X86 => m.starts_with('j'),
            Isa::Arm => {
                m == "b" || m.starts_with("b.") || ["cbz", "cbnz", "tbz", "tbnz"].contains(&m)
            }
        }
    }
}

/// One function's instructions.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// Its symbol.
    pub name: String,
    /// Its instructions, in order.
    pub instructions: Vec<Instruction>,
}

/// Instruction sets whose kinds are sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// x86-64, AT&T syntax.
    X86,
    /// AArch64.
    Arm,
}

impl Isa {
    /// The instruction set this build runs on, if it is one that is read.
    pub fn native() -> Option<Isa> {
        if cfg!(target_arch = "x86_64") {
            Some(Isa::X86)
        } else if cfg!(target_arch = "aarch64") {
            Some(Isa::Arm)
        } else {
            None
        }
    }
}

/// How many instructions of each kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Mix {
    /// Floating-point arithmetic on several numbers at once (SIMD).
    pub packed_fp: usize,
    /// Floating-point arithmetic on one number.
    pub scalar_fp: usize,
    /// Of those, fused multiply-adds.
    pub fma: usize,
    /// Moving numbers between lanes (unpack, shuffle, permute, blend).
    pub shuffles: usize,
    /// Loads, stores, integer arithmetic, compares and jumps.
    pub other: usize,
    /// The widest vector register a packed instruction used, in bits (0:
    /// none).
    pub widest_bits: u32,
    /// Numbers per packed instruction at that width (0: none).
    pub lanes: u32,
}

impl Mix {
    /// All instructions counted.
    pub fn total(&self) -> usize {
        self.packed_fp + self.scalar_fp + self.shuffles + self.other
    }
}

/// What one instruction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Packed floating-point arithmetic: register bits, bits per number,
    /// and whether it is a fused multiply-add.
    Packed(u32, u32, bool),
    /// Scalar floating-point arithmetic (fused multiply-add or not).
    Scalar(bool),
    /// Moves numbers between lanes.
    Shuffle,
    /// Everything else.
    Other,
}

const X86_ARITH: [&str; 10] = [
    "add", "sub", "mul", "div", "sqrt", "min", "max", "hadd", "hsub", "addsub",
];

/// Sort one instruction.
pub fn classify(isa: Isa, mnemonic: &str, operands: &str) -> Kind {
    match isa {
        Isa::X86 => classify_x86(mnemonic, operands),
        Isa::Arm => classify_arm(mnemonic, operands),
    }
}

fn classify_x86(mnemonic: &str, operands: &str) -> Kind {
    let m = mnemonic.strip_prefix('v').unwrap_or(mnemonic);
    // Fused multiply-add: vfmadd231pd, vfnmsub213sd, …
    let fma = m.starts_with("fmadd")
        || m.starts_with("fmsub")
        || m.starts_with("fnmadd")
        || m.starts_with("fnmsub");
    let shuffle = [
        "unpck",
        "shufp",
        "perm",
        "blend",
        "movddup",
        "movhlps",
        "movlhps",
        "insertf",
        "extractf",
        "broadcasts",
        "insertps",
        "movshdup",
        "movsldup",
    ]
    .iter()
    .any(|s| m.starts_with(s));
    if shuffle {
        return Kind::Shuffle;
    }
    let (Some(form), Some(element)) = (
        m.len().checked_sub(2).and_then(|i| m.get(i..i + 1)),
        m.get(m.len().saturating_sub(1)..),
    ) else {
        return Kind::Other;
    };
    let stem = &m[..m.len() - 2];
    let arith = fma
        || X86_ARITH.contains(&stem)
        || stem == "ucomi"
        || stem == "comi"
        || (stem.starts_with("cmp") && !stem.is_empty());
    if !arith || !(element == "d" || element == "s") {
        return Kind::Other;
    }
    let bits_per = if element == "d" { 64 } else { 32 };
    match form {
        "p" => Kind::Packed(register_bits_x86(operands), bits_per, fma),
        "s" => Kind::Scalar(fma),
        _ => Kind::Other,
    }
}

fn register_bits_x86(operands: &str) -> u32 {
    if operands.contains("%zmm") {
        512
    } else if operands.contains("%ymm") {
        256
    } else {
        128
    }
}

fn classify_arm(mnemonic: &str, operands: &str) -> Kind {
    let m = mnemonic;
    if [
        "zip1", "zip2", "uzp1", "uzp2", "trn1", "trn2", "ext", "dup", "ins", "tbl",
    ]
    .contains(&m)
    {
        return Kind::Shuffle;
    }
    let fp = m.starts_with('f')
        && [
            "fadd", "fsub", "fmul", "fdiv", "fsqrt", "fmin", "fmax", "fmla", "fmls", "fmadd",
            "fmsub", "fnmadd", "fnmsub", "fneg", "fabs", "fcmp", "fcmgt", "fcmge", "fcmeq",
            "faddp", "fmulx",
        ]
        .iter()
        .any(|s| m == *s || m.starts_with(&format!("{s}.")));
    if !fp {
        return Kind::Other;
    }
    let fma = ["fmla", "fmls", "fmadd", "fmsub", "fnmadd", "fnmsub"]
        .iter()
        .any(|s| m.starts_with(s));
    // A vector operand names its arrangement: v0.2d, v3.4s; SVE: z0.d.
    let first = operands.split(',').next().unwrap_or("").trim();
    if let Some((reg, arrangement)) = first.split_once('.') {
        let lanes: u32 = arrangement
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .parse()
            .unwrap_or(0);
        let bits_per = match arrangement.chars().last() {
            Some('d') => 64,
            Some('s') => 32,
            Some('h') => 16,
            _ => 0,
        };
        if reg.starts_with('z') {
            // SVE: the register's width is the machine's, not in the text.
            return Kind::Packed(0, bits_per, fma);
        }
        if lanes > 1 && bits_per > 0 {
            return Kind::Packed(lanes * bits_per, bits_per, fma);
        }
    }
    Kind::Scalar(fma)
}

/// Count the kinds in some instructions.
pub fn mix(isa: Isa, instructions: &[Instruction]) -> Mix {
    let mut m = Mix::default();
    for i in instructions {
        match classify(isa, &i.mnemonic, &i.operands) {
            Kind::Packed(bits, per, fma) => {
                m.packed_fp += 1;
                m.fma += usize::from(fma);
                if bits >= m.widest_bits {
                    m.widest_bits = bits;
                    m.lanes = bits.checked_div(per).unwrap_or(0);
                }
            }
            Kind::Scalar(fma) => {
                m.scalar_fp += 1;
                m.fma += usize::from(fma);
            }
            Kind::Shuffle => m.shuffles += 1,
            Kind::Other => m.other += 1,
        }
    }
    m
}

/// The innermost loops of some functions: runs of instructions that a
/// backward jump closes and that hold no other loop. Each is returned as
/// the slice of its function's instructions, first to the jump.
pub fn innermost_loops(isa: Isa, functions: &[Function]) -> Vec<&[Instruction]> {
    nested_innermost(isa, functions)
        .into_iter()
        .map(|(l, _)| l)
        .collect()
}

/// The innermost loops with how deep each is nested (1: inside no other).
fn nested_innermost(isa: Isa, functions: &[Function]) -> Vec<(&[Instruction], usize)> {
    let mut out = Vec::new();
    for f in functions {
        let ins = &f.instructions;
        let index: HashMap<u64, usize> = ins.iter().enumerate().map(|(k, i)| (i.at, k)).collect();
        let loops: Vec<(usize, usize)> = ins
            .iter()
            .enumerate()
            .filter(|(_, i)| i.is_jump(isa))
            .filter_map(|(end, i)| {
                let start = *index.get(&i.target?)?;
                (start <= end).then_some((start, end))
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let inside = |(s, e): (usize, usize), (s2, e2): (usize, usize)| s <= s2 && e2 <= e;
        for &l in &loops {
            let holds_another = loops.iter().any(|&o| o != l && inside(l, o));
            if !holds_another {
                let depth = loops.iter().filter(|&&o| inside(o, l)).count();
                out.push((&ins[l.0..=l.1], depth));
            }
        }
    }
    out
}

/// Where a numeric kernel spends its time: of the most deeply nested
/// innermost loops doing floating-point arithmetic, the one doing the most
/// of it (numbers, not instructions: a packed instruction counts its
/// lanes), the first of equals.
pub fn hottest_loop(isa: Isa, functions: &[Function]) -> Option<&[Instruction]> {
    let mut best: Option<(&[Instruction], (usize, usize))> = None;
    for (l, depth) in nested_innermost(isa, functions) {
        let m = mix(isa, l);
        let work = m.packed_fp * (m.lanes.max(1) as usize) + m.scalar_fp;
        if work == 0 {
            continue;
        }
        if best.is_none_or(|(_, b)| (depth, work) > b) {
            best = Some((l, (depth, work)));
        }
    }
    best.map(|(l, _)| l)
}

/// Read objdump's disassembly (`objdump -d --no-show-raw-insn`): every
/// function in it.
pub fn parse_objdump(text: &str) -> Vec<Function> {
    let mut out: Vec<Function> = Vec::new();
    for line in text.lines() {
        // A function starts: `0000000000058f70 <name>:`
        if let Some(rest) = line.strip_suffix(">:")
            && let Some((addr, name)) = rest.split_once(" <")
            && u64::from_str_radix(addr.trim(), 16).is_ok()
        {
            out.push(Function {
                name: name.to_string(),
                instructions: Vec::new(),
            });
            continue;
        }
        // An instruction: `   591c0:\tmovupd -0x10(%rbp,%r12,8),%xmm6` (GNU),
        // `   591c0:      \tmovupd\t-0x10(%rbp,%r12,8), %xmm6` (LLVM).
        let Some((addr, body)) = line.split_once(':') else {
            continue;
        };
        let Ok(at) = u64::from_str_radix(addr.trim(), 16) else {
            continue;
        };
        let Some(f) = out.last_mut() else { continue };
        // Comments: `        # 3d6f8 <…>` on x86 (an Arm immediate is `, #4`),
        // `// =0x…` on Arm.
        let body = body.split("  #").next().unwrap_or(body).trim();
        let body = body.split(" //").next().unwrap_or(body).trim();
        if body.is_empty() || body == "(bad)" || body.starts_with("...") {
            continue;
        }
        let (mnemonic, operands) = match body.split_once(char::is_whitespace) {
            Some((m, o)) => (m.to_string(), o.trim().to_string()),
            None => (body.to_string(), String::new()),
        };
        // Prefixes (`data16`, `cs`, `rep`, …) padding a nop: keep the line.
        let (target, callee) = jump_target(&operands);
        f.instructions.push(Instruction {
            at,
            mnemonic,
            operands,
            target,
            callee,
        });
    }
    out
}

/// `58f70 <name+0x20>` (GNU), `0x58f70 <name>` (LLVM): the address and,
/// when it is a function's start, its name.
fn jump_target(operands: &str) -> (Option<u64>, Option<String>) {
    let mut words = operands.split_whitespace();
    let Some(first) = words.next() else {
        return (None, None);
    };
    let hex = first.trim_start_matches("0x");
    let Ok(at) = u64::from_str_radix(hex, 16) else {
        return (None, None);
    };
    let callee = words
        .next()
        .and_then(|w| w.strip_prefix('<'))
        .and_then(|w| w.strip_suffix('>'))
        .filter(|n| !n.contains('+') && !n.contains("@plt"))
        .map(str::to_string);
    (Some(at), callee)
}

/// Read an assembler listing (LLVM's `.s`, as Numba's `inspect_asm`
/// gives it): every function in it, `at` numbering the instructions.
pub fn parse_asm(isa: Isa, text: &str) -> Vec<Function> {
    let mut out: Vec<Function> = Vec::new();
    let mut labels: HashMap<String, u64> = HashMap::new();
    let mut pending: Vec<(usize, usize, String)> = Vec::new(); // (function, instruction, label)
    let mut at = 0u64;
    for line in text.lines() {
        // Comments: `#` on x86 (where `#` never starts an operand), `//` on Arm.
        let code = match isa {
            Isa::X86 => line.split('#').next().unwrap_or(""),
            Isa::Arm => line.split("//").next().unwrap_or(""),
        };
        let trimmed = code.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(label) = trimmed.strip_suffix(':')
            && !label.contains(char::is_whitespace)
        {
            if label.starts_with(".L") || label.starts_with("L") && label.contains("BB") {
                labels.insert(label.to_string(), at);
            } else if !label.starts_with('.') {
                out.push(Function {
                    name: label.to_string(),
                    instructions: Vec::new(),
                });
            }
            continue;
        }
        if trimmed.starts_with('.') {
            continue; // a directive
        }
        let function = out.len().wrapping_sub(1);
        let Some(f) = out.last_mut() else { continue };
        let (mnemonic, operands) = match trimmed.split_once(char::is_whitespace) {
            Some((m, o)) => (m.to_string(), o.trim().to_string()),
            None => (trimmed.to_string(), String::new()),
        };
        if let Some(label) = operands
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(str::trim)
            .rfind(|w| w.starts_with(".L") || w.starts_with("LBB"))
        {
            pending.push((function, f.instructions.len(), label.to_string()));
        }
        f.instructions.push(Instruction {
            at,
            mnemonic,
            operands,
            target: None,
            callee: None,
        });
        at += 1;
    }
    for (fi, ii, label) in pending {
        if let Some(&t) = labels.get(&label) {
            out[fi].instructions[ii].target = Some(t);
        }
    }
    out
}

/// Disassemble `symbol` in the shared library at `path`, and the
/// functions it calls directly (two calls deep, at most eight functions),
/// with the `objdump` on the PATH.
///
/// # Errors
/// Says why: no objdump, or no such symbol.
pub fn disassemble(path: &Path, symbol: &str) -> std::result::Result<Vec<Function>, String> {
    let tool = ["objdump", "llvm-objdump"]
        .iter()
        .find_map(|t| which_in(t, std::env::var_os("PATH").as_deref()))
        .ok_or("objdump is not installed (it comes with GNU binutils, or LLVM)")?;
    let one = |name: &str| -> Option<Function> {
        // GNU spells the option --disassemble=SYM; LLVM --disassemble-symbols=SYM.
        // macOS prefixes C symbols with an underscore.
        for option in ["--disassemble=", "--disassemble-symbols="] {
            for sym in [name.to_string(), format!("_{name}")] {
                let out = Command::new(&tool)
                    .arg("-d")
                    .arg("--no-show-raw-insn")
                    .arg(format!("{option}{sym}"))
                    .arg(path)
                    .output()
                    .ok()?;
                if !out.status.success() {
                    continue;
                }
                let text = String::from_utf8_lossy(&out.stdout);
                if let Some(f) = parse_objdump(&text)
                    .into_iter()
                    .find(|f| f.name == sym && !f.instructions.is_empty())
                {
                    return Some(f);
                }
            }
        }
        None
    };
    let first = one(symbol).ok_or_else(|| {
        format!(
            "{} found no function {symbol} in {}",
            tool.display(),
            path.display()
        )
    })?;
    let mut functions = vec![first];
    let mut seen: BTreeSet<String> = BTreeSet::from([functions[0].name.clone()]);
    for _depth in 0..2 {
        let callees: Vec<String> = functions
            .iter()
            .flat_map(|f| f.instructions.iter())
            .filter(|i| i.mnemonic.starts_with("call") || i.mnemonic == "bl")
            .filter_map(|i| i.callee.clone())
            .filter(|c| !seen.contains(c))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        for c in callees {
            if functions.len() >= 8 {
                break;
            }
            seen.insert(c.clone());
            if let Some(f) = one(&c) {
                functions.push(f);
            }
        }
    }
    Ok(functions)
}
