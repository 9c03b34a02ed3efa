//! The data folder of `chatr dev` and of `chatr serve`'s embedded store: one process at a time
//! (a lock the OS releases when the process dies), and the dev emulator's access key.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::access_key::AccessKey;
use crate::emulator::config::parse_access_key;

/// The lock file's name in the data folder.
const LOCK_FILE: &str = "chatr.lock";
/// The dev emulator's key file's name.
const KEY_FILE: &str = "emulator-access-key";

/// The data folder, locked for this process until dropped (or the process ends).
#[derive(Debug)]
pub(super) struct DataDirLock {
    _file: File,
    pub(super) dir: PathBuf,
}

/// Locks `dir` (created if missing) for this process: a second chatr on the same folder is
/// refused with the pid of the one that holds it. The lock is `flock`'s: the OS releases it
/// when its holder dies, kill -9 included. Two stacks that share one Table Storage are not
/// protected by it (README, "Security and reliability").
pub(super) fn lock(dir: &Path) -> anyhow::Result<DataDirLock> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data folder {}", dir.display()))?;
    let path = dir.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let who = if holder.is_empty() {
                "another chatr".to_string()
            } else {
                format!("chatr (pid {holder})")
            };
            anyhow::bail!(
                "the data folder {} is in use by {who}; stop it, or give this one another folder \
                 (--data-dir, CHATR_DATA_DIR)",
                dir.display()
            );
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    writeln!(file, "{}", std::process::id())?;
    file.flush()?;
    Ok(DataDirLock {
        _file: file,
        dir: dir.to_path_buf(),
    })
}

/// The dev emulator's access key: `given` (`--access-key`), or the data folder's own, made at
/// random the first time (two random UUIDs as 64 hex digits: 244 random bits), owner-only.
/// An empty file (a crash while it was made) is made again; a file others may read is made
/// owner-only.
pub(super) fn access_key(lock: &DataDirLock, given: Option<&str>) -> anyhow::Result<AccessKey> {
    if let Some(key) = given {
        return Ok(parse_access_key(key)?);
    }
    let path = lock.dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().is_empty() => {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove the empty {}", path.display()))?;
            access_key(lock, None)
        }
        Ok(text) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let private = std::fs::Permissions::from_mode(0o600);
                std::fs::set_permissions(&path, private)
                    .with_context(|| format!("cannot make {} owner-only", path.display()))?;
            }
            parse_access_key(text.trim()).with_context(|| {
                format!(
                    "{} does not hold a usable key; delete it to make a new one",
                    path.display()
                )
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            );
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(&path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            writeln!(file, "{key}")?;
            Ok(parse_access_key(&key)?)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_folder_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().expect("dir");
        let first = lock(dir.path()).expect("the first");
        let err = lock(dir.path()).expect_err("the second").to_string();
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        assert!(err.contains("--data-dir"), "{err}");
        drop(first);
        lock(dir.path()).expect("free again once dropped");
    }

    #[test]
    fn the_key_is_made_once_owner_only_and_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let held = lock(dir.path()).expect("lock");
        let made = access_key(&held, None).expect("made");
        let again = access_key(&held, None).expect("read");
        assert_eq!(made.expose(), again.expose());
        assert_eq!(made.expose().len(), 64);
        assert_ne!(made.expose(), crate::emulator::DEFAULT_ACCESS_KEY);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let given = access_key(&held, Some(crate::emulator::DEFAULT_ACCESS_KEY)).expect("given");
        assert_eq!(given.expose(), crate::emulator::DEFAULT_ACCESS_KEY);
    }

    #[test]
    fn an_empty_key_file_is_made_again_and_a_loose_one_made_owner_only() {
        let dir = tempfile::tempdir().expect("dir");
        let held = lock(dir.path()).expect("lock");
        std::fs::write(dir.path().join(KEY_FILE), "").expect("write");
        let made = access_key(&held, None).expect("made again");
        assert_eq!(made.expose().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join(KEY_FILE);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            access_key(&held, None).expect("read");
            let mode = std::fs::metadata(&path).expect("file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
