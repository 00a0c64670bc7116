//! The message catalogue: every string a page shows, in Japanese and English.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Msg {
    SiteName,
    Locations,
    Procedures,
    NeedsCard,
    IssuesCards,
    SwitchLanguage,
    NoLocations,
    Tenants,
}

pub fn t(lang: Lang, msg: Msg) -> &'static str {
    use Msg::*;
    match (lang, msg) {
        (Lang::Ja, SiteName) => "マイナンバーカード窓口予約",
        (Lang::En, SiteName) => "My Number Card counter booking",
        (Lang::Ja, Locations) => "窓口の一覧",
        (Lang::En, Locations) => "Counters",
        (Lang::Ja, Procedures) => "予約できる手続き",
        (Lang::En, Procedures) => "Procedures you can book",
        (Lang::Ja, NeedsCard) => "交付通知書の番号が必要です",
        (Lang::En, NeedsCard) => "You need the number on your issuance notice",
        (Lang::Ja, IssuesCards) => "カードの交付を行います",
        (Lang::En, IssuesCards) => "Cards are handed over here",
        (Lang::Ja, SwitchLanguage) => "English",
        (Lang::En, SwitchLanguage) => "日本語",
        (Lang::Ja, NoLocations) => "現在予約を受け付けている窓口はありません。",
        (Lang::En, NoLocations) => "No counter takes bookings at the moment.",
        (Lang::Ja, Tenants) => "自治体を選んでください",
        (Lang::En, Tenants) => "Choose your municipality",
    }
}
