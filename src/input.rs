//! Reading the user's files: regular files only, each within a size limit.
//!
//! Input: a path and what it is (for the limit and the message). Output: its bytes, or a
//! [`ReadError`] that says why not. A FIFO, a device or a socket is refused without blocking
//! (the file is opened non-blocking and checked through its handle, so a name swapped for a
//! FIFO after a check cannot hang the build either); a file over its limit is refused before
//! it is read. The limits ([`Limits`]) come from `limits:` in portico.yaml.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

const MB: u64 = 1024 * 1024;

/// Size limits of the files Portico reads (`limits:` in portico.yaml, in megabytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// A catalog file, configuration file, docs page or snippet.
    pub file: u64,
    /// A file read by a `$text`/`$json`/`$yaml` placeholder, or a docs asset.
    pub data_file: u64,
    /// All placeholder text of a build together.
    pub placeholder_total: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { file: 16 * MB, data_file: 64 * MB, placeholder_total: 128 * MB }
    }
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Not a regular file: `a FIFO`, `a directory`, ...
    NotRegular(&'static str),
    TooLarge {
        size: u64,
        limit: u64,
    },
    Io(io::Error),
}

impl ReadError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotRegular(what) => write!(f, "it is {what}, not a regular file; only regular files are read"),
            ReadError::TooLarge { size, limit } => write!(
                f,
                "it is {:.1} MB, over the limit of {} MB (raise it with `limits:` in portico.yaml)",
                *size as f64 / MB as f64,
                limit / MB
            ),
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

fn kind_of(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() { "a directory" } else { "not a regular file" }
}

fn open(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A FIFO opened for reading blocks until a writer comes, unless non-blocking.
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// The bytes of the regular file at `path`, at most `limit` of them.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { size: meta.len(), limit });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow while it is read: never more than the limit.
    file.take(limit + 1).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// [`read`] as UTF-8 text.
pub fn read_to_string(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read(path, limit)?;
    String::from_utf8(bytes)
        .map_err(|_| ReadError::Io(io::Error::new(io::ErrorKind::InvalidData, "stream did not contain valid UTF-8")))
}

/// Whether `path` is a regular file (following symbolic links), without opening it.
pub fn is_regular(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_within_their_limit() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "hello").unwrap();
        assert_eq!(read_to_string(&file, 5).unwrap(), "hello");
        assert!(matches!(read(&file, 4), Err(ReadError::TooLarge { size: 5, limit: 4 })));
        assert!(matches!(read(dir.path(), 10), Err(ReadError::NotRegular("a directory"))));
        assert!(matches!(read(&dir.path().join("missing"), 10), Err(ReadError::Io(_))));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let t = std::time::Instant::now();
        assert!(matches!(read(&fifo, 10), Err(ReadError::NotRegular("a FIFO (named pipe)"))));
        assert!(t.elapsed() < std::time::Duration::from_secs(1));
        assert!(!is_regular(&fifo));
    }
}
