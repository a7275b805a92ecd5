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
        tiers,
        tiers_from,
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
    // Every catalog entry is reachable by name too.
    for e in hpp::experiments::CATALOG {
        assert!(!e.about.is_empty(), "{} needs a description", e.name);
    }
}
