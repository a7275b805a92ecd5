//! What dynamic typing costs: every value carries its type, and every
//! operation checks it before doing the arithmetic — as CPython's `+` looks
//! at both operands' types on each call. And what bounds checks cost, and
//! buy: Rust checks every index and stops, where C reads whatever lies past
//! the end.

use std::any::Any;

/// A value that knows its own type at run time, like a Python object.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string (present so that a type check can fail).
    Str(String),
}

/// `a + b` with Python's rules for int and float, checked on every call.
///
/// # Errors
/// A `TypeError`-like message when either operand is a string.
pub fn add(a: &Value, b: &Value) -> Result<Value, String> {
    Ok(match (a, b) {
        (Value::Int(x), Value::Int(y)) => Value::Int(x.wrapping_add(*y)),
        (Value::Float(x), Value::Float(y)) => Value::Float(x + y),
        (Value::Int(x), Value::Float(y)) => Value::Float(*x as f64 + y),
        (Value::Float(x), Value::Int(y)) => Value::Float(x + *y as f64),
        _ => {
            return Err(format!(
                "unsupported operand type(s) for +: '{}' and '{}'",
                a.type_name(),
                b.type_name()
            ));
        }
    })
}

impl Value {
    /// The Python name of the type.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
        }
    }
}

/// Sum tagged values left to right, checking types at each step.
///
/// # Errors
/// The first type error met.
pub fn sum_tagged(xs: &[Value]) -> Result<Value, String> {
    let mut acc = Value::Int(0);
    for x in xs {
        acc = add(&acc, x)?;
    }
    Ok(acc)
}

/// Sum values behind `Box<dyn Any>`: each element is downcast (a type check
/// through a vtable and a pointer) before it can be added.
///
/// # Errors
/// When an element is not an `f64`.
pub fn sum_any(xs: &[Box<dyn Any>]) -> Result<f64, String> {
    let mut s = 0.0;
    for (i, x) in xs.iter().enumerate() {
        match x.downcast_ref::<f64>() {
            Some(v) => s += v,
            None => return Err(format!("element {i} is not a float")),
        }
    }
    Ok(s)
}

/// Sum by index with bounds checks the compiler cannot remove (the index
/// comes from a separate list, as a Python subscript would).
pub fn sum_indexed_checked(xs: &[f64], idx: &[usize]) -> f64 {
    let mut s = 0.0;
    for &i in idx {
        s += xs[i];
    }
    s
}

/// The same with the checks removed.
///
/// # Safety
/// Every entry of `idx` must be less than `xs.len()`.
pub unsafe fn sum_indexed_unchecked(xs: &[f64], idx: &[usize]) -> f64 {
    let mut s = 0.0;
    for &i in idx {
        // SAFETY: the caller promises every index is in bounds.
        s += unsafe { *xs.get_unchecked(i) };
    }
    s
}

/// The same walk with an iterator: no index, so nothing to check.
pub fn sum_iter(xs: &[f64]) -> f64 {
    xs.iter().fold(0.0, |a, &x| a + x)
}

/// Read `xs[i]` as a C programmer might, one past the end included: in Rust
/// the index is checked, so an out-of-range read stops with a panic. The
/// panic is caught here (its message silenced) and turned into a sentence.
///
/// # Errors
/// The sentence, when `i` is out of range.
pub fn read_checked(xs: &[f64], i: usize) -> Result<f64, String> {
    crate::silent_panic::catch_silently(|| xs[std::hint::black_box(i)]).map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!(
            "refused: reading element {i} of {} stopped the program instead of returning whatever lay past the end ({msg})",
            xs.len()
        )
    })
}
