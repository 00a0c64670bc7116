use diesel::prelude::*;

use super::schema::{lane_procedures, locations};

#[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = locations)]
pub struct Location {
    pub id: i64,
    pub tenant_id: i64,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub address: String,
    pub issues_cards: bool,
    pub active: bool,
    pub access_ja: String,
    pub access_en: String,
    /// A map link the city chose; empty: one is made from the address.
    pub map_url: String,
}

#[derive(Insertable, AsChangeset, serde::Serialize, Debug, Clone, PartialEq)]
#[diesel(table_name = locations)]
pub struct LocationFields {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub address: String,
    pub issues_cards: bool,
    pub active: bool,
    pub access_ja: String,
    pub access_en: String,
    pub map_url: String,
}

impl Location {
    pub fn fields(&self) -> LocationFields {
        LocationFields {
            code: self.code.clone(),
            name: self.name.clone(),
            name_en: self.name_en.clone(),
            address: self.address.clone(),
            issues_cards: self.issues_cards,
            active: self.active,
            access_ja: self.access_ja.clone(),
            access_en: self.access_en.clone(),
            map_url: self.map_url.clone(),
        }
    }

    /// The link to a map of this location: the city's own, or a search for its address.
    pub fn map_href(&self) -> String {
        if self.map_url.is_empty() {
            crate::domain::input::map_link(&self.address)
        } else {
            self.map_url.clone()
        }
    }

    pub fn for_tenant(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<Vec<Location>> {
        locations::table
            .filter(locations::tenant_id.eq(tenant_id))
            .order(locations::code)
            .select(Location::as_select())
            .load(conn)
    }

    pub fn active_by_code(
        conn: &mut PgConnection,
        tenant_id: i64,
        code: &str,
    ) -> QueryResult<Option<Location>> {
        locations::table
            .filter(locations::tenant_id.eq(tenant_id))
            .filter(locations::code.eq(code))
            .filter(locations::active.eq(true))
            .select(Location::as_select())
            .first(conn)
            .optional()
    }

    pub fn by_id(conn: &mut PgConnection, tenant_id: i64, id: i64) -> QueryResult<Location> {
        locations::table
            .filter(locations::tenant_id.eq(tenant_id))
            .find(id)
            .select(Location::as_select())
            .first(conn)
    }

    /// (location id, procedure id) pairs offered at the tenant's locations.
    pub fn offered_procedures(
        conn: &mut PgConnection,
        tenant_id: i64,
    ) -> QueryResult<Vec<(i64, i64)>> {
        lane_procedures::table
            .filter(lane_procedures::tenant_id.eq(tenant_id))
            .select((lane_procedures::location_id, lane_procedures::procedure_id))
            .load(conn)
    }
}
