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
