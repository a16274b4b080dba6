//! Files on disk: Parquet data plus JSON sidecar per dataset, written atomically.
//!
//! A data file's name carries its checksum prefix, so a write never overwrites
//! the file the current sidecar points to: new data goes to a new file, then
//! the sidecar is renamed into place (the commit), then the old file is removed.
//! A process killed anywhere in between leaves the previous state readable.

use std::fs::{self, File};
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use chrono::Utc;
use polars::prelude::{DataFrame, ParquetCompression, ParquetReader, ParquetWriter, SerReader};
use sha2::{Digest, Sha256};

use super::key::DatasetKey;
use super::sidecar::{SCHEMA_VERSION, Sidecar};

/// Set to a file path, the writer creates that file and pauses before its
/// commit, so tests can kill a process mid-write.
pub const FAILPOINT_ENV: &str = "THETABENCH_FAILPOINT_BEFORE_COMMIT";

const QUARANTINE: &str = "quarantine";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: unreadable sidecar: {detail}")]
    BadSidecar { path: PathBuf, detail: String },
    #[error("{path}: checksum mismatch (sidecar says {expected}, file has {actual})")]
    ChecksumMismatch { path: PathBuf, expected: String, actual: String },
    #[error("{path}: data file is missing")]
    MissingData { path: PathBuf },
    #[error("{path}: unreadable Parquet: {detail}")]
    BadParquet { path: PathBuf, detail: String },
}

impl StoreError {
    /// Whether the dataset's files are damaged (as opposed to the disk failing).
    pub fn is_corruption(&self) -> bool {
        !matches!(self, StoreError::Io { .. })
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.to_path_buf(), source }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    pub fn new(root: impl Into<PathBuf>) -> Store {
        Store { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn sidecar_path(&self, key: &DatasetKey) -> PathBuf {
        self.root.join(key.relative_stem()).with_extension("json")
    }

    fn dir(&self, key: &DatasetKey) -> PathBuf {
        self.sidecar_path(key).parent().map(Path::to_path_buf).unwrap_or_else(|| self.root.clone())
    }

    pub fn data_path(&self, key: &DatasetKey, sidecar: &Sidecar) -> Option<PathBuf> {
        sidecar.data_file.as_ref().map(|name| self.dir(key).join(name))
    }

    /// Takes the cross-process advisory lock of a dataset, waiting for it.
    /// The lock is held until the returned file is dropped.
    pub fn lock(&self, key: &DatasetKey) -> Result<File, StoreError> {
        let path = self.sidecar_path(key).with_extension("lock");
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io(dir))?;
        }
        let file = File::options().create(true).truncate(false).write(true).open(&path).map_err(io(&path))?;
        file.lock().map_err(io(&path))?;
        Ok(file)
    }

