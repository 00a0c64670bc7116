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
use diesel::sql_types::{Array, BigInt, Date, Integer, Nullable, Text};
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
    /// The counts as the page and the workbook show them: booked, changed, cancelled (all,
    /// by residents, by staff), checked in, handed over, no-show, web, phone, places offered
    /// and used.
    pub fn counts(&self) -> [i64; 12] {
        [
            self.booked,
            self.changed,
            self.cancelled,
            self.cancelled_by_resident,
            self.cancelled_by_staff,
            self.checked_in,
            self.handed_over,
            self.no_show,
            self.web,
            self.phone,
            self.places_offered,
            self.places_used,
        ]
    }

    /// The counts of the stable CSV, in its column order (cancellations not split).
    pub fn csv_counts(&self) -> [i64; 10] {
        let [booked, changed, cancelled, _, _, checked_in, handed_over, no_show, web, phone, offered, used] =
            self.counts();
        [
            booked,
            changed,
            cancelled,
            checked_in,
            handed_over,
            no_show,
            web,
            phone,
            offered,
            used,
        ]
    }

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
    #[diesel(sql_type = Date)]
    period: NaiveDate,
    #[diesel(sql_type = BigInt)]
    location_id: i64,
    #[diesel(sql_type = BigInt)]
    procedure_id: i64,
    #[diesel(sql_type = Integer)]
    lead_days: i32,
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
}

#[derive(QueryableByName)]
struct PlaceCounts {
    #[diesel(sql_type = Date)]
    period: NaiveDate,
    #[diesel(sql_type = BigInt)]
    location_id: i64,
    #[diesel(sql_type = BigInt)]
    lane_id: i64,
    #[diesel(sql_type = BigInt)]
    offered: i64,
}

/// The first day of the period a local date `DAY` falls in, in SQL (`Grouping::label_of`
/// names it).
const PERIOD_OF_DAY: &str = "CASE $5 WHEN 'day' THEN DAY \
     WHEN 'month' THEN date_trunc('month', DAY)::date \
     ELSE make_date(extract(year FROM DAY - interval '3 months')::int, 4, 1) END";

/// Bookings by visit day (`bookings.visit_day`, `location_id`, `lead_days`, `moved` and
/// `cancelled_by` are kept by the database from the slot and the history), counted per
/// period × location × procedure × days from booking to visit: one pass over one table, and
/// the days are a histogram from which the medians are read exactly.
fn visits_query() -> String {
    use crate::db::kinds::BookingStatus;
    let period = PERIOD_OF_DAY.replace("DAY", "b.visit_day");
    let cancelled = BookingStatus::Cancelled.as_str();
    let checked_in = BookingStatus::CheckedIn.as_str();
    let completed = BookingStatus::Completed.as_str();
    let no_show = BookingStatus::NoShow.as_str();
    format!(
        "SELECT {period} AS period, b.location_id, b.procedure_id, b.lead_days,
                count(*) AS booked,
                count(*) FILTER (WHERE b.moved) AS changed,
                count(*) FILTER (WHERE b.status = '{cancelled}') AS cancelled,
                count(*) FILTER (WHERE b.status = '{cancelled}' AND b.cancelled_by = 'resident')
                  AS cancelled_by_resident,
                count(*) FILTER (WHERE b.status IN ('{checked_in}', '{completed}')) AS checked_in,
                count(*) FILTER (WHERE b.status = '{completed}') AS handed_over,
                count(*) FILTER (WHERE b.status = '{no_show}') AS no_show,
                count(*) FILTER (WHERE b.channel = 'web') AS web,
                count(*) FILTER (WHERE b.channel = 'phone') AS phone,
                coalesce(sum(b.party_size) FILTER (WHERE b.status <> '{cancelled}'), 0)::bigint
                  AS places_used
           FROM bookings b
          WHERE b.tenant_id = $1 AND b.visit_day >= $2 AND b.visit_day <= $3
            AND ($6::text IS NULL OR b.location_id =
                  (SELECT id FROM locations WHERE tenant_id = $1 AND code = $6))
            AND ($7::text IS NULL OR b.procedure_id =
                  (SELECT id FROM procedures WHERE tenant_id = $1 AND code = $7))
            AND ($8::text IS NULL OR b.channel = $8)
            AND (cardinality($9::bigint[]) = 0 OR b.location_id = ANY($9))
          GROUP BY 1, 2, 3, 4"
    )
}

