//! Where the command ran: the workshop commands work from the workspace's root and from inside
//! an exercise copy (`cargo xtask verify` there verifies that copy), and every path they print
//! opens from there.

use std::path::{Component, Path, PathBuf};

use super::copy;
use crate::Error;
use crate::steps::{self, Step};

/// The directory a command ran from, and the workspace it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Here {
    /// The directory the command ran from.
    pub cwd: PathBuf,
    /// The workspace's root.
    pub root: PathBuf,
}

impl Here {
    /// Where this process runs (`cargo run` keeps the directory it was typed in).
    pub fn now(root: &Path) -> Here {
        let cwd = std::env::current_dir().unwrap_or_else(|_| root.to_path_buf());
        Here::at(&cwd, root)
    }

    /// `cwd` in the workspace at `root`.
    pub fn at(cwd: &Path, root: &Path) -> Here {
        let clean = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        Here {
            cwd: clean(cwd),
            root: clean(root),
        }
    }

    /// The step whose copy the command runs in, if it runs inside one (`workshop/<step>/…`).
    pub fn copy_step<'a>(&self, steps: &'a [Step]) -> Option<&'a Step> {
        let inside = self.cwd.strip_prefix(self.root.join(copy::FOLDER)).ok()?;
        let name = inside.components().next()?.as_os_str().to_str()?;
        steps.iter().find(|s| s.name == name)
    }

    /// The step a command is about: the one typed (`3`, `step03`, …), or else the copy's it
    /// runs in; `usage` is the error when there is neither.
    pub fn step<'a>(
        &self,
        steps: &'a [Step],
        typed: Option<&str>,
        usage: &str,
    ) -> Result<&'a Step, Error> {
        match (typed, self.copy_step(steps)) {
            (Some(typed), _) => steps::find(steps, typed),
            (None, Some(step)) => Ok(step),
            (None, None) => Err(Error::Usage(usage.to_owned())),
        }
    }

    /// The step a command is about and the words after it: the first word when it names a
    /// step; else, inside a copy, the copy's step and every word (`hint gather` inside a copy).
    pub fn step_and_words<'a, 'w>(
        &self,
        steps: &'a [Step],
        words: &'w [String],
        usage: &str,
    ) -> Result<(&'a Step, &'w [String]), Error> {
        let inside = self.copy_step(steps);
        match (words.first(), inside) {
            (Some(first), Some(step)) if steps::find(steps, first).is_err() => Ok((step, words)),
            (Some(first), _) => Ok((steps::find(steps, first)?, &words[1..])),
            (None, Some(step)) => Ok((step, words)),
            (None, None) => Err(Error::Usage(usage.to_owned())),
        }
    }

    /// `path` as it opens from where the command ran: relative to it (with `..` if need be)
    /// when both are in the workspace, else as it is.
    pub fn show(&self, path: &Path) -> String {
        let path = match path.is_absolute() {
            true => path.to_path_buf(),
            false => self.root.join(path),
        };
        let path = normal(&path);
        if !path.starts_with(&self.root) || !self.cwd.starts_with(&self.root) {
            return path.display().to_string();
        }
        let common = self
            .cwd
            .components()
            .zip(path.components())
            .take_while(|(a, b)| a == b)
            .count();
        let ups = self.cwd.components().count() - common;
        let mut shown = PathBuf::new();
        for _ in 0..ups {
            shown.push("..");
        }
        shown.extend(path.components().skip(common));
        match shown.as_os_str().is_empty() {
            true => ".".into(),
            false => shown.display().to_string(),
        }
    }

    /// The copy of `step`, as messages name it from here: `workshop/step03-…` from the root,
    /// `this copy` anywhere inside it.
    pub fn show_copy(&self, step: &Step) -> String {
        let dir = copy::dir(&self.root, step);
        match self.cwd.starts_with(&dir) {
            true => "this copy".into(),
            false => self.show(&dir),
        }
    }

    /// The command that runs `command` in `dir`: as it is when the command runs there already,
    /// else after a `cd`.
    pub fn in_dir(&self, dir: &Path, command: &str) -> String {
        match normal(dir) == self.cwd {
            true => command.to_owned(),
            false => format!("cd {} && {command}", self.show(dir)),
        }
    }
}

/// `path` without `.` and `..` components (not resolving links: the file may not exist yet).
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here(cwd: &str) -> Here {
        Here {
            cwd: PathBuf::from(cwd),
            root: PathBuf::from("/w"),
        }
    }

    #[test]
    fn paths_open_from_where_the_command_ran() {
        let file = Path::new("/w/workshop/step03-x/step03-x/src/gather.rs");
        assert_eq!(
            here("/w").show(file),
            "workshop/step03-x/step03-x/src/gather.rs"
        );
        assert_eq!(
            here("/w/workshop/step03-x").show(file),
            "step03-x/src/gather.rs"
        );
        assert_eq!(
            here("/w/workshop/step03-x/step03-x/src").show(file),
            "gather.rs"
        );
        assert_eq!(
            here("/w/workshop/step03-x").show(Path::new("/w/step03-x/src/gather.rs")),
            "../../step03-x/src/gather.rs"
        );
        assert_eq!(
            here("/w/workshop/step03-x").show(Path::new("/w/workshop/step03-x")),
            "."
        );
        assert_eq!(here("/elsewhere").show(file), file.display().to_string());
        let copy = Path::new("/w/workshop/step03-x");
        assert_eq!(
            here("/w/workshop/step03-x").in_dir(copy, "cargo test"),
            "cargo test"
        );
        assert_eq!(
            here("/w").in_dir(copy, "cargo test"),
            "cd workshop/step03-x && cargo test"
        );
    }
}
