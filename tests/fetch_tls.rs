//! `pprof-fetch` over HTTPS against `openssl s_server` with a self-signed certificate:
//! verification fails with the spec's TLS message, `--insecure` and `https+insecure://` skip it.
//!
//! Needs the `openssl` command, so the test is `#[ignore = "needs openssl"]`.

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The `openssl` command (panics when it is not installed).
fn openssl() -> std::path::PathBuf {
    common::tools::require("openssl", "openssl")
}

/// `openssl s_server -www` on a free loopback port; killed on drop.
struct TlsServer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl TlsServer {
    fn start() -> TlsServer {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        self_signed_certificate(&cert, &key);
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(openssl())
            .args(["s_server", "-quiet", "-www", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(&cert)
            .arg("-key")
            .arg(&key)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = TlsServer {
            child,
            port,
            _dir: dir,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "s_server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    fn url(&self, scheme: &str) -> String {
        format!("{scheme}://localhost:{}/debug/pprof/heap", self.port)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn self_signed_certificate(cert: &Path, key: &Path) {
    let status = Command::new(openssl())
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout"])
        .arg(key)
        .arg("-out")
        .arg(cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "openssl req failed");
}

fn pprof_fetch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pprof-fetch"))
        .args(args)
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
#[ignore = "needs openssl"]
fn https_verifies_certificates_unless_told_not_to() {
    let server = TlsServer::start();
    let url = server.url("https");
    let output = pprof_fetch(&[&url]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        text.starts_with(&format!("pprof-fetch: TLS error for {url}: ")),
        "{text}"
    );
    assert!(
        text.ends_with(" (use --insecure to skip certificate verification)\n"),
        "{text}"
    );

    let warning = format!("pprof-fetch: warning: {url} returned an HTML page, not a profile\n");
    let insecure_url = server.url("https+insecure");
    for args in [
        &["--insecure", url.as_str()][..],
        &[insecure_url.as_str()][..],
    ] {
        let output = pprof_fetch(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        let body = String::from_utf8_lossy(&output.stdout);
        assert!(
            body.contains("Ciphers supported in s_server binary"),
            "{body}"
        );
        assert_eq!(String::from_utf8_lossy(&output.stderr), warning);
    }
}
