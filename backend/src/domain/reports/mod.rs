//! Statistics for a city's staff: counts of visits per period × counter × procedure, the
//! card pipeline per counter, and the call center's day.
//!
//! Every booking counts once, in the period of its visit (the slot it holds now, or held
//! when it was cancelled); cancelled bookings stay in the table with their history, so a
//! report of a past year still counts them. Figures are computed in the database, set-wise,
//! so a fiscal year of a large city takes one pass over its bookings.

pub mod calls;
pub mod cards;
pub mod period;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Integer, Nullable, Text, Timestamptz};
use diesel::PgConnection;

pub use period::Grouping;

use super::Clock;
use crate::db::tenant::Tenant;

/// What a report covers.
#[derive(Clone, Debug)]
pub struct ReportFilter {
    pub from: NaiveDate,
    /// The last day, inclusive.
    pub to: NaiveDate,
    pub by: Grouping,
    /// A location's code; none: every location.
    pub location: Option<String>,
    /// A procedure's code; none: every procedure.
    pub procedure: Option<String>,
    /// `web`, `phone`, `counter`; none: all.
    pub channel: Option<String>,
    /// Only these locations (an account limited to some); empty: all.
    pub location_ids: Vec<i64>,
}

/// The counts of one cell of a report.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Figures {
    pub booked: i64,
    pub changed: i64,
    pub cancelled: i64,
    pub cancelled_by_resident: i64,
    pub cancelled_by_staff: i64,
    pub checked_in: i64,
    pub handed_over: i64,
    pub no_show: i64,
    pub web: i64,
    pub phone: i64,
    pub places_offered: i64,
    pub places_used: i64,
    /// The median of the days between booking and visit; none without bookings.
    pub median_lead_days: Option<f64>,
}

impl Figures {
    /// Places used per place offered, in per cent; none when nothing was offered.
    pub fn utilisation(&self) -> Option<f64> {
        (self.places_offered > 0)
            .then(|| self.places_used as f64 * 100.0 / self.places_offered as f64)
    }
}

/// A location or procedure a row is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub id: i64,
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
}

/// One row: a period × location × procedure with its figures.
#[derive(Clone, Debug)]
pub struct ReportRow {
    pub period: String,
    pub location: Named,
    pub procedure: Named,
    pub figures: Figures,
}

/// A whole report: the detailed rows, the totals per period (for the chart over time), per
/// location (for utilisation per counter) and overall.
#[derive(Clone, Debug)]
pub struct Report {
    pub rows: Vec<ReportRow>,
    pub per_period: Vec<(String, Figures)>,
    pub per_location: Vec<(Named, Figures)>,
    pub total: Figures,
}

#[derive(QueryableByName)]
struct VisitCounts {
    #[diesel(sql_type = Nullable<Text>)]
    period: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    location_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    procedure_id: Option<i64>,
    #[diesel(sql_type = Integer)]
    level: i32,
    #[diesel(sql_type = BigInt)]
    booked: i64,
    #[diesel(sql_type = BigInt)]
    changed: i64,
    #[diesel(sql_type = BigInt)]
    cancelled: i64,
    #[diesel(sql_type = BigInt)]
    cancelled_by_resident: i64,
    #[diesel(sql_type = BigInt)]
    checked_in: i64,
    #[diesel(sql_type = BigInt)]
    handed_over: i64,
    #[diesel(sql_type = BigInt)]
    no_show: i64,
    #[diesel(sql_type = BigInt)]
    web: i64,
    #[diesel(sql_type = BigInt)]
    phone: i64,
    #[diesel(sql_type = BigInt)]
    places_used: i64,
    #[diesel(sql_type = Nullable<Double>)]
    median_lead_days: Option<f64>,
}

#[derive(QueryableByName)]
struct PlaceCounts {
    #[diesel(sql_type = Nullable<Text>)]
    period: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    location_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    procedure_id: Option<i64>,
    #[diesel(sql_type = Integer)]
    level: i32,
    #[diesel(sql_type = BigInt)]
    offered: i64,
}

/// The period a local date falls in, in SQL, matching `Grouping::label_of`.
const PERIOD_OF_DAY: &str = "CASE $5 WHEN 'day' THEN to_char(DAY, 'YYYY-MM-DD') \
     WHEN 'month' THEN to_char(DAY, 'YYYY-MM') \
     ELSE 'FY' || to_char(DAY - interval '3 months', 'YYYY') END";

/// The filters both queries share, over `s` (slots) and `l` (locations).
const SLOT_FILTERS: &str = "s.tenant_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3 \
     AND ($6::text IS NULL OR l.code = $6) \
     AND (cardinality($9::bigint[]) = 0 OR s.location_id = ANY($9))";

// `grouping(...)` is a bit mask of the columns a row is NOT grouped by (period 4, location
// 2, procedure 1): 0 is a detailed row, 3 a period's total, 5 a location's, 7 the total.
const DETAILED: i32 = 0;
const PERIOD_TOTAL: i32 = 3;
const LOCATION_TOTAL: i32 = 5;
const TOTAL: i32 = 7;

