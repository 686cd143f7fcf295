//! The library's error type. Every variant that comes from the user's input names the
//! source (file or stream), and where known the line, column and field, so the CLI can
//! print one useful line and exit with code 2.

use std::path::PathBuf;

/// Where a piece of input came from: a file, standard input, or a command-line argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Stdin,
    Argument(&'static str),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Stdin => f.write_str("<stdin>"),
            Source::Argument(name) => write!(f, "argument {name}"),
        }
    }
}

/// A position inside an input: line and column are 1-based; either may be unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Position {
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, ":{line}:{column}"),
            (Some(line), None) => write!(f, ":{line}"),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Malformed or invalid user input: exit code 2.
    #[error("{origin}{position}: {}{message}", field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
    Input {
        origin: Source,
        position: Position,
        field: Option<String>,
        message: String,
    },

    /// A request the tool cannot satisfy as asked (an unknown engine, a limit too small): exit code 2.
    #[error("{0}")]
    Usage(String),

    #[error("{path}: {err}")]
    Io {
        path: PathBuf,
        #[source]
        err: std::io::Error,
    },

    #[error("template {name}: {message}")]
    Template { name: String, message: String },

    #[error("model: {0}")]
    Model(String),

    /// A `bench` measurement that could not be taken (a timed run failed): exit code 1.
    #[error("bench: {0}")]
    Bench(String),

    #[error(transparent)]
    Store(#[from] nw_store::StoreError),

    /// `check --min-score N` and the note scored lower: exit code 1, like a failing linter.
    #[error("score {score} is below the minimum of {min}")]
    BelowMinScore { score: u8, min: u8 },

    /// `check --input FILE --min-score N` and some notes scored lower: exit code 1.
    #[error("{below} of {total} notes scored below the minimum of {min}")]
    NotesBelowMinScore { below: usize, total: usize, min: u8 },
}

impl Error {
    pub fn input(source: Source, message: impl Into<String>) -> Self {
        Error::Input {
            origin: source,
            position: Position::default(),
            field: None,
            message: message.into(),
        }
    }

    pub fn input_at(
        source: Source,
        line: Option<usize>,
        column: Option<usize>,
        field: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Input {
            origin: source,
            position: Position { line, column },
            field,
            message: message.into(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            err,
        }
    }

    /// Whether this is a write to a closed pipe (`notewright … | head -1`): the reader has all it
    /// wants, so the CLI ends quietly with success, as ripgrep and other Unix tools do.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { err, .. } if err.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// The process exit code this error maps to: 2 for anything the user can fix in their input
    /// or invocation, 0 for a closed output pipe (see [`Error::is_broken_pipe`]), 1 for
    /// everything else.
    /// The input line an error points at, if any.
    pub fn line(&self) -> Option<usize> {
        match self {
            Error::Input { position, .. } => position.line,
            _ => None,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            _ if self.is_broken_pipe() => 0,
            // Built-in templates are tested; a template error comes from the user's --prompts.
            Error::Input { .. } | Error::Usage(_) | Error::Template { .. } => 2,
            Error::Io { err, .. } if err.kind() == std::io::ErrorKind::NotFound => 2,
            Error::Store(e) => store_exit_code(e),
            _ => 1,
        }
    }
}

/// Store errors the user fixes (unknown model, a file that is not a known model, a corrupt
/// download) are usage errors; I/O and network failures are not.
fn store_exit_code(err: &nw_store::StoreError) -> i32 {
    use nw_store::StoreError as S;
    match err {
        S::UnknownModel { .. }
        | S::UnknownFile { .. }
        | S::NotInstalled { .. }
        | S::HashMismatch { .. }
        | S::SizeMismatch { .. }
        | S::Wheel { .. }
        | S::WheelContents { .. }
        | S::NoModelForRole { .. } => 2,
        _ => 1,
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
