//! The safetensors layout, read defensively and written deterministically.
//!
//! A file is `[n: u64 little-endian][n bytes of JSON header][data]`. The
//! header maps each tensor name to `{"dtype", "shape", "data_offsets": [s, e]}`
//! (offsets relative to the start of the data section) and may hold
//! `"__metadata__": {string: string}`.
//!
//! Nothing in the header is trusted: its length is checked against the file
//! before it is sliced, each tensor's byte range must lie inside the data
//! present, must not overlap another tensor's, and must hold exactly
//! `numel(shape) * size_of(dtype)` bytes (computed with overflow checks)
//! before any element buffer is allocated. Ranges never overlap, so the
//! tensors together never need more memory than the file's size. Bytes
//! after the last tensor are ignored.
//!
//! Writing follows one order (tensors by name, metadata keys sorted, header
//! padded with spaces to a multiple of 8 bytes as the reference
//! implementation does), so the same state always gives the same bytes and
//! model files can be compared by checksum.

use super::CheckpointError;
use serde_json::{Map, Value};
use sinapse_tensor::{Element, Tensor};
use std::collections::BTreeMap;

/// Headers above this size are refused before parsing (the `safetensors`
/// crate uses the same bound).
const MAX_HEADER_LEN: u64 = 100_000_000;

/// The key of the string-to-string metadata in the header.
pub(crate) const METADATA_KEY: &str = "__metadata__";

/// The safetensors name of `T` (`F32` or `F64`).
pub(crate) fn dtype_name<T: Element>() -> &'static str {
    match T::DTYPE {
        "f32" => "F32",
        "f64" => "F64",
        other => unreachable!("Element is only implemented for f32 and f64, not {other}"),
    }
}

/// Little-endian bytes of the elements in row-major order.
fn encode<T: Element>(t: &Tensor<T>) -> Vec<u8> {
    let values = t.to_vec();
    if T::DTYPE == "f32" {
        // f32 -> f64 -> f32 is exact.
        values.iter().flat_map(|x| (x.to_f64_lossless() as f32).to_le_bytes()).collect()
    } else {
        values.iter().flat_map(|x| x.to_f64_lossless().to_le_bytes()).collect()
    }
}

/// The elements stored little-endian in `bytes` (a multiple of the size).
fn decode<T: Element>(bytes: &[u8]) -> Vec<T> {
    if T::DTYPE == "f32" {
        bytes.chunks_exact(4).map(|c| T::from_f64_lossy(f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)).collect()
    } else {
        bytes
            .chunks_exact(8)
            .map(|c| T::from_f64_lossy(f64::from_le_bytes(c.try_into().expect("chunks of 8"))))
            .collect()
    }
}

/// Encodes named tensors and metadata as a safetensors file image: the
/// header lists the metadata and the tensors in sorted order, the tensors'
/// bytes follow in the same order.
pub(crate) fn to_bytes<T: Element>(
    tensors: &BTreeMap<String, Tensor<T>>,
    metadata: &BTreeMap<String, String>,
) -> Result<Vec<u8>, CheckpointError> {
    if tensors.contains_key(METADATA_KEY) {
        return Err(CheckpointError::Encode(format!("'{METADATA_KEY}' is reserved and cannot name a tensor")));
    }
    let mut entries: Vec<(String, Value)> = Vec::with_capacity(tensors.len() + 1);
    if !metadata.is_empty() {
        let map: Map<String, Value> = metadata.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        entries.push((METADATA_KEY.to_string(), Value::Object(map)));
    }
    let mut data = Vec::new();
    for (name, t) in tensors {
        let start = data.len();
        data.extend(encode(t));
        let mut info = Map::new();
        info.insert("dtype".into(), Value::from(dtype_name::<T>()));
        info.insert("shape".into(), Value::from(t.shape().to_vec()));
        info.insert("data_offsets".into(), Value::from(vec![start, data.len()]));
        entries.push((name.clone(), Value::Object(info)));
    }
    let mut header = header_json(&entries)?;
    // Padded so the data section starts 8-byte aligned.
    header.resize(header.len().next_multiple_of(8), b' ');
    let mut out = Vec::with_capacity(8 + header.len() + data.len());
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&data);
    Ok(out)
}

/// The JSON object of `entries`, written in the given order whatever map
/// type serde_json was built with.
fn header_json(entries: &[(String, Value)]) -> Result<Vec<u8>, CheckpointError> {
    let encode = |e: serde_json::Error| CheckpointError::Encode(e.to_string());
    let mut out = vec![b'{'];
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, key).map_err(encode)?;
        out.push(b':');
        serde_json::to_writer(&mut out, value).map_err(encode)?;
    }
    out.push(b'}');
    Ok(out)
}

/// One tensor entry of the header, validated against the data section.
struct Entry {
    name: String,
    shape: Vec<usize>,
    start: usize,
    end: usize,
}

