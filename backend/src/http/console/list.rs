//! Console lists from typed columns: a column's header, the key it sorts by and the cell
//! it shows are written together, so a column cannot be added to the header without its
//! cells (or the other way round). The table is built by a plain function of the rows,
//! tested without a database.

use chrono_tz::Tz;
use madoguchi_frontend::i18n::{t, Lang};
use madoguchi_frontend::pages::console::kit::{Cell, Header, Table};

use super::cx::StaffCx;

/// What a cell needs to show a row: the reader's language and zone, and where the
/// console's pages are.
pub struct RowView {
    pub lang: Lang,
    pub tz: Tz,
    /// `/{tenant}/staff/`
    pub console: String,
    /// The session's form token, for buttons in cells.
    pub csrf: String,
}

impl RowView {
    pub fn of(cx: &StaffCx) -> RowView {
        RowView {
            lang: cx.lang,
            tz: cx.clock.tz,
            console: format!("/{}/staff/", cx.tenant.code),
            csrf: cx.session.csrf_token.clone(),
        }
    }

    pub fn text(&self, key: &str) -> String {
        t(self.lang, key)
    }

    /// A console page, in the reader's language.
    pub fn console_url(&self, page: &str) -> String {
        let separator = if page.contains('?') { '&' } else { '?' };
        format!("{}{page}{separator}lang={}", self.console, self.lang.code())
    }

    /// A moment as the minute it is in the city's zone.
    pub fn minute(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        at.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// A moment to the second in the city's zone.
    pub fn second(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        at.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }
}

/// One column of a list of `Row`s, sortable by `S` when `sort` is given.
#[derive(Clone, Copy)]
pub struct Column<Row, S> {
    /// The catalogue key of its header.
    pub header: &'static str,
    pub sort: Option<S>,
    pub cell: fn(&RowView, &Row) -> Cell,
}

/// How the list is sorted now, and the address that sorts it by a column in an order
/// (`true`: descending).
pub struct Sorting<'a, S> {
    pub by: S,
    pub descending: bool,
    pub href: &'a dyn Fn(S, bool) -> String,
}

/// The table of `rows` in `columns`. A sortable column's header links to sorting by it,
/// the other way round when the list is sorted by it already.
pub fn table<Row, S: Copy + PartialEq>(
    view: &RowView,
    caption: String,
    columns: &[Column<Row, S>],
    rows: &[Row],
    sorting: Option<Sorting<'_, S>>,
    empty_text: String,
) -> Table {
    let headers = columns
        .iter()
        .map(|column| {
            let label = view.text(column.header);
            match (&sorting, column.sort) {
                (Some(sorting), Some(key)) => {
                    let sorted = (sorting.by == key).then_some(!sorting.descending);
                    Header {
                        label,
                        sort_href: Some((sorting.href)(key, sorted == Some(true))),
                        sorted,
                    }
                }
                _ => Header::plain(label),
            }
        })
        .collect();
    let rows = rows
        .iter()
        .map(|row| columns.iter().map(|c| (c.cell)(view, row)).collect())
        .collect();
    Table {
        caption,
        headers,
        rows,
        empty_text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, PartialEq, Debug)]
    enum By {
        Name,
        Size,
    }

    struct Line {
        name: &'static str,
        size: i32,
    }

    const COLUMNS: [Column<Line, By>; 3] = [
        Column {
            header: "staff_column_code",
            sort: Some(By::Name),
            cell: |view, line| Cell::Link(view.console_url(line.name), line.name.into()),
        },
        Column {
            header: "staff_column_party",
            sort: Some(By::Size),
            cell: |_, line| Cell::Text(line.size.to_string()),
        },
        Column {
            header: "staff_event_detail",
            sort: None,
            cell: |_, _| Cell::Text(String::new()),
        },
    ];

    fn view() -> RowView {
        RowView {
            lang: Lang::En,
            tz: chrono_tz::Asia::Tokyo,
            console: "/demo/staff/".into(),
            csrf: String::new(),
        }
    }

    #[test]
    fn every_row_has_a_cell_under_each_header_and_the_sorted_column_says_so() {
        let rows = [Line { name: "a", size: 1 }, Line { name: "b", size: 2 }];
        let href = |by: By, descending: bool| format!("?sort={by:?}&desc={descending}");
        let sorting = Sorting {
            by: By::Size,
            descending: false,
            href: &href,
        };
        let table = table(
            &view(),
            "Lines".into(),
            &COLUMNS,
            &rows,
            Some(sorting),
            "none".into(),
        );
        assert_eq!(table.headers.len(), 3);
        assert!(table.rows.iter().all(|cells| cells.len() == 3));
        assert_eq!(table.headers[0].sorted, None);
        assert_eq!(
            table.headers[0].sort_href.as_deref(),
            Some("?sort=Name&desc=false")
        );
        // Sorted ascending by size: its header offers the other order.
        assert_eq!(table.headers[1].sorted, Some(true));
        assert_eq!(
            table.headers[1].sort_href.as_deref(),
            Some("?sort=Size&desc=true")
        );
        assert_eq!(table.headers[2].sort_href, None);
        match &table.rows[1][0] {
            Cell::Link(href, text) => {
                assert_eq!(href, "/demo/staff/b?lang=en");
                assert_eq!(text, "b");
            }
            other => panic!("not a link: {other:?}"),
        }
    }

    #[test]
    fn a_list_without_sorting_has_plain_headers() {
        let table = table(&view(), "Lines".into(), &COLUMNS, &[], None, "none".into());
        assert!(table.headers.iter().all(|h| h.sort_href.is_none()));
        assert!(table.rows.is_empty());
        assert_eq!(table.empty_text, "none");
    }
}
