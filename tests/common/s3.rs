//! A real S3-compatible server for the team-remote tests: moto, started from
//! `tests/support/s3_server.py`, one per test. moto comes from PyPI: `.ci/run`
//! installs it, and so does the first test here on a machine without it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;

/// The bucket every server starts with.
pub const BUCKET: &str = "team-cache";

pub struct S3Server {
    child: Child,
    port: u16,
}

impl S3Server {
    pub fn start() -> S3Server {
        S3Server::with_args(&[], &[])
    }

    /// A server that answers every `n`th request 500.
    pub fn failing_every(n: u32) -> S3Server {
        S3Server::with_args(&["--fail-every", &n.to_string()], &[])
    }

    /// A server that holds every answer `ms` milliseconds.
    pub fn slow(ms: u32) -> S3Server {
        S3Server::with_args(&["--delay-ms", &ms.to_string()], &[])
    }

    /// A server that checks access keys (moto's IAM, which knows none of ours).
    pub fn checking_credentials() -> S3Server {
        S3Server::with_args(&[], &[("INITIAL_NO_AUTH_ACTION_COUNT", "1")])
    }

    fn with_args(extra: &[&str], env: &[(&str, &str)]) -> S3Server {
        install_moto();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/s3_server.py");
        let mut child = Command::new("python3")
            .envs(env.iter().copied())
            .arg(script)
            .args(["--bucket", BUCKET])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs tests/support/s3_server.py (moto[server] is installed by .ci/run)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("PORT ").and_then(|p| p.parse().ok()).unwrap_or_else(|| {
            let _ = child.kill();
            panic!("the S3 server did not start (printed {line:?}); is moto[server] installed?")
        });
        S3Server { child, port }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The remote flags for the team prefix at `version`.
    pub fn flags(&self, version: &str) -> Vec<String> {
        ["--remote", &format!("s3://{BUCKET}/team"), "--remote-endpoint", &self.endpoint(), "--remote-version", version]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// A client of the bucket, for tests that tamper with objects.
    pub fn client(&self) -> impl ObjectStore {
        AmazonS3Builder::new()
            .with_bucket_name(BUCKET)
            .with_region("us-east-1")
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .with_endpoint(self.endpoint())
            .with_allow_http(true)
            .build()
            .unwrap()
    }
}

/// Installs moto's server from PyPI once, if python3 cannot import it.
fn install_moto() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let importable = |python: &mut Command| python.args(["-c", "import moto.server, flask_cors"]).status();
        if importable(&mut Command::new("python3")).is_ok_and(|s| s.success()) {
            return;
        }
        let installed = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "moto[server]>=5.1,<6"])
            .status()
            .expect("python3 runs pip");
        assert!(installed.success(), "installing moto[server] from PyPI failed");
    });
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Environment for a machine of the team: test credentials, no config file,
/// no remote from the caller's environment.
pub fn team_env(command: &mut Command) -> &mut Command {
    command
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("THETABENCH_CONFIG", "/nonexistent/thetabench-config.toml")
        .env_remove("THETABENCH_REMOTE")
        .env_remove("THETABENCH_REMOTE_ENDPOINT")
        .env_remove("THETABENCH_REMOTE_MODE")
        .env_remove("THETABENCH_REMOTE_VERSION")
}
