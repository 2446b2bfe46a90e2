//! PDF from the print-ready HTML, by a Chromium-family browser on this computer printing it
//! headless and offline (no network, no first-run, a throw-away profile): the same layout,
//! page numbers and fonts as the browser's own "Save as PDF". Fieldbook carries no PDF
//! engine of its own; without such a browser the facilitator is told so and nothing is
//! written.

use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::error::{Error, Result};

/// The browsers tried, in order.
const BROWSERS: [&str; 5] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
];

/// The first Chromium-family browser on the PATH, if any.
pub fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| BROWSERS.iter().map(move |b| dir.join(b)))
        .find(|p| p.is_file())
}

/// Prints `html` to a PDF at `out`, written whole or not at all.
pub fn print_html(html: &str, out: &Path) -> Result<()> {
    let Some(browser) = browser() else {
        return Err(Error::invalid(
            "Fieldbook makes PDFs with Chromium, which is not installed on this computer. Export as HTML and print it to PDF from your browser, or install Chromium. Nothing has been changed.",
        ));
    };
    let work = std::env::temp_dir().join(format!("fieldbook-print-{}", Uuid::now_v7().simple()));
    let result = (|| {
        std::fs::create_dir_all(&work)?;
        let page = work.join("notes.html");
        std::fs::write(&page, html)?;
        let pdf = work.join("notes.pdf");
        let status = std::process::Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-pdf-header-footer",
            ])
            .arg(format!(
                "--user-data-dir={}",
                work.join("profile").display()
            ))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", page.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()?;
        Ok::<_, std::io::Error>((status, pdf))
    })();
    let outcome = match result {
        Ok((status, pdf)) if status.success() && pdf.is_file() => {
            std::fs::read(&pdf).map_err(Error::from).and_then(|bytes| {
                if bytes.starts_with(b"%PDF") {
                    super::write_atomically(out, &bytes)
                } else {
                    Err(Error::invalid(
                        "Chromium did not make a PDF. Nothing has been changed.",
                    ))
                }
            })
        }
        Ok(_) => Err(Error::invalid(format!(
            "{} could not print the notes to PDF. Nothing has been changed.",
            browser.display()
        ))),
        Err(e) => Err(Error::invalid(format!(
            "Fieldbook could not print the notes to PDF: {e}. Nothing has been changed."
        ))),
    };
    let _ = std::fs::remove_dir_all(&work);
    outcome
}

/// The page margins (top, bottom, sides; mm) of the print-ready HTML's `@page` rule, for
/// engines that take them from the print settings rather than the stylesheet (WebKitGTK).
pub const PAGE_MARGINS_MM: [f64; 3] = [18.0, 20.0, 16.0];

/// The page margins of [`footer_pages_html`]: each page's only text is one line in the
/// middle of the notes' 20 mm bottom margin, 16 mm in from each side.
pub const FOOTER_MARGINS_MM: [f64; 3] = [283.0, 0.0, 16.0];

