//! One daemon per database: an advisory lock on `<database>.lock` holding the owner's PID; and
//! the identity of the database file, to notice it being removed or replaced while running.

use std::fs::File;
use std::io::{Read as _, Seek as _, Write as _};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use crate::Error;

/// Held for the daemon's lifetime; the operating system releases it when the process ends,
/// however it ends.
#[derive(Debug)]
pub struct DaemonLock {
    _file: File,
}

fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl DaemonLock {
    /// Takes the lock, or names the daemon that holds it.
    ///
    /// # Errors
    /// [`Error::Runtime`] when another process holds the lock; [`Error::Io`] when the lock file
    /// cannot be created.
    pub fn acquire(db: &Path) -> Result<DaemonLock, Error> {
        let path = lock_path(db);
        let io = |source| Error::Io {
            context: format!("cannot open the lock file '{}'", path.display()),
            source,
        };
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        if file.try_lock().is_err() {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            let pid = pid.trim();
            let who = if pid.is_empty() {
                "another regwatch daemon".to_string()
            } else {
                format!("another regwatch daemon (PID {pid})")
            };
            return Err(Error::Runtime(format!(
                "{who} is already running on {}: two daemons would check every source twice; stop it first (lock file {})",
                db.display(),
                path.display()
            )));
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        Ok(DaemonLock { _file: file })
    }
}

/// Device and inode of a file: equal while it is the same file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    /// The identity of the file at `path` now (`None` when there is none).
    #[must_use]
    pub fn of(path: &Path) -> Option<FileId> {
        std::fs::metadata(path).ok().map(|m| FileId {
            dev: m.dev(),
            ino: m.ino(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_names_the_first_holder() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("regwatch.db");
        let first = DaemonLock::acquire(&db).unwrap();
        let e = DaemonLock::acquire(&db).unwrap_err().to_string();
        assert!(e.contains(&format!("PID {}", std::process::id())), "{e}");
        drop(first);
        assert!(DaemonLock::acquire(&db).is_ok());
    }

    #[test]
    fn file_identity_changes_when_the_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, "a").unwrap();
        // Created while the first file still exists, so the two inodes differ.
        let other = dir.path().join("other");
        std::fs::write(&other, "b").unwrap();
        let before = FileId::of(&p);
        assert!(before.is_some());
        assert_eq!(before, FileId::of(&p));
        let other_id = FileId::of(&other);
        std::fs::rename(&other, &p).unwrap();
        assert_eq!(FileId::of(&p), other_id);
        assert_ne!(FileId::of(&p), before, "another file at the same path");
        std::fs::remove_file(&p).unwrap();
        assert_eq!(FileId::of(&p), None);
    }
}
