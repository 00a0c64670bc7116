//! A tenant's own e-mail texts, per procedure, kind and language: open one (the default
//! until the tenant has its own), preview it on a made-up booking, and save it. A text that
//! does not render is refused with the part and line where it fails.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use diesel::PgConnection;
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::console::kit::{Block, Form, Input};
use serde_json::json;

use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::domain::city_texts::{CityTexts, TRANSLATED};
use crate::domain::mail::compose::{
    default_set_in, render_for, sample_values, MailSettings, TemplateSet, VARIABLES,
};
use crate::domain::mail::templates;
use crate::domain::staff::Permission;
use crate::error::{AppError, Resource};
use crate::http::console::cx::StaffCx;
use crate::http::console::notice::Notice;
use crate::http::page::Outcome;
use crate::http::page::{PageRequest, Posted};

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/mail/templates", web::get().to(show));
    cfg.route("/{tenant}/staff/mail/templates", web::post().to(submit));
}

const KINDS: [&str; 4] = ["confirmation", "change", "cancellation", "reminder"];

struct Choice {
    procedure: Procedure,
    kind: &'static str,
    /// The language of the message: Japanese (the Japanese–English one) or another.
    lang: madoguchi_frontend::i18n::Lang,
}

impl Choice {
    /// This template's place in the console, as a path below it.
    fn path(&self) -> String {
        format!(
            "mail/templates?procedure={}&kind={}&template_lang={}",
            self.procedure.code,
            self.kind,
            self.lang.code()
        )
    }
}

/// The languages a city writes its messages in, as the selector lists them.
fn template_languages() -> Vec<madoguchi_frontend::i18n::Lang> {
    let mut all = vec![madoguchi_frontend::i18n::Lang::Ja];
    all.extend(TRANSLATED);
    all
}

fn choice(conn: &mut PgConnection, cx: &StaffCx) -> Result<Choice, AppError> {
    let procedures = Procedure::for_tenant(conn, cx.tenant.id)?;
    let wanted = cx.param("procedure");
    let procedure = procedures
        .into_iter()
        .find(|p| wanted.as_deref().is_none_or(|code| code == p.code))
        .ok_or(AppError::NotFound(Resource::Procedure))?;
    let kind = cx
        .param("kind")
        .and_then(|k| KINDS.iter().find(|known| **known == k).copied())
        .unwrap_or("confirmation");
    let lang = cx
        .param("template_lang")
        .and_then(|code| madoguchi_frontend::i18n::Lang::from_code(&code))
        .filter(|l| template_languages().contains(l))
        .unwrap_or_default();
    Ok(Choice {
        procedure,
        kind,
        lang,
    })
}

fn settings(public_url: &str) -> MailSettings {
    MailSettings {
        // Only the link base matters for a preview.
        from: "preview <preview@madoguchi.invalid>"
            .parse()
            .expect("a valid address"),
        public_url: public_url.to_string(),
        // A preview's link is never followed: any key will do.
        link_key: vec![0; 32],
    }
}

fn page(
    conn: &mut PgConnection,
    cx: &StaffCx,
    chosen: &Choice,
    set: &TemplateSet,
    status: StatusCode,
    notice: Option<(bool, String)>,
    preview: Option<Vec<Block>>,
) -> Result<Outcome, AppError> {
    let procedures = Procedure::for_tenant(conn, cx.tenant.id)?;
    let selector = Form {
        action: format!("/{}/staff/mail/templates", cx.tenant.code),
        post: false,
        csrf: None,
        inputs: vec![
            Input::hidden("lang", cx.lang.code()),
            Input::Select {
                id: "procedure".into(),
                label: cx.text("check_procedure"),
                options: procedures
                    .iter()
                    .map(|p| (p.code.clone(), cx.pick(&p.name_ja, &p.name_en)))
                    .collect(),
                chosen: chosen.procedure.code.clone(),
            },
            Input::Select {
                id: "kind".into(),
                label: cx.text("mail_kind"),
                options: KINDS
                    .iter()
                    .map(|k| (k.to_string(), cx.text(&format!("mail_kind_{k}"))))
                    .collect(),
                chosen: chosen.kind.to_string(),
            },
            Input::Select {
                id: "template_lang".into(),
                label: cx.text("mail_templates_language"),
                options: template_languages()
                    .into_iter()
                    .map(|l| {
                        let name = if l == madoguchi_frontend::i18n::Lang::Ja {
                            cx.text("mail_templates_japanese_english")
                        } else {
                            l.own_name().to_string()
                        };
                        (l.code().to_string(), name)
                    })
                    .collect(),
                chosen: chosen.lang.code().to_string(),
            },
        ],
        submit: cx.text("mail_templates_open"),
        inline: true,
    };
    let editor = Form {
        action: cx.console_url(&chosen.path()),
        post: true,
        csrf: Some(cx.session.csrf_token.clone()),
        inputs: vec![
            Input::Submit {
                name: "preview".into(),
                value: "1".into(),
                label: cx.text("mail_templates_preview"),
            },
            Input::text(
                "subject",
                cx.text("mail_templates_subject"),
                set.subject.clone(),
            ),
            Input::area("text", cx.text("mail_templates_text"), set.text.clone()),
            Input::area("html", cx.text("mail_templates_html"), set.html.clone()),
        ],
        submit: cx.text("mail_templates_save"),
        inline: false,
    };
    let variables = VARIABLES
        .iter()
        .map(|v| format!("{{{{ {v} }}}}"))
        .collect::<Vec<_>>()
        .join("  ");
    let mut blocks = vec![
        Block::Form(selector),
        Block::Text(tf(
            cx.lang,
            "mail_templates_variables",
            &[("list", &variables)],
        )),
    ];
    if chosen.lang != madoguchi_frontend::i18n::Lang::Ja {
        blocks.push(Block::Text(cx.text("mail_templates_translated_hint")));
    }
    if let Some(preview) = preview {
        blocks.push(Block::Heading(cx.text("mail_templates_preview")));
        blocks.extend(preview);
    }
    blocks.push(Block::Form(editor));
    cx.page(status, "mail_templates_title", notice, blocks)
}

