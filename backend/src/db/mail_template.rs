//! A tenant's own mail texts per procedure, kind and language (`mail_templates`; `ja` is
//! the Japanese–English message).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel::PgConnection;

use crate::db::schema::mail_templates as templates;

/// The stored texts of one template.
#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = templates)]
pub struct MailTemplate {
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

impl MailTemplate {
    pub fn find(
        conn: &mut PgConnection,
        tenant_id: i64,
        procedure_id: i64,
        kind: &str,
        lang: &str,
    ) -> QueryResult<Option<MailTemplate>> {
        templates::table
            .filter(templates::tenant_id.eq(tenant_id))
            .filter(templates::procedure_id.eq(procedure_id))
            .filter(templates::kind.eq(kind))
            .filter(templates::lang.eq(lang))
            .select(MailTemplate::as_select())
            .first(conn)
            .optional()
    }
}

/// A template as saved: new, or replacing the one for the same procedure, kind and language.
#[derive(Insertable)]
#[diesel(table_name = templates)]
pub struct SavedTemplate<'a> {
    pub tenant_id: i64,
    pub procedure_id: i64,
    pub kind: &'a str,
    pub lang: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    pub updated_by: &'a str,
    pub updated_at: DateTime<Utc>,
}

impl SavedTemplate<'_> {
    pub fn upsert(&self, conn: &mut PgConnection) -> QueryResult<usize> {
        diesel::insert_into(templates::table)
            .values(self)
            .on_conflict((
                templates::tenant_id,
                templates::procedure_id,
                templates::kind,
                templates::lang,
            ))
            .do_update()
            .set((
                templates::subject.eq(excluded(templates::subject)),
                templates::body_text.eq(excluded(templates::body_text)),
                templates::body_html.eq(excluded(templates::body_html)),
                templates::updated_by.eq(excluded(templates::updated_by)),
                templates::updated_at.eq(excluded(templates::updated_at)),
            ))
            .execute(conn)
    }
}
