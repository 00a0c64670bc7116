//! The `madoguchi` command.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use diesel::{Connection, PgConnection};

mod imports;
mod lifecycle;
mod operations;

use crate::config::Config;
use crate::db::tenant::Tenant;
use crate::domain::{holidays, slots, tenant_file, Clock};

/// The demo tenant, built into the binary so `seed-demo` works from any directory.
pub const DEMO_TENANT: &str = include_str!("../../../docs/examples/demo-tenant.toml");
pub const DEMO_HOLIDAYS: &str = "syukujitsu-2025-2027.cp932.csv";
pub const DEMO_CARDS: &str = "jlis-cards-sample.utf8.csv";

#[derive(Parser)]
#[command(
    name = "madoguchi",
    version,
    about = "Booking service for My Number card counters"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (and, without DATABASE_URL, the embedded PostgreSQL).
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Create the demo tenant with holidays, sample cards and slots.
    SeedDemo,
    /// Tenant configuration files.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// National holidays.
    Holidays {
        #[command(subcommand)]
        command: HolidaysCommand,
    },
    /// Card records from J-LIS card-production files.
    Cards {
        #[command(subcommand)]
        command: CardsCommand,
    },
    /// Bookings brought across from a previous system.
    Bookings {
        #[command(subcommand)]
        command: BookingsCommand,
    },
    /// Staff accounts of the console.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// (Re)generate slots from timetables.
    Slots {
        #[command(subcommand)]
        command: SlotsCommand,
    },
    /// The operation log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// 稼働率: `availability --month 2026-11 [--tenant T]`, or record an excused stop.
    #[command(args_conflicts_with_subcommands = true)]
    Availability {
        #[command(subcommand)]
        command: Option<operations::AvailabilityCommand>,
        /// The month, such as 2026-11 (default: this month).
        #[arg(long)]
        month: Option<String>,
        /// One city's figure, with its own planned and city-caused stops.
        #[arg(long)]
        tenant: Option<String>,
    },
    Backup {
        #[command(subcommand)]
        command: operations::BackupCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check each tenant's hash chain (or one tenant's) and say where it breaks; exits 1
    /// when any chain is broken.
    Verify {
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create or update a tenant from a TOML file.
    Apply {
        file: PathBuf,
        /// Print what would change without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// `export CODE` prints a tenant as its tenant file (what the console set included;
    /// applying it changes nothing). `export --tenant CODE FILE.zip` writes all of the
    /// city's data as CSV files in a zip (see docs/data-lifecycle.md).
    Export {
        /// The tenant's code (or give it as the first argument).
        #[arg(long = "tenant")]
        tenant_flag: Option<String>,
        /// CODE, FILE.zip, or both.
        #[arg(num_args = 0..=2)]
        arguments: Vec<String>,
    },
    /// Load a city from an export zip under a new code: all of it or nothing.
    Import {
        file: PathBuf,
        /// The code the city gets in this deployment.
        #[arg(long = "as")]
        code: String,
        /// Check the whole file and report what would be created without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Mark a city as in training (研修用 on every page and mail) or as live.
    Training {
        #[arg(long)]
        tenant: String,
        /// on or off.
        state: String,
    },
    /// Remove a training city's practice data before go-live; settings and accounts stay.
    Wipe {
        #[arg(long)]
        tenant: String,
        /// Bookings, holds, cards, card imports, mail and the operation log.
        #[arg(long)]
        training_data: bool,
    },
    /// Delete every row and file of a city at the end of its contract and print the
    /// disposal report.
    Dispose {
        #[arg(long)]
        tenant: String,
        /// Repeat the tenant code to confirm.
        #[arg(long)]
        confirm: String,
    },
    /// Apply the retention rules now (the server does this daily).
    Retain {
        /// Only this city (all cities by default).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Show a city's retention rules, or change them.
    Retention {
        #[arg(long)]
        tenant: String,
        /// Days the operation log is kept (366 or more).
        #[arg(long)]
        operation_log_days: Option<i32>,
        /// Days after the visit a booking's contact details are erased, or off.
        #[arg(long)]
        personal_data_days: Option<String>,
        /// Days the mail files of the city's messages are kept.
        #[arg(long)]
        file_days: Option<i32>,
    },
}

#[derive(Subcommand)]
enum HolidaysCommand {
    /// Import the Cabinet Office holiday CSV (CP932, as published).
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum CardsCommand {
    /// Import a card-production CSV (UTF-8 or CP932): all rows or none.
    Import {
        #[arg(long)]
        tenant: String,
        file: PathBuf,
        /// Report what the import would do without changing anything.
        #[arg(long)]
        dry_run: bool,
        /// Where to write the notice printer's data (cities in password mode); by default
        /// notices-<first 12 hex digits of the file's SHA-256>.csv in the current folder.
        #[arg(long)]
        notices: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum BookingsCommand {
    /// Book the future visits of a previous system's CSV (来庁日時, 窓口コード, 手続き, 人数,
    /// カード番号, メール, 電話, 氏名, メモ): all rows or none.
    Migrate {
        #[arg(long)]
        tenant: String,
        file: PathBuf,
        /// List the conflicts without booking anything.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create an account. The password is read from MADOGUCHI_STAFF_PASSWORD, or else
    /// from the first line of standard input.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        login: String,
        /// admin, supervisor, counter, operator or auditor
        #[arg(long)]
        role: String,
    },
}

#[derive(Subcommand)]
enum SlotsCommand {
    /// Generate slots for one tenant (or all) from today over the horizon, or for a range.
    Generate {
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long, requires = "to")]
        from: Option<NaiveDate>,
        #[arg(long, requires = "from")]
        to: Option<NaiveDate>,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    // Only the server writes access logs; the guard flushes them when it returns.
    let _access_log =
        match crate::logging::init(matches!(cli.command, Command::Serve).then_some(&config)) {
            Ok(guard) => guard,
            Err(e) => {
                eprintln!("error: {e:#}");
                return ExitCode::FAILURE;
            }
        };
    match run(cli, config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve => actix_web::rt::System::new().block_on(crate::server::serve(config)),
        Command::Migrate => with_database(&config, |_| Ok(())),
        Command::SeedDemo => with_database(&config, |conn| seed_demo(conn, &config)),
        Command::Tenant {
            command: TenantCommand::Apply { file, dry_run },
        } => {
            let text = String::from_utf8(crate::server::read_file(&file)?)
                .with_context(|| format!("{} is not UTF-8 text", file.display()))?;
            let parsed =
                tenant_file::parse(&text).with_context(|| format!("reading {}", file.display()))?;
            with_database(&config, |conn| {
                apply_tenant(conn, &config, &parsed, dry_run)
            })
        }
        Command::Tenant {
            command:
                TenantCommand::Export {
                    tenant_flag,
                    arguments,
                },
        } => with_database(&config, |conn| {
            let (tenant, zip) = match (tenant_flag, arguments.as_slice()) {
                (Some(tenant), []) => (tenant, None),
                (Some(tenant), [file]) => (tenant, Some(PathBuf::from(file))),
                (None, [tenant]) => (tenant.clone(), None),
                (None, [tenant, file]) => (tenant.clone(), Some(PathBuf::from(file))),
                _ => anyhow::bail!("say which tenant: tenant export --tenant CODE [FILE.zip]"),
            };
            let found = Tenant::by_code(conn, &tenant)?
                .with_context(|| format!("no tenant with the code {tenant}"))?;
            let now = Clock::system(config.time_zone).now;
            match zip {
                Some(path) => lifecycle::export(conn, &found, &path, now),
                None => {
                    let file = tenant_file::export(conn, &found)?;
                    print!("{}", tenant_file::to_toml(&file, &now.to_rfc3339())?);
                    Ok(())
                }
            }
        }),
        Command::Tenant {
            command:
                TenantCommand::Import {
                    file,
                    code,
                    dry_run,
                },
        } => with_database(&config, |conn| {
            lifecycle::import(
                conn,
                &file,
                &code,
                dry_run,
                Clock::system(config.time_zone).now,
            )
        }),
        Command::Tenant {
            command: TenantCommand::Retain { tenant },
        } => with_database(&config, |conn| {
            lifecycle::retain(conn, &config, tenant.as_deref())
        }),
        Command::Tenant {
            command:
                TenantCommand::Retention {
                    tenant,
                    operation_log_days,
                    personal_data_days,
                    file_days,
                },
        } => with_database(&config, |conn| {
            lifecycle::retention_rules(
                conn,
                &tenant,
                operation_log_days,
                personal_data_days,
                file_days,
            )
        }),
        Command::Tenant {
            command: TenantCommand::Training { tenant, state },
        } => with_database(&config, |conn| lifecycle::training(conn, &tenant, &state)),
        Command::Tenant {
            command:
                TenantCommand::Wipe {
                    tenant,
                    training_data,
                },
        } => with_database(&config, |conn| {
            lifecycle::wipe(conn, &config, &tenant, training_data)
        }),
        Command::Tenant {
            command: TenantCommand::Dispose { tenant, confirm },
        } => with_database(&config, |conn| {
            lifecycle::dispose(conn, &config, &tenant, &confirm)
        }),
        Command::Cards {
            command:
                CardsCommand::Import {
                    tenant,
                    file,
                    dry_run,
                    notices,
                },
        } => with_database(&config, |conn| {
            imports::cards_command(conn, &config, &tenant, &file, !dry_run, notices)
        }),
        Command::Bookings {
            command:
                BookingsCommand::Migrate {
                    tenant,
                    file,
                    dry_run,
                },
        } => with_database(&config, |conn| {
            imports::migrate_command(conn, &config, &tenant, &file, !dry_run)
        }),
        Command::Holidays {
            command: HolidaysCommand::Import { file },
        } => {
            let bytes = crate::server::read_file(&file)?;
            with_database(&config, |conn| {
                let result = holidays::import(conn, &bytes)?;
                println!("{} holidays read and stored", result.rows);
                regenerate_all(conn, &config)
            })
        }
        Command::Staff {
            command:
                StaffCommand::Create {
                    tenant,
                    login,
                    role,
                },
        } => {
            let role = crate::domain::staff::Role::parse(&role).with_context(|| {
                format!("--role {role}: use admin, supervisor, counter, operator or auditor")
            })?;
            let password = match std::env::var("MADOGUCHI_STAFF_PASSWORD") {
                Ok(password) => password,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("reading the password")?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            with_database(&config, |conn| {
                let tenant = Tenant::by_code(conn, &tenant)?
                    .with_context(|| format!("no tenant {tenant}"))?;
                let clock = Clock::system(config.time_zone);
                let account = crate::domain::staff_accounts::create_account(
                    conn, &clock, &tenant, &login, role, &password,
                )?;
                println!(
                    "created {} ({}) for {}",
                    account.login, account.role, tenant.code
                );
                Ok(())
            })
        }
        Command::Audit {
            command: AuditCommand::Verify { tenant },
        } => with_database(&config, |conn| verify_audit_chains(conn, tenant.as_deref())),
        Command::Availability {
            command,
            month,
            tenant,
        } => with_database(&config, |conn| match command {
            Some(command) => operations::exclude(conn, &config, command),
            None => operations::availability(conn, &config, month.as_deref(), tenant.as_deref()),
        }),
        Command::Backup { command } => operations::backup(&config, command),
        Command::Slots {
            command: SlotsCommand::Generate { tenant, from, to },
        } => with_database(&config, |conn| {
            let clock = Clock::system(config.time_zone);
            for t in Tenant::all(conn)? {
                if tenant.as_ref().is_some_and(|code| code != &t.code) {
                    continue;
                }
                let report = match (from, to) {
                    (Some(from), Some(to)) => slots::generate(conn, &clock, &t, from, to),
                    _ => slots::generate_horizon(conn, &clock, &t),
                }
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                print_generation(&t.code, &report);
            }
            Ok(())
        }),
    }
}

/// Runs `work` against the configured database; with the embedded default, starts the
/// cluster for the command and stops it again unless it was already running.
fn with_database(
    config: &Config,
    work: impl FnOnce(&mut PgConnection) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let database = crate::server::prepare_database(config)?;
    let result = (|| {
        let mut conn = PgConnection::establish(&database.url).with_context(|| {
            format!(
                "connecting to {}",
                crate::db::without_password(&database.url)
            )
        })?;
        let applied = crate::db::with_schema_lock(&mut conn, |conn| {
            crate::db::update_schema(conn, config.time_zone)
        })?;
        for version in applied {
            println!("applied migration {version}");
        }
        work(&mut conn)
    })();
    if let (Some(cluster), true) = (&database.cluster, database.started_here) {
        cluster.stop()?;
    }
    result
}

fn apply_tenant(
    conn: &mut PgConnection,
    config: &Config,
    file: &tenant_file::TenantFile,
    dry_run: bool,
) -> anyhow::Result<()> {
    let report = tenant_file::apply(conn, file, dry_run)?;
    if report.changes.is_empty() {
        println!("tenant {}: no changes", file.code);
    }
    for line in &report.changes {
        println!("{line}");
    }
    if dry_run {
        println!("(dry run: nothing was changed)");
        return Ok(());
    }
    let tenant = Tenant::by_code(conn, &file.code)?.context("tenant vanished after apply")?;
    let report = slots::generate_horizon(conn, &Clock::system(config.time_zone), &tenant)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    print_generation(&tenant.code, &report);
    Ok(())
}

fn regenerate_all(conn: &mut PgConnection, config: &Config) -> anyhow::Result<()> {
    let clock = Clock::system(config.time_zone);
    for tenant in Tenant::all(conn)? {
        let report =
            slots::generate_horizon(conn, &clock, &tenant).map_err(|e| anyhow::anyhow!("{e}"))?;
        print_generation(&tenant.code, &report);
    }
    Ok(())
}

fn print_generation(tenant: &str, report: &slots::GenerationReport) {
    println!(
        "slots of {tenant}: {} created, {} updated, {} closed, {} reopened",
        report.created, report.updated, report.closed, report.reopened
    );
    for slot in &report.needing_attention {
        println!(
            "  attention: slot {} at {} holds {} bookings, the timetable now gives {}",
            slot.slot_id, slot.starts_at, slot.booked, slot.timetable_capacity
        );
    }
}

/// The demo: the tenant file, the national holidays and the 200 sample cards.
pub fn seed_demo(conn: &mut PgConnection, config: &Config) -> anyhow::Result<()> {
    let holidays_path = config.demo_data_dir.join(DEMO_HOLIDAYS);
    match std::fs::read(&holidays_path) {
        Ok(bytes) => {
            let result = holidays::import(conn, &bytes)?;
            println!("holidays: {} read from {}", result.rows, holidays_path.display());
        }
        Err(e) => eprintln!(
            "warning: no holidays loaded ({}: {e}); set MADOGUCHI_DEMO_DATA to the folder holding {DEMO_HOLIDAYS}",
            holidays_path.display()
        ),
    }
    let file = tenant_file::parse(DEMO_TENANT)?;
    let report = tenant_file::apply(conn, &file, false)?;
    println!("demo tenant: {} changes", report.changes.len());
    let cards_path = config.demo_data_dir.join(DEMO_CARDS);
    if cards_path.exists() {
        let tenant = Tenant::by_code(conn, &file.code)?.context("the demo tenant")?;
        imports::import_cards(conn, config, &tenant, &cards_path, true)?;
    } else {
        eprintln!(
            "warning: no cards loaded ({} is missing)",
            cards_path.display()
        );
    }
    regenerate_all(conn, config)
}

/// Prints each chain's state; an error (exit status 1) when any is broken.
fn verify_audit_chains(conn: &mut PgConnection, only: Option<&str>) -> anyhow::Result<()> {
    let tenants = Tenant::all(conn)?;
    if let Some(code) = only {
        anyhow::ensure!(tenants.iter().any(|t| t.code == code), "no tenant {code}");
    }
    let mut chains: Vec<(String, Option<i64>)> = tenants
        .iter()
        .filter(|t| only.is_none_or(|code| code == t.code))
        .map(|t| (t.code.clone(), Some(t.id)))
        .collect();
    if only.is_none() {
        chains.push(("(platform)".to_string(), None));
    }
    let mut broken = 0;
    for (name, tenant_id) in chains {
        let report = crate::domain::audit_chain::verify(conn, tenant_id)?;
        // Strand 0's head as before; any other strand's after it, by number.
        let head: String = report
            .heads
            .iter()
            .map(|h| match h.strand {
                0 => format!("; last #{} {}", h.position, h.hash),
                strand => format!("; strand {strand} last #{} {}", h.position, h.hash),
            })
            .collect();
        match report.first_break {
            None => println!("{name}: {} rows, chain intact{head}", report.rows),
            Some(at) => {
                broken += 1;
                let strand = match at.strand {
                    0 => String::new(),
                    strand => format!(" of strand {strand}"),
                };
                println!(
                    "{name}: {} rows, chain BROKEN at #{}{strand} (row id {}): {}",
                    report.rows,
                    at.position,
                    at.id,
                    at.problem.code()
                );
            }
        }
    }
    anyhow::ensure!(broken == 0, "{broken} chain(s) broken");
    Ok(())
}
