//! Comparison, conditional and informational functions: case, if, coalesce, validate, in,
//! nullif, cidrmatch, ipmask, isnull and the other is-functions, typeof.

use crate::eval::compile::CExpr;
use crate::eval::event::Record;
use crate::eval::expr::{equal, eval, in_network, is_true};
use crate::eval::value::{parse_number, Value};
use crate::ir::Func;
use std::net::{IpAddr, Ipv4Addr};

/// Functions that evaluate only the arguments they need.
pub fn lazy(func: Func, args: &[CExpr], record: &Record) -> Value {
    let value_of = |e: Option<&CExpr>| e.map_or(Value::Null, |v| eval(v, record));
    match func {
        Func::Case => args
            .chunks(2)
            .find(|pair| pair.first().is_some_and(|c| is_true(c, record)))
            .map_or(Value::Null, |pair| value_of(pair.get(1))),
        Func::If if args.first().is_some_and(|c| is_true(c, record)) => value_of(args.get(1)),
        Func::If => value_of(args.get(2)),
        Func::Coalesce => args
            .iter()
            .map(|a| eval(a, record))
            .find(|v| !v.is_null())
            .unwrap_or(Value::Null),
        Func::Validate => args
            .chunks(2)
            .find(|pair| pair.first().is_some_and(|c| !is_true(c, record)))
            .map_or(Value::Null, |pair| value_of(pair.get(1))),
        _ => in_list(args, record),
    }
}

/// `in(x, a, b, ...)`: exact, case-sensitive; any value of a multivalue may match.
fn in_list(args: &[CExpr], record: &Record) -> Value {
    let Some((first, rest)) = args.split_first() else {
        return Value::Null;
    };
    let value = eval(first, record);
    if value.is_null() {
        return Value::Null;
    }
    Value::Bool(rest.iter().any(|a| {
        let item = eval(a, record);
        value
            .values()
            .iter()
            .any(|v| item.values().iter().any(|i| equal(v, i)))
    }))
}

/// isnull, isnotnull, isnum, isint, isstr, isbool, typeof.
pub fn inspect(func: Func, v: &Value) -> Value {
    let is_num =
        matches!(v, Value::Num(_)) || matches!(v, Value::Str(s) if parse_number(s).is_some());
    match func {
        Func::IsNull => Value::Bool(v.is_null()),
        Func::IsNotNull => Value::Bool(!v.is_null()),
        Func::IsNum => Value::Bool(is_num),
        Func::IsInt => Value::Bool(is_num && v.as_num().is_some_and(|n| n.fract() == 0.0)),
        Func::IsStr => Value::Bool(matches!(v, Value::Str(_)) && !is_num),
        Func::IsBool => Value::Bool(matches!(v, Value::Bool(_))),
        _ => Value::str(match v {
            Value::Null => "Invalid",
            Value::Bool(_) => "Boolean",
            Value::Multi(_) => "Multivalue",
            _ if is_num => "Number",
            _ => "String",
        }),
    }
}

/// `nullif(x, y)`: null when the two are equal, else `x`.
pub fn nullif(x: &Value, y: &Value) -> Value {
    if !x.is_null() && !y.is_null() && equal(x, y) {
        Value::Null
    } else {
        x.clone()
    }
}

/// `cidrmatch("10.0.0.0/8", ip)`: whether an address (any value of a multivalue) is in the subnet.
pub fn cidrmatch(cidr: &Value, ip: &Value) -> Value {
    if cidr.is_null() || ip.is_null() {
        return Value::Null;
    }
    let text = cidr.to_text();
    let (net, bits) = match text.split_once('/') {
        Some((net, bits)) => (net, bits.parse::<u8>().ok()),
        None => (text.as_str(), None),
    };
    let Ok(net) = net.parse::<IpAddr>() else {
        return Value::Bool(false);
    };
    let bits = bits.unwrap_or(if net.is_ipv4() { 32 } else { 128 });
    Value::Bool(ip.values().iter().any(|v| {
        v.to_text()
            .trim()
            .parse()
            .is_ok_and(|ip| in_network(ip, net, bits))
    }))
}

/// `ipmask("255.255.255.0", ip)`: the IPv4 address ANDed with the mask; null when either is not one.
pub fn ipmask(mask: &Value, ip: &Value) -> Value {
    let Ok(mask) = mask.to_text().trim().parse::<Ipv4Addr>() else {
        return Value::Null;
    };
    super::map_text(ip, |s| match s.trim().parse::<Ipv4Addr>() {
        Ok(ip) => Value::str(Ipv4Addr::from(u32::from(ip) & u32::from(mask)).to_string()),
        Err(_) => Value::Null,
    })
}
