"""Reads a .qdpx project with pyqdpx (a reader we did not write) and prints what it holds as
JSON: codes, sources with their text and codings, and the cases from the XML.

usage: read_qdpx.py FILE.qdpx
"""
import json
import sys
import zipfile

from bs4 import BeautifulSoup
from pyqdpx import QDPX

path = sys.argv[1]
project = QDPX(path).get_project()
if project is None:
    sys.exit("pyqdpx could not read the project")
sources = []
for source in project.sources.values():
    with zipfile.ZipFile(path) as z:
        raw = z.read(f"Sources/{source.guid}.txt").decode("utf-8")
    sources.append({
        "guid": source.guid,
        "name": source.name,
        "text": raw,
        "codes": sorted(sel.code.name for sel in source.coded_selections.values()),
        "selections": [[sel.start, sel.end] for sel in source.coded_selections.values()],
    })
with zipfile.ZipFile(path) as z:
    xml = BeautifulSoup(z.read("project.qde").decode("utf-8"), "xml")
cases = [{"name": c.get("name"),
          "sources": [r.get("targetGUID") for r in c.find_all("SourceRef")],
          "values": [v.find("TextValue").string or "" for v in c.find_all("VariableValue")]}
         for c in xml.find_all("Case")]
print(json.dumps({
    "codes": sorted(c.name for c in project.codes.values()),
    "users": len(project.users),
    "sources": sources,
    "cases": cases,
}))
