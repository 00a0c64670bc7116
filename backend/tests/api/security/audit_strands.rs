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
    retention::set_rules(
        &mut conn,
        tenant.id,
        Rules {
            operation_log_days: 366,
            personal_data_days: None,
            file_days: 30,
        },
    )
    .unwrap();
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
