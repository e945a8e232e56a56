//! The Go demo server of `tests/go-demo/` for integration tests.
//!
//! ```ignore
//! mod common;
//! use common::go_demo::GoDemo;
//!
//! #[test]
//! #[ignore = "needs go"]
//! fn fetches_from_go() {
//!     let demo = GoDemo::start(&[]); // fails with "go not found ..." without Go
//!     let _load = demo.drive_load("/work?n=5");
//!     let url = demo.url("/debug/pprof/profile?seconds=1");
//!     // ... the process is killed when `demo` is dropped
//! }
//! ```
//!
//! The program is built once into `$CARGO_TARGET_TMPDIR/go-demo/godemo` (rebuilt when its sources
//! are newer); concurrent test binaries build to a private temporary name and rename, so they
//! never see a half-written binary.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

/// The Go toolchain command (`$GO` when set, else `go` from `PATH`).
fn go_command() -> String {
    std::env::var("GO").unwrap_or_else(|_| "go".to_string())
}

/// Checks that `go version` runs (once per test process); panics with "go not found ..." when
/// it does not. Tests that need Go are `#[ignore = "needs go"]` (see `common::tools`).
pub fn require_go() {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    let available = *AVAILABLE.get_or_init(|| {
        Command::new(go_command())
            .arg("version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    assert!(
        available,
        "go not found: `{} version` does not run (apt-get install golang-go, or set GO)",
        go_command()
    );
}

/// Folder of the demo's Go sources.
pub fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/go-demo")
}

/// Path of the built demo binary, building it first if needed (once per test process).
pub fn binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(build_binary).clone()
}

fn build_binary() -> PathBuf {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-demo");
    std::fs::create_dir_all(&out_dir).expect("create go-demo build folder");
    let exe = out_dir.join(format!("godemo{}", std::env::consts::EXE_SUFFIX));
    if is_up_to_date(&exe) {
        return exe;
    }
    let tmp = out_dir.join(format!(
        "godemo.{}.{}.tmp{}",
        std::process::id(),
        unique_suffix(),
        std::env::consts::EXE_SUFFIX
    ));
    let mut cmd = Command::new(go_command());
    cmd.arg("build")
        .arg("-o")
        .arg(&tmp)
        .arg(".")
        .current_dir(source_dir())
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0");
    if std::env::var_os("HOME").is_none() {
        // Go keeps its build cache and GOPATH under $HOME; give it a place without one.
        if std::env::var_os("GOCACHE").is_none() {
            cmd.env("GOCACHE", out_dir.join("gocache"));
        }
        if std::env::var_os("GOPATH").is_none() {
            cmd.env("GOPATH", out_dir.join("gopath"));
        }
    }
    let output = cmd.output().expect("run go build");
    if !output.status.success() {
        let _ = std::fs::remove_file(&tmp);
        panic!(
            "go build of tests/go-demo failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::rename(&tmp, &exe).expect("rename built go-demo binary into place");
    exe
}

/// The binary exists and is newer than every file of the source folder.
fn is_up_to_date(exe: &Path) -> bool {
    let Ok(built) = std::fs::metadata(exe).and_then(|m| m.modified()) else {
        return false;
    };
    let newest_source = std::fs::read_dir(source_dir())
        .expect("read tests/go-demo")
        .filter_map(|e| e.ok()?.metadata().ok()?.modified().ok())
        .max()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    built >= newest_source
}

fn unique_suffix() -> u128 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// A running demo server; the process is killed when this is dropped.
pub struct GoDemo {
    child: Child,
    /// `127.0.0.1:PORT`, as printed by the program.
    pub addr: String,
    _stdout: BufReader<ChildStdout>,
}

impl GoDemo {
    /// Builds (once) and starts the demo with extra flags, e.g. `&["-write-timeout", "2s"]`,
    /// and waits for its `listening on` line. Panics when Go is missing ([`require_go`]).
    pub fn start(args: &[&str]) -> GoDemo {
        require_go();
        let mut child = Command::new(binary())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the go-demo program");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        let read = stdout.read_line(&mut line);
        let addr = match line.trim_end().strip_prefix("listening on ") {
            Some(addr) if read.is_ok() => addr.to_string(),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("go-demo did not print its `listening on` line (got {line:?})");
            }
        };
        GoDemo {
            child,
            addr,
            _stdout: stdout,
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT` + `path_and_query` (which starts with `/`).
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{}", self.addr, path_and_query)
    }

    /// The process id (e.g. to read /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A plain HTTP/1.0 GET on the demo; returns (status code, body). Panics on I/O errors.
    pub fn get(&self, path_and_query: &str) -> (u16, Vec<u8>) {
        http_get(&self.addr, path_and_query).expect("GET on go-demo")
    }

    /// Starts a thread that requests `path_and_query` (e.g. `/work?n=5` or `/spin?ms=200`) in
    /// a loop until the returned guard is dropped.
    pub fn drive_load(&self, path_and_query: &str) -> LoadDriver {
        let stop = Arc::new(AtomicBool::new(false));
        let (addr, path) = (self.addr.clone(), path_and_query.to_string());
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut requests = 0u64;
            while !flag.load(Ordering::Relaxed) {
                if http_get(&addr, &path).is_ok() {
                    requests += 1;
                } else {
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
            requests
        });
        LoadDriver {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for GoDemo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Load running on the demo; stopped (and joined) on drop or by [`LoadDriver::stop`].
pub struct LoadDriver {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<u64>>,
}

impl LoadDriver {
    /// Stops the load and returns how many requests completed.
    pub fn stop(mut self) -> u64 {
        self.finish()
    }

    fn finish(&mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .map(|t| t.join().unwrap_or(0))
            .unwrap_or(0)
    }
}

impl Drop for LoadDriver {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Minimal HTTP/1.0 GET (the server closes the connection after the answer).
pub fn http_get(addr: &str, path_and_query: &str) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    write!(
        stream,
        "GET {path_and_query} HTTP/1.0\r\nHost: {addr}\r\nUser-Agent: flamepipe-tests\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let header_end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no end of HTTP headers"))?;
    let status = std::str::from_utf8(&response[..header_end])
        .ok()
        .and_then(|h| h.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other("bad HTTP status line"))?;
    Ok((status, response[header_end + 4..].to_vec()))
}
