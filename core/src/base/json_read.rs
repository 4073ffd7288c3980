//! Reading serde_json `Value`s by hand, for the share link (`playground::share_decode`). Why not
//! the derived `Deserialize`: its visitors for `Action<C>` and every service's commands cost the
//! page's `.wasm` 18.8 KB gzipped; these readers 10 KB (docs/size.md). The derives stay on every
//! type and remain the reference for the format: `playground/share_decode_tests.rs` checks that
//! both accept and refuse the same documents and build the same values.
//!
//! The format is serde's: externally tagged enums (`"HealAll"` or `{"HealAll":null}` for a unit
//! variant, `{"Crash":{"node":1}}` for a struct variant, `{"Join":3}` for a newtype variant),
//! structs as objects or as arrays of their fields in order, `Option` as `null` or a value (a
//! missing `Option` field is `None`), unknown fields ignored unless the type denies them.
//!
//! Each type the share link holds implements [`FromJson`] next to its definition, as a derive
//! would sit there; a service's command type must (the `node_services!` registry reads
//! `NodeCmd` through it, so a service without it does not compile).

use serde_json::Value;

pub type R<T> = Result<T, String>;

/// A type read from a parsed JSON value in serde's format for it.
pub trait FromJson: Sized {
    fn from_json(v: &Value) -> R<Self>;
}

// ---- values: one reader per type, one copy each ----

/// "expected …, found …" for a value of the wrong type.
#[cold]
pub fn expected(what: &str, v: &Value) -> String {
    expected_found(what, Some(v))
}

/// The same, where `None` is no value at all (a variant named without its payload).
#[cold]
pub fn expected_found(what: &str, v: Option<&Value>) -> String {
    let found = match v {
        None => "none",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "a boolean",
        // The number itself: "expected an unsigned integer, found -3".
        Some(Value::Number(n)) => return format!("expected {what}, found {n}"),
        Some(Value::String(_)) => "a string",
        Some(Value::Array(_)) => "an array",
        Some(Value::Object(_)) => "an object",
    };
    format!("expected {what}, found {found}")
}

pub fn u64_of(v: &Value) -> R<u64> {
    v.as_u64().ok_or_else(|| expected("an unsigned integer", v))
}

/// An unsigned integer of at most `max` (for `usize`, `u32`, `u8` fields).
pub fn uint(v: &Value, max: u64) -> R<u64> {
    let n = u64_of(v)?;
    if n > max {
        return Err(format!("{n} is out of range (at most {max})"));
    }
    Ok(n)
}

pub fn usize_of(v: &Value) -> R<usize> {
    uint(v, usize::MAX as u64).map(|n| n as usize)
}

pub fn i64_of(v: &Value) -> R<i64> {
    v.as_i64().ok_or_else(|| expected("an integer", v))
}

/// Any JSON number, as serde reads an `f64` (integers included).
pub fn f64_of(v: &Value) -> R<f64> {
    v.as_f64().ok_or_else(|| expected("a number", v))
}

pub fn bool_of(v: &Value) -> R<bool> {
    v.as_bool().ok_or_else(|| expected("a boolean", v))
}

pub fn string_of(v: &Value) -> R<String> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| expected("a string", v))
}

pub fn array<T>(v: &Value, item: fn(&Value) -> R<T>) -> R<Vec<T>> {
    let items = v.as_array().ok_or_else(|| expected("an array", v))?;
    let mut out = Vec::with_capacity(items.len());
    for (i, x) in items.iter().enumerate() {
        out.push(item(x).map_err(|e| in_item(i, e))?);
    }
    Ok(out)
}

// ---- structs and enums ----

/// Reads one struct, or one variant of an externally tagged enum, field by field. A bad or
/// missing field does not stop the reading: the reader keeps the first error, gives a default
/// for that field, and `done` then answers the error. So reading a field has no error branch
/// of its own, which keeps the code small (fields of a type without a default use `req`).
pub struct Reader<'a> {
    /// The enum's name, and the variant's: "" for a struct.
    what: &'static str,
    name: &'a str,
    /// The struct (an object, or an array checked by `of_struct`), or the variant's payload.
    value: Option<&'a Value>,
    /// A struct's field names in declaration order (for the array form); empty for a variant.
    names: &'static [&'static str],
    error: Option<String>,
}

