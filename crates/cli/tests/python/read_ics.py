"""Parses an .ics file with PyPI's icalendar (a reader we did not write) and prints its events
as JSON, with each start and end in UTC and as the local time written.

usage: read_ics.py FILE.ics
"""
import json
import sys
from datetime import timezone

from icalendar import Calendar

with open(sys.argv[1], "rb") as f:
    cal = Calendar.from_ical(f.read())
events = []
for e in cal.walk("VEVENT"):
    start = e.decoded("DTSTART")
    end = e.decoded("DTEND") if "DTEND" in e else None
    events.append({
        "uid": str(e["UID"]),
        "summary": str(e["SUMMARY"]),
        "location": str(e.get("LOCATION", "")),
        "description": str(e.get("DESCRIPTION", "")),
        "tzid": e["DTSTART"].params.get("TZID"),
        "local_start": start.strftime("%Y-%m-%d %H:%M"),
        "utc_start": start.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "utc_end": end.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M") if end else None,
        "sequence": int(e.get("SEQUENCE", 0)),
    })
print(json.dumps({
    "timezones": [str(t["TZID"]) for t in cal.walk("VTIMEZONE")],
    "events": events,
}))
