//! Integration tests against the real server, a real PostgreSQL and real HTTP.

mod helpers;

mod api_errors;
mod archive;
mod booking_flow;
mod booking_rules;
mod card_import;
mod consistency;
mod console;
mod documents;
mod embedded_server;
mod error_pages;
mod hostile_input;
mod idempotency;
mod languages;
mod layout;
mod lifecycle;
mod mail;
mod migration;
mod operations;
mod pages;
mod races;
mod resident_input;
mod resident_pages;
mod retention;
mod schema;
mod security;
mod slot_generation;
mod tenant_file;
mod training;
