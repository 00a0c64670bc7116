//! Importing J-LIS card files: the samples in both encodings, the bad file's seven
//! problems, re-imports, changes, and files that cannot be imported at all.

use diesel::prelude::*;
use madoguchi::db::schema::{card_events, card_imports, card_records};
use madoguchi::db::tenant::Tenant;
use madoguchi::domain::card_import::{self, ImportReport, ImportRequest};
use madoguchi_frontend::i18n::Lang;

use crate::helpers::{shared_data, TestApp};

/// The demo city with its locations and no cards yet.
fn city(app: &TestApp) -> Tenant {
    app.with_tenant(madoguchi::cli::DEMO_TENANT)
}

fn import_bytes(app: &TestApp, tenant: &Tenant, bytes: Vec<u8>, commit: bool) -> ImportReport {
    let request = ImportRequest {
        file_name: "cards.csv",
        actor: "test",
        commit,
    };
    let size = Some(bytes.len() as u64);
    card_import::run(
        &mut app.conn(),
        &app.clock(),
        tenant,
        std::io::Cursor::new(bytes),
        size,
        &request,
    )
    .expect("import")
}

fn import_file(app: &TestApp, tenant: &Tenant, file: &str, commit: bool) -> ImportReport {
    import_bytes(
        app,
        tenant,
        std::fs::read(shared_data(file)).unwrap(),
        commit,
    )
}

fn card_count(app: &TestApp) -> i64 {
    app.query(|conn| card_records::table.count().get_result(conn))
}

fn stored_name(app: &TestApp, manufacture_number: &str) -> String {
    let number = manufacture_number.to_string();
    app.query(move |conn| {
        card_records::table
            .filter(card_records::manufacture_number.eq(number))
            .select(card_records::name)
            .first(conn)
    })
}

