//! IR → SQL (to be written).
