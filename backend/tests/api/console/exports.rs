//! Finding bookings and exporting them.

use diesel::prelude::*;

use super::{booking_today, clerk_desk, town};
use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_booking_list_exports_as_csv_and_xlsx_with_every_row() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let codes: Vec<String> = (0..3)
        .map(|i| booking_today(&app, &tenant, &format!("list{i}@example.jp")))
        .collect();
    clerk_desk(&app).await;
    let page = app
        .client
        .get(app.url("/town/staff/bookings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let listed = page.matches("<tr>").count() - 1; // header row
    assert_eq!(listed, 3);
    for code in &codes {
        assert!(page.contains(&format!("{}-{}-{}", &code[0..3], &code[3..6], &code[6..9])));
    }

    let response = app
        .client
        .get(app.url("/town/staff/bookings.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(
        text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'),
        "CRLF line ends"
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap().get(0), Some("予約番号"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), listed, "the export has the rows of the list");
    assert!(rows.iter().any(|r| r.get(7) == Some("list0@example.jp")));

    let cp932 = app
        .client
        .get(app.url("/town/staff/bookings.csv?encoding=cp932"))
        .send()
        .await
        .unwrap();
    let cp932 = cp932.bytes().await.unwrap();
    let (decoded, _, malformed) = encoding_rs::SHIFT_JIS.decode(&cp932);
    assert!(!malformed);
    assert!(decoded.starts_with("予約番号,"));
    assert_eq!(
        csv::Reader::from_reader(decoded.as_bytes())
            .records()
            .count(),
        listed
    );
    // The Excel workbook holds the same rows, read back with calamine.
    let xlsx = app
        .client
        .get(app.url("/town/staff/bookings.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    let xlsx = xlsx.bytes().await.unwrap().to_vec();
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut workbook, "予約受付一覧表").unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(cells[0][0], "予約番号");
    assert_eq!(cells.len() - 1, listed);
    let csv_codes: Vec<&str> = rows.iter().map(|r| r.get(0).unwrap()).collect();
    let xlsx_codes: Vec<&str> = cells[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(xlsx_codes, csv_codes);

    let exports: i64 = app.query(|conn| {
        madoguchi::db::schema::audit_log::table
            .filter(madoguchi::db::schema::audit_log::action.eq("booking.export"))
            .count()
            .get_result(conn)
    });
    assert_eq!(exports, 3);
}

/// The codes of a list page, in the order shown.
fn listed_codes(page: &str) -> Vec<String> {
    page.split("/town/staff/bookings/")
        .skip(1)
        .map(|rest| rest[..9].to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_filters_by_status_channel_and_booking_day_and_sorts_by_any_column() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let mut codes: Vec<String> = (0..4)
        .map(|i| booking_today(&app, &tenant, &format!("sort{i}@example.jp")))
        .collect();
    codes.sort();
    clerk_desk(&app).await;
    let list = |query: &'static str| {
        let url = app.url(&format!("/town/staff/bookings?{query}"));
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let ascending = list("sort=code&order=asc").await;
    assert_eq!(listed_codes(&ascending), codes);
    assert!(ascending.contains("aria-sort=\"ascending\""));
    let descending = list("sort=code&order=desc").await;
    let mut reversed = codes.clone();
    reversed.reverse();
    assert_eq!(listed_codes(&descending), reversed);

    assert_eq!(listed_codes(&list("channel=phone").await).len(), 4);
    assert!(listed_codes(&list("channel=web").await).is_empty());
    assert!(listed_codes(&list("status=cancelled").await).is_empty());
    let today = app.clock().today();
    let booked_today = format!("booked_from={today}&booked_to={today}");
    let url = app.url(&format!("/town/staff/bookings?{booked_today}"));
    let page = app
        .client
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(listed_codes(&page).len(), 4);
    let later = today + chrono::Duration::days(1);
    let url = app.url(&format!("/town/staff/bookings?booked_from={later}"));
    let page = app
        .client
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(listed_codes(&page).is_empty());
    let unreadable = list("booked_from=yesterday").await;
    assert!(
        unreadable.contains("予約日（から）"),
        "names the field it could not read"
    );
}
