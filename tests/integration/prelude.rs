//! Everything a chapter cell calls must come from `use hpp::prelude::*;`
//! (this fails to compile if one is missing, before a notebook would).

#[test]
fn the_prelude_names_every_experiment() {
    use hpp::prelude::*;
    let _experiments = (
        sum_layout,
        latency,
        cacheline,
        access,
        bandwidth,
        mlp,
        heavy_data,
        storage,
        network,
        tiers_from,
        tier_inputs,
        flops,
        simd,
        scaling,
        roofline,
        clock,
        ilp,
        branches,
        pointers,
        dynamic,
        interpreter,
        python,
        python_with,
        gil,
        objects,
    );
    let _chapter_2_and_3 = (
        julia_with,
        timing_tools_with,
        profilers_with,
        sampling_with,
        search_with,
        sort_with,
        growth_with,
        records_with,
    );
    let _chapter_examples = (is_prime, is_prime_naive, is_prime_odd, primes_reference);
    let _harness = (
        machine,
        compare::<&Timing>,
        make_f64,
        make_boxed,
        make_u64,
        Budget::from_env,
    );
    let _t: fn(fn() -> u64) -> Timing = timeit::<u64>;
    let _kernels = (sum_f64, sum_boxed, sum_indexed_u64);
}

/// The registry, not a hand list: every experiment of every chapter has a
/// description and a function of its own name in the prelude (the notebook
/// cells call them), except those a chapter composes from others.
#[test]
fn the_prelude_exports_every_registered_experiment() {
    let prelude = include_str!("../../src/prelude.rs");
    let words: Vec<&str> = prelude
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .collect();
    let composed = ["tiers"]; // tiers_from + tier_inputs in a notebook
    for (chapter, e) in hpp::chapters::entries() {
        assert!(!e.about.is_empty(), "{} needs a description", e.name);
        if !composed.contains(&e.name) {
            assert!(
                words.contains(&e.name),
                "chapter {}: `{}` is registered but not in the prelude",
                chapter.number,
                e.name
            );
        }
    }
}
