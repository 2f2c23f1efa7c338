//! Deterministic zips: the same input files give the same bytes, so the zip's
//! SHA-256 changes only when the code does.
//!
//! What would otherwise vary between two builds of the same code: the
//! modification time (fixed at 1980-01-01 00:00, the earliest a zip can hold),
//! the file mode (fixed: 0755 for the executable, 0644 for source files), the
//! entry order (sorted by name), the compression (deflate at a fixed level
//! through one pinned implementation) and extra fields (none are written).

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use super::BuildError;

/// Deflate level: zip's default, fixed so the bytes do not depend on a
/// library default changing.
const DEFLATE_LEVEL: i64 = 6;
/// Mode of the `bootstrap` executable Lambda's `provided` runtimes start.
pub const EXECUTABLE_MODE: u32 = 0o755;
/// Mode of plain files (inline `ZipFile` source).
pub const FILE_MODE: u32 = 0o644;

/// One file to put in a zip.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub name: &'a str,
    pub mode: u32,
    pub contents: &'a [u8],
}

/// A zip holding one entry, `bootstrap`, with mode 0755: what a
/// `provided.al2023` function runs.
pub fn bootstrap_zip(binary: &[u8]) -> Result<Vec<u8>, BuildError> {
    deterministic_zip(&[Entry { name: "bootstrap", mode: EXECUTABLE_MODE, contents: binary }])
}

/// A zip of `entries`, sorted by name, with fixed metadata.
pub fn deterministic_zip(entries: &[Entry<'_>]) -> Result<Vec<u8>, BuildError> {
    let mut sorted: Vec<&Entry<'_>> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(b.name));
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for entry in sorted {
        writer.start_file(entry.name, options(entry.mode)).map_err(zip_error)?;
        writer.write_all(entry.contents).map_err(|e| zip_error(e.into()))?;
    }
    Ok(writer.finish().map_err(zip_error)?.into_inner())
}

fn options(mode: u32) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(DEFLATE_LEVEL))
        .last_modified_time(DateTime::default())
        .system(System::Unix)
        .unix_permissions(mode)
}

fn zip_error(err: zip::result::ZipError) -> BuildError {
    BuildError::Io {
        action: "write",
        path: String::from("the Lambda zip (in memory)"),
        source: std::io::Error::other(err),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn same_input_same_bytes() {
        let a = bootstrap_zip(b"\x7fELF pretend binary").unwrap();
        let b = bootstrap_zip(b"\x7fELF pretend binary").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, bootstrap_zip(b"\x7fELF another binary").unwrap());
    }

    #[test]
    fn entries_are_sorted_whatever_the_input_order() {
        let x = Entry { name: "b.txt", mode: FILE_MODE, contents: b"b" };
        let y = Entry { name: "a.txt", mode: FILE_MODE, contents: b"a" };
        assert_eq!(deterministic_zip(&[x, y]).unwrap(), deterministic_zip(&[y, x]).unwrap());
    }

    #[test]
    fn bootstrap_is_executable_and_dated_1980() {
        let bytes = bootstrap_zip(b"binary").unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 1);
        let mut file = archive.by_index(0).unwrap();
        assert_eq!(file.name().unwrap(), "bootstrap");
        assert_eq!(file.unix_mode().map(|m| m & 0o777), Some(0o755));
        assert_eq!(file.last_modified(), Some(DateTime::default()));
        let mut contents = Vec::new();
        file.read_to_end(&mut contents).unwrap();
        assert_eq!(contents, b"binary");
    }
}
