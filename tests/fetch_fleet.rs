//! `pprof-fetch` with several targets (a fleet): fetched at once, merged into one profile with an
//! `instance` label per target (docs/pprof-fetch.md, "Several targets").
//!
//! Recorded profiles are served by a few lines of `std::net` (so the merge can be compared with
//! its parts exactly); the tests marked `needs go` use the real Go demo of `tests/go-demo/`.
mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::go_demo::{self, GoDemo};

fn data(path: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(path),
    )
    .unwrap()
}

/// A loopback server that answers every request with the same recorded body, after `delay`.
struct Replay {
    addr: String,
    requests: Arc<AtomicUsize>,
    most_at_once: Arc<AtomicUsize>,
    delay_ms: Arc<AtomicUsize>,
}

impl Replay {
    fn start(body: Vec<u8>, delay: Duration) -> Replay {
        Replay::start_with(body, delay, "application/octet-stream")
    }

    fn start_with(body: Vec<u8>, delay: Duration, content_type: &'static str) -> Replay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let requests = Arc::new(AtomicUsize::new(0));
        let most_at_once = Arc::new(AtomicUsize::new(0));
        let (seen, most) = (Arc::clone(&requests), Arc::clone(&most_at_once));
        let body = Arc::new(body);
        let in_flight = Arc::new(AtomicUsize::new(0));
        let delay_ms = Arc::new(AtomicUsize::new(delay.as_millis() as usize));
        let delay = Arc::clone(&delay_ms);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (body, seen, most) = (Arc::clone(&body), Arc::clone(&seen), Arc::clone(&most));
                let in_flight = Arc::clone(&in_flight);
                let delay = Duration::from_millis(delay.load(Ordering::SeqCst) as u64);
                std::thread::spawn(move || {
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    seen.fetch_add(1, Ordering::SeqCst);
                    answer(stream, &body, delay, content_type);
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Replay {
            addr,
            requests,
            most_at_once,
            delay_ms,
        }
    }

    fn set_delay(&self, delay: Duration) {
        self.delay_ms
            .store(delay.as_millis() as usize, Ordering::SeqCst);
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn answer(mut stream: TcpStream, body: &[u8], delay: Duration, content_type: &str) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
        line.clear();
    }
    std::thread::sleep(delay);
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// A loopback port nobody listens on.
fn dead_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

fn run(program: &str, args: &[&str], stdin: &[u8]) -> Output {
    let program = match program {
        "pprof-fetch" => env!("CARGO_BIN_EXE_pprof-fetch"),
        "pprof-collapse" => env!("CARGO_BIN_EXE_pprof-collapse"),
        other => other,
    };
    let mut command = Command::new(program);
    command.env_remove("HTTP_PROXY").env_remove("http_proxy");
    let mut child = command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&stdin));
    let output = child.wait_with_output().unwrap();
    let _ = writer.join();
    output
}

fn fetch(args: &[&str]) -> Output {
    run("pprof-fetch", args, b"")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_ok(output: &Output) {
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(output));
}

/// Folded stacks of profile files (several are summed), as a map stack → value.
fn fold(args: &[&str], files: &[&Path]) -> BTreeMap<String, i128> {
    let mut all: Vec<&str> = args.to_vec();
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    all.extend(names.iter().map(String::as_str));
    let output = run("pprof-collapse", &all, b"");
    assert_ok(&output);
    let mut stacks = BTreeMap::new();
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let (stack, value) = line.rsplit_once(' ').unwrap();
        *stacks.entry(stack.to_string()).or_insert(0) += value.parse::<i128>().unwrap();
    }
    stacks
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// What `pprof-collapse --tag-root instance` must give for the merge: each part's own stacks,
/// under the frame `instance=ADDR`.
fn expected_by_instance(parts: &[(&str, &Path)]) -> BTreeMap<String, i128> {
    let mut expected = BTreeMap::new();
    for (addr, file) in parts {
        for (stack, value) in fold(&["--tag-root", "instance"], &[file]) {
            let stack = stack.replacen("instance=", &format!("instance={addr}"), 1);
            *expected.entry(stack).or_insert(0) += value;
        }
    }
    expected
}

/// The recorded parts of the merge tests: two CPU profiles of different programs, a large real
/// one, and the first again (same bytes, another replica).
fn cpu_parts() -> Vec<Vec<u8>> {
    vec![
        data("collapse/inputs/cpu.pb.gz"),
        data("collapse-go/cpu.pb.gz"),
        data("collapse/inputs/proftest.large.cpu"),
        data("collapse/inputs/cpu.pb.gz"),
    ]
}

#[test]
fn merge_folds_to_the_sum_of_its_parts_and_splits_by_instance() {
    let parts = cpu_parts();
    let servers: Vec<Replay> = parts
        .iter()
        .map(|p| Replay::start(p.clone(), Duration::ZERO))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| write(dir.path(), &format!("part{i}.pb.gz"), p))
        .collect();
    let addrs: Vec<&str> = servers.iter().map(|s| s.addr.as_str()).collect();
    let mut args = vec!["-t", "1"];
    args.extend(&addrs);
    let output = fetch(&args);
    assert_ok(&output);
    assert_eq!(&output.stdout[..2], b"\x1f\x8b", "gzipped");
    let mut first_member = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&output.stdout[..]),
        &mut first_member,
    )
    .unwrap();
    assert_eq!(first_member, gunzip(&output.stdout), "one gzip member");
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
    let merged = write(dir.path(), "merged.pb.gz", &output.stdout);
    let file_refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    assert_eq!(fold(&[], &[&merged]), fold(&[], &file_refs));
    assert_eq!(
        fold(&["-i", "1"], &[&merged]),
        fold(&["-i", "1"], &file_refs)
    );
    let by_instance: Vec<(&str, &Path)> = addrs.iter().copied().zip(file_refs).collect();
    assert_eq!(
        fold(&["--tag-root", "instance"], &[&merged]),
        expected_by_instance(&by_instance)
    );
}

