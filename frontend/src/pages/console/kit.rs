//! Console pages built from a few blocks: facts, tables, forms, links and messages.
//! Staff pages differ in what they show, not in how; one set of accessible pieces
//! (labelled fields, captioned tables with sortable headers, status messages) serves them all.

use leptos::prelude::*;

use crate::components::layout::Layout;
use crate::view_models::PageFrame;

#[derive(Clone, Debug)]
pub struct ConsolePageVm {
    pub frame: PageFrame,
    /// A message about the last action: (true = it worked, text).
    pub notice: Option<(bool, String)>,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug)]
pub enum Block {
    Heading(String),
    Text(String),
    /// Label and value pairs.
    Facts(Vec<(String, String)>),
    Table(Table),
    Form(Form),
    /// A row of links: (href, text).
    Links(Vec<(String, String)>),
    /// Text shown as it is, line breaks kept (a preview of a message).
    Preformatted(String),
    /// A chart drawn on the server: SVG markup named by its summary, which is also the
    /// caption; the page gives its data as a table too.
    Chart {
        svg: String,
        caption: String,
    },
}

#[derive(Clone, Debug)]
pub struct Table {
    pub caption: String,
    pub headers: Vec<Header>,
    pub rows: Vec<Vec<Cell>>,
    /// Shown instead of an empty body.
    pub empty_text: String,
}

#[derive(Clone, Debug)]
pub struct Header {
    pub label: String,
    /// Where a click sorts by this column (the other way round if it is the sorted one).
    pub sort_href: Option<String>,
    /// `Some(true)` ascending, `Some(false)` descending, when the list is sorted by it.
    pub sorted: Option<bool>,
}

