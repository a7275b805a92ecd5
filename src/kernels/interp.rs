//! A tiny stack-based bytecode interpreter, in the spirit of CPython's eval
//! loop: each instruction is fetched, decoded by a `match`, and its operands
//! pushed and popped through a stack in memory. The same loop compiled to
//! machine code needs none of that.

/// One instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Push a constant.
    Const(i64),
    /// Push local variable `n`.
    Load(usize),
    /// Pop into local variable `n`.
    Store(usize),
    /// Pop two, push their sum.
    Add,
    /// Pop two (a, b), push 1 if a < b else 0.
    Less,
    /// Pop; jump to the target when it is 0.
    JumpIfZero(usize),
    /// Jump to the target.
    Jump(usize),
    /// Stop; the result is local 0.
    Return,
}

/// `total = 0; i = 0; while i < n: total += i; i += 1` as bytecode (locals:
/// 0 total, 1 i, 2 n). Thirteen instructions run per iteration.
pub fn sum_loop_program() -> Vec<Op> {
    use Op::*;
    vec![
        Const(0),
        Store(0),
        Const(0),
        Store(1),
        // 4: loop head
        Load(1),
        Load(2),
        Less,
        JumpIfZero(17),
        Load(0),
        Load(1),
        Add,
        Store(0),
        Load(1),
        Const(1),
        Add,
        Store(1),
        Jump(4),
        // 17: loop exit
        Return,
    ]
}

/// Instructions executed per loop iteration of [`sum_loop_program`].
pub const OPS_PER_ITERATION: u64 = 13;

/// Run `program` with `locals` (at least as many as it uses); returns local
/// 0 and the number of instructions executed.
///
/// # Errors
/// A message on stack underflow, a bad local or a jump out of the program.
pub fn run(program: &[Op], locals: &mut [i64]) -> Result<(i64, u64), String> {
    let mut stack: Vec<i64> = Vec::with_capacity(16);
    let mut pc = 0usize;
    let mut executed = 0u64;
    let pop = |s: &mut Vec<i64>| s.pop().ok_or_else(|| "stack underflow".to_string());
    loop {
        let op = *program
            .get(pc)
            .ok_or_else(|| format!("jump to {pc}, outside the program"))?;
        executed += 1;
        pc += 1;
        match op {
            Op::Const(v) => stack.push(v),
            Op::Load(n) => stack.push(*locals.get(n).ok_or("no such local")?),
            Op::Store(n) => {
                let v = pop(&mut stack)?;
                *locals.get_mut(n).ok_or("no such local")? = v;
            }
            Op::Add => {
                let b = pop(&mut stack)?;
                let a = pop(&mut stack)?;
                stack.push(a.wrapping_add(b));
            }
            Op::Less => {
                let b = pop(&mut stack)?;
                let a = pop(&mut stack)?;
                stack.push(i64::from(a < b));
            }
            Op::JumpIfZero(t) => {
                if pop(&mut stack)? == 0 {
                    pc = t;
                }
            }
            Op::Jump(t) => pc = t,
            Op::Return => return Ok((locals.first().copied().unwrap_or(0), executed)),
        }
    }
}

/// Interpret the sum loop for `n`.
///
/// # Errors
/// Never for this program; see [`run`].
pub fn interpreted_sum(n: i64) -> Result<i64, String> {
    let mut locals = [0, 0, n];
    run(&sum_loop_program(), &mut locals).map(|(v, _)| v)
}

/// The same loop compiled. `black_box` on each step keeps the compiler from
/// replacing the loop by the closed form n(n-1)/2.
pub fn compiled_sum(n: i64) -> i64 {
    let mut total = 0i64;
    let mut i = 0i64;
    while i < n {
        total = total.wrapping_add(std::hint::black_box(i));
        i += 1;
    }
    total
}

/// Reference: n(n-1)/2.
pub fn sum_reference(n: i64) -> i64 {
    if n <= 0 { 0 } else { n * (n - 1) / 2 }
}
