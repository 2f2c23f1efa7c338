//! CBOR (RFC 8949) <-> JSON for the CloudWatch adapter, on `minicbor` (the
//! crate the SDK's own CBOR codec uses, so it costs no extra build): what the
//! SDK's encoder writes (maps, arrays, text, integers, floats, booleans,
//! null, timestamps as tag 1) to JSON, and JSON back, with members named
//! `...Timestamp` as tag-1 epoch seconds (the SDK requires the tag there).
//! Only the mapping between the two data models is ours; the wire format is
//! minicbor's.

use base64::Engine;
use minicbor::data::{Tag, Token};
use minicbor::decode::Tokenizer;
use minicbor::Encoder;
use serde_json::{Map, Number, Value};

/// One CBOR data item as JSON (byte strings as base64 text, tags
/// dropped in favour of their value).
pub fn decode(bytes: &[u8]) -> Result<Value, String> {
    let mut tokens = Tokenizer::new(bytes);
    item(&mut tokens)?.ok_or_else(|| "unexpected break".to_owned())
}

fn next<'b>(tokens: &mut Tokenizer<'_, 'b>) -> Result<Token<'b>, String> {
    tokens.token().map_err(|e| e.to_string())
}

/// The next data item, or None at a `break`.
fn item(tokens: &mut Tokenizer<'_, '_>) -> Result<Option<Value>, String> {
    let required = |v: Option<Value>| v.ok_or_else(|| "unexpected break".to_owned());
    let v = match next(tokens)? {
        Token::Break => return Ok(None),
        Token::Bool(b) => Value::Bool(b),
        Token::Null | Token::Undefined => Value::Null,
        Token::U8(n) => Value::from(n),
        Token::U16(n) => Value::from(n),
        Token::U32(n) => Value::from(n),
        Token::U64(n) => Value::from(n),
        Token::I8(n) => Value::from(n),
        Token::I16(n) => Value::from(n),
        Token::I32(n) => Value::from(n),
        Token::I64(n) => Value::from(n),
        Token::Int(n) => Value::from(i64::try_from(i128::from(n)).map_err(|_| "integer too large")?),
        Token::F16(x) | Token::F32(x) => float(f64::from(x)),
        Token::F64(x) => float(x),
        Token::Bytes(b) => Value::String(base64::engine::general_purpose::STANDARD.encode(b)),
        Token::String(s) => Value::String(s.to_owned()),
        Token::BeginBytes => {
            let chunks = indefinite(tokens, |t| if let Token::Bytes(b) = t { Some(b) } else { None })?;
            Value::String(base64::engine::general_purpose::STANDARD.encode(chunks.concat()))
        }
        Token::BeginString => {
            Value::String(indefinite(tokens, |t| if let Token::String(s) = t { Some(s) } else { None })?.concat())
        }
        Token::Array(n) => Value::Array((0..n).map(|_| required(item(tokens)?)).collect::<Result<_, _>>()?),
        Token::BeginArray => {
            let mut items = Vec::new();
            while let Some(v) = item(tokens)? {
                items.push(v);
            }
            Value::Array(items)
        }
        Token::Map(n) => {
            let mut map = Map::new();
            for _ in 0..n {
                entry(tokens, &mut map)?.ok_or("unexpected break")?;
            }
            Value::Object(map)
        }
        Token::BeginMap => {
            let mut map = Map::new();
            while entry(tokens, &mut map)?.is_some() {}
            Value::Object(map)
        }
        // Tags (timestamps: tag 1) carry their value.
        Token::Tag(_) => required(item(tokens)?)?,
        Token::Simple(n) => return Err(format!("unsupported CBOR simple value {n}")),
    };
    Ok(Some(v))
}

/// The chunks of an indefinite-length byte or text string, up to its
/// `break`; `chunk` accepts only chunks of the string's own kind.
fn indefinite<'b, T>(tokens: &mut Tokenizer<'_, 'b>, chunk: impl Fn(Token<'b>) -> Option<T>) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    loop {
        match next(tokens)? {
            Token::Break => return Ok(out),
            t => out.push(chunk(t).ok_or("mixed chunks in an indefinite CBOR string")?),
        }
    }
}

