//! The IDX file format, parsed from a byte slice without allocating.
//!
//! An IDX file is a big-endian header followed by a dense array:
//!
//! ```text
//! offset 0: 0x00 0x00          magic (two zero bytes)
//! offset 2: type code          0x08 = u8 (the only type MNIST uses)
//! offset 3: number of dims d   1 for labels, 3 for images
//! offset 4: d x u32 big-endian the size of each dimension
//! then:     prod(dims) elements, row-major
//! ```
//!
//! [`IdxFile::parse`] checks every one of these facts, including that the
//! dimensions account for exactly the bytes present, before anyone touches
//! the payload. It never allocates, so a hostile header cannot make it ask for
//! gigabytes, and it never panics (see the fuzz target and proptests).

use thiserror::Error;

/// The largest number of dimensions accepted. MNIST needs 3; the format allows
/// 255, but nothing this crate serves has more than 4, and a fixed bound keeps
/// the header in a stack array.
pub const MAX_DIMS: usize = 4;

/// The largest payload accepted, in bytes (4 GiB). Bounds what a crafted
/// header may make us decompress or map; real files are far below it.
pub const MAX_PAYLOAD: u64 = 4 << 30;

/// The IDX element-type code for unsigned bytes.
pub const TYPE_U8: u8 = 0x08;

/// What is wrong with the bytes of an IDX file. It never names the file: the
/// caller wraps it in [`crate::DatasetError::Idx`] with the path.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdxError {
    /// Fewer bytes than the fixed part of the header needs.
    #[error("header truncated: {len} bytes, the header needs {needed}")]
    HeaderTruncated {
        /// Bytes available.
        len: usize,
        /// Bytes the header needs.
        needed: usize,
    },
    /// The first two bytes are not zero, so this is not an IDX file (a gzip
    /// file starts with 1f 8b, for example).
    #[error("bad magic {found:02x?}: an IDX file starts with 00 00{hint}")]
    BadMagic {
        /// The first two bytes found.
        found: [u8; 2],
        /// Extra advice, e.g. that the file looks gzipped.
        hint: &'static str,
    },
    /// The element type is not u8.
    #[error("element type 0x{code:02x} ({name}) is not supported, only 0x08 (u8)")]
    UnsupportedType {
        /// The type code found.
        code: u8,
        /// Its name in the IDX specification, or "unknown".
        name: &'static str,
    },
    /// The number of dimensions is 0 or above [`MAX_DIMS`].
    #[error("{ndims} dimensions: expected between 1 and {MAX_DIMS}")]
    BadDimCount {
        /// The number of dimensions found.
        ndims: u8,
    },
    /// The file has a valid header but the wrong rank for its role.
    #[error("{found} dimensions where {role} have {expected}")]
    WrongRank {
        /// What the file should hold ("images" or "labels").
        role: &'static str,
        /// The rank that role needs.
        expected: usize,
        /// The rank found.
        found: usize,
    },
    /// An image dimension is zero.
    #[error("images of {rows}x{cols} pixels: both sides must be at least 1")]
    EmptyImages {
        /// Rows per image.
        rows: usize,
        /// Columns per image.
        cols: usize,
    },
    /// The dimensions describe more than [`MAX_PAYLOAD`] bytes.
    #[error("dimensions {dims:?} describe more than {MAX_PAYLOAD} bytes")]
    TooLarge {
        /// The dimensions found.
        dims: Vec<usize>,
    },
    /// The file ends before the data the dimensions describe.
    #[error("truncated: dimensions {dims:?} need {expected} bytes in all, the file has {actual}")]
    Truncated {
        /// The dimensions found.
        dims: Vec<usize>,
        /// Total bytes the header promises (header included).
        expected: u64,
        /// Bytes present.
        actual: u64,
    },
    /// The file holds more bytes than the dimensions describe.
    #[error("{extra} trailing bytes after the {expected} bytes that dimensions {dims:?} describe")]
    TrailingBytes {
        /// The dimensions found.
        dims: Vec<usize>,
        /// Total bytes the header promises (header included).
        expected: u64,
        /// Bytes beyond that.
        extra: u64,
    },
    /// A label is not a valid class index.
    #[error("label {label} at index {index} is not below the {classes} classes")]
    LabelOutOfRange {
        /// Position of the bad label.
        index: usize,
        /// Its value.
        label: u8,
        /// Number of classes.
        classes: usize,
    },
}