/// Places offered: the capacity of the open slots, per period × location × lane; which
/// procedures a lane takes is applied afterwards.
fn places_query() -> String {
    let period = PERIOD_OF_DAY.replace("DAY", "(s.starts_at AT TIME ZONE $4)::date");
    format!(
        "SELECT {period} AS period, s.location_id, s.lane_id, sum(s.capacity)::bigint AS offered
           FROM slots s
          WHERE s.tenant_id = $1 AND NOT s.closed
            AND s.starts_at >= ($2::date::timestamp AT TIME ZONE $4)
            AND s.starts_at < (($3::date + 1)::timestamp AT TIME ZONE $4)
            AND ($6::text IS NULL OR s.location_id =
                  (SELECT id FROM locations WHERE tenant_id = $1 AND code = $6))
            AND (cardinality($9::bigint[]) = 0 OR s.location_id = ANY($9))
          GROUP BY 1, 2, 3"
    )
}

/// The report for `filter`.
pub fn report(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    filter: &ReportFilter,
) -> QueryResult<Report> {
    let visits = counted(conn, &visits_query(), clock, tenant, filter)?;
    let places = counted(conn, &places_query(), clock, tenant, filter)?;
    assembled(conn, tenant, filter, visits, places)
}

/// The report for `filter`, its two queries run at once on two connections (both acting for
/// the tenant): the bookings on `conn`, the places on `second`.
pub fn report_side_by_side(
    conn: &mut PgConnection,
    second: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    filter: &ReportFilter,
) -> QueryResult<Report> {
    let (visits, places) = std::thread::scope(|scope| {
        let places = scope.spawn(|| counted(second, &places_query(), clock, tenant, filter));
        let visits = counted(conn, &visits_query(), clock, tenant, filter);
        let places = places
            .join()
            .unwrap_or_else(|_| Err(diesel::result::Error::RollbackTransaction));
        (visits, places)
    });
    assembled(conn, tenant, filter, visits?, places?)
}

/// Runs one of the report's queries with the filter's nine parameters (each query uses those
/// it needs; diesel sends every parameter's type, so an unused one is no error). A fiscal year of a large city is hundreds of thousands
/// of rows: aggregated in memory rather than spilled to disk, and not worth compiling (JIT)
/// for one run.
fn counted<T: QueryableByName<diesel::pg::Pg> + 'static>(
    conn: &mut PgConnection,
    sql: &str,
    clock: &Clock,
    tenant: &Tenant,
    filter: &ReportFilter,
) -> QueryResult<Vec<T>> {
    conn.transaction(|conn| {
        diesel::sql_query("SET LOCAL work_mem = '64MB'").execute(conn)?;
        diesel::sql_query("SET LOCAL jit = off").execute(conn)?;
        diesel::sql_query(sql)
            .bind::<BigInt, _>(tenant.id)
            .bind::<Date, _>(filter.from)
            .bind::<Date, _>(filter.to)
            .bind::<Text, _>(clock.tz.name())
            .bind::<Text, _>(filter.by.as_str())
            .bind::<Nullable<Text>, _>(filter.location.as_deref())
            .bind::<Nullable<Text>, _>(filter.procedure.as_deref())
            .bind::<Nullable<Text>, _>(filter.channel.as_deref())
            .bind::<Array<BigInt>, _>(&filter.location_ids)
            .load(conn)
    })
}

