//! Timetables on screen: a scheduled change from a future date, every bad input named at
//! its field, two administrators saving at once, and the bookings new hours leave out.
//! The server stands at 31 March, so the change starts on 1 April, a new month and year.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use madoguchi::db::schema::{audit_log, bookings, mail_outbox, slots, timetables};
use madoguchi::db::tenant::Tenant;
use madoguchi::domain::booking::{self, BookingRequest, Contact, Party, Placement};
use madoguchi::domain::input::Email;
use madoguchi::domain::staff::Role;
use madoguchi::domain::{Actor, Channel};

use super::{logged_in, page_of, post, text_of, version_of};
use crate::console::{create_account_in, town};
use crate::helpers::{csrf_of, TestApp};

const FORM: &str = "/town/staff/settings/locations/0001/lanes/main/timetable";
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

pub(super) async fn on_march_31() -> TestApp {
    TestApp::spawn_at(2027, 3, 31, 10, 0).await
}

pub(super) fn april_first() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 4, 1).unwrap()
}

/// The timetable form: 09:00-17:00 every day with a break at noon, 60-minute slots and 8
/// places from 1 April, with `changed` fields in place.
fn timetable(csrf: &str, version: &str, changed: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.into()),
        ("version".into(), version.into()),
        ("effective_from".into(), "2027-04-01".into()),
        ("slot_minutes".into(), "60".into()),
        ("capacity".into(), "8".into()),
        ("web_capacity".into(), "8".into()),
    ];
    for day in DAYS {
        fields.push((format!("hours_{day}"), "09:00-17:00".into()));
        fields.push((format!("breaks_{day}"), "12:00-13:00".into()));
    }
    for (name, value) in changed {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value.to_string(),
            None => fields.push((name.to_string(), value.to_string())),
        }
    }
    fields
}

/// The places of the town's slot starting at `hour`:00 on `day` (Tokyo), and whether it
/// is closed; none when there is no such slot.
pub(super) fn slot_at(
    app: &TestApp,
    tenant: &Tenant,
    day: NaiveDate,
    hour: u32,
) -> Option<(i32, i32, bool)> {
    let starts_at = chrono_tz::Asia::Tokyo
        .from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc);
    app.query(|conn| {
        slots::table
            .filter(slots::tenant_id.eq(tenant.id))
            .filter(slots::starts_at.eq(starts_at))
            .select((slots::capacity, slots::web_capacity, slots::closed))
            .first(conn)
            .optional()
    })
}

/// A phone booking for one person at `hour`:00 on `day`; its id and code.
pub(super) fn book_at(
    app: &TestApp,
    tenant: &Tenant,
    day: NaiveDate,
    hour: u32,
    name: &str,
) -> (i64, String) {
    use madoguchi::db::schema::procedures;
    let starts_at = chrono_tz::Asia::Tokyo
        .from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc);
    let mut conn = app.conn();
    let slot_id: i64 = slots::table
        .filter(slots::tenant_id.eq(tenant.id))
        .filter(slots::starts_at.eq(starts_at))
        .select(slots::id)
        .first(&mut conn)
        .expect("a slot then");
    let procedure_id: i64 = procedures::table
        .filter(procedures::tenant_id.eq(tenant.id))
        .filter(procedures::code.eq("apply"))
        .select(procedures::id)
        .first(&mut conn)
        .unwrap();
    let request = BookingRequest {
        procedure_id,
        placement: Placement::Slot { slot_id },
        party: Party::People(1),
        contact: Contact {
            email: Email::parse(&format!(
                "{}-{hour}-{}@example.jp",
                day.format("%m%d"),
                // Residents differ by name, so each has an address of their own.
                name.chars().map(u32::from).sum::<u32>()
            )),
            name: Some(name.to_string()),
            ..Contact::default()
        },
        note: String::new(),
        lang: Default::default(),
    };
    let actor = Actor {
        label: "operator".into(),
        channel: Channel::Phone,
        client_addr: None,
    };
    let made = booking::book(&mut conn, &app.clock(), tenant, &request, &actor).expect("booking");
    (made.booking.id, made.booking.code)
}

