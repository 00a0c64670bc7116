use leptos::prelude::*;

use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::BookingListVm;

/// Bookings by filter, a page at a time, with exports of the whole filtered list.
#[component]
pub fn BookingList(vm: BookingListVm) -> impl IntoView {
    let lang = vm.frame.lang;
    let value = |name: &str| {
        vm.filters
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let chosen_location = value("location");
    let fields = [
        ("from", "staff_filter_from"),
        ("to", "staff_filter_to"),
        ("code", "manage_code"),
        ("kana", "staff_filter_kana"),
    ]
    .map(|(id, key)| filter_field(lang, id, key, value(id)));
    let [from, to, code, kana] = fields;
    view! {
        <Layout frame=vm.frame>
            <form method="get" action=vm.action class="filters">
                <input type="hidden" name="lang" value=lang.code()/>
                {from}
                {to}
                <div class="filter">
                    <label for="location">{t(lang, "staff_location")}</label>
                    <select id="location" name="location">
                        <option value="">{t(lang, "staff_filter_all")}</option>
                        {vm.locations.into_iter().map(|(code, name)| {
                            let selected = code == chosen_location;
                            view! { <option value=code selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                {code}
                {kana}
                <button type="submit" class="secondary">{t(lang, "staff_search")}</button>
            </form>
            <p class="exports">
                <a href=vm.csv_href>{t(lang, "staff_export_csv")}</a>" "
                <a href=vm.csv_cp932_href>{t(lang, "staff_export_csv_cp932")}</a>" "
                <a href=vm.xlsx_href>{t(lang, "staff_export_xlsx")}</a>
            </p>
            <table class="today">
                <thead><tr>
                    <th scope="col">{t(lang, "manage_code")}</th>
                    <th scope="col">{t(lang, "check_when")}</th>
                    <th scope="col">{t(lang, "staff_location")}</th>
                    <th scope="col">{t(lang, "check_procedure")}</th>
                    <th scope="col">{t(lang, "staff_people")}</th>
                    <th scope="col">{t(lang, "staff_status")}</th>
                    <th scope="col">{t(lang, "staff_channel")}</th>
                </tr></thead>
                <tbody>
                    {vm.rows.into_iter().map(|row| view! {
                        <tr>
                            <td lang="en">{row.code}</td>
                            <td>{row.when}</td>
                            <td>{row.location}</td>
                            <td>{row.procedure}</td>
                            <td>{row.party_size}</td>
                            <td>{row.status}</td>
                            <td>{row.channel}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <nav class="pages" aria-label=t(lang, "staff_pages")>
                {vm.previous_href.map(|href| view! { <a href=href rel="prev">{t(lang, "staff_previous_page")}</a> })}
                " "
                {vm.next_href.map(|href| view! { <a href=href rel="next">{t(lang, "staff_next_page")}</a> })}
            </nav>
        </Layout>
    }
}

fn filter_field(
    lang: crate::i18n::Lang,
    id: &'static str,
    key: &'static str,
    value: String,
) -> impl IntoView {
    view! {
        <div class="filter">
            <label for=id>{t(lang, key)}</label>
            <input type="text" id=id name=id value=value/>
        </div>
    }
}

pub fn render(vm: BookingListVm) -> String {
    crate::render_document(move || view! { <BookingList vm=vm/> })
}
