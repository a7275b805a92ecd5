//! `compiled_code`: what the compilers made of the chapter's loops. The
//! Julia loop and the diffusion step as rustc compiled them into hpp's
//! Python module (read back from the module with `objdump`), and the Julia
//! loop as Numba compiled it (its own assembly, and the types it inferred
//! for every variable). For each, the innermost loop where the time goes:
//! how many instructions, and how many of them work on several numbers at
//! once (SIMD), on one, or only move numbers between lanes.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Outcome, show};
use crate::machine::Machine;
use crate::measure::cpython::{CH08, PythonInfo, run_chapter_script};
use crate::measure::machine_code::{Function, Isa, Mix, disassemble, hottest_loop, mix, parse_asm};
use crate::measure::python_module::ensure_module;
use crate::measure::{Budget, Progress};
use crate::plot::{Figure, StackedBars, stacked_bars};
use crate::report::html::{Html, table};

/// The Julia loop.
pub const JULIA: &str = "Julia loop";
/// One diffusion step.
pub const DIFFUSION: &str = "diffusion step";
/// rustc, building hpp's module.
pub const RUSTC: &str = "rustc (hpp's module)";
/// Numba, compiling at the first call.
pub const NUMBA: &str = "Numba (at the first call)";

/// One compiled kernel's hottest loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KernelCode {
    /// [`JULIA`] or [`DIFFUSION`].
    pub kernel: String,
    /// [`RUSTC`] or [`NUMBA`].
    pub compiler: String,
    /// The function read (and the functions it calls).
    pub function: String,
    /// Instructions read in all.
    pub instructions: usize,
    /// The innermost loop's instructions, as listed.
    pub inner_loop: Vec<String>,
    /// What kinds they are.
    pub mix: Mix,
}

/// A variable and the type Numba gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inferred {
    /// As the Python source names it.
    pub variable: String,
    /// Numba's type (`int64`, `complex128`, `array(complex128, 1d, C)`).
    pub numba_type: String,
}

/// The `compiled_code` result. JSON: `isa`, `cpu_widest_bits`,
/// `kernels[{kernel, compiler, function, instructions, inner_loop[],
/// mix{packed_fp, scalar_fp, fma, shuffles, other, widest_bits, lanes}}]`,
/// `numba_types[{variable, numba_type}]`, `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompiledCode {
    /// Always "compiled_code".
    pub experiment: String,
    /// The instruction set read ("x86-64", "aarch64").
    pub isa: String,
    /// The widest vector register this CPU has, in bits.
    pub cpu_widest_bits: u32,
    /// Each kernel read.
    pub kernels: Vec<KernelCode>,
    /// Numba's inferred types, in the order the function names them.
    pub numba_types: Vec<Inferred>,
    /// What could not be read, and why.
    pub unavailable: Vec<String>,
    /// The interpreter.
    pub python: Option<PythonInfo>,
    /// Budget used (nothing is timed).
    pub budget: String,
}

#[derive(Debug, Deserialize)]
struct PyReply {
    python: PythonInfo,
    inspect: Option<PyInspect>,
}

