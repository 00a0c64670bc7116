use leptos::prelude::*;

use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::CalendarVm;

/// A month as an HTML table. Each day shows a sign (◎ △ × —) and the same in words for
/// screen readers; only days that can be booked are links.
#[component]
pub fn Calendar(vm: CalendarVm) -> impl IntoView {
    let lang = vm.frame.lang;
    let weekdays: Vec<String> = t(lang, "weekdays").split(',').map(str::to_string).collect();
    view! {
        <Layout frame=vm.frame>
            <p class="notice">{vm.location_text}</p>
            <nav class="month-nav" aria-label=vm.month_label.clone()>
                {vm.previous_href.map(|href| view! { <a href=href rel="prev">{t(lang, "date_previous_month")}</a> })}
                {vm.next_href.map(|href| view! { <a href=href rel="next">{t(lang, "date_next_month")}</a> })}
            </nav>
            <table class="calendar">
                <caption>{vm.month_label}</caption>
                <thead>
                    <tr>{weekdays.into_iter().map(|d| view! { <th scope="col">{d}</th> }).collect_view()}</tr>
                </thead>
                <tbody>
                    {vm.weeks.into_iter().map(|week| view! {
                        <tr>
                            {week.into_iter().map(|day| match day {
                                None => view! { <td></td> }.into_any(),
                                Some(day) => {
                                    let content = view! {
                                        <span class="day-number">{day.day}</span>
                                        <span class="sign" aria-hidden="true">{day.sign}</span>
                                        <span class="visually-hidden">{day.sign_text.clone()}</span>
                                    };
                                    match day.href {
                                        Some(href) => view! { <td><a href=href>{content}</a></td> }.into_any(),
                                        None => view! { <td class="unavailable">{content}</td> }.into_any(),
                                    }
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h2>{t(lang, "date_legend")}</h2>
            <dl class="legend">
                <dt>"◎"</dt><dd>{t(lang, "date_many")}</dd>
                <dt>"△"</dt><dd>{t(lang, "date_few")}</dd>
                <dt>"×"</dt><dd>{t(lang, "date_full")}</dd>
                <dt>"—"</dt><dd>{t(lang, "date_closed")}</dd>
            </dl>
        </Layout>
    }
}

pub fn render(vm: CalendarVm) -> String {
    crate::render_document(move || view! { <Calendar vm=vm/> })
}
