//! A tenant's own texts per procedure and kind of message, checked before they are stored:
//! a template that does not render (a syntax error, an unknown variable) is refused with
//! the part and line where it fails.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz};
use diesel::PgConnection;

use super::compose::{render, TemplateProblem, TemplateSet};

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = Text)]
    subject: String,
    #[diesel(sql_type = Text)]
    body_text: String,
    #[diesel(sql_type = Text)]
    body_html: String,
}

/// The tenant's texts for `kind` about `procedure_id`, if it has its own.
pub fn stored(
    conn: &mut PgConnection,
    tenant_id: i64,
    procedure_id: i64,
    kind: &str,
) -> QueryResult<Option<TemplateSet>> {
    let found: Option<Stored> = diesel::sql_query(
        "SELECT subject, body_text, body_html FROM mail_templates
          WHERE tenant_id = $1 AND procedure_id = $2 AND kind = $3",
    )
    .bind::<BigInt, _>(tenant_id)
    .bind::<BigInt, _>(procedure_id)
    .bind::<Text, _>(kind)
    .get_result(conn)
    .optional()?;
    Ok(found.map(|s| TemplateSet {
        subject: s.subject,
        text: s.body_text,
        html: s.body_html,
    }))
}

/// Checks `set` against `sample` values and stores it; or says where it fails.
#[allow(clippy::too_many_arguments)]
pub fn save(
    conn: &mut PgConnection,
    tenant_id: i64,
    procedure_id: i64,
    kind: &str,
    set: &TemplateSet,
    sample: &minijinja::Value,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), TemplateProblem>, diesel::result::Error> {
    if let Err(problem) = render(set, sample) {
        return Ok(Err(problem));
    }
    diesel::sql_query(
        "INSERT INTO mail_templates (tenant_id, procedure_id, kind, subject, body_text,
                                     body_html, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, procedure_id, kind) DO UPDATE
            SET subject = excluded.subject, body_text = excluded.body_text,
                body_html = excluded.body_html, updated_by = excluded.updated_by,
                updated_at = excluded.updated_at",
    )
    .bind::<BigInt, _>(tenant_id)
    .bind::<BigInt, _>(procedure_id)
    .bind::<Text, _>(kind)
    .bind::<Text, _>(&set.subject)
    .bind::<Text, _>(&set.text)
    .bind::<Text, _>(&set.html)
    .bind::<Text, _>(actor)
    .bind::<Timestamptz, _>(now)
    .execute(conn)?;
    Ok(Ok(()))
}
