//! Madoguchi's pages: Leptos components rendered to HTML on the server.
//! Pages take plain view-model structs and never touch the database.

pub mod components;
pub mod i18n;
pub mod pages;
pub mod view_models;

use leptos::prelude::*;

/// Renders a whole document: `<!DOCTYPE html>` plus the view.
pub fn render_document<V: IntoView + 'static>(view: impl FnOnce() -> V) -> String {
    let owner = Owner::new();
    let body = owner.with(|| view().into_view().to_html());
    format!("<!DOCTYPE html>{body}")
}
