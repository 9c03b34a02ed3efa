//! Files of `client/`, served without ever leaving that folder.

use std::path::{Component, Path, PathBuf};

/// The file a URL path names inside `root` (a folder means its `index.html`), if it exists.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded =
        percent_encoding::percent_decode_str(url_path.split('?').next().unwrap_or_default())
            .decode_utf8()
            .ok()?;
    let mut path = root.to_path_buf();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            _ => return None, // `..`, a root or a prefix: never outside `root`
        }
    }
    if path.is_dir() {
        path.push("index.html");
    }
    path.is_file().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_inside_the_root_resolve_and_nothing_outside_does() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir(dir.path().join("js")).expect("mkdir");
        std::fs::write(dir.path().join("index.html"), "i").expect("write");
        std::fs::write(dir.path().join("js/app.js"), "a").expect("write");
        assert_eq!(
            resolve(dir.path(), "/"),
            Some(dir.path().join("index.html"))
        );
        assert_eq!(
            resolve(dir.path(), "/js/app.js"),
            Some(dir.path().join("js/app.js"))
        );
        assert_eq!(
            resolve(dir.path(), "/js/%61pp.js"),
            Some(dir.path().join("js/app.js"))
        );
        assert_eq!(resolve(dir.path(), "/missing.js"), None);
        for escape in [
            "/../etc/passwd",
            "/js/../../x",
            "/%2e%2e/secret",
            "//etc/passwd",
        ] {
            assert_eq!(resolve(dir.path(), escape), None, "{escape}");
        }
    }
}
