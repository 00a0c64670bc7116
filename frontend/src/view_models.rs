//! Plain data the pages render; filled by the backend.

use crate::i18n::Lang;

/// This page's address in `lang`.
pub fn in_language(here: &str, lang: Lang) -> String {
    let separator = if here.contains('?') { '&' } else { '?' };
    format!("{here}{separator}lang={}", lang.code())
}

/// What every page frame needs.
#[derive(Clone, Debug)]
pub struct PageFrame {
    pub lang: Lang,
    pub title: String,
    /// This page's address without its language: the language switch adds `lang=` for
    /// each of the others.
    pub here: String,
    pub back_href: Option<String>,
    pub errors: Vec<FieldError>,
    /// Console sections (href, label), shown under the header; empty on resident pages.
    pub nav: Vec<(String, String)>,
    /// On console pages: who is logged in, with the logout button.
    pub staff: Option<StaffBarVm>,
    /// An announced stop of the service, shown on every page while it is announced.
    pub banner: Option<String>,
    /// The city is set up for training: every page says 研修用.
    pub training: bool,
    /// On a city's resident pages, `/{city}`: the footer links its accessibility report,
    /// accessibility policy and privacy policy.
    pub footer_base: Option<String>,
}

/// A formal document of a city (accessibility report, policies): its blocks in order.
#[derive(Clone, Debug)]
pub struct DocumentVm {
    pub frame: PageFrame,
    pub blocks: Vec<DocumentBlock>,
}