impl<'a> Reader<'a> {
    /// A struct: an object, or an array of every field in declaration order (serde_json reads
    /// both). `deny_unknown`: the type has `#[serde(deny_unknown_fields)]`.
    pub fn of_struct(v: &'a Value, names: &'static [&'static str], deny_unknown: bool) -> R<Self> {
        match v {
            Value::Array(items) if items.len() != names.len() => {
                return Err(format!(
                    "expected {} fields, found an array of {}",
                    names.len(),
                    items.len()
                ))
            }
            Value::Array(_) => {}
            Value::Object(map) if deny_unknown => {
                if let Some(key) = map.keys().find(|k| !names.contains(&k.as_str())) {
                    return Err(format!("unknown field `{key}`"));
                }
            }
            Value::Object(_) => {}
            _ => return Err(expected("an object", v)),
        }
        Ok(Reader {
            what: "",
            name: "",
            value: Some(v),
            names,
            error: None,
        })
    }

    /// An externally tagged enum: the variant's name alone (`"HealAll"`), or an object with one
    /// key, the variant's name, whose value is the payload.
    pub fn variant(v: &'a Value, what: &'static str) -> R<Self> {
        let (name, value) = match v {
            Value::String(name) => (name.as_str(), None),
            Value::Object(map) if map.len() == 1 => match map.iter().next() {
                Some((name, payload)) => (name.as_str(), Some(payload)),
                None => ("", None),
            },
            _ => {
                return Err(expected(
                    &format!("a variant of {what} (a string or an object with one key)"),
                    v,
                ))
            }
        };
        Ok(Reader {
            what,
            name,
            value,
            names: &[],
            error: None,
        })
    }

    /// The variant's name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    #[cold]
    pub fn unknown(&self) -> String {
        format!("unknown variant `{}` of {}", self.name, self.what)
    }

    /// Keeps the first error.
    fn keep<T>(&mut self, r: R<T>) -> Option<T> {
        match r {
            Ok(t) => Some(t),
            Err(e) => {
                self.error.get_or_insert(e);
                None
            }
        }
    }

    /// The field's value (`None`: missing), or an error if there is no struct to look in (a
    /// variant's payload must be an object; serde_json refuses an array there).
    fn lookup(&self, field: &str) -> R<Option<&'a Value>> {
        match self.value {
            Some(Value::Object(map)) => Ok(map.get(field)),
            Some(Value::Array(items)) if !self.names.is_empty() => {
                let i = self.names.iter().position(|n| *n == field);
                Ok(i.and_then(|i| items.get(i)))
            }
            other => Err(expected_found("an object", other)),
        }
    }

    fn field<T>(&mut self, field: &str, read: fn(&Value) -> R<T>) -> Option<T> {
        let r = match self.lookup(field) {
            Ok(Some(v)) => read(v).map_err(|e| in_field(field, e)),
            Ok(None) => Err(missing(field)),
            Err(e) => Err(e),
        };
        self.keep(r)
    }

    /// A required field (a default in its place if it is bad: `done` answers the error).
    pub fn val<T: Default>(&mut self, field: &str, read: fn(&Value) -> R<T>) -> T {
        self.field(field, read).unwrap_or_default()
    }

    /// An `Option` field: missing or `null` is `None`.
    pub fn opt<T>(&mut self, field: &str, read: fn(&Value) -> R<T>) -> Option<T> {
        match self.lookup(field) {
            Ok(None | Some(Value::Null)) => None,
            _ => self.field(field, read),
        }
    }

    /// A required field of a type without a default: its error (or an earlier one) now.
    pub fn req<T>(&mut self, field: &str, read: fn(&Value) -> R<T>) -> R<T> {
        match self.field(field, read) {
            Some(t) => Ok(t),
            None => Err(self.take_error()),
        }
    }

    /// A newtype variant's payload.
    pub fn newtype<T>(&mut self, read: fn(&Value) -> R<T>) -> R<T> {
        let r = match self.value {
            Some(v) => read(v),
            None => Err(expected_found("a value", None)),
        };
        match self.keep(r) {
            Some(t) => Ok(t),
            None => Err(self.take_error()),
        }
    }

    /// A unit variant: no payload, or `null` (serde accepts `{"HealAll":null}`).
    pub fn unit<T>(&mut self, t: T) -> T {
        self.no_payload();
        t
    }

    fn no_payload(&mut self) {
        if let Some(v) = self.value.filter(|v| !v.is_null()) {
            self.keep::<()>(Err(expected("no value", v)));
        }
    }

    /// `t`, or the first error.
    pub fn done<T>(mut self, t: T) -> R<T> {
        match self.error {
            None => Ok(t),
            Some(_) => Err(self.take_error()),
        }
    }

    /// The kept error, with the variant it is in.
    #[cold]
    fn take_error(&mut self) -> String {
        let e = self.error.take().unwrap_or_default();
        if self.name.is_empty() && self.what.is_empty() {
            return e;
        }
        format!("variant `{}` of {}: {e}", self.name, self.what)
    }
}

// The error paths of the generic helpers go through these: cold and not generic, so each
// instance of a generic helper stays small.

#[cold]
fn in_field(field: &str, e: String) -> String {
    format!("field `{field}`: {e}")
}

#[cold]
fn in_item(i: usize, e: String) -> String {
    format!("item {i}: {e}")
}

#[cold]
fn missing(field: &str) -> String {
    format!("missing field `{field}`")
}
