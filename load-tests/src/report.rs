//! The reports as Markdown: goals first (ratios before absolute numbers), then the tables.
//! `replace_section` puts a report between its markers in docs/performance.md.

use std::fmt::Write;

use diesel::prelude::*;

use crate::browse::Browse;
use crate::mixed::Mixed;
use crate::server::Server;
use crate::stampede::Report;
use crate::stats::{AnswerCount, StepFigures};

pub struct Machine {
    pub text: String,
}

impl Machine {
    pub fn describe(server: &Server) -> anyhow::Result<Machine> {
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
            .unwrap_or_else(|| "unknown CPU".into());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_gib = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
        #[derive(QueryableByName)]
        struct Version {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        let version: Version = diesel::sql_query("SELECT current_setting('server_version') AS v")
            .get_result(&mut server.connect()?)?;
        let build = if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        };
        Ok(Machine {
            text: format!(
                "{cores} cores ({model}), {memory_gib:.0} GiB; PostgreSQL {} on the embedded \
                 default (fsync and synchronous commit on), same machine; {build} build; run \
                 {} UTC.",
                version.v,
                chrono::Utc::now().format("%Y-%m-%d %H:%M")
            ),
        })
    }
}

/// Where the processor time went during a phase, and PostgreSQL's share per booking.
fn cpu_line(out: &mut String, cpu: &crate::server::CpuUse, bookings_per_second: f64, load: &str) {
    let _ = writeln!(
        out,
        "Processor use: PostgreSQL {:.2} cores ({:.2} ms per booking), server {:.2} cores \
         ({:.2} ms per booking), {load} {:.2} cores.\n",
        cpu.postgres,
        cpu.postgres * 1000.0 / bookings_per_second,
        cpu.server,
        cpu.server * 1000.0 / bookings_per_second,
        cpu.load
    );
}

fn steps_table(out: &mut String, steps: &[StepFigures]) {
    out.push_str("| step | requests | p50 ms | p95 ms | p99 ms | max ms |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|\n");
    for s in steps.iter().filter(|s| s.step != "setup") {
        let _ = writeln!(
            out,
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} |",
            s.step, s.requests, s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms
        );
    }
}

fn answers_table(out: &mut String, answers: &[AnswerCount]) {
    out.push_str("\n| step | answer | count |\n|---|---|---:|\n");
    for a in answers.iter().filter(|a| a.step != "setup") {
        let _ = writeln!(out, "| {} | {} | {} |", a.step, a.answer, a.count);
    }
}

fn worst_p99(steps: &[StepFigures]) -> Option<&StepFigures> {
    steps
        .iter()
        .filter(|s| s.step != "setup")
        .max_by(|a, b| a.p99_ms.total_cmp(&b.p99_ms))
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "**missed**"
    }
}

fn p99_line(out: &mut String, label: &str, steps: &[StepFigures]) {
    p99_line_under(out, label, steps, 100.0);
}

/// The p99 goal of `steps`: every step's 99th percentile under `goal_ms`.
fn p99_line_under(out: &mut String, label: &str, steps: &[StepFigures], goal_ms: f64) {
    if let Some(worst) = worst_p99(steps) {
        let list = steps
            .iter()
            .filter(|s| s.step != "setup")
            .map(|s| format!("{} {:.1}", s.step, s.p99_ms))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            out,
            "| p99 under {goal_ms:.0} ms for every step ({label}) | {:.2}× the goal at worst; ms: {list} | {} |",
            worst.p99_ms / goal_ms,
            verdict(worst.p99_ms < goal_ms)
        );
    }
}

fn memory_line(out: &mut String, peak_mib: f64) {
    let _ = writeln!(
        out,
        "| server memory under 100 MB | {:.2}× the limit: peak RSS {peak_mib:.0} MiB | {} |",
        peak_mib * 1024.0 * 1024.0 / 100e6,
        verdict(peak_mib * 1024.0 * 1024.0 < 100e6)
    );
}