/// A document of `pages` A4 pages, blank but for each page's footer: `line` at the left and
/// "Page N of M" at the right, where the print-ready HTML's CSS margin boxes put them, in the
/// same font and size. For engines that leave margin boxes out (WebKitGTK): print it with
/// [`FOOTER_MARGINS_MM`] and lay it over the document with [`stamp_footers`]. Nothing in it
/// depends on how the engine scales CSS lengths to the page, but the margins.
pub fn footer_pages_html(line: &str, pages: usize) -> String {
    let [top, bottom, side] = FOOTER_MARGINS_MM;
    let font = "'Segoe UI', 'Noto Sans', 'DejaVu Sans', Arial, 'Noto Naskh Arabic', 'Noto Sans Arabic', 'Noto Color Emoji', sans-serif";
    let mut o = format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<style>\n@page {{ size: A4; margin: {top}mm {side}mm {bottom}mm; }}\nhtml, body {{ margin: 0; padding: 0; }}\n.foot {{ height: 8mm; display: flex; align-items: center; justify-content: space-between; gap: 6mm; overflow: hidden; font-family: {font}; font-size: 8.5pt; line-height: 1.3; color: #47514f; break-after: page; page-break-after: always; }}\n.foot:last-child {{ break-after: auto; page-break-after: auto; }}\n.line {{ min-width: 0; overflow-wrap: anywhere; }}\n.number {{ white-space: nowrap; }}\n</style>\n</head>\n<body>\n"
    );
    let line = super::html::escape(line);
    for n in 1..=pages {
        o.push_str(&format!(
            "<div class=\"foot\"><span class=\"line\" dir=\"auto\">{line}</span><span class=\"number\">Page {n} of {pages}</span></div>\n"
        ));
    }
    o.push_str("</body>\n</html>\n");
    o
}

fn unreadable(e: lopdf::Error) -> Error {
    Error::invalid(format!(
        "Fieldbook could not number the pages of the PDF ({e}). Nothing has been changed."
    ))
}

/// The number of pages of a PDF.
pub fn page_count(pdf: &[u8]) -> Result<usize> {
    Ok(lopdf::Document::load_mem(pdf)
        .map_err(unreadable)?
        .get_pages()
        .len())
}

/// `key` of a page, or of the page tree node it inherits it from.
fn inherited(doc: &lopdf::Document, page: lopdf::ObjectId, key: &[u8]) -> Option<lopdf::Object> {
    let mut node = doc.get_dictionary(page).ok()?;
    for _ in 0..32 {
        if let Ok(value) = node.get(key) {
            return doc.dereference(value).ok().map(|(_, o)| o.clone());
        }
        node = doc
            .get_dictionary(node.get(b"Parent").ok()?.as_reference().ok()?)
            .ok()?;
    }
    None
}

/// Lays page N of `footers` over page N of `pdf`, for every page: each footer page becomes a
/// form drawn after the page's own content, which is left as it was. The two must have the
/// same number of pages.
pub fn stamp_footers(pdf: &[u8], footers: &[u8]) -> Result<Vec<u8>> {
    use lopdf::{Dictionary, Document, Object, Stream};
    let mut doc = Document::load_mem(pdf).map_err(unreadable)?;
    let mut feet = Document::load_mem(footers).map_err(unreadable)?;
    let pages: Vec<_> = doc.page_iter().collect();
    if feet.get_pages().len() != pages.len() {
        return Err(Error::invalid(format!(
            "Fieldbook could not number the pages of the PDF: it has {} pages and the footers {}. Nothing has been changed.",
            pages.len(),
            feet.get_pages().len()
        )));
    }
    // The footers' objects join the document's under new numbers.
    feet.renumber_objects_with(doc.max_id + 1);
    let mut forms = Vec::with_capacity(pages.len());
    for foot in feet.page_iter() {
        let mut form = Dictionary::from_iter([
            ("Type", Object::from("XObject")),
            ("Subtype", Object::from("Form")),
        ]);
        form.set(
            "BBox",
            inherited(&feet, foot, b"MediaBox").unwrap_or_else(|| {
                Object::Array(vec![
                    0.into(),
                    0.into(),
                    595.276_f32.into(),
                    841.89_f32.into(),
                ])
            }),
        );
        form.set(
            "Resources",
            inherited(&feet, foot, b"Resources").unwrap_or_else(|| Dictionary::new().into()),
        );
        if let Some(group) = inherited(&feet, foot, b"Group") {
            form.set("Group", group);
        }
        let mut stream = Stream::new(form, feet.get_page_content(foot).map_err(unreadable)?);
        let _ = stream.compress();
        forms.push(stream);
    }
    doc.max_id = feet.max_id;
    doc.objects.append(&mut feet.objects);
    for (page, form) in pages.into_iter().zip(forms) {
        let form = doc.add_object(form);
        // The page gets resources of its own (they may be shared with other pages).
        let mut resources = match inherited(&doc, page, b"Resources") {
            Some(Object::Dictionary(d)) => d,
            _ => Dictionary::new(),
        };
        let mut xobjects = match resources.get(b"XObject").map(|o| doc.dereference(o)) {
            Ok(Ok((_, Object::Dictionary(d)))) => d.clone(),
            _ => Dictionary::new(),
        };
        xobjects.set("FieldbookFooter", Object::Reference(form));
        resources.set("XObject", xobjects);
        // The page's own content in q...Q, so whatever state it leaves does not move the footer.
        let open = doc.add_object(Stream::new(Dictionary::new(), b"q\n".to_vec()));
        let close = doc.add_object(Stream::new(
            Dictionary::new(),
            b"\nQ\nq /FieldbookFooter Do Q\n".to_vec(),
        ));
        let mut contents = vec![Object::Reference(open)];
        contents.extend(
            doc.get_page_contents(page)
                .into_iter()
                .map(Object::Reference),
        );
        contents.push(Object::Reference(close));
        let page = doc.get_dictionary_mut(page).map_err(unreadable)?;
        page.set("Resources", resources);
        page.set("Contents", contents);
    }
    // The footers' own catalogue and page tree are no longer needed.
    doc.prune_objects();
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

/// Poppler's readers, shared with the other tests that read a PDF back.
#[cfg(test)]
#[path = "../../tests/common/poppler.rs"]
mod poppler;

#[cfg(test)]
mod tests {
    use super::poppler::{keep_pictures, page_lines, pdf_page_texts};
    use super::*;

    const LINE: &str =
        "Arwain Newid Gyda'n Gilydd · Ynys Môn: Llanfair Pwllgwyngyll, Tŵr Ŷd & <Co>";

    fn three_pages(footer: &str) -> String {
        let sections: String = (1..=3)
            .map(|n| format!("<section class=\"session\"><h2>Session {n} of the day</h2><p>What was said in session {n}.</p></section>"))
            .collect();
        format!(
            "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><style>{}{footer}</style></head><body>{sections}</body></html>",
            super::super::html::STYLE
        )
    }

    /// Chromium prints a three-page document without margin boxes (as WebKit does) and the
    /// footer pages; stamped, every page reads its footer and number as the CLI's PDF does
    /// with Chromium's own margin boxes, Welsh letters included.
    #[test]
    fn stamped_footers_read_like_the_margin_boxes_chromium_prints() {
        let dir = tempfile::tempdir().unwrap();
        let bare = dir.path().join("bare.pdf");
        print_html(&three_pages(""), &bare).unwrap();
        let bare = std::fs::read(&bare).unwrap();
        assert_eq!(page_count(&bare).unwrap(), 3);
        let feet = dir.path().join("feet.pdf");
        print_html(&footer_pages_html(LINE, 3), &feet).unwrap();
        let feet = std::fs::read(&feet).unwrap();
        assert_eq!(page_count(&feet).unwrap(), 3, "one footer page a page");
        let stamped = dir.path().join("stamped.pdf");
        std::fs::write(&stamped, stamp_footers(&bare, &feet).unwrap()).unwrap();
        let boxes = dir.path().join("boxes.pdf");
        print_html(&three_pages(&super::super::html::page_footer(LINE)), &boxes).unwrap();

        // Pictures of both to compare by eye, kept under tests/e2e/artifacts (not committed).
        keep_pictures(&stamped, "stamped-footer");
        keep_pictures(&boxes, "chromium-footer");
        let stamped = pdf_page_texts(&stamped);
        let boxes = pdf_page_texts(&boxes);
        assert_eq!(stamped.len(), 3, "{stamped:?}");
        assert_eq!(boxes.len(), 3, "{boxes:?}");
        for (n, (s, b)) in stamped.iter().zip(&boxes).enumerate() {
            let number = format!("Page {} of 3", n + 1);
            assert!(
                s.contains(&format!("What was said in session {}.", n + 1)),
                "the page's own text stays: {s}"
            );
            assert!(s.contains(&number), "{s}");
            assert!(s.contains(LINE), "{s}");
            assert!(
                b.contains(&number) && b.contains(LINE),
                "Chromium's margin boxes: {b}"
            );
            assert_eq!(
                page_lines(s),
                page_lines(b),
                "the window's PDF reads as the CLI's"
            );
        }
    }

    #[test]
    fn footers_for_another_number_of_pages_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let bare = dir.path().join("bare.pdf");
        print_html(&three_pages(""), &bare).unwrap();
        let feet = dir.path().join("feet.pdf");
        print_html(&footer_pages_html(LINE, 2), &feet).unwrap();
        let error = stamp_footers(
            &std::fs::read(&bare).unwrap(),
            &std::fs::read(&feet).unwrap(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("it has 3 pages and the footers 2"),
            "{error}"
        );
        assert!(error.ends_with("Nothing has been changed."), "{error}");
        let error = stamp_footers(b"not a PDF", b"%PDF-1.4")
            .unwrap_err()
            .to_string();
        assert!(error.ends_with("Nothing has been changed."), "{error}");
    }
}
