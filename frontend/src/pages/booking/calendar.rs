use leptos::prelude::*;

use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::{CalendarVm, DayVm};

/// A month as an HTML table, opened at the month of the first free day, which is also
/// offered as a link above it. Each day shows a sign (◎ △ × 休 —) and the same in words for
/// screen readers; only days that can be booked are links; closed days are listed with
/// their reasons below.
#[component]
pub fn Calendar(vm: CalendarVm) -> impl IntoView {
    let lang = vm.frame.lang;
    let weekdays: Vec<String> = t(lang, "weekdays").split(',').map(str::to_string).collect();
    let has_closed_days = !vm.closed_days.is_empty();
    view! {
        <Layout frame=vm.frame>
            <p class="notice">{vm.location_text}</p>
            {vm.current_booking.map(|text| view! { <p class="current-booking">{text}</p> })}
            {vm.earliest.map(|(text, href)| view! { <p class="earliest"><a href=href>{text}</a></p> })}
            {vm.none_free.map(|text| view! { <p class="notice" role="status">{text}</p> })}
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
                                Some(day) => day_cell(lang, day),
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {has_closed_days.then(|| view! {
                <h2>{t(lang, "date_closed_days")}</h2>
                <ul class="closed-days">
                    {vm.closed_days.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                </ul>
            })}
            <h2>{t(lang, "date_legend")}</h2>
            <dl class="legend">
                <dt>"◎"</dt><dd>{t(lang, "date_many")}</dd>
                <dt>"△"</dt><dd>{t(lang, "date_few")}</dd>
                <dt>"×"</dt><dd>{t(lang, "date_full")}</dd>
                <dt>"休"</dt><dd>{t(lang, "date_legend_closed")}</dd>
                <dt>"—"</dt><dd>{t(lang, "date_legend_not_bookable")}</dd>
            </dl>
        </Layout>
    }
}

fn day_cell(lang: crate::i18n::Lang, day: DayVm) -> AnyView {
    let mut class = Vec::new();
    if day.href.is_none() {
        class.push("unavailable");
    }
    if day.today {
        class.push("today");
    }
    if day.current {
        class.push("current");
    }
    let class = (!class.is_empty()).then(|| class.join(" "));
    let marks = [
        day.today.then(|| t(lang, "date_today")),
        day.current.then(|| t(lang, "date_current_booking")),
    ];
    let content = view! {
        <span class="day-number">{day.day}</span>
        <span class="sign" aria-hidden="true">{day.sign}</span>
        {marks.into_iter().flatten().map(|mark| view! { <span class="day-mark">{mark}</span> }).collect_view()}
        <span class="visually-hidden">{day.sign_text}</span>
    };
    let current = day.today.then_some("date");
    match day.href {
        Some(href) => {
            view! { <td class=class><a href=href aria-current=current>{content}</a></td> }
                .into_any()
        }
        None => view! { <td class=class aria-current=current>{content}</td> }.into_any(),
    }
}

pub fn render(vm: CalendarVm) -> String {
    crate::render_document(move || view! { <Calendar vm=vm/> })
}