fn timetable_count(app: &TestApp, tenant: &Tenant) -> i64 {
    app.query(|conn| {
        timetables::table
            .filter(timetables::tenant_id.eq(tenant.id))
            .count()
            .get_result(conn)
    })
}

/// The value of the hidden `listed` field (the bookings a preview listed).
pub(super) fn listed_of(html: &str) -> String {
    let marker = "name=\"listed\" value=\"";
    let start = html.find(marker).expect("a list of displaced bookings") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capacity_change_from_a_future_date_reaches_the_slots_from_that_date_only() {
    let app = on_march_31().await;
    let tenant = town(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url(FORM);
    let form = page_of(&admin, &url).await;
    assert!(form.contains("2020年1月1日（水）から（現在）"), "{form}");
    let fields = |version: &str, step: &str| {
        let mut fields = timetable(
            &csrf_of(&form),
            version,
            &[("capacity", "3"), ("web_capacity", "2")],
        );
        fields.push(("step".into(), step.into()));
        fields
    };

    let (status, preview) =
        text_of(post(&admin, &url, &fields(&version_of(&form), "")).await).await;
    assert_eq!(status, 200, "{preview}");
    assert!(preview.contains("timetable from 2027-04-01"), "{preview}");
    assert!(preview.contains("予約枠: 新しく作る"), "{preview}");
    assert_eq!(
        slot_at(&app, &tenant, april_first(), 10),
        Some((8, 8, false)),
        "a preview saves nothing"
    );

    let saved = post(&admin, &url, &fields(&version_of(&preview), "save")).await;
    assert_eq!(saved.status(), 303);
    // From 1 April: 3 places, 2 of them online, the noon hour a break, nothing after 17:00.
    assert_eq!(
        slot_at(&app, &tenant, april_first(), 10),
        Some((3, 2, false))
    );
    assert_eq!(
        slot_at(&app, &tenant, april_first(), 16),
        Some((3, 2, false))
    );
    assert_eq!(
        slot_at(&app, &tenant, april_first(), 12).map(|s| s.2),
        Some(true)
    );
    assert_eq!(
        slot_at(&app, &tenant, april_first(), 20).map(|s| s.2),
        Some(true)
    );
    assert_eq!(
        slot_at(&app, &tenant, april_first() + Duration::days(30), 9),
        Some((3, 2, false))
    );
    // Until then the old hours stand.
    let march_31 = april_first() - Duration::days(1);
    assert_eq!(slot_at(&app, &tenant, march_31, 20), Some((8, 8, false)));

    // The lane's page shows both versions side by side.
    let lane = page_of(
        &admin,
        &app.url("/town/staff/settings/locations/0001/lanes/main"),
    )
    .await;
    assert!(lane.contains("2020年1月1日（水）から（現在）"), "{lane}");
    assert!(lane.contains("2027年4月1日（木）から（予定）"), "{lane}");
    assert!(lane.contains("09:00-12:00 13:00-17:00"), "{lane}");
    let logged: i64 = app.query(|conn| {
        audit_log::table
            .filter(audit_log::tenant_id.eq(tenant.id))
            .filter(audit_log::action.eq("settings.timetable"))
            .count()
            .get_result(conn)
    });
    assert_eq!(logged, 1);
}

/// Fields changed, the field named, and what its message says.
type BadCase = (
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_bad_timetable_is_named_at_its_field_and_nothing_is_saved() {
    let app = on_march_31().await;
    let tenant = town(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url(FORM);
    let form = page_of(&admin, &url).await;
    let cases: [BadCase; 8] = [
        (
            &[("hours_mon", "09:00-12:00 11:00-15:00")],
            "hours_mon",
            "受付時間が重なっています",
        ),
        (
            &[("breaks_tue", "17:30-18:00")],
            "breaks_tue",
            "休憩が受付時間の外にあります",
        ),
        (
            &[("capacity", "0")],
            "capacity",
            "1枠の定員は1から200までの数で入力してください",
        ),
        (
            &[("capacity", "201")],
            "capacity",
            "1枠の定員は1から200までの数で入力してください",
        ),
        (
            &[("web_capacity", "9")],
            "web_capacity",
            "ウェブで受け付ける数は0から定員までの数",
        ),
        (
            &[("effective_from", "2027-03-30")],
            "effective_from",
            "適用開始日は今日以降にしてください",
        ),
        (
            &[("hours_wed", "09:00-10:30"), ("breaks_wed", "")],
            "hours_wed",
            "09:00-10:30は60分の枠で割り切れません",
        ),
        (
            &[("slot_minutes", "25")],
            "slot_minutes",
            "10・15・20・30・60分から選んでください",
        ),
    ];
    for (changed, field, message) in cases {
        let mut fields = timetable(&csrf_of(&form), &version_of(&form), changed);
        fields.push(("step".into(), "save".into()));
        let (status, page) = text_of(post(&admin, &url, &fields).await).await;
        assert_eq!(status, 422, "{changed:?}");
        assert!(page.contains(message), "{changed:?}: {page}");
        assert!(
            page.contains(&format!("href=\"#{field}\"")),
            "summary links to {field}"
        );
        // The form comes back as typed (the slot length is a choice among the valid ones).
        assert!(
            field == "slot_minutes" || page.contains(&format!("value=\"{}\"", changed[0].1)),
            "{changed:?}"
        );
        assert_eq!(
            timetable_count(&app, &tenant),
            1,
            "{changed:?} saved nothing"
        );
    }
    assert_eq!(
        slot_at(&app, &tenant, april_first(), 20),
        Some((8, 8, false))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_administrator_saving_the_same_timetable_is_told_it_changed_meanwhile() {
    let app = on_march_31().await;
    let tenant = town(&app);
    create_account_in(&app, &tenant, "admin2", Role::Admin);
    let first = logged_in(&app, "admin").await;
    let second = logged_in(&app, "admin2").await;
    let url = app.url(FORM);
    let first_form = page_of(&first, &url).await;
    let second_form = page_of(&second, &url).await;
    assert_eq!(version_of(&first_form), version_of(&second_form));

    let mut mine = timetable(
        &csrf_of(&first_form),
        &version_of(&first_form),
        &[("capacity", "5"), ("web_capacity", "5")],
    );
    mine.push(("step".into(), "save".into()));
    assert_eq!(post(&first, &url, &mine).await.status(), 303);

    let mut theirs = timetable(
        &csrf_of(&second_form),
        &version_of(&second_form),
        &[("capacity", "6"), ("web_capacity", "6")],
    );
    theirs.push(("step".into(), "save".into()));
    let (status, page) = text_of(post(&second, &url, &theirs).await).await;
    assert_eq!(status, 409);
    assert!(page.contains("ほかの人が設定を変更しました"), "{page}");
    assert_eq!(
        slot_at(&app, &tenant, april_first(), 10),
        Some((5, 5, false)),
        "never overwritten silently"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookings_the_new_hours_leave_out_are_listed_and_cancelled_with_a_message() {
    let app = on_march_31().await;
    let tenant = town(&app);
    let evening = book_at(&app, &tenant, april_first(), 20, "夜間 太郎");
    let first = book_at(&app, &tenant, april_first(), 10, "先着 花子");
    let second = book_at(&app, &tenant, april_first(), 10, "後着 次郎");
    let admin = logged_in(&app, "admin").await;
    let url = app.url(FORM);
    let form = page_of(&admin, &url).await;
    let csrf = csrf_of(&form);
    let one_place = [("capacity", "1"), ("web_capacity", "1")];

    let (status, preview) = text_of(
        post(
            &admin,
            &url,
            &timetable(&csrf, &version_of(&form), &one_place),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        preview.contains("この変更で枠を失う予約（2件）"),
        "{preview}"
    );
    assert!(
        preview.contains("夜間 太郎") && preview.contains("後着 次郎"),
        "{preview}"
    );
    assert!(
        !preview.contains("先着 花子"),
        "the first booking keeps the one place"
    );
    assert!(preview.contains("受付時間の外") && preview.contains("定員を超える"));
    let listed = listed_of(&preview);
    let version = version_of(&preview);

    // Saving without a choice, or cancelling without a message, is refused and saves nothing.
    let mut undecided = timetable(&csrf, &version, &one_place);
    undecided.extend([
        ("listed".into(), listed.clone()),
        ("step".into(), "save".into()),
    ]);
    let (status, page) = text_of(post(&admin, &url, &undecided).await).await;
    assert_eq!(status, 422);
    assert!(page.contains("残すか取り消すかを選んでください"), "{page}");
    let mut silent = undecided.clone();
    silent.push(("displaced".into(), "cancel".into()));
    let (status, page) = text_of(post(&admin, &url, &silent).await).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("住民へのお知らせを500文字以内で入力してください"),
        "{page}"
    );
    assert_eq!(timetable_count(&app, &tenant), 1);

    let mut cancelling = undecided.clone();
    cancelling.extend([
        ("displaced".into(), "cancel".into()),
        (
            "message".into(),
            "4月から受付時間が変わります。お手数ですが予約を取り直してください。".into(),
        ),
    ]);
    assert_eq!(post(&admin, &url, &cancelling).await.status(), 303);
    let status_of = |id: i64| -> String {
        app.query(|conn| {
            bookings::table
                .find(id)
                .select(bookings::status)
                .first(conn)
        })
    };
    assert_eq!(status_of(evening.0), "cancelled");
    assert_eq!(status_of(second.0), "cancelled");
    assert_eq!(status_of(first.0), "booked");
    let notes: Vec<(i64, Option<String>)> = app.query(|conn| {
        mail_outbox::table
            .filter(mail_outbox::tenant_id.eq(tenant.id))
            .filter(mail_outbox::kind.eq("cancellation"))
            .select((mail_outbox::booking_id.assume_not_null(), mail_outbox::note))
            .order(mail_outbox::booking_id)
            .load(conn)
    });
    let message =
        Some("4月から受付時間が変わります。お手数ですが予約を取り直してください。".to_string());
    assert_eq!(
        notes,
        vec![(evening.0, message.clone()), (second.0, message)]
    );
    // The emptied evening slot is closed; the 10:00 slot now has its one place.
    assert_eq!(
        slot_at(&app, &tenant, april_first(), 10),
        Some((1, 1, false))
    );
    let details: serde_json::Value = app.query(|conn| {
        audit_log::table
            .filter(audit_log::tenant_id.eq(tenant.id))
            .filter(audit_log::action.eq("settings.timetable"))
            .select(audit_log::details)
            .first(conn)
    });
    assert_eq!(
        details["cancelled_bookings"],
        serde_json::json!([second.1, evening.1]),
        "in the order of their times"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_bookings_stand_and_a_booking_arriving_after_the_list_stops_the_save() {
    let app = on_march_31().await;
    let tenant = town(&app);
    let evening = book_at(&app, &tenant, april_first(), 20, "夜間 太郎");
    let admin = logged_in(&app, "admin").await;
    let url = app.url(FORM);
    let form = page_of(&admin, &url).await;
    let csrf = csrf_of(&form);
    let (_, preview) =
        text_of(post(&admin, &url, &timetable(&csrf, &version_of(&form), &[])).await).await;
    let keep = |listed: String, version: String| {
        let mut fields = timetable(&csrf, &version, &[]);
        fields.extend([
            ("listed".into(), listed),
            ("displaced".into(), "keep".into()),
            ("step".into(), "save".into()),
        ]);
        fields
    };

    // Someone books 21:00 that day meanwhile: the choice made for one booking is not
    // taken for two.
    let late = book_at(&app, &tenant, april_first(), 21, "遅着 三郎");
    let (status, page) = text_of(
        post(
            &admin,
            &url,
            &keep(listed_of(&preview), version_of(&preview)),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409);
    assert!(
        page.contains("一覧を表示した後に予約が変わりました"),
        "{page}"
    );
    assert!(page.contains("遅着 三郎"), "the new list shows it");
    assert_eq!(timetable_count(&app, &tenant), 1);

    assert_eq!(
        post(&admin, &url, &keep(listed_of(&page), version_of(&page)))
            .await
            .status(),
        303
    );
    assert_eq!(timetable_count(&app, &tenant), 2);
    for id in [evening.0, late.0] {
        let status: String = app.query(|conn| {
            bookings::table
                .find(id)
                .select(bookings::status)
                .first(conn)
        });
        assert_eq!(status, "booked");
    }
    // The evening slots take no one new, and keep the bookings they have.
    assert_eq!(
        slot_at(&app, &tenant, april_first(), 20).map(|s| s.2),
        Some(true)
    );
}