fn assembled(
    conn: &mut PgConnection,
    tenant: &Tenant,
    filter: &ReportFilter,
    visits: Vec<VisitCounts>,
    places: Vec<PlaceCounts>,
) -> QueryResult<Report> {
    let names = names_of(conn, tenant.id)?;
    let lanes = lanes_of(conn, tenant.id, filter.procedure.as_deref(), &names)?;
    Ok(assemble(filter, &names, &lanes, visits, places))
}

/// Each lane's procedures (only the one asked for, when the report is of one).
fn lanes_of(
    conn: &mut PgConnection,
    tenant_id: i64,
    procedure: Option<&str>,
    names: &Names,
) -> QueryResult<BTreeMap<i64, Vec<i64>>> {
    use crate::db::schema::{lane_procedures, lanes};
    let pairs: Vec<(i64, i64)> = lane_procedures::table
        .inner_join(lanes::table)
        .filter(lanes::tenant_id.eq(tenant_id))
        .select((lane_procedures::lane_id, lane_procedures::procedure_id))
        .load(conn)?;
    let mut lanes: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (lane, procedure_id) in pairs {
        let wanted = match procedure {
            None => true,
            Some(code) => names
                .procedures
                .get(&procedure_id)
                .is_some_and(|(_, named)| named.code == code),
        };
        if wanted {
            lanes.entry(lane).or_default().push(procedure_id);
        }
    }
    Ok(lanes)
}

/// The codes and names a report's filter offers: the city's locations (only `location_ids`
/// when the account is limited to some) and procedures, in the order its lists show them.
pub fn filter_choices(
    conn: &mut PgConnection,
    tenant_id: i64,
    location_ids: &[i64],
) -> QueryResult<(Vec<Named>, Vec<Named>)> {
    let names = names_of(conn, tenant_id)?;
    let ordered = |of: BTreeMap<i64, (usize, Named)>| {
        let mut all: Vec<(usize, Named)> = of.into_values().collect();
        all.sort_by_key(|(order, _)| *order);
        all.into_iter().map(|(_, named)| named).collect::<Vec<_>>()
    };
    let locations = ordered(names.locations)
        .into_iter()
        .filter(|l| location_ids.is_empty() || location_ids.contains(&l.id))
        .collect();
    Ok((locations, ordered(names.procedures)))
}

