//! Mathematical and statistical eval functions: abs, ceiling, floor, exp, ln, log, pow, sqrt,
//! round, exact, the trigonometric and hyperbolic functions, bitwise functions, min, max, random.

use crate::eval::value::{compare_auto, Value};
use crate::ir::Func;
use std::sync::atomic::{AtomicU64, Ordering};

use super::finite;

/// One-argument numeric functions; null (or text that is not a number) gives null.
pub fn unary(func: Func, x: &Value) -> Value {
    let Some(x) = x.as_num() else {
        return Value::Null;
    };
    finite(match func {
        Func::Abs => x.abs(),
        Func::Acos => x.acos(),
        Func::Acosh => x.acosh(),
        Func::Asin => x.asin(),
        Func::Asinh => x.asinh(),
        Func::Atan => x.atan(),
        Func::Atanh => x.atanh(),
        Func::Ceiling => x.ceil(),
        Func::Cos => x.cos(),
        Func::Cosh => x.cosh(),
        Func::Exp => x.exp(),
        Func::Floor => x.floor(),
        Func::Ln => x.ln(),
        Func::Sin => x.sin(),
        Func::Sinh => x.sinh(),
        Func::Sqrt => x.sqrt(),
        Func::Tan => x.tan(),
        _ => x.tanh(),
    })
}

/// `atan2(y, x)`, `hypot(x, y)`, `pow(x, y)`.
pub fn binary(func: Func, a: &Value, b: &Value) -> Value {
    let (Some(a), Some(b)) = (a.as_num(), b.as_num()) else {
        return Value::Null;
    };
    finite(match func {
        Func::Atan2 => a.atan2(b),
        Func::Hypot => a.hypot(b),
        _ => a.powf(b),
    })
}

/// `bit_and`, `bit_or`, `bit_xor` (two or more), `bit_not(x[, mask])`, `bit_shift_left/right(x, n)`:
/// over non-negative integers.
pub fn bitwise(func: Func, a: &[Value]) -> Value {
    let ints: Option<Vec<u64>> = a
        .iter()
        .map(|v| {
            v.as_num()
                .filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n < 1.8e19)
                .map(|n| n as u64)
        })
        .collect();
    let Some(ints) = ints else {
        return Value::Null;
    };
    let fold = |f: fn(u64, u64) -> u64| ints.iter().copied().reduce(f).unwrap_or(0);
    let x = ints.first().copied().unwrap_or(0);
    let by = ints.get(1).map_or(0, |n| *n as u32);
    let n = match func {
        Func::BitAnd => fold(|x, y| x & y),
        Func::BitOr => fold(|x, y| x | y),
        Func::BitXor => fold(|x, y| x ^ y),
        Func::BitNot => !x & ints.get(1).copied().unwrap_or(u32::MAX as u64),
        Func::BitShiftLeft => x.checked_shl(by).unwrap_or(0),
        _ => x.checked_shr(by).unwrap_or(0),
    };
    Value::Num(n as f64)
}

/// `exact(x)`: the number at full precision (spelunk always keeps full f64 precision).
pub fn exact(x: &Value) -> Value {
    x.as_num().map_or(Value::Null, finite)
}

/// `log(x[, base])`: base 10 unless given.
pub fn log(x: &Value, base: Option<&Value>) -> Value {
    let base = base.map_or(Some(10.0), Value::as_num);
    match (x.as_num(), base) {
        (Some(x), Some(10.0)) => finite(x.log10()),
        (Some(x), Some(2.0)) => finite(x.log2()),
        (Some(x), Some(b)) => finite(x.ln() / b.ln()),
        _ => Value::Null,
    }
}

/// `round(x[, n])`: half away from zero, to `n` decimals.
pub fn round(x: &Value, digits: Option<&Value>) -> Value {
    let digits = digits.map_or(Some(0.0), Value::as_num);
    match (x.as_num(), digits) {
        (Some(x), Some(d)) => {
            let factor = 10f64.powi(d.clamp(0.0, 15.0) as i32);
            finite((x * factor).round() / factor)
        }
        _ => Value::Null,
    }
}

/// eval `min(...)`/`max(...)`: over every value of every argument, numbers below text.
pub fn extreme(func: Func, a: &[Value]) -> Value {
    let all = a.iter().flat_map(|v| v.values().iter());
    let pick = match func {
        Func::Min => all.min_by(|x, y| compare_auto(x, y)),
        _ => all.max_by(|x, y| compare_auto(x, y)),
    };
    pick.cloned().unwrap_or(Value::Null)
}

/// `random()`: a pseudo-random integer from 0 to 2^31-1 (not cryptographic).
pub fn random() -> Value {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut z = STATE
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(seed);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    Value::Num((z & 0x7FFF_FFFF) as f64)
}
