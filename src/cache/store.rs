//! Files on disk: Parquet data plus JSON sidecar per dataset, written atomically.
//!
//! A data file's name carries its checksum prefix, so a write never overwrites
//! the file the current sidecar points to: new data goes to a new file, then
//! the sidecar is renamed into place (the commit), then every data file of the
//! dataset the sidecar does not name is removed. A process killed anywhere in
//! between leaves the previous state readable, and at worst an unreferenced
//! file that the next commit of the dataset (or `cache gc`) removes.

use std::fs::{self, File};
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::Utc;
use polars::prelude::{DataFrame, ParquetCompression, ParquetReader, ParquetWriter, SerReader};
use sha2::{Digest, Sha256};

use super::integrity;
use super::key::DatasetKey;
use super::sidecar::{SCHEMA_VERSION, Sidecar};
use crate::market::time::utc_from_ms;

/// Set to a file path in a build with the `failpoints` feature, the writer
/// creates that file and pauses before its commit, so tests can kill a
/// process mid-write. Other builds never read it.
#[cfg(feature = "failpoints")]
pub const FAILPOINT_ENV: &str = "THETABENCH_FAILPOINT_BEFORE_COMMIT";

const QUARANTINE: &str = "quarantine";
/// Prefix of the temporary files atomic writes rename into place.
const TEMP_PREFIX: &str = ".tmp-";
/// A temporary file this old belongs to no live write (a write takes
/// milliseconds), so `cache gc` may remove it.
const STALE_TEMP_AGE: Duration = Duration::from_secs(15 * 60);

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
    #[error("{path}: {detail}")]
    Contradiction { path: PathBuf, detail: String },
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

    /// The file-name stem a dataset's sidecar, lock and data files share.
    fn stem(key: &DatasetKey) -> String {
        key.relative_stem().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    }

    /// Takes the cross-process advisory lock of a dataset, waiting for it.
    /// The lock is held until the returned file is dropped.
    pub fn lock(&self, key: &DatasetKey) -> Result<File, StoreError> {
        lock_at(&self.sidecar_path(key).with_extension("lock"))
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

    /// Reads and verifies the data a sidecar points to: its checksum, its
    /// Parquet body, and that it holds exactly what the sidecar claims (see
    /// [`integrity`]). Corrupt data or a lying sidecar is an error, never a frame.
    pub fn load(&self, key: &DatasetKey, sidecar: &Sidecar) -> Result<DataFrame, StoreError> {
        let frame = match self.data_path(key, sidecar) {
            Some(path) => read_data(&path, key, sidecar)?,
            None => DataFrame::empty_with_schema(&key.style.schema()),
        };
        match integrity::contradiction(key, sidecar, &frame) {
            Some(detail) => Err(StoreError::Contradiction { path: self.sidecar_path(key), detail }),
            None => Ok(frame),
        }
    }

    /// Writes `frame` as the dataset's new data and `sidecar` (updated in place
    /// with the file name, checksum, size, row count, first and last bar and
    /// stamp) as its commit, then removes
    /// the dataset's data files the sidecar no longer names. The caller holds
    /// the dataset's lock.
    pub fn commit(&self, key: &DatasetKey, frame: &mut DataFrame, sidecar: &mut Sidecar) -> Result<(), StoreError> {
        let dir = self.dir(key);
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let bytes = encode(frame, sidecar).map_err(|detail| StoreError::BadParquet { path: dir.clone(), detail })?;
        sidecar.data_file = None;
        if let (Some(bytes), Some(sha)) = (bytes, sidecar.sha256.as_deref()) {
            let name = data_file_name(&Self::stem(key), sha);
            write_atomically(&dir.join(&name), &bytes)?;
            sidecar.data_file = Some(name);
        }
        pause_at_failpoint();
        write_atomically(&self.sidecar_path(key), &sidecar.to_json())?;
        // Unreferenced now, or left by a writer killed before its commit;
        // failing to remove one loses nothing.
        let _ = remove_unreferenced(&dir, &Self::stem(key), sidecar.data_file.as_deref());
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
        let stem = Self::stem(key);
        let mut victims = vec![self.sidecar_path(key)];
        victims.extend(data_files(&dir).filter(|(s, _)| *s == stem).map(|(_, name)| dir.join(name)));
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

    /// Removes every data file no sidecar names (each dataset under its lock)
    /// and temporary files too old to belong to a live write; returns what it
    /// removed and the bytes each held. The quarantine is left alone.
    pub fn gc(&self) -> Result<Vec<(PathBuf, u64)>, StoreError> {
        let mut removed = Vec::new();
        for dir in self.dataset_dirs() {
            let stems: std::collections::BTreeSet<String> = data_files(&dir).map(|(stem, _)| stem).collect();
            for stem in stems {
                let _lock = lock_at(&dir.join(format!("{stem}.lock")))?;
                let sidecar = dir.join(format!("{stem}.json"));
                let named = match fs::read(&sidecar) {
                    Ok(bytes) => parse_sidecar(&sidecar, &bytes)?.data_file,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => return Err(io(&sidecar)(e)),
                };
                removed.extend(remove_unreferenced(&dir, &stem, named.as_deref())?);
            }
            removed.extend(remove_stale_temps(&dir)?);
        }
        Ok(removed)
    }

    /// Every directory under the root that can hold datasets (quarantine excluded).
    fn dataset_dirs(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![self.root.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = fs::read_dir(&dir) else { continue };
            for path in entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
                if path.file_name().is_none_or(|n| n != QUARANTINE) {
                    stack.push(path);
                }
            }
            out.push(dir);
        }
        out.sort();
        out
    }
}