#[test]
fn without_instance_label_equal_samples_of_replicas_are_summed() {
    let part = data("collapse/inputs/cpu.pb.gz");
    let servers: Vec<Replay> = (0..3)
        .map(|_| Replay::start(part.clone(), Duration::ZERO))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let one = write(dir.path(), "one.pb.gz", &part);
    let mut args = vec!["--instance-label", ""];
    args.extend(servers.iter().map(|s| s.addr.as_str()));
    let output = fetch(&args);
    assert_ok(&output);
    let merged = write(dir.path(), "merged.pb.gz", &output.stdout);
    let tripled: BTreeMap<String, i128> = fold(&[], &[&one])
        .into_iter()
        .map(|(stack, value)| (stack, 3 * value))
        .collect();
    assert_eq!(fold(&[], &[&merged]), tripled);
    assert!(fold(&["--labels"], &[&merged])
        .keys()
        .all(|stack| !stack.contains("instance=")));
    // Summed, not listed three times: the merge is about as large as one part.
    let listed = fetch(&servers.iter().map(|s| s.addr.as_str()).collect::<Vec<_>>());
    assert_ok(&listed);
    let (summed, listed) = (gunzip(&output.stdout), gunzip(&listed.stdout));
    assert!(
        summed.len() * 2 < listed.len(),
        "{} {}",
        summed.len(),
        listed.len()
    );
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(bytes), &mut out).unwrap();
    out
}

#[test]
fn output_is_the_same_bytes_whatever_order_the_answers_arrive_in() {
    let parts = cpu_parts();
    let servers: Vec<Replay> = parts
        .iter()
        .map(|p| Replay::start(p.clone(), Duration::ZERO))
        .collect();
    let addrs: Vec<&str> = servers.iter().map(|s| s.addr.as_str()).collect();
    let run_with_delays = |delays: &[u64], label: &str| {
        for (server, &ms) in servers.iter().zip(delays) {
            server.set_delay(Duration::from_millis(ms));
        }
        let mut args = vec!["--instance-label", label];
        args.extend(&addrs);
        let output = fetch(&args);
        assert_ok(&output);
        output.stdout
    };
    for label in ["instance", ""] {
        let forward = run_with_delays(&[0, 100, 200, 300], label);
        let backward = run_with_delays(&[300, 200, 100, 0], label);
        assert!(forward == backward, "--instance-label {label:?}");
    }
}

