//! # stemma-eval (being written)
