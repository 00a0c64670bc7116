//! A city's own texts in the languages beyond Japanese and English (`city_texts`), and the
//! order it falls back in when one is not written (`city_text_fallbacks`).

use diesel::prelude::*;
use diesel::PgConnection;

use super::schema::{city_text_fallbacks, city_texts};

/// One text: of the city (no procedure, no location), of a procedure or of a location.
#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq, Eq)]
#[diesel(table_name = city_texts)]
pub struct CityText {
    pub tenant_id: i64,
    pub lang: String,
    pub procedure_id: Option<i64>,
    pub location_id: Option<i64>,
    pub field: String,
    pub body: String,
}

impl CityText {
    /// Every text of the city, or those in the languages named.
    pub fn of_tenant(
        conn: &mut PgConnection,
        tenant_id: i64,
        langs: Option<&[String]>,
    ) -> QueryResult<Vec<CityText>> {
        let mut query = city_texts::table
            .filter(city_texts::tenant_id.eq(tenant_id))
            .select(CityText::as_select())
            .order(city_texts::id)
            .into_boxed();
        if let Some(langs) = langs {
            query = query.filter(city_texts::lang.eq_any(langs.to_vec()));
        }
        query.load(conn)
    }

    /// Replaces the city's texts with `wanted` (rows not in it are removed).
    pub fn replace_all(
        conn: &mut PgConnection,
        tenant_id: i64,
        wanted: &[CityText],
    ) -> QueryResult<()> {
        diesel::delete(city_texts::table.filter(city_texts::tenant_id.eq(tenant_id)))
            .execute(conn)?;
        diesel::insert_into(city_texts::table)
            .values(wanted)
            .execute(conn)?;
        Ok(())
    }
}

/// The languages tried in turn for `lang`, comma-separated, ending with `ja`.
#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq, Eq)]
#[diesel(table_name = city_text_fallbacks)]
pub struct Fallback {
    pub tenant_id: i64,
    pub lang: String,
    pub fallbacks: String,
}

impl Fallback {
    pub fn of_tenant(
        conn: &mut PgConnection,
        tenant_id: i64,
        lang: Option<&str>,
    ) -> QueryResult<Vec<Fallback>> {
        let mut query = city_text_fallbacks::table
            .filter(city_text_fallbacks::tenant_id.eq(tenant_id))
            .select(Fallback::as_select())
            .order(city_text_fallbacks::lang)
            .into_boxed();
        if let Some(lang) = lang {
            query = query.filter(city_text_fallbacks::lang.eq(lang.to_string()));
        }
        query.load(conn)
    }

    pub fn replace_all(
        conn: &mut PgConnection,
        tenant_id: i64,
        wanted: &[Fallback],
    ) -> QueryResult<()> {
        diesel::delete(
            city_text_fallbacks::table.filter(city_text_fallbacks::tenant_id.eq(tenant_id)),
        )
        .execute(conn)?;
        diesel::insert_into(city_text_fallbacks::table)
            .values(wanted)
            .execute(conn)?;
        Ok(())
    }
}