#[derive(Debug, Deserialize)]
struct PyInspect {
    module_path: Option<String>,
    numba: Option<PyNumba>,
    unavailable: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PyNumba {
    types: Vec<(String, String)>,
    asm: String,
}

/// Read the machine code.
///
/// # Errors
/// [`Error::Unavailable`] without a Python interpreter (the module and
/// Numba are found through it).
pub fn compiled_code(machine: &Machine, budget: &Budget) -> Result<CompiledCode> {
    compiled_code_with(machine, budget, None)
}

/// As [`compiled_code`], with an explicit interpreter.
///
/// # Errors
/// As [`compiled_code`].
pub fn compiled_code_with(
    machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<CompiledCode> {
    let mut progress = Progress::new("compiled_code", 2);
    let mut unavailable = Vec::new();
    progress.step("Python: where hpp's module is, and Numba's own account of the loop");
    if let crate::error::Fact::Known(p) = crate::machine::interpreters::find_python(interpreter)
        && let Err(why) = ensure_module(Path::new(&p))
    {
        unavailable.push(why);
    }
    let spec = serde_json::json!({ "tasks": ["inspect"], "maxiter": 300 });
    let (reply, python) = match run_chapter_script::<PyReply>(interpreter, CH08, &spec, budget) {
        Ok(PyReply {
            python,
            inspect: Some(i),
        }) => (i, python),
        Ok(_) => {
            return Err(Error::Unavailable(crate::error::Unavailable::new(
                "CPython sent no account of the compiled code",
            )));
        }
        Err(why) => {
            return Err(Error::Unavailable(crate::error::Unavailable::new(format!(
                "the compiled code is found through Python: {why}"
            ))));
        }
    };
    unavailable.extend(reply.unavailable);
    let numba_types = reply
        .numba
        .as_ref()
        .map(|n| {
            n.types
                .iter()
                .map(|(variable, numba_type)| Inferred {
                    variable: variable.clone(),
                    numba_type: numba_type.clone(),
                })
                .collect()
        })
        .unwrap_or_default();

    progress.step("reading the machine code");
    let mut kernels = Vec::new();
    let isa = Isa::native();
    match isa {
        None => unavailable.push(format!(
            "instruction kinds are sorted on x86-64 and AArch64 only; this is {}",
            std::env::consts::ARCH
        )),
        Some(isa) => {
            if let Some(path) = &reply.module_path {
                for (kernel, symbol) in [
                    (JULIA, "hpp_calculate_z"),
                    (DIFFUSION, "hpp_diffusion_step"),
                ] {
                    match disassemble(Path::new(path), symbol) {
                        Ok(functions) => match read(isa, kernel, RUSTC, &functions) {
                            Some(k) => kernels.push(k),
                            None => unavailable
                                .push(format!("{symbol}: no floating-point loop found in it")),
                        },
                        Err(why) => unavailable.push(format!("hpp's module: {why}")),
                    }
                }
            }
            if let Some(n) = &reply.numba {
                let functions = parse_asm(isa, &n.asm);
                // The kernel comes first; Numba's wrappers (cpython.*,
                // cfunc.*) and its runtime (NRT_*) follow.
                let kernel: Vec<Function> = functions
                    .into_iter()
                    .filter(|f| {
                        !f.name.starts_with("_ZN7cpython")
                            && !f.name.starts_with("cfunc.")
                            && !f.name.starts_with("NRT_")
                    })
                    .take(1)
                    .collect();
                match read(isa, JULIA, NUMBA, &kernel) {
                    Some(k) => kernels.push(k),
                    None => unavailable
                        .push("Numba's assembly: no floating-point loop found in it".into()),
                }
            }
        }
    }
    Ok(CompiledCode {
        experiment: "compiled_code".into(),
        isa: match isa {
            Some(Isa::X86) => "x86-64".into(),
            Some(Isa::Arm) => "aarch64".into(),
            None => std::env::consts::ARCH.into(),
        },
        cpu_widest_bits: machine.simd.widest_bits,
        kernels,
        numba_types,
        unavailable,
        python: Some(python),
        budget: budget.level.to_string(),
    })
}

/// The hottest loop of `functions`, if there is one.
pub fn read(isa: Isa, kernel: &str, compiler: &str, functions: &[Function]) -> Option<KernelCode> {
    let inner = hottest_loop(isa, functions)?;
    Some(KernelCode {
        kernel: kernel.into(),
        compiler: compiler.into(),
        function: functions.first()?.name.clone(),
        instructions: functions.iter().map(|f| f.instructions.len()).sum(),
        inner_loop: inner.iter().map(|i| i.text()).collect(),
        mix: mix(isa, inner),
    })
}

impl CompiledCode {
    /// The kernel `kernel` as `compiler` made it.
    pub fn kernel(&self, kernel: &str, compiler: &str) -> Option<&KernelCode> {
        self.kernels
            .iter()
            .find(|k| k.kernel == kernel && k.compiler == compiler)
    }

    /// Every hottest loop, listed instruction by instruction.
    pub fn listings(&self) -> String {
        let mut s = String::new();
        for k in &self.kernels {
            s.push_str(&format!(
                "{} — {} ({} instructions in its innermost loop):\n",
                k.kernel,
                k.compiler,
                k.inner_loop.len()
            ));
            for line in &k.inner_loop {
                s.push_str(&format!("    {line}\n"));
            }
            s.push('\n');
        }
        s
    }

    /// The kernels and Numba's types as HTML tables.
    pub fn table_html(&self) -> Html {
        let rows: Vec<Vec<String>> = self
            .kernels
            .iter()
            .map(|k| {
                vec![
                    k.kernel.clone(),
                    k.compiler.clone(),
                    k.inner_loop.len().to_string(),
                    if k.mix.packed_fp > 0 {
                        format!(
                            "{} ({} × {}-bit)",
                            k.mix.packed_fp,
                            k.mix.lanes,
                            k.mix.widest_bits / k.mix.lanes.max(1)
                        )
                    } else {
                        "0".into()
                    },
                    k.mix.scalar_fp.to_string(),
                    k.mix.fma.to_string(),
                    k.mix.shuffles.to_string(),
                    k.mix.other.to_string(),
                ]
            })
            .collect();
        let mut html = Html(table(
            &[
                "kernel",
                "compiler",
                "inner-loop instructions",
                "packed FP (lanes × bits)",
                "scalar FP",
                "of them FMA",
                "shuffles",
                "other",
            ],
            &rows,
        ));
        if !self.numba_types.is_empty() {
            let types: Vec<Vec<String>> = self
                .numba_types
                .iter()
                .map(|t| vec![t.variable.clone(), t.numba_type.clone()])
                .collect();
            html = Html(format!(
                "{}<p>The types Numba inferred for the Julia loop:</p>{}",
                html.0,
                table(&["variable", "Numba's type"], &types)
            ));
        }
        html
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }

    fn sentence(&self, k: &KernelCode) -> String {
        let m = &k.mix;
        let mut s = format!(
            "{} by {}: {} instructions in its innermost loop",
            k.kernel,
            k.compiler,
            k.inner_loop.len()
        );
        if m.packed_fp == 0 {
            s.push_str(&format!(
                ", its {} floating-point ones all scalar (one number each)",
                m.scalar_fp
            ));
        } else if m.scalar_fp == 0 {
            s.push_str(&format!(
                ", its {} floating-point ones all packed ({} numbers at once in {}-bit registers)",
                m.packed_fp, m.lanes, m.widest_bits
            ));
        } else {
            s.push_str(&format!(
                ", {} of them packed ({} numbers at once in {}-bit registers) and {} scalar",
                m.packed_fp, m.lanes, m.widest_bits, m.scalar_fp
            ));
        }
        if m.shuffles > 0 {
            s.push_str(&format!(
                ", with {} shuffles moving numbers between lanes",
                m.shuffles
            ));
        }
        if m.fma > 0 {
            s.push_str(&format!("; {} fused multiply-adds", m.fma));
        }
        s.push('.');
        s
    }
}

impl Outcome for CompiledCode {
    fn name(&self) -> &str {
        "compiled_code"
    }

    fn plot(&self) -> Result<Figure> {
        let rows: Vec<(String, Vec<f64>)> = self
            .kernels
            .iter()
            .map(|k| {
                (
                    format!(
                        "{}, {}",
                        k.kernel,
                        k.compiler.split(' ').next().unwrap_or(&k.compiler)
                    ),
                    vec![
                        k.mix.packed_fp as f64,
                        k.mix.scalar_fp as f64,
                        k.mix.shuffles as f64,
                        k.mix.other as f64,
                    ],
                )
            })
            .collect();
        stacked_bars(&StackedBars {
            title: "What the compilers made: the innermost loop's instructions, by kind",
            x_label: "instructions in the innermost loop",
            parts: &[
                "SIMD floating point",
                "scalar floating point",
                "lane shuffles",
                "other (loads, jumps, …)",
            ],
            rows: &rows,
        })
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        for k in &self.kernels {
            s.push_str(&self.sentence(k));
            s.push(' ');
        }
        let widest_used = self
            .kernels
            .iter()
            .filter(|k| k.compiler == RUSTC)
            .map(|k| k.mix.widest_bits)
            .max();
        if let Some(used) = widest_used
            && used > 0
            && used < self.cpu_widest_bits
        {
            s.push_str(&format!(
                "This CPU has {}-bit vector registers; hpp's module used {}-bit ones.",
                self.cpu_widest_bits, used
            ));
            if used == 128 && self.isa == "x86-64" {
                // 128 bits is all that SSE2, the baseline of every x86-64
                // CPU, offers: what rustc builds for unless told otherwise.
                s.push_str(" That is all a build for any x86-64 CPU (rustc's default) may use; RUSTFLAGS=\"-C target-cpu=native\" lets it use this one's.");
            }
            s.push(' ');
        }
        if let (Some(r), Some(n)) = (self.kernel(JULIA, RUSTC), self.kernel(JULIA, NUMBA)) {
            let (a, b) = (r.inner_loop.len(), n.inner_loop.len());
            s.push_str(&format!(
                "The same Julia loop: {a} instructions from rustc, {b} from Numba{}. ",
                if a == b {
                    String::new()
                } else if a < b {
                    format!(" (rustc's {} fewer)", b - a)
                } else {
                    format!(" (Numba's {} fewer)", a - b)
                }
            ));
        }
        if !self.numba_types.is_empty() {
            let objects: Vec<&str> = self
                .numba_types
                .iter()
                .filter(|t| t.numba_type.contains("pyobject"))
                .map(|t| t.variable.as_str())
                .collect();
            let list = self
                .numba_types
                .iter()
                .map(|t| format!("{} {}", t.variable, t.numba_type))
                .collect::<Vec<_>>()
                .join(", ");
            if objects.is_empty() {
                s.push_str(&format!(
                    "Numba gave every variable a machine type from the first call's arguments ({list})."
                ));
            } else {
                s.push_str(&format!(
                    "Numba left {} as Python objects ({list}): that code runs no faster than Python.",
                    objects.join(", ")
                ));
            }
        }
        for u in &self.unavailable {
            s.push_str(&format!(" Unavailable: {u}."));
        }
        s.trim().to_string()
    }
}

impl fmt::Display for CompiledCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<16} {:<26} {:>6} {:>7} {:>7} {:>4} {:>9} {:>6}",
            "kernel", "compiler", "loop", "packed", "scalar", "FMA", "shuffles", "other"
        )?;
        for k in &self.kernels {
            writeln!(
                f,
                "{:<16} {:<26} {:>6} {:>7} {:>7} {:>4} {:>9} {:>6}",
                k.kernel,
                k.compiler,
                k.inner_loop.len(),
                k.mix.packed_fp,
                k.mix.scalar_fp,
                k.mix.fma,
                k.mix.shuffles,
                k.mix.other
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