/// `<stem>-<first 16 hex digits of the sha256>.parquet`.
fn data_file_name(stem: &str, sha: &str) -> String {
    format!("{stem}-{}.parquet", &sha[..16.min(sha.len())])
}

/// The data files in `dir`, as (dataset stem, file name). Only names of the
/// exact form [`data_file_name`] writes count, so one dataset's stem that is a
/// prefix of another's (`BRK` and `BRK-B`) never claims the other's files.
fn data_files(dir: &Path) -> impl Iterator<Item = (String, String)> {
    let entries = fs::read_dir(dir).into_iter().flatten().flatten();
    entries.filter_map(|entry| {
        let name = entry.file_name().into_string().ok()?;
        let (stem, hash) = name.strip_suffix(".parquet")?.rsplit_once('-')?;
        let is_hash = hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit());
        is_hash.then(|| (stem.to_string(), name.clone()))
    })
}

/// Removes the data files of dataset `stem` in `dir` other than `keep`.
fn remove_unreferenced(dir: &Path, stem: &str, keep: Option<&str>) -> Result<Vec<(PathBuf, u64)>, StoreError> {
    let mut removed = Vec::new();
    for (_, name) in data_files(dir).filter(|(s, name)| s == stem && Some(name.as_str()) != keep) {
        let path = dir.join(name);
        let bytes = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        fs::remove_file(&path).map_err(io(&path))?;
        removed.push((path, bytes));
    }
    Ok(removed)
}

fn remove_stale_temps(dir: &Path) -> Result<Vec<(PathBuf, u64)>, StoreError> {
    let mut removed = Vec::new();
    let now = SystemTime::now();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let is_temp = entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX);
        let Ok(meta) = entry.metadata() else { continue };
        let age = meta.modified().ok().and_then(|m| now.duration_since(m).ok()).unwrap_or_default();
        if is_temp && meta.is_file() && age >= STALE_TEMP_AGE {
            fs::remove_file(entry.path()).map_err(io(&entry.path()))?;
            removed.push((entry.path(), meta.len()));
        }
    }
    Ok(removed)
}

fn lock_at(path: &Path) -> Result<File, StoreError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let file = File::options().create(true).truncate(false).write(true).open(path).map_err(io(path))?;
    file.lock().map_err(io(path))?;
    Ok(file)
}

/// Reads a data file and checks it against the sidecar's checksum and the
/// dataset's schema.
fn read_data(path: &Path, key: &DatasetKey, sidecar: &Sidecar) -> Result<DataFrame, StoreError> {
    match fs::read(path) {
        Ok(bytes) => decode_verified(&bytes, path, key, sidecar),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::MissingData { path: path.to_path_buf() }),
        Err(e) => Err(io(path)(e)),
    }
}

/// A data file's bytes as a frame, if they are what `sidecar` names: its
/// sha256, a readable Parquet body, the dataset's schema. `path` names the
/// file (local or remote) in errors.
pub(super) fn decode_verified(
    bytes: &[u8],
    path: &Path,
    key: &DatasetKey,
    sidecar: &Sidecar,
) -> Result<DataFrame, StoreError> {
    let actual = sha256_hex(bytes);
    let expected = sidecar.sha256.clone().unwrap_or_default();
    if actual != expected {
        return Err(StoreError::ChecksumMismatch { path: path.to_path_buf(), expected, actual });
    }
    let frame = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| StoreError::BadParquet { path: path.to_path_buf(), detail: e.to_string() })?;
    if frame.schema().as_ref() != &key.style.schema() {
        return Err(StoreError::BadParquet {
            path: path.to_path_buf(),
            detail: format!("schema {:?}, not the {} schema", frame.schema(), key.style),
        });
    }
    Ok(frame)
}

/// Encodes `frame` as a data file's bytes (`None` for no rows) and records
/// in `sidecar` what they hold: checksum, size, rows, first and last bar,
/// schema version and update stamp. Naming the file is the caller's.
pub(super) fn encode(frame: &mut DataFrame, sidecar: &mut Sidecar) -> Result<Option<Vec<u8>>, String> {
    let bytes = if frame.height() > 0 {
        let mut bytes = Vec::new();
        ParquetWriter::new(&mut bytes)
            .with_compression(ParquetCompression::Snappy)
            .finish(frame)
            .map_err(|e| e.to_string())?;
        Some(bytes)
    } else {
        None
    };
    sidecar.sha256 = bytes.as_deref().map(sha256_hex);
    sidecar.bytes = bytes.as_ref().map_or(0, |b| b.len() as u64);
    sidecar.schema_version = SCHEMA_VERSION;
    sidecar.rows = frame.height() as u64;
    let stamps = super::timestamps(frame);
    sidecar.first = stamps.first().map(|t| utc_from_ms(*t));
    sidecar.last = stamps.last().map(|t| utc_from_ms(*t));
    sidecar.updated = Utc::now();
    Ok(bytes)
}

fn parse_sidecar(path: &Path, bytes: &[u8]) -> Result<Sidecar, StoreError> {
    Sidecar::from_json(bytes).map_err(|detail| StoreError::BadSidecar { path: path.to_path_buf(), detail })
}

/// temp file in the same directory, fsync, rename, fsync the directory.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(TEMP_PREFIX).tempfile_in(dir).map_err(io(dir))?;
    tmp.write_all(bytes).map_err(io(path))?;
    tmp.as_file().sync_all().map_err(io(path))?;
    tmp.persist(path).map_err(|e| io(path)(e.error))?;
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))?;
    Ok(())
}

#[cfg(feature = "failpoints")]
fn pause_at_failpoint() {
    if let Some(marker) = std::env::var_os(FAILPOINT_ENV) {
        let _ = fs::write(&marker, b"paused before commit");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

#[cfg(not(feature = "failpoints"))]
fn pause_at_failpoint() {}
