//! `hpp`: the chapter experiments headless, for readers without Jupyter and
//! for book-club sessions.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use hpp::chapters::{self, CHAPTERS, Chapter, Entry, RunOptions, run_entries};
use hpp::kernels::{compute, julia, memory};
use hpp::measure::{Budget, Timing, timeit_with};
use hpp::{Error, Result, machine};

/// Every allocation counted, so `timing_tools` can report the Rust
/// program's heap allocations as tracemalloc does Python's (a relaxed
/// atomic add per allocation: nothing the kernels' timed loops do).
#[global_allocator]
static ALLOCATOR: hpp::measure::heap::Counting = hpp::measure::heap::Counting;

#[derive(Parser)]
#[command(name = "hpp", version, about = "High Performance Python, measured on your machine", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Describe this machine: CPU, caches, SIMD, memory, OS, build profile.
    Machine {
        /// Print the card as JSON.
        #[arg(long)]
        json: bool,
        /// Print the raw CPUID leaves hpp reads (x86 only), for a test fixture.
        #[arg(long, conflicts_with = "json")]
        cpuid_dump: bool,
    },
    /// List the chapters and the experiments `hpp run` knows, by chapter
    /// ("core": on the chapter's book-club path; "home": take-home).
    List,
    /// Run one experiment and print its table and reading.
    Run {
        /// Experiment name (see `hpp list`), or `all`.
        name: String,
        #[command(flatten)]
        budget: BudgetArgs,
        /// Write the result as JSON to this file.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// Write the plot as SVG to this file.
        #[arg(long, value_name = "FILE")]
        svg: Option<PathBuf>,
        /// Threads to use at most, where the experiment is parallel (default or 0: all usable CPUs).
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
        /// Folder for temporary files (storage experiments; default: the system temp folder).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Also count cycles, instructions, cache and branch misses (perf_event, Linux).
        #[arg(long)]
        counters: bool,
    },
    /// Run a whole chapter headless: report.html (plots, readings, tables)
    /// and results.json (to compare with your book club) in --out DIR.
    Chapter {
        /// Chapter number (`hpp list` shows the chapters hpp has), or `all`.
        number: String,
        /// Folder to write report.html and results.json into (created if
        /// missing); with `all`, one folder per chapter inside it (chapter1/, …).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The name your lines carry in comparisons (your choice; nothing else personal is recorded).
        #[arg(long, default_value = "me")]
        name: String,
        #[command(flatten)]
        budget: BudgetArgs,
        /// Threads to use at most, where an experiment is parallel (default or 0: all usable CPUs).
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
        /// Folder for temporary files (storage experiments).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Only the core path: the experiments a book club runs together in
        /// one session (`hpp list` marks them); the take-home ones are left out.
        #[arg(long)]
        core: bool,
    },
    /// Put members' results side by side: a few as columns with overlaid
    /// plots, a club of many as spreads (median, range, your rank) with every
    /// member on one chart; several chapters get a section each.
    Compare {
        /// results.json files (from `hpp chapter N`), or folders to search for
        /// them (files there that cannot be read are left out, with the reason).
        #[arg(required = true, num_args = 1..)]
        files: Vec<PathBuf>,
        /// Also write compare.html into this folder.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Highlight this member: their value and rank beside every figure.
        #[arg(long, value_name = "NAME")]
        me: Option<String>,
    },
    /// Time one kernel IPython-style (`%timeit`), e.g. to compare with a notebook.
    Timeit {
        /// Kernel name: indexed-sum, sum-f64, sum-boxed (n elements), julia-abs,
        /// julia-lanes (an n × n grid; the book's is 1000).
        kernel: String,
        /// Elements in the input.
        #[arg(long, default_value_t = 1_000_000)]
        n: usize,
        #[command(flatten)]
        budget: BudgetArgs,
    },
}

#[derive(Args)]
struct BudgetArgs {
    /// Short runs and small sizes (what tests and CI use; also HPP_QUICK=1).
    #[arg(long, conflicts_with = "thorough")]
    quick: bool,
    /// Longer runs and larger sizes, for numbers worth publishing.
    #[arg(long)]
    thorough: bool,
}

impl BudgetArgs {
    fn budget(&self) -> Budget {
        if self.quick {
            Budget::quick()
        } else if self.thorough {
            Budget::thorough()
        } else {
            Budget::from_env()
        }
    }
}

const KERNELS: &[&str] = &[
    "indexed-sum",
    "sum-f64",
    "sum-boxed",
    "julia-abs",
    "julia-lanes",
];