pub async fn show(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ManageMail, |conn, cx| {
            let chosen = choice(conn, cx)?;
            let set = templates::stored(
                conn,
                cx.tenant.id,
                chosen.procedure.id,
                chosen.kind,
                chosen.lang,
            )?
            .unwrap_or_else(|| default_set_in(chosen.kind, chosen.lang));
            let notice = cx.notice_among(&[Notice::TemplatesSaved]);
            page(conn, cx, &chosen, &set, StatusCode::OK, notice, None)
        })
        .await
}

/// A template as typed: subject, text and HTML parts, and which button was pressed.
#[derive(serde::Deserialize, Default, Clone)]
pub struct TemplateForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    html: String,
    /// Present when the preview button (not save) was pressed.
    preview: Option<String>,
}

pub async fn submit(request: Posted<TemplateForm>) -> HttpResponse {
    let public_url = request.state.config.public_url.clone();
    request
        .staff_step(Permission::ManageMail, move |conn, cx, form| {
            // Browsers send line ends as CR LF; templates keep LF.
            let set = TemplateSet {
                subject: form.subject.replace("\r\n", "\n"),
                text: form.text.replace("\r\n", "\n"),
                html: form.html.replace("\r\n", "\n"),
            };
            let chosen = choice(conn, cx)?;
            let location = Location::for_tenant(conn, cx.tenant.id)?
                .into_iter()
                .next()
                .ok_or(AppError::NotFound(Resource::Location))?;
            let texts = CityTexts::load(conn, cx.tenant.id, chosen.lang)?;
            let sample = sample_values(
                &cx.tenant,
                &chosen.procedure,
                &location,
                &cx.clock,
                &settings(&public_url),
                &texts,
            );
            let refused = |cx: &StaffCx, problem: crate::domain::mail::compose::TemplateProblem| {
                let line = problem.line.map(|l| l.to_string()).unwrap_or_default();
                tf(
                    cx.lang,
                    "mail_templates_broken",
                    &[
                        (
                            "part",
                            &cx.text(&format!("mail_templates_{}", problem.part)),
                        ),
                        ("line", &line),
                        ("why", &problem.reason),
                    ],
                )
            };
            if form.preview.is_some() {
                return match render_for(chosen.lang, chosen.kind, &cx.tenant, &set, &sample) {
                    Ok(rendered) => {
                        let preview = vec![
                            Block::Facts(vec![(
                                cx.text("mail_templates_subject"),
                                rendered.subject,
                            )]),
                            Block::Preformatted(rendered.text),
                            Block::Preformatted(rendered.html),
                        ];
                        page(conn, cx, &chosen, &set, StatusCode::OK, None, Some(preview))
                    }
                    Err(problem) => {
                        let text = refused(cx, problem);
                        page(
                            conn,
                            cx,
                            &chosen,
                            &set,
                            StatusCode::UNPROCESSABLE_ENTITY,
                            Some((false, text)),
                            None,
                        )
                    }
                };
            }
            let actor = format!("staff:{}", cx.account.login);
            match templates::save(
                conn,
                &cx.tenant,
                chosen.procedure.id,
                chosen.kind,
                chosen.lang,
                &set,
                &sample,
                &actor,
                cx.clock.now,
            )? {
                Ok(()) => {
                    cx.audit(
                        conn,
                        "mail.template_saved",
                        &format!("{}/{}", chosen.procedure.code, chosen.kind),
                        json!({ "lang": chosen.lang.code() }),
                    )?;
                    Ok(cx.back_with(&chosen.path(), Notice::TemplatesSaved))
                }
                Err(problem) => {
                    let text = refused(cx, problem);
                    page(
                        conn,
                        cx,
                        &chosen,
                        &set,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Some((false, text)),
                        None,
                    )
                }
            }
        })
        .await
}