/// One map entry into `map`; None at the `break` of an indefinite map.
fn entry(tokens: &mut Tokenizer<'_, '_>, map: &mut Map<String, Value>) -> Result<Option<()>, String> {
    let Some(key) = item(tokens)? else { return Ok(None) };
    let key = key.as_str().ok_or("a CBOR map key that is not text")?.to_owned();
    map.insert(key, item(tokens)?.ok_or("unexpected break")?);
    Ok(Some(()))
}

fn float(x: f64) -> Value {
    Number::from_f64(x).map(Value::Number).unwrap_or(Value::Null)
}

/// JSON as CBOR, the way the SDK's encoder writes it.
pub fn encode(v: &Value) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    // A Vec's writer error is `Infallible`: writing into it cannot fail.
    write(v, false, &mut e).expect("writing CBOR into a Vec");
    e.into_writer()
}

type Written = Result<(), minicbor::encode::Error<core::convert::Infallible>>;

fn write(v: &Value, timestamp: bool, e: &mut Encoder<Vec<u8>>) -> Written {
    match v {
        Value::Null => e.null().map(drop),
        Value::Bool(b) => e.bool(*b).map(drop),
        Value::Number(n) if timestamp => e.tag(Tag::new(1))?.f64(n.as_f64().unwrap_or_default()).map(drop),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => e.u64(u).map(drop),
            (None, Some(i)) => e.i64(i).map(drop),
            _ => e.f64(n.as_f64().unwrap_or_default()).map(drop),
        },
        Value::String(s) => e.str(s).map(drop),
        Value::Array(items) => {
            e.array(items.len() as u64)?;
            items.iter().try_for_each(|i| write(i, false, e))
        }
        // A JSON null member is an absent member (the SDK's decoder
        // would refuse a null where it expects a string or number).
        Value::Object(map) => {
            let present: Vec<_> = map.iter().filter(|(_, v)| !v.is_null()).collect();
            e.map(present.len() as u64)?;
            present.into_iter().try_for_each(|(k, v)| {
                e.str(k)?;
                write(v, k.ends_with("Timestamp"), e)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_survives_a_cbor_round_trip() {
        let v = json!({"AlarmName": "a", "Threshold": 5.5, "EvaluationPeriods": 3, "Neg": -300,
            "Metrics": [{"Id": "e", "ReturnData": true}], "Big": 70000, "Empty": {}, "List": [null, 1]});
        assert_eq!(decode(&encode(&v)).unwrap(), v);
        // Null members are left out.
        assert_eq!(decode(&encode(&json!({"Label": null, "Id": "x"}))).unwrap(), json!({"Id": "x"}));
    }

    #[test]
    fn indefinite_lengths_half_floats_and_tags_decode() {
        // {_ "a": [_ 1, 1.5 (f16)], "t": 1(10)}
        let bytes = [0xbf, 0x61, b'a', 0x9f, 0x01, 0xf9, 0x3e, 0x00, 0xff, 0x61, b't', 0xc1, 0x0a, 0xff];
        assert_eq!(decode(&bytes).unwrap(), json!({"a": [1, 1.5], "t": 10}));
        // Timestamps are written as tag 1 + double.
        assert_eq!(
            encode(&json!({"StateUpdatedTimestamp": 2})),
            [
                0xa1, 0x75, b'S', b't', b'a', b't', b'e', b'U', b'p', b'd', b'a', b't', b'e', b'd', b'T', b'i', b'm',
                b'e', b's', b't', b'a', b'm', b'p', 0xc1, 0xfb, 0x40, 0, 0, 0, 0, 0, 0, 0
            ]
        );
        assert!(decode(&[0x62, b'a']).is_err(), "truncated");
        // Indefinite text and byte strings are joined from their chunks.
        assert_eq!(decode(&[0x7f, 0x61, b'a', 0x61, b'b', 0xff]).unwrap(), json!("ab"));
        assert_eq!(decode(&[0x5f, 0x41, 1, 0x41, 2, 0xff]).unwrap(), json!("AQI="));
        assert!(decode(&[0x7f, 0x41, 1, 0xff]).is_err(), "a byte chunk in a text string");
    }
}