pub fn stampede(machine: &Machine, r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Machine: {}\n", machine.text);
    out.push_str("| goal | measured | |\n|---|---|---|\n");
    let c = &r.consistency;
    let _ = writeln!(
        out,
        "| no overbooking | {} slots over capacity, {} over the online share, {} miscounted, \
         {} cards booked twice; {} bookings told to residents, {} in the database | {} |",
        c.overbooked_slots,
        c.over_web_share_slots,
        c.miscounted_slots,
        c.cards_booked_twice,
        r.rush.booked,
        r.rush.bookings_in_database,
        verdict(r.holds())
    );
    if let (Some(d), Some(s), Some(ceiling)) = (&r.direct, &r.sustained, &r.ceiling) {
        for (what, rate, goal) in [
            (
                "the booking request (a known time and the card)",
                d.bookings_per_second,
                0.60,
            ),
            (
                "the whole resident flow (availability, hold, book)",
                s.bookings_per_second,
                0.35,
            ),
        ] {
            let ratio = rate / ceiling.bookings_per_second;
            let _ = writeln!(
                out,
                "| booking throughput at least {:.0}% of the pgbench ceiling at {} clients: {what} | \
                 **{:.0}%**: {rate:.0} bookings/s through HTTP against {:.0} bookings/s of bare \
                 SQL | {} |",
                goal * 100.0,
                r.concurrency,
                ratio * 100.0,
                ceiling.bookings_per_second,
                verdict(ratio >= goal)
            );
        }
    }
    p99_line(&mut out, "rush", &r.rush.steps);
    if let Some(s) = &r.sustained {
        p99_line(&mut out, "sustained", &s.steps);
    }
    if let Some(d) = &r.direct {
        p99_line(&mut out, "known times", &d.steps);
    }
    memory_line(&mut out, r.server_peak_rss_mib);
    let rush = &r.rush;
    let _ = writeln!(
        out,
        "\n**Rush.** {} residents, {} at a time, each with a card of their own, for counter {} \
         on {} ({} places online). {} booked, {} found the day full, {} gave up after five \
         tries; the last booking was made after {:.2} s ({:.0} bookings/s), and every resident had \
         an answer after {:.2} s. Server failures (5xx or no answer): {}.\n",
        rush.residents,
        r.concurrency,
        crate::stampede::LOCATION,
        rush.day,
        rush.places,
        rush.booked,
        rush.day_full,
        rush.gave_up,
        rush.booked as f64 / rush.bookings_per_second.max(f64::EPSILON),
        rush.bookings_per_second,
        rush.seconds,
        r.failures
    );
    steps_table(&mut out, &rush.steps);
    answers_table(&mut out, &rush.answers);
    if let Some(s) = &r.sustained {
        let _ = writeln!(
            out,
            "\n**Sustained booking.** {} clients, each resident booking a random open time on \
             a random later day of the same counter with a fresh card, for {:.1} s: {} \
             bookings, {:.0} per second.\n",
            r.concurrency, s.seconds, s.booked, s.bookings_per_second
        );
        cpu_line(&mut out, &s.cpu, s.bookings_per_second, "load generator");
        steps_table(&mut out, &s.steps);
        answers_table(&mut out, &s.answers);
    }
    if let Some(d) = &r.direct {
        let _ = writeln!(
            out,
            "\n**Booking known times.** {} clients, each resident booking a random open time \
             of a later day of the same counter in one request (slot, card number, birth date, \
             e-mail address) with a fresh card, for {:.1} s: {} bookings, {:.0} per second.\n",
            r.concurrency, d.seconds, d.booked, d.bookings_per_second
        );
        cpu_line(&mut out, &d.cpu, d.bookings_per_second, "load generator");
        steps_table(&mut out, &d.steps);
        answers_table(&mut out, &d.answers);
    }
    if let Some(ceiling) = &r.ceiling {
        let _ = writeln!(
            out,
            "\n**Ceiling.** pgbench, {} clients for {} s, the booking transaction in bare SQL \
             over {} open slots of the other counters: {:.0} transactions/s, {} bookings \
             ({:.0} per second).",
            ceiling.clients,
            ceiling.seconds,
            ceiling.slots,
            ceiling.transactions_per_second,
            ceiling.bookings,
            ceiling.bookings_per_second
        );
        // pgbench is not this process: its share shows as neither server nor load generator.
        let _ = writeln!(
            out,
            "\nProcessor use: PostgreSQL {:.2} cores ({:.2} ms per booking); pgbench the rest.",
            ceiling.cpu.postgres,
            ceiling.cpu.postgres * 1000.0 / ceiling.bookings_per_second
        );
    }
    out
}

pub fn browse(machine: &Machine, b: &Browse) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Machine: {}\n", machine.text);
    out.push_str("| goal | measured | |\n|---|---|---|\n");
    p99_line_under(&mut out, "browse", &b.steps, 50.0);
    memory_line(&mut out, b.server_peak_rss_mib);
    let _ = writeln!(
        out,
        "\n{} residents, each in a session of their own at counter {} for the application \
         procedure, alternately opening the calendar page and a day's times page (HTML, \
         rendered on the server) for {:.1} s: {} pages, **{:.0} pages/s**. Server failures \
         (5xx or no answer): {}.\n",
        b.concurrency,
        crate::stampede::LOCATION,
        b.seconds,
        b.requests,
        b.requests_per_second,
        b.failures
    );
    steps_table(&mut out, &b.steps);
    answers_table(&mut out, &b.answers);
    out
}

pub fn mixed(machine: &Machine, m: &Mixed) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Machine: {}\n", machine.text);
    out.push_str("| goal | measured | |\n|---|---|---|\n");
    let c = &m.consistency;
    let _ = writeln!(
        out,
        "| no overbooking | {} slots over capacity, {} miscounted | {} |",
        c.overbooked_slots,
        c.miscounted_slots,
        verdict(m.holds())
    );
    p99_line(&mut out, "mixed", &m.steps);
    memory_line(&mut out, m.server_peak_rss_mib);
    let _ = writeln!(
        out,
        "\n{} clients for {:.1} s on a city open around the clock: residents browse times \
         (50%), book (20%), move (10%) or cancel (10%) a booking of theirs, and {} counter \
         clerks check in the day's visitors. {} requests ({:.0}/s): {} bookings, {} moves, \
         {} cancellations, {} check-ins. Server failures (5xx or no answer): {}.\n",
        m.concurrency,
        m.seconds,
        m.clerks,
        m.requests,
        m.requests_per_second,
        m.booked,
        m.moved,
        m.cancelled,
        m.checked_in,
        m.failures
    );
    steps_table(&mut out, &m.steps);
    answers_table(&mut out, &m.answers);
    out
}

/// Replaces what stands between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in `path`.
pub fn replace_section(path: &std::path::Path, name: &str, text: &str) -> anyhow::Result<()> {
    let doc = std::fs::read_to_string(path)?;
    let (begin, end) = (
        format!("<!-- {name}:begin -->"),
        format!("<!-- {name}:end -->"),
    );
    let (Some(from), Some(to)) = (doc.find(&begin), doc.find(&end)) else {
        anyhow::bail!("{} has no {begin} … {end} section", path.display());
    };
    let updated = format!(
        "{}{begin}\n{}\n{}",
        &doc[..from],
        text.trim_end(),
        &doc[to..]
    );
    std::fs::write(path, updated)?;
    Ok(())
}
