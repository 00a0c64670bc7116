use leptos::prelude::*;

use crate::components::layout::Layout;
use crate::view_models::{DocumentBlock, DocumentVm};

/// A city's formal document: the accessibility report, its accessibility policy, its
/// privacy policy.
#[component]
pub fn Document(vm: DocumentVm) -> impl IntoView {
    view! {
        <Layout frame=vm.frame>
            {vm.blocks.into_iter().map(block).collect_view()}
        </Layout>
    }
}

fn block(block: DocumentBlock) -> AnyView {
    match block {
        DocumentBlock::Heading(text) => view! { <h2>{text}</h2> }.into_any(),
        DocumentBlock::Paragraph(text) => view! { <p>{text}</p> }.into_any(),
        DocumentBlock::Facts(facts) => view! {
            <dl class="summary">
                {facts.into_iter().map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> }).collect_view()}
            </dl>
        }
        .into_any(),
        DocumentBlock::List(items) => view! {
            <ul class="document-list">{items.into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}</ul>
        }
        .into_any(),
        DocumentBlock::Link(href, text) => view! { <p><a href=href>{text}</a></p> }.into_any(),
        DocumentBlock::Table { caption, headers, rows } => {
            let label = caption.clone();
            view! {
            <div class="table-scroll" role="region" aria-label=label tabindex="0">
                <table class="checklist">
                    <caption>{caption}</caption>
                    <thead><tr>{headers.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {rows.into_iter().map(|row| {
                            let mut cells = row.into_iter();
                            let first = cells.next().unwrap_or_default();
                            view! {
                                <tr>
                                    <th scope="row">{first}</th>
                                    {cells.map(|cell| view! { <td>{cell}</td> }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            }
            .into_any()
        }
    }
}

pub fn render(vm: DocumentVm) -> String {
    crate::render_document(move || view! { <Document vm=vm/> })
}
