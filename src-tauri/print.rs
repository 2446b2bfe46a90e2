//! Printing the print-ready HTML with WebKitGTK's own print operation, on an offscreen web
//! view of its own (the window's web view shows the app, not the notes): "Save as PDF"
//! prints to a file with GTK's "Print to File" printer and no dialog; "Print..." opens the
//! system's print dialog. Same layout as the HTML export; WebKit leaves out the page numbers
//! and footer of CSS margin boxes, so a PDF's are printed as pages of their own and laid over
//! it (`fieldbook_core::export::pdf::stamp_footers`).

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use fieldbook_core::Error;
use gtk::prelude::*;
use webkit2gtk::{LoadEvent, PrintOperationExt, PrintOperationResponse, WebViewExt};

/// How a print ended.
type Done = tokio::sync::oneshot::Sender<Result<bool, String>>;

/// Prints `html`: to a PDF at `pdf` without a dialog, or, with `pdf` `None`, through the
/// print dialog, on A4 with `margins` (top, bottom, sides; mm: WebKit leaves the `@page`
/// rule's to GTK). `Ok(false)` when the facilitator cancels the dialog.
pub async fn print_html<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    html: String,
    pdf: Option<&Path>,
    margins: [f64; 3],
) -> Result<bool, Error> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let uri = pdf.map(|p| format!("file://{}", p.display()));
    app.run_on_main_thread(move || start(html, uri, margins, sender))
        .map_err(|e| {
            Error::invalid(format!(
                "Fieldbook could not print: {e}. Nothing has been changed."
            ))
        })?;
    match receiver.await {
        Ok(Ok(printed)) => Ok(printed),
        Ok(Err(reason)) => Err(Error::invalid(format!(
            "Fieldbook could not print the notes: {reason}. Nothing has been changed."
        ))),
        Err(_) => Err(Error::invalid(
            "Fieldbook could not print the notes. Nothing has been changed.",
        )),
    }
}

fn start(html: String, uri: Option<String>, margins: [f64; 3], done: Done) {
    let window = gtk::OffscreenWindow::new();
    let view = webkit2gtk::WebView::new();
    window.add(&view);
    window.set_default_size(794, 1123);
    window.show_all();
    let done = Rc::new(RefCell::new(Some(done)));
    let finish = move |result: Result<bool, String>| {
        if let Some(d) = done.borrow_mut().take() {
            let _ = d.send(result);
        }
    };
    let printing = Rc::new(RefCell::new(false));
    view.connect_load_changed(move |view, event| {
        if event != LoadEvent::Finished || printing.replace(true) {
            return;
        }
        let operation = webkit2gtk::PrintOperation::new(view);
        let page = gtk::PageSetup::new();
        page.set_paper_size(&gtk::PaperSize::new(Some("iso_a4")));
        let [top, bottom, side] = margins;
        page.set_top_margin(top, gtk::Unit::Mm);
        page.set_bottom_margin(bottom, gtk::Unit::Mm);
        page.set_left_margin(side, gtk::Unit::Mm);
        page.set_right_margin(side, gtk::Unit::Mm);
        operation.set_page_setup(&page);
        // The window and view live until the print ends.
        let keep = (window.clone(), view.clone());
        let on_finish = finish.clone();
        operation.connect_finished(move |_| {
            on_finish(Ok(true));
            keep.0.close();
        });
        let on_fail = finish.clone();
        operation.connect_failed(move |_, e| on_fail(Err(e.to_string())));
        match &uri {
            Some(uri) => {
                let settings = gtk::PrintSettings::new();
                settings.set_printer("Print to File");
                settings.set("output-file-format", Some("pdf"));
                settings.set("output-uri", Some(uri));
                operation.set_print_settings(&settings);
                operation.print();
            }
            None => {
                if operation.run_dialog(None::<&gtk::Window>) == PrintOperationResponse::Cancel {
                    finish(Ok(false));
                }
            }
        }
    });
    view.load_html(&html, None);
}
