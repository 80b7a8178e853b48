//! Helpers: a temporary workspace and a way to run the real `mellanrum` binary in it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The path of the built `mellanrum` binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mellanrum"))
}

/// The folder holding the test fixtures.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

/// What a run of the binary printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr: {}", self.stdout, self.stderr))
    }
}

/// A workspace in a temporary folder, with one person (Anna, Sales) already added.
pub struct Ws {
    pub dir: tempfile::TempDir,
}

impl Ws {
    /// An initialised workspace with no people.
    pub fn empty() -> Ws {
        let dir = tempfile::tempdir().expect("temp dir");
        let ws = Ws { dir };
        let r = ws.run_raw(&["init", ws.path().to_str().unwrap(), "--name", "Test"], None);
        assert_eq!(r.code, 0, "init failed: {r:?}");
        ws
    }

    /// An initialised workspace where Anna (Sales) is the current person.
    pub fn new() -> Ws {
        let ws = Ws::empty();
        ws.ok(&["person", "add", "Anna", "--perspective", "Sales"]);
        ws
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(args).env("MELLANRUM_WORKSPACE", self.path()).env_remove("RUST_BACKTRACE").env("NO_COLOR", "1");
        c
    }

    fn run_raw(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut c = self.command(args);
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        if stdin.is_some() {
            c.stdin(Stdio::piped());
        } else {
            c.stdin(Stdio::null());
        }
        let mut child = c.spawn().expect("run mellanrum");
        if let Some(input) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        }
        Run::from(child.wait_with_output().unwrap())
    }

    /// Runs the binary in this workspace.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_raw(args, None)
    }

    /// Runs with standard input.
    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Run {
        self.run_raw(args, Some(stdin))
    }

    /// Runs and expects success; returns stdout trimmed.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "mellanrum {args:?} failed:\nstdout: {}\nstderr: {}", r.stdout, r.stderr);
        r.stdout.trim().to_string()
    }

    /// Runs with --json and expects success.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = args.to_vec();
        a.push("--json");
        let r = self.run(&a);
        assert_eq!(r.code, 0, "mellanrum {a:?} failed:\nstdout: {}\nstderr: {}", r.stdout, r.stderr);
        r.json()
    }

    /// Runs and expects a bad-input failure: exit code 1, one line on stderr, no panic.
    /// Returns that line.
    pub fn fails(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 1, "mellanrum {args:?} should fail with exit 1:\nstdout: {}\nstderr: {}", r.stdout, r.stderr);
        assert!(!r.stderr.contains("panicked") && !r.stderr.contains("internal error"), "panic: {}", r.stderr);
        let err = r.stderr.trim();
        assert!(err.starts_with("error: "), "stderr should start with 'error: ': {err}");
        err.to_string()
    }

    /// Creates an item and returns its id.
    pub fn add(&self, kind: &str, title: &str, extra: &[&str]) -> String {
        let mut a = vec!["add", kind, "--title", title];
        a.extend_from_slice(extra);
        let v = self.json(&a);
        v["id"].as_str().expect("id").to_string()
    }

    /// `show --json` of an item.
    pub fn show(&self, reference: &str) -> serde_json::Value {
        self.json(&["show", reference])
    }
}

impl Ws {
    /// A workspace that joins the shared storage `remote` (`init --remote`), with `person` added
    /// and current.
    pub fn join(remote: &str, person: &str, perspective: &str, extra: &[&str]) -> Ws {
        let dir = tempfile::tempdir().expect("temp dir");
        let ws = Ws { dir };
        let mut args = vec!["init", ws.path().to_str().unwrap(), "--name", "Joined", "--remote", remote];
        args.extend_from_slice(extra);
        let r = ws.run_raw(&args, None);
        assert_eq!(r.code, 0, "init --remote failed: {r:?}");
        if ws.json(&["person", "list"]).as_array().unwrap().iter().all(|p| p["name"] != person) {
            ws.ok(&["person", "add", person, "--perspective", perspective]);
        }
        ws.ok(&["person", "use", person]);
        ws
    }

    /// `sync --json`, expecting success.
    pub fn sync(&self) -> serde_json::Value {
        self.json(&["sync"])
    }
}
