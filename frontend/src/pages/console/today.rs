use leptos::prelude::*;

use crate::components::form::CsrfField;
use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::TodayVm;

/// The counter's day: counts, the scan box (a scanner types the code and Enter), and the
/// bookings by time.
#[component]
pub fn Today(vm: TodayVm) -> impl IntoView {
    let lang = vm.frame.lang;
    let act = vm.act.clone();
    view! {
        <Layout frame=vm.frame>
            <form method="get" action=vm.location_action class="location-picker">
                <label for="location">{t(lang, "staff_location")}</label>
                <select id="location" name="location">
                    {vm.locations.into_iter().map(|(code, name, selected)| view! {
                        <option value=code selected=selected>{name}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="secondary">{t(lang, "staff_show")}</button>
            </form>
            <dl class="counts">
                {vm.counts.into_iter().map(|(label, n)| view! {
                    <div><dt>{label}</dt><dd>{n}</dd></div>
                }).collect_view()}
            </dl>
            {vm.scan_result.map(|(ok, text)| view! {
                <p class=if ok { "scan-result ok" } else { "scan-result refused" } role="status">
                    <strong>{if ok { "✔ " } else { "✖ " }}</strong>{text}
                </p>
            })}
            <form method="post" action=vm.scan.action class="scan">
                <CsrfField token=vm.scan.csrf/>
                <label for="code">{t(lang, "staff_scan")}</label>
                <input type="text" id="code" name="code" autocomplete="off" autofocus=true/>
                <button type="submit">{t(lang, "staff_check_in")}</button>
            </form>
            <div class="table-scroll" role="region" aria-label=t(lang, "staff_today_list") tabindex="0">
            <table class="today">
                <caption>{t(lang, "staff_today_list")}</caption>
                <thead><tr>
                    <th scope="col">{t(lang, "check_when")}</th>
                    <th scope="col">{t(lang, "manage_code")}</th>
                    <th scope="col">{t(lang, "staff_holder_name")}</th>
                    <th scope="col">{t(lang, "check_procedure")}</th>
                    <th scope="col">{t(lang, "staff_people")}</th>
                    <th scope="col">{t(lang, "phone_note")}</th>
                    <th scope="col">{t(lang, "staff_status")}</th>
                    <th scope="col">{t(lang, "staff_actions")}</th>
                </tr></thead>
                <tbody>
                    {vm.rows.into_iter().map(|row| view! {
                        <tr>
                            <td>{row.time}</td>
                            <td lang="en">{row.code.clone()}</td>
                            <td>{row.name}</td>
                            <td>{row.procedure}</td>
                            <td>{row.party_size}</td>
                            <td>{row.note}</td>
                            <td>{row.status}</td>
                            <td>
                                {row.actions.into_iter().map(|(action, label)| view! {
                                    <form method="post" action=act.action.clone() class="row-action">
                                        <CsrfField token=act.csrf.clone()/>
                                        <input type="hidden" name="code" value=row.code.clone()/>
                                        <input type="hidden" name="action" value=action/>
                                        <button type="submit" class="secondary">
                                            {label}<span class="visually-hidden">{format!(" {}", row.code)}</span>
                                        </button>
                                    </form>
                                }).collect_view()}
                                {row.can_undo.then(|| {
                                    let id = format!("reason-{}", row.code);
                                    view! {
                                        <form method="post" action=act.action.clone() class="row-action">
                                            <CsrfField token=act.csrf.clone()/>
                                            <input type="hidden" name="code" value=row.code.clone()/>
                                            <input type="hidden" name="action" value="undo"/>
                                            <label for=id.clone()>{t(lang, "staff_undo_reason")}<span class="visually-hidden">{format!(" {}", row.code)}</span></label>
                                            <input type="text" id=id name="reason" required=true/>
                                            <button type="submit" class="secondary">{t(lang, "staff_undo")}</button>
                                        </form>
                                    }
                                })}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </Layout>
    }
}

pub fn render(vm: TodayVm) -> String {
    crate::render_document(move || view! { <Today vm=vm/> })
}
