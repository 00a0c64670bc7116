//! Plain data the pages render; filled by the backend.

use crate::i18n::Lang;

#[derive(Clone, Debug)]
pub struct TenantHomeVm {
    pub lang: Lang,
    pub tenant_code: String,
    pub tenant_name: String,
    pub locations: Vec<LocationVm>,
    pub procedures: Vec<ProcedureVm>,
}

#[derive(Clone, Debug)]
pub struct LocationVm {
    pub code: String,
    pub name: String,
    pub address: String,
    pub issues_cards: bool,
}

#[derive(Clone, Debug)]
pub struct ProcedureVm {
    pub code: String,
    pub name: String,
    pub notes: String,
    pub needs_card: bool,
}

#[derive(Clone, Debug)]
pub struct TenantListVm {
    pub lang: Lang,
    pub tenants: Vec<TenantLinkVm>,
}

#[derive(Clone, Debug)]
pub struct TenantLinkVm {
    pub code: String,
    pub name: String,
}
