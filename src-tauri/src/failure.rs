//! An error as the window gets it: the core's code and parameters, which the window words in its
//! own language from its message catalogue (`ui/src/lib/i18n.ts`, `errorText`), and the core's
//! English line beside them as a fallback. The shell's own few messages (no workspace open yet, a
//! dialog that failed) have no code and show as their line.

use serde::Serialize;
use ts_rs::TS;

/// What a command that failed returns to the window.
#[derive(Debug, Serialize, TS)]
pub struct Failure {
    /// The core's error as a code and its parameters; none for the shell's own messages.
    pub error: Option<mellanrum::Error>,
    /// The error's line in English (`Display`), as the command line would print it.
    pub message: String,
}

impl From<mellanrum::Error> for Failure {
    fn from(e: mellanrum::Error) -> Failure {
        Failure { message: e.to_string(), error: Some(e) }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure { error: None, message }
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        Failure { error: None, message: message.to_string() }
    }
}
