pub mod tenant_home;
pub mod tenant_list;