fn visits_query() -> String {
    let period = PERIOD_OF_DAY.replace("DAY", "(s.starts_at AT TIME ZONE $4)::date");
    format!(
        "WITH visits AS (
           SELECT b.id, b.status, b.channel, b.party_size, b.procedure_id, s.location_id,
                  {period} AS period,
                  (s.starts_at AT TIME ZONE $4)::date - (b.created_at AT TIME ZONE $4)::date
                    AS lead_days
             FROM bookings b
             JOIN slots s ON s.id = b.slot_id
             JOIN locations l ON l.id = s.location_id
             JOIN procedures p ON p.id = b.procedure_id
            WHERE b.tenant_id = $1 AND {SLOT_FILTERS}
              AND ($7::text IS NULL OR p.code = $7)
              AND ($8::text IS NULL OR b.channel = $8)
         ), history AS (
           SELECT e.booking_id,
                  bool_or(e.kind = 'moved') AS moved,
                  (array_agg(e.actor ORDER BY e.id DESC)
                     FILTER (WHERE e.kind = 'cancelled'))[1] AS cancelled_by
             FROM booking_events e JOIN visits v ON v.id = e.booking_id
            WHERE e.tenant_id = $1 AND e.kind IN ('moved', 'cancelled')
            GROUP BY e.booking_id
         )
         SELECT v.period, v.location_id, v.procedure_id,
                grouping(v.period, v.location_id, v.procedure_id) AS level,
                count(*) AS booked,
                count(*) FILTER (WHERE h.moved) AS changed,
                count(*) FILTER (WHERE v.status = 'cancelled') AS cancelled,
                count(*) FILTER (WHERE v.status = 'cancelled' AND h.cancelled_by = 'resident')
                  AS cancelled_by_resident,
                count(*) FILTER (WHERE v.status IN ('checked_in', 'completed')) AS checked_in,
                count(*) FILTER (WHERE v.status = 'completed') AS handed_over,
                count(*) FILTER (WHERE v.status = 'no_show') AS no_show,
                count(*) FILTER (WHERE v.channel = 'web') AS web,
                count(*) FILTER (WHERE v.channel = 'phone') AS phone,
                coalesce(sum(v.party_size) FILTER (WHERE v.status <> 'cancelled'), 0)::bigint
                  AS places_used,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY v.lead_days) AS median_lead_days
           FROM visits v LEFT JOIN history h ON h.booking_id = v.id
          GROUP BY GROUPING SETS ((v.period, v.location_id, v.procedure_id), (v.period),
                                  (v.location_id), ())"
    )
}

/// Places offered: per procedure, the open slots of the lanes that take it; the totals
/// count each slot once, though a lane may take several procedures.
fn places_query() -> String {
    let period = PERIOD_OF_DAY.replace("DAY", "(s.starts_at AT TIME ZONE $4)::date");
    format!(
        "WITH offered AS (
           SELECT s.id, s.location_id, lp.procedure_id, s.capacity, {period} AS period
             FROM slots s
             JOIN locations l ON l.id = s.location_id
             JOIN lane_procedures lp ON lp.lane_id = s.lane_id
             JOIN procedures p ON p.id = lp.procedure_id
            WHERE {SLOT_FILTERS} AND NOT s.closed
              AND ($7::text IS NULL OR p.code = $7)
              -- $8 (the channel) does not apply to places; bound to keep one parameter list.
              AND ($8::text IS NULL OR true)
         ), per_slot AS (
           SELECT DISTINCT ON (id) id, location_id, capacity, period FROM offered
         )
         SELECT period, location_id, procedure_id, 0 AS level, sum(capacity)::bigint AS offered
           FROM offered GROUP BY period, location_id, procedure_id
         UNION ALL
         SELECT period, location_id, NULL::bigint,
                CASE grouping(period, location_id) WHEN 1 THEN {PERIOD_TOTAL}
                     WHEN 2 THEN {LOCATION_TOTAL} ELSE {TOTAL} END,
                sum(capacity)::bigint
           FROM per_slot GROUP BY GROUPING SETS ((period), (location_id), ())"
    )
}

/// The report for `filter`.
pub fn report(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    filter: &ReportFilter,
) -> QueryResult<Report> {
    let from = clock.start_of(filter.from);
    let until = clock.start_of(filter.to + chrono::Duration::days(1));
    macro_rules! bound {
        ($sql:expr) => {
            diesel::sql_query($sql)
                .bind::<BigInt, _>(tenant.id)
                .bind::<Timestamptz, _>(from)
                .bind::<Timestamptz, _>(until)
                .bind::<Text, _>(clock.tz.name())
                .bind::<Text, _>(filter.by.as_str())
                .bind::<Nullable<Text>, _>(filter.location.as_deref())
                .bind::<Nullable<Text>, _>(filter.procedure.as_deref())
                .bind::<Nullable<Text>, _>(filter.channel.as_deref())
                .bind::<Array<BigInt>, _>(&filter.location_ids)
        };
    }
    let visits: Vec<VisitCounts> = bound!(visits_query()).load(conn)?;
    let places: Vec<PlaceCounts> = bound!(places_query()).load(conn)?;
    let names = names_of(conn, tenant.id)?;
    Ok(assemble(filter, &names, visits, places))
}