/// (manufacture number, name) of a data line of the UTF-8 sample (line 2 is the first).
fn sample_line(line: usize) -> (String, String) {
    let text = std::fs::read_to_string(shared_data("jlis-cards-sample.utf8.csv")).unwrap();
    let cells: Vec<String> = text
        .lines()
        .nth(line - 1)
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    (cells[1].clone(), cells[3].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_samples_import_200_cards_with_names_byte_for_byte() {
    for (file, encoding) in [
        ("jlis-cards-sample.utf8.csv", "UTF-8"),
        ("jlis-cards-sample.cp932.csv", "CP932"),
    ] {
        let app = TestApp::spawn().await;
        let tenant = city(&app);
        let preview = import_file(&app, &tenant, file, false);
        assert_eq!(
            (preview.rows, preview.new_cards, preview.problem_count),
            (200, 200, 0)
        );
        assert_eq!(card_count(&app), 0, "a preview changes nothing");
        let report = import_file(&app, &tenant, file, true);
        assert!(report.committed, "{:?}", report.problems);
        assert_eq!(report.encoding, encoding);
        assert_eq!((report.new_cards, report.changed_cards), (200, 0));
        assert_eq!(card_count(&app), 200);
        // File line 9 holds 髙 and line 10 﨑 (rows 8 and 9 after the header).
        for line in [9, 10] {
            let (number, name) = sample_line(line);
            assert!(name.contains('髙') || name.contains('﨑'), "{name}");
            assert_eq!(stored_name(&app, &number).as_bytes(), name.as_bytes());
        }
        if encoding == "UTF-8" {
            let (number, name) = sample_line(13);
            assert!(name.contains('𠮷'));
            assert_eq!(stored_name(&app, &number).as_bytes(), name.as_bytes());
        }
        let history: (String, i32) = app.query(|conn| {
            card_imports::table
                .select((card_imports::sha256, card_imports::new_cards))
                .first(conn)
        });
        assert_eq!(history.0.len(), 64);
        assert_eq!(history.1, 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bad_file_reports_its_seven_problems_by_line_and_imports_nothing() {
    let app = TestApp::spawn().await;
    let tenant = city(&app);
    let report = import_file(&app, &tenant, "jlis-cards-bad.utf8.csv", true);
    assert!(!report.committed);
    let lines: Vec<u64> = report.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8, 9], "{:#?}", report.problems);
    let messages: Vec<String> = report
        .problems
        .iter()
        .map(|p| p.message(Lang::En))
        .collect();
    assert_eq!(
        messages,
        vec![
            "line 3, 申請書ID: \"55627995560636224614\" is not 23 digits",
            "line 4, 生年月日: \"2026/02/30\" is not a real date",
            "line 5, 製造管理番号: the same as on line 2",
            "line 6, 交付場所コード: \"9999\" is not a location code of this city",
            "line 7, 氏名: the name is empty",
            "line 8, 生年月日: \"令和8年2月30日\" is not a real date",
            "line 9: the row has 5 columns; the header has 9",
        ]
    );
    assert_eq!(card_count(&app), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_import_changes_nothing_and_a_changed_row_is_recorded() {
    let app = TestApp::spawn().await;
    let tenant = city(&app);
    import_file(&app, &tenant, "jlis-cards-sample.utf8.csv", true);
    let events =
        |app: &TestApp| -> i64 { app.query(|conn| card_events::table.count().get_result(conn)) };
    assert_eq!(events(&app), 200);
    let again = import_file(&app, &tenant, "jlis-cards-sample.utf8.csv", true);
    assert_eq!(
        (again.new_cards, again.changed_cards, again.unchanged_cards),
        (0, 0, 200)
    );
    assert_eq!(events(&app), 200, "nothing happened to any card");

    let text = std::fs::read_to_string(shared_data("jlis-cards-sample.utf8.csv")).unwrap();
    let (number, _) = sample_line(2);
    let changed = text.replacen("ヤマザキ　ダイスケ", "ヤマサキ　ダイスケ", 1);
    let report = import_bytes(&app, &tenant, changed.into_bytes(), true);
    assert_eq!((report.new_cards, report.changed_cards), (0, 1));
    let details: serde_json::Value = app.query(|conn| {
        card_events::table
            .filter(card_events::kind.eq("changed"))
            .select(card_events::details)
            .first(conn)
    });
    assert_eq!(
        details["changes"]["name_kana"],
        serde_json::json!(["ヤマザキ　ダイスケ", "ヤマサキ　ダイスケ"])
    );
    let kana: String = app.query(|conn| {
        card_records::table
            .filter(card_records::manufacture_number.eq(&number))
            .select(card_records::name_kana)
            .first(conn)
    });
    assert_eq!(kana, "ヤマサキ　ダイスケ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_that_cannot_be_imported_say_why_and_import_nothing() {
    let app = TestApp::spawn().await;
    let tenant = city(&app);
    let header =
        "申請書ID,製造管理番号,予約番号,氏名,氏名カナ,生年月日,交付場所コード,発送番号,作成日\r\n";
    let good = "69006026773546848745268,596938493739,1SD-175722,山崎　大輔,ヤマザキ　ダイスケ,1961/05/07,0105,4642892693,2026/10/29\r\n";
    let first_key = |bytes: Vec<u8>| -> String {
        let report = import_bytes(&app, &tenant, bytes, true);
        assert!(!report.committed);
        report.problems[0].key.to_string()
    };
    assert_eq!(first_key(Vec::new()), "card_problem_empty");
    assert_eq!(
        first_key(header.as_bytes().to_vec()),
        "card_problem_header_only"
    );
    assert_eq!(
        first_key(vec![0x89, b'P', b'N', b'G', 0, 0, 0, 13]),
        "card_problem_binary"
    );
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(header.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    assert_eq!(first_key(utf16), "card_problem_encoding");
    let twice = header.replace("作成日", "氏名");
    assert_eq!(
        first_key(format!("{twice}{good}").into_bytes()),
        "card_problem_header_twice"
    );
    let extra = good.replace("\r\n", ",extra\r\n");
    assert_eq!(
        first_key(format!("{header}{extra}").into_bytes()),
        "card_problem_columns"
    );
    let broken_name = good.replace("山崎　大輔", "\"山崎\r\n大輔\"");
    let unknown_place = good.replace(",0105,", ",9999,");
    let report = import_bytes(
        &app,
        &tenant,
        format!("{header}{broken_name}{unknown_place}").into_bytes(),
        true,
    );
    assert_eq!(report.problems[0].key, "card_problem_line_break");
    assert_eq!(report.problems[0].line, 2);
    assert_eq!(
        report.problems[1].line, 4,
        "lines after a quoted line break still count right"
    );

    let big = tempfile::NamedTempFile::new().unwrap();
    big.as_file().set_len(200 * 1024 * 1024).unwrap();
    let file = std::fs::File::open(big.path()).unwrap();
    let size = file.metadata().unwrap().len();
    let request = ImportRequest {
        file_name: "big.csv",
        actor: "test",
        commit: true,
    };
    let report = card_import::run(
        &mut app.conn(),
        &app.clock(),
        &tenant,
        file,
        Some(size),
        &request,
    )
    .unwrap();
    assert_eq!(
        report.problems[0].message(Lang::Ja),
        "ファイルが大きすぎます（上限 100 MB）。ファイルを分けて取り込んでください。"
    );
    assert_eq!(card_count(&app), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_in_password_mode_gets_numbers_and_passwords_once_for_the_notice_printer() {
    use madoguchi::domain::booking::{identify_card, CardIdentification, CardProof};

    let app = TestApp::spawn().await;
    let toml = madoguchi::cli::DEMO_TENANT.replacen(
        "pickup_proof = \"birth_date\"",
        "pickup_proof = \"password\"",
        1,
    );
    let tenant = app.with_tenant(&toml);
    assert_eq!(tenant.pickup_proof_kind.as_str(), "password");
    let file = "申請書ID,製造管理番号,予約番号,氏名,氏名カナ,生年月日,交付場所コード,発送番号,作成日,郵便番号,住所\r\n\
        69006026773546848745268,596938493739,,山崎　大輔,ヤマザキ　ダイスケ,1961/05/07,0105,4642892693,2026/10/29,100-0001,デモ市西町1-2\r\n\
        55627995560636224614162,743732622297,WFH-964134,髙橋　さくら,タカハシ　サクラ,2016/08/04,0101,1633973592,2026/11/07,100-0002,デモ市本町3-4\r\n";
    let report = import_bytes(&app, &tenant, file.as_bytes().to_vec(), true);
    assert!(report.committed, "{:?}", report.problems);
    let notices = report.notices.expect("notice data");
    assert!(notices.starts_with(b"\xEF\xBB\xBF"));
    let mut reader = csv::Reader::from_reader(&notices[3..]);
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["予約番号", "パスワード", "氏名", "郵便番号", "住所"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[1][0], "WFH-964134", "a number from the file is kept");
    assert_eq!(
        &rows[1][4],
        "デモ市本町3-4",
        "{}",
        String::from_utf8_lossy(&notices)
    );
    let issued = rows[0][0].to_string();
    assert!(
        issued.len() == 10 && issued.as_bytes()[3] == b'-',
        "{issued}"
    );
    for row in &rows {
        let identification = CardIdentification {
            number: row[0].to_string(),
            proof: CardProof::Password(row[1].to_string()),
        };
        let card = identify_card(
            &mut app.conn(),
            &app.clock(),
            &tenant,
            &identification,
            None,
        )
        .expect("the printed password opens the card");
        assert_eq!(card.name, row[2].to_string());
        assert!(card.password_hash.unwrap().starts_with("$argon2id$"));
    }
    let again = import_bytes(&app, &tenant, file.as_bytes().to_vec(), true);
    assert!(again.notices.is_none(), "passwords are issued once");
}