#[test]
fn a_dead_target_fails_the_run_and_keep_going_merges_the_others() {
    let part = data("collapse/inputs/cpu.pb.gz");
    let a = Replay::start(part.clone(), Duration::ZERO);
    let b = Replay::start(part.clone(), Duration::ZERO);
    let dead = dead_port();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fleet.pb.gz");
    let out_arg = out.display().to_string();
    let strict = fetch(&[&a.addr, &dead, &b.addr, "-o", &out_arg]);
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    assert!(strict.stdout.is_empty());
    assert!(!out.exists(), "no -o file on failure");
    let text = stderr(&strict);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("pprof-fetch: cannot connect to http://{dead}/debug/pprof/profile?seconds=30: connection refused")),
        "{text}"
    );
    let on_stdout = fetch(&[&a.addr, &dead, &b.addr]);
    assert_eq!(on_stdout.status.code(), Some(1));
    assert!(on_stdout.stdout.is_empty(), "nothing on stdout on failure");

    let lenient = fetch(&["--keep-going", &a.addr, &dead, &b.addr, "-o", &out_arg]);
    assert_ok(&lenient);
    let text = stderr(&lenient);
    assert!(text.contains("connection refused"), "{text}");
    assert_eq!(
        text.lines().last().unwrap(),
        "pprof-fetch: warning: 1 of 3 targets failed; the profile merges the other 2"
    );
    let merged = fold(&["--tag-root", "instance"], &[&out]);
    assert!(merged
        .keys()
        .any(|s| s.starts_with(&format!("instance={};", a.addr))));
    assert!(merged
        .keys()
        .any(|s| s.starts_with(&format!("instance={};", b.addr))));
    assert!(!merged.keys().any(|s| s.contains(&dead)));

    let none = fetch(&["--keep-going", &dead, &dead_port()]);
    assert_eq!(none.status.code(), Some(1));
    assert!(none.stdout.is_empty());
}

#[test]
fn incompatible_kinds_are_an_error_naming_both_targets() {
    let heap = Replay::start(data("collapse/inputs/heap.pb.gz"), Duration::ZERO);
    let goroutine = Replay::start(data("collapse/inputs/goroutine.pb.gz"), Duration::ZERO);
    let heap_url = format!("http://{}/debug/pprof/heap", heap.addr);
    let goroutine_url = format!("http://{}/debug/pprof/goroutine", goroutine.addr);
    let output = fetch(&[&heap_url, &goroutine_url]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let text = stderr(&output);
    assert_eq!(
        text.lines().next().unwrap(),
        format!(
            "pprof-fetch: {goroutine_url}: incompatible profile: sample types [goroutine/count] \
             differ from [alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes] \
             of {heap_url}"
        )
    );
    let lenient = fetch(&["--keep-going", &heap_url, &goroutine_url]);
    assert_ok(&lenient);
    assert!(stderr(&lenient).contains("1 of 2 targets failed"));
}

#[test]
fn answers_that_are_no_profile_fail_their_target() {
    let good = Replay::start(data("collapse/inputs/cpu.pb.gz"), Duration::ZERO);
    let html = Replay::start_with(b"<html>login</html>".to_vec(), Duration::ZERO, "text/html");
    let mut cut = data("collapse/inputs/cpu.pb.gz");
    cut.truncate(cut.len() - 10);
    let cut = Replay::start(cut, Duration::ZERO);
    let output = fetch(&["--keep-going", &good.addr, &html.addr, &cut.addr]);
    assert_ok(&output);
    let text = stderr(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].ends_with(
            "not a profile: looks like an HTML page (the /debug/pprof/ index or an error page?)"
        ),
        "{text}"
    );
    assert!(lines[0].starts_with(&format!("pprof-fetch: http://{}/", html.addr)));
    assert!(
        lines[1].contains("incomplete profile: gzip data ends after"),
        "{text}"
    );
}

#[test]
fn usage_errors_come_before_any_request() {
    let server = Replay::start(data("collapse/inputs/cpu.pb.gz"), Duration::ZERO);
    let other = Replay::start(data("collapse/inputs/cpu.pb.gz"), Duration::ZERO);
    let url = format!("http://{}/debug/pprof/profile?seconds=30", server.addr);
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec![server.addr.clone(), other.addr.clone(), url.clone()],
            format!("pprof-fetch: target {url} is listed twice"),
        ),
        (
            vec![
                server.addr.clone(),
                format!("http://{}/debug/pprof/goroutine?debug=1", other.addr),
            ],
            format!(
                "pprof-fetch: several targets need pprof profiles; http://{}/debug/pprof/goroutine?debug=1 cannot be merged",
                other.addr
            ),
        ),
        (
            vec!["--profile".into(), "trace".into(), server.addr.clone(), other.addr.clone()],
            format!(
                "pprof-fetch: several targets need pprof profiles; http://{}/debug/pprof/trace?seconds=30 cannot be merged",
                server.addr
            ),
        ),
        (
            vec![server.addr.clone(), "ftp://x".into()],
            "pprof-fetch: invalid URL \"ftp://x\": unsupported scheme \"ftp\" (use http, https or https+insecure)".into(),
        ),
        (
            vec!["-j".into(), "0".into(), server.addr.clone(), other.addr.clone()],
            "pprof-fetch: invalid value '0' for '--jobs <N>': jobs must be an integer greater than 0".into(),
        ),
        (
            vec!["--targets".into(), "/nonexistent/targets.txt".into()],
            "pprof-fetch: cannot read targets file \"/nonexistent/targets.txt\": No such file or directory (os error 2)".into(),
        ),
    ];
    for (args, message) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = fetch(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stderr(&output).lines().next(), Some(message.as_str()));
    }
    let empty = run("pprof-fetch", &["--targets", "-"], b"# nobody\n\n");
    assert_eq!(empty.status.code(), Some(2));
    assert_eq!(
        stderr(&empty).lines().next(),
        Some("pprof-fetch: no targets in \"-\"")
    );
    assert_eq!(
        server.requests() + other.requests(),
        0,
        "no request was made"
    );
}

