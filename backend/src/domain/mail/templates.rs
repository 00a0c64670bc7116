//! A tenant's own texts per procedure and kind of message, checked before they are stored:
//! a template that does not render (a syntax error, an unknown variable) is refused with
//! the part and line where it fails.

use chrono::{DateTime, Utc};
use diesel::{PgConnection, QueryResult};

use super::compose::{render, TemplateProblem, TemplateSet};
use crate::db::mail_template::{MailTemplate, SavedTemplate};

/// The tenant's texts for `kind` about `procedure_id`, if it has its own.
pub fn stored(
    conn: &mut PgConnection,
    tenant_id: i64,
    procedure_id: i64,
    kind: &str,
) -> QueryResult<Option<TemplateSet>> {
    let found = MailTemplate::find(conn, tenant_id, procedure_id, kind)?;
    Ok(found.map(|t| TemplateSet {
        subject: t.subject,
        text: t.body_text,
        html: t.body_html,
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
    SavedTemplate {
        tenant_id,
        procedure_id,
        kind,
        subject: &set.subject,
        body_text: &set.text,
        body_html: &set.html,
        updated_by: actor,
        updated_at: now,
    }
    .upsert(conn)?;
    Ok(Ok(()))
}