/// The day of the city's first slot, where its fiscal years start.
pub fn first_slot(
    conn: &mut PgConnection,
    tenant_id: i64,
) -> QueryResult<Option<chrono::DateTime<chrono::Utc>>> {
    use crate::db::schema::slots;
    slots::table
        .filter(slots::tenant_id.eq(tenant_id))
        .select(diesel::dsl::min(slots::starts_at))
        .first(conn)
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

/// Figures being summed up, with the histogram of days from booking to visit their median
/// is read from.
#[derive(Default)]
struct Tally {
    figures: Figures,
    lead_days: BTreeMap<i32, i64>,
}

impl Tally {
    fn add(&mut self, counts: &VisitCounts) {
        let f = &mut self.figures;
        f.booked += counts.booked;
        f.changed += counts.changed;
        f.cancelled += counts.cancelled;
        f.cancelled_by_resident += counts.cancelled_by_resident;
        f.cancelled_by_staff += counts.cancelled - counts.cancelled_by_resident;
        f.checked_in += counts.checked_in;
        f.handed_over += counts.handed_over;
        f.no_show += counts.no_show;
        f.web += counts.web;
        f.phone += counts.phone;
        f.places_used += counts.places_used;
        *self.lead_days.entry(counts.lead_days).or_default() += counts.booked;
    }

    fn done(mut self) -> Figures {
        self.figures.median_lead_days = median(&self.lead_days);
        self.figures
    }
}

/// The median of a histogram as PostgreSQL's `percentile_cont(0.5)` gives it: the middle
/// value, or the mean of the two middle values of an even count.
fn median(histogram: &BTreeMap<i32, i64>) -> Option<f64> {
    let count: i64 = histogram.values().sum();
    if count == 0 {
        return None;
    }
    let nth = |n: i64| -> f64 {
        let mut seen = 0;
        for (value, times) in histogram {
            seen += times;
            if seen > n {
                return f64::from(*value);
            }
        }
        0.0
    };
    let (low, high) = ((count - 1) / 2, count / 2);
    Some((nth(low) + nth(high)) / 2.0)
}

fn assemble(
    filter: &ReportFilter,
    names: &Names,
    lanes: &BTreeMap<i64, Vec<i64>>,
    visits: Vec<VisitCounts>,
    places: Vec<PlaceCounts>,
) -> Report {
    let by = filter.by;
    let mut detailed: BTreeMap<(NaiveDate, i64, i64), Tally> = BTreeMap::new();
    let mut per_period: BTreeMap<NaiveDate, Tally> = BTreeMap::new();
    let mut per_location: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for counts in &visits {
        let key = (counts.period, counts.location_id, counts.procedure_id);
        detailed.entry(key).or_default().add(counts);
        per_period.entry(counts.period).or_default().add(counts);
        per_location
            .entry(counts.location_id)
            .or_default()
            .add(counts);
        total.add(counts);
    }
    for place in &places {
        // A slot of a lane that takes none of the procedures asked about offers nothing.
        let Some(procedures) = lanes.get(&place.lane_id) else {
            continue;
        };
        for procedure in procedures {
            let key = (place.period, place.location_id, *procedure);
            detailed.entry(key).or_default().figures.places_offered += place.offered;
        }
        per_period
            .entry(place.period)
            .or_default()
            .figures
            .places_offered += place.offered;
        per_location
            .entry(place.location_id)
            .or_default()
            .figures
            .places_offered += place.offered;
        total.figures.places_offered += place.offered;
    }
    let order = |id: i64, of: &BTreeMap<i64, (usize, Named)>| of.get(&id).map(|(o, _)| *o);
    let mut rows: Vec<ReportRow> = detailed
        .into_iter()
        .filter_map(|((period, location, procedure), tally)| {
            Some(ReportRow {
                period: by.label_of(period),
                location: names.locations.get(&location)?.1.clone(),
                procedure: names.procedures.get(&procedure)?.1.clone(),
                figures: tally.done(),
            })
        })
        .collect();
    rows.sort_by_key(|row| {
        (
            by.first_day_of(&row.period),
            order(row.location.id, &names.locations),
            order(row.procedure.id, &names.procedures),
        )
    });
    let mut per_period: BTreeMap<String, Figures> = per_period
        .into_iter()
        .map(|(period, tally)| (by.label_of(period), tally.done()))
        .collect();
    let per_period = by
        .labels_between(filter.from, filter.to)
        .into_iter()
        .map(|label| {
            let figures = per_period.remove(&label).unwrap_or_default();
            (label, figures)
        })
        .collect();
    let mut per_location: Vec<(usize, Named, Figures)> = per_location
        .into_iter()
        .filter_map(|(id, tally)| {
            let (order, named) = names.locations.get(&id)?;
            Some((*order, named.clone(), tally.done()))
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
        total: total.done(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_match_percentile_cont() {
        let histogram = |pairs: &[(i32, i64)]| pairs.iter().copied().collect::<BTreeMap<_, _>>();
        assert_eq!(median(&histogram(&[])), None);
        assert_eq!(median(&histogram(&[(4, 1)])), Some(4.0));
        // 1, 2, 3, 3, 6, 6 → (3 + 3) / 2
        assert_eq!(
            median(&histogram(&[(1, 1), (2, 1), (3, 2), (6, 2)])),
            Some(3.0)
        );
        // 1, 2 → 1.5
        assert_eq!(median(&histogram(&[(1, 1), (2, 1)])), Some(1.5));
        assert_eq!(median(&histogram(&[(0, 3), (10, 1)])), Some(0.0));
    }
}
