//! The Go demo server starts, serves pprof and its load handler.
mod common;

use common::go_demo::GoDemo;

#[test]
#[ignore = "needs go"]
fn go_demo_serves_pprof_and_load() {
    let demo = GoDemo::start(&[]);
    assert!(demo.addr.starts_with("127.0.0.1:"), "{}", demo.addr);
    let (status, body) = demo.get("/work?n=1");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).trim().parse::<u64>().is_ok());
    let (status, body) = demo.get("/debug/pprof/heap");
    assert_eq!(status, 200);
    assert_eq!(&body[..2], b"\x1f\x8b", "heap profile is gzip");
    let (status, body) = demo.get("/debug/pprof/goroutine?debug=1");
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("main.parkedReceiver"), "{text}");
    assert!(text.contains("main.lockedThreadWorker"), "{text}");
}

#[test]
#[ignore = "needs go"]
fn go_demo_honours_write_timeout() {
    let demo = GoDemo::start(&["-write-timeout", "2s"]);
    let (status, body) = demo.get("/debug/pprof/profile?seconds=5");
    assert_eq!(status, 400);
    assert_eq!(body, b"profile duration exceeds server's WriteTimeout\n");
}
