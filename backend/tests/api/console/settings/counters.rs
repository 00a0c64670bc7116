//! Counters, lanes and the staff notice board on screen, in a city of 35 counters.

use diesel::prelude::*;
use madoguchi::db::schema::{locations, slots};

use super::{logged_in, page_of, post, text_of, version_of};
use crate::helpers::{csrf_of, TestApp};

/// A city of 35 counters, each with one lane open on weekdays.
fn city_of_35() -> String {
    let mut toml = String::from(
        "code = \"town\"\nname = \"多窓口市\"\n[[procedures]]\ncode = \"apply\"\nname_ja = \"申請\"\n",
    );
    for n in 1..=35 {
        toml.push_str(&format!(
            "[[locations]]\ncode = \"{n:04}\"\nname = \"第{n}窓口\"\naddress = \"市内{n}番地\"\n\
             [[locations.lanes]]\ncode = \"main\"\nname = \"窓口\"\nprocedures = [\"apply\"]\n\
             [[locations.lanes.timetables]]\neffective_from = 2020-01-01\nslot_minutes = 30\ncapacity = 2\n\
             [locations.lanes.timetables.hours]\nweekdays = [\"09:00-12:00\"]\n"
        ));
    }
    toml
}

pub(super) fn spawn_city(app: &TestApp) -> madoguchi::db::tenant::Tenant {
    let tenant = app.with_tenant(&city_of_35());
    for (login, role) in [
        ("admin", madoguchi::domain::staff::Role::Admin),
        ("clerk", madoguchi::domain::staff::Role::Counter),
    ] {
        crate::console::create_account_in(app, &tenant, login, role);
    }
    tenant
}

