//! A tenant's own mail texts per procedure and kind: the Japanese–English one
//! (`mail_templates`) and those in the other languages (`translated_mail_templates`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel::PgConnection;

use crate::db::schema::mail_templates as templates;
use crate::db::schema::translated_mail_templates as translated;

/// The code under which the Japanese–English text is kept.
pub const JAPANESE_ENGLISH: &str = "ja";

/// The stored texts of one template.
#[derive(Queryable, Debug)]
pub struct MailTemplate {
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

impl MailTemplate {
    /// The text for `kind` about `procedure_id` in `lang` (`ja`: the Japanese–English one).
    pub fn find(
        conn: &mut PgConnection,
        tenant_id: i64,
        procedure_id: i64,
        kind: &str,
        lang: &str,
    ) -> QueryResult<Option<MailTemplate>> {
        if lang == JAPANESE_ENGLISH {
            return templates::table
                .filter(templates::tenant_id.eq(tenant_id))
                .filter(templates::procedure_id.eq(procedure_id))
                .filter(templates::kind.eq(kind))
                .select((
                    templates::subject,
                    templates::body_text,
                    templates::body_html,
                ))
                .first(conn)
                .optional();
        }
        translated::table
            .filter(translated::tenant_id.eq(tenant_id))
            .filter(translated::procedure_id.eq(procedure_id))
            .filter(translated::kind.eq(kind))
            .filter(translated::lang.eq(lang))
            .select((
                translated::subject,
                translated::body_text,
                translated::body_html,
            ))
            .first(conn)
            .optional()
    }
}

/// A template as saved: new, or replacing the one for the same procedure, kind and language.
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
        if self.lang == JAPANESE_ENGLISH {
            return diesel::insert_into(templates::table)
                .values((
                    templates::tenant_id.eq(self.tenant_id),
                    templates::procedure_id.eq(self.procedure_id),
                    templates::kind.eq(self.kind),
                    templates::subject.eq(self.subject),
                    templates::body_text.eq(self.body_text),
                    templates::body_html.eq(self.body_html),
                    templates::updated_by.eq(self.updated_by),
                    templates::updated_at.eq(self.updated_at),
                ))
                .on_conflict((
                    templates::tenant_id,
                    templates::procedure_id,
                    templates::kind,
                ))
                .do_update()
                .set((
                    templates::subject.eq(excluded(templates::subject)),
                    templates::body_text.eq(excluded(templates::body_text)),
                    templates::body_html.eq(excluded(templates::body_html)),
                    templates::updated_by.eq(excluded(templates::updated_by)),
                    templates::updated_at.eq(excluded(templates::updated_at)),
                ))
                .execute(conn);
        }
        diesel::insert_into(translated::table)
            .values((
                translated::tenant_id.eq(self.tenant_id),
                translated::procedure_id.eq(self.procedure_id),
                translated::kind.eq(self.kind),
                translated::lang.eq(self.lang),
                translated::subject.eq(self.subject),
                translated::body_text.eq(self.body_text),
                translated::body_html.eq(self.body_html),
                translated::updated_by.eq(self.updated_by),
                translated::updated_at.eq(self.updated_at),
            ))
            .on_conflict((
                translated::tenant_id,
                translated::procedure_id,
                translated::kind,
                translated::lang,
            ))
            .do_update()
            .set((
                translated::subject.eq(excluded(translated::subject)),
                translated::body_text.eq(excluded(translated::body_text)),
                translated::body_html.eq(excluded(translated::body_html)),
                translated::updated_by.eq(excluded(translated::updated_by)),
                translated::updated_at.eq(excluded(translated::updated_at)),
            ))
            .execute(conn)
    }
}
