"""Events recorded from a list's row said the list's title and file name, which often
name people, to readers who may not read the list: their source now says the kind of
list, its date and the line (``lists.confirm``). This rewrites the events recorded
before so, and their retractions' reasons, with the values their history keeps."""

import re

from django.db import migrations

SOURCE = re.compile(
    r"^(?P<kind>[A-Z][a-z]+ list) “.*” of (?P<date>\d{4}-\d{2}-\d{2}) \(.*\), line (?P<line>\d+)$",
    re.S,
)
REASON = re.compile(
    r"^Line (?P<line>\d+) of the list “.*” of (?P<date>\d{4}-\d{2}-\d{2}) was sent back to review\.$",
    re.S,
)


def source(text):
    found = SOURCE.match(text or "")
    return f"{found['kind']} of {found['date']}, line {found['line']}" if found else text


def reason(text):
    found = REASON.match(text or "")
    if not found:
        return text
    return f"Line {found['line']} of the list of {found['date']} was sent back to review."


def scrub(apps, schema_editor):
    Event = apps.get_model("incidents", "Event")
    EventRevision = apps.get_model("incidents", "EventRevision")
    for event in Event.objects.filter(source_detail__contains="“").iterator():
        event.source_detail = source(event.source_detail)
        event.retraction_reason = reason(event.retraction_reason)
        event.save(update_fields=["source_detail", "retraction_reason"])
    for event in Event.objects.filter(retraction_reason__contains="“").iterator():
        event.retraction_reason = reason(event.retraction_reason)
        event.save(update_fields=["retraction_reason"])
    for revision in EventRevision.objects.all().iterator():
        before = dict(revision.before or {})
        for field, rewrite in (("source_detail", source), ("retraction_reason", reason)):
            if isinstance(before.get(field), str):
                before[field] = rewrite(before[field])
        rewritten = reason(revision.reason)
        if before != revision.before or rewritten != revision.reason:
            revision.before, revision.reason = before, rewritten
            revision.save(update_fields=["before", "reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0021_list_candidates"),
        ("incidents", "0002_longer_content_type"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
