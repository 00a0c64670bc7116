pub mod booking;
pub mod console;
pub mod document;
pub mod manage;
pub mod message;
pub mod tenant_home;
pub mod tenant_list;
