//! Every resident page links the city's accessibility report and policies; the report lists
//! every WCAG 2.0 A/AA success criterion with its result.

use crate::helpers::TestApp;

const CRITERIA: usize = 38;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_footer_leads_to_a_report_of_every_success_criterion_and_the_policies() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    for path in [
        "/demo/?lang=ja",
        "/demo/booking?lang=vi",
        "/demo/booking?lang=en",
    ] {
        let page = app.page_text(path).await;
        assert!(page.contains("class=\"site-footer\""), "{path}");
        assert!(page.contains("/demo/accessibility?lang="), "{path}");
        assert!(page.contains("/demo/privacy?lang="), "{path}");
    }

    let report = app.page_text("/demo/accessibility?lang=ja").await;
    assert!(
        report.contains("<h1>アクセシビリティ試験結果</h1>"),
        "{report}"
    );
    assert!(report.contains("JIS X 8341-3:2016"));
    assert!(report.contains("AA 準拠") || report.contains("AA 一部準拠"));
    let criteria = include_str!("../../../frontend/accessibility/criteria.tsv");
    let numbers: Vec<&str> = criteria
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert_eq!(numbers.len(), CRITERIA);
    let rows = report.matches("<th scope=\"row\">").count();
    assert_eq!(rows, CRITERIA, "one row per criterion");
    for number in numbers {
        assert!(
            report.contains(&format!("<th scope=\"row\">{number} ")),
            "{number}"
        );
    }
    assert!(report.contains("非テキストコンテンツ") && report.contains("名前（name）"));
    let english = app.page_text("/demo/accessibility?lang=en").await;
    assert!(english.contains("Success criteria checklist") && english.contains("Non-text Content"));

    let policy = app.page_text("/demo/accessibility-policy?lang=ja").await;
    assert!(
        policy.contains("ウェブアクセシビリティ方針")
            && policy.contains("/demo/accessibility?lang=ja")
    );
    let privacy = app.page_text("/demo/privacy?lang=ja").await;
    assert!(
        privacy.contains("来庁日から1095日後に消去します"),
        "{privacy}"
    );
    let unknown = app
        .client
        .get(app.url("/nowhere/privacy"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}