/// A validated IDX header: element type and dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdxHeader {
    ndims: usize,
    dims: [usize; MAX_DIMS],
}

impl IdxHeader {
    /// The size of each dimension, outermost first.
    pub fn dims(&self) -> &[usize] {
        &self.dims[..self.ndims]
    }

    /// Length of the header in bytes: 4 + 4 per dimension.
    pub fn header_len(&self) -> usize {
        4 + 4 * self.ndims
    }

    /// Length of the payload in bytes (u8 elements: one byte each).
    pub fn payload_len(&self) -> u64 {
        // Validated at parse time not to overflow and to be <= MAX_PAYLOAD.
        self.dims().iter().map(|&d| d as u64).product()
    }

    /// Length of the whole file the header describes.
    pub fn total_len(&self) -> u64 {
        self.header_len() as u64 + self.payload_len()
    }

    /// Parses and validates the header alone from the start of `bytes`
    /// (which may be just a prefix of the file). Checks magic, type, rank and
    /// that the payload size is representable, not the file length.
    pub fn parse_prefix(bytes: &[u8]) -> Result<IdxHeader, IdxError> {
        if bytes.len() < 4 {
            return Err(IdxError::HeaderTruncated { len: bytes.len(), needed: 4 });
        }
        if bytes[0] != 0 || bytes[1] != 0 {
            let hint = if bytes[0] == 0x1f && bytes[1] == 0x8b {
                " (this looks gzipped: name it with a .gz suffix)"
            } else {
                ""
            };
            return Err(IdxError::BadMagic { found: [bytes[0], bytes[1]], hint });
        }
        if bytes[2] != TYPE_U8 {
            return Err(IdxError::UnsupportedType { code: bytes[2], name: type_name(bytes[2]) });
        }
        let ndims = bytes[3];
        if ndims == 0 || ndims as usize > MAX_DIMS {
            return Err(IdxError::BadDimCount { ndims });
        }
        let ndims = ndims as usize;
        let needed = 4 + 4 * ndims;
        if bytes.len() < needed {
            return Err(IdxError::HeaderTruncated { len: bytes.len(), needed });
        }
        let mut dims = [0usize; MAX_DIMS];
        let mut payload: u64 = 1;
        let mut too_large = false;
        for (k, dim) in dims.iter_mut().take(ndims).enumerate() {
            let at = 4 + 4 * k;
            let d = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
            *dim = d as usize;
            // Saturate rather than bail early so the error can show all dims.
            payload = payload.saturating_mul(u64::from(d));
            too_large |= payload > MAX_PAYLOAD;
        }
        let header = IdxHeader { ndims, dims };
        if too_large || usize::try_from(payload).is_err() {
            return Err(IdxError::TooLarge { dims: header.dims().to_vec() });
        }
        Ok(header)
    }

    /// Checks that a file of `len` bytes holds exactly what the header says.
    pub fn check_len(&self, len: u64) -> Result<(), IdxError> {
        let expected = self.total_len();
        if len < expected {
            return Err(IdxError::Truncated { dims: self.dims().to_vec(), expected, actual: len });
        }
        if len > expected {
            return Err(IdxError::TrailingBytes { dims: self.dims().to_vec(), expected, extra: len - expected });
        }
        Ok(())
    }
}

/// A parsed IDX file borrowing its bytes: the header and the u8 payload.
#[derive(Debug, Clone, Copy)]
pub struct IdxFile<'a> {
    header: IdxHeader,
    data: &'a [u8],
}