#[test]
fn targets_file_adds_to_the_command_line_and_jobs_bound_the_requests() {
    let part = data("collapse/inputs/cpu.pb.gz");
    let servers: Vec<Replay> = (0..4)
        .map(|_| Replay::start(part.clone(), Duration::from_millis(150)))
        .collect();
    let list = format!(
        "# replicas\n\n  {}\n{}/\n",
        servers[2].addr,
        format_args!("http://{}", servers[3].addr)
    );
    let started = Instant::now();
    let output = run(
        "pprof-fetch",
        &[
            "-j",
            "1",
            &servers[0].addr,
            &servers[1].addr,
            "--targets",
            "-",
        ],
        list.as_bytes(),
    );
    assert_ok(&output);
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "one at a time"
    );
    let dir = tempfile::tempdir().unwrap();
    let merged = write(dir.path(), "merged.pb.gz", &output.stdout);
    let roots: Vec<String> = fold(&["--tag-root", "instance"], &[&merged])
        .keys()
        .map(|s| s.split(';').next().unwrap().to_string())
        .collect();
    for server in &servers {
        assert!(roots.contains(&format!("instance={}", server.addr)));
        assert_eq!(server.requests(), 1);
        assert_eq!(server.most_at_once.load(Ordering::SeqCst), 1);
    }
}

#[test]
fn one_target_is_byte_for_byte_and_a_targets_file_of_one_is_a_fleet() {
    let part = data("collapse/inputs/cpu.pb.gz");
    let server = Replay::start(part.clone(), Duration::ZERO);
    let single = fetch(&[&server.addr]);
    assert_ok(&single);
    assert_eq!(single.stdout, part, "byte for byte, no merge, no label");
    let fleet = run("pprof-fetch", &["--targets", "-"], server.addr.as_bytes());
    assert_ok(&fleet);
    assert_ne!(fleet.stdout, part);
    let dir = tempfile::tempdir().unwrap();
    let merged = write(dir.path(), "merged.pb.gz", &fleet.stdout);
    let roots = fold(&["--tag-root", "instance"], &[&merged]);
    assert!(roots
        .keys()
        .all(|s| s.starts_with(&format!("instance={}", server.addr))));
}

/// `n` demo servers on loopback ports, started together (each is killed when dropped).
fn demos(n: usize) -> Vec<GoDemo> {
    go_demo::require_go();
    let starting: Vec<_> = (0..n)
        .map(|_| std::thread::spawn(|| GoDemo::start(&[])))
        .collect();
    starting.into_iter().map(|t| t.join().unwrap()).collect()
}