impl Header {
    pub fn plain(label: String) -> Header {
        Header {
            label,
            sort_href: None,
            sorted: None,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Cell {
    Text(String),
    /// Text in Latin letters that screen readers should read as such (codes).
    Code(String),
    Link(String, String),
    /// A small form with one button.
    Button(Form),
}

#[derive(Clone, Debug)]
pub struct Form {
    pub action: String,
    /// GET forms search; POST forms change something and carry the CSRF token.
    pub post: bool,
    pub csrf: Option<String>,
    pub inputs: Vec<Input>,
    pub submit: String,
    /// Laid out in a row (filters, one-button forms) instead of one field per line.
    pub inline: bool,
}

#[derive(Clone, Debug)]
pub enum Input {
    Hidden {
        name: String,
        value: String,
    },
    Text {
        id: String,
        label: String,
        value: String,
        /// text, password, date, email, tel, number
        kind: &'static str,
        required: bool,
        hint: Option<String>,
        error: Option<String>,
        autocomplete: Option<&'static str>,
    },
    Area {
        id: String,
        label: String,
        value: String,
        hint: Option<String>,
        error: Option<String>,
    },
    Select {
        id: String,
        label: String,
        /// (value, label)
        options: Vec<(String, String)>,
        chosen: String,
    },
    /// One choice among many, with options that can be unavailable.
    Radios {
        name: String,
        legend: String,
        /// (value, label, enabled)
        options: Vec<(String, String, bool)>,
        chosen: String,
        error: Option<String>,
    },
    Check {
        id: String,
        label: String,
        checked: bool,
    },
    /// A second button of the form, sending `name=value` (the first button is the default
    /// for Enter).
    Submit {
        name: String,
        value: String,
        label: String,
    },
    /// A file to upload; the form is then sent as multipart/form-data.
    File {
        id: String,
        label: String,
        hint: String,
        accept: String,
    },
}

impl Input {
    pub fn text(id: &str, label: String, value: String) -> Input {
        Input::Text {
            id: id.into(),
            label,
            value,
            kind: "text",
            required: false,
            hint: None,
            error: None,
            autocomplete: None,
        }
    }

    /// The same input showing `message` at the field, when it has a problem.
    pub fn with_error(mut self, message: Option<String>) -> Input {
        match &mut self {
            Input::Text { error, .. } | Input::Area { error, .. } | Input::Radios { error, .. } => {
                *error = message
            }
            _ => {}
        }
        self
    }

    /// The message of the problem (if any) named for this input's field.
    pub fn with_error_from(self, problems: &[crate::view_models::FieldError]) -> Input {
        let message = match &self {
            Input::Text { id, .. } | Input::Area { id, .. } | Input::Radios { name: id, .. } => {
                problems
                    .iter()
                    .find(|p| &p.field == id)
                    .map(|p| p.message.clone())
            }
            _ => None,
        };
        self.with_error(message)
    }

    /// A text area of several lines.
    pub fn area(id: &str, label: String, value: String) -> Input {
        Input::Area {
            id: id.into(),
            label,
            value,
            hint: None,
            error: None,
        }
    }

    pub fn hidden(name: &str, value: impl Into<String>) -> Input {
        Input::Hidden {
            name: name.into(),
            value: value.into(),
        }
    }
}

#[component]
pub fn ConsolePage(vm: ConsolePageVm) -> impl IntoView {
    view! {
        <Layout frame=vm.frame>
            {vm.notice.map(|(ok, text)| {
                let class = if ok { "scan-result ok" } else { "scan-result refused" };
                view! { <p class=class role="status">{text}</p> }
            })}
            {vm.blocks.into_iter().map(block).collect_view()}
        </Layout>
    }
}

fn block(block: Block) -> AnyView {
    match block {
        Block::Heading(text) => view! { <h2>{text}</h2> }.into_any(),
        Block::Text(text) => view! { <p>{text}</p> }.into_any(),
        Block::Facts(facts) => view! {
            <dl class="summary">
                {facts.into_iter().map(|(label, value)| view! {
                    <div class="summary-row"><dt>{label}</dt><dd>{value}</dd></div>
                }).collect_view()}
            </dl>
        }
        .into_any(),
        Block::Table(table) => table_view(table).into_any(),
        Block::Form(form) => form_view(form).into_any(),
        Block::Preformatted(text) => view! { <pre class="preview">{text}</pre> }.into_any(),
        Block::Chart { svg, caption } => view! {
            <figure class="chart">
                <div class="chart-drawing" inner_html=svg></div>
                <figcaption>{caption}</figcaption>
            </figure>
        }
        .into_any(),
        Block::Links(links) => view! {
            <p class="exports">
                {links.into_iter().map(|(href, text)| view! { <a href=href>{text}</a>" " }).collect_view()}
            </p>
        }
        .into_any(),
    }
}

fn table_view(table: Table) -> impl IntoView {
    let columns = table.headers.len();
    let empty = table.rows.is_empty();
    // Wide tables scroll sideways inside their own region on a narrow screen, so the page
    // itself never does (WCAG 1.4.10); the region takes focus for keyboard scrolling.
    let region = table.caption.clone();
    view! {
        <div class="table-scroll" role="region" aria-label=region tabindex="0">
        <table class="today">
            <caption class="visually-hidden">{table.caption}</caption>
            <thead><tr>
                {table.headers.into_iter().map(|header| {
                    let aria_sort = header.sorted.map(|up| if up { "ascending" } else { "descending" });
                    let arrow = header.sorted.map(|up| if up { " ▲" } else { " ▼" });
                    let label = header.label;
                    let content = match header.sort_href {
                        Some(href) => view! { <a href=href>{label}{arrow}</a> }.into_any(),
                        None => view! { <span>{label}</span> }.into_any(),
                    };
                    view! { <th scope="col" aria-sort=aria_sort>{content}</th> }
                }).collect_view()}
            </tr></thead>
            <tbody>
                {empty.then(|| view! { <tr><td colspan=columns.to_string()>{table.empty_text.clone()}</td></tr> })}
                {table.rows.into_iter().map(|row| view! {
                    <tr>{row.into_iter().map(cell).collect_view()}</tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

fn cell(cell: Cell) -> AnyView {
    match cell {
        Cell::Text(text) => view! { <td>{text}</td> }.into_any(),
        Cell::Code(text) => view! { <td lang="en">{text}</td> }.into_any(),
        Cell::Link(href, text) => view! { <td><a href=href>{text}</a></td> }.into_any(),
        Cell::Button(form) => view! { <td>{form_view(form)}</td> }.into_any(),
    }
}

fn form_view(form: Form) -> impl IntoView {
    let class = if form.inline { "filters" } else { "stacked" };
    let method = if form.post { "post" } else { "get" };
    let button_class = if form.inline { "secondary" } else { "" };
    let enctype = form
        .inputs
        .iter()
        .any(|input| matches!(input, Input::File { .. }))
        .then_some("multipart/form-data");
    // An upload's token also travels in the address: the server checks it before it reads
    // the body.
    let action = match (&form.csrf, enctype) {
        (Some(token), Some(_)) => {
            let separator = if form.action.contains('?') { '&' } else { '?' };
            format!("{}{separator}csrf={token}", form.action)
        }
        _ => form.action,
    };
    view! {
        <form method=method action=action class=class enctype=enctype>
            {form.csrf.map(|token| view! { <input type="hidden" name="csrf" value=token/> })}
            {form.inputs.into_iter().map(|input| input_view(input, form.inline)).collect_view()}
            <button type="submit" class=button_class>{form.submit}</button>
        </form>
    }
}

fn input_view(input: Input, inline: bool) -> AnyView {
    let wrapper = if inline { "filter" } else { "field" };
    match input {
        Input::Hidden { name, value } => {
            view! { <input type="hidden" name=name value=value/> }.into_any()
        }
        Input::Text {
            id,
            label,
            value,
            kind,
            required,
            hint,
            error,
            autocomplete,
        } => {
            let hint_id = format!("{id}-hint");
            let error_id = format!("{id}-error");
            let described: Vec<String> = [
                hint.as_ref().map(|_| hint_id.clone()),
                error.as_ref().map(|_| error_id.clone()),
            ]
            .into_iter()
            .flatten()
            .collect();
            let class = if error.is_some() {
                format!("{wrapper} field-error")
            } else {
                wrapper.to_string()
            };
            let invalid = error.is_some().then_some("true");
            view! {
                <div class=class>
                    <label for=id.clone()>{label}</label>
                    {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
                    {error.map(|error| view! { <p class="error" id=error_id.clone()>{error}</p> })}
                    <input type=kind id=id.clone() name=id value=value required=required
                        autocomplete=autocomplete aria-invalid=invalid
                        aria-describedby=(!described.is_empty()).then(|| described.join(" "))/>
                </div>
            }
            .into_any()
        }
        Input::Area {
            id,
            label,
            value,
            hint,
            error,
        } => {
            // Room for what is there, within reason.
            let rows = (value.lines().count() + 1).clamp(3, 20).to_string();
            let hint_id = format!("{id}-hint");
            let error_id = format!("{id}-error");
            let class = if error.is_some() {
                format!("{wrapper} field-error")
            } else {
                wrapper.to_string()
            };
            let invalid = error.is_some().then_some("true");
            let described: Vec<String> = [
                hint.as_ref().map(|_| hint_id.clone()),
                error.as_ref().map(|_| error_id.clone()),
            ]
            .into_iter()
            .flatten()
            .collect();
            view! {
                <div class=class>
                    <label for=id.clone()>{label}</label>
                    {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
                    {error.map(|error| view! { <p class="error" id=error_id.clone()>{error}</p> })}
                    <textarea id=id.clone() name=id rows=rows aria-invalid=invalid
                        aria-describedby=(!described.is_empty()).then(|| described.join(" "))>{value}</textarea>
                </div>
            }
            .into_any()
        }
        Input::Select {
            id,
            label,
            options,
            chosen,
        } => view! {
            <div class=wrapper>
                <label for=id.clone()>{label}</label>
                <select id=id.clone() name=id>
                    {options.into_iter().map(|(value, text)| {
                        let selected = value == chosen;
                        view! { <option value=value selected=selected>{text}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
        .into_any(),
        Input::Radios {
            name,
            legend,
            options,
            chosen,
            error,
        } => {
            let class = if error.is_some() {
                "field field-error"
            } else {
                "field"
            };
            view! {
                <fieldset class=class id=name.clone()>
                    <legend>{legend}</legend>
                    {error.map(|error| view! { <p class="error">{error}</p> })}
                    {options.into_iter().enumerate().map(|(index, (value, text, enabled))| {
                        let id = format!("{name}-{index}");
                        let checked = value == chosen;
                        view! {
                            <div class="radio">
                                <input type="radio" id=id.clone() name=name.clone() value=value
                                    checked=checked disabled=!enabled/>
                                <label for=id>{text}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
            }
            .into_any()
        }
        Input::File {
            id,
            label,
            hint,
            accept,
        } => {
            let hint_id = format!("{id}-hint");
            view! {
                <div class=wrapper>
                    <label for=id.clone()>{label}</label>
                    <p class="hint" id=hint_id.clone()>{hint}</p>
                    <input type="file" id=id.clone() name=id accept=accept aria-describedby=hint_id required=true/>
                </div>
            }
            .into_any()
        }
        Input::Submit { name, value, label } => view! {
            <button type="submit" name=name value=value class="secondary">{label}</button>
        }
        .into_any(),
        Input::Check { id, label, checked } => view! {
            <div class=format!("{wrapper} check")>
                <input type="checkbox" id=id.clone() name=id.clone() value="1" checked=checked/>
                <label for=id>{label}</label>
            </div>
        }
        .into_any(),
    }
}

pub fn render(vm: ConsolePageVm) -> String {
    crate::render_document(move || view! { <ConsolePage vm=vm/> })
}