fn main() -> ExitCode {
    // `hpp … | head` closes the pipe early: stop quietly, as other Unix
    // tools do, instead of panicking on the failed write.
    #[cfg(unix)]
    // SAFETY: restoring the default action of a signal has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hpp: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Machine { json, cpuid_dump } => {
            if cpuid_dump {
                return cpuid();
            }
            let m = machine();
            if json {
                println!("{}", m.to_json()?);
            } else {
                print!("{m}");
            }
        }
        Command::List => {
            for c in CHAPTERS {
                println!(
                    "chapter {} · {} (notebooks/{}.ipynb)",
                    c.number,
                    c.title,
                    c.file_stem()
                );
                for e in c.experiments {
                    let part = if c.core.is_empty() {
                        ""
                    } else if c.is_core(e.name) {
                        "core "
                    } else {
                        "home "
                    };
                    println!("  {:<14} {part}{}", e.name, e.about);
                }
            }
        }
        Command::Run {
            name,
            budget,
            json,
            svg,
            threads,
            dir,
            counters,
        } => {
            let m = machine();
            let b = budget.budget();
            let opts = RunOptions {
                threads,
                dir,
                ..RunOptions::default()
            };
            opts.check(&m)?;
            for (flag, file) in [("--json", &json), ("--svg", &svg)] {
                if let Some(f) = file {
                    check_file_target(flag, f)?;
                }
            }
            if name == "all" {
                return run_all(&m, &b, &opts, json.as_deref(), svg.is_some());
            }
            let entry = chapters::entry(&name)?;
            let (ran, counts) =
                hpp::measure::count(|| run_entries(entry.name, &[entry], &m, &b, &opts, |_| {}));
            let mut ran = ran?;
            let out = ran
                .pop()
                .map_or_else(|| Err(Error::bad_input("nothing ran")), |r| r.outcome)?;
            println!("{}", out.table());
            if counters {
                println!("counters: {counts}");
            }
            if let Some(p) = json {
                std::fs::write(&p, out.to_json()?)
                    .map_err(|e| Error::io(format!("writing {}", p.display()), e))?;
            }
            if let Some(p) = svg {
                out.plot()?.save(&p)?;
            }
        }
        Command::Chapter {
            number,
            out,
            name,
            budget,
            threads,
            dir,
            core,
        } => {
            // Check everything before anything runs or is written.
            let picked: Vec<(&Chapter, PathBuf)> = if number == "all" {
                CHAPTERS
                    .iter()
                    .map(|c| (*c, out.join(format!("chapter{}", c.number))))
                    .collect()
            } else {
                let n: u32 = number.parse().map_err(|_| {
                    Error::bad_input(format!(
                        "\"{number}\" is not a chapter number: give one of {} or all",
                        CHAPTERS
                            .iter()
                            .map(|c| c.number.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?;
                vec![(chapters::chapter(n)?, out.clone())]
            };
            hpp::club::results::check_member(&name)?;
            let m = machine();
            let opts = RunOptions {
                threads,
                dir,
                core_only: core,
            };
            opts.check(&m)?;
            for (_, dir) in &picked {
                prepare_out(dir)?;
            }
            let b = budget.budget();
            for (chapter, dir) in picked {
                run_one_chapter(chapter, &dir, &name, &m, &b, &opts)?;
            }
        }
        Command::Compare { files, out, me } => {
            // Reading is quick: check every file before anything is written.
            let mut book = hpp::club::gather(&files)?;
            if let Some(name) = &me {
                book = book.with_me(name)?;
            }
            if let Some(dir) = &out {
                prepare_out(dir)?;
            }
            print!("{book}");
            if let Some(dir) = out {
                let p = dir.join("compare.html");
                std::fs::write(&p, book.to_html())
                    .map_err(|e| Error::io(format!("writing {}", p.display()), e))?;
                println!("\ncomparison: {}", p.display());
            }
        }
        Command::Timeit { kernel, n, budget } => {
            if n == 0 {
                return Err(Error::bad_input(
                    "--n 0 times nothing: give at least one element",
                ));
            }
            let m = machine();
            let b = budget.budget();
            let t: Timing = match kernel.as_str() {
                "indexed-sum" => {
                    b.check_alloc(&m, "the input", (n as u64).saturating_mul(8))?;
                    let v = compute::make_u64(n)?;
                    timeit_with(&b, || compute::sum_indexed_u64(black_box(&v)))
                }
                "sum-f64" => {
                    b.check_alloc(&m, "the input", (n as u64).saturating_mul(8))?;
                    let v = memory::make_f64(n)?;
                    timeit_with(&b, || memory::sum_f64(black_box(&v)))
                }
                "sum-boxed" => {
                    b.check_alloc(
                        &m,
                        "the input",
                        (n as u64).saturating_mul(memory::BOXED_BYTES_PER_ELEMENT),
                    )?;
                    let v = memory::make_boxed(n)?;
                    timeit_with(&b, || memory::sum_boxed(black_box(&v)))
                }
                "julia-abs" | "julia-lanes" => {
                    // n is the grid's width here (the book's is 1000).
                    let grid = julia::Grid::new(n)?;
                    if kernel == "julia-abs" {
                        timeit_with(&b, || julia::julia_abs(black_box(&grid), julia::MAX_ITER))
                    } else {
                        timeit_with(&b, || julia::julia_lanes(black_box(&grid), julia::MAX_ITER))
                    }
                }
                _ => return Err(unknown("kernel", &kernel, KERNELS)),
            };
            println!("{}", t.named(format!("{kernel} (n = {n})")));
            println!("built: {}", m.build.summary());
        }
    }
    Ok(())
}

/// Run one chapter into `out`: report.html, results.json, and the headline
/// figures printed.
fn run_one_chapter(
    chapter: &Chapter,
    out: &std::path::Path,
    name: &str,
    m: &hpp::Machine,
    b: &Budget,
    opts: &RunOptions,
) -> Result<()> {
    let run = hpp::club::run_chapter(chapter, name, m, b, opts)?;
    let report = out.join("report.html");
    let results = out.join("results.json");
    std::fs::write(&report, hpp::club::report_html(&run))
        .map_err(|e| Error::io(format!("writing {}", report.display()), e))?;
    run.results.save(&results)?;
    for h in hpp::club::headlines(&run.results) {
        println!(
            "{:<40} {:>10} {}{}",
            h.headline.label,
            hpp::units::fmt_sig(h.headline.value, 3),
            h.headline.unit,
            if h.flagged { "  ⚠ noisy" } else { "" }
        );
    }
    for f in &run.results.quality.flags {
        println!("⚠ {f}");
    }
    for (n, e) in &run.results.experiments {
        if let Some(u) = &e.unavailable {
            println!("{n}: unavailable: {u}");
        }
    }
    println!(
        "\nchapter {} · {}: {} experiments in {:.1} s\nreport:  {}\nresults: {}",
        chapter.number,
        chapter.title,
        run.results.experiments.len(),
        run.seconds,
        report.display(),
        results.display()
    );
    Ok(())
}

/// Every experiment of every chapter in turn; one that cannot run here says
/// why and the rest go on.
fn run_all(
    m: &hpp::Machine,
    b: &Budget,
    opts: &RunOptions,
    json: Option<&std::path::Path>,
    svg: bool,
) -> Result<()> {
    if svg {
        return Err(Error::bad_input(
            "--svg writes one plot: name one experiment, or use --json for all",
        ));
    }
    let t0 = std::time::Instant::now();
    let entries: Vec<&'static Entry> = chapters::entries().map(|(_, e)| e).collect();
    let mut failed = None;
    let ran = run_entries("all", &entries, m, b, opts, |r| {
        println!("== {} ({})", r.entry.name, r.entry.about);
        match &r.outcome {
            Ok(out) => println!("{}", out.table()),
            Err(err) => println!("{}: unavailable: {err}", r.entry.name),
        }
        println!("({:.1} s)\n", r.seconds);
    })?;
    let mut results = serde_json::Map::new();
    for r in &ran {
        let v = match &r.outcome {
            Ok(out) => out.to_data().unwrap_or_else(|e| {
                failed = Some(e.to_string());
                serde_json::Value::Null
            }),
            Err(err) => serde_json::json!({ "unavailable": err.to_string() }),
        };
        results.insert(r.entry.name.to_string(), v);
    }
    if let Some(e) = failed {
        return Err(Error::Json(e));
    }
    println!(
        "all {} experiments in {:.1} s",
        ran.len(),
        t0.elapsed().as_secs_f64()
    );
    if let Some(p) = json {
        let text = serde_json::to_string_pretty(&serde_json::Value::Object(results))
            .map_err(|e| Error::Json(e.to_string()))?;
        std::fs::write(p, text).map_err(|e| Error::io(format!("writing {}", p.display()), e))?;
    }
    Ok(())
}

/// Create the output folder, refusing a path that is a file or a folder
/// hpp cannot write in, before anything runs.
fn prepare_out(dir: &std::path::Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::bad_input(format!(
            "--out {} is a file; give a folder",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("--out: creating {}", dir.display()), e))?;
    hpp::measure::plan::writable_folder(dir, "--out")
}

/// A file the run will write at the end: its folder must exist and take
/// files now, so a long run is not lost to a typo.
fn check_file_target(flag: &str, file: &std::path::Path) -> Result<()> {
    if file.is_dir() {
        return Err(Error::bad_input(format!(
            "{flag} {} is a folder; give a file name",
            file.display()
        )));
    }
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    hpp::measure::plan::writable_folder(parent, flag)
}

fn unknown(what: &str, name: &str, known: &[&str]) -> Error {
    Error::bad_input(format!(
        "no {what} called \"{name}\"; known: {}",
        known.join(", ")
    ))
}

#[cfg(target_arch = "x86_64")]
fn cpuid() -> Result<()> {
    print!("{}", hpp::machine::x86::dump(&hpp::machine::x86::LiveCpuid));
    Ok(())
}

#[cfg(not(target_arch = "x86_64"))]
fn cpuid() -> Result<()> {
    Err(Error::Unavailable(hpp::Unavailable::new(
        "CPUID exists on x86 only",
    )))
}