fn invalid(msg: String) -> CheckpointError {
    CheckpointError::InvalidHeader(msg)
}

fn as_usize(v: &Value, what: &str, name: &str) -> Result<usize, CheckpointError> {
    v.as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| invalid(format!("tensor '{name}': {what} entry {v} is not a non-negative integer")))
}

/// Reads and checks one header entry.
fn parse_entry<T: Element>(name: &str, info: &Value, data_len: usize) -> Result<Entry, CheckpointError> {
    let obj = info.as_object().ok_or_else(|| invalid(format!("entry '{name}' is not an object")))?;
    let field = |key: &str| obj.get(key).ok_or_else(|| invalid(format!("tensor '{name}' has no '{key}'")));
    let dtype = field("dtype")?.as_str().ok_or_else(|| invalid(format!("tensor '{name}': dtype is not a string")))?;
    let expected_dtype = dtype_name::<T>();
    if dtype != expected_dtype {
        return Err(CheckpointError::DtypeMismatch {
            name: name.to_string(),
            found: dtype.to_string(),
            expected: expected_dtype,
        });
    }
    let shape = field("shape")?
        .as_array()
        .ok_or_else(|| invalid(format!("tensor '{name}': shape is not a list")))?
        .iter()
        .map(|d| as_usize(d, "shape", name))
        .collect::<Result<Vec<usize>, _>>()?;
    let offsets = field("data_offsets")?
        .as_array()
        .filter(|a| a.len() == 2)
        .ok_or_else(|| invalid(format!("tensor '{name}': data_offsets is not a pair [start, end]")))?;
    let (start, end) = (as_usize(&offsets[0], "data_offsets", name)?, as_usize(&offsets[1], "data_offsets", name)?);
    if start > end || end > data_len {
        return Err(CheckpointError::OutOfBounds { name: name.to_string(), start, end, available: data_len });
    }
    let size = std::mem::size_of::<T>();
    let expected = shape
        .iter()
        .try_fold(size, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| invalid(format!("tensor '{name}': shape {shape:?} has more elements than fit in memory")))?;
    if expected != end - start {
        return Err(CheckpointError::SizeMismatch {
            name: name.to_string(),
            shape,
            dtype: dtype.to_string(),
            expected,
            found: end - start,
        });
    }
    Ok(Entry { name: name.to_string(), shape, start, end })
}

/// The tensors and metadata of a safetensors file image.
#[allow(clippy::type_complexity)]
pub(crate) fn from_bytes<T: Element>(
    bytes: &[u8],
) -> Result<(BTreeMap<String, Tensor<T>>, BTreeMap<String, String>), CheckpointError> {
    let prefix: [u8; 8] =
        bytes.get(..8).and_then(|b| b.try_into().ok()).ok_or(CheckpointError::TooShort { len: bytes.len() })?;
    let header_len = u64::from_le_bytes(prefix);
    let available = bytes.len() - 8;
    if header_len > available as u64 {
        return Err(CheckpointError::HeaderTooLarge { header_len, available });
    }
    if header_len > MAX_HEADER_LEN {
        return Err(invalid(format!("a header of {header_len} bytes exceeds the {MAX_HEADER_LEN}-byte limit")));
    }
    let header_end = 8 + header_len as usize;
    let header: Map<String, Value> = serde_json::from_slice(&bytes[8..header_end])
        .map_err(|e| invalid(format!("the header is not a JSON object: {e}")))?;
    let data = &bytes[header_end..];

    let mut metadata = BTreeMap::new();
    let mut entries = Vec::with_capacity(header.len());
    for (name, info) in &header {
        if name == METADATA_KEY {
            let map = info.as_object().ok_or_else(|| invalid(format!("'{METADATA_KEY}' is not an object")))?;
            for (k, v) in map {
                let v = v.as_str().ok_or_else(|| invalid(format!("metadata '{k}' is not a string")))?;
                metadata.insert(k.clone(), v.to_string());
            }
        } else {
            entries.push(parse_entry::<T>(name, info, data.len())?);
        }
    }
    entries.sort_by_key(|e| (e.start, e.end));
    for pair in entries.windows(2) {
        // Empty tensors occupy no bytes and cannot overlap anything.
        if pair[1].start < pair[0].end && pair[1].start < pair[1].end {
            return Err(CheckpointError::Overlap { first: pair[0].name.clone(), second: pair[1].name.clone() });
        }
    }
    let mut tensors = BTreeMap::new();
    for e in entries {
        let values = decode::<T>(&data[e.start..e.end]);
        let t = Tensor::from_vec(values, &e.shape).map_err(|err| invalid(format!("tensor '{}': {err}", e.name)))?;
        tensors.insert(e.name, t);
    }
    Ok((tensors, metadata))
}
