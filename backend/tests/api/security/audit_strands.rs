//! Lines written while another transaction holds the city's first strand of the operation
//! log go to another strand instead of waiting for that transaction's commit; every strand
//! is checked, pruned and continued like the one chain, and tampering in any strand is found.

use chrono::Duration;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use madoguchi::db::audit::NewAuditEntry;
use madoguchi::db::schema::audit_log;
use madoguchi::domain::audit_chain::{verify, Problem};
use madoguchi::domain::retention::{self, Rules};
use serde_json::json;

use crate::helpers::TestApp;

fn line(
    tenant_id: i64,
    action: &'static str,
    at: chrono::DateTime<chrono::Utc>,
) -> NewAuditEntry<'static> {
    NewAuditEntry {
        tenant_id: Some(tenant_id),
        actor: "admin",
        action,
        target: "test",
        client_addr: None,
        details: json!({}),
        created_at: at,
    }
}

/// Writes `lines` in one transaction of `writer` while `holder` keeps a transaction open
/// that has written a line of its own (and so holds strand 0 until it commits).
fn write_beside_an_open_transaction(
    app: &TestApp,
    held: NewAuditEntry<'static>,
    lines: Vec<NewAuditEntry<'static>>,
) {
    let mut holder = app.conn();
    let mut writer = app.conn();
    holder.batch_execute("BEGIN").unwrap();
    held.insert(&mut holder).unwrap();
    writer
        .transaction(|conn| {
            for l in lines {
                l.insert(conn)?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
    holder.batch_execute("COMMIT").unwrap();
}

fn keep_the_log_366_days(conn: &mut PgConnection, tenant_id: i64) {
    retention::set_rules(
        conn,
        tenant_id,
        Rules {
            operation_log_days: 366,
            personal_data_days: None,
            file_days: 30,
        },
    )
    .unwrap();
}

fn strands_of(app: &TestApp, tenant_id: i64) -> Vec<(String, i16, i64)> {
    audit_log::table
        .filter(audit_log::tenant_id.eq(tenant_id))
        .order(audit_log::id)
        .select((
            audit_log::action,
            audit_log::chain_strand,
            audit_log::chain_position,
        ))
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_written_beside_an_open_one_takes_the_next_strand_and_is_still_checked() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let now = app.clock().now;
    let before: i64 = audit_log::table
        .filter(audit_log::tenant_id.eq(tenant.id))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    write_beside_an_open_transaction(
        &app,
        line(tenant.id, "held.one", now),
        vec![
            line(tenant.id, "beside.one", now),
            line(tenant.id, "beside.two", now),
        ],
    );
    line(tenant.id, "after.one", now)
        .insert(&mut app.conn())
        .unwrap();
    let written: Vec<_> = strands_of(&app, tenant.id)
        .into_iter()
        .skip(before as usize)
        .map(|(action, strand, _)| (action, strand))
        .collect();
    assert_eq!(
        written,
        [
            ("held.one".to_string(), 0),
            ("beside.one".to_string(), 1),
            ("beside.two".to_string(), 1),
            ("after.one".to_string(), 0),
        ]
    );
    let report = app.query(move |conn| verify(conn, Some(tenant.id)));
    assert_eq!(report.first_break, None);
    assert_eq!(report.rows, before + 4);
    let strand_one = report.heads.iter().find(|h| h.strand == 1).unwrap();
    assert_eq!(strand_one.position, 2);

    // The first line of strand 1 is changed, then put back and removed instead.
    let first_beside: i64 = audit_log::table
        .filter(audit_log::action.eq("beside.one"))
        .select(audit_log::id)
        .first(&mut app.conn())
        .unwrap();
    let tamper = |statement: String| {
        app.conn()
            .batch_execute(&format!(
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; {statement}; \
                 ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;"
            ))
            .unwrap()
    };
    tamper(format!(
        "UPDATE audit_log SET target = 'other' WHERE id = {first_beside}"
    ));
    let at = app
        .query(move |conn| verify(conn, Some(tenant.id)))
        .first_break
        .expect("a break");
    assert_eq!(
        (at.strand, at.position, at.id, at.problem),
        (1, 1, first_beside, Problem::Changed)
    );
    tamper(format!(
        "UPDATE audit_log SET target = 'test' WHERE id = {first_beside}"
    ));
    tamper(format!("DELETE FROM audit_log WHERE id = {first_beside}"));
    let at = app
        .query(move |conn| verify(conn, Some(tenant.id)))
        .first_break
        .expect("a break");
    assert_eq!(
        (at.strand, at.position, at.problem),
        (1, 2, Problem::Missing)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pruning_cuts_every_strand_from_its_start_and_later_lines_still_link() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let now = app.clock().now;
    let ago = |days| now - Duration::days(days);
    let var = tempfile::tempdir().unwrap();
    let prune = |conn: &mut PgConnection| {
        retention::apply(conn, tenant.id, var.path(), now, app.clock().today()).unwrap()
    };
    let mut conn = app.conn();
    keep_the_log_366_days(&mut conn, tenant.id);
    write_beside_an_open_transaction(
        &app,
        line(tenant.id, "strand0.old", ago(450)),
        vec![
            line(tenant.id, "strand1.old", ago(500)),
            line(tenant.id, "strand1.older", ago(400)),
            line(tenant.id, "strand1.recent", ago(1)),
        ],
    );
    line(tenant.id, "strand0.recent", ago(2))
        .insert(&mut conn)
        .unwrap();
    // A strand whose lines are all past the period keeps its newest one.
    {
        let mut holder_one = app.conn();
        let mut holder_two = app.conn();
        holder_one.batch_execute("BEGIN").unwrap();
        line(tenant.id, "held.zero", now)
            .insert(&mut holder_one)
            .unwrap();
        holder_two.batch_execute("BEGIN").unwrap();
        line(tenant.id, "held.one", now)
            .insert(&mut holder_two)
            .unwrap();
        line(tenant.id, "strand2.old", ago(700))
            .insert(&mut conn)
            .unwrap();
        line(tenant.id, "strand2.last", ago(600))
            .insert(&mut conn)
            .unwrap();
        holder_two.batch_execute("COMMIT").unwrap();
        holder_one.batch_execute("COMMIT").unwrap();
    }
    let strands: Vec<(String, i16)> = strands_of(&app, tenant.id)
        .into_iter()
        .filter(|(action, _, _)| action.starts_with("strand"))
        .map(|(action, strand, _)| (action, strand))
        .collect();
    assert_eq!(
        strands,
        [
            ("strand0.old".to_string(), 0),
            ("strand1.old".to_string(), 1),
            ("strand1.older".to_string(), 1),
            ("strand1.recent".to_string(), 1),
            ("strand0.recent".to_string(), 0),
            ("strand2.old".to_string(), 2),
            ("strand2.last".to_string(), 2),
        ]
    );

    let applied = prune(&mut conn);
    let left: Vec<String> = strands_of(&app, tenant.id)
        .into_iter()
        .map(|(action, _, _)| action)
        .filter(|action| action.starts_with("strand"))
        .collect();
    assert_eq!(left, ["strand1.recent", "strand0.recent", "strand2.last"]);
    assert_eq!(applied.log_rows_removed, 4);
    let pruned: serde_json::Value = audit_log::table
        .filter(audit_log::tenant_id.eq(tenant.id))
        .filter(audit_log::action.eq("log.pruned"))
        .select(audit_log::details)
        .first(&mut conn)
        .unwrap();
    assert!(
        pruned["through_strands"]["1"]["position"].is_i64(),
        "{pruned}"
    );
    assert!(
        pruned["through_strands"]["2"]["position"].is_i64(),
        "{pruned}"
    );
    let report = app.query(move |conn| verify(conn, Some(tenant.id)));
    assert_eq!(report.first_break, None);

    // New lines in strands 1 and 2 follow the rows that stayed.
    {
        let mut holder_one = app.conn();
        holder_one.batch_execute("BEGIN").unwrap();
        line(tenant.id, "held.again", now)
            .insert(&mut holder_one)
            .unwrap();
        write_beside_an_open_transaction(
            &app,
            line(tenant.id, "strand1.new", now),
            vec![line(tenant.id, "strand2.new", now)],
        );
        holder_one.batch_execute("COMMIT").unwrap();
    }
    let report = app.query(move |conn| verify(conn, Some(tenant.id)));
    assert_eq!(report.first_break, None);
    assert!(
        report.heads.iter().any(|h| h.strand == 2),
        "{:?}",
        report.heads
    );
    // Strand 2's old row is no longer its newest, so the next pruning cuts it; strand 1
    // is then still checked from where the first pruning left it.
    assert_eq!(prune(&mut conn).log_rows_removed, 1);
    let report = app.query(move |conn| verify(conn, Some(tenant.id)));
    assert_eq!(report.first_break, None);
    assert_eq!(prune(&mut conn).log_rows_removed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_strand_still_verifies_after_the_record_of_its_pruning_is_pruned_itself() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let now = app.clock().now;
    let ago = |days| now - Duration::days(days);
    let var = tempfile::tempdir().unwrap();
    let mut conn = app.conn();
    keep_the_log_366_days(&mut conn, tenant.id);
    write_beside_an_open_transaction(
        &app,
        line(tenant.id, "strand0.old", ago(500)),
        vec![
            line(tenant.id, "strand1.old", ago(700)),
            line(tenant.id, "strand1.last", ago(600)),
        ],
    );
    line(tenant.id, "strand0.recent", ago(1))
        .insert(&mut conn)
        .unwrap();
    let prune_at = |conn: &mut PgConnection, at: chrono::DateTime<chrono::Utc>| {
        let today = at.with_timezone(&chrono_tz::Asia::Tokyo).date_naive();
        retention::apply(conn, tenant.id, var.path(), at, today).unwrap()
    };
    assert_eq!(prune_at(&mut conn, now).log_rows_removed, 2);
    // Strand 1 is never written again; strand 0 goes on, and a year later the first
    // record of pruning is past the period and goes too.
    line(tenant.id, "strand0.later", now + Duration::days(1))
        .insert(&mut conn)
        .unwrap();
    let later = now + Duration::days(400);
    assert_eq!(prune_at(&mut conn, later).log_rows_removed, 2);
    let records: i64 = audit_log::table
        .filter(audit_log::tenant_id.eq(tenant.id))
        .filter(audit_log::action.eq("log.pruned"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(records, 1, "the first record went with the rest");
    let report = app.query(move |conn| verify(conn, Some(tenant.id)));
    assert_eq!(report.first_break, None);
    assert!(
        report.heads.iter().any(|h| h.strand == 1),
        "{:?}",
        report.heads
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pruned_city_loaded_from_its_archive_verifies_from_its_start() {
    use madoguchi::domain::archive;
    use std::io::Cursor;
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let now = app.clock().now;
    let var = tempfile::tempdir().unwrap();
    let mut conn = app.conn();
    write_beside_an_open_transaction(
        &app,
        line(tenant.id, "strand0.old", now - Duration::days(500)),
        vec![
            line(tenant.id, "strand1.old", now - Duration::days(450)),
            line(tenant.id, "strand1.recent", now - Duration::days(2)),
        ],
    );
    line(tenant.id, "strand0.recent", now - Duration::days(1))
        .insert(&mut conn)
        .unwrap();
    let applied =
        retention::apply(&mut conn, tenant.id, var.path(), now, app.clock().today()).unwrap();
    assert_eq!(applied.log_rows_removed, 2);
    assert_eq!(
        app.query(move |conn| verify(conn, Some(tenant.id)))
            .first_break,
        None
    );
    let (_, zip) = archive::export(&mut conn, &tenant, Cursor::new(Vec::new()), now).unwrap();
    archive::import(
        &mut conn,
        Cursor::new(zip.into_inner()),
        "moved",
        false,
        now,
    )
    .unwrap();
    let moved = madoguchi::db::tenant::Tenant::by_code(&mut conn, "moved")
        .unwrap()
        .unwrap();
    // The loaded rows were linked afresh from the start of strand 0; the record of the old
    // city's pruning came along but names places of the old chain.
    let report = app.query(move |conn| verify(conn, Some(moved.id)));
    assert_eq!(report.first_break, None);
    // New rows of the loaded city in strand 1 link from its start too.
    write_beside_an_open_transaction(
        &app,
        line(moved.id, "moved.held", now),
        vec![line(moved.id, "moved.beside", now)],
    );
    let report = app.query(move |conn| verify(conn, Some(moved.id)));
    assert_eq!(report.first_break, None);
    assert!(
        report.heads.iter().any(|h| h.strand == 1),
        "{:?}",
        report.heads
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_keeps_to_the_strand_it_started_in() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let now = app.clock().now;
    let mut holder = app.conn();
    let mut writer = app.conn();
    holder.batch_execute("BEGIN").unwrap();
    line(tenant.id, "held", now).insert(&mut holder).unwrap();
    writer.batch_execute("BEGIN").unwrap();
    line(tenant.id, "first", now).insert(&mut writer).unwrap();
    // Strand 0 is free again before the writer's second row.
    holder.batch_execute("COMMIT").unwrap();
    line(tenant.id, "second", now).insert(&mut writer).unwrap();
    writer.batch_execute("COMMIT").unwrap();
    let strands: Vec<(String, i16)> = strands_of(&app, tenant.id)
        .into_iter()
        .filter(|(action, _, _)| ["held", "first", "second"].contains(&action.as_str()))
        .map(|(action, strand, _)| (action, strand))
        .collect();
    assert_eq!(
        strands,
        [
            ("held".to_string(), 0),
            ("first".to_string(), 1),
            ("second".to_string(), 1),
        ]
    );
    let report = app.query(move |conn| verify(conn, Some(tenant.id)));
    assert_eq!(report.first_break, None);
}