/// The town's start page as a resident sees it.
pub(super) async fn start_page(app: &TestApp) -> String {
    app.client
        .get(app.url("/town/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Sends `fields` at `url` as the form there stands, to be saved; the 422 page.
pub(super) async fn refused(
    client: &reqwest::Client,
    url: &str,
    fields: &[(&str, &str)],
) -> String {
    let form = page_of(client, url).await;
    let mut sent: Vec<(String, String)> = vec![
        ("csrf".into(), csrf_of(&form)),
        ("version".into(), version_of(&form)),
        ("step".into(), "save".into()),
    ];
    sent.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let (status, page) = text_of(post(client, url, &sent).await).await;
    assert_eq!(status, 422, "{page}");
    page
}

/// Previews then saves `fields` (without version and step) at `url`; the preview.
pub(super) async fn save(client: &reqwest::Client, url: &str, fields: &[(&str, &str)]) -> String {
    let form = page_of(client, url).await;
    let mut sent: Vec<(String, String)> = vec![
        ("csrf".into(), csrf_of(&form)),
        ("version".into(), version_of(&form)),
    ];
    sent.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let (status, preview) = text_of(post(client, url, &sent).await).await;
    assert_eq!(status, 200, "{preview}");
    sent[1].1 = version_of(&preview);
    sent.push(("step".into(), "save".into()));
    let saved = post(client, url, &sent).await;
    assert_eq!(saved.status(), 303, "{url}");
    preview
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_opens_a_36th_counter_with_a_lane_and_hours_and_residents_see_it() {
    let app = TestApp::spawn_at(2027, 3, 31, 10, 0).await;
    let tenant = spawn_city(&app);
    let admin = logged_in(&app, "admin").await;
    let list = page_of(&admin, &app.url("/town/staff/settings/locations")).await;
    assert_eq!(
        list.matches("/town/staff/settings/locations/00").count(),
        35,
        "{list}"
    );

    let access = "市役所前バス停から徒歩2分。\n2階の奥です。";
    let preview = save(
        &admin,
        &app.url("/town/staff/settings/locations/new"),
        &[
            ("code", "east"),
            ("name", "東部出張所"),
            ("address", "東町1-1"),
            ("access_ja", access),
            ("map_url", "https://maps.example.jp/east"),
            ("issues_cards", "1"),
        ],
    )
    .await;
    assert!(
        preview.contains("+ location east (東部出張所)"),
        "{preview}"
    );
    save(
        &admin,
        &app.url("/town/staff/settings/locations/east/lanes/new"),
        &[("code", "a"), ("name", "受付"), ("offers_apply", "1")],
    )
    .await;
    let mut hours = vec![
        ("effective_from", "2027-04-01"),
        ("slot_minutes", "30"),
        ("capacity", "2"),
        ("web_capacity", "2"),
    ];
    for day in ["mon", "tue", "wed", "thu", "fri"] {
        hours.push((["hours_", day].concat().leak(), "09:00-12:00"));
    }
    save(
        &admin,
        &app.url("/town/staff/settings/locations/east/lanes/a/timetable"),
        &hours,
    )
    .await;

    let east: i64 = app.query(|conn| {
        locations::table
            .filter(locations::tenant_id.eq(tenant.id))
            .filter(locations::code.eq("east"))
            .select(locations::id)
            .first(conn)
    });
    let open: i64 = app.query(|conn| {
        slots::table
            .filter(slots::location_id.eq(east))
            .filter(slots::closed.eq(false))
            .count()
            .get_result(conn)
    });
    assert!(open > 0, "the new counter has slots");
    let start = start_page(&app).await;
    assert!(start.contains("東部出張所"), "{start}");
    assert!(start.contains("市役所前バス停から徒歩2分。"), "{start}");
    assert!(
        start.contains("href=\"https://maps.example.jp/east\""),
        "{start}"
    );
    let list = page_of(&admin, &app.url("/town/staff/settings/locations")).await;
    assert_eq!(
        list.matches("/town/staff/settings/locations/").count() - 1,
        36,
        "{list}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_counters_are_named_at_their_fields_and_a_closed_counter_leaves_the_start_page() {
    let app = TestApp::spawn_at(2027, 3, 31, 10, 0).await;
    let tenant = spawn_city(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/settings/locations/new");
    let page = refused(
        &admin,
        &url,
        &[
            ("code", "0007"),
            ("name", ""),
            ("map_url", "javascript:alert(1)"),
        ],
    )
    .await;
    assert!(
        page.contains("このコードはすでに使われています。"),
        "{page}"
    );
    assert!(page.contains("地図のリンクは https:// で始まるアドレスにしてください。"));
    assert!(page.contains("href=\"#name\""), "{page}");
    let count: i64 = app.query(|conn| {
        locations::table
            .filter(locations::tenant_id.eq(tenant.id))
            .count()
            .get_result(conn)
    });
    assert_eq!(count, 35);

    save(
        &admin,
        &app.url("/town/staff/settings/locations/0007"),
        &[
            ("name", "第7窓口"),
            ("address", "市内7番地"),
            ("issues_cards", "1"),
            ("close", "1"),
        ],
    )
    .await;
    let start = start_page(&app).await;
    assert!(!start.contains("第7窓口"), "{start}");
    assert!(start.contains("第8窓口"));
    let list = page_of(&admin, &app.url("/town/staff/settings/locations")).await;
    assert!(
        list.contains("第7窓口（0007）"),
        "listed among the closed: {list}"
    );

    // A clerk may not change counters.
    let clerk = logged_in(&app, "clerk").await;
    let status = clerk
        .get(app.url("/town/staff/settings/locations/0008"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_notices_show_in_the_console_within_their_period_only() {
    let app = TestApp::spawn_at(2027, 3, 31, 10, 0).await;
    spawn_city(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/settings/notices");
    let form = page_of(&admin, &url).await;
    let csrf = csrf_of(&form);
    let notice = |body: &str, from: &str, until: &str| {
        vec![
            ("csrf".to_string(), csrf.clone()),
            ("body".into(), body.into()),
            ("shows_from".into(), from.into()),
            ("shows_until".into(), until.into()),
        ]
    };
    let now_showing = notice(
        "4月1日から窓口の受付時間が変わります。",
        "",
        "2027-04-02 17:00",
    );
    assert_eq!(post(&admin, &url, &now_showing).await.status(), 303);
    let later = notice("年度末の棚卸しは4月5日です。", "2027-04-03 08:30", "");
    assert_eq!(post(&admin, &url, &later).await.status(), 303);
    let (status, page) =
        text_of(post(&admin, &url, &notice("", "", "2027-03-01 00:00")).await).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("お知らせを1000文字以内で入力してください。"),
        "{page}"
    );
    assert!(page.contains("表示の終了がすでに過ぎています。"), "{page}");

    let clerk = logged_in(&app, "clerk").await;
    let desk = page_of(&clerk, &app.url("/town/staff/today")).await;
    assert!(desk.contains("職員へのお知らせ（1件）"), "{desk}");
    assert!(desk.contains("4月1日から窓口の受付時間が変わります。"));
    assert!(!desk.contains("年度末の棚卸し"), "not before its period");
    assert!(
        desk.contains("<details open class=\"staff-notices\">"),
        "unfolded on the desk: {desk}"
    );
    let elsewhere = page_of(&clerk, &app.url("/town/staff/password")).await;
    assert!(
        elsewhere.contains("<details class=\"staff-notices\">"),
        "folded elsewhere: {elsewhere}"
    );
    let status = clerk.get(&url).send().await.unwrap().status();
    assert_eq!(status, 403, "a clerk reads notices and does not post them");
}
