//! A minimal W3C WebDriver client over `ureq`, just enough to drive headless Chromium through
//! chromedriver: navigate, run scripts, real pointer and key input, user prompts.

use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// WebDriver's key code for the Control key.
pub const CONTROL: &str = "\u{E009}";
/// WebDriver's key code for F3.
pub const F3: &str = "\u{E033}";

/// One chromedriver process with one browser session; both end when this is dropped.
pub struct Browser {
    driver: Child,
    agent: ureq::Agent,
    session: String,
    _profile: TempDir,
}

/// A directory removed on drop (the browser profile).
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Browser {
    /// Starts `chromedriver` and a headless `chromium` session with a fresh profile in `scratch`.
    pub fn start(chromium: &Path, chromedriver: &Path, scratch: &Path) -> Result<Browser, String> {
        let port = free_port()?;
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", chromedriver.display()))?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let profile = scratch.join(format!("chromium-profile-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).map_err(|e| e.to_string())?;
        let mut browser = Browser {
            driver,
            agent,
            session: String::new(),
            _profile: TempDir(profile.clone()),
        };
        browser.wait_ready(port)?;
        browser.session = format!("http://127.0.0.1:{port}/session");
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1400,1200",
        ];
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "unhandledPromptBehavior": "ignore",
            "goog:chromeOptions": {"binary": chromium, "args": args},
        }}});
        let created = browser.request("POST", "", Some(caps))?;
        let id = created["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {created}"))?;
        browser.session = format!("{}/{id}", browser.session);
        Ok(browser)
    }

    fn wait_ready(&self, port: u16) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let url = format!("http://127.0.0.1:{port}/status");
        while Instant::now() < deadline {
            if let Ok(mut r) = self.agent.get(&url).call() {
                if let Ok(text) = r.body_mut().read_to_string() {
                    if text.contains("\"ready\":true") {
                        return Ok(());
                    }
                }
            }
            sleep(Duration::from_millis(50));
        }
        Err("chromedriver did not become ready within 20 s".into())
    }

    /// One WebDriver command; returns its `value` or the WebDriver error as text.
    fn request(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.session);
        let response = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, body) => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.unwrap_or_else(|| json!({})).to_string()),
        };
        let mut response = response.map_err(|e| format!("{method} {url}: {e}"))?;
        let ok = response.status().is_success();
        let text = response
            .body_mut()
            .with_config()
            .limit(256 << 20)
            .read_to_string()
            .map_err(|e| format!("{method} {url}: {e}"))?;
        let reply: Value =
            serde_json::from_str(&text).map_err(|e| format!("{url}: {e}: {text}"))?;
        if ok {
            Ok(reply["value"].clone())
        } else {
            Err(format!("{method} {path}: {}", reply["value"]))
        }
    }

    /// Loads `url` and waits for its load event.
    pub fn goto(&self, url: &str) -> Result<(), String> {
        self.request("POST", "/url", Some(json!({ "url": url })))
            .map(drop)
    }

    /// The current document URL.
    pub fn url(&self) -> Result<String, String> {
        let v = self.request("GET", "/url", None)?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// The number of open windows and tabs.
    pub fn window_count(&self) -> Result<usize, String> {
        let v = self.request("GET", "/window/handles", None)?;
        Ok(v.as_array().map_or(0, |a| a.len()))
    }

    /// Runs `body` as a function with `arguments`; returns its result.
    pub fn eval(&self, body: &str, args: Value) -> Result<Value, String> {
        self.request(
            "POST",
            "/execute/sync",
            Some(json!({"script": body, "args": args})),
        )
    }

    /// Runs `body` as an async function: it calls `arguments[arguments.length - 1](result)`.
    pub fn eval_async(&self, body: &str, args: Value) -> Result<Value, String> {
        self.request(
            "POST",
            "/execute/async",
            Some(json!({"script": body, "args": args})),
        )
    }

    /// Performs input actions, then releases keys and buttons. An action that opens a user
    /// prompt leaves the release to the prompt's answer.
    fn actions(&self, sources: Value) -> Result<(), String> {
        let done = self
            .request("POST", "/actions", Some(json!({ "actions": sources })))
            .and_then(|_| self.request("DELETE", "/actions", None));
        match done {
            Err(e) if e.contains("unexpected alert open") => Ok(()),
            other => other.map(drop),
        }
    }

    /// Moves the mouse to viewport position (x, y).
    pub fn hover(&self, x: f64, y: f64) -> Result<(), String> {
        self.actions(json!([pointer(vec![move_to(x, y)])]))
    }

    /// A real left click at viewport position (x, y), optionally with Control held.
    pub fn click(&self, x: f64, y: f64, ctrl: bool) -> Result<(), String> {
        let down = json!({"type": "pointerDown", "button": 0});
        let up = json!({"type": "pointerUp", "button": 0});
        let pause = json!({"type": "pause", "duration": 0});
        if !ctrl {
            return self.actions(json!([pointer(vec![move_to(x, y), down, up])]));
        }
        let keys = vec![
            json!({"type": "keyDown", "value": CONTROL}),
            pause.clone(),
            pause.clone(),
            pause,
            json!({"type": "keyUp", "value": CONTROL}),
        ];
        let mouse = vec![
            json!({"type": "pause", "duration": 0}),
            move_to(x, y),
            down,
            up,
        ];
        self.actions(json!([keyboard(keys), pointer(mouse)]))
    }

    /// Presses `key` (a character or a WebDriver key code), with Control held when `ctrl`.
    pub fn key(&self, key: &str, ctrl: bool) -> Result<(), String> {
        let mut keys = vec![
            json!({"type": "keyDown", "value": key}),
            json!({"type": "keyUp", "value": key}),
        ];
        if ctrl {
            keys.insert(0, json!({"type": "keyDown", "value": CONTROL}));
            keys.push(json!({"type": "keyUp", "value": CONTROL}));
        }
        self.actions(json!([keyboard(keys)]))
    }

    /// The text of the open user prompt, waiting up to 5 s for it to open.
    pub fn prompt_text(&self) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.request("GET", "/alert/text", None) {
                Ok(v) => return Ok(v.as_str().unwrap_or_default().to_string()),
                Err(e) if e.contains("no such alert") && Instant::now() < deadline => {
                    sleep(Duration::from_millis(20))
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Types `answer` into the open prompt and accepts it.
    pub fn answer_prompt(&self, answer: &str) -> Result<(), String> {
        self.request("POST", "/alert/text", Some(json!({ "text": answer })))?;
        self.request("POST", "/alert/accept", None)?;
        self.request("DELETE", "/actions", None).map(drop)
    }

    /// Resizes the browser window (outer size, CSS px).
    pub fn set_window_size(&self, width: u32, height: u32) -> Result<(), String> {
        let size = json!({ "width": width, "height": height });
        self.request("POST", "/window/rect", Some(size)).map(drop)
    }

    /// Runs a Chrome DevTools Protocol command (chromedriver's extension).
    pub fn cdp(&self, cmd: &str, params: Value) -> Result<Value, String> {
        let body = json!({ "cmd": cmd, "params": params });
        self.request("POST", "/goog/cdp/execute", Some(body))
    }

    /// Cancels the open prompt.
    pub fn cancel_prompt(&self) -> Result<(), String> {
        self.request("POST", "/alert/dismiss", None)?;
        self.request("DELETE", "/actions", None).map(drop)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if self.session.contains("/session/") {
            let _ = self.request("DELETE", "", None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn move_to(x: f64, y: f64) -> Value {
    json!({"type": "pointerMove", "duration": 0, "origin": "viewport",
           "x": x.round() as i64, "y": y.round() as i64})
}

fn pointer(steps: Vec<Value>) -> Value {
    json!({"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": steps})
}

fn keyboard(steps: Vec<Value>) -> Value {
    json!({"type": "key", "id": "keyboard", "actions": steps})
}
