use chrono::{DateTime, NaiveTime, Utc};
use diesel::prelude::*;

use super::kinds::{ContactRule, PickupNumberKind, PickupProofKind};
use super::schema::tenants;

#[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = tenants)]
pub struct Tenant {
    pub id: i64,
    #[diesel(embed)]
    pub settings: TenantSettings,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set up and trained on, not live: every page and mail says 研修用.
    pub training: bool,
}

impl std::ops::Deref for Tenant {
    type Target = TenantSettings;
    fn deref(&self) -> &TenantSettings {
        &self.settings
    }
}

/// The settings a tenant file sets; also the tenant's insert and update set.
#[derive(
    Queryable, Selectable, Insertable, AsChangeset, serde::Serialize, Debug, Clone, PartialEq,
)]
#[diesel(table_name = tenants)]
pub struct TenantSettings {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub hold_minutes: i32,
    pub booking_opens_days: i32,
    pub cutoff_days_before: i32,
    pub cutoff_time: NaiveTime,
    pub change_deadline_days_before: i32,
    pub change_deadline_time: NaiveTime,
    pub deadlines_skip_closed_days: bool,
    pub max_party_size: i32,
    pub pickup_number_kind: PickupNumberKind,
    pub pickup_proof_kind: PickupProofKind,
    pub allow_transfers: bool,
    pub closed_on_national_holidays: bool,
    pub closed_over_new_year: bool,
    pub slot_horizon_days: i32,
    pub contact_email: ContactRule,
    pub contact_phone: ContactRule,
    pub contact_name: ContactRule,
    pub inquiry_phone: String,
    pub notice_ja: String,
    pub notice_en: String,
    pub maintenance_ja: String,
    pub maintenance_en: String,
    pub staff_idle_minutes: i32,
    pub staff_password_min_length: i32,
    pub staff_password_mixed: bool,
    pub staff_networks: Vec<String>,
}

impl Tenant {
    /// The tenant of `code`, naming it at once as the one whose rows this connection may
    /// see (`act_for_tenant`): one round trip for both.
    pub fn by_code_acting_for(conn: &mut PgConnection, code: &str) -> QueryResult<Option<Tenant>> {
        let found: Option<(Tenant, String)> = tenants::table
            .filter(tenants::code.eq(code))
            .select((
                Tenant::as_select(),
                diesel::dsl::sql::<diesel::sql_types::Text>(
                    "set_config('madoguchi.tenant_id', tenants.id::text, false)",
                ),
            ))
            .first(conn)
            .optional()?;
        Ok(found.map(|(tenant, _)| tenant))
    }

    pub fn by_code(conn: &mut PgConnection, code: &str) -> QueryResult<Option<Tenant>> {
        tenants::table
            .filter(tenants::code.eq(code))
            .select(Tenant::as_select())
            .first(conn)
            .optional()
    }

    pub fn by_id(conn: &mut PgConnection, id: i64) -> QueryResult<Tenant> {
        tenants::table
            .find(id)
            .select(Tenant::as_select())
            .first(conn)
    }

    /// Takes the tenant row's lock until the transaction ends: settings are changed one
    /// save at a time.
    pub fn lock(conn: &mut PgConnection, id: i64) -> QueryResult<()> {
        tenants::table
            .find(id)
            .select(tenants::id)
            .for_update()
            .first::<i64>(conn)
            .map(|_| ())
    }

    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Tenant>> {
        tenants::table
            .order(tenants::code)
            .select(Tenant::as_select())
            .load(conn)
    }
}

/// The header names this tenant's card files use for standard columns (standard → file).
pub fn card_column_names(
    conn: &mut PgConnection,
    tenant_id: i64,
) -> QueryResult<std::collections::BTreeMap<String, String>> {
    use super::schema::tenant_card_columns as names;
    Ok(names::table
        .filter(names::tenant_id.eq(tenant_id))
        .select((names::standard_name, names::file_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}
