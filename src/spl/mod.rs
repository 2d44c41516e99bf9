//! The SPL front end: text → syntax tree (`parse`) → IR (`lower`).

pub mod ast;
pub mod command;
pub mod datamodel;
pub mod expr;
pub mod lex;
pub mod lower;
pub mod macros;
pub mod parse;
pub mod search;

pub use parse::query as parse;