/// The city's locations and procedures by id, in the order its lists show them.
struct Names {
    locations: BTreeMap<i64, (usize, Named)>,
    procedures: BTreeMap<i64, (usize, Named)>,
}

fn names_of(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<Names> {
    use crate::db::schema::{locations, procedures};
    let located: Vec<(i64, String, String, String)> = locations::table
        .filter(locations::tenant_id.eq(tenant_id))
        .order(locations::id)
        .select((
            locations::id,
            locations::code,
            locations::name,
            locations::name_en,
        ))
        .load(conn)?;
    let procedures: Vec<(i64, String, String, String)> = procedures::table
        .filter(procedures::tenant_id.eq(tenant_id))
        .order((procedures::sort_order, procedures::id))
        .select((
            procedures::id,
            procedures::code,
            procedures::name_ja,
            procedures::name_en,
        ))
        .load(conn)?;
    let index = |rows: Vec<(i64, String, String, String)>| {
        rows.into_iter()
            .enumerate()
            .map(|(order, (id, code, name_ja, name_en))| {
                (
                    id,
                    (
                        order,
                        Named {
                            id,
                            code,
                            name_ja,
                            name_en,
                        },
                    ),
                )
            })
            .collect()
    };
    Ok(Names {
        locations: index(located),
        procedures: index(procedures),
    })
}

fn figures_of(counts: &VisitCounts) -> Figures {
    Figures {
        booked: counts.booked,
        changed: counts.changed,
        cancelled: counts.cancelled,
        cancelled_by_resident: counts.cancelled_by_resident,
        cancelled_by_staff: counts.cancelled - counts.cancelled_by_resident,
        checked_in: counts.checked_in,
        handed_over: counts.handed_over,
        no_show: counts.no_show,
        web: counts.web,
        phone: counts.phone,
        places_offered: 0,
        places_used: counts.places_used,
        median_lead_days: counts.median_lead_days,
    }
}

type Key = (String, i64, i64);

fn assemble(
    filter: &ReportFilter,
    names: &Names,
    visits: Vec<VisitCounts>,
    places: Vec<PlaceCounts>,
) -> Report {
    let mut detailed: BTreeMap<Key, Figures> = BTreeMap::new();
    let mut per_period: BTreeMap<String, Figures> = BTreeMap::new();
    let mut per_location: BTreeMap<i64, Figures> = BTreeMap::new();
    let mut total = Figures::default();
    for counts in &visits {
        let figures = figures_of(counts);
        let period = counts.period.clone().unwrap_or_default();
        let location = counts.location_id.unwrap_or_default();
        let procedure = counts.procedure_id.unwrap_or_default();
        match counts.level {
            DETAILED => {
                detailed.insert((period, location, procedure), figures);
            }
            PERIOD_TOTAL => {
                per_period.insert(period, figures);
            }
            LOCATION_TOTAL => {
                per_location.insert(location, figures);
            }
            TOTAL => total = figures,
            _ => {}
        }
    }
    for place in &places {
        let period = place.period.clone().unwrap_or_default();
        let location = place.location_id.unwrap_or_default();
        let figures = match place.level {
            DETAILED => detailed
                .entry((period, location, place.procedure_id.unwrap_or_default()))
                .or_default(),
            PERIOD_TOTAL => per_period.entry(period).or_default(),
            LOCATION_TOTAL => per_location.entry(location).or_default(),
            TOTAL => &mut total,
            _ => continue,
        };
        figures.places_offered = place.offered;
    }
    let mut rows: Vec<ReportRow> = detailed
        .into_iter()
        .filter_map(|((period, location, procedure), figures)| {
            Some(ReportRow {
                period,
                location: names.locations.get(&location)?.1.clone(),
                procedure: names.procedures.get(&procedure)?.1.clone(),
                figures,
            })
        })
        .collect();
    let order = |id: i64, of: &BTreeMap<i64, (usize, Named)>| of.get(&id).map(|(o, _)| *o);
    rows.sort_by_key(|row| {
        (
            row.period.clone(),
            order(row.location.id, &names.locations),
            order(row.procedure.id, &names.procedures),
        )
    });
    let per_period = filter
        .by
        .labels_between(filter.from, filter.to)
        .into_iter()
        .map(|label| {
            let figures = per_period.get(&label).copied().unwrap_or_default();
            (label, figures)
        })
        .collect();
    let mut per_location: Vec<(usize, Named, Figures)> = per_location
        .into_iter()
        .filter_map(|(id, figures)| {
            let (order, named) = names.locations.get(&id)?;
            Some((*order, named.clone(), figures))
        })
        .collect();
    per_location.sort_by_key(|(order, _, _)| *order);
    Report {
        rows,
        per_period,
        per_location: per_location
            .into_iter()
            .map(|(_, named, figures)| (named, figures))
            .collect(),
        total,
    }
}
