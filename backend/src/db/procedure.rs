use diesel::prelude::*;

use super::schema::procedures;

#[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = procedures)]
pub struct Procedure {
    pub id: i64,
    pub tenant_id: i64,
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
    pub needs_card: bool,
    pub notes_ja: String,
    pub notes_en: String,
    pub sort_order: i32,
    pub active: bool,
    /// Booked only through the call centre: absent from the resident pages and the API.
    pub phone_only: bool,
    /// The procedure's own change/cancel deadline (days before, time); none: the city's.
    pub change_days_before: Option<i32>,
    pub change_at: Option<chrono::NaiveTime>,
}

#[derive(Insertable, AsChangeset, serde::Serialize, Debug, Clone, PartialEq)]
#[diesel(table_name = procedures)]
pub struct ProcedureFields {
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
    pub needs_card: bool,
    pub notes_ja: String,
    pub notes_en: String,
    pub sort_order: i32,
    pub active: bool,
    /// Booked only through the call centre: absent from the resident pages and the API.
    pub phone_only: bool,
    /// The procedure's own change/cancel deadline (days before, time); none: the city's.
    pub change_days_before: Option<i32>,
    pub change_at: Option<chrono::NaiveTime>,
}

impl Procedure {
    pub fn fields(&self) -> ProcedureFields {
        ProcedureFields {
            code: self.code.clone(),
            name_ja: self.name_ja.clone(),
            name_en: self.name_en.clone(),
            needs_card: self.needs_card,
            notes_ja: self.notes_ja.clone(),
            notes_en: self.notes_en.clone(),
            sort_order: self.sort_order,
            active: self.active,
            phone_only: self.phone_only,
            change_days_before: self.change_days_before,
            change_at: self.change_at,
        }
    }

    pub fn for_tenant(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<Vec<Procedure>> {
        procedures::table
            .filter(procedures::tenant_id.eq(tenant_id))
            .order((procedures::sort_order, procedures::code))
            .select(Procedure::as_select())
            .load(conn)
    }

    pub fn active_by_code(
        conn: &mut PgConnection,
        tenant_id: i64,
        code: &str,
    ) -> QueryResult<Option<Procedure>> {
        procedures::table
            .filter(procedures::tenant_id.eq(tenant_id))
            .filter(procedures::code.eq(code))
            .filter(procedures::active.eq(true))
            .select(Procedure::as_select())
            .first(conn)
            .optional()
    }

    /// A procedure residents may book themselves (active, not phone-only).
    pub fn online_by_code(
        conn: &mut PgConnection,
        tenant_id: i64,
        code: &str,
    ) -> QueryResult<Option<Procedure>> {
        Ok(Procedure::active_by_code(conn, tenant_id, code)?.filter(|p| !p.phone_only))
    }

    pub fn by_id(conn: &mut PgConnection, tenant_id: i64, id: i64) -> QueryResult<Procedure> {
        procedures::table
            .filter(procedures::tenant_id.eq(tenant_id))
            .find(id)
            .select(Procedure::as_select())
            .first(conn)
    }
}