#[derive(Clone, Debug)]
pub enum DocumentBlock {
    Heading(String),
    Paragraph(String),
    /// Label and value pairs.
    Facts(Vec<(String, String)>),
    List(Vec<String>),
    Link(String, String),
    /// A table with its caption, header row and rows.
    Table {
        caption: String,
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// The logged-in account on every console page.
#[derive(Clone, Debug)]
pub struct StaffBarVm {
    /// e.g. 窓口 花子（窓口職員）
    pub who: String,
    pub logout: FormVm,
    /// Notices to staff shown now, newest first.
    pub notices: Vec<String>,
    /// Whether the notices are unfolded (on the pages a working day starts from).
    pub notices_open: bool,
}

/// A problem with one form field: `field` is the id of its input.
#[derive(Clone, Debug)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct TenantHomeVm {
    pub frame: PageFrame,
    pub notice: String,
    pub maintenance: String,
    pub manage_href: String,
    pub tenant_code: String,
    pub locations: Vec<LocationVm>,
    pub procedures: Vec<ProcedureVm>,
}

#[derive(Clone, Debug)]
pub struct LocationVm {
    pub code: String,
    pub name: String,
    pub address: String,
    /// How to get there, as the city wrote it; may be empty.
    pub access: String,
    pub map_href: String,
    pub issues_cards: bool,
}

#[derive(Clone, Debug)]
pub struct ProcedureVm {
    pub code: String,
    pub name: String,
    pub notes: String,
    pub needs_card: bool,
    /// Where booking this procedure starts.
    pub book_href: String,
}

#[derive(Clone, Debug)]
pub struct TenantListVm {
    pub frame: PageFrame,
    pub tenants: Vec<TenantLinkVm>,
}

#[derive(Clone, Debug)]
pub struct TenantLinkVm {
    pub code: String,
    pub name: String,
}

/// A form page: where it posts and its CSRF token.
#[derive(Clone, Debug)]
pub struct FormVm {
    pub action: String,
    pub csrf: String,
}

#[derive(Clone, Debug)]
pub struct IdentifyVm {
    pub frame: PageFrame,
    pub form: FormVm,
    /// `reservation_number` or `manufacture_number`
    pub number_kind: String,
    /// `birth_date` or `password`
    pub proof_kind: String,
    pub number: String,
    pub birth_date: String,
    pub number_error: Option<String>,
    pub proof_error: Option<String>,
}

#[derive(Clone, Debug)]
pub struct CalendarVm {
    pub frame: PageFrame,
    /// The counter the visit is at, with its address.
    pub location_text: String,
    /// When changing a booking: the day and time it has now.
    pub current_booking: Option<String>,
    /// The first day with a free place: (text, href), e.g. 最短の空き日：12月1日（火）.
    pub earliest: Option<(String, String)>,
    /// Said instead when no day open for booking has a free place.
    pub none_free: Option<String>,
    /// e.g. 2026年12月 / December 2026
    pub month_label: String,
    pub previous_href: Option<String>,
    pub next_href: Option<String>,
    /// Weeks of seven days, Monday first; None outside the month.
    pub weeks: Vec<Vec<Option<DayVm>>>,
    /// The month's closed days and why, in words: 12月29日（火）〜12月31日（木）：年末年始.
    pub closed_days: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct DayVm {
    pub day: u32,
    /// ◎ △ × 休 —
    pub sign: &'static str,
    /// The day's state in words (満員, 祝日：憲法記念日 …), for screen readers and for people
    /// who do not know the signs.
    pub sign_text: String,
    /// Set when the day can be chosen.
    pub href: Option<String>,
    pub today: bool,
    /// The day of the booking being changed.
    pub current: bool,
}

#[derive(Clone, Debug)]
pub struct TimesVm {
    pub frame: PageFrame,
    pub form: FormVm,
    pub date_label: String,
    pub times: Vec<TimeVm>,
    pub error: Option<String>,
}

#[derive(Clone, Debug)]
pub struct TimeVm {
    pub slot_id: i64,
    /// 10:15〜10:30
    pub label: String,
    pub places_text: String,
    pub available: bool,
}

#[derive(Clone, Debug)]
pub struct ContactVm {
    pub frame: PageFrame,
    pub form: FormVm,
    pub held_until: Option<String>,
    pub email: FieldVm,
    pub phone: FieldVm,
    pub name: FieldVm,
}

/// One contact field as the tenant wants it.
/// Entering the one-time code sent to the resident's address.
#[derive(Clone, Debug)]
pub struct AddressCodeVm {
    pub frame: PageFrame,
    pub form: FormVm,
    pub held_until: Option<String>,
    /// What was sent where, or that a new code went out.
    pub notice: String,
    pub code: FieldVm,
    /// Where the address can be corrected.
    pub change_href: String,
}

#[derive(Clone, Debug, Default)]
pub struct FieldVm {
    /// `required`, `optional` or `off`
    pub mode: String,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Clone, Debug)]
pub struct CheckVm {
    pub frame: PageFrame,
    pub form: FormVm,
    pub held_until: Option<String>,
    pub rows: Vec<SummaryRow>,
}

#[derive(Clone, Debug)]
pub struct SummaryRow {
    pub label: String,
    pub value: String,
    pub change_href: Option<String>,
}

/// Links that go with a booking: its QR code image, calendar file and map.
#[derive(Clone, Debug)]
pub struct BookingLinks {
    pub qr_src: String,
    pub ics_href: String,
    pub map_href: String,
}

#[derive(Clone, Debug)]
pub struct DoneVm {
    pub frame: PageFrame,
    pub links: BookingLinks,
    pub code_display: String,
    pub rows: Vec<SummaryRow>,
    pub bring: String,
    /// Until when the booking can be changed or cancelled online, in words.
    pub deadline_text: String,
    pub manage_href: String,
}

#[derive(Clone, Debug)]
pub struct MessageVm {
    pub frame: PageFrame,
    pub text: String,
    /// The main way on, as a button.
    pub link_href: String,
    pub link_text: String,
    /// Other ways on: (href, text).
    pub more_links: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct LocationChoiceVm {
    pub frame: PageFrame,
    pub form: FormVm,
    pub options: Vec<LocationOptionVm>,
    pub error: Option<String>,
}

#[derive(Clone, Debug)]
pub struct LocationOptionVm {
    pub code: String,
    pub name: String,
    pub address: String,
    pub access: String,
    pub selected: bool,
}

#[derive(Clone, Debug)]
pub struct LookupVm {
    pub frame: PageFrame,
    pub form: FormVm,
    pub code: String,
    pub birth_date: String,
    pub contact: String,
    pub code_error: Option<String>,
    pub proof_error: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ManageVm {
    pub frame: PageFrame,
    /// QR code, calendar file and map; none for a cancelled booking.
    pub links: Option<BookingLinks>,
    pub notice: Option<String>,
    pub code_display: String,
    pub status_text: String,
    pub rows: Vec<SummaryRow>,
    /// "Changes possible until …" or "… ended at …; please call …".
    pub deadline_text: String,
    /// Links shown while the booking may still be changed online.
    pub change_href: Option<String>,
    pub cancel_href: Option<String>,
    /// The city's start page, to book something else.
    pub start_href: String,
}

/// A page that asks "are you sure?" before an action.
#[derive(Clone, Debug)]
pub struct ConfirmVm {
    pub frame: PageFrame,
    pub form: FormVm,
    pub lead: String,
    pub rows: Vec<SummaryRow>,
    pub button_label: String,
    pub held_until: Option<String>,
}

#[derive(Clone, Debug)]
pub struct StaffLoginVm {
    pub frame: PageFrame,
    pub form: FormVm,
    pub login: String,
    pub error: Option<String>,
}

#[derive(Clone, Debug)]
pub struct TodayVm {
    pub frame: PageFrame,
    pub scan: FormVm,
    /// Where the per-booking buttons post.
    pub act: FormVm,
    /// (code, name, selected) of the locations this account works at.
    pub locations: Vec<(String, String, bool)>,
    pub location_action: String,
    /// What the last scan did: (true = success, text).
    pub scan_result: Option<(bool, String)>,
    pub counts: Vec<(String, i64)>,
    pub rows: Vec<TodayRow>,
}

#[derive(Clone, Debug)]
pub struct TodayRow {
    pub time: String,
    /// As shown: ABC-DEF-GHJ
    pub code: String,
    /// Buttons for this booking: (action, label).
    pub actions: Vec<(&'static str, String)>,
    pub can_undo: bool,
    pub procedure: String,
    /// Who the booking is for: the names on its cards, or the contact name.
    pub name: String,
    /// What the call center or a colleague noted for the counter.
    pub note: String,
    pub party_size: i32,
    pub status: String,
}
