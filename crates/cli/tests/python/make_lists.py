"""Writes participant lists the way Excel and LibreOffice write them, for the import tests.

usage: make_lists.py OUT_DIR
cohort.xlsx (openpyxl), cohort.ods (odfpy), cohort-excel.csv (UTF-8 with a byte-order mark,
semicolons, CRLF, Excel's quoting: Python's csv module, excel dialect), big.xlsx (1,000 people).
"""
import csv
import os
import sys

import openpyxl
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

HEADINGS = ["Full name", "Email address", "Organisation", "Job title", "Sector", "Consent to be named"]
ROWS = [
    ["Amélie Dubois", "amelie@example.org", "Sunderland City Council, Adults' Services", "Team lead", "Public", "Yes"],
    ['Jo "JJ" O\'Neill', "jo@example.org", "Age UK; Sunderland", "Manager", "voluntary", "No"],
    [],  # an empty row (row 4)
    ["", "nobody@example.org", "Nexus", "", "", ""],  # no name (row 5)
    ["Sam Lee", "sam@", "Nexus", "", "", ""],  # malformed email (row 6)
    ["Ravi Patel", "ravi@example.org", "Nexus", "", "Retail", ""],  # not a sector (row 7)
    ["Amelie D", "AMELIE@example.org", "", "", "", ""],  # the same email as row 2 (row 8)
    ["Chris Wong", "", "Gateshead Council", "Analyst", "public sector", "yes"],  # row 9
]


def xlsx(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Registrations"
    sheet.append(HEADINGS)
    for row in rows:
        if row:
            sheet.append(row)
        else:
            sheet.append([None])
    book.save(path)


def ods(path, rows):
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Registrations")
    for row in [HEADINGS] + rows:
        tr = TableRow()
        for value in row or [""]:
            cell = TableCell(valuetype="string") if value else TableCell()
            if value:
                cell.addElement(P(text=value))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    doc.save(path)


def excel_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, dialect="excel", delimiter=";")
        writer.writerow(HEADINGS)
        for row in rows:
            writer.writerow(row)


def main():
    out = sys.argv[1]
    xlsx(os.path.join(out, "cohort.xlsx"), ROWS)
    ods(os.path.join(out, "cohort.ods"), ROWS)
    excel_csv(os.path.join(out, "cohort-excel.csv"), ROWS)
    big = [[f"Person {n} Ñúñez", f"person{n}@example.org", f"Org {n % 37}", "Officer",
            ["Public", "Private", "Voluntary", "Community", ""][n % 5], ["Yes", "No"][n % 2]]
           for n in range(1000)]
    xlsx(os.path.join(out, "big.xlsx"), big)


main()
