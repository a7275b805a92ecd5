//! Every kernel variant against its reference twin, on small inputs.

use hpp::kernels::{compute, memory};

#[test]
fn sum_f64_matches_reference() {
    for n in [0, 1, 7, 1000, 4097] {
        let v = memory::make_f64(n).unwrap();
        assert_eq!(
            memory::sum_f64(&v),
            memory::sum_f64_reference(&v),
            "n = {n}"
        );
    }
    let v = memory::make_f64(2048).unwrap();
    assert_eq!(memory::sum_f64(&v), 2.0 * (0..1024).sum::<u32>() as f64);
}

#[test]
fn sum_boxed_matches_reference_and_the_plain_sum() {
    for n in [0, 1, 7, 1000, 4097] {
        let b = memory::make_boxed(n).unwrap();
        let v = memory::make_f64(n).unwrap();
        assert_eq!(
            memory::sum_boxed(&b),
            memory::sum_boxed_reference(&b),
            "n = {n}"
        );
        assert_eq!(
            memory::sum_boxed(&b),
            memory::sum_f64(&v),
            "same values, same order"
        );
    }
}

#[test]
fn indexed_u64_sum_matches_reference_and_wraps() {
    for n in [0, 1, 3, 1000, 100_003] {
        let v = compute::make_u64(n).unwrap();
        assert_eq!(
            compute::sum_indexed_u64(&v),
            compute::sum_u64_reference(&v),
            "n = {n}"
        );
    }
    // Wrap-around is part of the contract (no overflow panic in a debug build).
    let v = vec![u64::MAX, 2];
    assert_eq!(compute::sum_indexed_u64(&v), 1);
}

#[test]
fn serialisations_round_trip_exactly() {
    let v: Vec<f64> = vec![0.0, -1.5, 1e-300, 123456.789, f64::MAX, 0.1 + 0.2];
    let mut bytes = vec![1, 2, 3];
    memory::encode_le_into(&v, &mut bytes);
    assert_eq!(bytes.len(), v.len() * 8);
    let mut back = vec![9.0];
    memory::decode_le_into(&bytes, &mut back);
    assert_eq!(back, v);
    let mut text = String::from("junk");
    memory::encode_text_into(&v, &mut text);
    memory::decode_text_into(&text, &mut back);
    assert_eq!(back, v, "Rust prints floats so they parse back exactly");
    memory::decode_le_into(&bytes[..13], &mut back);
    assert_eq!(back, vec![0.0], "a partial trailing value is ignored");
}

#[test]
fn inputs_beyond_memory_are_refused_before_allocating() {
    // 2^60 floats is 8 EiB: refused by the room check, not an allocator abort.
    for e in [
        memory::make_f64(1 << 60).map(|_| ()),
        memory::make_boxed(1 << 60).map(|_| ()),
        compute::make_u64(1 << 60).map(|_| ()),
        hpp::kernels::pointers::make_boxed_shuffled(1 << 60, 1).map(|_| ()),
    ] {
        let e = e.expect_err("refused").to_string();
        assert!(
            e.contains("needs") && e.contains("choose a smaller size"),
            "{e}"
        );
    }
    // usize::MAX bytes' worth would overflow the size itself: still a clear error.
    let e = memory::make_f64(usize::MAX)
        .expect_err("refused")
        .to_string();
    assert!(e.contains("needs"), "{e}");
}
