//! A tenant's own texts per procedure, kind of message and language, checked before they
//! are stored:
//! a template that does not render (a syntax error, an unknown variable) is refused with
//! the part and line where it fails.

use chrono::{DateTime, Utc};
use diesel::{PgConnection, QueryResult};

use madoguchi_frontend::i18n::Lang;

use super::compose::{render_for, TemplateProblem, TemplateSet};
use crate::db::mail_template::{MailTemplate, SavedTemplate};
use crate::db::tenant::Tenant;

/// The tenant's texts for `kind` about `procedure_id` in `lang` (see `template_lang`), if
/// it has its own.
pub fn stored(
    conn: &mut PgConnection,
    tenant_id: i64,
    procedure_id: i64,
    kind: &str,
    lang: Lang,
) -> QueryResult<Option<TemplateSet>> {
    let found = MailTemplate::find(conn, tenant_id, procedure_id, kind, lang.code())?;
    Ok(found.map(|t| TemplateSet {
        subject: t.subject,
        text: t.body_text,
        html: t.body_html,
    }))
}

/// Checks `set` against `sample` values and stores it as the one in `lang`; or says
/// where it fails.
#[allow(clippy::too_many_arguments)]
pub fn save(
    conn: &mut PgConnection,
    tenant: &Tenant,
    procedure_id: i64,
    kind: &str,
    lang: Lang,
    set: &TemplateSet,
    sample: &minijinja::Value,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), TemplateProblem>, diesel::result::Error> {
    if let Err(problem) = render_for(lang, kind, tenant, set, sample) {
        return Ok(Err(problem));
    }
    SavedTemplate {
        tenant_id: tenant.id,
        procedure_id,
        kind,
        lang: lang.code(),
        subject: &set.subject,
        body_text: &set.text,
        body_html: &set.html,
        updated_by: actor,
        updated_at: now,
    }
    .upsert(conn)?;
    Ok(Ok(()))
}
