//! `pprof-fetch` against misbehaving servers: a few lines of `std::net` in the test play the
//! server, so every fault of spec 5 and 7 is reproducible.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use flate2::Compression;

/// One request as the fake server saw it (head in lower case).
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    head: String,
}

/// A loopback server answering each connection with `handler(path, stream)`; it reports every
/// request head on `seen`.
struct FakeServer {
    addr: String,
    seen: mpsc::Receiver<Seen>,
}

impl FakeServer {
    fn start(handler: impl Fn(&str, &mut TcpStream) + Send + Sync + 'static) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let (tx, seen) = mpsc::channel();
        let handler = std::sync::Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let (tx, handler) = (tx.clone(), handler.clone());
                std::thread::spawn(move || {
                    let head = read_head(&mut stream);
                    let path = head.split(' ').nth(1).unwrap_or("").to_string();
                    let _ = tx.send(Seen {
                        path: path.clone(),
                        head: head.to_ascii_lowercase(),
                    });
                    handler(&path, &mut stream);
                });
            }
        });
        FakeServer { addr, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.try_iter().collect()
    }
}

fn read_head(stream: &mut TcpStream) -> String {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            return head;
        }
        head.push_str(&line);
    }
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[&str], body: &[u8]) {
    let mut head = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for header in headers {
        head.push_str(header);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn fake_profile() -> Vec<u8> {
    gzip(
        &(0..20_000u32)
            .flat_map(|i| i.to_le_bytes())
            .collect::<Vec<u8>>(),
    )
}

fn pprof_fetch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pprof-fetch"))
        .args(args)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_failure(output: &Output, message: &str) {
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(output));
    assert!(output.stdout.is_empty(), "nothing on stdout on failure");
    let text = stderr(output);
    assert_eq!(text.lines().next(), Some(message), "stderr: {text}");
}

#[test]
fn body_is_written_byte_for_byte_with_our_headers() {
    let profile = fake_profile();
    let body = profile.clone();
    let server = FakeServer::start(move |_, s| {
        respond(
            s,
            "200 OK",
            &["Content-Type: application/octet-stream"],
            &body,
        )
    });
    let url = server.url("/debug/pprof/profile?seconds=1");
    let output = pprof_fetch(&[&url, "-H", "Authorization: Bearer t0k3n", "-H", "X-A: 1"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(output.stdout, profile);
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    let head = &seen[0].head;
    assert!(
        head.starts_with("get /debug/pprof/profile?seconds=1 http/1.1\r\n"),
        "{head}"
    );
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        head.contains(&format!("user-agent: pprof-fetch/{version}\r\n")),
        "{head}"
    );
    assert!(head.contains("accept-encoding: identity\r\n"), "{head}");
    assert!(head.contains("authorization: bearer t0k3n\r\n"), "{head}");
    assert!(head.contains("x-a: 1\r\n"), "{head}");
}

#[test]
fn credentials_in_the_url_become_basic_authorization() {
    let server = FakeServer::start(|_, s| respond(s, "200 OK", &[], b"x"));
    let url = server
        .url("/debug/pprof/heap")
        .replace("://", "://al%40ice:s3cret@");
    let output = pprof_fetch(&[&url]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let head = &server.requests()[0].head;
    assert!(
        head.contains("authorization: basic ywxaawnlonmzy3jlda==\r\n"),
        "{head}"
    );
}

#[test]
fn truncated_body_is_an_error() {
    let server = FakeServer::start(|_, s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
        let _ = s.write_all(&[7u8; 500]);
    });
    let url = server.url("/debug/pprof/heap");
    let output = pprof_fetch(&[&url]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let text = stderr(&output);
    let prefix = format!("pprof-fetch: {url}: connection closed after 500 bytes: ");
    assert!(text.starts_with(&prefix), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
}

#[test]
fn connection_dropped_mid_chunked_body_is_an_error() {
    let server = FakeServer::start(|_, s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        let _ = s.write_all(b"100\r\n");
        let _ = s.write_all(&[1u8; 0x100]);
        let _ = s.write_all(b"\r\n100\r\n");
        let _ = s.write_all(&[2u8; 0x80]);
        let _ = s.flush();
        std::thread::sleep(Duration::from_millis(50));
        let _ = s.shutdown(std::net::Shutdown::Both);
    });
    let url = server.url("/debug/pprof/profile?seconds=1");
    let output = pprof_fetch(&[&url]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let text = stderr(&output);
    assert!(
        text.starts_with(&format!("pprof-fetch: {url}: connection closed after ")),
        "{text}"
    );
}

#[test]
fn silent_server_times_out_as_told() {
    let server = FakeServer::start(|_, _| std::thread::sleep(Duration::from_secs(10)));
    let url = server.url("/debug/pprof/heap");
    let started = Instant::now();
    let output = pprof_fetch(&["--timeout", "1", &url]);
    let elapsed = started.elapsed();
    assert_failure(
        &output,
        &format!(
            "pprof-fetch: timed out after 1 s waiting for {url} (use --timeout to allow longer)"
        ),
    );
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

#[test]
fn decimal_timeout_is_honoured_while_the_body_trickles() {
    let server = FakeServer::start(|_, s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
        std::thread::sleep(Duration::from_secs(10));
    });
    let url = server.url("/debug/pprof/heap");
    let started = Instant::now();
    let output = pprof_fetch(&["--timeout", "0.5", &url]);
    assert_failure(
        &output,
        &format!(
            "pprof-fetch: timed out after 0.5 s waiting for {url} (use --timeout to allow longer)"
        ),
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn redirects_are_followed_and_headers_kept_on_the_same_host() {
    let profile = fake_profile();
    let body = profile.clone();
    let server = FakeServer::start(move |path, s| match path {
        "/debug/pprof/profile?seconds=1" => respond(
            s,
            "301 Moved Permanently",
            &["Location: /moved?seconds=1"],
            b"",
        ),
        "/moved?seconds=1" => respond(s, "302 Found", &["Location: real"], b""),
        "/real" => respond(s, "200 OK", &[], &body),
        _ => respond(s, "500 Internal Server Error", &[], b"unexpected"),
    });
    let url = server.url("/debug/pprof/profile?seconds=1");
    let output = pprof_fetch(&["-H", "X-Token: abc", &url]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(output.stdout, profile);
    let seen = server.requests();
    let paths: Vec<&str> = seen.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/debug/pprof/profile?seconds=1",
            "/moved?seconds=1",
            "/real"
        ]
    );
    assert!(
        seen.iter().all(|s| s.head.contains("x-token: abc\r\n")),
        "{seen:?}"
    );
}

#[test]
fn headers_are_not_sent_to_another_host_after_a_redirect() {
    let server = FakeServer::start(|path, s| match path {
        "/debug/pprof/heap" => {
            let port = s.local_addr().unwrap().port();
            let location = format!("Location: http://localhost:{port}/elsewhere");
            respond(s, "307 Temporary Redirect", &[&location], b"")
        }
        _ => respond(s, "200 OK", &[], b"data"),
    });
    let url = server.url("/debug/pprof/heap").replace("://", "://u:p@");
    let output = pprof_fetch(&["-H", "X-Token: abc", &url]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen[0].head.contains("x-token: abc") && seen[0].head.contains("authorization: basic"));
    assert!(
        !seen[1].head.contains("x-token") && !seen[1].head.contains("authorization"),
        "{seen:?}"
    );
}

#[test]
fn redirect_loop_is_an_error() {
    let server = FakeServer::start(|_, s| respond(s, "302 Found", &["Location: /again"], b""));
    let url = server.url("/debug/pprof/heap");
    let output = pprof_fetch(&[&url]);
    let last = server.url("/again");
    assert_failure(
        &output,
        &format!("pprof-fetch: {url}: too many redirects (more than 10); last location {last}"),
    );
    assert_eq!(server.requests().len(), 11);
}

#[test]
fn html_is_warned_about_and_still_written() {
    let page = b"<!DOCTYPE html><html><body>Sign in</body></html>\n".to_vec();
    let body = page.clone();
    let server = FakeServer::start(move |_, s| {
        respond(
            s,
            "200 OK",
            &["Content-Type: text/html; charset=utf-8"],
            &body,
        )
    });
    let url = server.url("/debug/pprof/heap");
    let output = pprof_fetch(&[&url]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(output.stdout, page);
    assert_eq!(
        stderr(&output),
        format!("pprof-fetch: warning: {url} returned an HTML page, not a profile\n")
    );
    let quiet = pprof_fetch(&["-q", &url]);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(quiet.stdout, page);
    assert!(quiet.stderr.is_empty());
}

#[test]
fn incomplete_gzip_is_an_error() {
    let profile = fake_profile();
    let cut = profile[..profile.len() - 6].to_vec();
    let len = cut.len();
    let server = FakeServer::start(move |_, s| respond(s, "200 OK", &[], &cut));
    let url = server.url("/debug/pprof/profile?seconds=1");
    let output = pprof_fetch(&[&url]);
    assert_failure(
        &output,
        &format!("pprof-fetch: {url}: incomplete profile: gzip data ends after {len} bytes without its trailer (server WriteTimeout shorter than the profile duration?)"),
    );
}

#[test]
fn multi_member_gzip_is_complete() {
    let mut two = gzip(b"first member");
    two.extend(gzip(b"second member"));
    let body = two.clone();
    let server = FakeServer::start(move |_, s| respond(s, "200 OK", &[], &body));
    let output = pprof_fetch(&[&server.url("/debug/pprof/heap")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(output.stdout, two);
}

#[test]
fn transport_compression_is_undone() {
    let server = FakeServer::start(|_, s| {
        let body = gzip(b"goroutine profile: total 1\n");
        respond(
            s,
            "200 OK",
            &["Content-Encoding: gzip", "Content-Type: text/plain"],
            &body,
        )
    });
    let output = pprof_fetch(&[&server.url("/debug/pprof/goroutine?debug=1")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(output.stdout, b"goroutine profile: total 1\n");
}

#[test]
fn empty_body_is_an_error() {
    let server = FakeServer::start(|_, s| respond(s, "200 OK", &[], b""));
    let url = server.url("/debug/pprof/heap");
    assert_failure(
        &pprof_fetch(&[&url]),
        &format!("pprof-fetch: {url}: the server sent an empty response"),
    );
}

#[test]
fn pprof_errors_show_the_servers_message() {
    let server = FakeServer::start(|_, s| {
        respond(
            s,
            "500 Internal Server Error",
            &["Content-Type: text/plain; charset=utf-8", "X-Go-Pprof: 1"],
            b"Could not enable CPU profiling: cpu profiling already in use\n",
        )
    });
    let output = pprof_fetch(&[&server.url("/")]);
    assert_failure(&output, "pprof-fetch: server response: 500 Internal Server Error - Could not enable CPU profiling: cpu profiling already in use");
    assert_eq!(stderr(&output).lines().count(), 1);
}

#[test]
fn other_errors_show_short_plain_text_only() {
    let server = FakeServer::start(|path, s| match path {
        "/html" => respond(
            s,
            "502 Bad Gateway",
            &["Content-Type: text/html"],
            b"<h1>bad</h1>",
        ),
        "/multi" => respond(
            s,
            "503 Service Unavailable",
            &[],
            b"  down\r\nfor maintenance\n",
        ),
        _ => respond(
            s,
            "500 Internal Server Error",
            &["Content-Type: text/plain"],
            &[b'x'; 2000],
        ),
    });
    assert_failure(
        &pprof_fetch(&[&server.url("/html")]),
        "pprof-fetch: server response: 502 Bad Gateway",
    );
    assert_failure(
        &pprof_fetch(&[&server.url("/multi")]),
        "pprof-fetch: server response: 503 Service Unavailable - down for maintenance",
    );
    assert_failure(
        &pprof_fetch(&[&server.url("/long")]),
        "pprof-fetch: server response: 500 Internal Server Error",
    );
}

#[test]
fn not_found_without_pprof_header_gives_a_hint() {
    let server = FakeServer::start(|path, s| match path {
        "/debug/pprof/nosuch" => respond(
            s,
            "404 Not Found",
            &["Content-Type: text/plain; charset=utf-8", "X-Go-Pprof: 1"],
            b"Unknown profile\n",
        ),
        _ => respond(
            s,
            "404 Not Found",
            &["Content-Type: text/plain; charset=utf-8"],
            b"404 page not found\n",
        ),
    });
    let output = pprof_fetch(&[&server.url("/")]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "pprof-fetch: server response: 404 Not Found - 404 page not found\n\
         pprof-fetch: hint: is net/http/pprof registered on this server? expected paths /debug/pprof/...\n"
    );
    let output = pprof_fetch(&[&server.url("/debug/pprof/nosuch")]);
    assert_eq!(
        stderr(&output),
        "pprof-fetch: server response: 404 Not Found - Unknown profile\n"
    );
}

#[test]
fn connection_refused_names_the_url() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = pprof_fetch(&[&format!("127.0.0.1:{port}")]);
    assert_failure(
        &output,
        &format!("pprof-fetch: cannot connect to http://127.0.0.1:{port}/debug/pprof/profile?seconds=30: connection refused (is the program running and serving net/http/pprof on 127.0.0.1:{port}?)"),
    );
}

#[test]
fn output_file_is_replaced_only_when_complete() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("heap.pb.gz");
    std::fs::write(&file, b"old").unwrap();
    let server = FakeServer::start(|path, s| match path {
        "/debug/pprof/heap" => {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nshort");
        }
        _ => respond(s, "200 OK", &[], &fake_profile()),
    });
    let output = pprof_fetch(&[
        "-o",
        file.to_str().unwrap(),
        &server.url("/debug/pprof/heap"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(std::fs::read(&file).unwrap(), b"old");
    let names = || -> Vec<String> {
        std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(names(), ["heap.pb.gz"], "no temporary file left behind");

    let output = pprof_fetch(&[
        "-o",
        file.to_str().unwrap(),
        &server.url("/debug/pprof/allocs"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    assert_eq!(std::fs::read(&file).unwrap(), fake_profile());
    assert_eq!(names(), ["heap.pb.gz"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let fresh = dir.path().join("fresh.pb.gz");
        let output = pprof_fetch(&["-o", fresh.to_str().unwrap(), &server.url("/x")]);
        assert_eq!(output.status.code(), Some(0));
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
        assert_eq!(mode & 0o044, 0o044, "readable like any new file: {mode:o}");
    }
}

#[test]
fn unwritable_output_file_is_an_error() {
    let server = FakeServer::start(|_, s| respond(s, "200 OK", &[], b"data"));
    let output = pprof_fetch(&[
        "-o",
        "/nonexistent-dir/x.pb.gz",
        &server.url("/debug/pprof/heap"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.starts_with("pprof-fetch: cannot write /nonexistent-dir/x.pb.gz: "),
        "{text}"
    );
}

#[test]
fn usage_errors_exit_2_with_the_usage() {
    for (args, first_line) in [
        (&["-t", "0"][..], "pprof-fetch: invalid value '0' for '--seconds <N>': seconds must be an integer greater than 0"),
        (&["--time", "x"][..], "pprof-fetch: invalid value 'x' for '--seconds <N>': seconds must be an integer greater than 0"),
        (&["--title", "x"][..], "pprof-fetch: unexpected argument '--title' (this go-torch option belongs to pprof-collapse or flamegraph)"),
        (&["-inuse_space"][..], "pprof-fetch: unexpected argument '-inuse_space' (this go-torch option belongs to pprof-collapse or flamegraph)"),
        (&["-f", "torch.svg"][..], "pprof-fetch: unexpected argument '-f' (this go-torch option belongs to pprof-collapse or flamegraph)"),
        (&["ftp://h/"][..], "pprof-fetch: invalid URL \"ftp://h/\": unsupported scheme \"ftp\" (use http, https or https+insecure)"),
        (&["-H", "NoColon"][..], "pprof-fetch: invalid value 'NoColon' for '--header <'NAME: VALUE'>': expected 'Name: value'"),
    ] {
        let output = pprof_fetch(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty());
        let text = stderr(&output);
        assert_eq!(text.lines().next(), Some(first_line), "{args:?}");
        assert!(text.contains("Usage: pprof-fetch [OPTIONS] [URL]"), "{text}");
    }
    let output = pprof_fetch(&["--profile", "nope"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output).lines().next(),
        Some("pprof-fetch: invalid value 'nope' for '--profile <NAME>' [possible values: cpu, profile, heap, allocs, goroutine, block, mutex, threadcreate, trace]")
    );
}

#[test]
fn help_and_version_go_to_stdout() {
    let output = pprof_fetch(&["--version"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("pprof-fetch (flamepipe) {}\n", env!("CARGO_PKG_VERSION"))
    );
    let output = pprof_fetch(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(
        help.contains("--suffix") && help.contains("--insecure") && !help.contains("alias"),
        "{help}"
    );
}

/// 100 MB through the tool: memory stays flat (the body is spooled to a temporary file).
#[cfg(target_os = "linux")]
#[test]
fn large_body_streams_with_flat_memory() {
    const SIZE: usize = 100_000_000;
    let server = FakeServer::start(|_, s| {
        let _ =
            s.write_all(format!("HTTP/1.1 200 OK\r\nContent-Length: {SIZE}\r\n\r\n").as_bytes());
        let block = pattern_block();
        let mut left = SIZE;
        while left > 0 {
            let n = left.min(block.len());
            if s.write_all(&block[..n]).is_err() {
                return;
            }
            left -= n;
        }
    });
    let mut child = Command::new(env!("CARGO_BIN_EXE_pprof-fetch"))
        .arg(server.url("/debug/pprof/heap"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let block = pattern_block();
    let mut buf = vec![0u8; 1 << 20];
    let (mut total, mut peak_kb) = (0usize, None);
    loop {
        let n = stdout.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        let mut checked = 0;
        while checked < n {
            let at = (total + checked) % block.len();
            let len = (n - checked).min(block.len() - at);
            assert!(
                buf[checked..checked + len] == block[at..at + len],
                "body differs at {}",
                total + checked
            );
            checked += len;
        }
        total += n;
        if peak_kb.is_none() && total > SIZE / 2 {
            // The child is still alive (blocked writing to us) and has received everything.
            peak_kb = Some(vm_hwm_kb(child.id()));
        }
    }
    let status = child.wait().unwrap();
    assert!(status.success());
    assert_eq!(total, SIZE);
    let peak_kb = peak_kb.unwrap();
    assert!(
        peak_kb < 48 * 1024,
        "peak RSS {peak_kb} kB for a 100 MB body"
    );
}

/// 1 MiB of non-gzip, NUL-free bytes that the large body repeats.
#[cfg(target_os = "linux")]
fn pattern_block() -> Vec<u8> {
    (0..1u32 << 20).map(|i| (i % 251) as u8 + 1).collect()
}

#[cfg(target_os = "linux")]
fn vm_hwm_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn closed_stdout_ends_quietly() {
    let server = FakeServer::start(|_, s| respond(s, "200 OK", &[], &vec![b'x'; 4 << 20]));
    let mut child = Command::new(env!("CARGO_BIN_EXE_pprof-fetch"))
        .arg(server.url("/debug/pprof/heap"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
}

/// Runs pprof-fetch with stdout and stderr on a pseudo-terminal (util-linux `script`, in every
/// Debian system: a missing one fails the test); returns (exit status, what the terminal showed).
#[cfg(target_os = "linux")]
fn on_terminal(args: &str) -> (i32, String) {
    let exe = env!("CARGO_BIN_EXE_pprof-fetch");
    let output = Command::new("script")
        .args(["-qec", &format!("{exe} {args}"), "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("script (util-linux, apt-get install bsdutils) does not run: {e}")
        });
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[cfg(target_os = "linux")]
#[test]
fn binary_data_is_not_written_to_a_terminal() {
    let server = FakeServer::start(|path, s| match path {
        "/debug/pprof/goroutine?debug=1" => {
            respond(s, "200 OK", &[], b"goroutine profile: total 1\n")
        }
        "/debug/pprof/goroutine?debug=2" => {
            respond(s, "200 OK", &[], b"goroutine 1 [running]:\nmain.main()\n")
        }
        _ => respond(s, "200 OK", &[], b"text\0with a NUL"),
    });
    let refusal = "pprof-fetch: refusing to write binary profile data to a terminal; redirect stdout or use -o FILE";
    let (status, shown) = on_terminal(&server.url("/debug/pprof/heap"));
    assert_eq!((status, shown.trim_end()), (2, refusal));
    assert!(server.requests().is_empty(), "refused before connecting");
    let (status, shown) = on_terminal(&server.url("/debug/pprof/goroutine?debug=1"));
    assert_eq!(
        (status, shown.as_str()),
        (0, "goroutine profile: total 1\r\n")
    );
    // A goroutine dump (what pprof-collapse reads too) is text for a terminal as well.
    let (status, shown) = on_terminal(&server.url("/debug/pprof/goroutine?debug=2"));
    assert_eq!(
        (status, shown.as_str()),
        (0, "goroutine 1 [running]:\r\nmain.main()\r\n")
    );
    let (status, shown) = on_terminal(&server.url("/debug/pprof/cmdline"));
    assert_eq!(
        (status, shown.trim_end()),
        (1, refusal),
        "binary answer to a text request"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn countdown_only_on_a_terminal_and_erased() {
    let server = FakeServer::start(|_, s| {
        std::thread::sleep(Duration::from_millis(1500));
        respond(s, "200 OK", &[], b"data");
    });
    let file = tempfile::NamedTempFile::new().unwrap();
    let args = format!("-t 1 -o {} {}", file.path().display(), server.url("/"));
    let (status, shown) = on_terminal(&args);
    let addr = &server.addr;
    assert_eq!(status, 0, "{shown}");
    assert_eq!(
        shown,
        format!(
            "\rpprof-fetch: collecting 1 s profile from {addr} ... 1 s left\x1b[K\
             \rpprof-fetch: collecting 1 s profile from {addr} ... waiting for the server\x1b[K\
             \r\x1b[K"
        )
    );
    let (status, shown) = on_terminal(&format!("-q {args}"));
    assert_eq!((status, shown.as_str()), (0, ""));
    assert_eq!(std::fs::read(file.path()).unwrap(), b"data");
}

#[test]
fn http_proxy_from_the_environment_is_used_and_no_proxy_respected() {
    let proxy = FakeServer::start(|target, s| {
        assert_eq!(target, "profiles.invalid:6060");
        let _ = s.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
        let head = read_head(s);
        assert!(
            head.starts_with("GET /debug/pprof/heap HTTP/1.1\r\n"),
            "{head}"
        );
        respond(s, "200 OK", &[], b"through the proxy");
    });
    let run = |no_proxy: &str| {
        Command::new(env!("CARGO_BIN_EXE_pprof-fetch"))
            .arg("http://profiles.invalid:6060/debug/pprof/heap")
            .env("HTTP_PROXY", &proxy.addr)
            .env("NO_PROXY", no_proxy)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let output = run("elsewhere.example");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(output.stdout, b"through the proxy");
    assert_eq!(
        proxy.requests()[0].head.split("\r\n").next(),
        Some("connect profiles.invalid:6060 http/1.1")
    );
    let output = run(".invalid");
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.starts_with("pprof-fetch: cannot resolve host \"profiles.invalid\" in http://profiles.invalid:6060/debug/pprof/heap: "), "{text}");
    assert!(proxy.requests().is_empty(), "NO_PROXY bypasses the proxy");
}

#[test]
fn server_closing_without_an_answer_is_an_error() {
    let server = FakeServer::start(|_, s| {
        let _ = s.shutdown(std::net::Shutdown::Both);
    });
    let url = server.url("/debug/pprof/profile?seconds=1");
    let output = pprof_fetch(&[&url]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let text = stderr(&output);
    assert!(
        text.starts_with(&format!(
            "pprof-fetch: {url}: connection closed after 0 bytes: "
        )),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");
}

/// Go's single-dash long options, as `go tool pprof` users type them: `-seconds 2`,
/// `-timeout=5`, `-output FILE`.
#[test]
fn go_style_single_dash_long_options_work() {
    let profile = fake_profile();
    let body = profile.clone();
    let server = FakeServer::start(move |_, s| respond(s, "200 OK", &[], &body));
    let dir = std::env::temp_dir().join(format!("pprof-fetch-go-flags-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("heap.pb.gz");
    let url = server.url("/debug/pprof/heap");
    let output = pprof_fetch(&[
        "-seconds",
        "2",
        "-timeout=5",
        "-output",
        file.to_str().unwrap(),
        &url,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(std::fs::read(&file).unwrap(), profile);
    assert_eq!(server.requests()[0].path, "/debug/pprof/heap?seconds=2");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--profile` on a URL that names another profile: the replacement is said, not silent.
#[test]
fn profile_replacing_the_url_profile_is_warned_about() {
    let profile = fake_profile();
    let server = FakeServer::start(move |_, s| respond(s, "200 OK", &[], &profile));
    let url = server.url("/debug/pprof/goroutine");
    let output = pprof_fetch(&[&url, "--profile", "heap"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "pprof-fetch: warning: --profile heap replaces the goroutine profile the URL names: \
         fetching /debug/pprof/heap\n"
    );
    assert_eq!(server.requests()[0].path, "/debug/pprof/heap");
    // the same profile, or -q: nothing said
    for args in [
        vec![url.as_str(), "--profile", "goroutine"],
        vec![url.as_str(), "--profile", "heap", "-q"],
    ] {
        let output = pprof_fetch(&args);
        assert_eq!(output.status.code(), Some(0));
        assert!(output.stderr.is_empty(), "{args:?}: {}", stderr(&output));
    }
}