    /// The sidecar of `key`, or `None` if the dataset was never written.
    pub fn read_sidecar(&self, key: &DatasetKey) -> Result<Option<Sidecar>, StoreError> {
        let path = self.sidecar_path(key);
        match fs::read(&path) {
            Ok(bytes) => parse_sidecar(&path, &bytes).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path)(e)),
        }
    }

    /// Reads and verifies the data a sidecar points to. Corrupt data is an
    /// error, never a frame.
    pub fn load(&self, key: &DatasetKey, sidecar: &Sidecar) -> Result<DataFrame, StoreError> {
        let Some(path) = self.data_path(key, sidecar) else {
            return Ok(DataFrame::empty_with_schema(&key.style.schema()));
        };
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::MissingData { path }),
            Err(e) => return Err(io(&path)(e)),
        };
        let actual = sha256_hex(&bytes);
        let expected = sidecar.sha256.clone().unwrap_or_default();
        if actual != expected {
            return Err(StoreError::ChecksumMismatch { path, expected, actual });
        }
        let frame = ParquetReader::new(Cursor::new(bytes))
            .finish()
            .map_err(|e| StoreError::BadParquet { path: path.clone(), detail: e.to_string() })?;
        if frame.height() as u64 != sidecar.rows || frame.schema().as_ref() != &key.style.schema() {
            return Err(StoreError::BadParquet {
                path,
                detail: format!(
                    "{} rows with schema {:?}, sidecar says {} rows",
                    frame.height(),
                    frame.schema(),
                    sidecar.rows
                ),
            });
        }
        Ok(frame)
    }

    /// Writes `frame` as the dataset's new data and `sidecar` (updated in place
    /// with the file name, checksum, size and stamp) as its commit.
    pub fn commit(&self, key: &DatasetKey, frame: &mut DataFrame, sidecar: &mut Sidecar) -> Result<(), StoreError> {
        let dir = self.dir(key);
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let previous = sidecar.data_file.take();
        if frame.height() > 0 {
            let mut bytes = Vec::new();
            ParquetWriter::new(&mut bytes)
                .with_compression(ParquetCompression::Snappy)
                .finish(frame)
                .map_err(|e| StoreError::BadParquet { path: dir.clone(), detail: e.to_string() })?;
            let sha = sha256_hex(&bytes);
            let stem = key.asset.slug();
            let name = format!("{stem}-{}.parquet", &sha[..16]);
            write_atomically(&dir.join(&name), &bytes)?;
            sidecar.data_file = Some(name);
            sidecar.sha256 = Some(sha);
            sidecar.bytes = bytes.len() as u64;
        } else {
            sidecar.sha256 = None;
            sidecar.bytes = 0;
        }
        sidecar.schema_version = SCHEMA_VERSION;
        sidecar.rows = frame.height() as u64;
        sidecar.updated = Utc::now();
        pause_at_failpoint();
        write_atomically(&self.sidecar_path(key), &sidecar.to_json())?;
        if let Some(old) = previous.filter(|old| Some(old) != sidecar.data_file.as_ref()) {
            // The old file is unreferenced now; failing to remove it loses nothing.
            let _ = fs::remove_file(dir.join(old));
        }
        Ok(())
    }

    /// Moves a damaged dataset aside (sidecar and data) so it is fetched again;
    /// returns where it went.
    pub fn quarantine(&self, key: &DatasetKey) -> Result<PathBuf, StoreError> {
        let stamp = Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let target = self
            .root
            .join(QUARANTINE)
            .join(format!("{}-{stamp}", key.relative_stem().to_string_lossy().replace('/', "_")));
        fs::create_dir_all(&target).map_err(io(&target))?;
        let dir = self.dir(key);
        let stem = key.asset.slug();
        let sidecar = self.sidecar_path(key);
        let mut victims = vec![sidecar];
        if let Ok(entries) = fs::read_dir(&dir) {
            victims.extend(
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
                    .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&format!("{stem}-")))),
            );
        }
        for path in victims.into_iter().filter(|p| p.exists()) {
            let name = path.file_name().map(PathBuf::from).unwrap_or_default();
            fs::rename(&path, target.join(name)).map_err(io(&path))?;
        }
        Ok(target)
    }

    /// Every sidecar under the root (quarantine excluded), in path order.
    pub fn sidecar_paths(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![self.root.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = fs::read_dir(&dir) else { continue };
            for path in entries.flatten().map(|e| e.path()) {
                if path.is_dir() {
                    if path.file_name().is_none_or(|n| n != QUARANTINE) {
                        stack.push(path);
                    }
                } else if path.extension().is_some_and(|x| x == "json") {
                    out.push(path);
                }
            }
        }
        out.sort();
        out
    }

    pub fn read_sidecar_at(&self, path: &Path) -> Result<Sidecar, StoreError> {
        let bytes = fs::read(path).map_err(io(path))?;
        parse_sidecar(path, &bytes)
    }
}

fn parse_sidecar(path: &Path, bytes: &[u8]) -> Result<Sidecar, StoreError> {
    let sidecar: Sidecar = serde_json::from_slice(bytes)
        .map_err(|e| StoreError::BadSidecar { path: path.to_path_buf(), detail: e.to_string() })?;
    if sidecar.schema_version != SCHEMA_VERSION {
        return Err(StoreError::BadSidecar {
            path: path.to_path_buf(),
            detail: format!("schema version {} (this build reads {SCHEMA_VERSION})", sidecar.schema_version),
        });
    }
    Ok(sidecar)
}

/// temp file in the same directory, fsync, rename, fsync the directory.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir).map_err(io(dir))?;
    tmp.write_all(bytes).map_err(io(path))?;
    tmp.as_file().sync_all().map_err(io(path))?;
    tmp.persist(path).map_err(|e| io(path)(e.error))?;
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))?;
    Ok(())
}

fn pause_at_failpoint() {
    if let Some(marker) = std::env::var_os(FAILPOINT_ENV) {
        let _ = fs::write(&marker, b"paused before commit");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}