impl<'a> IdxFile<'a> {
    /// Parses a whole IDX file held in `bytes`. Validates magic, element type
    /// (u8 only), number of dimensions and that the dimensions account for
    /// exactly `bytes.len()`. Allocates nothing on success.
    pub fn parse(bytes: &'a [u8]) -> Result<IdxFile<'a>, IdxError> {
        let header = IdxHeader::parse_prefix(bytes)?;
        header.check_len(bytes.len() as u64)?;
        Ok(IdxFile { header, data: &bytes[header.header_len()..] })
    }

    /// The validated header.
    pub fn header(&self) -> &IdxHeader {
        &self.header
    }

    /// The dimensions, outermost first.
    pub fn dims(&self) -> &[usize] {
        self.header.dims()
    }

    /// The payload: `prod(dims)` bytes, row-major.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Checks this file can serve as images: rank 3 and non-empty pictures.
    /// Returns (count, rows, cols).
    pub fn as_images(&self) -> Result<(usize, usize, usize), IdxError> {
        match *self.dims() {
            [n, rows, cols] if rows > 0 && cols > 0 => Ok((n, rows, cols)),
            [_, rows, cols] => Err(IdxError::EmptyImages { rows, cols }),
            ref d => Err(IdxError::WrongRank { role: "images", expected: 3, found: d.len() }),
        }
    }

    /// Checks this file can serve as labels of `classes` classes: rank 1 and
    /// every value below `classes`. Returns the count.
    pub fn as_labels(&self, classes: usize) -> Result<usize, IdxError> {
        if self.dims().len() != 1 {
            return Err(IdxError::WrongRank { role: "labels", expected: 1, found: self.dims().len() });
        }
        if let Some(index) = self.data.iter().position(|&l| l as usize >= classes) {
            return Err(IdxError::LabelOutOfRange { index, label: self.data[index], classes });
        }
        Ok(self.data.len())
    }
}

/// The name the IDX specification gives a type code, for error messages.
fn type_name(code: u8) -> &'static str {
    match code {
        0x08 => "u8",
        0x09 => "i8",
        0x0B => "i16",
        0x0C => "i32",
        0x0D => "f32",
        0x0E => "f64",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dims: &[u32], payload: usize) -> Vec<u8> {
        let mut v = vec![0, 0, TYPE_U8, dims.len() as u8];
        for d in dims {
            v.extend_from_slice(&d.to_be_bytes());
        }
        v.extend((0..payload).map(|i| (i % 10) as u8));
        v
    }

    #[test]
    fn parses_a_small_image_file() {
        let bytes = file(&[2, 3, 4], 24);
        let f = IdxFile::parse(&bytes).unwrap();
        assert_eq!(f.dims(), &[2, 3, 4]);
        assert_eq!(f.data().len(), 24);
        assert_eq!(f.as_images().unwrap(), (2, 3, 4));
        assert!(matches!(f.as_labels(10), Err(IdxError::WrongRank { found: 3, .. })));
    }

    #[test]
    fn rejects_each_defect_with_its_own_error() {
        let good = file(&[5], 5);
        assert!(IdxFile::parse(&good).is_ok());
        let mut bad = good.clone();
        bad[0] = 1;
        assert!(matches!(IdxFile::parse(&bad), Err(IdxError::BadMagic { .. })));
        let mut bad = good.clone();
        bad[2] = 0x0D;
        let e = IdxFile::parse(&bad).unwrap_err();
        assert_eq!(e.to_string(), "element type 0x0d (f32) is not supported, only 0x08 (u8)");
        let mut bad = good.clone();
        bad[3] = 0;
        assert!(matches!(IdxFile::parse(&bad), Err(IdxError::BadDimCount { ndims: 0 })));
        assert!(matches!(IdxFile::parse(&good[..good.len() - 1]), Err(IdxError::Truncated { .. })));
        assert!(matches!(IdxFile::parse(&good[..6]), Err(IdxError::HeaderTruncated { needed: 8, .. })));
        let mut long = good.clone();
        long.push(0);
        assert!(matches!(IdxFile::parse(&long), Err(IdxError::TrailingBytes { extra: 1, .. })));
        let huge = file(&[u32::MAX, u32::MAX, u32::MAX], 0);
        assert!(matches!(IdxFile::parse(&huge), Err(IdxError::TooLarge { .. })));
        let gz = [0x1f, 0x8b, 8, 0];
        assert!(IdxFile::parse(&gz).unwrap_err().to_string().contains("gzipped"));
    }

    #[test]
    fn labels_must_be_valid_classes() {
        let mut bytes = file(&[4], 4);
        assert_eq!(IdxFile::parse(&bytes).unwrap().as_labels(10).unwrap(), 4);
        bytes[4 + 4 + 2] = 10;
        let e = IdxFile::parse(&bytes).unwrap().as_labels(10).unwrap_err();
        assert_eq!(e.to_string(), "label 10 at index 2 is not below the 10 classes");
    }

    #[test]
    fn zero_sized_images_are_rejected() {
        let bytes = file(&[3, 0, 28], 0);
        assert!(matches!(
            IdxFile::parse(&bytes).unwrap().as_images(),
            Err(IdxError::EmptyImages { rows: 0, cols: 28 })
        ));
    }
}
