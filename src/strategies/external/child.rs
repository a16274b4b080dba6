//! The strategy's process: lines to its stdin, lines from its stdout, its
//! stderr forwarded to the log, and a watchdog that kills it when an answer is
//! late (a read then ends, and the lateness is reported as such).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::{ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::ExternalError;

/// Lines of the child's stderr kept for an error report.
const STDERR_TAIL: usize = 20;
/// How long a stopped child has to exit before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(2);

pub struct Child {
    process: Arc<Mutex<std::process::Child>>,
    stdin: BufWriter<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    line: String,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    watchdog: Arc<Watchdog>,
    timeout: Duration,
}

/// The deadline of the answer being waited for, in milliseconds after `epoch`
/// (0: none). Checked every few milliseconds by its own thread.
struct Watchdog {
    epoch: Instant,
    deadline_ms: AtomicU64,
    fired: AtomicBool,
    done: AtomicBool,
}

impl Child {
    /// Starts `python3 -m thetabench.runner FILE` with the SDK at `sdk_dir`
    /// first on its path; `label` prefixes its stderr lines in the log.
    pub fn spawn(
        python: &str,
        sdk_dir: &Path,
        file: &Path,
        extra: &[&str],
        label: String,
        timeout: Duration,
        cpu: Option<usize>,
    ) -> Result<Child, ExternalError> {
        let mut path = sdk_dir.as_os_str().to_owned();
        if let Some(existing) = std::env::var_os("PYTHONPATH").filter(|p| !p.is_empty()) {
            path.push(if cfg!(windows) { ";" } else { ":" });
            path.push(existing);
        }
        let mut command = Command::new(python);
        if let Some(cpu) = cpu {
            command.env("THETABENCH_CPU", cpu.to_string());
        }
        let mut process = command
            .args(["-u", "-m", "thetabench.runner"])
            .arg(file)
            .args(extra)
            .env("PYTHONPATH", path)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => ExternalError::NoPython(python.to_string()),
                _ => ExternalError::Io(format!("starting {python}: {e}")),
            })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (process.stdin.take(), process.stdout.take(), process.stderr.take())
        else {
            return Err(ExternalError::Io("the strategy's pipes were not opened".into()));
        };
        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        forward_stderr(stderr, label, stderr_tail.clone());
        let process = Arc::new(Mutex::new(process));
        let watchdog = Arc::new(Watchdog {
            epoch: Instant::now(),
            deadline_ms: AtomicU64::new(0),
            fired: AtomicBool::new(false),
            done: AtomicBool::new(false),
        });
        watch(watchdog.clone(), process.clone());
        Ok(Child {
            process,
            stdin: BufWriter::new(stdin),
            stdout: BufReader::new(stdout),
            line: String::new(),
            stderr_tail,
            watchdog,
            timeout,
        })
    }

    /// Writes one line (a JSON message without its newline).
    pub fn send(&mut self, message: &[u8]) -> Result<(), ExternalError> {
        let written = self.stdin.write_all(message).and_then(|()| self.stdin.write_all(b"\n"));
        written.and_then(|()| self.stdin.flush()).map_err(|_| self.gone("stopped reading its input"))
    }

    /// Starts the clock for the next answer (an iteration's, or the handshake's).
    pub fn arm(&self) {
        let deadline = self.watchdog.epoch.elapsed() + self.timeout;
        self.watchdog.deadline_ms.store(deadline.as_millis().max(1) as u64, Ordering::Relaxed);
    }

    pub fn disarm(&self) {
        self.watchdog.deadline_ms.store(0, Ordering::Relaxed);
    }

    /// The next line from the child, without its newline.
    pub fn receive(&mut self) -> Result<&str, ExternalError> {
        self.line.clear();
        match self.stdout.read_line(&mut self.line) {
            Ok(0) | Err(_) if self.watchdog.fired.load(Ordering::Relaxed) => Err(ExternalError::Timeout(self.timeout)),
            Ok(0) => Err(self.gone("exited")),
            Err(e) => Err(self.gone(&format!("could not be read ({e})"))),
            Ok(_) => Ok(self.line.trim_end_matches(['\n', '\r'])),
        }
    }

    /// The child is gone or deaf: its exit status and last stderr lines say why.
    pub fn gone(&self, what: &str) -> ExternalError {
        let status = self.wait_briefly();
        ExternalError::Exited { what: what.to_string(), status, stderr: self.stderr_tail() }
    }

    pub fn stderr_tail(&self) -> String {
        // Give the forwarding thread a moment to drain what the child wrote last.
        std::thread::sleep(Duration::from_millis(20));
        self.stderr_tail.lock().map(|tail| tail.iter().cloned().collect::<Vec<_>>().join("\n")).unwrap_or_default()
    }

    fn wait_briefly(&self) -> String {
        let started = Instant::now();
        while started.elapsed() < EXIT_GRACE {
            if let Ok(Some(status)) = self.process.lock().map(|mut p| p.try_wait().ok().flatten()) {
                return status.to_string();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        "still running".to_string()
    }

    /// Waits for the child to exit on its own for a moment, then kills it.
    pub fn finish(&mut self) {
        self.disarm();
        let started = Instant::now();
        while started.elapsed() < EXIT_GRACE {
            match self.process.lock().map(|mut p| p.try_wait()) {
                Ok(Ok(None)) => std::thread::sleep(Duration::from_millis(5)),
                _ => return,
            }
        }
        self.kill();
    }

    pub fn kill(&self) {
        if let Ok(mut process) = self.process.lock() {
            let _ = process.kill();
            let _ = process.wait();
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        self.watchdog.done.store(true, Ordering::Relaxed);
        self.kill();
    }
}

fn forward_stderr(stderr: std::process::ChildStderr, label: String, tail: Arc<Mutex<VecDeque<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            tracing::info!(target: "thetabench::strategy", "{label}: {line}");
            if let Ok(mut tail) = tail.lock() {
                if tail.len() == STDERR_TAIL {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        }
    });
}

fn watch(watchdog: Arc<Watchdog>, process: Arc<Mutex<std::process::Child>>) {
    std::thread::spawn(move || {
        while !watchdog.done.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
            let deadline = watchdog.deadline_ms.load(Ordering::Relaxed);
            if deadline != 0 && watchdog.epoch.elapsed().as_millis() as u64 > deadline {
                watchdog.fired.store(true, Ordering::Relaxed);
                if let Ok(mut process) = process.lock() {
                    let _ = process.kill();
                }
                return;
            }
        }
    });
}