/// `go tool pprof -raw FILE`: pprof reads the profile and its validity checks pass.
fn go_pprof_raw(file: &Path) -> String {
    let output = Command::new(std::env::var("GO").unwrap_or_else(|_| "go".into()))
        .args(["tool", "pprof", "-raw"])
        .arg(file)
        .env("PPROF_TMPDIR", file.parent().unwrap())
        .output()
        .expect("run go tool pprof");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The acceptance case: CPU profiles of 2 s from 8 demo servers at once take about
/// one profile's duration, not 8, and merge into one valid profile covering all of them.
#[test]
#[ignore = "needs go"]
fn cpu_profiles_of_eight_demo_servers_take_one_profile_duration() {
    let demos = demos(8);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cpu.pb.gz");
    let mut args = vec![
        "-t".to_string(),
        "2".into(),
        "-o".into(),
        out.display().to_string(),
    ];
    args.extend(demos.iter().map(|d| d.addr.clone()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let started = Instant::now();
    let output = fetch(&args);
    let wall = started.elapsed();
    assert_ok(&output);
    // One profile's duration plus the merge; one after the other they would take 16 s. The
    // bound leaves room for a loaded machine.
    assert!(
        wall >= Duration::from_secs(2) && wall < Duration::from_secs(6),
        "8 profiles of 2 s took {wall:?}"
    );
    let raw = go_pprof_raw(&out);
    assert!(raw.starts_with("PeriodType: cpu nanoseconds"), "{raw}");
    let list = run(
        "pprof-collapse",
        &["--list", &out.display().to_string()],
        b"",
    );
    assert_ok(&list);
    let list = String::from_utf8(list.stdout).unwrap();
    let duration: f64 = list
        .lines()
        .find_map(|l| l.trim().strip_prefix("duration: "))
        .and_then(|d| d.trim_end_matches('s').parse().ok())
        .unwrap_or_else(|| panic!("no duration in {list}"));
    assert!(
        (16.0..20.0).contains(&duration),
        "the sum of 8 durations: {list}"
    );
}

/// Goroutine profiles of the demo servers: recorded one by one, then served again so the merge
/// can be compared with exactly the parts it merged; and fetched from the servers directly,
/// where the goroutines that never move (8 parked receivers) appear under every instance.
#[test]
#[ignore = "needs go"]
fn goroutine_profiles_of_demo_servers_merge_into_their_sum() {
    let demos = demos(8);
    let dir = tempfile::tempdir().unwrap();
    let mut replays = Vec::new();
    let mut files = Vec::new();
    for (i, demo) in demos.iter().enumerate() {
        let part = fetch(&["--profile", "goroutine", &demo.addr]);
        assert_ok(&part);
        files.push(write(dir.path(), &format!("part{i}.pb.gz"), &part.stdout));
        replays.push(Replay::start(part.stdout, Duration::ZERO));
    }
    let mut args = vec!["--profile", "goroutine"];
    args.extend(replays.iter().map(|r| r.addr.as_str()));
    let output = fetch(&args);
    assert_ok(&output);
    let merged = write(dir.path(), "merged.pb.gz", &output.stdout);
    let raw = go_pprof_raw(&merged);
    assert!(raw.contains("instance:["), "{raw}");
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    assert_eq!(fold(&[], &[&merged]), fold(&[], &refs));
    let by_instance: Vec<(&str, &Path)> =
        replays.iter().map(|r| r.addr.as_str()).zip(refs).collect();
    assert_eq!(
        fold(&["--tag-root", "instance"], &[&merged]),
        expected_by_instance(&by_instance)
    );

    let mut args = vec!["--profile", "goroutine"];
    args.extend(demos.iter().map(|d| d.addr.as_str()));
    let direct = fetch(&args);
    assert_ok(&direct);
    let direct = write(dir.path(), "direct.pb.gz", &direct.stdout);
    go_pprof_raw(&direct);
    let stacks = fold(&["--tag-root", "instance"], &[&direct]);
    for demo in &demos {
        let parked = format!(
            "instance={};main.parkedReceiver;runtime.chanrecv1;runtime.chanrecv;runtime.gopark",
            demo.addr
        );
        assert_eq!(stacks.get(&parked), Some(&8), "{parked}");
    }
}

/// Against real servers: a dead replica fails the run, `--keep-going` merges the others, and
/// a heap profile does not merge with a goroutine profile.
#[test]
#[ignore = "needs go"]
fn demo_fleet_with_a_dead_replica_and_mixed_kinds() {
    let demos = demos(3);
    let dead = dead_port();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fleet.pb.gz");
    let out_arg = out.display().to_string();
    let mut args = vec!["--profile", "heap", "-o", &out_arg, &dead];
    args.extend(demos.iter().map(|d| d.addr.as_str()));
    let strict = fetch(&args);
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    assert!(!out.exists() && strict.stdout.is_empty());
    assert!(stderr(&strict).contains("connection refused"));
    args.push("--keep-going");
    let lenient = fetch(&args);
    assert_ok(&lenient);
    assert_eq!(
        stderr(&lenient).lines().last(),
        Some("pprof-fetch: warning: 1 of 4 targets failed; the profile merges the other 3")
    );
    let raw = go_pprof_raw(&out);
    for demo in &demos {
        assert!(raw.contains(&format!("instance:[{}]", demo.addr)), "{raw}");
    }
    let heap = demos[0].url("/debug/pprof/heap");
    let goroutine = demos[1].url("/debug/pprof/goroutine");
    let mixed = fetch(&[&heap, &goroutine]);
    assert_eq!(mixed.status.code(), Some(1));
    let text = stderr(&mixed);
    assert!(
        text.starts_with(&format!("pprof-fetch: {goroutine}: incompatible profile: sample types [goroutine/count] differ from ["))
            && text.lines().next().unwrap().ends_with(&format!("of {heap}")),
        "{text}"
    );
}
