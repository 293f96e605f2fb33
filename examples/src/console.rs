//! Writing to standard output without panicking: `println!` panics when the
//! write fails (a full disk behind `> file`, `/dev/full`, a closed pipe);
//! [`outln!`](crate::outln) and [`out!`](crate::out) return the failure as
//! [`ExampleError::Stdout`], which `cli::run` reports like any other error.

use crate::error::ExampleError;
use std::io::Write;

/// Writes `args` to standard output and flushes it, so that a failure
/// shows at this line rather than at exit.
pub fn write(args: std::fmt::Arguments<'_>) -> Result<(), ExampleError> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args).and_then(|()| out.flush()).map_err(ExampleError::Stdout)
}

/// `println!` that returns a failed write as [`ExampleError::Stdout`]
/// instead of panicking: `outln!("loss {loss:.4}")?;`.
#[macro_export]
macro_rules! outln {
    () => {
        $crate::console::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::console::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` that returns a failed write as [`ExampleError::Stdout`].
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::console::write(format_args!($($arg)*))
    };
}
