mod problems;
pub use problems::{ConfigProblem, Problems};
